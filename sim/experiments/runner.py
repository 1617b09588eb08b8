"""The one runner: tasks in, one table out, on any ``concurrent.futures`` executor.

A :class:`Task` is a scenario, a seed, labels that say what the run is (its
arm, replication, design point...) and what to keep of it (a *measure*: a
module-level function of the :class:`~sim.experiments.runs.RunResult`).
:func:`run_tasks` runs tasks in batches serially, on a local process pool or
on any executor (a Dask ``Client.get_executor()``), and returns a table with a
row per task, in task order: the labels, the seed, ``status`` ("ok" or
"failed") and ``error``, then what the measure kept. A run that raises is a
failed row, never a lost batch; an ``on_batch`` callback sees each batch as it
finishes (the sweep writes its parquet parts there). The numbers do not depend
on the executor, the number of workers or the batching (as in EMA Workbench,
the evaluator is interchangeable and results have one shape).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import itertools
import math
import multiprocessing
import os
import select
import signal
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from sim.config.scenario import Scenario
    from sim.experiments.runs import RunResult

Measure = Callable[["RunResult"], Mapping[str, Any]]
Row = dict[str, Any]

# Batches of short runs are grouped to last >= MIN_BATCH_SECONDS each, so a pool's overhead stays
# small: the first batches are sized from the plan's estimate of a run (sim.experiments.plan.run_seconds),
# the rest from the run times measured so far (BatchSizer). SECONDS_PER_DAY is the old fixed guess
# (kept for callers of this module; the runner no longer reads it).
SECONDS_PER_DAY = 0.15e-3
MIN_BATCH_SECONDS = 0.25
BATCHES_PER_WORKER = 16  # enough batches of what is left that no worker idles at the end
# Batches queued per worker: enough that none waits for work, few enough that the tasks not yet
# sent stay unbuilt (a study's tasks are made as they are sent) and Ctrl-C has little to cancel.
IN_FLIGHT_PER_WORKER = 2
# An executor given from outside (a Dask cluster) may have more workers than ``workers`` says: at least
# this many batches are kept queued there, so a large cluster is not starved.
EXTERNAL_IN_FLIGHT = 256
# Wall-clock seconds one run may take before it is stopped and recorded as failed: 100 times the
# 10-year default run (about 2 s), so only a run whose parameters make it crawl meets it.
RUN_TIME_LIMIT = 600.0


def summary(result: RunResult) -> Mapping[str, float]:
    """The default measure: every KPI of the run."""
    return result.summary


@dataclass(frozen=True)
class Task:
    """One run to do.

    Attributes:
        scenario: the validated scenario to run.
        seed: the run's root seed.
        labels: what the run is (e.g. ``{"scenario": "aligned", "replication": 3}``); copied into its row.
        measure: what to keep of the run (a module-level function: it travels to worker processes).
        time_limit: wall-clock seconds the run may take; past it the run is a failed row.
    """

    scenario: Scenario
    seed: int
    labels: Mapping[str, Any] = field(default_factory=dict)
    measure: Measure = summary
    time_limit: float | None = RUN_TIME_LIMIT


def run_task(task: Task) -> Row:
    """Run one task; a run that raises becomes a failed row (the error named), not an exception."""
    from sim.experiments.runs import run

    row: Row = {**task.labels, "seed": task.seed}
    try:
        kept = task.measure(run(task.scenario, seed=task.seed, time_limit=task.time_limit))
    except Exception as exc:  # recorded, not raised: one bad run must not stop the others
        return row | {"status": "failed", "error": f"{type(exc).__name__}: {exc}"}
    return row | {"status": "ok", "error": ""} | dict(kept)


def run_batch(batch: Sequence[tuple[int, Task]]) -> list[tuple[int, Row]]:
    """Run a batch of (position, task) pairs (the unit of work sent to an executor)."""
    return [(i, run_task(task)) for i, task in batch]


def run_batch_timed(batch: Sequence[tuple[int, Task]]) -> tuple[list[tuple[int, Row]], float]:
    """:func:`run_batch`, and the wall seconds it took where it ran (what the next batches are sized from)."""
    start = time.perf_counter()
    done = run_batch(batch)
    return done, time.perf_counter() - start


def default_workers() -> int:
    """One worker per core this process may use."""
    from sim.experiments.plan import cores

    return cores()


@functools.cache
def settle_process() -> None:
    """Take the objects alive now (the imported libraries) out of the cyclic collector's rounds.

    Python's collector otherwise walks every object of numpy, pandas, mesa and
    the rest (about 130,000) at each full collection: about 80 ms on the
    benchmark machine, nearly half a default one-year run, spent at random
    moments. Garbage is collected first, so none is frozen; frozen objects are
    still freed when nothing refers to them, but reference cycles among them
    (a model, for one) would never be. So this is for the start of a process
    that will run models, before any model exists: the ``salesim`` commands
    that simulate and each worker of a pool call it; a notebook or script may,
    right after its imports. Later calls do nothing. See docs/PERFORMANCE.md.
    """
    gc.collect()
    gc.freeze()


def settle_worker(parent: int | None = None, stopping: Any = None) -> None:
    """A worker process's start: import the model, then settle (pools and local Dask clusters).

    Args:
        parent: the process the worker works for (a pool's owner): the worker leaves Ctrl-C
            to it and exits as soon as it is gone, even killed (SIGKILL leaves it no time to
            stop its pool), so no worker outlives it holding memory and its terminal.
        stopping: the reading end of a pipe of the pool (:class:`WorkerPool`): once its writing
            end is closed (the pool stopped on Ctrl-C or SIGTERM, or its owner gone), the worker
            ends at once, mid-run.
    """
    # first, before the imports below (a second or more): Ctrl-C then printed a worker's traceback, and a
    # pool stopped then waited for its starting workers
    if parent is not None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent cancels the work and stops the pool
        threading.Thread(target=_exit_with, args=(parent,), daemon=True, name="exit-with-parent").start()
    if stopping is not None:
        threading.Thread(target=_exit_when, args=(stopping,), daemon=True, name="exit-when-stopped").start()
    import sim.experiments.runs  # noqa: F401  (import the model once, then freeze it with the rest)

    settle_process()


def _exit_when(stopping: Any) -> None:
    """Block until the pool's pipe is closed (nothing is ever written to it), then end this process at once."""
    with contextlib.suppress(EOFError, OSError):
        stopping.recv_bytes()
    os._exit(1)


def _exit_with(parent: int) -> None:
    """Block until ``parent`` ends, then end this process at once."""
    try:
        fd = os.pidfd_open(parent)  # Linux: readable when the process ends
    except (AttributeError, OSError):
        fd = None
    if fd is not None:
        select.select([fd], [], [])
    else:  # pragma: no cover - other systems: poll
        while True:
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                break
            time.sleep(0.5)
    os._exit(1)


class WorkerPool(ProcessPoolExecutor):
    """A pool of worker processes ready to run models, which :meth:`stop` ends at once.

    Workers start from a fork server (no fork of a process with threads) and
    settle themselves before their first run. Each watches the reading end of a
    pipe whose writing end only this process holds (public ``multiprocessing``,
    not the executor's private list of processes): :meth:`stop` closes it and
    every worker ends mid-run. A pipe, not an event: setting an event waits for
    every waiter to wake, and a waiter that was killed never does.
    """

    def __init__(self, workers: int) -> None:
        """A pool of ``workers`` processes started from a fork server."""
        context = multiprocessing.get_context("forkserver")
        stopping, self._stopper = context.Pipe(duplex=False)
        super().__init__(
            max_workers=workers, mp_context=context, initializer=settle_worker, initargs=(os.getpid(), stopping)
        )

    def stop(self) -> None:
        """Stop now: cancel what is queued and end the workers (their runs are lost)."""
        self._stopper.close()
        self.shutdown(wait=False, cancel_futures=True)


def process_pool(workers: int) -> WorkerPool:
    """A pool of worker processes ready to run models (:class:`WorkerPool`)."""
    return WorkerPool(workers)


def estimated_seconds(task: Task) -> float:
    """The plan's estimate of one run of ``task`` (sim.experiments.plan.run_seconds), before any is measured."""
    from sim.experiments.plan import run_seconds

    return run_seconds(task.scenario)


def batch_size(tasks: Sequence[Task], workers: int) -> int:
    """Tasks per batch before any run is measured: long enough to pay for the pool, many batches per worker."""
    if not tasks:
        return 1
    return BatchSizer(estimated_seconds(max(tasks, key=lambda t: t.scenario.simulation.days)), workers).size(len(tasks))


class BatchSizer:
    """Tasks per batch from the run times measured so far (the plan's estimate until the first batch ends).

    Attributes:
        guess: estimated seconds of one run, used until a batch has been measured.
        workers: processes the batches are shared among.
        seconds: wall seconds of the batches measured so far.
        runs: runs in them.
    """

    def __init__(self, guess: float, workers: int) -> None:
        """Size batches for ``workers`` processes, from ``guess`` seconds a run until runs are measured."""
        self.guess, self.workers = guess, max(workers, 1)
        self.seconds, self.runs = 0.0, 0

    def observe(self, runs: int, seconds: float) -> None:
        """Count a finished batch of ``runs`` runs that took ``seconds`` where it ran."""
        self.runs += runs
        self.seconds += seconds

    @property
    def per_run(self) -> float:
        """Seconds of one run: measured (the mean so far), or the guess."""
        return self.seconds / self.runs if self.runs else self.guess

    def size(self, remaining: int) -> int:
        """Tasks in the next batch, of ``remaining`` not yet sent: >= MIN_BATCH_SECONDS, smaller near the end."""
        by_time = math.ceil(MIN_BATCH_SECONDS / max(self.per_run, 1e-6))
        by_spread = max(1, remaining // (BATCHES_PER_WORKER * self.workers))
        return max(1, min(by_time, by_spread))


def run_tasks(
    tasks: Iterable[Task],
    workers: int | None = None,
    executor: Executor | None = None,
    progress: bool = False,
    desc: str = "runs",
    on_batch: Callable[[list[Row]], None] | None = None,
    per_batch: int | None = None,
    total: int | None = None,
    keep: bool = True,
) -> pd.DataFrame:
    """Run every task and return one row per task, in task order.

    Tasks are taken from ``tasks`` as batches are sent, a few batches ahead of the workers: a
    generator's tasks are made only then, so a large study never holds them all.

    Args:
        tasks: the runs to do (a sequence, or an iterable of ``total`` tasks).
        workers: processes of a local pool (default: all cores; 1, or a single task, runs serially here).
        executor: any ``concurrent.futures.Executor`` to use instead of a local pool.
        progress: show a progress bar.
        desc: the progress bar's label (the phase of the work).
        on_batch: called with each finished batch's rows, in the order batches finish.
        per_batch: tasks per batch (default: sized from the runs' measured times, :class:`BatchSizer`).
        total: how many tasks ``tasks`` yields (needed only when it has no length).
        keep: keep every row for the returned table; False when ``on_batch`` stores them (a sweep
            streams them to disk): the table returned is then empty.

    Returns:
        The labels, ``seed``, ``status``, ``error`` and the measured values of every task.
    """
    import pandas as pd
    from tqdm import tqdm

    if total is None:
        tasks = tasks if isinstance(tasks, Sequence) else list(tasks)
        total = len(tasks)
    workers = default_workers() if workers is None else workers
    numbered = enumerate(tasks)
    first = next(numbered, None)
    if first is None:
        return pd.DataFrame([])
    sizer = BatchSizer(estimated_seconds(first[1]), workers)
    sent = 0

    def next_batch() -> list[tuple[int, Task]]:
        nonlocal first, sent
        size = per_batch or sizer.size(total - sent)
        batch = [first] if first is not None else []
        first = None
        batch += itertools.islice(numbered, size - len(batch))
        sent += len(batch)
        return batch

    rows: list[Row | None] = [None] * total if keep else []
    bar = tqdm(total=total, desc=desc, unit="run", disable=not progress, leave=False)

    def take(done: list[tuple[int, Row]], seconds: float) -> None:
        sizer.observe(len(done), seconds)
        if keep:
            for i, row in done:
                rows[i] = row
        if on_batch is not None:
            on_batch([row for _, row in done])
        bar.update(len(done))

    try:
        if executor is None and (workers <= 1 or total <= 1):
            while batch := next_batch():
                take(*run_batch_timed(batch))
        elif executor is not None:
            _drain(executor, next_batch, take, max(workers * IN_FLIGHT_PER_WORKER, EXTERNAL_IN_FLIGHT))
        else:
            pool = process_pool(workers)
            try:
                _drain(pool, next_batch, take, workers * IN_FLIGHT_PER_WORKER)
            except BaseException:
                stop_pool(pool)  # Ctrl-C: within a second, not after the batches already queued
                raise
            pool.shutdown()
    finally:
        bar.close()
    return pd.DataFrame(rows)


def stop_pool(pool: WorkerPool) -> None:
    """Stop a process pool now: cancel what is queued and end its workers (their runs are lost)."""
    pool.stop()


def _drain(
    pool: Executor,
    next_batch: Callable[[], list[tuple[int, Task]]],
    take: Callable[[list[tuple[int, Row]], float], None],
    in_flight: int,
) -> None:
    """Keep ``in_flight`` batches submitted to ``pool`` until ``next_batch`` has none left, taking each result."""
    pending: set[Future] = set()

    def submit() -> None:
        batch = next_batch()
        if batch:
            pending.add(pool.submit(run_batch_timed, batch))

    try:
        for _ in range(max(in_flight, 1)):
            submit()
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                pending.discard(future)
                take(*future.result())
                submit()
    except BaseException:
        for future in pending:  # stop what has not started (Ctrl-C, or an error in on_batch)
            future.cancel()
        raise


def failures(table: pd.DataFrame) -> pd.DataFrame:
    """The failed rows of a runner table."""
    return table[table["status"] != "ok"]


class RunFailed(RuntimeError):
    """Runs of an experiment that needs every run failed (a bug: exit code 1)."""


def require_ok(table: pd.DataFrame, what: str) -> pd.DataFrame:
    """The table, if every run succeeded; else RunFailed naming the first failure."""
    failed = failures(table)
    if len(failed):
        first = failed.iloc[0]
        labels = ", ".join(f"{k}={v}" for k, v in first.items() if k not in ("status", "error") and not _is_data(v))
        raise RunFailed(f"{what}: {len(failed)} of {len(table)} runs failed; first ({labels}): {first['error']}")
    return table


def _is_data(value: Any) -> bool:
    return hasattr(value, "__len__") and not isinstance(value, str)
