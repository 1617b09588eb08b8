"""Reading an export's values: timestamps with or without an offset, true/false flags, and the problems found.

Pure functions of strings; :mod:`sim.crm.reader` applies them column by column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

TRUE = frozenset({"true", "1", "yes", "y", "t", "won"})
FALSE = frozenset({"false", "0", "no", "n", "f", "lost", ""})
OFFSET = re.compile(r"(?:Z|[+-]\d\d:?\d\d)$")


@dataclass(frozen=True)
class Problem:
    """One problem of an export: where, how many rows, and what was done about it."""

    file: str
    column: str
    rows: int
    problem: str
    action: str

    def line(self) -> str:
        """The problem as one line for people."""
        rows = f"{self.rows} row{'s' if self.rows != 1 else ''}: " if self.rows else ""
        where = f"column {self.column!r}: " if self.column else ""
        return f"{self.file}: {where}{rows}{self.problem}; {self.action}"

    def as_dict(self) -> dict[str, object]:
        """JSON-safe form (observed.json's ``problems``)."""
        return {
            "file": self.file,
            "column": self.column,
            "rows": self.rows,
            "problem": self.problem,
            "action": self.action,
        }


def parse_times(values: pd.Series, timezone: str, dayfirst: bool = False) -> tuple[pd.Series, pd.Series]:
    """Timestamps from strings: those with an offset ("Z", "+02:00") keep it, others are local time in ``timezone``.

    Returns the times in ``timezone`` and a mask of the values that were given but could not be read.
    """
    text = values.astype("string").str.strip().fillna("")
    given = text != ""
    aware = given & text.str.contains(OFFSET)
    out = pd.Series(pd.NaT, index=values.index, dtype=f"datetime64[ns, {timezone}]")
    for mask, utc in ((aware, True), (given & ~aware, False)):
        if not mask.any():
            continue
        part = text[mask]
        parsed = pd.to_datetime(part, errors="coerce", utc=utc, format="ISO8601")
        again = parsed.isna()
        if again.any():
            parsed[again] = pd.to_datetime(part[again], errors="coerce", utc=utc, format="mixed", dayfirst=dayfirst)
        if utc:
            parsed = parsed.dt.tz_convert(timezone)
        else:
            parsed = parsed.dt.tz_localize(
                timezone, ambiguous=np.zeros(len(parsed), dtype=bool), nonexistent="shift_forward"
            )
        out[mask] = parsed
    return out, given & out.isna()


def parse_truth(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """True/false flags from strings (true, 1, yes, won / false, 0, no, lost); and a mask of values that are neither."""
    text = values.astype("string").str.strip().str.lower().fillna("")
    truth = pd.Series(pd.NA, index=values.index, dtype="boolean")
    truth[text.isin(TRUE)] = True
    truth[text.isin(FALSE) & (text != "")] = False
    return truth, (text != "") & truth.isna()
