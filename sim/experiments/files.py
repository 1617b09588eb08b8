"""Writing results: every file goes through a temporary sibling and a rename."""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any


def atomic_write(path: Path, write: Callable[[Path], object]) -> None:
    """Write a file through a temporary sibling and a rename: never half-written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; results are ordinary files
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def write_json(path: Path, data: Any) -> None:
    """Write JSON atomically, NaN and infinities written as null (JSON has neither)."""

    def clean(x: Any) -> Any:
        if hasattr(x, "item") and not hasattr(x, "__len__"):
            x = x.item()  # a numpy scalar
        if isinstance(x, float) and not math.isfinite(x):
            return None
        if isinstance(x, dict):
            return {k: clean(v) for k, v in x.items()}
        if isinstance(x, list | tuple):
            return [clean(v) for v in x]
        return x

    text = json.dumps(clean(data), indent=2, default=_json_default, allow_nan=False) + "\n"
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_xlsx(path: Path, sheets: dict[str, Any]) -> None:
    """One workbook (openpyxl), a sheet per table, atomically: the same numbers as the CSVs, for Excel users."""
    import pandas as pd

    def write(tmp: Path) -> None:
        with pd.ExcelWriter(tmp, engine="openpyxl") as book:
            for name, frame in sheets.items():
                frame.to_excel(book, sheet_name=name[:31], index=False)  # Excel's limit on sheet names

    atomic_write(path, write)


def replace_folder(folder: Path, write: Callable[[Path], object]) -> None:
    """Write a whole folder in a temporary sibling, then swap it in for ``folder``.

    A write that fails (a full disk, Ctrl-C) leaves the previous folder as it was, not a
    mix of old and new files; only the instant between two renames leaves it under a
    hidden name beside (``.NAME.old-PID``).
    """
    import shutil

    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.", suffix=".tmp"))
    try:
        write(tmp)
        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes 0700; results are ordinary folders
        old = folder.with_name(f".{folder.name}.old-{os.getpid()}")
        if folder.exists():
            os.rename(folder, old)
        os.rename(tmp, folder)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask
