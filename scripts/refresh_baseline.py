"""Refresh the fixed-seed regression baseline (tests/baseline/) on purpose.

Run after a deliberate model change (`make baseline`), check the diff, and
commit it on its own with a message saying why the numbers moved.
"""

import json
from pathlib import Path

import sim

OUT = Path(__file__).resolve().parent.parent / "tests" / "baseline" / "aligned_seed7.json"

if __name__ == "__main__":
    summary = sim.run("aligned", seed=7).summary
    OUT.write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
    print(f"wrote {OUT}")
