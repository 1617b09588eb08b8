"""`compare --vary KEY=V1,V2,...`: every value against the base on the same markets, the best marked."""

import subprocess
import sys

import numpy as np
import pytest

from sim.config.scenario import load_scenario
from sim.experiments.compare import ExperimentError, best_values, compare, vary_arms
from sim.experiments.stats import paired_difference

SHORT = ["simulation.warmup_days=28", "simulation.days=120"]


def test_vary_marks_the_best_value_and_those_not_told_apart_from_it():
    arms = vary_arms(load_scenario("aligned", SHORT), "organization.inside_reps", [0, 8, 16])
    assert [a.organization.inside_reps for a in arms] == [8, 0, 16]  # the base's own 8 is the base: not run twice
    result = compare(arms, n=3, seed=2, workers=1)
    table = best_values(result, "revenue", include_base=True).set_index("scenario")
    assert table["best"].sum() == 1
    best = table.index[table["best"]][0]
    assert table.loc[best, "mean"] == table["mean"].max()
    assert not table.loc["aligned-inside_reps-0", "among_best"]  # no inside team: clearly worse
    reps = result.replications
    for name in table.index:  # "among the best" is exactly a paired interval against the best that holds zero
        a = reps[reps["scenario"] == name].sort_values("replication")["revenue"].to_numpy()
        b = reps[reps["scenario"] == best].sort_values("replication")["revenue"].to_numpy()
        _, low, high = paired_difference(a, b)
        assert table.loc[name, "among_best"] == (name == best or low <= 0 <= high)
    # each value's change is paired against the base, replication by replication
    same = table.loc["aligned"]
    assert same["delta"] == 0 and np.isclose(same["delta_ci_low"], 0)
    # a value tied with the best says how many replications would separate them: (2 x 1.96 x sd / d)^2
    for name in table.index[table["among_best"] & ~table["best"]]:
        a = reps[reps["scenario"] == name].sort_values("replication")["revenue"].to_numpy()
        d = a - reps[reps["scenario"] == best].sort_values("replication")["revenue"].to_numpy()
        expected = np.ceil((2 * 1.96 * d.std(ddof=1) / abs(d.mean())) ** 2)
        assert table.loc[name, "replications_to_separate"] == max(2, expected)
    assert table.loc[~table["among_best"] | table["best"], "replications_to_separate"].isna().all()


def test_replications_to_separate_follow_the_paired_spread():
    from sim.experiments.compare import replications_to_separate

    d = np.array([1.0, 3.0, 1.0, 3.0])  # mean 2, sd 1.155: (2 x 1.96 x 1.155 / 2)^2 = 5.1
    assert replications_to_separate(d) == 6
    assert replications_to_separate(d * 10) == 6  # the same in any unit
    assert replications_to_separate(np.zeros(4)) == np.inf  # the same runs: nothing separates them


def test_vary_writes_a_readable_folder_and_runs_the_base_value_once(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from sim.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "aligned.yaml").write_text("name: aligned\nextends: aligned\nsimulation: {warmup_days: 0}\n")  # cold
    args = ["compare", "aligned.yaml", "--vary", "handoff.sla_hours=1,4,24", "-n", "2", "--days", "3", "--workers", "1"]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.stderr
    folder = tmp_path / "outputs" / "compare" / "aligned-vary-handoff.sla_hours"
    assert folder.is_dir() and len(folder.name) <= 80
    import pandas as pd

    arms = pd.read_csv(folder / "vary.csv")["scenario"].tolist()
    assert arms == ["aligned", "aligned-sla_hours-1", "aligned-sla_hours-24"]  # aligned's own 4 runs once
    assert "aligned (its own sla_hours)" in res.stdout
    assert len(pd.read_csv(folder / "replications.csv")) == 3 * 2


def test_a_value_the_schema_refuses_names_the_key():
    with pytest.raises(Exception, match="sla_hours"):
        vary_arms(load_scenario("aligned"), "handoff.sla_hours", [4, -1])
    with pytest.raises(ExperimentError, match="each value once"):
        vary_arms(load_scenario("aligned"), "handoff.sla_hours", [4, 4])


@pytest.mark.parametrize(
    "args",
    [
        ["aligned", "defined", "--vary", "handoff.sla_hours=2,4"],
        ["aligned", "--vary", "handoff.sla_hours"],
        ["aligned", "--vary", "handoff.sla_hours=2,4", "--kpi", "profits"],
    ],
)
def test_bad_vary_is_one_line_and_exit_2(tmp_path, args):
    done = subprocess.run(
        [sys.executable, "-m", "sim.cli", "compare", *args, "-n", "2", "--out", str(tmp_path / "o")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr
