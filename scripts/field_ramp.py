"""How fast a new field rep ramps: revenue a rep-day brings, by quarter of tenure, against reps in their second year.

    .venv/bin/python scripts/field_ramp.py [-n 4] [--attrition 0.35]

Runs `aligned` for two years (a high attrition shows many hires) and credits each won deal to the
tenure of the rep who closed it. Compare with FACTS 3 (Balderton 2023): 10%, 31%, 75%, 91% of target in
quarters 1-4 (docs/MODEL.md, "Field attrition, vacancy, ramp and reassignment").
"""

import argparse
from collections import defaultdict

from sim.experiments.runs import resolve
from sim.model.model import SalesOrgModel

QUARTER_DAYS = 91


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=4, help="seeds")
    parser.add_argument("--attrition", type=float, default=0.35)
    args = parser.parse_args()
    revenue, exposure = defaultdict(float), defaultdict(float)
    for seed in range(1, args.n + 1):
        scenario = resolve("aligned", 730, [f"behavior.field_attrition={args.attrition}"], seed=seed)
        model = SalesOrgModel(scenario, seed=seed)
        for _ in range(730):
            booked = model.revenue
            model.step()
            if model.revenue > booked:  # the day's wins, credited to the tenure of who closed them
                for lead in model.book:
                    if lead.revenue and lead.closed_at >= (model.day - 1) * 24:
                        rep = model.field_rep_by_id[lead.field_rep]
                        revenue[min(4, int(rep.days_employed // QUARTER_DAYS))] += lead.revenue
            for rep in model.field_reps:
                if rep.active:
                    exposure[min(4, int(rep.days_employed // QUARTER_DAYS))] += 1
    tenured = revenue[4] / exposure[4]
    for q in range(4):
        print(f"quarter {q + 1}: {revenue[q] / exposure[q] / tenured:.0%} of a rep in their second year or later")


if __name__ == "__main__":
    main()
