"""The levers a sales leader argues about, each against its base, in a default, a scarce and a rich market.

    .venv/bin/python scripts/lever_markets.py [N]     # N paired one-year replications (default 6)

Prints one line per market and change: revenue, profit and satisfaction, paired means with 95% intervals
(docs/MODEL.md, "The levers in a scarce and a rich market").
"""

import sys

import sim
from sim.experiments.stats import paired_difference

MARKETS = {
    "default": [],
    "scarce (10/day, 8 field)": [
        "market.inbound_leads_per_day=10",
        "organization.field_teams=[{name: all, field_reps: 8}]",
    ],
    "rich (80/day)": ["market.inbound_leads_per_day=80"],
}
CHECKS = [
    ("misaligned", "qualification.standard_set_by=none", "qualification.standard_set_by=marketing"),
    ("misaligned", "qualification.standard_set_by=none", "qualification.standard_set_by=sales"),
    ("misaligned", "qualification.standard_set_by=none", "qualification.standard_set_by=joint"),
    ("misaligned", "feedback.mode=none", "feedback.mode=periodic"),
    ("defined", "compensation.inside=per_opportunity", "compensation.inside=per_lead"),
    ("defined", "compensation.inside=per_opportunity", "compensation.inside=hybrid"),
    ("aligned", "compensation.field=revenue", "compensation.field=margin"),
]


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 6
    for market, extra in MARKETS.items():
        for sc, a_, b_ in CHECKS:
            a = sim.replicate(sc, n=n, seed=9, overrides=[*extra, a_], workers=2)
            b = sim.replicate(sc, n=n, seed=9, overrides=[*extra, b_], workers=2)
            cells = []
            for k in ("revenue", "profit"):
                m, lo, hi = paired_difference(b[k], a[k])
                cells.append(f"{k} {m / 1e3:+,.0f}k [{lo / 1e3:+,.0f}, {hi / 1e3:+,.0f}]")
            m, lo, hi = paired_difference(b["prospect_satisfaction"], a["prospect_satisfaction"])
            cells.append(f"sat {m:+.2f} [{lo:+.2f}, {hi:+.2f}]")
            print(
                f"{market:26s} {sc:10s} {a_.split('=')[-1]:>15s} -> {b_.split('=')[-1]:<15s}",
                " | ".join(cells),
                flush=True,
            )


if __name__ == "__main__":
    main()
