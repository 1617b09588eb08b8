"""The curves a sales leader checks first: revenue against inbound volume and against the inside:field ratio.

    .venv/bin/python scripts/curves.py [-n 4]    # writes docs/figures/revenue_vs_inbound.png, revenue_vs_ratio.png

Each point is the mean of ``n`` one-year replications on common seeds, with its 95% interval.
"""

import argparse
from pathlib import Path

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure

from sim.experiments.runs import replicate
from sim.experiments.stats import mean_ci
from sim.present.figures import STYLE
from sim.present.format import axis_formatter

OUT = Path(__file__).resolve().parent.parent / "docs" / "figures"
INBOUND = (0, 10, 20, 40, 80, 160)
RATIOS = (1.0, 1.5, 2.5, 4.4, 8.0)  # field reps per inside rep (FACTS 3: 1.5 to 4.4)


def curve(scenario: str, overrides_of, xs, n: int):
    rows = []
    for x in xs:
        r = replicate(scenario, n=n, seed=7, overrides=overrides_of(x), workers=2)
        rows.append(mean_ci(r["revenue"]))
    return np.array(rows)


def draw(path: Path, xs, curves: dict, xlabel: str, title: str, log: bool = False) -> None:
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(9, 5.5))
        ax = fig.subplots()
        for name, values in curves.items():
            ax.plot(xs, values[:, 0], "o-", lw=2, label=name)
            ax.fill_between(xs, values[:, 1], values[:, 2], alpha=0.2, lw=0)
        if log:
            ax.set_xscale("symlog", linthresh=10)
        ax.set_xticks(xs, [f"{x:g}" for x in xs])
        ax.yaxis.set_major_formatter(axis_formatter("revenue"))
        ax.set_xlabel(xlabel)
        ax.set_ylabel("revenue a year ($)")
        ax.set_title(title)
        ax.legend(frameon=False)
        fig.tight_layout()
        fig.savefig(path, dpi=150)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=4)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    inbound = {s: curve(s, lambda v: [f"market.inbound_leads_per_day={v}"], INBOUND, args.n)
               for s in ("misaligned", "defined", "aligned")}  # fmt: skip
    draw(OUT / "revenue_vs_inbound.png", INBOUND, inbound, "inbound inquiries a working day",
         f"Revenue against inbound demand (8 inside, 20 field reps; mean of {args.n}, 95% band)", log=True)  # fmt: skip

    def staffing(ratio: float) -> list[str]:
        return [f"organization.inside_reps={max(1, round(20 / ratio))}"]

    ratio = {s: curve(s, staffing, RATIOS, args.n) for s in ("defined", "aligned")}
    draw(OUT / "revenue_vs_ratio.png", RATIOS, ratio, "field reps per inside rep (20 field reps)",
         f"Revenue against the inside:field ratio (40 inquiries a day; mean of {args.n}, 95% band)")  # fmt: skip
    for name, values in {
        **{f"inbound {k}": v for k, v in inbound.items()},
        **{f"ratio {k}": v for k, v in ratio.items()},
    }.items():
        print(name, [f"{m / 1e6:.2f}" for m in values[:, 0]])


if __name__ == "__main__":
    main()
