"""Hostile inputs, degenerate organizations and outputs that are never half-written."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim
from sim.config.params import BEHAVIOR_NAMES, PARAM_INFO
from sim.config.scenario import ScenarioError, load_scenario
from tests.invariants import check_run

SALESIM = str(Path(sys.executable).parent / "salesim")


def _cli(args, cwd, timeout=20):
    # the timeout only guards against a hang; speed itself is measured by the benchmark
    return subprocess.run([SALESIM, *args], capture_output=True, text=True, cwd=cwd, timeout=timeout)


def _cli_in_process(args, cwd, monkeypatch):
    """The CLI in this process (no start-up cost), for checks that need no process of their own."""
    from types import SimpleNamespace

    from click.testing import CliRunner

    from sim.cli import main

    monkeypatch.chdir(cwd)
    res = CliRunner().invoke(main, args)
    return SimpleNamespace(returncode=res.exit_code, stdout=res.stdout, stderr=res.stderr)


def _one_clear_line(res):
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert res.returncode == 2, res.stderr
    assert len(lines) == 1 and "Traceback" not in res.stderr, res.stderr
    return lines[0]


HOSTILE = {
    "wrong_type": "name: x\nextends: aligned\norganization: {inside_reps: [1, 2]}\n",
    "unknown_key": "name: x\nextends: aligned\nmarket: {inbound_leads_per_hour: 3}\n",
    "huge_number": "name: x\nextends: aligned\norganization: {inside_reps: 1000000000000}\n",
    "huge_float": "name: x\nextends: aligned\nmarket: {inbound_leads_per_day: 1e308}\n",
    "nan": "name: x\nextends: aligned\nmarket: {inbound_leads_per_day: .nan}\n",
    "negative_days": "name: x\nextends: aligned\nsimulation: {days: -5}\n",
    "deep_nesting": "name: x\nextends: aligned\nbehavior: " + "[" * 5000 + "]" * 5000 + "\n",
    "deep_mapping": "name: x\nbehavior: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n",
    "empty": "",
    "only_comment": "# nothing here\n",
    "binary": "\x00\x01\x02\xff",
    "billion_laughs": "a: &a ['lol','lol','lol','lol','lol','lol','lol','lol','lol']\n"
    + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(8)),
    "list_document": "- name: x\n- name: y\n",
    "scalar_document": "42\n",
    "tabs": "name: x\n\tmarket: {}\n",
    "extends_self": "name: loop\nextends: ./hostile.yaml\n",
    "extends_number": "name: x\nextends: 12\n",
    "bool_as_count": "name: x\nextends: aligned\norganization: {inside_reps: true}\n",
    "duplicate_team": "name: x\nextends: aligned\norganization:\n"
    "  field_teams: [{name: a, field_reps: 1}, {name: a, field_reps: 2}]\n",
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_documents_give_one_line_and_exit_2(tmp_path, case):
    path = tmp_path / "hostile.yaml"
    text = HOSTILE[case]
    path.write_bytes(text.encode("latin-1") if case == "binary" else text.encode())
    line = _one_clear_line(_cli(["validate", str(path)], tmp_path))
    assert "hostile.yaml" in line


def test_extends_cycle_between_files(tmp_path):
    (tmp_path / "a.yaml").write_text("name: a\nextends: b.yaml\n")
    (tmp_path / "b.yaml").write_text("name: b\nextends: a.yaml\n")
    assert "cycle" in _one_clear_line(_cli(["run", str(tmp_path / "a.yaml")], tmp_path))


def test_oversized_file_is_refused_without_reading_it_all(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text("name: x\n" + "# padding\n" * 200_000)
    assert "at most" in _one_clear_line(_cli(["validate", str(path)], tmp_path))


nested = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**12), 10**12) | st.floats(allow_nan=True) | st.text(max_size=12),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
sections = st.sampled_from(
    [
        "market",
        "organization",
        "handoff",
        "feedback",
        "qualification",
        "compensation",
        "training",
        "behavior",
        "simulation",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(sections, nested, max_size=3), st.booleans())
def test_random_documents_are_valid_or_one_scenario_error(tmp_path_factory, overlay, keep_base):
    path = tmp_path_factory.mktemp("fuzz") / "doc.yaml"
    doc = {"name": "fuzz", **({"extends": "aligned"} if keep_base else {}), **overlay}
    path.write_text(yaml.safe_dump(doc))
    try:
        load_scenario(path)
    except ScenarioError as exc:
        assert "\n" not in str(exc) and "doc.yaml" in str(exc)


@pytest.mark.parametrize(
    ("overrides", "days", "warns"),
    [
        (["market.inbound_leads_per_day=0"], 60, "no inbound"),
        (["organization.field_teams=[{name: solo, field_reps: 0}]"], 60, "nowhere to go"),
        (["organization.inside_reps=1", "organization.field_teams=[{name: solo, field_reps: 1}]"], 60, None),
        ([], 1, None),
    ],
)
def test_degenerate_organizations_run_and_hold_invariants(overrides, days, warns):
    result = sim.run("aligned", days=days, overrides=overrides)
    check_run(result)
    if warns:
        assert any(warns in w for w in result.warnings)
    if "field_reps: 0" in " ".join(overrides):
        assert result.summary["deals_won"] == 0 and result.summary["leads_handed_off"] == 0
        assert (result.leads["outcome"] == "qualified").sum() > 0  # qualified leads wait: nowhere to go


def test_ten_year_run_holds_invariants():
    result = sim.run("defined", days=2500)
    check_run(result)
    assert len(result.daily) == 2500 and result.summary["deals_won"] > 1000


def test_run_refuses_a_folder_holding_a_different_run(tmp_path, monkeypatch):
    out = tmp_path / "out"
    cold = ["--days", "5", "--set", "simulation.warmup_days=0", "--out", str(out)]  # the folder is the subject

    def run(*args):
        return _cli_in_process(["run", *args, *cold], tmp_path, monkeypatch)

    assert run("aligned").returncode == 0
    assert run("aligned").returncode == 0  # same run: fine
    line = _one_clear_line(run("misaligned"))
    assert "--force" in line
    assert json.loads((out / "manifest.json").read_text())["scenario"]["name"] == "aligned"  # untouched
    forced = run("misaligned", "--force")
    assert forced.returncode == 0
    assert json.loads((out / "manifest.json").read_text())["scenario"]["name"] == "misaligned"


def test_a_killed_write_leaves_the_previous_file(tmp_path, monkeypatch):
    from sim.experiments.files import atomic_write

    target = tmp_path / "summary.json"
    target.write_text('{"revenue": 1}')

    def crash(tmp):
        tmp.write_text('{"rev')  # half-written, then the process "dies"
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, crash)
    assert json.loads(target.read_text()) == {"revenue": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["summary.json"]  # no temporary left behind


@pytest.mark.parametrize(
    ("section", "key", "text", "expect"),
    [
        ("market", "deal_value_median", "3e4", 30000.0),  # YAML 1.1: a string
        ("organization", "inside_reps", "010", 10),  # YAML 1.1: octal 8
    ],
)
def test_numbers_are_read_the_yaml_1_2_way(tmp_path, section, key, text, expect):
    path = tmp_path / "n.yaml"
    path.write_text(f"name: x\nextends: aligned\n{section}: {{{key}: {text}}}\nbehavior: {{opp_fit_slope: 1e1}}\n")
    scenario = load_scenario(path)
    assert getattr(getattr(scenario, section), key) == expect and scenario.behavior["opp_fit_slope"] == 10.0
    assert _cli(["validate", str(path)], tmp_path).returncode == 0


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("handoff: {sla_hours: 1:30}", "'1:30'"),  # YAML 1.1: 90 (base 60)
        ("handoff: {sla_enforced: yes}", "'yes'"),  # YAML 1.1: true
        ("name: y", "appears twice"),  # YAML: the last one kept silently
        ("market: {deal_value_median: 1}\nmarket: {deal_value_median: 2}", "appears twice"),
    ],
)
def test_yaml_1_1_surprises_are_refused_in_one_line(tmp_path, text, says):
    path = tmp_path / "s.yaml"
    path.write_text(f"name: x\nextends: aligned\n{text}\n")
    line = _one_clear_line(_cli(["validate", str(path)], tmp_path))
    assert says in line and "s.yaml" in line


def test_files_named_like_built_ins_never_shadow_them(tmp_path):
    # a file named like aligned's parent, and a folder named like a built-in, in the working directory
    (tmp_path / "defined").write_text("name: impostor\nextends: field_only\n")
    (tmp_path / "misaligned").mkdir()
    (tmp_path / "mine.yaml").write_text("name: mine\nextends: defined\n")
    for ref, name in (("aligned", "aligned"), ("defined", "defined"), ("misaligned", "misaligned")):
        res = _cli(["show", ref], tmp_path)
        assert res.returncode == 0 and f"name: {name}" in res.stdout and "impostor" not in res.stdout, res.stderr
    own = _cli(["show", "mine.yaml"], tmp_path)
    assert own.returncode == 0 and "inside_reps: 0" not in own.stdout  # extends the built-in, not the file
    assert "name: impostor" in _cli(["show", "./defined"], tmp_path).stdout  # the file, asked for by path


def test_a_run_past_its_time_limit_is_a_failed_row_and_a_resume_skips_it(tmp_path):
    # a run that crawls (here: any run, under a limit of a millisecond) is stopped and recorded, not rerun
    spec = tmp_path / "slow.yaml"
    spec.write_text(
        "name: slow\nbase: aligned\ndesign: grid\nparameters:\n  handoff.sla_hours: {values: [4]}\n"
        "replications: 2\ndays: 30\nkpis: [revenue]\n"
    )
    args = ["sweep", str(spec), "--workers", "1", "--out", str(tmp_path / "out"), "--run-time-limit", "0.001"]
    first = _cli(args, tmp_path, timeout=60)
    assert first.returncode == 0 and "2 failed" in first.stdout, first.stderr
    results = pd.read_parquet(tmp_path / "out" / "results.parquet")
    assert results["error"].str.contains("RunTimeLimit: the run passed its time limit of 0.001 s").all()
    again = _cli(args, tmp_path, timeout=60)
    assert again.returncode == 0 and "2 skipped" in again.stdout


def test_one_crashing_arm_is_left_out_not_the_comparison(monkeypatch):
    import sim.experiments.compare as compare_module
    from sim.experiments.runner import RunFailed

    real = compare_module.digest

    def crash_on_defined(result):  # a bug that only one arm meets
        if result.scenario.name == "defined":
            raise ZeroDivisionError("division by zero")
        return real(result)

    monkeypatch.setattr(compare_module, "digest", crash_on_defined)
    mis, defined, ali = (load_scenario(s, ["simulation.warmup_days=0"]) for s in ("misaligned", "defined", "aligned"))
    result = compare_module.compare([mis, defined, ali], n=2, days=5, workers=1)
    assert result.names == ["misaligned", "aligned"]
    assert "2 of 2 runs failed" in result.failed["defined"] and "ZeroDivisionError" in result.failed["defined"]
    with pytest.raises(RunFailed, match="baseline"):
        compare_module.compare([mis, defined], n=2, days=5, workers=1)
    with pytest.raises(RunFailed):  # the baseline itself: nothing to compare against
        compare_module.compare([defined, ali], n=2, days=5, workers=1)


CRASHED_ON_MAIN = [  # issue 20: values validation once accepted that crashed a run, looped or broke the scale
    "reps_per_manager=0",
    "field_capacity=0",
    "pipeline_target=0",
    "inside_tenure_days=0",
    "inside_ramp_days=0",
    "decay_scale_hours=0",
    "agree_interest=0",
    "inside_hours_share=0",
    "fit_a=0",
    "win_repeat=1000",
    "opp_fit_slope=1e6",
    "sat_start=900",
    "inside_salary=1e308",
    "prospecting_block_hours=0",
    "prospecting_block_hours=1e-300",
]


def test_behaviour_values_outside_their_bounds_are_refused(tmp_path):
    files = []
    for i, setting in enumerate(CRASHED_ON_MAIN):
        key, value = setting.split("=")
        files.append(tmp_path / f"case{i}.yaml")
        files[-1].write_text(f"name: x\nextends: aligned\nbehavior: {{{key}: {value}}}\n")
    res = _cli(["validate", *map(str, files)], tmp_path)
    lines = res.stderr.splitlines()
    assert res.returncode == 2 and len(lines) == len(files) and "Traceback" not in res.stderr, res.stderr
    for path, setting, line in zip(files, CRASHED_ON_MAIN, lines, strict=True):
        assert path.name in line and f"behavior.{setting.split('=')[0]} must lie in [" in line, line


NUMERIC = [name for name in BEHAVIOR_NAMES if PARAM_INFO[name].kind != "choice"]


@st.composite
def within_bounds(draw):
    names = draw(st.lists(st.sampled_from(NUMERIC), min_size=1, max_size=12, unique=True))
    values = {}
    for name in names:
        lo, hi = PARAM_INFO[name].bounds
        values[name] = draw(st.sampled_from([lo, hi]) | st.floats(lo, hi, allow_nan=False))
    return values


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(within_bounds())
def test_any_values_within_bounds_run_with_satisfaction_on_its_scale_and_finite_json(tmp_path_factory, values):
    from sim.experiments.files import write_json

    overrides = ["simulation.warmup_days=0", *(f"behavior.{k}={v!r}" for k, v in values.items())]
    result = sim.run("aligned", days=20, overrides=overrides)
    assert result.leads["satisfaction"].between(0, 100).all()
    path = tmp_path_factory.mktemp("json") / "summary.json"
    write_json(path, result.summary)
    json.loads(path.read_text(), parse_constant=lambda c: pytest.fail(f"{c} in summary.json"))


MANY_RUNS = (
    "name: many\nbase: aligned\ndesign: grid\nparameters:\n  handoff.sla_hours: {values: [1, 2, 3, 4, 5, 6, 7, 8]}\n"
    "  simulation.warmup_days: {values: [0]}\nreplications: 50\ndays: 20\nkpis: [revenue]\n"
)


def _as_at_a_terminal():
    """Ctrl-C as a terminal delivers it: a job started in the background of a script inherits SIGINT ignored."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start_sweep(tmp_path):
    spec = tmp_path / "many.yaml"
    spec.write_text(MANY_RUNS)
    out = tmp_path / "out"
    cmd = [SALESIM, "sweep", str(spec), "--out", str(out), "--workers", "2"]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        preexec_fn=_as_at_a_terminal,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list((out / "results.parquet").glob("part-*.parquet")):
        time.sleep(0.05)
    return out, proc


def _alive(session):
    res = subprocess.run(["pgrep", "-s", str(session)], capture_output=True, text=True)
    return res.stdout.split()


def _all_gone(session, within=10):
    deadline = time.monotonic() + within
    while _alive(session) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not _alive(session)


def test_ctrl_c_on_a_sweep_cancels_keeps_what_finished_and_exits_130(tmp_path):
    out, proc = _start_sweep(tmp_path)
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C: the terminal signals the whole process group
    start = time.monotonic()
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and time.monotonic() - start < 5, err
    assert "runs of 400 are kept" in err and "Traceback" not in err and "Aborted" not in err
    kept = len(pd.read_parquet(out / "results.parquet"))
    assert 0 < kept < 400
    assert _all_gone(proc.pid)  # no worker left computing queued batches
    assert pd.read_parquet(out / "results.parquet")["run_id"].is_unique  # (resuming: tests/test_sweep.py)


@pytest.mark.parametrize("sig", [pytest.param(signal.SIGTERM, marks=pytest.mark.slow), signal.SIGKILL])
def test_workers_die_with_their_parent(tmp_path, sig):
    _, proc = _start_sweep(tmp_path)
    assert len(_alive(proc.pid)) >= 3  # salesim, its fork server and workers (and the resource tracker)
    os.kill(proc.pid, sig)  # the parent only, as a process manager or the OOM killer would
    proc.communicate(timeout=30)
    assert _all_gone(proc.pid)
    assert proc.returncode == (130 if sig == signal.SIGTERM else -signal.SIGKILL)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_or_sigterm_on_a_compare_ends_every_process_of_its_group(tmp_path, sig):
    # issue 33: a process of the group outlived SIGTERM; the pool is stopped through a pipe, not private attributes
    cmd = [SALESIM, "compare", "misaligned", "aligned", "-n", "40", "--days", "60", "--workers", "2", "--out", "o"]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True, cwd=tmp_path,
        preexec_fn=_as_at_a_terminal,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while len(_alive(proc.pid)) < 4 and time.monotonic() < deadline:  # salesim, fork server, workers
        time.sleep(0.1)
    time.sleep(1)  # runs under way
    os.killpg(proc.pid, sig)  # Ctrl-C at a terminal, or a process manager stopping the group
    start = time.monotonic()
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and time.monotonic() - start < 1, err
    assert err.strip().splitlines()[-1] in ("salesim: interrupted", "salesim: terminated")
    assert _all_gone(proc.pid, within=5)


def test_ctrl_c_on_the_largest_study_allowed_exits_130_within_a_second(tmp_path):
    # issue 33: a study of millions of runs grew 100 MB a second and outlived Ctrl-C; 180,004 runs (the most a
    # command takes is 200,000) now start at once, their tasks made as they are sent, and stop within a second
    cmd = [SALESIM, "compare", "misaligned", "aligned", "-n", "2", "--days", "30", "--uncertainty", "10000",
           "--per-set", "9", "--workers", "2", "--out", "o"]  # fmt: skip
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True, cwd=tmp_path,
        preexec_fn=_as_at_a_terminal,
    )  # fmt: skip
    err: list[bytes] = []
    reader = threading.Thread(target=lambda: err.extend(iter(lambda: os.read(proc.stderr.fileno(), 4096), b"")))
    reader.start()
    study = b"simulating 2 organizations x 10,000 assumption sets x 9 markets:"
    deadline = time.monotonic() + 120
    while study not in b"".join(err) and time.monotonic() < deadline:  # the 4 paired runs done, the study begun
        time.sleep(0.1)
    time.sleep(1)  # its runs under way
    os.killpg(proc.pid, signal.SIGINT)
    start = time.monotonic()
    proc.wait(timeout=30)
    assert proc.returncode == 130 and time.monotonic() - start < 1
    reader.join(timeout=5)
    proc.stderr.close()
    text = b"".join(err).decode()
    assert study.decode() in text  # stopped in the study itself
    assert text.strip().splitlines()[-1].endswith("salesim: interrupted") and "Traceback" not in text
    assert _all_gone(proc.pid, within=5)


def test_ctrl_c_on_run_exits_130(tmp_path):
    proc = subprocess.Popen(
        [
            SALESIM,
            "run",
            "aligned",
            "--days",
            "5000",
            "--set",
            "market.inbound_leads_per_day=200",
            "--out",
            str(tmp_path / "o"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=_as_at_a_terminal,
    )
    time.sleep(3)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and err.strip() == "salesim: interrupted", err


def test_a_sweep_resumed_after_its_base_changed_is_refused(tmp_path):
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "base.yaml").write_text("name: mine\nextends: aligned\nsimulation: {warmup_days: 0}\n")
    (specs / "s.yaml").write_text(  # base: beside the spec, wherever the command runs from
        "name: s\nbase: base.yaml\ndesign: grid\nparameters:\n  handoff.sla_hours: {values: [4]}\n"
        "replications: 2\ndays: 5\nkpis: [revenue]\n"
    )
    assert sim.sweep(specs / "s.yaml", tmp_path / "out", executor="serial").done == 2
    assert sim.sweep(specs / "s.yaml", tmp_path / "out", executor="serial").skipped == 2  # unchanged: resumes
    (specs / "base.yaml").write_text("name: mine\nextends: misaligned\nsimulation: {warmup_days: 0}\n")
    line = _one_clear_line(_cli(["sweep", "specs/s.yaml", "--workers", "1", "--out", "out"], tmp_path))
    assert "different base scenario" in line and "--fresh" in line


def test_every_sweep_value_is_checked_at_load(tmp_path):
    spec = tmp_path / "v.yaml"
    spec.write_text(
        "name: v\nbase: aligned\ndesign: grid\nparameters:\n  handoff.mode: {values: [warm, 3]}\nreplications: 1\n"
    )
    line = _one_clear_line(_cli(["sweep", str(spec), "--out", str(tmp_path / "o")], tmp_path))
    assert "v.yaml" in line and "handoff.mode" in line


def test_a_damaged_part_is_set_aside_and_its_runs_run_again(tmp_path):
    # and an LHS over a headcount with integer: true draws whole reps
    spec = tmp_path / "lhs.yaml"
    spec.write_text(
        "name: lhs\nbase: aligned\ndesign: lhs\nsamples: 3\nreplications: 1\ndays: 5\nkpis: [leads_created]\n"
        "parameters:\n  organization.inside_reps: {range: [1, 6], integer: true}\n"
        "  handoff.sla_hours: {range: [1, 8]}\n  simulation.warmup_days: {values: [0]}\n"
    )
    out = tmp_path / "out"
    first = sim.sweep(spec, out, executor="serial", max_runs=2)
    assert first.failed == 0 and first.results["organization.inside_reps"].between(1, 6).all()
    part = sorted((out / "results.parquet").glob("part-*.parquet"))[0]
    part.write_bytes(part.read_bytes()[:20])  # truncated (or empty) by something else
    res = _cli(["sensitivity", str(out), "--kpi", "leads_created"], tmp_path, timeout=60)
    assert "unreadable, left out" in res.stderr and "resume the sweep" in res.stderr, res.stderr
    res = _cli(["sweep", str(spec), "--workers", "1", "--out", str(out)], tmp_path, timeout=60)
    assert res.returncode == 0 and "unreadable, set aside" in res.stderr, res.stderr
    assert sorted(pd.read_parquet(out / "results.parquet")["run_id"]) == [0, 1, 2]


def test_work_too_big_to_finish_is_refused_up_front(tmp_path, monkeypatch):
    line = _one_clear_line(
        _cli_in_process(["compare", "misaligned", "aligned", "-n", "50000000"], tmp_path, monkeypatch)
    )
    assert "100,000,000 runs, about" in line and "split the work" in line
    busy = ["run", "aligned", "--set", "market.inbound_leads_per_day=100000", "--days", "365"]
    line = _one_clear_line(_cli_in_process(busy, tmp_path, monkeypatch))
    assert "inquiries over 547 days" in line and "holds in memory" in line
    spec = tmp_path / "huge.yaml"
    values = "{values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]}"
    keys = ["handoff.sla_hours", "feedback.interval_days", "market.inbound_leads_per_day", "market.deal_value_median"]
    keys += ["organization.inside_reps", "compensation.field_quota", "market.cost_per_inquiry"]
    keys += ["simulation.seed", "simulation.days", "market.addressable_accounts"]
    body = "".join(f"  {k}: {values}\n" for k in keys)  # 10^10 points
    spec.write_text(f"name: huge\nbase: aligned\ndesign: grid\nparameters:\n{body}")
    line = _one_clear_line(_cli_in_process(["sweep", str(spec)], tmp_path, monkeypatch))
    assert "huge.yaml" in line and "20,000,000,000 runs" in line


def test_every_run_of_a_command_is_counted_before_it_starts(tmp_path, monkeypatch):
    # issue 33: 20 million runs of an uncertainty study were built until a MemoryError; now refused at once
    start = time.monotonic()
    res = _cli(["compare", "misaligned", "aligned", "-n", "2", "--uncertainty", "10000", "--per-set", "1000"], tmp_path)
    assert time.monotonic() - start < 5  # a process's start included; the counting itself is instant
    assert "20,000,004 runs" in _one_clear_line(res) and "200,000" in res.stderr
    for args, runs in [
        (["compare", "misaligned", "aligned", "-n", "1000", "--uncertainty", "1000", "--per-set", "1000"], "2,002,000"),
        (["explain", "misaligned", "aligned", "-n", "20000"], "300,000"),  # 13 one-lever variants counted too
        (["report", "misaligned", "aligned", "-n", "2", "--uncertainty", "1000", "--per-set", "1000"], "2,000,"),
        (["compare", "aligned", "-n", "2", "--vary", "handoff.sla_hours=1,2,8,24", "--uncertainty",
          "10000", "--per-set", "10"], "00,0"),
    ]:  # fmt: skip
        start = time.monotonic()
        line = _one_clear_line(_cli_in_process(args, tmp_path, monkeypatch))
        assert time.monotonic() - start < 1 and f"{runs}" in line and "split the work" in line, line
    # more than a day of work needs --long (one worker: about 60 hours on any machine)
    line = _one_clear_line(
        _cli_in_process(["compare", "misaligned", "aligned", "-n", "99999", "--workers", "1"], tmp_path, monkeypatch)
    )
    assert "199,998 runs" in line and "more than a day" in line and "--long" in line
    spec = tmp_path / "big.yaml"
    grid = ", ".join(str(v) for v in range(1, 301))
    spec.write_text(
        "name: big\nbase: aligned\ndesign: grid\nreplications: 2\nparameters:\n"
        f"  handoff.sla_hours: {{values: [{grid}]}}\n  feedback.interval_days: {{values: [{grid}]}}\n"
    )
    line = _one_clear_line(_cli_in_process(["sweep", str(spec), "--workers", "1"], tmp_path, monkeypatch))
    assert "180,000 runs" in line and "--long" in line
    assert not (tmp_path / "outputs").exists()  # refused before any folder is made
    # the headcount cap holds over the whole timeline, the inquiries too
    hires = "".join(f"  - {{day: {d}, hire: {{team: east, field_reps: 10000}}}}\n" for d in range(1, 101))
    (tmp_path / "hires.yaml").write_text(f"name: hires\nextends: aligned\ntimeline:\n{hires}")
    line = _one_clear_line(_cli_in_process(["validate", "hires.yaml"], tmp_path, monkeypatch))
    assert "hires.yaml" in line and "timeline.9.hire" in line and "100,000" in line
    (tmp_path / "flood.yaml").write_text(
        "name: flood\nextends: aligned\ntimeline:\n  - {day: 1, set: {market.inbound_leads_per_day: 100000}}\n"
    )
    line = _one_clear_line(_cli_in_process(["run", "flood.yaml"], tmp_path, monkeypatch))
    assert "inquiries" in line and "holds in memory" in line
    # the plan of work past a minute is printed before it starts
    from sim.config.scenario import load_scenario
    from sim.experiments.plan import arms_work

    work = arms_work([load_scenario("misaligned"), load_scenario("aligned")], 200, scenarios=2)
    assert work.runs == 400 and work.line().startswith("2 scenarios x 200 markets: 400 runs, about")


def test_folders_of_other_commands_and_users_are_not_overwritten(tmp_path, monkeypatch):
    spec = tmp_path / "t.yaml"
    spec.write_text(
        "name: t\nbase: aligned\ndesign: grid\nparameters:\n  handoff.sla_hours: {values: [4]}\n"
        "  simulation.warmup_days: {values: [0]}\nreplications: 1\ndays: 3\nkpis: [leads_created]\n"
    )
    sim.sweep(spec, tmp_path / "sweep", executor="serial")
    assert "holds a sweep" in _one_clear_line(
        _cli_in_process(["run", "aligned", "--days", "3", "--out", "sweep"], tmp_path, monkeypatch)
    )
    assert _cli_in_process(["run", "aligned", "--days", "3", "--out", "run"], tmp_path, monkeypatch).returncode == 0
    manifest = (tmp_path / "run" / "manifest.json").read_text()
    line = _one_clear_line(_cli_in_process(["sweep", str(spec), "--out", "run", "--fresh"], tmp_path, monkeypatch))
    assert "holds a run" in line and (tmp_path / "run" / "manifest.json").read_text() == manifest
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("my own")
    line = _one_clear_line(_cli_in_process(["run", "aligned", "--days", "3", "--out", "mine"], tmp_path, monkeypatch))
    assert "files salesim did not write" in line and (tmp_path / "mine" / "notes.txt").read_text() == "my own"
    line = _one_clear_line(_cli_in_process(["sensitivity", "run", "--kpi", "revenue"], tmp_path, monkeypatch))
    assert "holds no sweep" in line


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        ("replications: true", "replications: Input should be a valid integer"),  # not 1
        ("design: lhs\nparameters: {handoff.sla_hours: {range: [1, .inf]}}", "range must be finite"),
        ("name: ..", "name: String should match"),  # would write into outputs/ and --fresh delete there
    ],
)
def test_sweep_specs_are_as_strict_as_scenarios(tmp_path, extra, says):
    text = "name: t\nbase: aligned\ndesign: grid\nparameters: {handoff.sla_hours: {values: [4]}}\n"
    for line in extra.splitlines():  # each extra key replaces the default one
        text = "\n".join(x for x in text.splitlines() if not x.startswith(line.split(":")[0] + ":")) + f"\n{line}\n"
    (tmp_path / "s.yaml").write_text(text)
    from sim.experiments.sweep import SweepError, load_spec

    with pytest.raises(SweepError, match=says):
        load_spec(tmp_path / "s.yaml")


def test_the_python_api_refuses_what_it_cannot_mean():
    from sim.config.errors import SalesimError

    for call in (
        lambda: sim.compare("aligned"),  # not the characters a, l, i, ...
        lambda: sim.compare([]),
        lambda: sim.compare(["misaligned", "aligned"], n=-1),
        lambda: sim.compare(["misaligned", "aligned"], seed=-1),
        lambda: sim.replicate("aligned", n=0),
    ):
        with pytest.raises(SalesimError) as info:
            call()
        assert "\n" not in str(info.value)
    assert sim.run("aligned", days=2, overrides="simulation.warmup_days=0").scenario.simulation.warmup_days == 0


def test_small_promises_of_the_command_line(tmp_path, monkeypatch):
    # validate: every problem of a file, one a line, and sweep specs too
    (tmp_path / "m.yaml").write_text("name: x\nextends: aligned\nhandoff: {sla_hours: -1, mode: hot}\n")
    (tmp_path / "s.yaml").write_text(
        "name: s\nbase: aligned\ndesign: grid\nparameters: {handoff.sla_hours: {values: [4]}}\n"
    )
    res = _cli_in_process(["validate", "m.yaml", "s.yaml"], tmp_path, monkeypatch)
    problems = res.stderr.splitlines()
    assert res.returncode == 2 and len(problems) == 2 and all("m.yaml" in p for p in problems), res.stderr
    assert "ok: s.yaml (sweep s)" in res.stdout
    # a run shorter than a sales cycle says so; --set runs get folders of their own
    for sla in (4, 8):
        args = ["--set", f"handoff.sla_hours={sla}", "--set", "simulation.warmup_days=0"]
        res = _cli_in_process(["run", "aligned", "--days", "20", *args], tmp_path, monkeypatch)
        assert res.returncode == 0 and "shorter than a sales cycle" in res.stderr, res.stderr
    assert len(list((tmp_path / "outputs" / "run").iterdir())) == 2
    assert "--scheduler" in _one_clear_line(
        _cli_in_process(["sweep", "s.yaml", "--scheduler", "tcp://x:1"], tmp_path, monkeypatch)
    )


def test_a_forced_run_that_fails_while_writing_leaves_the_previous_run(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from sim import cli
    from sim.experiments import runs

    out = tmp_path / "out"
    args = ["run", "aligned", "--days", "3", "--set", "simulation.warmup_days=0", "--out", str(out)]
    assert CliRunner().invoke(cli.main, args).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real = runs.write_run

    def disk_full(result, path, command=None):
        real(result, path, command)
        (path / "summary.json").write_text("{")  # half-way through the next file...
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(runs, "write_run", disk_full)
    res = CliRunner().invoke(cli.main, ["run", "misaligned", *args[2:], "--force"])
    assert res.exit_code == 2 and res.stderr.strip().splitlines() == [
        f"salesim: error: {out}: the disk is full (No space left on device); nothing there was replaced: "
        "free some space and run the command again"
    ]  # a full disk is not a bug (issue 33): one line naming the folder; the folder is the previous run's, whole
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no temporary folder left


def test_names_salesim_builds_stay_within_the_limit(tmp_path):
    from sim.experiments.compare import derived_name, vary_arms

    long = "n" * 80
    base = load_scenario("aligned", ["simulation.warmup_days=0", f"name={long}"])
    names = [a.name for a in vary_arms(base, "handoff.sla_hours", [1, 2, 4])]
    assert len(set(names)) == 3 and all(len(n) <= 80 for n in names)  # (the base's own 4 is the base)
    (tmp_path / "long.yaml").write_text(f"name: m{long[1:]}\nextends: misaligned\nsimulation: {{warmup_days: 0}}\n")
    result = sim.explain(tmp_path / "long.yaml", base, n=2, days=3, workers=1)
    assert len(result.table) > 0
    assert derived_name("a" * 200) != derived_name("a" * 199 + "b") and len(derived_name("a" * 200)) == 80


def test_dashboard_refuses_a_busy_port_and_warns_of_an_open_host(tmp_path):
    import socket

    with socket.socket() as busy:
        busy.bind(("0.0.0.0", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        res = _cli(["dashboard", "aligned", "--host", "0.0.0.0", "--port", port], tmp_path)
    lines = res.stderr.splitlines()
    assert res.returncode == 2 and len(lines) == 2 and "Traceback" not in res.stderr, res.stderr
    assert "every machine" in lines[0] and f"--port {port}: cannot listen" in lines[1]
    assert "not an address" in _one_clear_line(_cli(["dashboard", "--host", "no.such.host.invalid"], tmp_path))


def test_explain_prints_levers_by_size_in_the_kpis_unit():
    from sim.present.tables import explain_table

    table = pd.DataFrame(
        [
            ("handoff.mode", "cold", "warm", "revenue", 1.2e4, -3e4, 5e4),
            ("feedback.mode", "none", "periodic", "revenue", -2.5e6, -3e6, -2e6),
            ("all levers together", "misaligned", "aligned", "revenue", 3e6, 2e6, 4e6),
            ("interaction", "", "", "revenue", 1e5, -1e5, 3e5),
        ],
        columns=["lever", "base_value", "target_value", "kpi", "effect", "ci_low", "ci_high"],
    )
    text = explain_table(table)
    lines = text.splitlines()
    assert "e+" not in text and "$" in text
    assert [line.split()[0] for line in lines[1:]] == ["feedback.mode", "handoff.mode", "all", "interaction"]
    assert "-$2.50M [-$3.00M, -$2.00M]" in lines[1]


def test_calibration_intervals_stay_on_their_scale():
    from sim.present.tables import calibration_table

    nan = float("nan")
    table = pd.DataFrame(
        [
            ("quit rate", "20-40%", 0.01, -0.02, 0.05, 0.2, 0.4, "outside"),
            ("a ratio", "7x", 6.0, nan, nan, 5.0, 10.0, "inside"),
        ],
        columns=["fact", "published", "model", "ci_low", "ci_high", "low", "high", "status"],
    ).assign(source="s", note="", role="fit")
    text = calibration_table(table)
    assert "1.0% [0.0%, 5.0%]" in text and "6.00 (too few runs)" in text and "nan" not in text


def test_a_command_that_fails_while_writing_leaves_the_previous_results_and_never_blocks_the_rerun(
    tmp_path, monkeypatch
):
    import sim.present.report as report

    out = tmp_path / "cmp"
    for name in ("misaligned", "aligned"):  # no warm-up: quick runs
        (tmp_path / f"{name}.yaml").write_text(f"name: {name}\nextends: {name}\nsimulation: {{warmup_days: 0}}\n")
    args = ["compare", "./misaligned.yaml", "./aligned.yaml", "-n", "2", "--days", "3", "--out", str(out)]
    args += ["--workers", "1"]
    assert _cli_in_process(args, tmp_path, monkeypatch).returncode == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert json.loads(before[".salesim-run.json"])["n"] == 2
    real = report.write_comparison

    def disk_full(comparison, folder, *args, **kwargs):
        real(comparison, folder, *args, **kwargs)
        raise OSError(28, "No space left on device")  # the disk filled up as the last file was written

    monkeypatch.setattr(report, "write_comparison", disk_full)
    res = _cli_in_process([*args[:4], "3", *args[5:], "--force"], tmp_path, monkeypatch)
    assert res.returncode == 2 and "Traceback" not in res.stderr  # after the progress bar: one line
    assert res.stderr.strip().splitlines()[-1].startswith(f"salesim: error: {out}: the disk is full"), res.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before  # the previous results, whole
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix != ".yaml") == ["cmp"]  # no temporary folder left
    monkeypatch.setattr(report, "write_comparison", real)
    assert _cli_in_process(args, tmp_path, monkeypatch).returncode == 0  # the same command again: allowed

    def bug(*args, **kwargs):
        raise ValueError("operands could not be broadcast together")

    monkeypatch.setattr(report, "write_comparison", bug)  # a command failing in a new folder leaves it empty
    fresh = tmp_path / "fresh"
    res = _cli_in_process([*args[:8], str(fresh), *args[9:]], tmp_path, monkeypatch)
    assert res.returncode == 1 and not any(fresh.iterdir())
    monkeypatch.setattr(report, "write_comparison", real)
    assert _cli_in_process([*args[:8], str(fresh), *args[9:]], tmp_path, monkeypatch).returncode == 0


def test_scenarios_of_different_lengths_are_refused_up_front_or_run_to_the_days_asked(tmp_path, monkeypatch):
    # issue 33: a 365-day base and a 730-day target failed after simulating, with a broadcast ValueError
    (tmp_path / "a.yaml").write_text("name: a\nextends: misaligned\nsimulation: {days: 365, warmup_days: 0}\n")
    (tmp_path / "b.yaml").write_text(
        "name: b\nextends: misaligned\nsimulation: {days: 730, warmup_days: 0}\nhandoff: {sla_hours: 2}\n"
    )
    for command in (["report", "a.yaml", "b.yaml", "-n", "4"], ["compare", "a.yaml", "b.yaml"],
                    ["explain", "a.yaml", "b.yaml"]):  # fmt: skip
        start = time.monotonic()
        line = _one_clear_line(_cli_in_process(command, tmp_path, monkeypatch))
        assert "a runs 365 days and b 730" in line and "--days" in line and time.monotonic() - start < 1, line
    assert not (tmp_path / "outputs").exists()
    res = _cli_in_process(["report", "a.yaml", "b.yaml", "-n", "2", "--days", "5", "--workers", "1"], tmp_path,
                          monkeypatch)  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "outputs" / "report" / "a-to-b" / "report.html").is_file()
    with pytest.raises(Exception, match="--days N"):
        sim.compare([tmp_path / "a.yaml", tmp_path / "b.yaml"], n=2)


def test_a_closed_pipe_is_not_an_internal_error(tmp_path):
    proc = subprocess.Popen([SALESIM, "show", "aligned"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path)
    proc.stdout.readline()
    proc.stdout.close()  # `salesim show aligned | head -1`
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=20) in (0, 141) and err == ""  # 141 if it was still writing: 128 + SIGPIPE
