"""The plain-text tables the command line prints, in the units of ``sim.present.format``."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import pandas as pd

from sim.experiments.compare import Comparison
from sim.measure.kpis import COMPARISON_KPIS, KPI_NAMES, kpi
from sim.present.format import format_change, format_change_interval, format_interval, format_kpi, format_value
from sim.present.names import heading_label, label

if TYPE_CHECKING:
    from sim.experiments.uncertainty import Uncertainty


def kpi_table(columns: Mapping[str, Mapping[str, float]], kpis: Iterable[str] = KPI_NAMES) -> str:
    """Every KPI (a row) of one or more runs (a column each, by name)."""
    names, kpis = list(columns), list(kpis)
    labels = {name: kpi(name).label for name in kpis}
    width = max(map(len, labels.values())) + 2
    col = max(14, *(len(n) + 2 for n in names))
    lines = ["KPI".ljust(width) + "".join(n.rjust(col) for n in names)]
    for name, text in labels.items():
        lines.append(text.ljust(width) + "".join(format_kpi(name, columns[n].get(name)).rjust(col) for n in names))
    return "\n".join(lines)


def comparison_table(comparison: Comparison, kpis: Iterable[str] = COMPARISON_KPIS) -> str:
    """Means with intervals, and the paired change against the first scenario, named in a header.

    The change is also given in percent where the KPI is never negative (``delta_pct``).
    """
    table = comparison.table.set_index(["scenario", "kpi"])
    width = max(len(n) for n in comparison.names) + 2
    base = comparison.names[0]
    lines = [
        f"Each scenario against {base} (the baseline), on the same {comparison.n} markets: the mean "
        f"[95% interval], then the change from {base} [95% interval of the paired difference]"
    ]
    for name in kpis:
        lines.append(heading_label(name))
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


GROUPS = (
    ("fit", "Fitted (in the calibration's distance)"),
    ("holdout", "Held out (validation: never fitted)"),
)


def _calibration_row(row, width: int) -> str:
    """One statistic: its band, the model with its interval, the verdict and the source."""
    # the statistics are shares (their band lies within 0-1) or plain numbers (ratios, days, dollars)
    unit = "share" if row.high <= 1.0 else "score"
    top = 1.0 if unit == "share" else math.inf  # every statistic is a share, a rate, a ratio or days: never below 0
    low, high = (min(max(v, 0.0), top) for v in (row.ci_low, row.ci_high))
    bounded = math.isfinite(low) and math.isfinite(high)
    span = f"[{format_value(unit, low)}, {format_value(unit, high)}]" if bounded else "(too few runs)"
    interval = "not measured" if pd.isna(row.model) else f"{format_value(unit, row.model)} {span}"
    band = f"{format_value(unit, row.low)}-{format_value(unit, row.high)}"
    verdict = {"inside": "yes", "outside": "NO"}.get(row.status, "n/a")
    note = f"  ({row.note})" if row.note and verdict != "yes" else ""
    return f"{row.fact.ljust(width)}{row.published:>28}{band:>18}{interval:>34}  {verdict:>6}  {row.source}{note}"


def calibration_table(table: pd.DataFrame) -> str:
    """The published facts against the model (``salesim check-calibration``): fitted, held out, and the rest apart.

    Each group ends with its share inside the published band; statistics not measured or not
    comparable are listed apart and never counted.
    """
    width = max(map(len, table["fact"])) + 2
    header = f"{'fact'.ljust(width)}{'published':>28}{'band':>18}{'model (95% interval)':>34}  inside  source"
    counted = table["status"].isin(["inside", "outside"])
    blocks = []
    for key, title in GROUPS:
        part = table[counted & (table["role"] == key)]
        if not len(part):
            continue
        inside = int((part["status"] == "inside").sum())
        lines = [f"{title}: {inside} of {len(part)} inside their published band ({inside / len(part):.0%})", header]
        lines += [_calibration_row(row, width) for row in part.itertuples()]
        blocks.append("\n".join(lines))
    apart = table[~counted]
    if len(apart):
        lines = ["Not counted (not measured by this model, or not like with like):", header]
        lines += [_calibration_row(row, width) for row in apart.itertuples()]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def uncertainty_lines(study: Uncertainty, kpis: Iterable[str] = ("revenue", "profit", "prospect_satisfaction")) -> str:
    """Each arm's gain across the assumption sets, and what it depends on most (when the sets can tell)."""
    from sim.config.params import PARAM_INFO
    from sim.experiments.uncertainty import can_rank, ranking_sentence

    table = study.table.set_index(["scenario", "kpi"])
    base = study.names[0]
    sets = int(table["sets"].max()) if len(table) else 0
    lines = [
        f"Across {sets} assumption sets (Latin hypercube over the plausible ranges, x{study.scale:g}; "
        f"{study.n} replications each on the same markets):"
    ]
    for name in study.names[1:]:
        lines.append(f"  {name} against {base}:")
        for k in kpis:
            r = table.loc[(name, k)]
            lines.append(
                f"    {label(k)}: median {format_change(k, r['median'])} "
                f"(P10 {format_change(k, r['p10'])}, P90 {format_change(k, r['p90'])}), "
                f"positive in {r['p_positive']:.0%} of sets"
            )
        if not can_rank(study):
            continue  # one sentence below, not a ranking of noise
        top = study.ranking[(study.ranking["scenario"] == name) & (study.ranking["kpi"] == "revenue")]
        top = top[top["beyond_noise"]].head(3)
        if len(top):
            words = ", ".join(
                f"{row.assumption} ({PARAM_INFO[row.assumption].unit if row.assumption in PARAM_INFO else 'x'}, "
                f"rho {row.spearman_rho:+.2f})"
                for row in top.itertuples()
            )
            lines.append(f"    the revenue gain depends most on: {words} (Spearman rank correlation)")
        else:
            lines.append("    no assumption's correlation with the revenue gain is told apart from noise")
    if not can_rank(study):
        lines.append("  " + ranking_sentence(study))
    if study.failed:
        lines.append(f"  {len(study.failed)} assumption sets left out: a run failed in them (see manifest.json)")
    return "\n".join(lines)


def vary_table(best: pd.DataFrame, kpi_name: str, key: str, base: str) -> str:
    """What each value of ``--vary`` is worth against the base, the best and those not told apart marked.

    A value not told apart from the best says about how many replications would tell them apart.
    """
    lines = [f"{heading_label(kpi_name)} by {key} (change against {base}, paired; * best, = not told apart from it):"]
    names = {s: f"{s} (its own {key.rsplit('.', 1)[-1]})" if s == base else s for s in best["scenario"]}
    width = max(len(s) for s in names.values()) + 2
    for r in best.itertuples():
        mark = "*" if r.best else "=" if r.among_best else " "
        change = format_change_interval(kpi_name, r.delta, r.delta_ci_low, r.delta_ci_high)
        line = f"  {mark} {names[r.scenario].ljust(width)}{format_kpi(kpi_name, r.mean):>12}   change {change}"
        lines.append(line + _separate(getattr(r, "replications_to_separate", math.nan)))
    return "\n".join(lines)


def _separate(n: float) -> str:
    """How many replications would tell a tied value from the best, in words."""
    if math.isnan(n):
        return ""
    if math.isinf(n):
        return "   (the same runs: no number of replications separates them)"
    return f"   (about {n:,.0f} replications would tell it from the best)"


def mechanisms_table(table: pd.DataFrame, kpis: tuple[str, ...] = ("revenue", "profit")) -> str:
    """mechanisms.csv as people read it: each lever, then the parameters it acts through, largest first."""
    blocks = []
    for (lever, name), part in table[table["kpi"].isin(kpis)].groupby(["lever", "kpi"], sort=False):
        whole = part[part["parameter"] == "the lever (all of them)"].iloc[0]
        rest = part[part["parameter"] != "the lever (all of them)"]
        rest = rest.reindex(rest["effect"].abs().sort_values(ascending=False).index)
        total = format_change_interval(name, whole.effect, whole.ci_low, whole.ci_high)
        lines = [f"{lever}, {label(name)}: {total} in all; through each parameter alone:"]
        for r in rest.itertuples():
            change = f"{r.base_value} -> {r.target_value}" if r.base_value != "" else ""
            share = f" ({r.share_of_lever:.0%})" if math.isfinite(r.share_of_lever) else ""
            effect = format_change_interval(name, r.effect, r.ci_low, r.ci_high)
            lines.append(f"  {str(r.parameter).ljust(28)}{change.ljust(18)}{effect}{share}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def steps_table(steps: pd.DataFrame, kpi_name: str = "profit") -> str:
    """steps.csv as people read it: each dated step of a timeline once those before it are in place."""
    part = steps[steps["kpi"] == kpi_name]
    lines = [f"{heading_label(kpi_name)}, the timeline step by step (each once the steps before it are in place):"]
    for r in part.itertuples():
        effect = format_change_interval(kpi_name, r.effect, r.ci_low, r.ci_high)
        so_far = format_change_interval(kpi_name, r.so_far, r.so_far_ci_low, r.so_far_ci_high)
        lines.append(f"  step {r.step}, day {r.day} ({r.changes}): {effect}; so far {so_far}")
    return "\n".join(lines)


def explain_table(table: pd.DataFrame) -> str:
    """explain.csv as people read it: per KPI, the levers by the size of their effect, in the KPI's unit."""
    totals = ("all levers together", "interaction")
    blocks = []
    for name, part in table.groupby("kpi", sort=False):
        levers = part[~part["lever"].isin(totals)]
        levers = levers.reindex(levers["effect"].abs().sort_values(ascending=False).index)
        rows = [*levers.itertuples(), *part[part["lever"].isin(totals)].itertuples()]
        width = max(len(str(r.lever)) for r in rows) + 2
        values = max(len(f"{r.base_value} -> {r.target_value}") for r in rows) + 2
        lines = [f"{heading_label(name)}: effect of each lever switched alone (paired, 95% interval)"]
        for r in rows:
            change = f"{r.base_value} -> {r.target_value}" if r.lever != "interaction" else ""
            effect = format_change_interval(name, r.effect, r.ci_low, r.ci_high)
            lines.append(f"  {str(r.lever).ljust(width)}{change.ljust(values)}{effect}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
