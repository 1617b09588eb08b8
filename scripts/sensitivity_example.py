"""A sensitivity study from Python: which alignment levers drive revenue (Sobol)?

    .venv/bin/python scripts/sensitivity_example.py [--days 250]

Runs scenarios/sweeps/alignment_sobol.yaml, then SALib's Sobol analysis of
revenue and prospect satisfaction (first-order and total indices, 95%
intervals), as `salesim sensitivity` does.
"""

import argparse
from pathlib import Path

from sim.experiments.sensitivity import analyze
from sim.experiments.sweep import load_spec, sweep
from sim.present.figures import sensitivity_figure

SPEC = Path(__file__).resolve().parent.parent / "scenarios" / "sweeps" / "alignment_sobol.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=250)
    parser.add_argument("--out", default="outputs/sweep/alignment_sobol_example")
    args = parser.parse_args()

    spec = load_spec(SPEC).model_copy(update={"days": args.days})
    print(sweep(spec, args.out, progress=True).line())
    for kpi in ("revenue", "prospect_satisfaction"):
        result = analyze(args.out, kpi)
        print(f"\n{kpi}:\n{result.table.round(3).to_string(index=False)}")
        sensitivity_figure(result).savefig(Path(args.out) / f"sobol_{kpi}.png", dpi=150)


if __name__ == "__main__":
    main()
