"""The answer for people: the Pareto front, the recommended plan in words, and what it depends on.

The front is the non-dominated feasible plans run on every market. The recommended plan is the
front's best by the spec's ``recommend`` objective (default: the first). Its worth is its gain
over today's organization in each assumption set (the sets are paired: both on the same
markets), summarised as the median, P10-P90 and the share of sets where it beats today's plan;
the assumptions that move that gain most are ranked by Spearman correlation (as ``compare
--uncertainty`` ranks them), and PRIM (EMA Workbench) draws the box of assumption sets where it
does not pay.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.config.errors import SalesimError
from sim.config.labels import lever_label
from sim.experiments.plan import count
from sim.experiments.uncertainty import noise_bound, rank_assumptions
from sim.measure.kpis import kpi
from sim.planning.decisions import Variable
from sim.planning.evaluate import TODAY, robustness
from sim.planning.search import Searcher
from sim.planning.spec import PlanError, quarter_day
from sim.present.format import format_change, format_change_interval, format_kpi


@dataclass
class Answer:
    """What the search recommends, and why.

    Attributes:
        names: plan key -> its short name (P1, P2, ...; ``today``).
        front: the front's plan keys, the recommended first.
        recommended: the recommended plan's key.
        figures: plan key -> KPI -> mean, p10, median, p90, regret_mean, regret_max.
        gains: per KPI the recommended plan's gain over today: median, p10, p90, p_positive, sets.
        ranking: the assumptions the chosen KPI's gain depends on (rank_assumptions' table).
        where_not: PRIM's box in words (where the plan does not pay), or why there is none.
        words: the plan in words, one line each.
    """

    names: dict[str, str]
    front: list[str]
    recommended: str
    figures: dict[str, dict[str, dict[str, float]]]
    gains: dict[str, dict[str, float]]
    ranking: pd.DataFrame
    where_not: str
    words: list[str]


def answer(searcher: Searcher, found: list[Variable]) -> Answer:
    """The front, the recommended plan, its robustness and its worth over today's organization."""
    spec = searcher.spec
    front = searcher.front()
    if not front:
        limits = "; ".join(c.label for c in spec.constraints) or "none"
        raise PlanError(
            f"{spec.name}: no plan run on every market meets the constraints ({limits}); loosen them, widen the "
            "decisions or give a larger --budget (the runs done are kept: the same command resumes)"
        )
    recommended = max(front, key=lambda k: (searcher.chosen(k), k))
    full = [k for k, c in searcher.candidates.items() if c.markets == searcher.markets and c.scenario is not None]
    better = {name: True for name in spec.kpis} | {name: kpi(name).good >= 0 for name in spec.kpis}
    better |= searcher.maximise
    figures = {k: robustness(searcher.store, k, spec.kpis, full, better) for k in full}
    order = sorted(front, key=lambda k: (-searcher.chosen(k), k))
    names = {k: f"P{i + 1}" for i, k in enumerate(order)}
    rest = sorted((k for k in full if k not in names and k != TODAY), key=lambda k: (-searcher.chosen(k), k))
    names |= {k: f"P{len(order) + i + 1}" for i, k in enumerate(rest)} | {TODAY: "today"}
    per_set = gain_table(searcher, recommended)
    gains = summarise_gains(per_set)
    sets = searcher.design.sets[searcher.design.sets["set"].isin(per_set["set"].unique())]
    ranking = rank_assumptions(per_set.assign(scenario=names[recommended]), sets)
    where_not = not_paying(per_set, sets, spec.chooser.kpi)
    result = Answer(names, order, recommended, figures, gains, ranking, where_not, [])
    result.words = plan_in_words(searcher, found, result)
    return result


def gain_table(searcher: Searcher, key: str) -> pd.DataFrame:
    """The plan's gain over today's organization per assumption set and KPI (set, kpi, gain)."""
    rows = []
    for name in searcher.spec.kpis:
        gap = (searcher.store.per_set(key, name) - searcher.store.per_set(TODAY, name)).dropna()
        rows += [(int(s), name, float(g)) for s, g in gap.items()]
    return pd.DataFrame(rows, columns=["set", "kpi", "gain"])


def summarise_gains(per_set: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Median, P10, P90 of each KPI's gain across the sets, and the share of sets where it is above 0."""
    out = {}
    for name, part in per_set.groupby("kpi", sort=False):
        g = part["gain"].to_numpy(dtype=float)
        p10, median, p90 = np.percentile(g, [10, 50, 90])
        better = g > 0 if kpi(str(name)).good >= 0 else g < 0
        out[str(name)] = {"median": median, "p10": p10, "p90": p90, "p_better": float(better.mean()), "sets": len(g)}
    return out


def not_paying(per_set: pd.DataFrame, sets: pd.DataFrame, name: str) -> str:
    """PRIM's box of the assumption sets where the plan's gain in ``name`` is at or below 0, in words."""
    from sim.experiments.discover import discover

    gain = per_set[per_set["kpi"] == name].set_index("set")["gain"]
    inputs = sets.set_index("set").loc[gain.index]
    losing = int((gain <= 0).sum())
    if losing == 0:
        return f"It beats today's plan on {kpi(name).label} in every one of the {len(gain)} assumption sets."
    if len(gain) < 10:
        return (
            f"It does not beat today's plan on {kpi(name).label} in {losing} of {len(gain)} assumption sets; "
            "too few sets for PRIM to say where (10 or more)."
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            box = discover(inputs.reset_index(drop=True), gain.reset_index(drop=True), f"its {kpi(name).label} gain")
    except SalesimError as exc:  # EMA Workbench not installed, or nothing to discover
        return str(exc)
    return box.sentence()


def describe_decision(v: Variable, value: Any) -> str:
    """One decision in words: "handoff SLA (business hours): 2 (today 4)", "hire 2 field reps into east on day 0"."""
    if v.name.startswith("hire."):
        _, team, role, quarter = v.name.split(".")
        q = int(quarter[1:])
        who = "field reps" if role == "field_reps" else "inside reps"
        if value == 0:
            return f"quarter {q}: no {who} hired or let go in {team}"
        verb = f"hire {value}" if value > 0 else f"let {-value} go"
        return f"quarter {q} (day {quarter_day(q)}): {verb} {who} in {team}"
    label = lever_label(v.name) if not v.name.startswith("behavior.") else v.name.removeprefix("behavior.")
    today = " (as today)" if v.today == value else f" (today {v.today})"
    return f"{label}: {value}{today}"


def plan_in_words(searcher: Searcher, found: list[Variable], result: Answer) -> list[str]:
    """The recommended plan in words: what to change, when to hire whom, what it is worth, what it rests on."""
    spec, key = searcher.spec, result.recommended
    plan = searcher.candidates[key].plan
    o = spec.chooser
    u = spec.uncertainty
    lines = [
        f"Recommended plan {result.names[key]} of {len(result.front)} on the Pareto front, chosen for the best "
        f"{o.stat} {kpi(o.kpi).label} over {count(u.sets, 'assumption set')} x {count(u.markets, 'market')} "
        f"({spec.horizon.length} days):"
    ]
    now, best = searcher.chosen(TODAY), searcher.chosen(key)
    if now > best:  # (chosen() is signed so that more is better)
        sign = 1 if o.maximise else -1
        lines.insert(
            0,
            f"Today's plan does better on {o.stat} {kpi(o.kpi).label} ({format_kpi(o.kpi, sign * now)}) than any plan "
            f"found ({format_kpi(o.kpi, sign * best)}): keep it, or search longer (a larger --budget). The best found:",
        )
    lines += [f"  - {describe_decision(v, plan[v.name])}" for v in found]
    if all(plan[v.name] == v.today for v in found):
        lines.append("  That is today's organization: no plan evaluated does better by this measure; change nothing.")
        lines += [figures_line(name, result.figures[key][name]) for name in objective_kpis(searcher)]
        lines += trade_offs(searcher, result)
        return lines
    for name in objective_kpis(searcher):
        g = result.gains.get(name)
        if g is None:
            continue
        lines.append(
            f"{figures_line(name, result.figures[key][name])[:-1]}; against today's plan "
            f"{format_change_interval(name, g['median'], g['p10'], g['p90'])} "
            f"(median and P10-P90 across the sets); better than today's in {g['p_better']:.0%} of the sets."
        )
    lines.append(depends_on(result, searcher, o.kpi))
    lines.append(f"Where it does not pay: {result.where_not}")
    return lines + trade_offs(searcher, result)


def trade_offs(searcher: Searcher, result: Answer, most: int = 6) -> list[str]:
    """What the front's other plans give and take against the recommended one, on each objective."""
    key = result.recommended
    others = [k for k in result.front if k != key][:most]
    if not others:
        return []
    lines = [f"What the front's other plans trade (against {result.names[key]}; all in pareto.csv):"]
    for other in others:
        moves = []
        for o in searcher.spec.objectives:
            change = result.figures[other][o.kpi][o.stat] - result.figures[key][o.kpi][o.stat]
            moves.append(f"{o.stat} {kpi(o.kpi).label} {format_change(o.kpi, change)}")
        lines.append(f"  - {result.names[other]}: {', '.join(moves)}")
    return lines


def objective_kpis(searcher: Searcher) -> list[str]:
    """The KPIs of the chosen statistic and the objectives, each once."""
    spec = searcher.spec
    return list(dict.fromkeys([spec.chooser.kpi, *(ob.kpi for ob in spec.objectives)]))


def figures_line(name: str, figures: dict[str, float]) -> str:
    """A KPI's mean and P10 across the sets, as a sentence ("Operating profit: $1.2M on average, P10 $0.4M.")."""
    mean, p10 = format_kpi(name, figures["mean"]), format_kpi(name, figures["p10"])
    return f"{heading_of(name)}: {mean} on average, P10 {p10}."


def heading_of(name: str) -> str:
    """A KPI's label as the start of a sentence."""
    label = kpi(name).label
    return label[:1].upper() + label[1:]


def depends_on(result: Answer, searcher: Searcher, name: str) -> str:
    """The assumptions the gain depends on most, or why none can be named."""
    ranked = result.ranking[(result.ranking["kpi"] == name) & result.ranking["beyond_noise"]]
    if len(ranked):
        top = ", ".join(f"{r.assumption} (rho {r.spearman_rho:+.2f})" for r in ranked.head(3).itertuples())
        return f"Its {kpi(name).label} gain depends most on: {top}."
    sets = len(searcher.design.sets)
    bound = noise_bound(sets, len(searcher.design.sets.columns) - 1)
    told = f"a rank correlation would have to pass {bound:.2f}" if math.isfinite(bound) else "too few sets to rank"
    return f"No assumption's effect on its {kpi(name).label} gain is told apart from noise with {sets} sets ({told})."


def front_table(searcher: Searcher, found: list[Variable], result: Answer) -> pd.DataFrame:
    """pareto.csv: the front (recommended first) and today's organization, each decision and figure."""
    rows = []
    for key in [*result.front, TODAY]:
        c = searcher.candidates[key]
        row: dict[str, Any] = {"plan": result.names[key], "recommended": key == result.recommended}
        row |= {v.name: c.plan.get(v.name, v.today) for v in found}
        for name, figures in result.figures[key].items():
            row |= {f"{name}_{stat}": value for stat, value in figures.items()}
        rows.append(row)
    return pd.DataFrame(rows)
