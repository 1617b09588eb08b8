"""Figures for slides: 16:9, every label 14 pt or larger, beside the report's web figures.

``figures/slides/`` holds the answer on one slide (the gain with its range and the three levers
worth most alone), the levers switched alone (the interaction drawn apart: it is not a lever),
the funnel on a linear scale, and, for a timeline, the change day by day. Each is
13.33 x 7.5 inches (a 16:9 slide) at 150 dpi.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from sim.config.scenario import Scenario
from sim.experiments.compare import Comparison, Explanation
from sim.model.funnel import INSIDE_STAGES
from sim.present.format import format_change, tick_formatter
from sim.present.names import heading_label, title

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

    from sim.present.answer import Answer

SLIDE = (13.333, 7.5)  # inches: a 16:9 slide
MIN_POINTS = 14  # no text on a slide is smaller
SLIDE_STYLE: dict[RcKeyType, Any] = {
    "font.size": 16, "axes.titlesize": 20, "axes.titleweight": "bold", "axes.labelsize": 16,
    "xtick.labelsize": 14, "ytick.labelsize": 14, "legend.fontsize": 14, "figure.titlesize": 22,
    "axes.spines.top": False, "axes.spines.right": False,
}  # fmt: skip
GOOD, BAD, APART = "#2a9d8f", "#e76f51", "#9a9a9a"
SUMMARY = ("all levers together", "interaction")


def _period(days: int) -> str:
    return "a year" if days == 365 else f"{days} days"


def _levers(
    explanation: Explanation, kpi_name: str = "profit", best_first: bool = False
) -> tuple[list[tuple[str, float, float, float]], Any]:
    """Each lever's (label, effect, low, high) on a KPI, the idle left out; and the interaction row.

    Largest first by size, or (``best_first``) by effect, the best first, as "what to do first" ranks them.
    """
    from sim.present.figures import lever_rows

    t = explanation.table[explanation.table["kpi"] == kpi_name]
    words = lever_rows(explanation)
    singles = t[~t["lever"].isin(SUMMARY)]
    key = singles["effect"] if best_first else singles["effect"].abs()
    singles = singles.reindex(key.sort_values(ascending=False).index)
    rows = [
        (f"{words[r.lever][0]}: {words[r.lever][1]}", float(r.effect), float(r.ci_low), float(r.ci_high))
        for r in singles.itertuples()
        if not (r.effect == 0 and r.ci_low == 0 and r.ci_high == 0)
    ]
    inter = t[t["lever"] == "interaction"]
    return rows, (inter.iloc[0] if len(inter) else None)


def _bars(ax, rows: list[tuple[str, float, float, float]], colors: list[str] | None = None, wrap: int = 34) -> None:
    """Horizontal bars with 95% intervals, the first row on top, each labelled with its value."""
    y = np.arange(len(rows))[::-1]
    effects = np.array([r[1] for r in rows])
    colors = colors or [GOOD if e >= 0 else BAD for e in effects]
    ax.barh(y, effects, color=colors, height=0.6)
    err = np.vstack([effects - [r[2] for r in rows], [r[3] for r in rows] - effects])
    ax.errorbar(effects, y, xerr=np.nan_to_num(np.abs(err)), fmt="none", ecolor="black", capsize=4, lw=1.2)
    ax.set_yticks(y, [_wrap(r[0], wrap) for r in rows])
    ax.axvline(0, color="black", lw=1)
    ax.xaxis.set_major_locator(MaxNLocator(4))
    ax.xaxis.set_major_formatter(tick_formatter("dollars", signed=True))


def _wrap(text: str, width: int = 34) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text


def answer_slide(found: Answer, explanation: Explanation | None) -> Figure:
    """The answer on one slide: the gains in sales contribution and operating profit with their range, top levers."""
    spread = found.spread
    measures = ("profit", "operating_profit")
    if spread is not None:
        rows = [(heading_label(k), spread[k][0], spread[k][1], spread[k][2]) for k in measures]
        what = f"median and P10-P90 across {found.sets} assumption sets"
    else:
        rows = [(heading_label(k), *found.noise[k]) for k in measures]
        what = f"mean and 95% interval over {found.n} markets"
    top = _levers(explanation, best_first=True)[0][:3] if explanation is not None else []
    with mpl.rc_context(SLIDE_STYLE):
        fig = Figure(figsize=SLIDE)
        if top:
            left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.25]})
        else:
            left, right = fig.subplots(), None
        _bars(left, rows)
        for y, r in zip(np.arange(len(rows))[::-1], rows, strict=True):
            left.annotate(format_change("profit", r[1]), (r[1], y + 0.32), ha="center", va="bottom", fontsize=18,
                          fontweight="bold")  # fmt: skip
        left.set_title(f"The gain over {_period(found.days)}")
        left.set_xlabel(f"change ({what})")
        left.set_ylim(-0.8, len(rows) - 0.2)
        if right is not None:
            _bars(right, top)
            right.set_title("Worth most alone")
            right.set_xlabel("change in sales contribution\n(lever switched alone; 95% interval)")
        headline = f"{title(found.base)} → {title(found.target)}: {format_change('profit', rows[0][1])}"
        fig.suptitle(_wrap(f"{headline} in sales contribution", 70), fontweight="bold")
        fig.tight_layout()
    return fig


def levers_slide(explanation: Explanation, most: int = 8) -> Figure:
    """The levers switched alone (the largest ``most``), and apart below them, what they add only together."""
    rows, inter = _levers(explanation)
    rows = rows[:most]
    with mpl.rc_context(SLIDE_STYLE):
        fig = Figure(figsize=SLIDE)
        ax = fig.subplots()
        shown = list(rows)
        colors = [GOOD if r[1] >= 0 else BAD for r in rows]
        if inter is not None:
            shown.append(("together, beyond their sum (not a lever)", float(inter["effect"]), float(inter["ci_low"]),
                          float(inter["ci_high"])))  # fmt: skip
            colors.append(APART)
        _bars(ax, shown, colors, wrap=46)
        if inter is not None:
            ax.axhline(0.5, color="grey", ls="--", lw=1)
        ax.set_xlabel("change in sales contribution (95% interval)")
        days = explanation.base.simulation.days
        fig.suptitle(_wrap(f"Each lever switched alone: {title(explanation.base)} → {title(explanation.target)} "
                           f"({_period(days)})", 70), fontweight="bold")  # fmt: skip
        fig.tight_layout()
    return fig


def funnel_slide(comparison: Comparison) -> Figure:
    """The leads the inside team works by the furthest stage reached, on a linear scale, with conversions."""
    names = comparison.names
    stages = [s.label for s in INSIDE_STAGES]
    with mpl.rc_context(SLIDE_STYLE):
        fig = Figure(figsize=SLIDE)
        ax = fig.subplots()
        height = 0.8 / len(names)
        y = np.arange(len(stages))[::-1]
        top = max(float(np.max(comparison.funnel[n])) for n in names)
        for i, name in enumerate(names):
            counts = comparison.funnel[name]
            pos = y - (i - (len(names) - 1) / 2) * height
            ax.barh(pos, counts, height=height * 0.92, color=mpl.color_sequences["tab10"][i % 10], label=title(name))
            for k, c in enumerate(counts):
                rate = f" ({c / counts[k - 1]:.0%})" if k and counts[k - 1] > 0 else ""
                ax.text(c + top * 0.01, pos[k], f"{c:,.0f}{rate}", va="center", fontsize=14)
        ax.set_yticks(y, stages)
        ax.set_xlim(0, top * 1.25)
        ax.xaxis.set_major_formatter(tick_formatter("count"))
        ax.set_xlabel("leads (mean per market; in brackets: conversion from the stage before)")
        ax.set_title("Leads the inside team works, by the furthest stage reached")
        ax.legend(frameon=False, loc="lower right")
        fig.tight_layout()
    return fig


def change_marks(scenario: Scenario) -> list[tuple[int, str]]:
    """(day, words) for each day a timeline's change is written or takes effect, in the scenario's own day numbers.

    A pay plan set on a day within a quarter takes effect from the next pay period: it is
    marked on that day, and named.
    """
    from sim.config.registry import PAY_KEYS
    from sim.config.scenario import effective_day

    marks: dict[int, list[str]] = {}
    for change in scenario.timeline:
        keys = list(change.set or {})
        now = [k for k in keys if effective_day(change.day, k) == change.day]
        if now or not keys:
            marks.setdefault(change.day, []).append(f"day {change.day}")
        for key in keys:
            start = effective_day(change.day, key)
            if key in PAY_KEYS and start != change.day:
                marks.setdefault(start, []).append(f"day {start}: pay plan set on day {change.day}")
    return sorted((d, "; ".join(dict.fromkeys(w))) for d, w in marks.items() if d < scenario.simulation.days)


def change_slide(comparison: Comparison) -> Figure:
    """The cumulative sales-contribution gap against the baseline, day by day, each change marked on its own day."""
    base = comparison.names[0]
    with mpl.rc_context(SLIDE_STYLE):
        fig = Figure(figsize=SLIDE)
        ax = fig.subplots()
        for i, scenario in enumerate(comparison.scenarios[1:], start=1):
            color = mpl.color_sequences["tab10"][i % 10]
            gap = comparison.profit[scenario.name] - comparison.profit[base]
            days = np.arange(gap.shape[1])  # day 0 is the first measured day, as a timeline counts
            low, mid, high = np.percentile(gap, [5, 50, 95], axis=0)
            ax.fill_between(days, low, high, color=color, alpha=0.18, lw=0)
            ax.plot(days, mid, color=color, lw=3, label=title(scenario))
            for day, words in change_marks(scenario):
                ax.axvline(day, color=color, ls=":", lw=1.5)
                ax.annotate(words, (day, 0.03), xycoords=("data", "axes fraction"), fontsize=14, color=color,
                            rotation=90, va="bottom", ha="right")  # fmt: skip
        ax.axhline(0, color="black", lw=1)
        ax.yaxis.set_major_formatter(tick_formatter("dollars", signed=True))
        ax.set_xlabel("day (0 is the first day measured; dotted: a change takes effect)")
        ax.set_ylabel(f"cumulative sales contribution\nagainst {title(base)}")
        ax.set_title(f"The change day by day (median; band: 5-95% of {comparison.n} markets)")
        ax.legend(frameon=False, loc="upper left")
        fig.tight_layout()
    return fig


def slide_figures(comparison: Comparison, found: Answer | None, folder: Path) -> dict[str, Path]:
    """Draw and save every slide (figures/slides/*.png), 16:9 at 150 dpi."""
    from sim.present.figures import save

    figures: dict[str, Figure] = {}
    if found is not None:
        explanation = comparison.explanation
        same = explanation is not None and explanation.base.name == found.base
        figures["answer"] = answer_slide(found, explanation if same else None)
    if comparison.explanation is not None:
        figures["levers"] = levers_slide(comparison.explanation)
    figures["funnel"] = funnel_slide(comparison)
    if any(s.timeline for s in comparison.scenarios[1:]) and comparison.profit:
        figures["change_over_time"] = change_slide(comparison)
    return {name: save(fig, folder / f"{name}.png") for name, fig in figures.items()}
