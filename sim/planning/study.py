"""``plan()``: a plan spec in, the front and the recommended plan out, resumable in its folder.

The folder holds a manifest (the spec, today's organization as resolved and the versions,
fingerprinted) and every run in ``runs.parquet/``: the same command after a kill, or with a
larger ``--budget``, runs none of the stored runs again and takes the same steps; a folder of
another spec is refused (``fresh`` starts over).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sim.config.errors import Interrupted
from sim.config.scenario import Scenario, scenario_to_dict
from sim.experiments.files import write_json
from sim.experiments.outputs import claim
from sim.experiments.plan import LONG_SECONDS, MAX_RUNS, Work
from sim.experiments.runner import default_workers, process_pool, stop_pool
from sim.experiments.runs import versions
from sim.planning.answer import Answer, answer
from sim.planning.decisions import Variable, variables
from sim.planning.evaluate import STORE, Store, design
from sim.planning.search import Searcher, generations_within, planned_work, search
from sim.planning.spec import PlanError, PlanSpec, check_plan_spec, load_plan_spec

MANIFEST = "manifest.json"


@dataclass
class PlanResult:
    """A finished plan: the search, its answer, and where they are written."""

    spec: PlanSpec
    base: Scenario
    variables: list[Variable]
    searcher: Searcher
    answer: Answer
    folder: Path
    seconds: float


def prepare(spec: PlanSpec | str | Path) -> tuple[PlanSpec, Scenario]:
    """The checked spec and today's organization over its horizon."""
    if isinstance(spec, PlanSpec):
        return spec, check_plan_spec(spec)
    return load_plan_spec(spec)


def plan_work(spec: PlanSpec, base: Scenario, budget: int | None, workers: int | None = None) -> tuple[int, Work]:
    """The generations the budget allows and the runs they may take; PlanError past the limits."""
    generations = generations_within(spec, base, budget) if budget is not None else spec.search.generations
    work = planned_work(spec, base, generations, workers)
    if work.runs > MAX_RUNS or work.seconds > LONG_SECONDS:
        raise PlanError(
            f"{work.line()}; more than one command takes ({MAX_RUNS:,} runs or a day of work): give a --budget, "
            "or fewer generations, plans, sets or markets"
        )
    return generations, work


def digest(spec: PlanSpec, base: Scenario) -> str:
    """A fingerprint of the spec, today's organization as resolved and the versions that shape the numbers."""
    text = json.dumps([spec.model_dump(mode="json"), scenario_to_dict(base), versions()], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def claim_folder(spec: PlanSpec, base: Scenario, out: str | Path | None, fresh: bool) -> Path:
    """The plan's folder: new, or holding this spec's runs (resumed); another spec's or the user's is refused."""
    folder = claim(out, "plan", spec.name).path
    manifest, mine = folder / MANIFEST, digest(spec, base)
    if fresh:
        shutil.rmtree(folder / STORE, ignore_errors=True)
        manifest.unlink(missing_ok=True)
    if manifest.is_file():
        try:
            old = json.loads(manifest.read_text())
        except (OSError, ValueError):
            old = {}
        if not isinstance(old, dict) or old.get("command") != "plan":
            raise PlanError(f"--out {folder}: holds another command's results; use another --out")
        if old.get("digest") != mine:
            raise PlanError(
                f"--out {folder}: holds the runs of another plan spec, base scenario or versions "
                f"({old.get('spec', {}).get('name')}); use another --out, or --fresh to start over"
            )
        return folder
    if any(p.name != ".write-test" for p in folder.iterdir()):
        raise PlanError(f"--out {folder}: holds files salesim's plan did not write; use another --out")
    write_json(manifest, {"command": "plan", "digest": mine, "spec": spec.model_dump(mode="json"),
                          "base": scenario_to_dict(base), "versions": versions()})  # fmt: skip
    return folder


@contextmanager
def one_pool(workers: int) -> Iterator[Executor]:
    """A process pool for the whole search, stopped at once on Ctrl-C or an error (its workers end)."""
    pool = process_pool(workers)
    try:
        yield pool
    except BaseException:
        stop_pool(pool)
        raise
    pool.shutdown()


def plan(
    spec: PlanSpec | str | Path,
    out: str | Path | None = None,
    budget: int | None = None,
    workers: int | None = None,
    executor: Executor | Literal["processes", "dask", "serial"] = "processes",
    scheduler: str | None = None,
    fresh: bool = False,
    progress: bool = False,
) -> PlanResult:
    """Search for the plan, write its answer, and return both.

    Args:
        spec: a PlanSpec or the path of its YAML file.
        out: output folder (default ``outputs/plan/<name>``).
        budget: the most runs the search may take (default: the spec's generations, whatever they take).
        workers: processes (default: all cores).
        executor: an Executor, "processes" (a local pool), "dask" (``scheduler``'s cluster, or a local
            one started here) or "serial".
        scheduler: address of a running Dask scheduler.
        fresh: discard the runs of an earlier search in ``out`` instead of resuming.
        progress: progress bars naming the generation and the best plan so far.
    """
    from sim.experiments.sweep import dask_executor
    from sim.planning.outputs import write_plan

    spec, base = prepare(spec)
    generations, _ = plan_work(spec, base, budget, workers)
    folder = claim_folder(spec, base, out, fresh)
    found = variables(spec, base)
    store = Store(folder)
    start = time.perf_counter()
    try:
        if executor == "dask":
            with dask_executor(workers or default_workers(), scheduler) as pool:
                searcher = search(spec, base, found, design(spec, base), store, generations, workers, pool, progress)
        elif executor == "processes" and (workers or default_workers()) > 1:
            with one_pool(workers or default_workers()) as pool:  # one pool for every generation: workers start once
                searcher = search(spec, base, found, design(spec, base), store, generations, workers, pool, progress)
        else:
            given = None if isinstance(executor, str) else executor
            count = 1 if executor == "serial" else workers
            searcher = search(spec, base, found, design(spec, base), store, generations, count, given, progress)
    except KeyboardInterrupt as exc:
        raise Interrupted(
            f"{str(exc) or 'interrupted'}: {len(store.runs):,} runs are kept in {folder / STORE}; "
            "the same command resumes"
        ) from None
    result = PlanResult(spec, base, found, searcher, answer(searcher, found), folder, time.perf_counter() - start)
    write_plan(result)
    return result
