"""The plan's figures: the Pareto front against satisfaction and against risk, and the hiring schedule."""

from __future__ import annotations

from typing import TYPE_CHECKING

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from sim.config.scenario import Scenario
from sim.experiments.plan import headcounts
from sim.measure.kpis import kpi
from sim.planning.evaluate import TODAY
from sim.present.format import axis_formatter, heading

if TYPE_CHECKING:
    from sim.planning.answer import Answer

PROFIT = "operating_profit"
SATISFACTION = "prospect_satisfaction"


def _axes(title: str) -> tuple[Figure, Axes]:
    fig = Figure(figsize=(8, 5.5), dpi=110, layout="constrained")
    ax = fig.add_subplot()
    ax.set_title(title, fontsize=13)
    ax.grid(alpha=0.3)
    return fig, ax


def front_figure(result: Answer, x: str, x_stat: str, title: str) -> Figure:
    """Mean operating profit (y) against ``x``'s ``x_stat`` (x) of every plan run on every market.

    The front's plans are named, the recommended plan starred and today's organization marked.
    """
    fig, ax = _axes(title)
    figures = result.figures
    others = [k for k in figures if k not in result.front and k != TODAY]
    ax.scatter(
        [figures[k][x][x_stat] for k in others], [figures[k][PROFIT]["mean"] for k in others],
        color="0.7", s=25, label="other plans evaluated on every market",
    )  # fmt: skip
    front = sorted(result.front, key=lambda k: figures[k][x][x_stat])
    ax.scatter(  # not joined: the front is over the spec's objectives, the axes may be other statistics
        [figures[k][x][x_stat] for k in front], [figures[k][PROFIT]["mean"] for k in front],
        color="tab:blue", s=45, label="Pareto front (on the spec's objectives)",
    )  # fmt: skip
    for k in front:
        ax.annotate(result.names[k], (figures[k][x][x_stat], figures[k][PROFIT]["mean"]),
                    textcoords="offset points", xytext=(5, 5), fontsize=9)  # fmt: skip
    best = result.recommended
    ax.scatter([figures[best][x][x_stat]], [figures[best][PROFIT]["mean"]], marker="*", s=300,
               color="tab:orange", zorder=5, label=f"recommended ({result.names[best]})")  # fmt: skip
    ax.scatter([figures[TODAY][x][x_stat]], [figures[TODAY][PROFIT]["mean"]], marker="s", s=80,
               color="black", zorder=4, label="today's plan")  # fmt: skip
    stat = {"mean": "mean", "p10": "P10 (the bad case)", "median": "median", "p90": "P90"}[x_stat]
    ax.set_xlabel(f"{heading(kpi(x).label)}, {stat} across assumption sets", fontsize=11)
    ax.set_ylabel(f"{heading(kpi(PROFIT).label)}, mean across assumption sets", fontsize=11)
    if kpi(x).unit == "dollars":  # (points and shares read plainly; their unit is in the label)
        ax.xaxis.set_major_formatter(axis_formatter(x))
    ax.yaxis.set_major_formatter(axis_formatter(PROFIT))
    ax.legend(fontsize=9, loc="best")
    return fig


def hiring_figure(today: Scenario, recommended: Scenario, names: tuple[str, str]) -> Figure:
    """Reps (inside and field) over the horizon: today's organization and the recommended plan's timeline."""
    fig, ax = _axes("Headcount over the horizon")
    days = today.simulation.days
    for scenario, label, style in ((today, names[0], "--"), (recommended, names[1], "-")):
        for column, role, color in ((2, "field reps", "tab:blue"), (1, "inside reps", "tab:green")):
            steps = headcounts(scenario)
            xs = [d / 30.4 for d, *_ in steps] + [days / 30.4]
            ys = [s[column] for s in steps] + [steps[-1][column]]
            ax.step(xs, ys, where="post", linestyle=style, color=color, label=f"{role}, {label}")
    ax.set_xlabel("Months from the start of the plan", fontsize=11)
    ax.set_ylabel("Reps (people)", fontsize=11)
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize=9, loc="best")
    return fig
