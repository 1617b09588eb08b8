import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim.experiments.sensitivity import analyze
from sim.experiments.sweep import PART_SECONDS, SweepError, SweepSpec, design_points, load_spec, sweep

SALESIM = str(Path(sys.executable).parent / "salesim")
SWEEPS = Path(__file__).parent.parent / "scenarios" / "sweeps"


def write(tmp_path, text, name="spec.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def cold(tmp_path, text):
    """The spec with ``defined`` started cold (no warm-up): the subject is the sweep's plumbing, not a steady state.

    A run without the 26-week warm-up is about 10 times cheaper; the sweep runs it like any other.
    """
    base = tmp_path / "defined_cold.yaml"
    base.write_text("name: defined_cold\nextends: defined\nsimulation: {warmup_days: 0}\n")
    return text.replace("base: defined\n", f"base: {base}\n")


WITH_BAD_POINTS = """
name: tiny_grid
base: defined
design: grid
parameters:
  handoff.sla_hours: {values: [2, 0, 16]}   # 0 is invalid: those runs must fail, not stop the sweep
  handoff.mode: {values: [cold, warm]}
replications: 2
days: 15
kpis: [revenue, leads_handed_off]
"""
GRID = WITH_BAD_POINTS.replace("[2, 0, 16]", "[2, 4, 16]")


@pytest.mark.parametrize("name", ["sla_feedback_grid", "market_lhs", "alignment_sobol"])
def test_example_specs_are_valid(name):
    spec = load_spec(SWEEPS / f"{name}.yaml")
    points = design_points(spec)
    assert len(points) > 10 and list(points.columns[1:]) == list(spec.parameters)


def test_designs_have_the_expected_size(tmp_path):
    base = (
        "name: s\nbase: aligned\nparameters:\n"
        "  handoff.sla_hours: {range: [1, 10]}\n  handoff.mode: {values: [cold, warm]}\n"
    )
    sizes = {"lhs": 12, "sobol": 8 * (2 + 2), "morris": 5 * (2 + 1)}
    for design, expected in sizes.items():
        samples = {"lhs": 12, "sobol": 8, "morris": 5}[design]
        spec = load_spec(write(tmp_path, base + f"design: {design}\nsamples: {samples}\n"))
        points = design_points(spec)
        assert len(points) == expected, design
        assert points["handoff.sla_hours"].between(1, 10).all()
        assert set(points["handoff.mode"]) <= {"cold", "warm"}


def test_results_failures_and_resume(tmp_path, monkeypatch):
    with pytest.raises(SweepError, match=r"sla_hours"):  # load_spec checks every value
        load_spec(write(tmp_path, WITH_BAD_POINTS))
    with pytest.raises(SweepError, match=r"sla_hours"):  # and so does a sweep of a spec built in Python
        sweep(SweepSpec.model_validate(yaml.safe_load(WITH_BAD_POINTS)), tmp_path / "bad", executor="serial")
    # a run that raises (here every run at a 1-hour SLA) is a failed row, not the end of the sweep
    import sim.experiments.runs as runs

    real = runs.run

    def flaky(scenario, *args, **kwargs):
        if scenario.handoff.sla_hours == 1:
            raise RuntimeError("a run broke at sla_hours 1")
        return real(scenario, *args, **kwargs)

    monkeypatch.setattr(runs, "run", flaky)
    spec = SweepSpec.model_validate(yaml.safe_load(cold(tmp_path, WITH_BAD_POINTS.replace("[2, 0, 16]", "[2, 1, 16]"))))
    out = tmp_path / "out"
    first = sweep(spec, out, executor="serial", max_runs=5)
    assert first.done == 5
    rest = sweep(spec, out, executor="serial")
    assert rest.skipped == 5 and rest.done == 7
    results = pd.read_parquet(out / "results.parquet")
    assert sorted(results["run_id"]) == list(range(12))  # none lost, none duplicated
    failed = results[results["status"] == "failed"]
    assert set(failed["handoff.sla_hours"]) == {1} and len(failed) == 4
    assert failed["error"].str.contains("sla_hours 1").all()
    assert {"run_id", "point_id", "replication", "seed", "revenue", "status", "error"} <= set(results.columns)
    # replication r of every point shares a seed (common random numbers)
    assert results.groupby("replication")["seed"].nunique().eq(1).all()
    # the workbook holds every run with the same numbers, and each point's mean
    book = pd.read_excel(out / "sweep.xlsx", sheet_name=None)
    runs = book["runs"].sort_values("run_id").reset_index(drop=True)
    ok = results.sort_values("run_id").reset_index(drop=True)
    assert len(runs) == 12 and runs["revenue"].fillna(-1).tolist() == pytest.approx(ok["revenue"].fillna(-1).tolist())
    assert {"inputs", "design points", "point means"} <= set(book)


def test_serial_pool_and_dask_give_identical_numbers(tmp_path):
    spec = load_spec(write(tmp_path, cold(tmp_path, GRID.replace("0, 16", "4, 16"))))
    frames = []
    for executor in ("serial", "processes", "dask"):
        out = tmp_path / executor
        sweep(spec, out, executor=executor, workers=2)
        frames.append(pd.read_parquet(out / "results.parquet").sort_values("run_id").reset_index(drop=True))
    pd.testing.assert_frame_equal(frames[0], frames[1])
    pd.testing.assert_frame_equal(frames[0], frames[2])


def test_a_different_spec_is_refused_and_fresh_starts_over(tmp_path):
    out = tmp_path / "out"
    sweep(
        load_spec(write(tmp_path, cold(tmp_path, GRID.replace("0, 16", "4, 16")))), out, executor="serial", max_runs=2
    )
    other = load_spec(write(tmp_path, cold(tmp_path, GRID.replace("tiny_grid", "other_grid")), "other.yaml"))
    with pytest.raises(SweepError, match="different spec"):
        sweep(other, out, executor="serial")
    result = sweep(other, out, executor="serial", fresh=True, max_runs=3)
    assert result.skipped == 0 and len(result.results) == 3


def test_sweep_survives_sigkill_and_resumes_without_loss(tmp_path):
    spec = write(
        tmp_path, cold(tmp_path, GRID.replace("days: 15", "days: 120").replace("replications: 2", "replications: 4"))
    )
    out = tmp_path / "out"
    cmd = [SALESIM, "sweep", str(spec), "--out", str(out), "--workers", "1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline and not list((out / "results.parquet").glob("part-*.parquet")):  # the first batch
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = len(pd.read_parquet(out / "results.parquet"))
    assert 0 < partial < 24
    assert not list((out / "results.parquet").glob("*.tmp"))  # only complete parts are visible
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    assert "skipped" in res.stdout
    results = pd.read_parquet(out / "results.parquet")
    assert sorted(results["run_id"]) == list(range(24))


def test_sensitivity_of_grid_and_sobol(tmp_path):
    grid = load_spec(write(tmp_path, cold(tmp_path, GRID.replace("0, 16", "4, 16"))))
    sweep(grid, tmp_path / "g", executor="serial")
    heat = analyze(tmp_path / "g", "leads_handed_off")
    assert heat.method == "grid" and len(heat.table) == 6  # 3 SLAs x 2 handoffs, each with its interval
    assert {"mean", "ci_low", "ci_high", "runs"} <= set(heat.table.columns) and (heat.table["runs"] == 2).all()
    runs = pd.read_parquet(tmp_path / "g" / "results.parquet")
    cell = runs[(runs["handoff.sla_hours"] == 4) & (runs["handoff.mode"] == "warm")]["leads_handed_off"]
    row = heat.table[(heat.table["handoff.sla_hours"] == 4) & (heat.table["handoff.mode"] == "warm")].iloc[0]
    assert row["mean"] == pytest.approx(cell.mean()) and row["ci_low"] <= row["mean"] <= row["ci_high"]
    sobol = write(
        tmp_path,
        f"name: sob\nbase: {tmp_path / 'defined_cold.yaml'}\ndesign: sobol\nsamples: 4\ndays: 10\nreplications: 1\n"
        "kpis: [marketing_cost, leads_handed_off]\n"
        "parameters:\n  handoff.sla_hours: {range: [1, 20]}\n"
        "  qualification.standard_set_by: {values: [marketing, sales]}\n",
        "sobol.yaml",
    )
    sweep(load_spec(sobol), tmp_path / "s", workers=2)
    with pytest.raises(SweepError, match="does not vary"):
        analyze(tmp_path / "s", "marketing_cost")  # the same inquiries whatever the SLA or the standard
    result = analyze(tmp_path / "s", "leads_handed_off")
    assert list(result.table.columns) == ["parameter", "S1", "S1_conf", "ST", "ST_conf"]
    with pytest.raises(SweepError, match="kept"):
        analyze(tmp_path / "s", "margin")


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("name: x\nbase: aligned\ndesign: grid\nparameters: {handoff.sla_hours: {range: [1, 2]}}\n", "needs values"),
        ("name: x\nbase: aligned\ndesign: lhs\nparameters: {handoff.sla_hour: {range: [1, 2]}}\n", "did you mean"),
        (
            "name: x\nbase: aligned\ndesign: sobol\nsamples: 6\nparameters: {handoff.sla_hours: {range: [1, 2]}}\n",
            "power of 2",
        ),
        ("name: x\nbase: aligned\ndesign: lhs\nparameters: {handoff.sla_hours: {range: [3, 2]}}\n", "low < high"),
        (
            "name: x\nbase: aligned\ndesign: lhs\nkpis: [revenu]\nparameters: {handoff.sla_hours: {range: [1, 2]}}\n",
            "unknown KPI",
        ),
        ("name: x\nbase: aligned\ndesign: fractal\nparameters: {handoff.sla_hours: {range: [1, 2]}}\n", "design"),
        (
            "name: x\nbase: alinged\ndesign: lhs\nparameters: {handoff.sla_hours: {range: [1, 2]}}\n",
            "did you mean aligned",
        ),
        (
            "name: x\nbase: aligned\ndesign: lhs\nreplicates: 3\nparameters: {handoff.sla_hours: {range: [1, 2]}}\n",
            "replicates",
        ),
    ],
)
def test_bad_specs_are_one_line_exit_2(tmp_path, text, needle):
    spec = write(tmp_path, text)
    res = subprocess.run([SALESIM, "sweep", str(spec)], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert res.returncode == 2
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in res.stderr, res.stderr
    assert needle in lines[0] and "spec.yaml" in lines[0]


def test_sweep_values_reach_the_scenario_as_numbers(tmp_path):
    """Sampled values are set as Python values: 1e-05 is a number, not the YAML string '1e-05'."""
    spec = write(
        tmp_path,
        """
name: tiny_rates
base: aligned
design: grid
parameters:
  behavior.learning_rate: {values: [1.0e-5, 0.2]}
replications: 1
seed: 1
days: 20
""",
    )
    result = sweep(spec, out=tmp_path / "out", workers=1, executor="serial")
    assert result.failed == 0


def test_a_grid_never_averages_silently_over_a_parameter(tmp_path):
    three = GRID.replace("  handoff.mode: {values: [cold, warm]}", "  handoff.mode: {values: [cold, warm]}\n"
                         "  feedback.mode: {values: [none, periodic]}").replace("0, 16", "4")  # fmt: skip
    sweep(load_spec(write(tmp_path, cold(tmp_path, three))), tmp_path / "g", executor="serial")
    with pytest.raises(SweepError, match=r"would average over feedback\.mode"):
        analyze(tmp_path / "g", "revenue")
    averaged = analyze(tmp_path / "g", "revenue", average=("feedback.mode",))
    assert (averaged.table["runs"] == 4).all()  # two feedback modes x two replications per cell


def test_many_short_runs_stream_to_a_few_parts(tmp_path):
    # issue 35: batches sized for 55 ms runs and a part per batch wrote about a file per run pair
    spec = GRID.replace("replications: 2", "replications: 15").replace("days: 15", "days: 2")  # 90 short runs
    result = sweep(load_spec(write(tmp_path, cold(tmp_path, spec))), tmp_path / "out", executor="serial")
    parts = list((tmp_path / "out" / "results.parquet").glob("part-*.parquet"))
    assert result.done == 90 and sorted(result.results["run_id"]) == list(range(90))
    assert len(parts) <= 1 + math.ceil(result.seconds / PART_SECONDS)  # the first batch, then one every 10 s
