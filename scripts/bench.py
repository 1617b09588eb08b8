"""Benchmark: salesim's CPU per lead against a naive Mesa model, where its time goes, and three organizations.

    make bench        # or: .venv/bin/python scripts/bench.py [--repeats 5] [--sweep-runs 200] [--cli-repeats 9]

CPU time (``time.process_time``) throughout, except where wall time is the point
(the sweep's speed-up on all cores, whole command-line processes). Every figure
is the median of ``--repeats`` runs after one untimed run, taken in one process
that settles itself as the command line and pool workers do
(``sim.experiments.runner.settle_process``); each timed run starts from a clean heap.

- **Against the naive reference** (scripts/naive_reference.py: every open inquiry
  a Mesa Agent stepped every calendar day, closed ones removed), on the default
  organization (``defined``): both models work the 26-week warm-up untimed, then
  the same 365 calendar days, on the same seeds, so they receive the same
  inquiries; they take turns in one process. Reported: CPU per lead of the
  measured year for each, salesim's over the naive one's (per lead, and per
  year on the same inquiries), and what a whole ``sim.run`` costs (set-up,
  warm-up, year, lead log and summary) per lead of its year.
- **Where salesim's time goes**: the same runs with timers around the phases
  (import, set-up, warm-up; in the measured year the inside pools' working day,
  inbound inquiries, the field's calendar, field prospecting, the daily table
  and the rest; then the results: lead log, daily table, summary).
- Three organizations, the daily table's overhead, a ten-year run, the sweep's
  speed-up, and the command line's start-up, as before.

Each part runs in a fresh process (this script with ``--child``). Writes outputs/bench/bench.json.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ORGS = {  # inside reps, field reps, inbound leads per working day
    "small": (3, 8, 15),
    "default": (8, 20, 40),
    "large": (200, 500, 1000),
}
YEAR = 365  # calendar days of the measured year
PHASES = ("inside day", "inbound", "field calendar", "field prospecting", "daily table")


class Timers:
    """CPU seconds spent inside wrapped methods, by phase; phases of the year are paused during the warm-up."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.warming = False

    def wrap(self, owner: type, name: str, phase: str, in_year_only: bool = False) -> None:
        """Time every call of ``owner.name`` into ``phase`` (only in the measured year if ``in_year_only``)."""
        original = getattr(owner, name)
        timers = self

        def timed(*args, **kwargs):
            if in_year_only and timers.warming:
                return original(*args, **kwargs)
            start = time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                timers.seconds[phase] += time.process_time() - start

        setattr(owner, name, timed)

    def wrap_warm_up(self, owner: type) -> None:
        """Time the warm-up, and pause the year's phases while it lasts."""
        original = owner.warm_up
        timers = self

        def warm_up(model, *args, **kwargs):
            timers.warming = True
            start = time.process_time()
            try:
                return original(model, *args, **kwargs)
            finally:
                timers.seconds["warm-up"] += time.process_time() - start
                timers.warming = False

        owner.warm_up = warm_up


def _settled_imports() -> float:
    """Import what a run needs and settle the process; return the imports' CPU seconds."""
    start = time.process_time()
    import sim.experiments.runs  # noqa: F401  everything a run needs: the model, Mesa, numpy, pandas, the summary
    from sim.experiments.runner import settle_process

    imports = time.process_time() - start
    settle_process()
    return imports


def child_reference(repeats: int, phases: bool) -> dict:
    """Salesim's default run and the naive reference in turns, same seeds (``phases``: with timers inside the day)."""
    imports = _settled_imports()
    sys.path.insert(0, str(ROOT / "scripts"))
    import mesa
    import naive_reference

    from sim.experiments import runs
    from sim.model.calendar import Calendar
    from sim.model.field import FieldRep
    from sim.model.model import SalesOrgModel
    from sim.model.pools import InsidePool

    scenario = runs.resolve("defined", None, ())
    timers = Timers()
    timers.wrap(SalesOrgModel, "__init__", "set-up")
    timers.wrap_warm_up(SalesOrgModel)
    timers.wrap(SalesOrgModel, "run", "run")  # warm-up and year
    if phases:
        for owner, name, phase in (
            (InsidePool, "work_day", "inside day"),
            (SalesOrgModel, "_receive_inquiries", "inbound"),
            (Calendar, "run_until", "field calendar"),
            (FieldRep, "prospect", "field prospecting"),
            (mesa.DataCollector, "collect", "daily table"),
        ):
            timers.wrap(owner, name, phase, in_year_only=True)
    rows = []
    for i in range(repeats + 1):  # the first round is untimed: caches, lazy imports
        seed = i + 1
        gc.collect()
        naive = naive_reference.NaiveModel(scenario, seed).warm_up()
        gc.collect()
        lead_days = naive.lead_days
        start = time.process_time()
        naive_leads = naive.run_year(YEAR)
        naive_seconds = time.process_time() - start
        lead_days = naive.lead_days - lead_days
        del naive
        gc.collect()
        timers.seconds.clear()
        start = time.process_time()
        result = runs.run(scenario, seed=seed)  # as sim.run and `salesim run` do it: the model, then its results
        whole = time.process_time() - start
        s = timers.seconds
        new = result.leads[~result.leads["in_flight"]]
        row = {
            "naive_seconds": naive_seconds,
            "naive_leads": naive_leads,
            "naive_steps_per_lead": lead_days / naive_leads,  # days each lead was open and stepped
            "whole_seconds": whole,
            "set-up": s["set-up"],
            "warm-up": s["warm-up"],
            "year_seconds": s["run"] - s["warm-up"],
            "results": whole - s["set-up"] - s["run"],  # lead log, daily table, summary (and the scenario's copy)
            "leads": len(new),
            "inbound_leads": int((new["source"] == "inbound").sum()),
            "leads_simulated": int(result.leads["lead_id"].max()) + 1,  # the warm-up's included
        }
        row |= {phase: s[phase] for phase in PHASES if phases}
        if i:
            rows.append(row)
        del result
    return {"imports": imports, "runs": rows}


def child_org(inside: int, field: int, inbound: int, repeats: int, collect: bool, days: int) -> dict:
    """One organization's whole runs (warm-up included), CPU seconds; its process's peak memory."""
    import resource

    _settled_imports()
    from sim.experiments.runs import resolve
    from sim.model.model import SalesOrgModel

    overrides = [
        f"organization.inside_reps={inside}",
        f"market.inbound_leads_per_day={inbound}",
        f"organization.field_teams=[{{name: east, field_reps: {field // 2}}}, "
        f"{{name: west, field_reps: {field - field // 2}}}]",
    ]
    scenario = resolve("defined", None, overrides)
    times, leads, attempts = [], 0, 0
    for i in range(repeats + 1):
        gc.collect()
        start = time.process_time()
        model = SalesOrgModel(scenario, seed=i + 1, collect=collect).run(days)
        elapsed = time.process_time() - start
        if days > YEAR:
            model.book.to_frame(model.team_names)  # a long run's lead log, as `salesim run` writes it
        if i:
            times.append(elapsed)
            leads, attempts = len(model.book), model.attempts
        del model
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"times": times, "leads": leads, "attempts": attempts, "peak_rss_mb": peak}


def child_overhead(repeats: int) -> dict:
    """The default run with and without its daily table, in turns on the same seeds."""
    _settled_imports()
    from sim.experiments.runs import resolve
    from sim.model.model import SalesOrgModel

    scenario = resolve("defined", None, ())
    SalesOrgModel(scenario, seed=1).run()
    times: dict[bool, list[float]] = {True: [], False: []}
    for i in range(repeats):
        for collect in (True, False):
            gc.collect()
            start = time.process_time()
            SalesOrgModel(scenario, seed=i + 2, collect=collect).run()
            times[collect].append(time.process_time() - start)
    return {"with": statistics.median(times[True]), "without": statistics.median(times[False])}


def child(kind: str, **kwargs) -> dict:
    """Run ``child_<kind>(**kwargs)`` in a fresh process of this script; its JSON answer."""
    cmd = [sys.executable, __file__, "--child", kind, json.dumps(kwargs)]
    env = os.environ | {"PYTHONPATH": os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))}
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def median(rows: list[dict], key: str) -> float:
    """The median of one figure over the runs."""
    return statistics.median(r[key] for r in rows)


def against_naive(repeats: int) -> dict:
    """Salesim's CPU per lead against the naive reference's, and the phase split of salesim's run."""
    plain = child("reference", repeats=repeats, phases=False)
    timed = child("reference", repeats=repeats, phases=True)
    imports = statistics.median([plain["imports"], timed["imports"]])
    rows = plain["runs"]
    us = 1e6
    per_lead = [r["year_seconds"] / r["leads"] / (r["naive_seconds"] / r["naive_leads"]) for r in rows]
    per_year = [r["year_seconds"] / r["naive_seconds"] for r in rows]
    whole = [r["whole_seconds"] / r["leads"] / (r["naive_seconds"] / r["naive_leads"]) for r in rows]
    split = timed["runs"]
    year = median(split, "year_seconds")
    in_year = {phase: median(split, phase) for phase in PHASES}
    in_year["rest of the day"] = year - sum(in_year.values())
    return {
        "scenario": "defined (8 inside reps, 20 field reps, 40 inquiries a working day)",
        "leads": rows[0]["leads"],
        "inbound_leads": rows[0]["inbound_leads"],
        "naive_leads": rows[0]["naive_leads"],
        "salesim_year_seconds": median(rows, "year_seconds"),
        "salesim_us_per_lead": us * statistics.median(r["year_seconds"] / r["leads"] for r in rows),
        "naive_year_seconds": median(rows, "naive_seconds"),
        "naive_us_per_lead": us * statistics.median(r["naive_seconds"] / r["naive_leads"] for r in rows),
        "naive_steps_per_lead": median(rows, "naive_steps_per_lead"),
        "ratio_per_lead": statistics.median(per_lead),
        "ratio_per_lead_range": [min(per_lead), max(per_lead)],
        "ratio_per_year": statistics.median(per_year),
        "whole_run_seconds": median(rows, "whole_seconds"),
        "whole_run_us_per_lead": us * statistics.median(r["whole_seconds"] / r["leads"] for r in rows),
        "whole_run_ratio_per_lead": statistics.median(whole),
        "phases_seconds": {
            "imports (once a process)": imports,
            "set-up": median(split, "set-up"),
            "warm-up (182 days)": median(split, "warm-up"),
            **{f"year: {phase}": seconds for phase, seconds in in_year.items()},
            "results (lead log, daily table, summary)": median(split, "results"),
        },
        "phases_whole_seconds": median(split, "whole_seconds"),
        "timer_overhead": median(split, "whole_seconds") / median(rows, "whole_seconds") - 1,
        "runs": rows,
        "phase_runs": split,
    }


def bench_org(name: str, repeats: int, collect: bool = True, days: int = YEAR) -> dict:
    """One organization: CPU seconds of a whole run (warm-up included) and per lead simulated."""
    inside, field, inbound = ORGS[name]
    data = child("org", inside=inside, field=field, inbound=inbound, repeats=repeats, collect=collect, days=days)
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
    """Wall time of ``runs`` one-year default runs on one process, then on all cores."""
    sys.path.insert(0, str(ROOT))
    from sim.experiments.runner import Task, default_workers, run_tasks, settle_process
    from sim.experiments.runs import replication_seeds, resolve

    settle_process()  # one process as the pool's workers are, so that only the cores differ
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


def report(summary: dict, repeats: int, cli_repeats: int, out: Path) -> None:
    """Print the benchmark's figures."""
    n = summary["against_naive"]
    lo, hi = n["ratio_per_lead_range"]
    print(f"CPU per lead, measured year of {n['scenario']}, medians of {repeats} runs:")
    leads = f"{n['leads']:,} leads, {n['inbound_leads']:,} inbound"
    print(f"  salesim          {n['salesim_us_per_lead']:6.1f} us  ({leads})")
    print(
        f"  naive reference  {n['naive_us_per_lead']:6.1f} us  ({n['naive_leads']:,} leads: the same inquiries, "
        f"each stepped on {n['naive_steps_per_lead']:.1f} days)"
    )
    print(f"  salesim / naive  {n['ratio_per_lead']:6.2f}x per lead (runs {lo:.2f}x-{hi:.2f}x), "
          f"{n['ratio_per_year']:.2f}x per year")  # fmt: skip
    print(
        f"  a whole sim.run (set-up, warm-up, year, results): {n['whole_run_seconds']:.3f} s CPU, "
        f"{n['whole_run_us_per_lead']:.1f} us per lead of its year ({n['whole_run_ratio_per_lead']:.2f}x the naive)"
    )
    print(f"\nwhere it goes (CPU seconds, medians; timers add {100 * n['timer_overhead']:+.0f}%):")
    total = n["phases_whole_seconds"]
    for phase, seconds in n["phases_seconds"].items():
        share = "" if phase.startswith("imports") else f"{100 * seconds / total:5.1f}%"
        print(f"  {phase:<44}{seconds:7.3f}  {share}")
    header = ("organization", "CPU s", "leads", "leads/s", "attempts/s", "us/lead", "peak MB")
    print(f"\n{header[0]:<12}" + "".join(f"{h:>12}" for h in header[1:]))
    for name, r in summary["organizations"].items():
        cells = (
            f"{r['seconds']:.3f}",
            f"{r['leads']:,}",
            f"{r['leads_per_second']:,.0f}",
            f"{r['attempts_per_second']:,.0f}",
            f"{r['microseconds_per_lead']:.1f}",
            f"{r['peak_rss_mb']:.0f}",
        )
        print(f"{name:<12}" + "".join(f"{c:>12}" for c in cells))
    print("(whole runs, the 26-week warm-up included; per lead simulated, the warm-up's too)")
    print(f"\ndaily table's overhead (default): {100 * summary['data_collection_overhead']:+.1f}%")
    print(f"cost per lead, large / default: {summary['scaling_large_over_default']:.2f}")
    t = summary["ten_year_default"]
    print(f"ten-year default run: {t['seconds']:.1f} s CPU, {t['leads']:,} leads, peak {t['peak_rss_mb']:.0f} MB")
    if summary["sweep"]:
        s = summary["sweep"]
        print(f"sweep of {s['runs']} one-year runs: {s['speedup']:.2f}x faster on {s['cores']} cores than on 1 (wall)")
    if summary["command_line"]:
        print(f"\ncommand line, wall time of the whole process (medians of {cli_repeats} rounds):")
        for name, r in summary["command_line"].items():
            print(f"  {name:<26}{r['seconds']:>8.3f} s")
    print(f"\nwritten to {out}")


def main() -> None:
    """Run the benchmark (or, with ``--child``, one of its parts in this fresh process)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--sweep-runs", type=int, default=200)
    parser.add_argument("--cli-repeats", type=int, default=9, help="Rounds of the command-line timings.")
    parser.add_argument("--out", default=str(ROOT / "outputs" / "bench" / "bench.json"))
    parser.add_argument("--child", nargs=2, metavar=("KIND", "JSON"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, kwargs = args.child
        print(json.dumps(globals()[f"child_{kind}"](**json.loads(kwargs))))
        return

    naive = against_naive(args.repeats)
    results = {name: bench_org(name, args.repeats) for name in ORGS}
    overhead = child("overhead", repeats=max(args.repeats, 9))
    ten_years = bench_org("default", 1, days=10 * YEAR)
    summary = {
        "against_naive": naive,
        "organizations": results,
        "data_collection_overhead": overhead["with"] / overhead["without"] - 1,
        "ten_year_default": {k: ten_years[k] for k in ("seconds", "leads", "peak_rss_mb")},
        "scaling_large_over_default": results["large"]["microseconds_per_lead"]
        / results["default"]["microseconds_per_lead"],
        "sweep": bench_sweep(args.sweep_runs) if args.sweep_runs else None,
        "command_line": bench_cli(args.cli_repeats) if args.cli_repeats else None,
        "repeats": args.repeats,
        "python": sys.version.split()[0],
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, indent=2) + "\n")
    report(summary, args.repeats, args.cli_repeats, out)


if __name__ == "__main__":
    main()
