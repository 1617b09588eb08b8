"""check.png of a fit: does the fitted company reproduce its own funnel, and what did the data pin down?

One panel per statistic of the fit: the observed value (the export's) against the spread
of simulated runs before the fit (the prior's, grey) and after it (runs at posterior draws,
blue: median and 5-95%). A last panel shows each fitted parameter's 90% interval as a share
of its prior range: a short bar is a parameter the data pinned down.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from sim.experiments.files import atomic_write
from sim.experiments.fit import PINNED, STATISTIC_LABELS, STATISTICS, Fit

PRIOR_COLOR, POSTERIOR_COLOR, OBSERVED_COLOR = "#b0b0b0", "#2e75b6", "#c0504d"


def check_figure(result: Fit, checked: np.ndarray, title: str) -> Figure:
    """The figure: statistics (prior and posterior runs vs observed; volumes a day and rates) and the intervals."""
    fig = Figure(figsize=(17, 14), dpi=100)
    axes = fig.subplots(4, 4).ravel()
    for ax in axes[len(STATISTICS) + 1 :]:
        ax.set_visible(False)
    prior_stats = result.generations[0].stats
    for ax, (j, name) in zip(axes, enumerate(STATISTICS), strict=False):
        for y, (stats, color, label) in enumerate(
            ((prior_stats, PRIOR_COLOR, "before the fit"), (checked, POSTERIOR_COLOR, "fitted"))
        ):
            values = stats[:, j][np.isfinite(stats[:, j])]
            if values.size:
                low, mid, high = np.quantile(values, [0.05, 0.5, 0.95])
                ax.plot([low, high], [y, y], color=color, linewidth=8, solid_capstyle="butt", label=f"{label} 5-95%")
                ax.plot([mid], [y], marker="|", color="black", markersize=18)
        observed = result.observed[j]
        if np.isfinite(observed):
            ax.axvline(observed, color=OBSERVED_COLOR, linewidth=2.5, label="observed (export)")
        else:
            why = "not identified (above the entry point)" if name in result.not_identified else "not in the export"
            ax.text(0.5, 0.5, why, transform=ax.transAxes, ha="center", color="#777")
        ax.set(title=STATISTIC_LABELS[name], yticks=[0, 1], ylim=(-0.7, 1.7))
        ax.set_yticklabels(["before the fit", "fitted"])
        ax.spines[["top", "right"]].set_visible(False)
        if name.endswith("_rate"):
            ax.xaxis.set_major_formatter(PercentFormatter(1.0))
        else:
            ax.set_xlabel("calendar days" if name == "median_cycle_days" else "a calendar day")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", ncol=3, frameon=False, bbox_to_anchor=(0.5, 0.955))
    params = result.parameters()
    ax = axes[len(STATISTICS)]
    for y, row in enumerate(params):
        low, high = row["prior"]
        span = high - low
        a, b, m = ((row[k] - low) / span for k in ("p05", "p95", "median"))
        color = POSTERIOR_COLOR if row["pinned_down"] else PRIOR_COLOR  # pinned: informed, contracted, off the edges
        ax.plot([a, b], [y, y], color=color, linewidth=8, solid_capstyle="butt")
        ax.plot([m], [y], marker="|", color="black", markersize=18)
    ax.set(title=f"90% intervals (blue: pinned down: informed, <{PINNED:.0%} of prior, off its edges)",
           xlim=(0, 1),
           xlabel="position in the prior range (0 = low end, 1 = high end)",
           yticks=range(len(params)), ylim=(-0.7, len(params) - 0.3))  # fmt: skip
    ax.set_yticklabels([f"{r['parameter']} {r['median']:.3g}" for r in params], fontsize=9)
    ax.spines[["top", "right"]].set_visible(False)
    fig.suptitle(title, fontsize=15, fontweight="bold")
    fig.subplots_adjust(left=0.09, right=0.98, top=0.88, bottom=0.07, hspace=0.55, wspace=0.45)
    return fig


def save_check_figure(result: Fit, checked: np.ndarray, path: Path, title: str) -> None:
    """Write check.png atomically."""
    fig = check_figure(result, checked, title)
    atomic_write(path, lambda tmp: fig.savefig(tmp, format="png"))
