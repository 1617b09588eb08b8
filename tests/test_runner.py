"""The one runner: tasks in, one table out, the same numbers on any executor."""

from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest

from sim.experiments.runner import RunFailed, Task, batch_size, require_ok, run_tasks
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
    week = [Task(resolve("aligned", 5, ()), s) for s in range(200)]
    assert batch_size(year, 2) <= 200 // (16 * 2)  # >= 16 batches per worker
    assert batch_size(week, 2) > batch_size(year, 2)  # short runs are grouped
    assert batch_size([], 2) == 1
