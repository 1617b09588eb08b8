"""The one-page HTML report a consultant can send: self-contained, opens offline.

Rendered with Jinja2 from ``sim/templates/report.html.j2``; figures are
embedded as base64 PNGs, so the file needs nothing else.
"""

from __future__ import annotations

import base64
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2

from sim.experiments.compare import Comparison, lever_differences
from sim.experiments.files import atomic_write
from sim.experiments.runs import versions
from sim.measure.summary import UNITS, kpi_label

REPORT_KPIS = (
    "revenue",
    "profit",
    "cost_of_sales",
    "roi",
    "deals_won",
    "win_rate",
    "prospect_satisfaction",
    "share_dissatisfied",
    "median_response_hours",
    "leads_qualified",
    "leads_handed_off",
    "leads_rejected",
    "leads_ignored",
    "repeat_question_rate",
    "mean_discount",
    "field_hours_wasted",
)

# +1: more is better for the business or the prospect; -1: less is better.
GOOD_DIRECTION = {
    "revenue": 1, "profit": 1, "roi": 1, "deals_won": 1, "win_rate": 1, "margin": 1,
    "prospect_satisfaction": 1, "share_dissatisfied": -1, "median_response_hours": -1,
    "leads_rejected": -1, "leads_ignored": -1, "repeat_question_rate": -1, "cost_of_sales": -1,
    "field_hours_wasted": -1, "mean_discount": -1, "share_responded_within_1h": 1,
}  # fmt: skip

LEVER_NAMES = {
    "organization.structure": "teams",
    "organization.management": "managers",
    "organization.inside_reports_to": "inside sales reports to",
    "organization.inside_reps": "inside reps",
    "organization.field_teams": "field teams",
    "organization.inside_shared_across_teams": "inside team shared across field teams",
    "qualification.standard_set_by": "qualified-lead standard set by",
    "handoff.mode": "handoff",
    "handoff.routing": "routing of leads to field reps",
    "handoff.sla_hours": "follow-up SLA (working hours)",
    "handoff.sla_enforced": "SLA enforced",
    "handoff.acceptance_stage": "field must accept or reject each lead",
    "feedback.mode": "feedback from field to inside",
    "feedback.interval_days": "feedback interval (days)",
    "compensation.inside": "inside reps paid",
    "compensation.field": "field reps paid on",
    "training.owner": "inside training by",
    "training.focus": "training focus",
    "market.inbound_leads_per_day": "inbound inquiries per day",
}

CAPTIONS = {
    "kpi_deltas": "Change of each KPI against the baseline, paired by replication, with 95% intervals.",
    "revenue_over_time": "Cumulative revenue over the working year: median line, band from 5% to 95% of replications.",
    "funnel": "Inbound and outbound leads at each stage (mean per year, log scale) and the conversion between stages.",
    "satisfaction": "How prospects feel at the end of the year (0-100, 50 neutral); 40 or less counts as dissatisfied.",
    "response_times": "Time from an inquiry to the first attempt to reach the prospect (working time).",
}


def format_value(kpi: str, value: float) -> str:
    """A KPI value for people: dollars, percentages or plain numbers."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    unit = UNITS.get(kpi, "")
    if unit == "$":
        return f"${value / 1e6:,.2f}M" if abs(value) >= 1e6 else f"${value / 1e3:,.0f}k"
    if unit == "share":
        return f"{100 * value:.1f}%"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def _signed(kpi: str, value: float) -> str:
    text = format_value(kpi, abs(value))
    return ("+" if value >= 0 else "-") + text


def describe_lever(key: str, old: Any, new: Any) -> str:
    """One lever difference in words."""

    def show(v: Any) -> str:
        if isinstance(v, list):
            return ", ".join(f"{t['name']} ({t['field_reps']} reps)" for t in v)
        if isinstance(v, bool):
            return "yes" if v else "no"
        return str(v).replace("_", " ")

    name = LEVER_NAMES.get(key, key.replace("_", " "))
    return f"{name}: {show(old)} → {show(new)}"


def signed_interval(kpi: str, value: float, low: float, high: float) -> str:
    """``+x [+lo, +hi]`` in the KPI's units."""
    return f"{_signed(kpi, value)} [{_signed(kpi, low)}, {_signed(kpi, high)}]"


def _kpi_rows(comparison: Comparison) -> list[dict[str, Any]]:
    table = comparison.table.set_index(["scenario", "kpi"])
    rows = []
    for kpi in REPORT_KPIS:
        cells = []
        for i, name in enumerate(comparison.names):
            r = table.loc[(name, kpi)]
            cell = {
                "value": format_value(kpi, r["mean"]),
                "ci": f"[{format_value(kpi, r['ci_low'])}, {format_value(kpi, r['ci_high'])}]",
                "delta": "",
                "css": "flat",
            }
            if i > 0:
                cell["delta"] = signed_interval(kpi, r["delta"], r["delta_ci_low"], r["delta_ci_high"])
                significant = r["delta_ci_low"] > 0 or r["delta_ci_high"] < 0
                good = GOOD_DIRECTION.get(kpi, 0) * (1 if r["delta"] > 0 else -1)
                cell["css"] = "flat" if not significant or not good else ("up" if good > 0 else "down")
            cells.append(cell)
        rows.append({"label": kpi_label(kpi), "cells": cells})
    return rows


def _findings(comparison: Comparison) -> list[str]:
    table = comparison.table.set_index(["scenario", "kpi"])
    base = comparison.names[0]
    lines = []
    for name in comparison.names[1:]:
        parts = []
        for kpi in ("revenue", "profit", "prospect_satisfaction"):
            r = table.loc[(name, kpi)]
            sure = r["delta_ci_low"] > 0 or r["delta_ci_high"] < 0
            parts.append(
                f"{kpi.replace('_', ' ')} {_signed(kpi, r['delta'])} "
                f"(95% interval {_signed(kpi, r['delta_ci_low'])} to {_signed(kpi, r['delta_ci_high'])}"
                f"{'' if sure else ', not distinguishable from zero'})"
            )
        lines.append(f"{name} against {base}: " + "; ".join(parts) + ".")
    if comparison.explanation is not None:
        t = comparison.explanation.table
        levers = t[(t["kpi"] == "revenue") & ~t["lever"].isin(["all levers together", "interaction"])]
        top = levers.reindex(levers["effect"].abs().sort_values(ascending=False).index).iloc[0]
        pair = f"{comparison.explanation.base.name} from {comparison.explanation.target.name}"
        change = f"{top['lever']} ({top['base_value']} → {top['target_value']})"
        lines.append(
            f"Of the levers that separate {pair}, {change} moves revenue the most on its own: "
            f"{_signed('revenue', top['effect'])} a year."
        )
    return lines


def _explanation_context(comparison: Comparison, figures: dict[str, Path]) -> dict[str, Any] | None:
    explanation = comparison.explanation
    if explanation is None:
        return None
    t = explanation.table
    kpis = list(dict.fromkeys(t["kpi"]))
    rows = []
    for lever in dict.fromkeys(t["lever"]):
        part = t[t["lever"] == lever].set_index("kpi")
        first = part.iloc[0]
        change = f"{first['base_value']} → {first['target_value']}" if first["base_value"] != "" else ""
        cells = [signed_interval(k, *part.loc[k, ["effect", "ci_low", "ci_high"]]) for k in kpis]
        rows.append({"lever": lever, "change": change, "cells": cells})
    figure = figures.get("tornado")
    return {
        "base": explanation.base.name,
        "target": explanation.target.name,
        "kpis": kpis,
        "rows": rows,
        "figure": _b64(figure) if figure else None,
    }


def _b64(path: Path) -> str:
    return base64.b64encode(path.read_bytes()).decode("ascii")


def render(comparison: Comparison, figures: dict[str, Path], command: str) -> str:
    """The report as one HTML string."""
    base = comparison.scenarios[0]
    scenarios = [
        {
            "name": s.name,
            "description": " ".join(s.description.split()),
            "differences": [describe_lever(*d) for d in lever_differences(base, s)] if i else [],
        }
        for i, s in enumerate(comparison.scenarios)
    ]
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("sim.present", "templates"),  # package data, from any install
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template("report.html.j2").render(
        title=" vs ".join(comparison.names),
        scenarios=scenarios,
        n=comparison.n,
        days=comparison.scenarios[0].simulation.days,
        findings=_findings(comparison),
        kpi_rows=_kpi_rows(comparison),
        figures=[
            {"title": name, "caption": CAPTIONS[name], "data": _b64(path)}
            for name, path in figures.items()
            if name in CAPTIONS
        ],
        explanation=_explanation_context(comparison, figures),
        seed=comparison.seed,
        seeds=comparison.seeds,
        versions=versions(),
        command=command,
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )


def write_report(comparison: Comparison, figures: dict[str, Path], path: Path, command: str) -> Path:
    """Render and write report.html atomically."""
    html = render(comparison, figures, command)
    atomic_write(path, lambda tmp: tmp.write_text(html, encoding="utf-8"))
    return path


def write_comparison(comparison: Comparison, folder: Path, command: str) -> Path:
    """Write comparison.csv, replications.csv, figures/*.png and report.html; return the report."""
    from sim.present.figures import comparison_figures

    folder.mkdir(parents=True, exist_ok=True)
    atomic_write(folder / "comparison.csv", lambda tmp: comparison.table.to_csv(tmp, index=False))
    atomic_write(folder / "replications.csv", lambda tmp: comparison.replications.to_csv(tmp, index=False))
    if comparison.explanation is not None:
        table = comparison.explanation.table
        atomic_write(folder / "explain.csv", lambda tmp: table.to_csv(tmp, index=False))
    figures = comparison_figures(comparison, folder / "figures")
    return write_report(comparison, figures, folder / "report.html", command)
