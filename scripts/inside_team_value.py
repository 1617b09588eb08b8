"""The article's side question: does adding an inside team pay, and at what inbound volume?

Compares the field-only company with the same company plus 8 inside reps run
three ways (as misaligned, as aligned, as integrated), at several inbound
volumes, with paired replications. Prints a Markdown table for docs/MODEL.md.

    .venv/bin/python scripts/inside_team_value.py [-n 20]
"""

import argparse

from sim.experiments.runs import replicate
from sim.experiments.stats import paired_difference

VOLUMES = (10, 20, 40, 80)
ARMS = {
    "inside team, misaligned": ("field_only", ["organization.inside_reps=8"]),
    "inside team, aligned": ("aligned", []),
    "inside team, integrated": ("integrated", []),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20, help="replications per arm")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    print("| inbound/day | set-up | extra revenue ($k) | extra cost ($k) | extra profit ($k, 95% CI) |")
    print("|---|---|---|---|---|")
    for volume in VOLUMES:
        market = f"market.inbound_leads_per_day={volume}"
        base = replicate("field_only", n=args.n, seed=args.seed, overrides=[market])
        for label, (name, overrides) in ARMS.items():
            arm = replicate(name, n=args.n, seed=args.seed, overrides=[market, *overrides])
            revenue = paired_difference(arm["revenue"], base["revenue"])[0]
            cost = paired_difference(arm["cost_of_sales"], base["cost_of_sales"])[0]
            profit, low, high = paired_difference(arm["profit"], base["profit"])
            print(
                f"| {volume} | {label} | {revenue / 1e3:+,.0f} | {cost / 1e3:+,.0f} "
                f"| {profit / 1e3:+,.0f} [{low / 1e3:+,.0f}, {high / 1e3:+,.0f}] |",
                flush=True,
            )


if __name__ == "__main__":
    main()
