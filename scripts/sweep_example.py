"""A researcher's sweep from Python: SLA hours x feedback mode, then one plot.

    .venv/bin/python scripts/sweep_example.py [--days 250] [--replications 3]

Runs scenarios/sweeps/sla_feedback_grid.yaml (resumable: run it again and
finished runs are skipped), reads results.parquet with pandas and plots
revenue against the SLA for each feedback mode.
"""

import argparse
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from sim.experiments.sweep import load_spec, sweep

SPEC = Path(__file__).resolve().parent.parent / "scenarios" / "sweeps" / "sla_feedback_grid.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=250)
    parser.add_argument("--replications", type=int, default=3)
    parser.add_argument("--out", default="outputs/sweep/sla_feedback_example")
    args = parser.parse_args()

    spec = load_spec(SPEC).model_copy(update={"days": args.days, "replications": args.replications})
    result = sweep(spec, args.out, progress=True)  # a process pool over all cores
    print(result.line())

    results = pd.read_parquet(Path(args.out) / "results.parquet")
    ok = results[results["status"] == "ok"]
    table = ok.groupby(["feedback.mode", "handoff.sla_hours"])["revenue"].agg(["mean", "sem"]).reset_index()
    print(table.to_string(index=False))

    fig = Figure(figsize=(8, 5))
    ax = fig.subplots()
    for mode, part in table.groupby("feedback.mode"):
        ax.errorbar(part["handoff.sla_hours"], part["mean"] / 1e6, yerr=1.96 * part["sem"] / 1e6, marker="o",
                    capsize=3, label=f"feedback: {mode}")  # fmt: skip
    ax.set_xscale("log")
    ax.set_xlabel("follow-up SLA (working hours, enforced)")
    ax.set_ylabel("revenue per year ($M; bars: 95% interval)")
    ax.set_title("Revenue against the handoff SLA, by feedback loop")
    ax.legend(frameon=False)
    fig.tight_layout()
    path = Path(args.out) / "revenue_by_sla.png"
    fig.savefig(path, dpi=150)
    print(f"figure: {path}")


if __name__ == "__main__":
    main()
