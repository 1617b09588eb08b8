"""The observed funnel of a CRM export on one slide: volume, response, conversion by delay, stages, deals, results.

Draws from the dictionary of :func:`sim.crm.observed.funnel` (``observed.json``), so the figure
can be redrawn from the file alone.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

from sim.experiments.files import atomic_write
from sim.present.format import dollars

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType  # rc_context's key type (a Literal of every rc name)

COLORS = mpl.color_sequences["tab10"]  # the tab10 colours, as a sequence mypy can index
STYLE: dict[RcKeyType, Any] = {"font.size": 11, "axes.titlesize": 13, "axes.titleweight": "bold",
                               "axes.spines.top": False, "axes.spines.right": False}  # fmt: skip
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _hours_label(h: float | None) -> str:
    if h is None:
        return "∞"
    if h == 0:
        return "0"
    if h < 1:
        return f"{round(h * 60)}m"
    return f"{h:g}h" if h < 24 else f"{h / 24:g}d"


def _text(x: float | None, fmt: str) -> str:
    return "n/a" if x is None else fmt.format(x)


def observed_figure(observed: dict, title: str = "Observed funnel") -> Figure:
    """A 2x3 panel of the observed funnel: for people, on a slide."""
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(18, 10), layout="constrained")
        axes = fig.subplots(2, 3)
        _volume(axes[0, 0], fig, observed["volume"])
        _response(axes[0, 1], observed["response"])
        _by_delay(axes[0, 2], observed["by_delay"])
        _stages(axes[1, 0], observed["stages"])
        _deals(axes[1, 1], observed["deal_size"])
        _results(axes[1, 2], observed)
        period = observed["period"]
        span = f"{period['start'][:10]} to {period['end'][:10]}"
        fig.suptitle(
            f"{title}: {span} ({period['days']:.0f} days, {period['timezone']})",
            fontsize=16,
            fontweight="bold",
        )
    return fig


def _volume(ax, fig: Figure, volume: dict) -> None:
    if volume["weekday_hour"] is None:  # dates without a time of day: by weekday only
        ax.bar(WEEKDAYS, list(volume["by_weekday"].values()), color=COLORS[0])
        ax.set_ylabel("leads created")
        ax.set_title("New leads by weekday (the export has dates, not times)")
        return
    grid = np.asarray(volume["weekday_hour"], dtype=float)
    image = ax.imshow(grid, aspect="auto", cmap="Blues", interpolation="nearest")
    ax.set_yticks(range(7), WEEKDAYS)
    ax.set_xticks(range(0, 24, 3), [f"{h:02d}:00" for h in range(0, 24, 3)])
    ax.set_xlabel("hour of the day (local time)")
    ax.set_title("New leads by weekday and hour")
    fig.colorbar(image, ax=ax, label="leads created")


def _response(ax, response: dict) -> None:
    hist = response["histogram"]
    edges, counts = hist["edges"], hist["counts"]
    labels = [f"{_hours_label(a)}-{_hours_label(b)}" if b else f"> {_hours_label(a)}" for a, b in pairwise(edges)]
    labels[0] = f"< {_hours_label(edges[1])}"
    ax.bar(range(len(counts)), counts, color=COLORS[0])
    ax.set_xticks(range(len(counts)), labels, rotation=45, ha="right")
    ax.set_xlabel("time to first touch (calendar hours)")
    ax.set_ylabel("inquiries")
    median = response["calendar_hours"]["p50"]
    ax.set_title(f"Response time (median {_text(median, '{:.1f}')} h)")


def _by_delay(ax, rows: list[dict]) -> None:
    x = np.arange(len(rows))
    labels = [f"{_hours_label(r['from_hours'])}-{_hours_label(r['to_hours'])}" for r in rows]
    for i, (key, name) in enumerate((("contacted_share", "contacted"), ("qualified_share", "qualified"))):
        values = [np.nan if r[key] is None else r[key] for r in rows]
        ax.bar(x + (i - 0.5) * 0.4, values, width=0.4, color=COLORS[i + 1], label=name)
    for xi, r in zip(x, rows, strict=True):
        ax.annotate(f"n={r['leads']}", (xi, 0), xytext=(0, 2), textcoords="offset points", ha="center", fontsize=8)
    ax.set_xticks(x, labels)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("time to first touch (calendar hours)")
    ax.set_ylabel("share of touched inquiries")
    ax.set_title("Contact and qualification by delay")
    ax.legend(frameon=False)


def _stages(ax, stages: list[dict]) -> None:
    names = [s["stage"].replace("_", " ") for s in stages]
    counts = [s["count"] or 0 for s in stages]
    y = np.arange(len(stages))[::-1]
    ax.barh(y, counts, color=COLORS[2])
    ax.set_yticks(y, names)
    log = max(counts) > 100
    if log:
        ax.set_xscale("symlog", linthresh=10)
    for yi, s in zip(y, stages, strict=True):
        share = s["share_of_previous"]
        note = "not in the export" if s["count"] is None else f"{s['count']:,}"
        note += f"  ({share:.0%} of previous)" if share is not None else ""
        ax.annotate(
            note, (max(s["count"] or 0, 1), yi), xytext=(4, 0), textcoords="offset points", va="center", fontsize=9
        )
    ax.set_xlabel("leads reaching the stage in the period" + (" (log scale)" if log else ""))
    ax.set_title("Stage funnel")


def _deals(ax, deal_size: dict) -> None:
    hist = deal_size["amounts"]
    if hist["counts"]:
        edges = np.asarray(hist["edges"])
        ax.bar(edges[:-1], hist["counts"], width=np.diff(edges), align="edge", color=COLORS[3], edgecolor="white")
        ax.set_xscale("log")
    else:
        ax.text(0.5, 0.5, "no won deals in the export", transform=ax.transAxes, ha="center", fontsize=12)
        ax.set_xticks([])
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: dollars(v)))
    ax.set_xlabel("won deal amount (dollars, log scale)")
    ax.set_ylabel("deals won")
    ax.set_title(f"Deal sizes (median {dollars(deal_size['p50'])})")


def _results(ax, observed: dict) -> None:
    k, cycle = observed["kpis"], observed["cycle_days"]["opportunity_to_close"]
    lines = [
        ("revenue won", dollars(k["revenue"])),
        ("deals won / lost", f"{_text(k['deals_won'], '{:,}')} / {_text(k['deals_lost'], '{:,}')}"),
        ("win rate", _text(k["win_rate"], "{:.0%}")),
        ("cycle, opportunity to close", f"{_text(cycle['p50'], '{:.0f}')} days (median)"),
        ("new leads per day", _text(k["leads_per_day"], "{:.1f}")),
        ("responded within 1 h", _text(k["share_responded_within_1h"], "{:.0%}")),
        ("inquiries never touched", _text(k["inquiries_never_touched"], "{:,}")),
        ("rejected / never followed up", f"{_text(k['leads_rejected'], '{:,}')} / {_text(k['leads_ignored'], '{:,}')}"),
        ("lead / opportunity owners", f"{observed['reps']['lead_owners_active']} / "
         f"{observed['reps']['opportunity_owners_active']} ({observed['reps']['teams_active']} teams)"),
        ("rows with problems", f"{sum(p['rows'] for p in observed['problems']):,}"),
    ]  # fmt: skip
    ax.axis("off")
    ax.set_title("Results")
    for i, (name, value) in enumerate(lines):
        y = 0.95 - i * 0.095
        ax.text(0.0, y, name, transform=ax.transAxes, fontsize=12, va="top")
        ax.text(1.0, y, value, transform=ax.transAxes, fontsize=12, va="top", ha="right", fontweight="bold")


def save_observed_figure(observed: dict, path: Path, title: str = "Observed funnel") -> Path:
    """Draw and save the figure as PNG (atomically)."""
    fig = observed_figure(observed, title)
    atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=120, format="png"))
    return path
