"""End-to-end tests of the ``salesim`` command line.

Contract: exit 0 ok, 2 bad input with one clear line on stderr (naming the
file, the key and what is allowed; no traceback), 1 internal error. The commands
run in this process (tests/console.py); one test runs the installed console script
as a process, whose exit codes and output must be the same.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
import yaml

import sim
from tests.console import salesim_in_process

SALESIM = str(Path(sys.executable).parent / "salesim")
ROOT = Path(__file__).resolve().parent.parent
SCENARIO_DIR = ROOT / "sim" / "config" / "builtins"
BUILTINS = (
    "field_only",
    "misaligned",
    "defined",
    "aligned",
    "integrated",
    "shared_inside_team",
    "marketing_owned",
    "sales_owned",
    "reorg",
)
DAYS = "5"

SUMMARY_KEYS = {
    "revenue",
    "deals_won",
    "win_rate",
    "leads_created",
    "leads_qualified",
    "leads_handed_off",
    "leads_accepted",
    "leads_ignored",
    "median_response_hours",
    "prospect_satisfaction",
    "cost_of_sales",
    "roi",
}
LEAD_COLUMNS = {
    "lead_id",
    "source",
    "value",
    "fit",
    "created_at",
    "first_attempt_at",
    "contacted_at",
    "qualified_at",
    "handed_off_at",
    "accepted_at",
    "followed_up_at",
    "opportunity_at",
    "closed_at",
    "outcome",
    "satisfaction",
}


def salesim(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run the installed console script; outputs land under ``cwd``."""
    return subprocess.run(
        [SALESIM, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def describe(proc: subprocess.CompletedProcess[str]) -> str:
    return f"exit {proc.returncode}\n--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# ----------------------------------------------------------------- good input


def _args(*args: str) -> Callable[[Path], list[str]]:
    def make(tmp: Path) -> list[str]:
        return [a.replace("{tmp}", str(tmp)) for a in args]

    return make


Result = tuple[Path, subprocess.CompletedProcess[str]]  # (the command's cwd, what it did)

# Each good-path command runs once in its own folder; "{tmp}" stands for that folder.
GOOD = {
    "scenarios": ["scenarios"],
    "validate": ["validate", *sorted(str(p.resolve()) for p in SCENARIO_DIR.glob("*.yaml"))],
    "show": ["show", "aligned"],
    "run": ["run", "misaligned", "--days", DAYS, "--out", "{tmp}/results"],
    "run_again": ["run", "misaligned", "--days", DAYS, "--out", "{tmp}/results"],
    "run_default_out": ["run", "misaligned", "--days", DAYS],
    "run_set": [
        "run",
        "misaligned",
        "--days",
        DAYS,
        "--set",
        "handoff.sla_hours=4",
        "--out",
        "{tmp}/results",
    ],
}


def run_all(
    tmp_path_factory: pytest.TempPathFactory, jobs: dict[str, Callable[[Path], list[str]]]
) -> dict[str, Result]:
    """Run CLI commands in this process, one after the other, each in its own folder."""
    folders = {name: tmp_path_factory.mktemp(name) for name in jobs}
    return {
        name: (folders[name], salesim_in_process(*make(folders[name]), cwd=folders[name]))
        for name, make in jobs.items()
    }


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Result]:
    return run_all(tmp_path_factory, {name: _args(*args) for name, args in GOOD.items()})


def test_scenarios_lists_all_builtins_with_descriptions(good: dict[str, Result]) -> None:
    _, proc = good["scenarios"]
    assert proc.returncode == 0, describe(proc)
    lines = {line.split(maxsplit=1)[0]: line for line in proc.stdout.splitlines() if line.strip()}
    assert set(lines) >= set(BUILTINS), describe(proc)
    for name in BUILTINS:
        parts = lines[name].split(maxsplit=1)
        assert len(parts) == 2 and len(parts[1]) > 10, f"{name} has no description: {lines[name]!r}"
    assert "two worlds" in lines["misaligned"].lower()


def test_validate_builtin_files(good: dict[str, Result]) -> None:
    assert len(GOOD["validate"]) == 1 + len(BUILTINS)
    _, proc = good["validate"]
    assert proc.returncode == 0, describe(proc)
    assert proc.stderr.strip() == "", describe(proc)
    for name in BUILTINS:
        assert f"({name})" in proc.stdout, describe(proc)


def test_show_prints_resolved_yaml_with_derived_behavior(good: dict[str, Result]) -> None:
    _, proc = good["show"]
    assert proc.returncode == 0, describe(proc)
    assert "derived_behavior:" in proc.stdout
    assert "inside_threshold" in proc.stdout
    doc = yaml.safe_load(proc.stdout)
    assert doc["name"] == "aligned"
    assert doc["handoff"]["mode"] == "warm"  # from aligned.yaml itself
    assert doc["qualification"]["standard_set_by"] == "joint"  # inherited from defined
    assert "inside_threshold" in doc["derived_behavior"]


def test_run_writes_results(good: dict[str, Result]) -> None:
    folder, proc = good["run"]
    assert proc.returncode == 0, describe(proc)
    assert "Traceback" not in proc.stderr
    out = folder / "results"

    summary = json.loads((out / "summary.json").read_text())
    assert set(summary) >= SUMMARY_KEYS, SUMMARY_KEYS - set(summary)
    assert summary["leads_created"] > 0

    daily = pd.read_csv(out / "daily.csv")
    assert len(daily) == int(DAYS)

    leads = pd.read_parquet(out / "leads.parquet")
    assert set(leads.columns) >= LEAD_COLUMNS, LEAD_COLUMNS - set(leads.columns)
    assert len(leads) == summary["leads_created"] + summary["leads_recycled"] + int(leads["in_flight"].sum())

    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 1
    assert "mesa" in manifest["versions"]
    assert manifest["scenario"]["name"] == "misaligned"
    assert manifest["scenario"]["handoff"]["sla_hours"] == 48


def test_run_default_out_folder(good: dict[str, Result]) -> None:
    folder, proc = good["run_default_out"]
    assert proc.returncode == 0, describe(proc)
    out = folder / "outputs" / "run" / "misaligned-seed1"
    for name in ("summary.json", "daily.csv", "leads.parquet", "manifest.json"):
        assert (out / name).is_file(), f"{out / name} missing\n{describe(proc)}"


def test_the_console_script_as_a_process_does_what_the_command_line_does(good: dict[str, Result], tmp_path) -> None:
    """The installed ``salesim`` starts, writes what the in-process command line writes, and exits 2 on bad input."""
    folder, _ = good["run"]
    proc = salesim("run", "misaligned", "--days", DAYS, "--out", str(tmp_path / "results"), cwd=tmp_path)
    assert proc.returncode == 0, describe(proc)
    assert (tmp_path / "results" / "summary.json").read_bytes() == (folder / "results" / "summary.json").read_bytes()
    bad = salesim("run", "nope.yaml", "--days", DAYS, cwd=tmp_path)
    assert bad.returncode == 2 and "nope.yaml" in bad.stderr and "Traceback" not in bad.stderr, describe(bad)


def test_same_seed_gives_identical_summary(good: dict[str, Result]) -> None:
    (first, proc1), (second, proc2) = good["run"], good["run_again"]
    assert proc1.returncode == 0, describe(proc1)
    assert proc2.returncode == 0, describe(proc2)
    one = (first / "results" / "summary.json").read_bytes()
    two = (second / "results" / "summary.json").read_bytes()
    assert one == two


def test_set_override_lands_in_manifest(good: dict[str, Result]) -> None:
    folder, proc = good["run_set"]
    assert proc.returncode == 0, describe(proc)
    manifest = json.loads((folder / "results" / "manifest.json").read_text())
    assert manifest["scenario"]["handoff"]["sla_hours"] == 4


# ------------------------------------------------------------------ bad input


@dataclass(frozen=True)
class Bad:
    """A bad-input case: ``make(tmp_path)`` writes files and returns the CLI args."""

    make: Callable[[Path], list[str]]
    expect: tuple[str, ...]  # substrings stderr must contain (case-insensitive)


def _extends(body: str, name: str = "bad.yaml") -> Callable[[Path], list[str]]:
    def make(tmp: Path) -> list[str]:
        path = write(tmp / name, f"name: bad\nextends: misaligned\n{body}")
        return ["run", str(path), "--days", DAYS, "--out", str(tmp / "out")]

    return make


def _file(text: str, name: str) -> Callable[[Path], list[str]]:
    def make(tmp: Path) -> list[str]:
        path = write(tmp / name, text)
        return ["run", str(path), "--days", DAYS, "--out", str(tmp / "out")]

    return make


def _cycle(tmp: Path) -> list[str]:
    write(tmp / "a.yaml", "name: a\nextends: b.yaml\n")
    write(tmp / "b.yaml", "name: b\nextends: a.yaml\n")
    return ["run", str(tmp / "a.yaml"), "--days", DAYS, "--out", str(tmp / "out")]


def _unwritable_out(tmp: Path) -> list[str]:
    write(tmp / "regular_file", "not a folder\n")
    return ["run", "misaligned", "--days", DAYS, "--out", str(tmp / "regular_file" / "sub")]


def _out_is_a_file(tmp: Path) -> list[str]:
    write(tmp / "regular_file", "not a folder\n")
    return ["run", "misaligned", "--days", DAYS, "--out", str(tmp / "regular_file")]


BAD_CASES = {
    "missing_file": Bad(_args("run", "{tmp}/nope.yaml", "--days", DAYS), ("nope.yaml",)),
    "yaml_syntax": Bad(_file("name: broken\nhandoff: {sla_hours: [4\n", "syntax.yaml"), ("syntax.yaml", "line")),
    "unknown_top_key": Bad(
        _extends("handof:\n  sla_hours: 4\n", "typo_top.yaml"),
        ("typo_top.yaml", "handof", "did you mean", "'handoff'"),
    ),
    "unknown_nested_key": Bad(
        _extends("handoff:\n  sla_hour: 4\n", "typo_nested.yaml"),
        ("typo_nested.yaml", "handoff.sla_hour", "did you mean", "'sla_hours'"),
    ),
    "wrong_type": Bad(
        _extends('organization:\n  inside_reps: "many"\n', "wrong_type.yaml"),
        ("wrong_type.yaml", "organization.inside_reps", "integer", "many"),
    ),
    "negative_headcount": Bad(
        _extends("organization:\n  inside_reps: -1\n", "negative.yaml"),
        ("negative.yaml", "organization.inside_reps", "greater than or equal to 0"),
    ),
    "zero_sla": Bad(
        _extends("handoff:\n  sla_hours: 0\n", "zero_sla.yaml"),
        ("zero_sla.yaml", "handoff.sla_hours", "greater than 0"),
    ),
    "warmup_not_whole_weeks": Bad(
        _extends("simulation:\n  warmup_days: 100\n", "warmup.yaml"),
        ("warmup.yaml", "simulation.warmup_days", "multiple of 7", "100"),
    ),
    "days_zero": Bad(_args("run", "misaligned", "--days", "0", "--out", "{tmp}/out"), ("--days", "1")),
    "behavior_out_of_range": Bad(
        _extends("behavior:\n  contact_max: 1.5\n", "prob.yaml"),
        ("prob.yaml", "contact_max", "[0, 1]", "1.5"),
    ),
    "behavior_unknown_key": Bad(
        _extends("behavior:\n  contact_maxx: 0.5\n", "beh_key.yaml"),
        ("beh_key.yaml", "contact_maxx", "did you mean", "'contact_max'"),
    ),
    "unknown_builtin": Bad(
        _args("run", "misalinged", "--days", DAYS, "--out", "{tmp}/out"),
        ("misalinged", "did you mean", "misaligned"),
    ),
    "set_without_equals": Bad(
        _args("run", "misaligned", "--days", DAYS, "--set", "nokeyvalue", "--out", "{tmp}/out"),
        ("--set", "nokeyvalue", "key=value"),
    ),
    "set_bad_yaml_value": Bad(
        _args("run", "misaligned", "--days", DAYS, "--set", "handoff.sla_hours=[", "--out", "{tmp}/out"),
        ("--set", "handoff.sla_hours=[", "yaml"),
    ),
    "set_unknown_key": Bad(
        _args("run", "misaligned", "--days", DAYS, "--set", "handoff.sla_hour=4", "--out", "{tmp}/out"),
        ("handoff.sla_hour", "did you mean", "'sla_hours'"),
    ),
    "extends_cycle": Bad(_cycle, ("a.yaml", "b.yaml", "cycle")),
    "yaml_list": Bad(_file("- name: a\n- name: b\n", "list.yaml"), ("list.yaml", "mapping", "list")),
    "empty_file": Bad(_file("", "empty.yaml"), ("empty.yaml", "empty")),
    "unwritable_out": Bad(_unwritable_out, ("--out", "regular_file", "cannot write")),
    "out_is_a_file": Bad(_out_is_a_file, ("--out", "regular_file")),
}


@pytest.fixture(scope="module")
def bad_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Result]:
    return run_all(tmp_path_factory, {case: bad.make for case, bad in BAD_CASES.items()})


@pytest.mark.parametrize("case", list(BAD_CASES), ids=list(BAD_CASES))
def test_bad_input_is_one_clear_line_and_exit_2(case: str, bad_results: dict[str, Result]) -> None:
    folder, proc = bad_results[case]
    shown = describe(proc)
    assert "Traceback" not in proc.stderr, shown
    assert proc.returncode == 2, shown
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].strip(), shown
    for needle in BAD_CASES[case].expect:
        assert needle.lower() in proc.stderr.lower(), f"stderr lacks {needle!r}\n{shown}"
    out = folder / "out"
    assert not out.exists() or not any(out.iterdir()), f"bad input left files in {out}\n{shown}"


def test_validate_reports_each_bad_file_and_exits_2(tmp_path: Path) -> None:
    good = str(SCENARIO_DIR / "aligned.yaml")
    bad = write(tmp_path / "bad.yaml", "name: bad\nextends: misaligned\nhandoff: {sla_hours: 0}\n")
    proc = salesim_in_process("validate", good, str(bad), cwd=tmp_path)
    assert proc.returncode == 2, describe(proc)
    assert "Traceback" not in proc.stderr
    assert "ok:" in proc.stdout and "(aligned)" in proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "bad.yaml" in lines[0] and "handoff.sla_hours" in lines[0], describe(proc)


def test_story_tells_one_leads_journey(tmp_path):
    leads = sim.run("aligned", days=120).leads
    lead_id = int(leads.loc[~leads["in_flight"], "lead_id"].iloc[39])  # the run's 40th lead
    res = salesim_in_process("story", "aligned", "--lead", "40", "--days", "120", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith(f"Lead 40 of the run (lead_id {lead_id}; ") and "Satisfaction at the end" in res.stdout
    bad = salesim_in_process("story", "aligned", "--lead", "999999", "--days", "5", cwd=tmp_path)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert bad.stderr.count("\n") == 1 and "--lead 999999: the run created leads 1 to " in bad.stderr
