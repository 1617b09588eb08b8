"""Benchmark: one-year runs of three organizations, the sweep speed-up, and a naive yardstick.

    make bench                 # or: .venv/bin/python scripts/bench.py [--repeats 5] [--sweep-runs 200]

Each organization runs in a fresh process: one warm-up run, then ``--repeats``
timed runs; reported as medians, with peak resident memory of that process.
The naive reference (scripts/naive_reference.py: every lead a Mesa Agent
stepped every day) meets the default market's arrivals; it and salesim's
default run take turns in one process (same seeds), and the headline figure is
the median over those pairs of salesim's throughput over the naive one, a
ratio that holds on any machine. Every child process settles itself as the
command line and pool workers do (sim.experiments.runner.settle_process). The
sweep speed-up is the wall time of ``--sweep-runs`` one-year default runs on
one process over the same runs on all cores. The command line is timed as a
user meets it, wall time of whole processes (the checkout's code, through
PYTHONPATH): start-up (``salesim --help``, ``salesim validate`` of a built-in
file), a one-year ``salesim run aligned`` (results into a temporary folder),
and, for scale, the bare interpreter and ``import mesa``; one warm-up, then
``--cli-repeats`` rounds taken in turns, reported as medians. Writes
outputs/bench/bench.json.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ORGS = {  # inside reps, field reps, inbound leads per working day
    "small": (3, 8, 15),
    "default": (8, 20, 40),
    "large": (200, 500, 1000),
}

CHILD = r"""
import gc, json, resource, sys, time
sys.path.insert(0, {root!r})
from sim.experiments.runner import settle_process
from sim.experiments.runs import resolve
from sim.model.model import SalesOrgModel
settle_process()  # as the command line and every pool worker do
inside, field, inbound, repeats, collect, days = {inside}, {field}, {inbound}, {repeats}, {collect}, {days}
overrides = [f"organization.inside_reps={{inside}}", f"market.inbound_leads_per_day={{inbound}}",
             f"organization.field_teams=[{{{{name: east, field_reps: {{field // 2}}}}}}, "
             f"{{{{name: west, field_reps: {{field - field // 2}}}}}}]"]
scenario = resolve("defined", None, overrides)
times, leads, attempts = [], 0, 0
for i in range(repeats + 1):
    gc.collect()  # each timed run starts from a clean heap: no earlier run's garbage to walk
    start = time.perf_counter()
    model = SalesOrgModel(scenario, seed=i + 1, collect=collect).run(days)
    elapsed = time.perf_counter() - start
    if days > 250:
        model.book.to_frame(model.team_names)  # a long run's lead log, as `salesim run` writes it
    if i:  # the first run is the warm-up
        times.append(elapsed); leads = len(model.book); attempts = model.attempts
    del model  # as in a loop of replications: the last run's model is gone before the next starts
print(json.dumps({{"times": times, "leads": leads, "attempts": attempts,
                   "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""

OVERHEAD = r"""
import gc, json, statistics, sys, time
sys.path.insert(0, {root!r})
from sim.experiments.runner import settle_process
from sim.experiments.runs import resolve
from sim.model.model import SalesOrgModel
settle_process()
scenario = resolve("defined", None, ())
SalesOrgModel(scenario, seed=1).run()
times = {{True: [], False: []}}
for i in range({repeats}):  # interleaved, same seeds: the machine's drift cancels out
    for collect in (True, False):
        gc.collect(); start = time.perf_counter(); SalesOrgModel(scenario, seed=i + 2, collect=collect).run()
        times[collect].append(time.perf_counter() - start)
print(json.dumps({{"with": statistics.median(times[True]), "without": statistics.median(times[False])}}))
"""

NAIVE = r"""
import gc, json, sys, time
sys.path.insert(0, {root!r}); sys.path.insert(0, {scripts!r})
import naive_reference
from sim.experiments.runner import settle_process
from sim.experiments.runs import resolve
from sim.model.model import SalesOrgModel
settle_process()  # the same process settings for both; each timed run starts from a clean heap
scenario = resolve("defined", None, ())
pairs = []
for i in range({repeats} + 1):  # interleaved, same seeds: the machine's drift hits both alike
    gc.collect(); start = time.perf_counter(); naive_leads = naive_reference.run(250, seed=i + 1)
    naive_seconds = time.perf_counter() - start
    gc.collect(); start = time.perf_counter(); model = SalesOrgModel(scenario, seed=i + 1).run()
    sim_seconds = time.perf_counter() - start
    if i:  # the first pair is the warm-up
        pairs.append({{"naive_seconds": naive_seconds, "naive_leads": naive_leads,
                       "salesim_seconds": sim_seconds, "salesim_leads": len(model.book)}})
    del model
print(json.dumps(pairs))
"""


def child(code: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_org(name: str, repeats: int, collect: bool = True, days: int = 250) -> dict:
    inside, field, inbound = ORGS[name]
    code = CHILD.format(
        root=str(ROOT), inside=inside, field=field, inbound=inbound, repeats=repeats, collect=collect, days=days
    )
    data = child(code)
    seconds = statistics.median(data["times"])
    return {
        "inside_reps": inside,
        "field_reps": field,
        "inbound_per_day": inbound,
        "seconds": seconds,
        "runs": data["times"],
        "leads": data["leads"],
        "leads_per_second": data["leads"] / seconds,
        "attempts_per_second": data["attempts"] / seconds,
        "microseconds_per_lead": 1e6 * seconds / data["leads"],
        "peak_rss_mb": data["peak_rss_mb"],
    }


def bench_sweep(runs: int) -> dict:
    sys.path.insert(0, str(ROOT))
    from sim.experiments.runner import Task, default_workers, run_tasks, settle_process
    from sim.experiments.runs import replication_seeds, resolve

    settle_process()  # one process as the pool's workers are, so that only the cores differ
    # each run as a sweep does it: simulate, build the lead log, summarize
    scenario = resolve("defined", None, ())
    tasks = [Task(scenario, s) for s in replication_seeds(99, runs)]
    walls = {}
    for workers in (1, default_workers()):
        start = time.perf_counter()
        run_tasks(tasks, workers=workers)
        walls[workers] = time.perf_counter() - start
    cores = default_workers()
    return {"runs": runs, "cores": cores, "seconds_1": walls[1], f"seconds_{cores}": walls[cores],
            "speedup": walls[1] / walls[cores]}  # fmt: skip


def bench_cli(repeats: int) -> dict:
    """Median wall times of whole ``salesim`` processes, the way a user meets them."""
    salesim = str(Path(sys.executable).parent / "salesim")
    env = os.environ | {"PYTHONPATH": os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))}
    with tempfile.TemporaryDirectory(prefix="salesim-bench-") as tmp:
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "python -c 'import mesa'": [sys.executable, "-c", "import mesa"],
            "salesim --help": [salesim, "--help"],
            "salesim validate": [salesim, "validate", str(ROOT / "sim" / "config" / "builtins" / "aligned.yaml")],
            "salesim run aligned": [salesim, "run", "aligned", "--out", str(Path(tmp) / "run"), "--force"],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for i in range(repeats + 1):  # in turns: the machine's drift hits every command alike
            for name, cmd in commands.items():
                start = time.perf_counter()
                subprocess.run(cmd, env=env, cwd=tmp, check=True, capture_output=True)
                if i:  # the first round is the warm-up (the file cache, the .pyc files)
                    times[name].append(time.perf_counter() - start)
    return {name: {"seconds": statistics.median(runs), "runs": runs} for name, runs in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--sweep-runs", type=int, default=200)
    parser.add_argument("--cli-repeats", type=int, default=9, help="Rounds of the command-line timings.")
    parser.add_argument("--out", default=str(ROOT / "outputs" / "bench" / "bench.json"))
    args = parser.parse_args()

    results = {name: bench_org(name, args.repeats) for name in ORGS}
    overhead = child(OVERHEAD.format(root=str(ROOT), repeats=max(args.repeats, 9)))
    ten_years = bench_org("default", 1, days=2500)
    pairs = child(NAIVE.format(root=str(ROOT), scripts=str(ROOT / "scripts"), repeats=args.repeats))
    naive_rates = [p["naive_leads"] / p["naive_seconds"] for p in pairs]
    ratios = [p["salesim_leads"] / p["salesim_seconds"] / rate for p, rate in zip(pairs, naive_rates, strict=True)]
    summary = {
        "organizations": results,
        "data_collection_overhead": overhead["with"] / overhead["without"] - 1,
        "naive_reference": {
            "leads": pairs[0]["naive_leads"],
            "seconds": statistics.median(p["naive_seconds"] for p in pairs),
            "leads_per_second": statistics.median(naive_rates),
        },
        # salesim's default run over the naive one, run in turns in one process: median of the pairs
        "speedup_over_naive": statistics.median(ratios),
        "speedup_over_naive_range": [min(ratios), max(ratios)],
        "ten_year_default": {
            "seconds": ten_years["seconds"],
            "leads": ten_years["leads"],
            "peak_rss_mb": ten_years["peak_rss_mb"],
        },
        "scaling_large_over_default": results["large"]["microseconds_per_lead"]
        / results["default"]["microseconds_per_lead"],
        "sweep": bench_sweep(args.sweep_runs) if args.sweep_runs else None,
        # wall time of whole processes; the in-process default run is organizations.default.seconds
        "command_line": bench_cli(args.cli_repeats) if args.cli_repeats else None,
        "repeats": args.repeats,
        "python": sys.version.split()[0],
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, indent=2) + "\n")

    header = ("organization", "seconds", "leads", "leads/s", "attempts/s", "us/lead", "peak MB")
    print(f"{header[0]:<12}" + "".join(f"{h:>12}" for h in header[1:]))
    for name, r in results.items():
        cells = (
            f"{r['seconds']:.3f}",
            f"{r['leads']:,}",
            f"{r['leads_per_second']:,.0f}",
            f"{r['attempts_per_second']:,.0f}",
            f"{r['microseconds_per_lead']:.1f}",
            f"{r['peak_rss_mb']:.0f}",
        )
        print(f"{name:<12}" + "".join(f"{c:>12}" for c in cells))
    print(f"\ndata collection overhead (default): {100 * summary['data_collection_overhead']:+.1f}%")
    lo, hi = summary["speedup_over_naive_range"]
    print(
        f"naive reference: {summary['naive_reference']['leads_per_second']:,.0f} leads/s; "
        f"salesim is {summary['speedup_over_naive']:.1f}x faster (pairs: {lo:.1f}x-{hi:.1f}x)"
    )
    print(f"cost per lead, large / default: {summary['scaling_large_over_default']:.2f}")
    t = summary["ten_year_default"]
    print(f"ten-year default run: {t['seconds']:.1f} s, {t['leads']:,} leads, peak {t['peak_rss_mb']:.0f} MB")
    if summary["sweep"]:
        s = summary["sweep"]
        print(f"sweep of {s['runs']} one-year runs: {s['speedup']:.2f}x faster on {s['cores']} cores than on 1")
    if summary["command_line"]:
        print(f"\ncommand line, wall time of the whole process (medians of {args.cli_repeats} rounds):")
        for name, r in summary["command_line"].items():
            print(f"  {name:<26}{r['seconds']:>8.3f} s")
        print(f"  (in process, the default organization's one-year run: {results['default']['seconds']:.3f} s)")
    print(f"\nmedians of {args.repeats} runs after a warm-up; written to {out}")


if __name__ == "__main__":
    main()
