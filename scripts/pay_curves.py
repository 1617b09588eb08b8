"""Profit curves of the pay plan: one key swept on one scenario, paired on common seeds (issue 31).

Each point is ``-n`` one-year runs after the warm-up on the same seeds as every other point; the
table gives each point's mean and, against the first point, the paired difference with its 95%
interval. The quota and the accelerator should each have an interior profit optimum, or a reason.

    .venv/bin/python scripts/pay_curves.py compensation.field_quota 300000 500000 750000 1000000 1500000
    .venv/bin/python scripts/pay_curves.py behavior.accelerator 1 1.5 2 3 --scenario aligned -n 6
"""

import argparse

import pandas as pd

from sim.experiments import calibration_measures as m
from sim.experiments.runner import Task, require_ok, run_tasks
from sim.experiments.runs import RunResult, replication_seeds, resolve
from sim.experiments.stats import mean_ci

MONEY = ("revenue", "commissions", "operating_profit")


def measure(result: RunResult) -> dict[str, float]:
    """The money of one run, the share of AEs making quota, field quits and AEs' own opportunities."""
    s = result.summary
    values = {k: float(s[k]) for k in MONEY}
    values["making quota"] = m.safely(m.quota_attainment, result)
    values["field quits"] = float(s["field_quits"])
    values["deals per AE"] = m.safely(m.deals_per_ae, result)
    return values


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("key")
    ap.add_argument("values", nargs="+")
    ap.add_argument("--scenario", default="aligned")
    ap.add_argument("-n", type=int, default=6)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--set", dest="sets", action="append", default=[], help="KEY=VALUE for every point")
    a = ap.parse_args()
    seeds = replication_seeds(a.seed, a.n)
    points = {v: resolve(a.scenario, None, (*a.sets, f"{a.key}={v}")) for v in a.values}
    tasks = [Task(points[v], seed, {"point": v, "seed": seed}, measure) for v in a.values for seed in seeds]
    table = require_ok(run_tasks(tasks, a.workers, None, False, "pay curves"), "pay curves")
    base = table[table["point"] == a.values[0]].set_index("seed")
    rows = []
    for v in a.values:
        here = table[table["point"] == v].set_index("seed")
        row: dict[str, object] = {a.key: v}
        for col in (*MONEY, "making quota", "field quits", "deals per AE"):
            mean = float(here[col].mean())
            row[col] = f"${mean / 1e6:.2f}M" if col in MONEY else f"{mean:.3g}"
        for col in ("revenue", "operating_profit"):
            diff, lo, hi = mean_ci((here[col] - base[col]).to_numpy(dtype=float))
            row[f"{col} vs first"] = f"{diff / 1e3:+,.0f}k [{lo / 1e3:+,.0f}, {hi / 1e3:+,.0f}]"
        rows.append(row)
    with pd.option_context("display.width", 250, "display.max_colwidth", 40):
        print(f"{a.scenario}: one-year runs after the warm-up, n={a.n} on common seeds; paired 95% intervals")
        print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()
