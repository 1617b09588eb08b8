"""Figures for people: titled, labelled, with units, readable on a slide.

Each function draws one figure from a :class:`sim.compare.Comparison` or an
:class:`sim.compare.Explanation` and returns the matplotlib Figure; the
caller saves it. The Agg backend is used, so no display is needed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from sim.config.labels import lever_change, lever_label, lever_value
from sim.experiments.compare import Comparison, Explanation
from sim.experiments.files import atomic_write
from sim.experiments.runs import RESPONSE_BINS, SATISFACTION_BINS
from sim.measure.kpis import DELTA_KPIS, DISSATISFIED_AT, TORNADO_KPIS, kpi
from sim.model.funnel import INSIDE_STAGES
from sim.model.leads import SOURCES
from sim.present.format import (
    axis_formatter,
    format_change,
    format_change_interval,
    format_interval,
    format_kpi,
    heading,
    tick_formatter,
)
from sim.present.names import label, title
from sim.present.slides import change_marks

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType  # rc_context's key type (a Literal of every rc name)

RESPONSE_LABELS = (
    "< 6 min",
    "6-15 min",
    "15-30 min",
    "30-60 min",
    "1-2 h",
    "2-4 h",
    "4-8 h",
    "1-2 days",
    "2-5 days",
    "> 5 days",
)
COLORS = mpl.color_sequences["tab10"]  # the tab10 colours, as a sequence mypy can index
STYLE: dict[RcKeyType, Any] = {"font.size": 11, "axes.titlesize": 13, "axes.titleweight": "bold",
                               "axes.spines.top": False, "axes.spines.right": False}  # fmt: skip


def lever_rows(explanation: Explanation) -> dict[str, tuple[str, str]]:
    """Each lever of explain.csv -> its label and its change in words, in the table's order.

    The summary rows ("all levers together", "interaction") keep their names and the table's words.
    """
    rows = {
        r.lever: (r.lever, f"{r.base_value} → {r.target_value}" if r.base_value else "")
        for r in explanation.table.itertuples()
    }
    return rows | {key: _lever_words(key, old, new) for key, old, new in explanation.levers}


def _lever_words(key: str, old: Any, new: Any) -> tuple[str, str]:
    """A lever's label and change in words; a dated step of a timeline as the levers it changes."""
    from sim.experiments.compare import STEP

    if not key.startswith(STEP) or not isinstance(new, list):
        return lever_label(key), lever_change(old, new)
    keys = [k for entry in new for k in (entry.get("set") or {})]
    staff = [kind for entry in new for kind in ("hire", "exit", "move") if entry.get(kind)]
    names = [lever_label(k) for k in keys] + [f"{kind} of reps" for kind in staff]
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return f"the day-{key.removeprefix(STEP)} step", shown


DELTA_SPAN = 0.25  # each panel spans at least this share of the baseline's level either side of zero


def kpi_deltas(comparison: Comparison, kpis: tuple[str, ...] = DELTA_KPIS) -> Figure:
    """Each KPI's paired change against the baseline, with its 95% interval, labelled in its unit.

    Each panel's axis spans at least +-25% of the baseline's level (money: of the baseline's
    revenue, so a profit near zero does not magnify), so a change of minutes on a response
    time of hours stays a sliver while a change of a quarter of revenue fills its panel.
    """
    table = comparison.table.set_index(["scenario", "kpi"])
    base, others = comparison.names[0], comparison.names[1:]
    revenue = abs(float(table.loc[(base, "revenue"), "mean"]))
    cols = 3
    rows_n = -(-len(kpis) // cols)
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(14, 1.3 + rows_n * (0.55 * len(others) + 1.5)))
        axes = fig.subplots(rows_n, cols, squeeze=False)
        for ax, name in zip(axes.flat, kpis, strict=False):
            part = table.xs(name, level="kpi").loc[others]
            base_mean = float(table.loc[(base, name), "mean"])
            level = max(abs(base_mean), revenue) if kpi(name).unit == "dollars" else abs(base_mean)
            y = np.arange(len(others))
            colors = [COLORS[(j + 1) % 10] for j in range(len(others))]
            ax.barh(y, np.nan_to_num(part["delta"]), color=colors, height=0.6)
            err = np.vstack([part["delta"] - part["delta_ci_low"], part["delta_ci_high"] - part["delta"]])
            ax.errorbar(np.nan_to_num(part["delta"]), y, xerr=np.nan_to_num(err), fmt="none", ecolor="black",
                        capsize=3, lw=1)  # fmt: skip
            for j, r in enumerate(part.itertuples()):
                text = format_change_interval(name, r.delta, r.delta_ci_low, r.delta_ci_high)
                ax.annotate(text, (0, j), xytext=(4, -14), textcoords="offset points", fontsize=8, color="#333")
            bounds = part[["delta_ci_low", "delta_ci_high"]].abs().to_numpy(float)
            reach = max(1.15 * float(np.nanmax(bounds, initial=0.0)), DELTA_SPAN * level)
            if reach > 0:
                ax.set_xlim(-reach, reach)
            ax.set_yticks(y, [title(o) for o in others])
            ax.xaxis.set_major_locator(MaxNLocator(4))
            ax.invert_yaxis()
            ax.axvline(0, color="black", lw=0.8)
            ax.xaxis.set_major_formatter(axis_formatter(name, change=True))
            ax.set_title(f"{heading(label(name))}\n{title(base)}: {format_kpi(name, base_mean)}", fontsize=11)
        for ax in list(axes.flat)[len(kpis) :]:
            ax.set_visible(False)
        days = comparison.scenarios[0].simulation.days
        period = "a year" if days == 365 else f"over {days} days"
        fig.suptitle(
            f"Change against {title(base)}, {period} (paired by replication; bars: 95% interval)\n"
            f"each panel spans at least ±{DELTA_SPAN:.0%} of {title(base)}'s level (money: of its revenue)",
            fontweight="bold",
        )
        fig.tight_layout()
    return fig


def revenue_over_time(comparison: Comparison) -> Figure:
    """Cumulative revenue by day: median and 5-95% band across replications."""
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(10, 5.5))
        ax = fig.subplots()
        for i, name in enumerate(comparison.names):
            paths = comparison.revenue[name]
            days = np.arange(1, paths.shape[1] + 1)
            low, mid, high = np.percentile(paths, [5, 50, 95], axis=0)
            ax.fill_between(days, low, high, color=COLORS[i % 10], alpha=0.18, lw=0)
            ax.plot(days, mid, color=COLORS[i % 10], lw=2, label=title(name))
        ax.yaxis.set_major_formatter(tick_formatter("dollars"))
        ax.set_xlabel("day of the run")
        ax.set_ylabel("cumulative revenue")
        ax.set_title(f"Revenue over time (median; band: 5-95% of {comparison.n} replications)")
        ax.legend(frameon=False, loc="upper left")
        fig.tight_layout()
    return fig


SOURCE_LABELS = {"inbound": "inbound inquiries", "outbound": "inside outbound", "field": "field-found",
                 "recycled": "back from nurture",
                 "referral": "customer referrals"}  # fmt: skip


def funnel(comparison: Comparison) -> Figure:
    """The inside-facing funnel per scenario (mean counts, conversion labelled), and every deal won by source.

    The left panel follows the leads the inside team works (inbound and outbound); the field
    finds leads of its own that never pass through it, so the right panel gives the deals won
    from every source: its totals are the KPI table's deals won.
    """
    names = comparison.names
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(14, 5.8))
        ax, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 1.2]})
        width = 0.8 / len(names)
        x = np.arange(len(INSIDE_STAGES))
        for i, name in enumerate(names):
            counts = comparison.funnel[name]
            pos = x + (i - (len(names) - 1) / 2) * width
            ax.bar(pos, counts, width=width * 0.95, color=COLORS[i % 10], label=title(name))
            for k in range(len(counts)):
                rate = f"\n{counts[k] / counts[k - 1]:.0%}" if k and counts[k - 1] > 0 else ""
                ax.text(pos[k], counts[k], f"{counts[k]:,.0f}{rate}", ha="center", va="bottom", fontsize=7)
        ax.set_ylim(0, 1.18 * max(float(np.max(comparison.funnel[n])) for n in names))  # linear: bars compare
        ax.set_xticks(x, [s.label for s in INSIDE_STAGES])
        ax.set_ylabel("leads (mean per market)")
        ax.set_title("The run's leads the inside team works, by the stage each reached\n(labels: count, and "
                     "conversion from the stage before; the last weeks' leads are still in progress)")  # fmt: skip
        ax.legend(frameon=False, ncol=min(len(names), 5), loc="upper right")
        bottom = np.zeros(len(names))
        shades = ["#264653", "#2a9d8f", "#e9c46a", "#f4a261", "#e76f51"]
        for k, source in enumerate(SOURCES):
            won = np.array([comparison.won_by_source.get(n, np.zeros(len(SOURCES)))[k] for n in names])
            right.bar(np.arange(len(names)), won, bottom=bottom, color=shades[k], label=SOURCE_LABELS[source])
            bottom += won
        for j, total in enumerate(bottom):
            right.text(j, total, f"{total:,.0f}", ha="center", va="bottom", fontsize=9)
        right.set_xticks(np.arange(len(names)), [title(n) for n in names], rotation=30, ha="right")
        right.set_ylabel("deals won a year (mean)")
        right.set_title("Every deal won, by source")
        right.legend(frameon=False, fontsize=8, loc="upper left")
        right.set_ylim(0, 1.25 * max(1.0, bottom.max()))
        fig.tight_layout()
    return fig


def satisfaction(comparison: Comparison) -> Figure:
    """Distribution of prospect satisfaction (0-100) at the end of the run."""
    centers = (SATISFACTION_BINS[:-1] + SATISFACTION_BINS[1:]) / 2
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(10, 5))
        ax = fig.subplots()
        for i, name in enumerate(comparison.names):
            counts = comparison.satisfaction[name]
            share = counts / max(1, counts.sum())
            low = share[SATISFACTION_BINS[1:] <= DISSATISFIED_AT].sum()
            text = f"{title(name)} ({low:.0%} at {DISSATISFIED_AT:g} or less)"
            ax.step(centers, share, where="mid", color=COLORS[i % 10], lw=2, label=text)
        ax.axvline(DISSATISFIED_AT, color="grey", ls=":", lw=1)
        top = ax.get_ylim()[1] * 0.95
        ax.text(DISSATISFIED_AT - 0.5, top, f"dissatisfied: {DISSATISFIED_AT:g} or less  ", ha="right", va="top",
                fontsize=9, color="grey")  # fmt: skip
        ax.yaxis.set_major_formatter(tick_formatter("share"))
        ax.set_xlabel("prospect satisfaction at the end of the run (0-100; 50 = neutral)")
        ax.set_ylabel("share of prospects")
        ax.set_title("How prospects feel about the experience")
        ax.legend(frameon=False)
        fig.tight_layout()
    return fig


def response_times(comparison: Comparison) -> Figure:
    """Distribution of the first response to inbound inquiries (calendar time)."""
    names = comparison.names
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(11, 5))
        ax = fig.subplots()
        width = 0.8 / len(names)
        x = np.arange(len(RESPONSE_BINS) - 1)
        for i, name in enumerate(names):
            counts = comparison.response[name]
            share = counts / max(1, counts.sum())
            ax.bar(
                x + (i - (len(names) - 1) / 2) * width,
                share,
                width=width * 0.95,
                color=COLORS[i % 10],
                label=title(name),
            )
        ax.set_xticks(x, RESPONSE_LABELS, rotation=30, ha="right")
        ax.yaxis.set_major_formatter(tick_formatter("share"))
        ax.set_xlabel("time from inquiry to first attempt (hours; nights and weekends count)")
        ax.set_ylabel("share of answered inquiries")
        ax.set_title("Speed to lead")
        ax.legend(frameon=False)
        fig.tight_layout()
    return fig


def tornado(explanation: Explanation) -> Figure:
    """Effect of switching each lever alone, BASE -> TARGET, per KPI, with 95% intervals."""
    table = explanation.table
    kpis = [k for k in dict.fromkeys(table["kpi"]) if k in TORNADO_KPIS]
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(6 + 3.6 * len(kpis), 0.48 * len(explanation.levers) + 3.2))
        axes = fig.subplots(1, len(kpis), sharey=True)
        words = lever_rows(explanation)
        first = table[(table["kpi"] == kpis[0]) & ~table["lever"].isin(["all levers together", "interaction"])]
        order = list(first.reindex(first["effect"].abs().sort_values().index)["lever"])  # one order for all panels
        apart = "interaction" in set(table["lever"])
        if apart:  # what the levers add only together is not a lever: drawn apart, below them, in grey
            order = ["interaction", *order]
        for ax, name in zip(np.atleast_1d(axes), kpis, strict=True):
            rows = table[table["kpi"] == name]
            levers = rows.set_index("lever").loc[order].reset_index()
            labels = [
                "together, beyond their sum (not a lever)" if lever == "interaction" else ": ".join(words[lever])
                for lever in levers["lever"]
            ]
            colors = [
                "#9a9a9a" if lever == "interaction" else "#2a9d8f" if e >= 0 else "#e76f51"
                for lever, e in zip(levers["lever"], levers["effect"], strict=True)
            ]
            y = np.arange(len(levers))
            ax.barh(y, levers["effect"], color=colors)
            err = np.vstack([levers["effect"] - levers["ci_low"], levers["ci_high"] - levers["effect"]])
            ax.errorbar(levers["effect"], y, xerr=np.nan_to_num(err), fmt="none", ecolor="black", capsize=3, lw=1)
            ax.set_yticks(y, labels, fontsize=11)
            ax.axvline(0, color="black", lw=0.8)
            if apart:
                ax.axhline(0.5, color="grey", ls="--", lw=1)
            total = rows[rows["lever"] == "all levers together"]["effect"].iloc[0]
            ax.xaxis.set_major_locator(MaxNLocator(4))
            ax.xaxis.set_major_formatter(axis_formatter(name, change=True))
            ax.set_xlabel(f"change in {label(name)}\n(lever switched alone)")
            ax.set_title(f"{heading(label(name))}\ntotal {format_change(name, total)}", fontsize=12)
        days = explanation.base.simulation.days
        period = "one year" if days == 365 else f"{days} days"
        fig.suptitle(
            f"Each lever switched alone: {title(explanation.base)} → {title(explanation.target)} "
            f"({period}; bars: 95% interval)",
            fontweight="bold",
        )
        fig.tight_layout()
    return fig


ROLLING_DAYS = 28


def change_over_time(comparison: Comparison) -> Figure:
    """Against the baseline day by day: the cumulative profit gap and the 28-day rolling revenue gap.

    Median and 5-95% band over the markets; a dotted line at each change of the timeline.
    """
    base, others = comparison.names[0], comparison.names[1:]
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(12, 7.5))
        top, bottom = fig.subplots(2, 1, sharex=True)
        for i, name in enumerate(others, start=1):
            color = COLORS[i % 10]
            gap = comparison.profit[name] - comparison.profit[base]
            days = np.arange(gap.shape[1])  # day 0 is the first measured day, as a timeline counts
            low, mid, high = np.percentile(gap, [5, 50, 95], axis=0)
            top.fill_between(days, low, high, color=color, alpha=0.18, lw=0)
            top.plot(days, mid, color=color, lw=2, label=title(name))
            daily = np.diff(comparison.revenue[name] - comparison.revenue[base], axis=1, prepend=0.0)
            kernel = np.ones(ROLLING_DAYS)
            rolling = np.array([np.convolve(row, kernel, "full")[: len(row)] for row in daily])
            low, mid, high = np.percentile(rolling, [5, 50, 95], axis=0)
            bottom.fill_between(days, low, high, color=color, alpha=0.18, lw=0)
            bottom.plot(days, mid, color=color, lw=2, label=title(name))
            scenario = comparison.scenarios[i]
            for day, words in change_marks(scenario):  # the scenario's own day numbers; deferred pay plans named
                for ax in (top, bottom):
                    ax.axvline(day, color=color, ls=":", lw=1.2)
                top.annotate(words, (day, 1), xycoords=("data", "axes fraction"), fontsize=9,
                             color=color, rotation=90, va="top", ha="right")  # fmt: skip
        for ax in (top, bottom):
            ax.axhline(0, color="black", lw=0.8)
            ax.yaxis.set_major_formatter(tick_formatter("dollars", signed=True))
        top.set_ylabel(f"cumulative sales contribution\nagainst {title(base)}")
        bottom.set_ylabel(f"revenue of the last {ROLLING_DAYS} days\nagainst {title(base)}")
        bottom.set_xlabel("day (0 is the first day measured; dotted: a change takes effect)")
        top.set_title(f"The change and the transition, day by day (median; band: 5-95% of {comparison.n} markets)")
        top.legend(frameon=False, loc="upper left")
        fig.tight_layout()
    return fig


def save(fig: Figure, path: Path) -> Path:
    """Save a figure as PNG (150 dpi), atomically."""
    atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=150, format="png"))
    return path


def comparison_figures(comparison: Comparison, folder: Path) -> dict[str, Path]:
    """Draw and save every comparison figure (and the tornado, if explained)."""
    figures = {
        "kpi_deltas": kpi_deltas(comparison),
        "revenue_over_time": revenue_over_time(comparison),
        "funnel": funnel(comparison),
        "satisfaction": satisfaction(comparison),
        "response_times": response_times(comparison),
    }
    if any(s.timeline for s in comparison.scenarios[1:]) and comparison.profit:
        figures["change_over_time"] = change_over_time(comparison)
    if comparison.explanation is not None:
        figures["tornado"] = tornado(comparison.explanation)
    return {name: save(fig, folder / f"{name}.png") for name, fig in figures.items()}


def response_curve(validation) -> Figure:
    """The model's chance to qualify by response delay against Oldroyd et al.'s ratios."""
    from sim.config.params import Params
    from sim.model.market import qualify_probability

    p = Params()
    hours = np.geomspace(1 / 60, 100, 200)
    curve = np.array([qualify_probability(h, p) for h in hours])
    shares = validation.qualified_by_delay
    within = shares[0]
    mids = [0.5, 1.5, 6.0, 48.0]  # plotting positions of the buckets (hours)
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(10, 5.5))
        ax = fig.subplots()
        ax.plot(hours, curve / np.interp(0.5, hours, curve), color=COLORS[0], lw=2,
                label="model: one attempt at this delay (relative to 30 min)")  # fmt: skip
        labels = ["< 1 h", "1-2 h", "2-24 h", ">= 24 h"]
        rel = shares / within if within > 0 else shares
        label = f"model: leads qualified by first-attempt delay ({validation.n} runs, relative to < 1 h)"
        ax.plot(mids, np.where(rel > 0, rel, np.nan), "o-", color=COLORS[1], ms=8, label=label)
        for x, y, text in zip(mids, rel, labels, strict=True):
            if y > 0:
                ax.annotate(text, (x, y), textcoords="offset points", xytext=(6, 6), fontsize=9)
        ax.plot([1.5], [1 / 7], "D", color="black", ms=9, label="Oldroyd et al. 2011: 1 h later, 7x less likely")
        ax.plot(
            [48.0], [1 / 60], "v", color="black", ms=10, label="Oldroyd et al. 2011: 24 h or later, > 60x less likely"
        )
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("delay from inquiry to attempt (calendar hours, log scale)")
        ax.set_ylabel("chance to qualify, relative (log scale)")
        ax.set_title("The short life of a lead: model against the published response-time effect")
        ax.legend(frameon=False, fontsize=9, loc="lower left")
        fig.tight_layout()
    return fig


def sensitivity_figure(result) -> Figure:
    """A sensitivity analysis (:class:`sim.experiments.sensitivity.Sensitivity`) as a figure.

    Bars of the indices per parameter (with their intervals where SALib gives
    them), or for a grid the KPI over its two parameters as a heatmap.
    """
    name = result.kpi
    label = kpi(name).label
    if result.method == "grid":
        x, y = result.axes
        means = result.table.pivot(index=y, columns=x, values="mean")
        lows = result.table.pivot(index=y, columns=x, values="ci_low").reindex_like(means)
        highs = result.table.pivot(index=y, columns=x, values="ci_high").reindex_like(means)
        with mpl.rc_context(STYLE):
            fig = Figure(figsize=(1.7 * means.shape[1] + 4, 0.8 * means.shape[0] + 2.8))
            ax = fig.subplots()
            image = ax.imshow(means.to_numpy(dtype=float), cmap="viridis", aspect="auto")
            ax.set_xticks(range(means.shape[1]), [lever_value(c) for c in means.columns])
            ax.set_yticks(range(means.shape[0]), [lever_value(i) for i in means.index])
            for (i, j), v in np.ndenumerate(means.to_numpy(dtype=float)):
                interval = format_interval(name, lows.iat[i, j], highs.iat[i, j])
                ax.text(j, i, f"{format_kpi(name, v)}\n{interval}", ha="center", va="center", color="white",
                        fontsize=8)  # fmt: skip
            ax.set_xlabel(lever_label(x))
            ax.set_ylabel(lever_label(y))
            fig.colorbar(image, ax=ax, label=f"{label} (mean over replications)", format=axis_formatter(name))
            over = f"; averaged over {result.title}" if result.title else ""
            ax.set_title(f"{heading(label)} over {lever_label(x)} and {lever_label(y)}\n(95% interval{over})")
            fig.tight_layout()
        return fig
    table, columns = result.table, result.columns
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(10, 0.5 * len(table) + 2.5))
        ax = fig.subplots()
        height = 0.8 / len(columns)
        y = np.arange(len(table))
        for j, col in enumerate(columns):
            err = table.get(f"{col}_conf")
            ax.barh(y + j * height, table[col], height=height * 0.9, label=col,
                    xerr=None if err is None else err.to_numpy(), capsize=3)  # fmt: skip
        ax.set_yticks(y + height * (len(columns) - 1) / 2, [lever_label(p) for p in table["parameter"]])
        ax.invert_yaxis()
        ax.axvline(0, color="black", lw=0.8)
        ax.set_xlabel(f"sensitivity of {label}")
        ax.set_title(result.title)
        ax.legend(frameon=False)
        fig.tight_layout()
    return fig
