"""The behaviour parameters of a run as a table for people: value, unit, plausible range and source.

``salesim show`` prints it under the resolved scenario. Each row is one
:class:`~sim.config.params.Params` field with its metadata from
:data:`~sim.config.params.PARAM_INFO`; a mark flags every value the scenario
moved away from the default (through its levers, its market or ``behavior:``).
"""

from __future__ import annotations

import textwrap
from typing import Any

from sim.config.params import PARAM_INFO, UNITS, Params, format_number

MARK = "*"
LEGEND = f"{MARK} = set by the scenario's levers or behavior: (differs from the default, Params())"
SIGNIFICANT = 4  # digits a value is shown with: enough to tell settings apart, short enough to read


def format_param(value: Any) -> str:
    """A parameter's value rounded for reading: 4 significant digits, thousands separated.

    Examples: 0.18, -1.83, 2.1, 294, 65,000, per_lead, yes.
    """
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value
    rounded = float(f"{value:.{SIGNIFICANT}g}")
    if abs(rounded) >= 1e4 and rounded == int(rounded):
        return f"{int(rounded):,}"
    return format_number(rounded)


def _plausible(low: float | None, high: float | None) -> str:
    return "" if low is None else f"{format_param(low)} to {format_param(high)}"


def params_table(params: Params, defaults: Params | None = None, prefix: str = "") -> str:
    """Every behaviour parameter of ``params``, one row each, marking those that differ from ``defaults``.

    Args:
        params: the parameters of a run (e.g. ``derive(scenario)``).
        defaults: what "unchanged" means (default: ``Params()``).
        prefix: put before every line (``"# "`` keeps the table a YAML comment).

    Returns:
        The table with a header, the mark's legend and the units used, as text.
    """
    defaults = Params() if defaults is None else defaults
    header = ("", "parameter", "value", "unit", "plausible", "source")
    rows = []
    for name, info in PARAM_INFO.items():
        value = getattr(params, name)
        mark = MARK if value != getattr(defaults, name) else ""
        rows.append((mark, name, format_param(value), info.unit, _plausible(info.low, info.high), info.source))
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header) - 1)]

    def line(row: tuple[str, ...]) -> str:
        mark, name, value, unit, plausible, source = row
        cells = (mark.ljust(widths[0]), name.ljust(widths[1]), value.rjust(widths[2]))
        rest = (unit.ljust(widths[3]), plausible.ljust(widths[4]), source)
        return f"{prefix}{' '.join(cells)}  {'  '.join(rest)}".rstrip()

    used = dict.fromkeys(info.unit for info in PARAM_INFO.values())
    units = "; ".join(f"{unit} = {UNITS[unit][0]}" for unit in used)
    units_lines = textwrap.wrap(f"units: {units}", width=100, initial_indent=prefix, subsequent_indent=prefix + "  ")
    return "\n".join([f"{prefix}behaviour parameters", prefix + LEGEND, line(header), *map(line, rows), *units_lines])
