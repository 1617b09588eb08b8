"""An export's files: a folder of CSV/xlsx tables, one CSV or one workbook, read as strings, size-checked.

Also the presets told from the column names, and the mapping file found beside an export.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.crm.presets import PRESETS, CrmError, CrmMap, load_map

MAX_BYTES = 200 * 1024 * 1024  # a file over this is refused before reading (a CRM export of ~1M leads is ~300 MB)


def _check_size(path: Path) -> None:
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise CrmError(f"{path}: {size / 1e6:.0f} MB is over the {MAX_BYTES / 1e6:.0f} MB limit; export fewer rows")


def _read_csv(path: Path) -> pd.DataFrame:
    _check_size(path)
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", skipinitialspace=True)
    except pd.errors.EmptyDataError:
        raise CrmError(f"{path}: the file is empty (no header, no rows)") from None
    except (pd.errors.ParserError, UnicodeDecodeError, OSError) as exc:
        raise CrmError(f"{path}: not a readable CSV ({str(exc).splitlines()[0]})") from None


def _read_xlsx(path: Path) -> dict[str, pd.DataFrame]:
    _check_size(path)
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
