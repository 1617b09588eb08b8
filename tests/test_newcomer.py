"""A newcomer's first ten minutes: ``make demo`` installs what the demo needs, the demo says what it
runs and about how long before it starts, names its baseline, gives no percentage of a quantity
that crosses zero and ends with the next steps; ``make test`` says how many tests it runs.
"""

from __future__ import annotations

import math
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import sim.experiments.compare as compare_module
from sim.config.scenario import load_scenario
from sim.experiments.compare import percent_change
from tests.console import salesim_in_process

ROOT = Path(__file__).resolve().parent.parent


def test_a_percentage_only_of_a_quantity_never_negative_against_a_positive_baseline():
    base = pd.Series([100.0, 120.0])
    assert percent_change(22.0, base, pd.Series([100.0, 120.0, 0.0, 150.0])) == pytest.approx(20.0)
    assert math.isnan(percent_change(22.0, base, pd.Series([100.0, 120.0, -5.0])))  # crosses zero in a run
    assert math.isnan(percent_change(22.0, pd.Series([0.0, 0.0]), pd.Series([0.0, 3.0])))  # nothing to divide by
    assert math.isnan(percent_change(22.0, pd.Series([math.nan]), pd.Series([math.nan])))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    """``salesim demo -n 2`` with its runs shrunk (cold starts of 30 days): the words around them are the subject."""
    real = compare_module.compare

    def cheap(names, n, explain, **kwargs):
        shrink = ["simulation.warmup_days=0", "simulation.days=30"]
        quick = [load_scenario(s, shrink) for s in names]
        pair = tuple(load_scenario(s, shrink) for s in explain)
        return real(quick, n=n, workers=1, explain=pair)

    folder = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(compare_module, "compare", cheap)
        proc = salesim_in_process("demo", "-n", "2", "--workers", "1", "--out", "out", cwd=folder)
    return proc, folder


def test_the_demo_says_what_it_runs_and_about_how_long_before_it_starts(demo):
    proc, _ = demo
    assert proc.returncode == 0, proc.stderr
    first = proc.stdout.splitlines()[:2]
    assert first[0].startswith("salesim demo: field_only, misaligned, defined, aligned, integrated compared")
    assert re.fullmatch(
        r"  5 scenarios \+ 13 one-lever variants x 2 markets: 36 runs, about \d+ (seconds|minutes) here on 1 worker\.",
        first[1],
    )


def test_the_demo_heads_its_table_with_its_baseline_and_no_percentage_of_a_quantity_crossing_zero(demo):
    proc, folder = demo
    lines = proc.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("Each scenario against"))
    assert "field_only (the baseline), on the same 2 markets" in lines[header]
    assert lines[0].startswith("salesim demo") and "Changing Misaligned into Aligned" in proc.stdout  # its own base
    table = pd.read_csv(folder / "out" / "comparison.csv")
    runs = pd.read_csv(folder / "out" / "replications.csv")
    blocks: dict[str, list[str]] = {}
    label = None
    for line in lines[header + 1 :]:
        if not line.strip():
            break
        if not line.startswith("  "):
            label = line
            blocks[label] = []
        elif label is not None:
            blocks[label].append(line)
    from sim.measure.kpis import COMPARISON_KPIS
    from sim.present.names import heading_label

    crossed = 0
    for name in COMPARISON_KPIS:
        rows = blocks[heading_label(name)]
        part = table[table["kpi"] == name]
        if (runs[name] < 0).any():  # some run is below zero: no percentage, in the table or the CSV
            crossed += 1
            assert not any("%)" in row for row in rows), rows
            assert part["delta_pct"].isna().all()
        elif (runs[name] > 0).all():
            assert all("%)" in row for row in rows[1:]), rows
    assert crossed, "a demo this short makes a loss somewhere: the check above must have run"


def test_the_demo_ends_with_the_next_steps(demo):
    proc, folder = demo
    tail = proc.stdout[proc.stdout.index("Next steps:") :]
    report = folder / "out" / "report.html"
    assert report.is_file() and str(report.resolve()) in tail
    assert "dashboard" in tail and "extends: aligned" in tail and "report misaligned my_org.yaml" in tail
    assert proc.stdout.rstrip().endswith("report misaligned my_org.yaml")


def _dry_run(target: str, tmp_path: Path) -> str:
    """The commands ``make TARGET`` would run for a venv that does not exist yet (make -n: nothing runs)."""
    venv = tmp_path / "venv"
    proc = subprocess.run(
        ["make", "-n", target, f"VENV={venv}"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    return proc.stdout


def test_make_demo_installs_only_what_the_demo_needs_and_make_test_the_extras(tmp_path):
    demo = _dry_run("demo", tmp_path)
    installs = [line for line in demo.splitlines() if "pip install" in line and " -e " in line]
    assert installs and all(line.rstrip().endswith("-e .") for line in installs), installs
    assert "salesim demo" in demo
    test = _dry_run("test", tmp_path)
    assert "-e '.[dev]'" in test
    assert "make test: ruff, mypy and the fast test tier (about" in test
    for line in (demo + test).splitlines():
        if "pip install" in line:  # setuptools' information-only editable-install warning is not shown mid-build
            assert 'PYTHONWARNINGS="ignore:Editable installation"' in line


def test_pytest_says_how_many_tests_it_runs_before_the_first_dot():
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:xdist", "-p", "no:cacheprovider", "--co", "tests/test_newcomer.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    tests = len(re.findall(r"^def test_", Path(__file__).read_text(), re.MULTILINE))
    assert f"{tests} tests in one process" in proc.stdout, proc.stdout
