"""Benchmark: the fit of one year of a default-size organization, as a user runs it.

    .venv/bin/python scripts/bench_fit.py [--budget 1000] [--workers 2]

A year of ``defined`` (8 inside and 20 field reps, 40 inquiries a working day) with two
behaviour parameters moved off their defaults is run, exported as Salesforce would
(``salesim export-crm``) and fitted with ``salesim fit`` at the given budget; the wall time
of the fit (whole process), the simulations it spent and how close each fitted parameter came
are written to outputs/bench/bench_fit.json. One run: a fit is minutes long, so its noise is
small against its length (the machine is shared: read it with the load in mind).
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SALESIM = str(Path(sys.executable).parent / "salesim")
TRUTH = {"win_logit": -1.0, "cycle_days": 50.0, "agree_interest": 0.3}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", default=str(ROOT / "outputs" / "bench" / "bench_fit.json"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "truth.yaml").write_text(f"name: truth\nextends: defined\nbehavior: {json.dumps(TRUTH)}\n")
        for cmd in (["run", "truth.yaml", "--seed", "3", "--out", "run"], ["export-crm", "run", "--out", "export"]):
            subprocess.run([SALESIM, *cmd], cwd=root, check=True, capture_output=True)
        start = time.perf_counter()
        subprocess.run(
            [SALESIM, "fit", "export", "--budget", str(args.budget), "--workers", str(args.workers), "--out", "fit"],
            cwd=root, check=True, capture_output=True,
        )  # fmt: skip
        seconds = time.perf_counter() - start
        report = json.loads((root / "fit" / "fit.json").read_text())
    fitted = {
        row["parameter"]: {k: row[k] for k in ("median", "p05", "p95", "pinned_down")}
        | {"truth": TRUTH.get(row["parameter"])}
        for row in report["fitted"]
    }
    summary = {
        "budget": args.budget,
        "workers": args.workers,
        "simulations": report["simulations"],
        "check_runs": report["check_runs"],
        "minutes": round(seconds / 60, 2),
        "fitted": fitted,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
