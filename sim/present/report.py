"""The one-page HTML report a consultant can send: self-contained, opens offline.

Rendered with Jinja2 from ``sim/templates/report.html.j2``; figures are
embedded as base64 PNGs, so the file needs nothing else.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2

from sim.config.labels import describe_lever
from sim.experiments.compare import Comparison, lever_differences
from sim.experiments.files import atomic_write
from sim.experiments.runs import versions
from sim.measure.kpis import FINDING_KPIS, PNL_KPIS, REPORT_KPIS, kpi
from sim.present.figures import comparison_figures, lever_rows
from sim.present.format import format_change, format_change_interval, format_interval, format_kpi

CAPTIONS = {
    "kpi_deltas": "Change of each KPI against the baseline, paired by replication, with 95% intervals.",
    "revenue_over_time": "Cumulative revenue over the year: median line, band from 5% to 95% of replications.",
    "funnel": "Inbound and outbound leads at each stage (mean per year, log scale) and the conversion between stages.",
    "satisfaction": "How prospects feel at the end of the year (0-100, 50 neutral); 40 or less counts as dissatisfied.",
    "response_times": "Time from an inquiry to the first attempt to reach the prospect (calendar time: "
    "an inquiry sent on Friday evening and answered on Monday waited about 63 hours).",
}


def _kpi_rows(comparison: Comparison, names: tuple[str, ...] = REPORT_KPIS) -> list[dict[str, Any]]:
    table = comparison.table.set_index(["scenario", "kpi"])
    rows = []
    for name in names:
        cells = []
        for i, scenario in enumerate(comparison.names):
            r = table.loc[(scenario, name)]
            cell = {
                "value": format_kpi(name, r["mean"]),
                "ci": format_interval(name, r["ci_low"], r["ci_high"]),
                "delta": "",
                "css": "flat",
            }
            if i > 0:
                cell["delta"] = format_change_interval(name, r["delta"], r["delta_ci_low"], r["delta_ci_high"])
                significant = r["delta_ci_low"] > 0 or r["delta_ci_high"] < 0
                good = kpi(name).judge(r["delta"])
                cell["css"] = "flat" if not significant or not good else ("up" if good > 0 else "down")
            cells.append(cell)
        rows.append({"label": kpi(name).label, "cells": cells})
    return rows


def _findings(comparison: Comparison) -> list[str]:
    table = comparison.table.set_index(["scenario", "kpi"])
    base = comparison.names[0]
    lines = []
    for scenario in comparison.names[1:]:
        parts = []
        for name in FINDING_KPIS:
            r = table.loc[(scenario, name)]
            sure = r["delta_ci_low"] > 0 or r["delta_ci_high"] < 0
            parts.append(
                f"{kpi(name).label} {format_change(name, r['delta'])} "
                f"(95% interval {format_change(name, r['delta_ci_low'])} to {format_change(name, r['delta_ci_high'])}"
                f"{'' if sure else ', not distinguishable from zero'})"
            )
        lines.append(f"{scenario} against {base}: " + "; ".join(parts) + ".")
    if comparison.explanation is not None:
        t = comparison.explanation.table
        levers = t[(t["kpi"] == "revenue") & ~t["lever"].isin(["all levers together", "interaction"])]
        top = levers.reindex(levers["effect"].abs().sort_values(ascending=False).index).iloc[0]
        pair = f"{comparison.explanation.base.name} from {comparison.explanation.target.name}"
        label, words = lever_rows(comparison.explanation)[top["lever"]]
        change = f"{label} ({words})"
        lines.append(
            f"Of the levers that separate {pair}, {change} moves revenue the most on its own: "
            f"{format_change('revenue', top['effect'])} a year."
        )
    return lines


def _explanation_context(comparison: Comparison, figures: dict[str, Path]) -> dict[str, Any] | None:
    explanation = comparison.explanation
    if explanation is None:
        return None
    t = explanation.table
    kpis = list(dict.fromkeys(t["kpi"]))
    rows = []
    for lever, (label, change) in lever_rows(explanation).items():
        part = t[t["lever"] == lever].set_index("kpi")
        cells = [format_change_interval(k, *part.loc[k, ["effect", "ci_low", "ci_high"]]) for k in kpis]
        rows.append({"lever": label, "change": change, "cells": cells})
    figure = figures.get("tornado")
    return {
        "base": explanation.base.name,
        "target": explanation.target.name,
        "kpis": [kpi(k).label for k in kpis],
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
        pnl_rows=_kpi_rows(comparison, PNL_KPIS),
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
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write(folder / "comparison.csv", lambda tmp: comparison.table.to_csv(tmp, index=False))
    atomic_write(folder / "replications.csv", lambda tmp: comparison.replications.to_csv(tmp, index=False))
    if comparison.explanation is not None:
        table = comparison.explanation.table
        atomic_write(folder / "explain.csv", lambda tmp: table.to_csv(tmp, index=False))
    figures = comparison_figures(comparison, folder / "figures")
    return write_report(comparison, figures, folder / "report.html", command)
