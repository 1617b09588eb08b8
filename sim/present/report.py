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
import numpy as np

from sim.config.labels import describe_lever
from sim.config.scenario import scenario_to_dict
from sim.experiments.compare import Comparison, Explanation, breakeven_words, lever_differences
from sim.experiments.files import atomic_write, write_json
from sim.experiments.runs import versions
from sim.experiments.stats import paired_difference
from sim.experiments.uncertainty import Uncertainty, can_rank, noise_bound, ranking_sentence, write_uncertainty
from sim.measure.kpis import FINDING_KPIS, PNL_KPIS, REPORT_KPIS, kpi
from sim.present.answer import Answer, build_answer
from sim.present.figures import comparison_figures, lever_rows
from sim.present.format import format_change, format_change_interval, format_interval, format_kpi
from sim.present.workbook import write_workbook

CAPTIONS = {
    "kpi_deltas": "Change of each KPI against the baseline, paired by replication, with 95% intervals.",
    "revenue_over_time": "Cumulative revenue over the year: median line, band from 5% to 95% of replications.",
    "funnel": "Left: the run's inbound, outbound and recycled leads by the furthest stage each reached (mean, log "
    "scale), with the conversion between stages. Right: every deal won in the run, by where the lead came from "
    "(its totals are the KPI table's deals won).",
    "satisfaction": "How prospects feel at the end of the year (0-100, 50 neutral); 40 or less counts as dissatisfied.",
    "response_times": "Time from an inquiry to the first attempt to reach the prospect (calendar time: "
    "an inquiry sent on Friday evening and answered on Monday waited about 63 hours).",
    "change_over_time": "Day by day against the baseline on the same markets: the cumulative profit gap and the "
    "revenue of the last 28 days; dotted lines mark the days a change of the timeline takes effect.",
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
                if not significant:
                    cell["css"] = "flat"
                else:  # a change told apart from zero: green or red, or dark where neither is better
                    cell["css"] = "sig" if not good else ("up" if good > 0 else "down")
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


ANSWER_KPIS = ("revenue", "profit", "prospect_satisfaction")
RANK_KPI = "profit"  # what "what to do first" ranks the levers by


def _period(days: int) -> str:
    return "a year" if days == 365 else f"over {days} days"


def _pair(comparison: Comparison) -> tuple[str, str] | None:
    """The question the report answers: the explained pair, else the only two arms."""
    if comparison.explanation is not None:
        return comparison.explanation.base.name, comparison.explanation.target.name
    if len(comparison.names) == 2:
        return comparison.names[0], comparison.names[1]
    return None


def answer_of(comparison: Comparison, study: Uncertainty | None = None) -> Answer | None:
    """The comparison's one answer (:mod:`sim.present.answer`), or None when it asks no single question."""
    pair = _pair(comparison)
    if pair is None:
        return None
    base, target = pair
    changed = next((sc for sc in comparison.scenarios if sc.name == target), None)
    breakeven = ""
    if changed is not None and changed.timeline and base == comparison.names[0]:
        breakeven = breakeven_words(comparison, target)
    return build_answer(comparison, base, target, study, breakeven)


def answer(comparison: Comparison, study: Uncertainty | None = None) -> list[str] | None:
    """The report's first paragraphs: what changing BASE into TARGET is worth, as a CFO reads it.

    The headline names its measure (the sales contribution) with operating profit beside it; with an
    uncertainty study it leads with the median and P10-P90 across the assumptions' ranges, the
    figure at the default assumptions (95% intervals of the simulation's noise) following. None
    when the comparison asks no single question (several arms and nothing explained).
    """
    found = answer_of(comparison, study)
    if found is None:
        return None
    lines = found.lines()
    if found.spread is not None and study is not None and can_rank(study):
        top = study.ranking[(study.ranking["scenario"] == found.target) & (study.ranking["kpi"] == RANK_KPI)]
        top = top[top["beyond_noise"]].head(3)
        if len(top):
            words = ", ".join(
                f"{assumption_words(row.assumption)} (Spearman rho {row.spearman_rho:+.2f})" for row in top.itertuples()
            )
            lines.append(f"The gain in sales contribution depends most on {words}.")
    return lines


def assumption_words(name: str) -> str:
    """A behaviour parameter's name in words (the appendix gives the names as the scenario files spell them)."""
    return name.replace("posterior:", "").replace("_", " ")


def first_steps(explanation: Explanation | None) -> dict[str, Any] | None:
    """The levers ranked by their effect on profit, those not told apart grouped, and the interaction.

    Two levers are told apart when the 95% interval of their paired difference (replication by
    replication, the same markets) excludes zero; a lever joins the group of the first lever of
    the group it cannot be told apart from.
    """
    if explanation is None or explanation.effects is None:
        return None
    t = explanation.table
    effects = explanation.effects
    singles = t[(t["kpi"] == RANK_KPI) & ~t["lever"].isin(["all levers together", "interaction"])]
    order = list(singles.sort_values("effect", ascending=False)["lever"])

    def per_rep(lever: str, k: str = RANK_KPI) -> np.ndarray:
        part = effects[(effects["lever"] == lever) & (effects["kpi"] == k)].sort_values("replication")
        return part["effect"].to_numpy(dtype=float)

    groups: list[list[str]] = []
    for lever in order:
        if groups:
            _, low, high = paired_difference(per_rep(groups[-1][0]), per_rep(lever))
            if not (low > 0 or high < 0):
                groups[-1].append(lever)
                continue
        groups.append([lever])
    words = lever_rows(explanation)
    cells = t.set_index(["lever", "kpi"])
    rows = []
    for rank, group in enumerate(groups, start=1):
        for lever in group:
            label, change = words[lever]
            row: dict[str, Any] = {"rank": rank, "tied": len(group) > 1, "lever": label, "change": change, "cells": []}
            for k in (*ANSWER_KPIS, "cost_of_sales"):
                if (lever, k) in cells.index:
                    r = cells.loc[(lever, k)]
                    row["cells"].append(format_change_interval(k, r["effect"], r["ci_low"], r["ci_high"]))
                else:
                    row["cells"].append("")
            rows.append(row)
    total = cells.loc[("all levers together", RANK_KPI)]
    inter = cells.loc[("interaction", RANK_KPI)]
    share = inter["effect"] / total["effect"] if total["effect"] else float("nan")
    summed = total["effect"] - inter["effect"]
    added = format_change("profit", inter["effect"])
    interaction = (
        f"Together the levers are worth {format_change('profit', total['effect'])} in profit; switched one at a "
        f"time they add up to {format_change('profit', summed)}. The other {added} "
        f"({'' if math.isnan(share) else f'{share:.0%} of the total; '}95% interval "
        f"{format_change('profit', inter['ci_low'])} to {format_change('profit', inter['ci_high'])}) appears only "
        "when they are combined: the levers act on the same leads one after another (the first call, the "
        "qualification bar, the handoff, the field's follow-up), so each is worth more, or less, when the others "
        "are in place. Switch them as a set, or expect less from each alone than the total suggests."
    )
    if len(explanation.levers) < 2 or (inter["effect"], inter["ci_low"], inter["ci_high"]) == (0, 0, 0):
        interaction = ""  # one lever has nothing to interact with; levers that add up exactly, nothing to say
    return {
        "kpis": [kpi(k).label for k in (*ANSWER_KPIS, "cost_of_sales")],
        "rows": rows,
        "interaction": interaction,
        "groups": len(groups),
    }


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


def render(comparison: Comparison, figures: dict[str, Path], command: str, study: Uncertainty | None = None) -> str:
    """The report as one HTML string: the answer first, then what to do first, then the evidence."""
    base = comparison.scenarios[0]
    pair = _pair(comparison)
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
        title=f"What changing {pair[0]} into {pair[1]} is worth" if pair else " vs ".join(comparison.names),
        answer=answer(comparison, study),
        steps=first_steps(comparison.explanation),
        study=_study_context(study),
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


def discovery_sentence(study: Uncertainty, target: str, kpi_name: str = RANK_KPI) -> str:
    """Where TARGET's gain over the baseline does not pay, in words (PRIM over the assumption sets)."""
    from sim.experiments.discover import DiscoveryError, discover

    gains = study.gains[(study.gains["scenario"] == target) & (study.gains["kpi"] == kpi_name)]
    table = study.sets.merge(gains[["set", "gain"]], on="set")
    what = f"the {kpi(kpi_name).label} gain of {target} over {study.names[0]}"
    if (table["gain"] <= 0).sum() == 0:
        return f"In none of the {len(table)} assumption sets is {what} at or below zero."
    try:
        found = discover(table.drop(columns=["set", "gain"]), table["gain"], what)
    except DiscoveryError as exc:
        return str(exc)
    return found.sentence() + " (PRIM, EMA Workbench; salesim discover finds the same box from the folder.)"


def _study_context(study: Uncertainty | None) -> dict[str, Any] | None:
    """The uncertainty section: each arm's gain across the sets, and the assumptions it depends on."""
    if study is None:
        return None
    table = study.table.set_index(["scenario", "kpi"])
    rows = []
    for name in study.names[1:]:
        for k in ANSWER_KPIS:
            r = table.loc[(name, k)]
            rows.append(
                {
                    "scenario": name,
                    "kpi": kpi(k).label,
                    "median": format_change(k, r["median"]),
                    "range": f"{format_change(k, r['p10'])} to {format_change(k, r['p90'])}",
                    "positive": f"{r['p_positive']:.0%}",
                }
            )
    ranked = study.ranking[study.ranking["kpi"] == RANK_KPI]
    return {
        "discovery": [discovery_sentence(study, name) for name in study.names[1:]],
        "sets": int(table["sets"].max()),
        "n": study.n,
        "scale": f"{study.scale:g}",
        "rows": rows,
        "ranking": [
            {
                "scenario": r.scenario,
                "assumption": r.assumption,
                "rho": f"{r.spearman_rho:+.2f}",
                "noise": "" if r.beyond_noise else "within noise",
            }
            for r in ranked.itertuples()
        ],
        "noise": f"{noise_bound(len(study.sets), len(study.sets.columns) - 1):.2f}",
        "can_rank": can_rank(study),
        "no_ranking": ranking_sentence(study),
        "failed": len(study.failed),
    }


def write_report(
    comparison: Comparison, figures: dict[str, Path], path: Path, command: str, study: Uncertainty | None = None
) -> Path:
    """Render and write report.html atomically."""
    html = render(comparison, figures, command, study)
    atomic_write(path, lambda tmp: tmp.write_text(html, encoding="utf-8"))
    return path


def write_comparison(comparison: Comparison, folder: Path, command: str, study: Uncertainty | None = None) -> Path:
    """Write comparison.csv, replications.csv, manifest.json, figures/*.png and report.html; return the report.

    With an uncertainty ``study``, its tables too (:func:`sim.experiments.uncertainty.write_uncertainty`).
    """
    folder.mkdir(parents=True, exist_ok=True)
    manifest = {
        "scenarios": [scenario_to_dict(s) for s in comparison.scenarios],
        "replications": comparison.n,
        "seed": comparison.seed,
        "replication_seeds": comparison.seeds,
        "versions": versions(),
        "command": command,
    }
    if study is not None:
        write_uncertainty(study, folder)
        manifest |= study.manifest()
    write_json(folder / "manifest.json", manifest)
    found = answer_of(comparison, study)
    write_workbook(folder / "comparison.xlsx", comparison, study, found, answer(comparison, study) or [])
    atomic_write(folder / "comparison.csv", lambda tmp: comparison.table.to_csv(tmp, index=False))
    atomic_write(folder / "replications.csv", lambda tmp: comparison.replications.to_csv(tmp, index=False))
    if comparison.explanation is not None:
        table, steps = comparison.explanation.table, comparison.explanation.steps
        atomic_write(folder / "explain.csv", lambda tmp: table.to_csv(tmp, index=False))
        if steps is not None:  # a timeline's dated steps, each once those before it are in place
            atomic_write(folder / "steps.csv", lambda tmp: steps.to_csv(tmp, index=False))
    figures = comparison_figures(comparison, folder / "figures")
    return write_report(comparison, figures, folder / "report.html", command, study)
