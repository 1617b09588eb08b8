"""A re-organization step by step, for the report: what each dated step is worth, and when it pays back.

An explanation of a timeline of several dated steps (:class:`sim.experiments.compare.Explanation`'s
``steps``) runs BASE with TARGET's timeline up to each day, on the same markets. A step's own
gain, day by day, is the cumulative profit of the timeline up to that step less the timeline up
to the step before; it is zero until the step's day (common random numbers), may dip while
people change how they work, and pays back from the day after which it never falls behind again.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from sim.config.labels import lever_label, lever_value
from sim.config.registry import PAY_KEYS
from sim.config.scenario import effective_day
from sim.experiments.compare import Comparison, derived_name
from sim.experiments.stats import mean_ci
from sim.present.format import format_change


def change_words(entry: dict[str, Any]) -> list[str]:
    """One dated change of a timeline in words, each lever once; a pay plan says the day it starts."""
    words = []
    for key, value in (entry.get("set") or {}).items():
        text = f"{lever_label(key)}: {lever_value(value)}"
        start = effective_day(entry["day"], key)
        if key in PAY_KEYS and start != entry["day"]:
            text += f" (a pay plan: from day {start}, the next pay period)"
        words.append(text)
    for kind in ("hire", "exit"):
        what = entry.get(kind)
        if what:
            reps = ", ".join(f"{what[k]} {k.replace('_', ' ')}" for k in ("field_reps", "inside_reps") if what.get(k))
            team = f" ({what['team']})" if what.get("team") else ""
            words.append(f"{kind} {reps}{team}")
    if entry.get("move"):
        move = entry["move"]
        words.append(f"move {move.get('field_reps')} field reps from {move.get('from')} to {move.get('to')}")
    return words


def payback_days(gaps: np.ndarray, start: int) -> np.ndarray:
    """Each market's payback day of a step: the day after the last day its cumulative gain is below zero.

    ``start`` (the step's day) when it never falls behind; NaN when it is still behind at the end.
    """
    days = []
    for gap in gaps:
        behind = np.flatnonzero(gap < 0)
        if len(behind) == 0:
            days.append(float(start))
        elif behind[-1] == len(gap) - 1:
            days.append(math.nan)
        else:
            days.append(float(behind[-1] + 1))
    return np.array(days)


def _paths(comparison: Comparison, name: str) -> np.ndarray | None:
    runs = comparison.runs
    if runs is None or "profit_path" not in runs.columns:
        return None
    part = runs[runs["scenario"] == name].sort_values("replication")
    return np.vstack(part["profit_path"].tolist()) if len(part) else None


def step_rows(comparison: Comparison) -> list[dict[str, Any]] | None:
    """Each step of an explained timeline: its day, its changes in words, its gain and when it pays back.

    None when the comparison explains no timeline step by step.
    """
    explanation = comparison.explanation
    if explanation is None or explanation.steps is None:
        return None
    steps: pd.DataFrame = explanation.steps
    entries = [c.model_dump(mode="json", exclude_none=True) for c in explanation.target.timeline]
    base = explanation.base.name
    before = _paths(comparison, base)
    rows = []
    for r in steps[steps["kpi"] == "profit"].itertuples():
        day = int(r.day)
        words = [w for e in entries if e["day"] == day for w in change_words(e)]
        after = _paths(comparison, derived_name(f"{base}__timeline_to-day{day}"))
        payback, dip = "", ""
        if before is not None and after is not None and before.shape == after.shape:
            gaps = after - before
            days = payback_days(gaps, day)
            never = int(np.isnan(days).sum())
            if never == len(days):
                payback = "not within the period"
            else:
                mean, low, high = mean_ci(days[~np.isnan(days)])
                last = after.shape[1] - 1  # a payback is within the period: its interval too
                interval = "" if math.isnan(low) else f" (95% interval {max(day, low):.0f} to {min(last, high):.0f})"
                tail = f"; not within the period in {never} of {len(days)} markets" if never else ""
                payback = f"day {mean:.0f}{interval}{tail}"
            deepest = float(np.median(gaps, axis=0).min())
            dip = format_change("profit", deepest) if deepest < 0 else "none"
            before = after
        rows.append({
            "step": int(r.step), "day": day, "changes": words,
            "effect": f"{format_change('profit', r.effect)} [{format_change('profit', r.ci_low)}, "
                      f"{format_change('profit', r.ci_high)}]",
            "so_far": format_change("profit", r.so_far), "payback": payback, "dip": dip,
        })  # fmt: skip
    return rows
