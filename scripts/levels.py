"""The levels a VP of Sales reads first, for each built-in: funnel, field, money (issue 30).

One-year runs after the warm-up, ``-n`` replications on common seeds, the mean and its 95% interval.
The published range beside each (docs/FACTS.md, docs/SOURCES.md Q13-Q14) is what a sales leader
takes as typical; docs/MODEL.md "The company the defaults describe" quotes this table.

    .venv/bin/python scripts/levels.py [-n 6] [--workers 2] [--set KEY=VALUE ...] [scenario ...]
"""

import argparse

import numpy as np
import pandas as pd

from sim.experiments import calibration_measures as m
from sim.experiments.runner import Task, require_ok, run_tasks
from sim.experiments.runs import RunResult, replication_seeds, resolve
from sim.experiments.stats import mean_ci

# label, published range, measure
LEVELS = (
    ("inquiry -> qualified", "10-25%", m.inquiry_to_mql),
    ("inquiries never reached", "30-60%", m.never_contacted),
    ("inquiry -> won", "0.4-3.2%", m.inquiry_to_won),
    ("win rate", "17-26%", m.win_rate),
    ("new revenue per AE ($)", "$400-800k", m.revenue_per_ae),
    ("deals per AE", "10-20", m.deals_per_ae),
    ("open opportunities per AE", "12-25", m.open_opportunities_per_ae),
    ("AEs making the $750k quota", "20-66%", m.quota_attainment),
    ("marketing's share of pipeline", "27-55%", m.marketing_share_of_pipeline),
    ("referrals' share of won deals", "5-20%", m.referral_share_of_won),
    ("S&M cost per $1 of new revenue", "$1.13-1.18", m.sales_cost_per_revenue),
)
MONEY = ("revenue", "total_revenue", "marketing_cost", "cost_of_sales", "operating_profit")


def measure(result: RunResult) -> dict[str, float]:
    """The levels of one run, and its money."""
    values = {label: m.safely(fn, result) for label, _, fn in LEVELS}
    return values | {k: float(result.summary[k]) for k in MONEY}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenarios", nargs="*", default=["misaligned", "defined", "aligned", "integrated"])
    ap.add_argument("-n", type=int, default=6)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--set", dest="sets", action="append", default=[], help="KEY=VALUE for every scenario")
    a = ap.parse_args()
    seeds = replication_seeds(a.seed, a.n)
    scenarios = {s: resolve(s, None, tuple(a.sets)) for s in a.scenarios}
    tasks = [Task(scenarios[s], seed, {"scenario": s}, measure) for s in a.scenarios for seed in seeds]
    table = require_ok(run_tasks(tasks, a.workers, None, False, "levels"), "levels")
    rows = []
    for label, published, _ in (*LEVELS, *((k, "", None) for k in MONEY)):
        row = {"level": label, "published": published}
        for s in a.scenarios:
            mean, lo, hi = mean_ci(table.loc[table["scenario"] == s, label].to_numpy(dtype=float))
            big = abs(mean) >= 1000
            row[s] = (
                f"${mean / 1e6:,.2f}M [{lo / 1e6:,.2f}, {hi / 1e6:,.2f}]"
                if big
                else (f"{mean:.3g} [{lo:.3g}, {hi:.3g}]" if np.isfinite(mean) else "n/a")
            )
        rows.append(row)
    with pd.option_context("display.width", 250, "display.max_colwidth", 40):
        print(f"one-year runs after the warm-up, n={a.n} on common seeds, mean [95% interval]")
        print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()
