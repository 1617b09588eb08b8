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
    assert [a.organization.inside_reps for a in arms] == [8, 0, 8, 16]
    result = compare(arms, n=3, seed=2, workers=1)
    table = best_values(result, "revenue").set_index("scenario")
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
    same = table.loc["aligned-inside_reps-8"]
    assert same["delta"] == 0 and np.isclose(same["delta_ci_low"], 0)


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
