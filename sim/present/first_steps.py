"""The report's "What to do first": the levers ranked by what each is worth alone, ties with what would separate them.

Levers with no effect alone are listed apart with why; what the levers add only together (the
interaction) is a paragraph, not a row; each column holds one unit.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from sim.experiments.compare import Explanation
from sim.experiments.stats import paired_difference
from sim.present.figures import lever_rows
from sim.present.format import column_formatter, format_change, heading
from sim.present.names import heading_label

ANSWER_KPIS = ("revenue", "profit", "prospect_satisfaction")
RANK_KPI = "profit"  # what "what to do first" ranks the levers by


STEP_KPIS = (*ANSWER_KPIS, "cost_of_sales")  # the columns of "what to do first"


def _idle(per_rep, lever: str) -> bool:
    """A lever that changes nothing when switched alone: every replication's effect zero on every KPI."""
    return all(not np.any(per_rep(lever, k)) for k in STEP_KPIS)


def first_steps(explanation: Explanation | None) -> dict[str, Any] | None:
    """The levers ranked by their effect on the sales contribution, those not told apart grouped.

    Two levers are told apart when the 95% interval of their paired difference (replication by
    replication, the same markets) excludes zero; a lever joins the group of the first lever of
    the group it cannot be told apart from, and says about how many replications would tell them
    apart. A lever with no effect alone is listed apart, with why; the interaction is a paragraph,
    not a row. Each column holds one unit.
    """
    if explanation is None or explanation.effects is None:
        return None
    from sim.experiments.compare import replications_to_separate

    t = explanation.table
    effects = explanation.effects
    singles = t[(t["kpi"] == RANK_KPI) & ~t["lever"].isin(["all levers together", "interaction"])]
    order = list(singles.sort_values("effect", ascending=False)["lever"])

    def per_rep(lever: str, k: str = RANK_KPI) -> np.ndarray:
        part = effects[(effects["lever"] == lever) & (effects["kpi"] == k)].sort_values("replication")
        return part["effect"].to_numpy(dtype=float)

    words = lever_rows(explanation)
    idle = [lever for lever in order if _idle(per_rep, lever)]
    order = [lever for lever in order if lever not in idle]
    groups: list[list[str]] = []
    apart: dict[str, float] = {}
    for lever in order:
        if groups:
            diff = per_rep(groups[-1][0]) - per_rep(lever)
            _, low, high = paired_difference(per_rep(groups[-1][0]), per_rep(lever))
            if not (low > 0 or high < 0):
                groups[-1].append(lever)
                apart[lever] = replications_to_separate(diff)
                continue
        groups.append([lever])
    cells = t.set_index(["lever", "kpi"])
    columns = {}
    for k in STEP_KPIS:
        values = [
            cells.loc[(lv, k), c] for lv in order if (lv, k) in cells.index for c in ("effect", "ci_low", "ci_high")
        ]
        columns[k] = column_formatter(k, values)
    rows = []
    for rank, group in enumerate(groups, start=1):
        for lever in group:
            what, change = words[lever]
            separate = _separate_words(apart.get(lever), words[group[0]][0])
            row: dict[str, Any] = {"rank": rank, "tied": len(group) > 1, "lever": heading(what), "change": change,
                                   "cells": [], "separate": separate}  # fmt: skip
            for k in STEP_KPIS:
                show, _ = columns[k]
                if (lever, k) in cells.index:
                    r = cells.loc[(lever, k)]
                    row["cells"].append(f"{show(r['effect'])} [{show(r['ci_low'])}, {show(r['ci_high'])}]")
                else:
                    row["cells"].append("")
            rows.append(row)
    n = len(per_rep(order[0])) if order else 0
    return {
        "kpis": [_heading(k, columns[k][1]) for k in STEP_KPIS],
        "rows": rows,
        "idle": [{"lever": heading(words[lv][0]), "change": words[lv][1]} for lv in idle],
        "interaction": _interaction(explanation, cells),
        "groups": len(groups),
        "tied": any(len(g) > 1 for g in groups),
        "n": n,
    }


def _separate_words(n: float | None, leader: str) -> str:
    """How many replications would tell a tied lever from the first of its group, in words."""
    if n is None or math.isnan(n):
        return ""
    if math.isinf(n):
        return f"the same effect as {leader} on every market: no number of markets separates them"
    return f"tied with {leader}; about {n:,.0f} markets (replications) would tell them apart"


def _interaction(explanation: Explanation, cells: pd.DataFrame) -> str:
    """What the levers add only together, in words ("" with one lever, or levers that add up exactly)."""
    total = cells.loc[("all levers together", RANK_KPI)]
    inter = cells.loc[("interaction", RANK_KPI)]
    if len(explanation.levers) < 2 or (inter["effect"], inter["ci_low"], inter["ci_high"]) == (0, 0, 0):
        return ""
    share = inter["effect"] / total["effect"] if total["effect"] else float("nan")
    summed = total["effect"] - inter["effect"]
    added = format_change("profit", inter["effect"])
    return (
        f"Together the levers are worth {format_change('profit', total['effect'])} in sales contribution; switched "
        f"one at a time they add up to {format_change('profit', summed)}. The other {added} "
        f"({'' if math.isnan(share) else f'{share:.0%} of the total; '}95% interval "
        f"{format_change('profit', inter['ci_low'])} to {format_change('profit', inter['ci_high'])}) is not a lever: "
        "it appears only when they are combined, because the levers act on the same leads one after another (the "
        "first call, the qualification bar, the handoff, the field's follow-up), so each is worth more, or less, when "
        "the others are in place. Switch them as a set, or expect less from each alone than the total suggests."
    )


def _heading(name: str, unit: str) -> str:
    """A column's heading: the KPI and its unit, once (a label that already says its scale keeps it)."""
    text = heading_label(name)
    return text if not unit or text.endswith(")") else f"{text} ({unit})"
