"""salesim plan against truth with the model itself: a grid's optimum, a kill and its resume (slow)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.experiments.runner import run_tasks
from sim.planning.decisions import variables
from sim.planning.evaluate import Store, design
from sim.planning.search import Searcher, search
from sim.planning.spec import PlanSpec, check_plan_spec
from tests.test_plan import write_spec

SALESIM = str(Path(sys.executable).parent / "salesim")
HIRES = range(9)


@pytest.mark.slow
def test_the_field_headcount_a_dense_grid_finds_is_found_within_one_step(tmp_path):
    """Field reps hired now, 0-8: the grid's best mean operating profit, and the search's within one rep of it."""
    spec = PlanSpec.model_validate(
        {
            "name": "headcount",
            "base": "defined",
            "horizon": {"years": 1},
            "hiring": [{"team": "east", "quarters": [1], "high": max(HIRES)}],
            "objectives": [{"kpi": "operating_profit", "stat": "mean"}],
            "uncertainty": {"sets": 2, "markets": 3, "range_scale": 0.0, "market": False},
            "search": {"population": 4, "generations": 3},
        }
    )
    base = check_plan_spec(spec)
    found = variables(spec, base)
    store, plan_design = Store(tmp_path), design(spec, base)

    def run(tasks, phase):
        run_tasks(tasks, 2, None, False, phase, on_batch=store.record)
        return len(tasks)

    grid = Searcher(spec, base, found, plan_design, store, run)
    grid.today()
    for hired in HIRES:  # the dense grid, every plan on every set and market (kept in the store)
        grid.grant([grid.candidate({"hire.east.field_reps.q1": hired}, 0)], 3, f"grid: {hired} hired")
    profit = {h: grid.value(grid.candidate({"hire.east.field_reps.q1": h}, 0).key, "operating_profit", "mean")
              for h in HIRES}  # fmt: skip
    best_on_grid = max(HIRES, key=lambda h: profit[h])
    searched = search(spec, base, found, plan_design, store, 3, 2, None, False)
    best = searched.candidates[searched.best()].plan["hire.east.field_reps.q1"]  # type: ignore[index]
    assert abs(best - best_on_grid) <= 1, (best, best_on_grid, profit)
    assert searched.runs == 0  # every plan it tried was on the grid: nothing run twice


@pytest.mark.slow
def test_a_killed_plan_resumes_to_the_plan_an_uninterrupted_one_gives(tmp_path):
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    whole.mkdir()
    killed.mkdir()
    path = write_spec(whole)
    shutil.copy(path, killed / path.name)
    shutil.copy(whole / "small.yaml", killed / "small.yaml")
    done = subprocess.run([SALESIM, "plan", path.name, "--workers", "1", "--out", "out"], cwd=whole,
                          capture_output=True, text=True, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr
    cmd = [SALESIM, "plan", path.name, "--workers", "2", "--out", "out"]
    proc = subprocess.Popen(cmd, cwd=killed, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list((killed / "out" / "runs.parquet").glob("*.parquet"))) < 2:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    assert not (killed / "out" / "plan.json").exists()
    again = subprocess.run(cmd, cwd=killed, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    first = json.loads((whole / "out" / "plan.json").read_text())
    second = json.loads((killed / "out" / "plan.json").read_text())
    assert second["front"] == first["front"] and second["recommended"]["decisions"] == first["recommended"]["decisions"]
    assert 0 < second["search"]["runs_this_call"] < first["search"]["runs_this_call"]
