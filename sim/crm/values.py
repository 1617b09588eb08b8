"""Reading an export's values: timestamps, true/false flags, amounts, and the problems found.

Pure functions of strings; :mod:`sim.crm.reader` applies them column by column. Dates are read
by shape, not guessed value by value: ISO (``2017-06-14``, ``2017-06-14T10:00:00.000Z``),
numeric with a day/month order decided once for a table (``14/06/2017``, ``06-14-2017``,
:func:`numeric_order`), month names (``Jun 14, 2017``), or a declared ``format`` (strptime).
An offset (``Z``, ``UTC``, ``GMT``, ``+05``, ``+0500``, ``+05:00``) counts only after a time of
day, so ``14-06-2017`` is a date, never a time at offset -20:17. A value without a time of day
is a date only: it is read at :data:`DATE_ONLY_HOUR` local time and compared by date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

TRUE = frozenset({"true", "1", "yes", "y", "t", "won"})
FALSE = frozenset({"false", "0", "no", "n", "f", "lost", ""})
FIRST_YEAR, LAST_YEAR = 1970, 2100  # a CRM record outside these years is a placeholder (9999) or a typo
DATE_ONLY_HOUR = 12  # a date without a time of day is read at noon: a time every day has, whatever its DST change
RELATIVE = frozenset({"now", "today", "yesterday", "tomorrow", "tonight"})
MONTHS = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b", re.IGNORECASE)

_TIME = (
    r"(?:(?:T|\s+)(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<F>\d{1,9}))?)?\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?)"
)
_OFFSET = r"(?:\s*(?P<z>Z|UTC|GMT)|\s*(?:UTC|GMT)?(?P<sign>[+-])(?P<oh>\d{2})(?::?(?P<om>\d{2}))?)"
SHAPE = re.compile(
    r"^(?:(?P<y1>\d{4})(?P<s1>[-/.])(?P<m1>\d{1,2})(?P=s1)(?P<d1>\d{1,2})"  # year first: 2017-06-14, 2017/06/14
    r"|(?P<a>\d{1,2})(?P<s2>[-/.])(?P<b>\d{1,2})(?P=s2)(?P<y2>\d{4}|\d{2}))"  # day/month first: 14/06/2017
    rf"(?:{_TIME}{_OFFSET}?)?$"
)


@dataclass(frozen=True)
class Problem:
    """One problem of an export: where, how many rows, what was done about it, and a few examples."""

    file: str
    column: str
    rows: int
    problem: str
    action: str
    examples: str = ""  # e.g. "rows 2 ('now'), 7 ('10:00:00 UTC')": file rows, counted from 1 with the header

    def line(self) -> str:
        """The problem as one line for people."""
        rows = f"{self.rows} row{'s' if self.rows != 1 else ''}: " if self.rows else ""
        where = f"column {self.column!r}: " if self.column else ""
        examples = f" ({self.examples})" if self.examples else ""
        return f"{self.file}: {where}{rows}{self.problem}{examples}; {self.action}"

    def as_dict(self) -> dict[str, object]:
        """JSON-safe form (observed.json's ``problems``)."""
        return {
            "file": self.file,
            "column": self.column,
            "rows": self.rows,
            "problem": self.problem,
            "action": self.action,
            "examples": self.examples,
        }


def examples(values: pd.Series, mask: pd.Series, first_row: int = 2, most: int = 3) -> str:
    """A few of the rows picked by ``mask``: their file row numbers (header = row 1) and values."""
    picked = values[mask].head(most)
    shown = ", ".join(
        f"{int(i) + first_row}" + ("" if pd.isna(v) or str(v) == "" else f" ({str(v)[:30]!r})")
        for i, v in picked.items()
    )
    return f"row{'s' if mask.sum() > 1 else ''} {shown}{', ...' if mask.sum() > most else ''}" if len(picked) else ""


class DateOrderError(ValueError):
    """A column whose day/month order cannot be told, or that mixes both orders (the reader names the file)."""


@dataclass(frozen=True)
class TimesRead:
    """A column of timestamps read.

    Attributes:
        times: tz-aware in the company's time zone; NaT where empty or unreadable.
        reasons: why each given value could not be read ("" where it was read or empty).
        date_only: every value read is a date without a time of day, or at local midnight (a spreadsheet's
            date cells), or the map says the column holds dates.
        without_time: values read that had no time of day (read at :data:`DATE_ONLY_HOUR`).
    """

    times: pd.Series
    reasons: pd.Series
    date_only: bool
    without_time: pd.Series


def _text(values: pd.Series) -> pd.Series:
    """Stripped strings ("" where empty), as plain Python strings (not pyarrow-backed: their numbers are NA-typed)."""
    return pd.Series([str(v).strip() if not pd.isna(v) else "" for v in values], index=values.index, dtype=object)


def _extract(text: pd.Series, pattern: re.Pattern[str]) -> pd.DataFrame:
    return text.str.extract(pattern).astype(object).where(lambda f: f.notna(), None)


def _number(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values, errors="coerce").astype(float)


def numeric_order(values: pd.Series) -> tuple[str | None, pd.Series]:
    """What a column's numeric dates (``a/b/yyyy``) say of their day/month order.

    Returns:
        ``"dmy"`` (some first number is over 12), ``"mdy"`` (some second one is), ``"mixed"`` (both:
        the column mixes orders), or None (no value tells); and a mask of the rows that tell (mixed),
        or whose reading the order changes (ambiguous).
    """
    parts = _extract(_text(values), SHAPE)
    a, b = _number(parts["a"]), _number(parts["b"])
    day_first, month_first = (a > 12) & (b <= 12), (b > 12) & (a <= 12)
    if day_first.any() and month_first.any():
        first = (day_first & (day_first.cumsum() == 1)) | (month_first & (month_first.cumsum() == 1))
        return "mixed", first
    if day_first.any():
        return "dmy", day_first
    if month_first.any():
        return "mdy", month_first
    return None, (a != b) & a.notna()


def parse_times(
    values: pd.Series,
    timezone: str,
    dayfirst: bool | None = None,
    fmt: str | None = None,
    date_only: bool = False,
) -> TimesRead:
    """Timestamps from strings: with an offset they keep it, without one they are local time in ``timezone``.

    Args:
        values: the column, as strings.
        timezone: the company's IANA time zone.
        dayfirst: the order of numeric dates (``14/06/2017``): True day first, False month first,
            None told from the column itself (:func:`numeric_order`; DateOrderError if it cannot be).
        fmt: a strptime format that every value follows (``%d-%m-%Y``); then nothing is guessed.
        date_only: the column holds dates without a time of day (any time given is ignored).

    Raises:
        DateOrderError: numeric dates whose order is not declared and cannot be told, or mixed.
    """
    text = _text(values)
    given = text != ""
    naive = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    offset = pd.Series(np.nan, index=values.index)  # minutes east of UTC, where a value gives one
    has_time = pd.Series(False, index=values.index)
    if fmt is not None:
        _by_format(text, given, fmt, naive, offset, has_time)
    else:
        _by_shape(text, given, dayfirst, naive, offset, has_time)
    out_of_range = naive.isna() & _year_out_of_range(text, fmt)
    reasons = pd.Series("", index=values.index, dtype=object)
    low = text.str.lower()
    unread = given & naive.isna()
    reasons[unread] = "not a date"
    reasons[unread & ~text.str.contains(r"\d{4}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2}")] = "no date (a time alone, or text)"
    reasons[unread & low.isin(RELATIVE)] = "a word for the day of the export (now, today), not a date"
    reasons[out_of_range] = f"a year outside {FIRST_YEAR}-{LAST_YEAR} (a placeholder such as 9999)"
    timed = has_time & naive.notna()
    # a column of dates: no value has a time of day, or every one is a local midnight (a spreadsheet's date cells)
    midnights = fmt is None and timed.sum() >= 2 and bool((naive[timed] == naive[timed].dt.normalize()).all())
    date_only = date_only or (naive.notna().any() and (not timed.any() or (midnights and offset[timed].isna().all())))
    without_time = naive.notna() & (~has_time | date_only)
    naive[without_time] = naive[without_time].dt.normalize() + pd.Timedelta(hours=DATE_ONLY_HOUR)
    return TimesRead(_localize(naive, offset, timezone), reasons, date_only, without_time)


def _year_out_of_range(text: pd.Series, fmt: str | None) -> pd.Series:
    """Values whose (four-digit) year is outside FIRST_YEAR-LAST_YEAR: a placeholder such as 9999, or a typo."""
    years = _number(text.str.extract(r"(?<!\d)(\d{4})(?!\d)", expand=False).astype(object))
    return (years < FIRST_YEAR) | (years > LAST_YEAR)


def _localize(naive: pd.Series, offset: pd.Series, timezone: str) -> pd.Series:
    """Naive wall-clock times as tz-aware times in ``timezone``: with an offset, from UTC; else local there."""
    out = pd.Series(pd.NaT, index=naive.index, dtype=f"datetime64[ns, {timezone}]")
    aware = naive.notna() & offset.notna()
    if aware.any():
        utc = naive[aware] - pd.to_timedelta(offset[aware], unit="min")
        out[aware] = utc.dt.tz_localize("UTC").dt.tz_convert(timezone)
    local = naive.notna() & offset.isna()
    if local.any():
        # the hour a clock repeats (autumn) is read as standard time; one it skips (spring) moves forward
        out[local] = naive[local].dt.tz_localize(
            timezone, ambiguous=np.zeros(int(local.sum()), dtype=bool), nonexistent="shift_forward"
        )
    return out


def _by_shape(
    text: pd.Series, given: pd.Series, dayfirst: bool | None, naive: pd.Series, offset: pd.Series, has_time: pd.Series
) -> None:
    parts = _extract(text, SHAPE)
    numeric = parts["a"].notna()
    if numeric.any():
        if dayfirst is None:
            order, rows = numeric_order(text)
            if order == "mixed":
                raise DateOrderError(f"mixes day-first and month-first dates ({examples(text, rows)})")
            if order is None and rows.any():
                raise DateOrderError(f"the day/month order cannot be told ({examples(text, rows)} read either way)")
            dayfirst = order == "dmy"
        day, month = (parts["a"], parts["b"]) if dayfirst else (parts["b"], parts["a"])
        years = parts["y2"].map(lambda y: y if y is None or len(y) == 4 else f"20{y}")  # 14/06/17: 2017
        parts["y1"] = parts["y1"].fillna(years)
        parts["m1"], parts["d1"] = parts["m1"].fillna(month), parts["d1"].fillna(day)
    shaped = parts["y1"].notna()
    shaped &= ~((_number(parts["y1"]) < FIRST_YEAR) | (_number(parts["y1"]) > LAST_YEAR))  # refused by the caller
    if shaped.any():
        p = parts[shaped]
        hour = _number(p["H"]).fillna(0)
        pm, am = p["ampm"].str.lower().str.startswith("p"), p["ampm"].str.lower().str.startswith("a")
        bad_clock = p["ampm"].notna() & ((hour > 12) | (hour == 0))
        hour = hour.where(~(pm.fillna(False) & (hour < 12)), hour + 12).where(~(am.fillna(False) & (hour == 12)), 0)
        iso = (
            p["y1"] + "-" + p["m1"].str.zfill(2) + "-" + p["d1"].str.zfill(2) + " "
            + hour.astype(int).astype(str).str.zfill(2) + ":" + p["M"].fillna("00") + ":" + p["S"].fillna("00")
            + "." + p["F"].fillna("0").str[:6].str.ljust(6, "0")
        )  # fmt: skip
        read = pd.to_datetime(iso.where(~bad_clock), format="%Y-%m-%d %H:%M:%S.%f", errors="coerce")
        naive[shaped] = read
        has_time[shaped] = p["H"].notna()
        sign = p["sign"].map({"+": 1.0, "-": -1.0})
        minutes = sign.astype(float) * (_number(p["oh"]) * 60 + _number(p["om"]).fillna(0))
        offset[shaped] = minutes.where(p["z"].isna(), 0.0).where(p["z"].notna() | p["sign"].notna())
    worded = given & ~shaped & text.str.contains(MONTHS) & text.str.contains(r"\d{4}")
    for i in worded[worded].index:  # "Jun 14, 2017", "Wed, 14 Jun 2017 10:00:00 GMT": few, read one by one
        _by_words(text[i], i, naive, offset, has_time)


def _by_words(value: str, i: object, naive: pd.Series, offset: pd.Series, has_time: pd.Series) -> None:
    try:
        stamp = pd.Timestamp(value)  # dateutil's reading; only values with a month name and a year come here
    except (ValueError, OverflowError):  # OutOfBoundsDatetime is a ValueError
        return
    if pd.isna(stamp) or not FIRST_YEAR <= stamp.year <= LAST_YEAR:
        return  # refused by the caller
    gap = stamp.utcoffset()
    if gap is not None:
        offset[i] = gap.total_seconds() / 60.0
    naive[i] = stamp.tz_localize(None) if stamp.tzinfo is not None else stamp
    has_time[i] = bool(re.search(r"\d:\d\d", value))


def _by_format(
    text: pd.Series, given: pd.Series, fmt: str, naive: pd.Series, offset: pd.Series, has_time: pd.Series
) -> None:
    aware = "%z" in fmt or "%Z" in fmt
    part = text[given]
    part = part[~_year_out_of_range(part, fmt)]
    if aware:
        read = pd.to_datetime(part, format=fmt, errors="coerce", utc=True)
        naive[part.index] = read.dt.tz_localize(None)
        offset[part.index] = np.where(read.notna(), 0.0, np.nan)
    else:
        naive[part.index] = pd.to_datetime(part, format=fmt, errors="coerce")
    has_time[given] = any(code in fmt for code in ("%H", "%I", "%M", "%X", "%c", "%T", "%R"))


def parse_truth(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """True/false flags from strings (true, 1, yes, won / false, 0, no, lost); and a mask of values that are neither."""
    text = values.astype("string").str.strip().str.lower().fillna("")
    truth = pd.Series(pd.NA, index=values.index, dtype="boolean")
    truth[text.isin(TRUE)] = True
    truth[text.isin(FALSE) & (text != "")] = False
    return truth, (text != "") & truth.isna()


_CURRENCY = r"(?:[$€£¥₹]|R\$|US\$|\b(?:USD|EUR|GBP|BRL|CHF|JPY|INR|CAD|AUD)\b)"
_POINT = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")  # 1,234.56 or 1234.56
_COMMA = re.compile(r"^(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?$")  # 1.234,56 or 1234,56


class AmountError(ValueError):
    """A column whose decimal mark cannot be told, or that mixes both (the reader names the file)."""


def parse_amounts(values: pd.Series, decimal: str | None = None) -> tuple[pd.Series, pd.Series]:
    """Amounts from strings: currency signs and spaces dropped, thousands separators by the decimal mark.

    Args:
        values: the column, as strings.
        decimal: "." (``1,234.56``) or "," (``1.234,56``); None: "." unless the column says otherwise,
            and AmountError where it cannot be told (only decimal commas, or only ``1.234``-like values).

    Returns:
        The amounts (NaN where empty or unreadable; negative amounts kept, for the reader to refuse)
        and why each given value could not be read ("" where read or empty).
    """
    text = _text(values)
    bare = text.str.replace(_CURRENCY, "", regex=True).str.replace(r"[\s\u00a0\u202f']", "", regex=True)
    negative = bare.str.match(r"^(?:-|\(.*\)$)")
    bare = bare.str.replace(r"^-|^\(|\)$", "", regex=True)
    point, comma = bare.str.match(_POINT), bare.str.match(_COMMA)
    if decimal is None:
        only_comma, only_point = comma & ~point, point & ~comma
        if only_comma.any() and only_point.any():
            raise AmountError(f"mixes decimal points and decimal commas ({examples(text, only_comma | only_point)})")
        thousands_dot = bare.str.match(r"^\d{1,3}(?:\.\d{3})+$")
        if only_comma.any() or (thousands_dot.any() and not only_point.any()):
            why = only_comma if only_comma.any() else thousands_dot
            raise AmountError(
                f"the decimal mark cannot be told ({examples(text, why)}: a decimal comma, or a dot between thousands?)"
            )
        decimal = "."
    ok = point if decimal == "." else comma
    if decimal == ".":
        number = bare.str.replace(",", "", regex=False)
    else:
        number = bare.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    amounts = pd.to_numeric(number.where(ok & (text != "")), errors="coerce").astype(float)
    amounts[negative & amounts.notna()] *= -1.0
    reasons = pd.Series("", index=values.index, dtype=object)
    reasons[(text != "") & amounts.isna()] = f"amounts that are not numbers (decimal mark {decimal!r})"
    return amounts, reasons
