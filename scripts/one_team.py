"""Where the dollars of "one team" come from: the structure lever switched on, then each of its mechanisms off.

``organization.structure: one_team`` acts through four behaviours (sim/config/levers.py STRUCTURE):
the field's trust in inside's leads (shared goals), informal feedback (a shared floor), the shared
record's notes and one calendar (the inside rep books the first meeting). Each is switched off in
turn (set back to its two-team value through ``behavior:``) on common random numbers; what is lost
is that mechanism's share. The routing delay is the company's and equal in both arms.

    .venv/bin/python scripts/one_team.py [-n 8] [--base aligned]
"""

import argparse

import pandas as pd

from sim.config.levers import STRUCTURE, derive
from sim.experiments.runs import replicate, resolve
from sim.experiments.stats import mean_ci

KPIS = ("revenue", "operating_profit", "prospect_satisfaction", "leads_ignored", "repeat_question_rate")


def mechanisms(base: str) -> dict[str, tuple[str, ...]]:
    """Each mechanism of one team, as the behaviour overrides that switch it off (its two-team value)."""
    one, two = STRUCTURE["one_team"], STRUCTURE["two_teams"]
    team = derive(resolve(base, None, ("organization.structure=one_team",)))
    trust = team.initial_trust - (one[0] - two[0])
    notes = min(1.0, team.notes_completeness) - (one[2] - two[2])
    return {
        "trust (shared goals)": (f"behavior.initial_trust={trust}",),
        "informal feedback": (f"behavior.informal_feedback={two[1]}",),
        "shared record (notes)": (f"behavior.notes_completeness={notes}",),
        "one calendar": (f"behavior.shared_calendar={two[3]}",),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=8)
    ap.add_argument("--base", default="aligned")
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    one = ("organization.structure=one_team",)
    runs = {"two teams": replicate(a.base, a.n, overrides=(), workers=a.workers)}
    runs["one team"] = replicate(a.base, a.n, overrides=one, workers=a.workers)
    for name, off in mechanisms(a.base).items():
        runs[f"one team without {name}"] = replicate(a.base, a.n, overrides=one + off, workers=a.workers)
    full = runs["one team"]
    rows = []
    for name, table in runs.items():
        row = {"arm": name}
        for kpi in KPIS:
            ref = runs["two teams"] if name == "one team" else full
            delta = (full[kpi] - table[kpi]) if name != "one team" else (table[kpi] - ref[kpi])
            m, lo, hi = mean_ci(delta.to_numpy())
            row[kpi] = f"{m:+,.0f} [{lo:+,.0f}, {hi:+,.0f}]" if abs(m) > 50 else f"{m:+.3f} [{lo:+.3f}, {hi:+.3f}]"
        rows.append(row)
    print(
        f"{a.base}: one team vs two teams, then what each mechanism carries (one team minus one team without it), "
        f"n={a.n} paired, 95% intervals"
    )
    print(pd.DataFrame(rows).iloc[1:].to_string(index=False))


if __name__ == "__main__":
    main()
