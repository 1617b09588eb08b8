"""The one runner: tasks in, one table out, the same numbers on any executor."""

import math
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest

from sim.experiments.runner import MIN_BATCH_SECONDS, BatchSizer, RunFailed, Task, batch_size, require_ok, run_tasks
from sim.experiments.runs import replication_seeds, resolve


def _tasks(days: int = 15) -> list[Task]:
    arms = [resolve("misaligned", days, ()), resolve("aligned", days, ())]
    return [Task(arm, s, {"scenario": arm.name, "replication": i}) for arm in arms
            for i, s in enumerate(replication_seeds(4, 3))]  # fmt: skip


def test_one_row_per_task_in_task_order_with_labels_status_and_kpis():
    tasks = _tasks()
    table = run_tasks(tasks, workers=1)
    assert len(table) == len(tasks)
    assert list(table["scenario"]) == [t.labels["scenario"] for t in tasks]
    assert list(table["seed"]) == [t.seed for t in tasks]
    assert (table["status"] == "ok").all() and (table["error"] == "").all()
    assert {"revenue", "leads_created", "prospect_satisfaction"} <= set(table.columns)


def test_the_same_numbers_serial_pooled_threaded_and_in_any_batching():
    tasks = _tasks()
    serial = run_tasks(tasks, workers=1)
    pooled = run_tasks(tasks, workers=2)
    with ThreadPoolExecutor(2) as executor:
        threaded = run_tasks(tasks, executor=executor, per_batch=1)
    pd.testing.assert_frame_equal(serial, pooled)
    pd.testing.assert_frame_equal(serial, threaded)


def _explode(result):
    raise ZeroDivisionError("boom")


def test_a_failing_run_is_a_failed_row_and_the_others_go_on():
    tasks = _tasks()
    tasks[2] = Task(tasks[2].scenario, tasks[2].seed, tasks[2].labels, _explode)
    batches = []
    table = run_tasks(tasks, workers=1, per_batch=2, on_batch=batches.append)
    assert list(table["status"]) == ["ok", "ok", "failed", "ok", "ok", "ok"]
    assert table.loc[2, "error"] == "ZeroDivisionError: boom"
    assert [len(b) for b in batches] == [2, 2, 2]  # on_batch saw every batch, the failed run's too
    with pytest.raises(RunFailed, match=r"1 of 6 runs failed.*replication=2.*boom"):
        require_ok(table, "test")


def test_batches_are_long_enough_and_many_enough():
    year = [Task(resolve("aligned", 250, ()), s) for s in range(200)]
    week = [Task(resolve("aligned", 5, ("simulation.warmup_days=0",)), s) for s in range(200)]  # a short run
    assert batch_size(year, 2) <= 200 // (16 * 2)  # >= 16 batches per worker
    assert batch_size(week, 2) > batch_size(year, 2)  # short runs are grouped
    assert batch_size([], 2) == 1


def test_batches_are_sized_from_the_runs_measured_not_a_fixed_guess():
    sizer = BatchSizer(guess=1.0, workers=2)
    assert sizer.size(10_000) == 1  # a run of a second: one a batch
    sizer.observe(runs=4, seconds=0.2)  # measured: 50 ms a run
    assert sizer.size(10_000) == math.ceil(MIN_BATCH_SECONDS / 0.05)
    assert sizer.size(40) == 1  # near the end: small batches, so that no worker idles
    sizer.observe(runs=4, seconds=7.8)  # slower than thought: 1 s a run on average
    assert sizer.size(10_000) == 1


def test_tasks_are_taken_as_batches_are_sent_a_few_ahead_of_the_workers():
    made = []

    def tasks():
        for task in _tasks():
            made.append(task)
            yield task

    seen = []

    def on_batch(rows):
        seen.append(len(made))

    table = run_tasks(tasks(), workers=1, per_batch=2, on_batch=on_batch, total=6)
    assert seen == [2, 4, 6]  # the serial runner makes each batch's tasks just before running them
    assert len(table) == 6 and (table["status"] == "ok").all()
    assert run_tasks(_tasks(), workers=1, keep=False, on_batch=lambda rows: None).empty  # rows left to on_batch
