"""An export's files: a folder of CSV/xlsx tables, one CSV or one workbook, read as strings, size-checked.

Also the presets told from the column names, and the mapping file found beside an export.
"""

from __future__ import annotations

import re
import stat
import zipfile
from pathlib import Path

import pandas as pd

from sim.crm.mapfile import load_map
from sim.crm.presets import PRESETS, CrmError, CrmMap

MAX_BYTES = 200 * 1024 * 1024  # a file over this is refused before reading (a CRM export of ~1M leads is ~300 MB)
MAX_XLSX_UNPACKED = 500 * 1024 * 1024  # a workbook's parts unpacked (its XML is ~5x a CSV of the same rows)
MAX_XLSX_RATIO = 200  # unpacked / packed of a part: real sheets compress ~10-30x, a zip bomb ~1000x
MAX_CELLS = 20_000_000  # a sheet's used range (rows x columns): 400,000 rows of 50 columns
_CELL = re.compile(rb"<(?:\w+:)?(?:c|dimension)\s[^>]*?(?:\br|ref)=\"(?:[A-Z]+\d+:)?([A-Z]{1,4})(\d{1,8})\"")


def _check_size(path: Path) -> None:
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        raise CrmError(f"{path}: not a regular file (a pipe, device or socket); an export is CSV or xlsx files")
    if info.st_size > MAX_BYTES:
        raise CrmError(
            f"{path}: {info.st_size / 1e6:.0f} MB is over the {MAX_BYTES / 1e6:.0f} MB limit; export fewer rows"
        )


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _span(book: zipfile.ZipFile, part: zipfile.ZipInfo) -> tuple[int, int]:
    """The rows and columns a sheet spans: its farthest cell (and its declared dimension), read as bytes."""
    rows = cols = 0
    tail = b""
    with book.open(part) as sheet:
        while chunk := sheet.read(4 * 1024 * 1024):
            text = tail + chunk
            for letters, number in _CELL.findall(text):
                rows, cols = max(rows, int(number)), max(cols, _column_number(letters.decode()))
            tail = text[-200:]
    return rows, cols


def _check_workbook(path: Path) -> None:
    """Refuse a workbook whose parts unpack to too much, or whose sheets span too many cells, before parsing it."""
    try:
        with zipfile.ZipFile(path) as book:
            parts = book.infolist()
            unpacked = sum(p.file_size for p in parts)
            if unpacked > MAX_XLSX_UNPACKED:
                raise CrmError(
                    f"{path}: unpacks to {unpacked / 1e6:,.0f} MB, over the {MAX_XLSX_UNPACKED / 1e6:.0f} MB limit "
                    "of a workbook; export fewer rows, or as CSV"
                )
            for part in parts:
                if part.file_size > 1_000_000 and part.file_size > MAX_XLSX_RATIO * max(part.compress_size, 1):
                    raise CrmError(
                        f"{path}: part {part.filename} unpacks {part.file_size / max(part.compress_size, 1):,.0f} "
                        f"times its size (a real sheet, under {MAX_XLSX_RATIO}); not read"
                    )
                if part.filename.startswith("xl/worksheets/") and part.filename.endswith(".xml"):
                    rows, cols = _span(book, part)
                    if cols * rows > MAX_CELLS:
                        raise CrmError(
                            f"{path}: sheet {part.filename.rsplit('/', 1)[-1]} spans {rows:,} rows x {cols:,} columns, "
                            f"over the {MAX_CELLS:,} cells a workbook may span; delete the stray cells or export CSV"
                        )
    except zipfile.BadZipFile:
        raise CrmError(f"{path}: not a readable xlsx workbook (not a zip file)") from None
    except OSError as exc:
        raise CrmError(f"{path}: cannot read ({exc.strerror or exc})") from None


def _delimiter(path: Path) -> str:
    """The header's delimiter: the most frequent of , ; tab | (a spreadsheet in a decimal-comma locale writes ;)."""
    try:
        with path.open("rb") as fh:
            header = fh.readline(64 * 1024).decode("utf-8-sig", errors="replace")
    except OSError:
        return ","
    counts = {sep: header.count(sep) for sep in (",", ";", "\t", "|")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] > 0 else ","


WINDOWS = "Windows-1252"  # what Excel on Windows writes as "CSV" in Western locales (not "CSV UTF-8")


def _read_csv(path: Path) -> pd.DataFrame:
    """A CSV's rows as text: UTF-8 (with or without a BOM), else Windows-1252 (``attrs["encoding"]`` says so)."""
    _check_size(path)
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            frame = pd.read_csv(
                path, sep=_delimiter(path), dtype=str, keep_default_na=False, encoding=encoding, skipinitialspace=True
            )
        except pd.errors.EmptyDataError:
            raise CrmError(f"{path}: the file is empty (no header, no rows)") from None
        except UnicodeDecodeError as exc:
            if encoding == "cp1252":
                raise CrmError(f"{path}: neither UTF-8 nor {WINDOWS} text (byte 0x{exc.object[exc.start]:02x} at "
                               f"byte {exc.start:,}); save it as CSV UTF-8") from None  # fmt: skip
            continue
        except (pd.errors.ParserError, OSError) as exc:
            raise CrmError(f"{path}: not a readable CSV ({str(exc).splitlines()[0]})") from None
        if encoding == "cp1252":
            frame.attrs["encoding"] = WINDOWS
        return frame
    raise AssertionError("unreachable")


def _read_xlsx(path: Path) -> dict[str, pd.DataFrame]:
    _check_size(path)
    _check_workbook(path)
    try:
        sheets = pd.read_excel(path, sheet_name=None, dtype=str, keep_default_na=False, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise CrmError(f"{path}: not a readable xlsx workbook ({type(exc).__name__}: {exc})") from None
    return {name: frame for name, frame in sheets.items() if name != "map"}


def read_tables(path: Path) -> dict[str, tuple[str, pd.DataFrame]]:
    """Every table of the export: name -> (file label for messages, raw rows as strings)."""
    if not path.exists():
        raise CrmError(f"{path}: no such file or folder")
    if path.is_dir():
        out = {}
        for p in sorted(path.iterdir()):
            if p.suffix.lower() in (".csv", ".xlsx") and not p.is_file():
                raise CrmError(f"{p}: not a regular file (a pipe, device or socket); an export is CSV or xlsx files")
            if p.suffix.lower() == ".csv":
                out[p.stem] = (p.name, _read_csv(p))
            elif p.suffix.lower() == ".xlsx":
                out |= {name: (f"{p.name}[{name}]", frame) for name, frame in _read_xlsx(p).items()}
        if not out:
            raise CrmError(f"{path}: no .csv or .xlsx files in the folder")
        return out
    if path.suffix.lower() == ".xlsx":
        sheets = _read_xlsx(path)
        if not sheets:
            raise CrmError(f"{path}: the workbook has no sheets")
        return {name: (f"{path.name}[{name}]", frame) for name, frame in sheets.items()}
    return {path.stem: (path.name, _read_csv(path))}


def guess_preset(tables: dict[str, tuple[str, pd.DataFrame]]) -> str:
    """The preset whose lead id and creation columns a table has ("none" if no preset's)."""
    for name, preset in PRESETS.items():
        key = preset.leads.columns
        for _, frame in tables.values():
            if key["lead_id"] in frame.columns and key["created_at"] in frame.columns:
                return name
    return "none"


def default_map(path: Path) -> CrmMap:
    """The mapping beside an export (``map.yaml`` in its folder, or ``<name>.map.yaml`` beside it), else none."""
    for candidate in (path / "map.yaml", path.with_suffix(".map.yaml")):
        if candidate.is_file():
            return load_map(candidate)
    return CrmMap()
