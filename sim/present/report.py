"""The one-page HTML report a consultant can send: self-contained, opens offline.

Rendered with Jinja2 from ``sim/templates/report.html.j2``; figures are
embedded as base64 PNGs, so the file needs nothing else.
"""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2
import numpy as np

from sim.config.labels import describe_lever
from sim.config.scenario import scenario_to_dict
from sim.experiments.compare import Comparison, breakeven_days, lever_differences
from sim.experiments.files import atomic_write, write_json
from sim.experiments.runs import versions
from sim.experiments.stats import mean_ci
from sim.experiments.uncertainty import Uncertainty, can_rank, noise_bound, write_uncertainty
from sim.measure.kpis import FINDING_KPIS, PNL_KPIS, REPORT_KPIS, kpi
from sim.present.answer import Answer, build_answer
from sim.present.figures import comparison_figures, lever_rows
from sim.present.first_steps import RANK_KPI, first_steps
from sim.present.format import (
    format_change,
    format_change_interval,
    format_interval,
    format_kpi,
    heading,
)
from sim.present.names import heading_label, label, title
from sim.present.organization import organization
from sim.present.slides import slide_figures
from sim.present.steps import change_words, step_rows
from sim.present.workbook import write_workbook

CAPTIONS = {
    "kpi_deltas": "Change of each KPI against the baseline, paired by replication, with 95% intervals.",
    "revenue_over_time": "Cumulative revenue over the year: median line, band from 5% to 95% of replications.",
    "funnel": "Left: the run's inbound, outbound and recycled leads by the furthest stage each reached (mean per "
    "market, linear scale), with the conversion between stages. Right: every deal won in the run, by where the "
    "lead came from (its totals are the KPI table's deals won).",
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
        rows.append({"label": heading_label(name), "cells": cells})
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
                f"{label(name)} {format_change(name, r['delta'])} "
                f"(95% interval {format_change(name, r['delta_ci_low'])} to {format_change(name, r['delta_ci_high'])}"
                f"{'' if sure else ', not distinguishable from zero'})"
            )
        lines.append(f"{title(scenario)} against {title(base)}: " + "; ".join(parts) + ".")
    if comparison.explanation is not None:
        t = comparison.explanation.table
        levers = t[(t["kpi"] == "revenue") & ~t["lever"].isin(["all levers together", "interaction"])]
        top = levers.reindex(levers["effect"].abs().sort_values(ascending=False).index).iloc[0]
        pair = f"{title(comparison.explanation.base)} from {title(comparison.explanation.target)}"
        what, words = lever_rows(comparison.explanation)[top["lever"]]
        days = comparison.explanation.base.simulation.days
        lines.append(
            f"Of the levers that separate {pair}, {what} ({words}) moves revenue the most on its own: "
            f"{format_change('revenue', top['effect'])} {_period(days)}."
        )
    return lines


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
        breakeven = _breakeven(comparison, target)
    return build_answer(comparison, base, target, study, breakeven)


def _breakeven(comparison: Comparison, target: str) -> str:
    """When TARGET's cumulative sales contribution is ahead of the baseline's for good, in words (display names)."""
    days = breakeven_days(comparison, target) - 1  # in the timeline's day numbers: day 0 is the first measured
    base, run = title(comparison.names[0]), comparison.scenarios[0].simulation.days
    never = int(np.isnan(days).sum())
    if never == len(days):
        return f"{title(target)} does not catch up with {base}'s cumulative sales contribution within the {run} days"
    mean, low, high = mean_ci(days[~np.isnan(days)])
    interval = "" if np.isnan(low) else f" (95% interval {max(0.0, low):.0f} to {min(run - 1.0, high):.0f})"
    tail = f"; in {never} of {len(days)} markets not within the period" if never else ""
    ahead = f"{title(target)} is ahead of {base} in cumulative sales contribution for good"
    return f"{ahead} from day {mean:.0f}{interval}{tail}"


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


def _b64(path: Path) -> str:
    return base64.b64encode(path.read_bytes()).decode("ascii")


def _compared(comparison: Comparison) -> list[dict[str, Any]]:
    """Each scenario by its display name, its description, and the levers it changes from the baseline."""
    base = comparison.scenarios[0]
    return [
        {
            "name": title(s),
            "description": " ".join(s.description.split()),
            "differences": [heading(describe_lever(*d)) for d in lever_differences(base, s) if d[0] != "timeline"]
            if i
            else [],
            "timeline": [w for e in s.model_dump(mode="json", exclude_none=True)["timeline"] for w in _dated(e)],
        }
        for i, s in enumerate(comparison.scenarios)
    ]


def _dated(entry: dict[str, Any]) -> list[str]:
    return [f"Day {entry['day']}: {w}" for w in change_words(entry)]


def _appendix(
    comparison: Comparison, study: Uncertainty | None, command: str, named: list[str] | None = None
) -> dict[str, Any]:
    """What reproduces the report and the names the files use: the command, seeds, versions, keys."""
    from sim.config.labels import lever_label

    base = comparison.scenarios[0]
    keys = dict.fromkeys(d[0] for s in comparison.scenarios[1:] for d in lever_differences(base, s))
    levers = [{"label": heading(lever_label(k)), "key": k} for k in keys]
    kpis = [{"label": heading_label(k), "key": k} for k in dict.fromkeys((*REPORT_KPIS, *PNL_KPIS))]
    assumptions = []
    if study is not None:
        from sim.config.params import PARAM_INFO

        shown = study.ranking[(study.ranking["kpi"] == RANK_KPI) & study.ranking["beyond_noise"]]
        ranked = list(shown["assumption"]) if can_rank(study) else []
        for name in dict.fromkeys([*ranked, *(named or [])]):
            info = PARAM_INFO.get(name)
            assumptions.append({"words": assumption_words(name), "key": name,
                                "unit": info.unit if info else "", "source": info.source if info else ""})  # fmt: skip
    return {
        "command": command,
        "seed": comparison.seed,
        "seeds": comparison.seeds,
        "versions": versions(),
        "levers": levers,
        "kpis": kpis,
        "assumptions": assumptions,
    }


def render(comparison: Comparison, figures: dict[str, Path], command: str, study: Uncertainty | None = None) -> str:
    """The report as one HTML string: the answer first, then what to do first, then the evidence, then the appendix."""
    pair = _pair(comparison)
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("sim.present", "templates"),  # package data, from any install
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    tornado = figures.get("tornado")
    study_context = _study_context(study)
    return env.get_template("report.html.j2").render(
        title=f"What changing {title(pair[0])} into {title(pair[1])} is worth"
        if pair
        else " against ".join(title(n) for n in comparison.names),
        answer=answer(comparison, study),
        answer_figure=_b64(figures["answer"]) if "answer" in figures else None,
        steps=first_steps(comparison.explanation),
        tornado=_b64(tornado) if tornado else None,
        reorg=step_rows(comparison),
        study=study_context,
        organization=organization(comparison.scenarios),
        scenarios=_compared(comparison),
        base=title(comparison.names[0]),
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
        appendix=_appendix(comparison, study, command, study_context["named"] if study_context else None),
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )


def discovery_sentence(study: Uncertainty, target: str, kpi_name: str = RANK_KPI) -> str:
    """Where TARGET's gain over the baseline does not pay, in words (PRIM over the assumption sets)."""
    from sim.experiments.discover import DiscoveryError, discover

    gains = study.gains[(study.gains["scenario"] == target) & (study.gains["kpi"] == kpi_name)]
    table = study.sets.merge(gains[["set", "gain"]], on="set")
    what = f"the {label(kpi_name)} gain of {title(target)} over {title(study.names[0])}"
    if (table["gain"] <= 0).sum() == 0:
        return f"In none of the {len(table)} assumption sets is {what} at or below zero."
    try:
        found = discover(table.drop(columns=["set", "gain"]), table["gain"], what)
    except DiscoveryError as exc:
        return str(exc)
    return found.sentence() + " (PRIM scenario discovery over the assumption sets.)"


def _named(name: str, text: str) -> bool:
    """Whether a parameter's name stands in ``text`` as a word of its own."""
    return re.search(rf"(?<![\w:]){re.escape(name)}(?!\w)", text) is not None


def _in_words(sentence: str, study: Uncertainty) -> str:
    """A sentence with the study's parameter names in words (the appendix names them as the files do)."""
    for name in sorted((c for c in study.sets.columns if c != "set"), key=len, reverse=True):
        sentence = re.sub(rf"(?<![\w:]){re.escape(name)}(?!\w)", assumption_words(name), sentence)
    return sentence


def _no_ranking(study: Uncertainty) -> str:
    """Why no assumption is ranked, and how many sets would rank one, in one sentence."""
    from sim.experiments.uncertainty import TOLD_RHO, sets_to_rank

    varied = len(study.sets.columns) - 1
    return (
        f"with {len(study.sets)} assumption sets no assumption among the {varied} varied can be told from noise; "
        f"about {sets_to_rank(varied)} sets would tell one of {TOLD_RHO:g} apart (a rank correlation with the gain)."
    )


def _study_context(study: Uncertainty | None) -> dict[str, Any] | None:
    """The uncertainty section: each arm's gain across the sets, and the assumptions it depends on."""
    if study is None:
        return None
    table = study.table.set_index(["scenario", "kpi"])
    raw = [discovery_sentence(study, name) for name in study.names[1:]]
    rows = []
    for name in study.names[1:]:
        for k in ("profit", "operating_profit", "revenue", "prospect_satisfaction"):  # the answer's measures
            if (name, k) not in table.index:
                continue
            r = table.loc[(name, k)]
            rows.append(
                {
                    "scenario": title(name),
                    "kpi": heading_label(k),
                    "median": format_change(k, r["median"]),
                    "range": f"{format_change(k, r['p10'])} to {format_change(k, r['p90'])}",
                    "positive": f"{r['p_positive']:.0%}",
                }
            )
    ranked = study.ranking[(study.ranking["kpi"] == RANK_KPI) & study.ranking["beyond_noise"]]
    return {
        "discovery": [_in_words(line, study) for line in raw],
        "named": [c for c in study.sets.columns if c != "set" and _named(c, " ".join(raw))],
        "sets": int(table["sets"].max()),
        "n": study.n,
        "scale": "the full range" if study.scale == 1 else f"x{study.scale:g} of each range",
        "markets": f"{study.n} market{'s' if study.n != 1 else ''}",
        "rows": rows,
        "ranking": [
            {
                "scenario": title(r.scenario),
                "assumption": assumption_words(r.assumption),
                "rho": f"{r.spearman_rho:+.2f}",
            }
            for r in ranked.itertuples()
        ],
        "noise": f"{noise_bound(len(study.sets), len(study.sets.columns) - 1):.2f}",
        "can_rank": can_rank(study),
        "no_ranking": _no_ranking(study),
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
    slides = slide_figures(comparison, found, folder / "figures" / "slides")
    if "answer" in slides:
        figures = {"answer": slides["answer"], **figures}
    return write_report(comparison, figures, folder / "report.html", command, study)
