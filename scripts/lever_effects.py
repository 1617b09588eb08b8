"""Measure every claim of sim.experiments.claims on paired replications; print a Markdown table.

The same comparisons as tests/test_levers.py, for docs/MODEL.md:

    .venv/bin/python scripts/lever_effects.py [-n 20] [--seed 2026]
"""

import argparse
from functools import cache

from sim.experiments.claims import CLAIMS
from sim.experiments.runs import replicate
from sim.experiments.stats import paired_difference
from sim.present.format import format_change, format_interval, format_kpi


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20, help="replications per arm")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    @cache
    def arm(spec: tuple[str, ...], n: int):
        return replicate(spec[0], n=n, seed=args.seed, overrides=list(spec[1:]))

    print("| question | base | change | KPI | base mean | paired change (95% CI) | holds |")
    print("|---|---|---|---|---|---|---|")
    for claim in CLAIMS:
        n = max(args.n, claim.n)  # a claim about a small effect states the replications it needs
        base, target = arm(claim.base, n), arm(claim.target, n)
        mean, low, high = paired_difference(target[claim.kpi], base[claim.kpi])
        holds = low > 0 if claim.direction > 0 else high < 0
        base_label = " ".join(claim.base)
        change = ", ".join(claim.target[1:]) if claim.target[0] == claim.base[0] else claim.target[0]
        print(
            f"| {claim.question} | {base_label} | {change} | {claim.kpi} "
            f"| {format_kpi(claim.kpi, base[claim.kpi].mean())} "
            f"| {format_change(claim.kpi, mean)} {format_interval(claim.kpi, low, high, change=True)} "
            f"| {'yes' if holds else 'NO'} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
