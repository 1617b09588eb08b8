"""Issue 33: what a user meets in daily use: uncertainty rankings only where the sets can tell, reuse of runs."""

import re

from click.testing import CliRunner

from sim.cli import main
from sim.experiments.uncertainty import noise_bound, sets_to_rank


def _scenarios(folder):
    for name, base in (("mis", "misaligned"), ("ali", "aligned")):
        (folder / f"{name}.yaml").write_text(f"name: {name}\nextends: {base}\nsimulation: {{warmup_days: 0}}\n")


def test_a_ranking_of_assumptions_is_printed_only_when_the_sets_can_tell_one_from_noise(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _scenarios(tmp_path)
    args = ["compare", "mis.yaml", "ali.yaml", "-n", "2", "--days", "3", "--workers", "1"]
    res = CliRunner().invoke(main, [*args, "--uncertainty", "4", "--per-set", "1"])
    assert res.exit_code == 0, res.stderr
    assert "depends most on" not in res.stdout and "rho" not in res.stdout  # issue 33: "rho +1.00, within noise"
    assert re.search(r"With 4 assumption sets no assumption can be told from noise among the (\d+) varied", res.stdout)
    varied = int(re.search(r"among the (\d+) varied", res.stdout)[1])
    assert f"about {sets_to_rank(varied)} sets would tell one of 0.5 apart" in res.stdout
    html = (tmp_path / "outputs" / "compare" / "mis-vs-ali" / "report.html").read_text()
    assert "sets would tell one of 0.5 apart" in html and "<th>rho</th>" not in html
    # the number of sets it takes: the smallest whose noise bound is at most 0.5
    for m in (10, 140):
        n = sets_to_rank(m)
        assert noise_bound(n, m) <= 0.5 < noise_bound(n - 1, m)


def test_run_time_limit_stops_a_run_within_a_second_of_it(tmp_path, monkeypatch):
    import time

    monkeypatch.chdir(tmp_path)
    args = ["run", "aligned", "--days", "5000", "--set", "market.inbound_leads_per_day=200", "--time-limit", "0.5"]
    start = time.monotonic()
    res = CliRunner().invoke(main, args)
    assert time.monotonic() - start < 2.5  # the model's own check came once a simulated day; a timer now
    assert res.exit_code == 2 and "--time-limit 0.5: the run passed its time limit" in res.stderr, res.stderr
    assert not any(any(folder.iterdir()) for folder in (tmp_path / "outputs" / "run").iterdir())  # nothing written


def test_sweep_specs_are_checked_however_built_and_resume_after_a_move(tmp_path, monkeypatch):
    import shutil

    import pytest

    import sim
    from sim.experiments.sweep import Parameter, SweepError, SweepSpec

    bad = SweepSpec(
        name="p", base="aligned", design="grid", parameters={"handoff.sla_hours": Parameter(values=[4, -1])}, days=3
    )
    with pytest.raises(SweepError, match=r"handoff\.sla_hours"):  # before: a failed row for each run, at run time
        sim.sweep(bad, tmp_path / "p", executor="serial")
    huge = SweepSpec(
        name="h", base="aligned", design="lhs", samples=100_000, replications=1000,
        parameters={"handoff.sla_hours": Parameter(range=(1, 8))},
    )  # fmt: skip
    with pytest.raises(SweepError, match="100,000,000 runs"):
        sim.sweep(huge, tmp_path / "h", executor="serial")
    project = tmp_path / "project"
    project.mkdir()
    (project / "base.yaml").write_text("name: mine\nextends: aligned\nsimulation: {warmup_days: 0}\n")
    (project / "s.yaml").write_text(
        "name: s\nbase: base.yaml\ndesign: grid\nparameters:\n  handoff.sla_hours: {values: [4, 8]}\n"
        "replications: 1\ndays: 3\nkpis: [revenue]\n"
    )
    assert sim.sweep(project / "s.yaml", project / "out", executor="serial").done == 2
    assert '"base": "base.yaml"' in (project / "out" / "manifest.json").read_text()  # as written, not absolute
    moved = shutil.move(project, tmp_path / "moved")
    assert sim.sweep(tmp_path / "moved" / "s.yaml", tmp_path / "moved" / "out", executor="serial").skipped == 2
    assert moved


def test_validate_takes_set_and_every_folder_name_stays_within_80_characters(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(main, ["validate", "aligned", "--set", "handoff.sla_hours=-1"])
    assert res.exit_code == 2 and "--set handoff.sla_hours=-1" in res.stderr and "sla_hours" in res.stderr
    res = CliRunner().invoke(main, ["validate", "aligned", "--set", "handoff.sla_hours=2"])
    assert res.exit_code == 0 and "ok: aligned" in res.stdout
    long_a, long_b = "a" * 41, "b" * 41  # (the report's figures fit names up to about 41 characters)
    (tmp_path / "a.yaml").write_text(f"name: {long_a}\nextends: misaligned\nsimulation: {{warmup_days: 0}}\n")
    (tmp_path / "b.yaml").write_text(
        f"name: {long_b}\nextends: misaligned\nsimulation: {{warmup_days: 0}}\nhandoff: {{sla_hours: 2}}\n"
    )
    for command in ("explain", "report"):
        args = [command, "a.yaml", "b.yaml", "-n", "2", "--days", "3", "--workers", "1"]
        assert CliRunner().invoke(main, args).exit_code == 0
        (folder,) = (tmp_path / "outputs" / command).iterdir()
        assert len(folder.name) <= 80 and folder.name.startswith("aaaa") and folder.name.endswith("bbbb")


def test_report_with_uncertainty_reuses_the_replications_it_already_ran(tmp_path, monkeypatch):
    import pandas as pd

    import sim.experiments.compare as compare

    monkeypatch.chdir(tmp_path)
    _scenarios(tmp_path)
    args = ["report", "mis.yaml", "ali.yaml", "-n", "2", "--days", "3", "--workers", "1"]
    assert CliRunner().invoke(main, args).exit_code == 0
    folder = tmp_path / "outputs" / "report" / "mis-to-ali"
    before = pd.read_csv(folder / "comparison.csv")
    real, asked = compare.run_tasks, []

    def counting(tasks, *a, **k):
        asked.append(len(tasks))
        return real(tasks, *a, **k)

    monkeypatch.setattr(compare, "run_tasks", counting)
    res = CliRunner().invoke(main, [*args, "--uncertainty", "2", "--per-set", "1"])  # the same report, refined
    assert res.exit_code == 0, res.stderr
    assert asked == [0]  # issue 33: ~780 s of identical runs repeated; now none
    pd.testing.assert_frame_equal(pd.read_csv(folder / "comparison.csv"), before)  # the same numbers
    assert (folder / "uncertainty.csv").is_file()


def test_a_one_lever_report_has_no_interaction_text_and_tables_hold_plain_values(tmp_path, monkeypatch):
    import pandas as pd

    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.yaml").write_text("name: a\nextends: misaligned\nsimulation: {warmup_days: 0, days: 5}\n")
    (tmp_path / "b.yaml").write_text(
        "name: b\nextends: a.yaml\ntimeline:\n  - {day: 1, set: {handoff.sla_hours: 2}}\n"
        "  - {day: 1, hire: {team: east, field_reps: 2}}\n"
    )  # one day: one step, one lever
    res = CliRunner().invoke(main, ["report", "a.yaml", "b.yaml", "-n", "2", "--workers", "1"])
    assert res.exit_code == 0, res.stderr
    folder = tmp_path / "outputs" / "report" / "a-to-b"
    assert "appears only when they are combined" not in (folder / "report.html").read_text()  # one lever: nothing
    values = pd.read_csv(folder / "explain.csv")["target_value"].astype(str)
    timeline = values[values.str.contains("day 1")].iloc[0]
    assert timeline == "day 1: set handoff.sla_hours=2; day 1: hire team=east, field_reps=2, inside_reps=0"


def test_a_two_step_reorganization_is_explained_step_by_step(tmp_path, monkeypatch):
    import pandas as pd

    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.yaml").write_text("name: a\nextends: misaligned\nsimulation: {warmup_days: 0, days: 5}\n")
    (tmp_path / "b.yaml").write_text(  # day 1 changes nothing misaligned does not do already; day 2 hires 5 reps
        "name: b\nextends: a.yaml\ntimeline:\n  - {day: 1, set: {nurture.mode: none}}\n"
        "  - {day: 2, hire: {team: east, field_reps: 5}}\n"
    )
    res = CliRunner().invoke(main, ["explain", "a.yaml", "b.yaml", "-n", "3", "--workers", "1"])
    assert res.exit_code == 0, res.stderr
    table = pd.read_csv(tmp_path / "outputs" / "explain" / "a-to-b" / "explain.csv").set_index(["lever", "kpi"])
    assert "timeline" not in table.index.get_level_values("lever")  # issue 33: the whole timeline as one lever
    assert table.loc[("timeline day 1", "cost_of_sales"), "effect"] == 0  # the first step alone: nothing
    assert table.loc[("timeline day 2", "cost_of_sales"), "ci_low"] > 0  # the second: five salaries and more
    assert table.loc[("timeline day 2", "profit"), "ci_high"] < 0
    steps = pd.read_csv(tmp_path / "outputs" / "explain" / "a-to-b" / "steps.csv").set_index(["step", "kpi"])
    assert list(steps.loc[(slice(None), "profit"), "day"]) == [1, 2]
    assert steps.loc[(1, "profit"), "effect"] == 0 and steps.loc[(2, "profit"), "ci_high"] < 0
    total = table.loc[("all levers together", "profit"), "effect"]
    assert abs(steps.loc[(2, "profit"), "so_far"] - total) < 1e-6  # the steps so far add up to the whole re-org
    assert "the timeline step by step" in res.stdout and "step 2, day 2 (day 2: hire" in res.stdout
    res = CliRunner().invoke(main, ["report", "a.yaml", "b.yaml", "-n", "3", "--workers", "1"])
    assert res.exit_code == 0, res.stderr
    assert (tmp_path / "outputs" / "report" / "a-to-b" / "steps.csv").is_file()
