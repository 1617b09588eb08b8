"""Fingerprints of the lead logs and daily tables of every built-in scenario at two seeds.

    .venv/bin/python scripts/fingerprints.py > before.json   # before a change
    .venv/bin/python scripts/fingerprints.py --check before.json   # after: exit 1 on any difference

A refactoring that must not change results leaves every fingerprint as it
was: the SHA-256 of the lead log and of the daily table written as CSV (floats
in their shortest round-trip form, so equal text means equal numbers).
"""

import argparse
import hashlib
import json
import sys

import sim

SEEDS = (1, 2)
BUILTINS = (
    "field_only", "misaligned", "defined", "aligned", "integrated",
    "shared_inside_team", "marketing_owned", "sales_owned",
)  # fmt: skip


def _sha(frame) -> str:
    return hashlib.sha256(frame.to_csv(index=False).encode()).hexdigest()


def fingerprints() -> dict[str, str]:
    out = {}
    for name in BUILTINS:
        for seed in SEEDS:
            result = sim.run(name, seed=seed)
            out[f"{name}/seed{seed}/leads"] = _sha(result.leads)
            out[f"{name}/seed{seed}/daily"] = _sha(result.daily)
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", metavar="FILE", help="compare with fingerprints written earlier")
    args = parser.parse_args()
    now = fingerprints()
    if not args.check:
        print(json.dumps(now, indent=1))
        sys.exit(0)
    with open(args.check) as file:
        before = json.load(file)
    differ = sorted(k for k in before.keys() | now.keys() if before.get(k) != now.get(k))
    print(
        f"{len(now) - len(differ)} of {len(now)} tables identical"
        + (f"; differ: {', '.join(differ)}" if differ else "")
    )
    sys.exit(1 if differ else 0)
