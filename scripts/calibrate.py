"""Calibrate the generic company's behaviour parameters to the published facts (docs/FACTS.md, docs/SOURCES.md).

Runs :func:`sim.experiments.calibrate.calibrate`: ABC-SMC on the experiment runner with a
range distance to the fitted facts' bands, the held-out facts reported as validation.
Resumable: run the same command again after a stop and it continues from the last stored
generation (``--fresh`` starts again). Prints the parameters' posterior, every fact at the
posterior median, and the lines to paste into sim/config/params.py.

    .venv/bin/python scripts/calibrate.py --workers 2            # 600 parameter sets: about 15-20 minutes on 2 cores
    .venv/bin/python scripts/calibrate.py --budget 40 --particles 10 -n 2   # a smoke run
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.experiments.calibrate import DEFAULT_BUDGET, DEFAULT_POPULATION, DEFAULT_REPLICATIONS


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--budget", type=int, default=DEFAULT_BUDGET, help="parameter sets to simulate in all")
    parser.add_argument("--particles", type=int, default=DEFAULT_POPULATION, help="posterior sample size")
    parser.add_argument("-n", type=int, default=DEFAULT_REPLICATIONS, help="replications at the posterior median")
    parser.add_argument("--workers", type=int, default=1, help="processes (1: serial)")
    parser.add_argument("--executor", choices=("processes", "dask"), default="processes")
    parser.add_argument("--scheduler", help="address of a running Dask scheduler (with --executor dask)")
    parser.add_argument("--out", type=Path, default=Path("outputs/calibration"), help="output folder")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fresh", action="store_true", help="discard stored generations and start again")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Calibrate, write the outputs, print the tables; 2 on bad input."""
    from sim.config.errors import SalesimError
    from sim.experiments.calibrate import calibrate, write_calibration_outputs
    from sim.present.tables import calibration_table

    args = arguments(argv)
    if args.n < 2:
        print("error: -n must be at least 2 (an interval needs two replications)", file=sys.stderr)
        return 2
    try:
        result = calibrate(args.out, budget=args.budget, population=args.particles, n=args.n, seed=args.seed,
                           workers=args.workers, executor=args.executor, scheduler=args.scheduler, fresh=args.fresh,
                           progress=True)  # fmt: skip
    except SalesimError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    write_calibration_outputs(result, args.out)
    gens = result.generations
    print(f"\n{len(gens)} generations, {sum(g.simulations for g in gens)} parameter sets, "
          f"{result.seconds:.0f} s this call\n")  # fmt: skip
    print(result.parameters().to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    print()
    print(calibration_table(result.facts.table))
    print("\nLines for sim/config/params.py (the fitted centres):")
    print("\n".join(result.paste_lines()))
    print(f"\nresults: {args.out}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
