"""The pay plan and the customers after the sale, swept as a sales leader would, in a scarce and a rich market.

    .venv/bin/python scripts/plan_curves.py [-n 6]    # writes docs/figures/plan_curves.png, prints the table

Each lever of issue 16 (the accelerator, the quota, the quarter-end discount, customer churn)
is swept over its plausible range on `aligned`, at 20 and at 80 inquiries a working day, with
``n`` one-year replications on common seeds (churn: three years, so renewals count). Each
point is the mean with its 95% interval.
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
MARKETS = {"scarce (20 a day)": 20, "rich (80 a day)": 80}
LEVERS = {  # key, values, days, label
    "accelerator": ("behavior.accelerator", (1.0, 1.5, 2.0, 2.5, 3.0), 365, "accelerator past quota (x the rate)"),
    "quota": ("compensation.field_quota", (150e3, 250e3, 400e3, 750e3), 365, "field quota ($ a year)"),
    "pull_in_discount": ("behavior.pull_in_discount", (0.02, 0.05, 0.10), 365, "discount per month pulled in"),
    "customer_churn": ("behavior.customer_churn", (0.05, 0.10, 0.20), 1095, "customer churn a year (typical fit)"),
}
KPIS = ("revenue", "operating_profit", "commissions", "quota_attainment_share", "deals_pulled_in")


def sweep(key: str, values, days: int, volume: float, n: int) -> dict[str, np.ndarray]:
    """Mean and 95% interval of each KPI at each value."""
    out: dict[str, list] = {k: [] for k in KPIS}
    for v in values:
        overrides = [f"{key}={v}", f"market.inbound_leads_per_day={volume}"]
        table = replicate("aligned", n=n, seed=11, days=days, overrides=overrides, workers=2)
        for k in KPIS:
            out[k].append(mean_ci(table[k]))
    return {k: np.array(v) for k, v in out.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=6)
    args = parser.parse_args()
    results = {
        (lever, market): sweep(key, values, days, volume, args.n)
        for lever, (key, values, days, _) in LEVERS.items()
        for market, volume in MARKETS.items()
    }
    print("| lever | value | market | revenue ($k) | operating profit ($k) | commissions ($k) | quota made | pulled |")
    print("|---|---|---|---|---|---|---|---|")
    for (lever, market), r in results.items():
        for i, v in enumerate(LEVERS[lever][1]):
            rev, op, com, att, pull = (r[k][i] for k in KPIS)
            print(
                f"| {lever} | {v:g} | {market} | {rev[0] / 1e3:,.0f} [{rev[1] / 1e3:,.0f}, {rev[2] / 1e3:,.0f}] "
                f"| {op[0] / 1e3:,.0f} [{op[1] / 1e3:,.0f}, {op[2] / 1e3:,.0f}] | {com[0] / 1e3:,.0f} "
                f"| {att[0]:.0%} | {pull[0]:.0f} |"
            )
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(14, 7.5))
        axes = fig.subplots(2, len(LEVERS))
        for col, (lever, (_, values, days, label)) in enumerate(LEVERS.items()):
            for row, kpi in enumerate(("revenue", "operating_profit")):
                ax = axes[row, col]
                for market in MARKETS:
                    values_ci = results[(lever, market)][kpi]
                    ax.plot(values, values_ci[:, 0], "o-", lw=2, label=market)
                    ax.fill_between(values, values_ci[:, 1], values_ci[:, 2], alpha=0.2, lw=0)
                ax.yaxis.set_major_formatter(axis_formatter("revenue"))
                years = "" if days == 365 else f" ({days // 365} years)"
                ax.set_ylabel(("revenue" if kpi == "revenue" else "operating profit") + years)
                ax.set_xlabel(label)
                if lever == "quota":
                    ax.xaxis.set_major_formatter(axis_formatter("revenue"))
        axes[0, 0].legend(frameon=False)
        fig.suptitle(f"Pay plan and churn levers, aligned, two markets (mean of {args.n}, 95% band)")
        fig.tight_layout()
        OUT.mkdir(parents=True, exist_ok=True)
        fig.savefig(OUT / "plan_curves.png", dpi=130)


if __name__ == "__main__":
    main()
