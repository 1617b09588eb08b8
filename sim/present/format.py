"""One formatter per unit: how a value reads in the CLI tables, the report, the figures and the dashboard.

Dollars read ``$1.23M``, ``$456k``, ``$789`` (``-$1.23M`` below zero); shares
as percentages (``12.3%``) and a share's change in percentage points
(``+2.1 pp``); counts as whole numbers with thousands separators; hours with
``h``; satisfaction points with one decimal; ratios with ``x``; months with one decimal; scores to three
significant digits. Each formatter has a signed form (``+$1.20M``) and an
axis-tick form (``$1.5M``, trailing zeros dropped), all from the same function.
None, NaN and infinities read ``n/a``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from sim.measure.kpis import Unit, kpi

if TYPE_CHECKING:
    from matplotlib.ticker import FuncFormatter

NA = "n/a"
# A change's unit where it differs from the value's: a share moves in percentage points.
CHANGE_UNITS: dict[str, str] = {"share": "pp"}
# (size, suffix, decimals), largest first; a tick shows one decimal more, trailing zeros dropped.
_DOLLAR_SCALES = ((1e9, "B", 2), (1e6, "M", 2), (1e3, "k", 0), (1.0, "", 0))


def _trim(digits: str) -> str:
    return digits.rstrip("0").rstrip(".") if "." in digits else digits


def _dollars(x: float, tick: bool) -> str:
    # The scale is the largest the value reaches, or the next one up where rounding shows 1,000 of it
    # ($999,999 reads $1.00M, not $1,000k).
    i = next(i for i, (size, _, _) in enumerate(_DOLLAR_SCALES) if x >= size or size == 1.0)
    size, suffix, decimals = _DOLLAR_SCALES[i]
    digits = f"{x / size:,.{decimals + tick}f}"
    if i > 0 and float(digits.replace(",", "")) >= 1000:
        size, suffix, decimals = _DOLLAR_SCALES[i - 1]
        digits = f"{x / size:,.{decimals + tick}f}"
    return f"${_trim(digits) if tick else digits}{suffix}"


def _number(x: float, tick: bool) -> str:
    """Three significant digits, never in e-notation; whole numbers with separators from 100 up."""
    if x == 0 or x >= 100:
        return f"{x:,.0f}"
    decimals = max(0, 2 - math.floor(math.log10(x)))
    digits = f"{x:.{decimals}f}"
    return _trim(digits) if tick else digits


def _fixed(decimals: int, suffix: str = "", scale: float = 1.0) -> Callable[[float, bool], str]:
    def show(x: float, tick: bool) -> str:
        digits = f"{x * scale:,.{decimals}f}"
        return f"{_trim(digits) if tick else digits}{suffix}"

    return show


# Unit -> formatter of a magnitude (x >= 0, finite); the sign and n/a are added by format_value.
FORMATTERS: dict[str, Callable[[float, bool], str]] = {
    "dollars": _dollars,
    "share": _fixed(1, "%", 100.0),
    "pp": _fixed(1, " pp", 100.0),
    "count": _fixed(0),
    "hours": lambda x, tick: f"{_number(x, tick)} h",
    "points": _fixed(1),
    "ratio": _fixed(2, "x"),
    "months": _fixed(1, " months"),
    "score": _number,
}


def format_value(unit: Unit | str, value: float | None, *, signed: bool = False, tick: bool = False) -> str:
    """A value in its unit's format.

    Args:
        unit: one of ``sim.measure.kpis.UNITS``, or "pp" (percentage points, a share's change).
        value: the number; None, NaN and infinities read "n/a".
        signed: show "+" before a positive value (a change); zero as shown carries no sign.
        tick: the axis-tick form: as precise as a tick needs, trailing zeros dropped.
    """
    if value is None or not math.isfinite(value):
        return NA
    text = FORMATTERS[unit](abs(float(value)), tick)
    if "inf" in text:  # finite, but beyond a float once scaled (e.g. 1e307 as a percentage)
        return NA
    if not any(c in "123456789" for c in text.split(" ")[0]):  # shows as zero: no sign
        return text
    if value < 0:
        return f"-{text}"
    return f"+{text}" if signed else text


def dollars(value: float | None, *, signed: bool = False) -> str:
    """Dollars as people read them: $1.23M, $456k, $789, -$1.23M (``signed``: +$1.20M)."""
    return format_value("dollars", value, signed=signed)


def format_kpi(name: str, value: float | None) -> str:
    """A KPI's value in its unit: ``format_kpi("revenue", 1.234e6) == "$1.23M"``."""
    return format_value(kpi(name).unit, value)


def change_unit(name: str) -> str:
    """The unit a KPI's change is shown in (a share's in percentage points)."""
    unit = kpi(name).unit
    return CHANGE_UNITS.get(unit, unit)


def format_change(name: str, delta: float | None) -> str:
    """A KPI's change, signed: ``+$1.20M``, ``-3``, ``+2.1 pp`` for a share."""
    return format_value(change_unit(name), delta, signed=True)


# The values a unit can take: an interval of a mean is clipped to them (a count's is never below zero).
UNIT_RANGES: dict[str, tuple[float, float]] = {
    "count": (0.0, math.inf), "hours": (0.0, math.inf), "months": (0.0, math.inf), "share": (0.0, 1.0),
    "points": (0.0, 100.0),
}  # fmt: skip


def _finite(x: float | None) -> bool:
    return x is not None and math.isfinite(x)


def format_interval(name: str, low: float | None, high: float | None, *, change: bool = False) -> str:
    """``[low, high]`` of a KPI's value, or of its change (signed) with ``change``; "" when there is none.

    A value's interval is clipped to what the unit allows (no count below zero, no share above 100%).
    """
    if not _finite(low) and not _finite(high):
        return ""
    if change:
        return f"[{format_change(name, low)}, {format_change(name, high)}]"
    lo, hi = UNIT_RANGES.get(kpi(name).unit, (-math.inf, math.inf))
    low = None if low is None else min(max(low, lo), hi)
    high = None if high is None else min(max(high, lo), hi)
    return f"[{format_kpi(name, low)}, {format_kpi(name, high)}]"


def format_change_interval(name: str, delta: float | None, low: float | None, high: float | None) -> str:
    """A change with its interval: ``+$1.20M [+$0.80M, +$1.60M]`` (``n/a`` alone when there is no change)."""
    if not _finite(delta):
        return NA
    interval = format_interval(name, low, high, change=True)
    return f"{format_change(name, delta)} {interval}".rstrip()


def tick_formatter(unit: Unit | str, *, signed: bool = False) -> FuncFormatter:
    """A matplotlib tick formatter for a unit, from the same formatter as the text."""
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda x, _pos=None: format_value(unit, x, signed=signed, tick=True))


def axis_formatter(name: str, *, change: bool = False) -> FuncFormatter:
    """Tick formatter for an axis of a KPI's values, or of its (signed) changes."""
    if change:
        return tick_formatter(change_unit(name), signed=True)
    return tick_formatter(kpi(name).unit)


def heading(text: str) -> str:
    """A label as a heading: its first letter capitalised, the rest as written (``ROI`` stays)."""
    return text[:1].upper() + text[1:]


def column_formatter(name: str, values: list[float]) -> tuple[Callable[[float | None], str], str]:
    """A formatter of a KPI's changes in one unit for a whole column, and the unit's words for its heading.

    Dollars all read in $M (the column reaches a million) or all in $k, so ``-$888`` and
    ``+$12k`` in one column read ``-$0.9k`` and ``+$12.0k``; other units read as :func:`format_change`.
    """
    unit = change_unit(name)
    if unit != "dollars":
        return (lambda v: format_change(name, v)), COLUMN_UNITS.get(unit, unit)
    finite = [abs(v) for v in values if v is not None and math.isfinite(v)]
    top = max(finite, default=0.0)
    size, suffix = (1e6, "M") if top >= 1e6 else (1e3, "k")
    decimals = 2 if suffix == "M" else (0 if top >= 10e3 else 1)

    def show(v: float | None) -> str:
        if v is None or not math.isfinite(v):
            return NA
        digits = f"{abs(v) / size:,.{decimals}f}"
        if not any(c in "123456789" for c in digits):
            return f"${digits}{suffix}"
        return f"{'-' if v < 0 else '+'}${digits}{suffix}"

    return show, f"${suffix}"


# A column's unit in words, where the unit's key is not what a reader reads.
COLUMN_UNITS = {"points": "points", "pp": "percentage points", "count": "count", "hours": "hours", "ratio": "x",
                "share": "%", "months": "months", "score": ""}  # fmt: skip
