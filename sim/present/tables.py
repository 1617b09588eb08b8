"""The plain-text tables the command line prints, in the units of ``sim.present.format``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from sim.experiments.compare import Comparison
from sim.measure.kpis import COMPARISON_KPIS, KPI_NAMES, kpi
from sim.present.format import format_change_interval, format_interval, format_kpi, format_value


def kpi_table(columns: Mapping[str, Mapping[str, float]], kpis: Iterable[str] = KPI_NAMES) -> str:
    """Every KPI (a row) of one or more runs (a column each, by name)."""
    names, kpis = list(columns), list(kpis)
    labels = {name: kpi(name).label for name in kpis}
    width = max(map(len, labels.values())) + 2
    col = max(14, *(len(n) + 2 for n in names))
    lines = ["KPI".ljust(width) + "".join(n.rjust(col) for n in names)]
    for name, label in labels.items():
        lines.append(label.ljust(width) + "".join(format_kpi(name, columns[n].get(name)).rjust(col) for n in names))
    return "\n".join(lines)


def comparison_table(comparison: Comparison, kpis: Iterable[str] = COMPARISON_KPIS) -> str:
    """Means with intervals, and the paired change against the first scenario."""
    table = comparison.table.set_index(["scenario", "kpi"])
    width = max(len(n) for n in comparison.names) + 2
    lines = []
    for name in kpis:
        lines.append(kpi(name).label)
        for scenario in comparison.names:
            r = table.loc[(scenario, name)]
            text = f"  {scenario.ljust(width)}{format_kpi(name, r['mean']):>12}  "
            text += format_interval(name, r["ci_low"], r["ci_high"])
            if scenario != comparison.names[0]:
                change = format_change_interval(name, r["delta"], r["delta_ci_low"], r["delta_ci_high"])
                pct = "" if pd.isna(r["delta_pct"]) else f" ({r['delta_pct']:+.1f}%)"
                text += f"   change {change}{pct}"
            lines.append(text)
    return "\n".join(lines)


def calibration_table(table: pd.DataFrame) -> str:
    """The published facts against the model (``salesim check-calibration``)."""
    width = max(map(len, table["fact"])) + 2
    lines = [f"{'fact'.ljust(width)}{'published':>28}{'model (95% interval)':>34}  inside  source"]
    for row in table.itertuples():
        # the facts are shares (their range lies within 0-1) or plain numbers (ratios, days, rates)
        unit = "share" if row.high <= 1.0 else "score"
        show = [format_value(unit, v) for v in (row.model, row.ci_low, row.ci_high)]
        interval = f"{show[0]} [{show[1]}, {show[2]}]"
        verdict = "n/a" if row.inside is None else "yes" if row.inside else "NO"
        note = f"  ({row.note})" if row.note and not row.inside else ""
        lines.append(f"{row.fact.ljust(width)}{row.published:>28}{interval:>34}  {verdict:>6}  {row.source}{note}")
    return "\n".join(lines)
