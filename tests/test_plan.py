"""salesim plan: the spec, the decisions, the search on a planted problem, and the command end to end."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from sim import cli
from sim.config.scenario import load_scenario
from sim.planning.decisions import peak_headcount, plan_scenario, variables
from sim.planning.evaluate import Store, design
from sim.planning.search import planned_work, search
from sim.planning.spec import PlanError, PlanSpec, check_plan_spec, load_plan_spec, quarter_day
from sim.planning.study import plan, plan_work

ROOT = Path(__file__).resolve().parent.parent

BASE = "name: small\nextends: aligned\nsimulation: {warmup_days: 7}\ninside: {work_order: oldest_first}\n"
TINY = {
    "name": "tiny",
    "base": "small.yaml",
    "horizon": {"days": 60},
    "seed": 3,
    "levers": {"handoff.sla_hours": {"values": [2, 24]}, "feedback.mode": {"values": ["none", "continuous"]}},
    "hiring": [{"team": "east", "quarters": [1], "high": 1}],
    "objectives": [{"kpi": "operating_profit", "stat": "p10"}, {"kpi": "prospect_satisfaction"}],
    "constraints": [{"headcount": 29}],
    "uncertainty": {"sets": 2, "markets": 2, "range_scale": 0.5},
    "search": {"population": 4, "generations": 2},
}


def write_spec(folder: Path, changes: dict | None = None, name: str = "tiny.yaml") -> Path:
    """The tiny spec (and its base beside it) in ``folder``, with ``changes`` at the top level."""
    (folder / "small.yaml").write_text(BASE)
    path = folder / name
    path.write_text(yaml.safe_dump(TINY | (changes or {}), sort_keys=False))
    return path


# ------------------------------------------------------------------------------------ the spec


def test_every_problem_of_a_spec_is_one_line_naming_the_file_and_key(tmp_path):
    path = write_spec(
        tmp_path,
        {
            "levers": {"handoff.sla_minutes": {"values": [1, 2]}, "handoff.sla_hours": {"values": [2, -1]}},
            "hiring": [{"team": "north", "quarters": [1, 9], "high": 2}],
        },
    )
    with pytest.raises(PlanError) as caught:
        load_plan_spec(path)
    lines = str(caught.value).splitlines()
    assert all(line.startswith(f"{path}: ") for line in lines), lines
    text = str(caught.value)
    assert "levers.handoff.sla_minutes: not a lever" in text
    assert "levers.handoff.sla_hours: -1 is not valid here" in text
    assert "hiring.0.team: 'north' is not a field team (one of east, west)" in text
    assert "hiring.0.quarters: quarter 9 starts on day 730, past the horizon of 60 days" in text


def test_schema_mistakes_are_one_line_each(tmp_path):
    path = write_spec(tmp_path, {"objectives": [{"kpi": "profits"}], "colour": "red", "horizon": {}})
    with pytest.raises(PlanError) as caught:
        load_plan_spec(path)
    lines = str(caught.value).splitlines()
    assert len(lines) == 3, lines
    assert any("objectives.0: kpi: unknown KPI 'profits'; allowed: revenue" in x for x in lines)
    assert any("colour: unknown key; allowed: name, description, base" in x for x in lines)
    assert any("horizon: " in x and "years: N or days: N" in x for x in lines)


def test_the_command_refuses_a_bad_spec_with_exit_2(tmp_path):
    path = write_spec(tmp_path, {"levers": {"handoff.sla_minutes": {"values": [1, 2]}}})
    result = CliRunner().invoke(cli.main, ["plan", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert "levers.handoff.sla_minutes: not a lever" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "out").exists()


def test_the_example_specs_are_valid():
    specs = sorted((ROOT / "scenarios" / "plans").glob("*.yaml"))
    assert {p.stem for p in specs} >= {"default", "pay_and_hiring", "quick"}
    for path in specs:
        spec, base = load_plan_spec(path)
        assert base.simulation.days == spec.horizon.length
    spec, base = load_plan_spec(ROOT / "scenarios" / "plans" / "default.yaml")
    assert len(variables(spec, base)) == 6 and spec.uncertainty.sets == 10 and spec.uncertainty.markets == 2
    assert spec.horizon.length == 730


# ------------------------------------------------------------------------------------ decisions


def test_a_plan_is_its_levers_from_day_0_and_its_hires_and_exits_on_quarter_days():
    spec = PlanSpec.model_validate(
        TINY
        | {
            "base": "aligned",
            "horizon": {"years": 1},
            "hiring": [{"team": "west", "quarters": [1, 3], "low": -2, "high": 3}],
        }
    )
    base = check_plan_spec(spec)
    names = [v.name for v in variables(spec, base)]
    assert names == ["handoff.sla_hours", "feedback.mode", "hire.west.field_reps.q1", "hire.west.field_reps.q3"]
    plan_ = {"handoff.sla_hours": 2, "feedback.mode": "continuous", "hire.west.field_reps.q1": 3,
             "hire.west.field_reps.q3": -2}  # fmt: skip
    scenario = plan_scenario(base, plan_)
    assert scenario.handoff.sla_hours == 2 and scenario.feedback.mode == "continuous"
    assert [(c.day, c.staffing[0], c.staffing[1].field_reps) for c in scenario.timeline] == [  # type: ignore[union-attr]
        (0, 1, 3), (quarter_day(3), -1, 2)
    ]  # fmt: skip
    assert quarter_day(3) == 182 and peak_headcount(scenario) == 8 + 20 + 3


def test_the_planned_runs_are_counted_and_an_over_limit_plan_is_refused_up_front(tmp_path):
    path = write_spec(tmp_path)
    spec, base = load_plan_spec(path)
    generations, work = plan_work(spec, base, None)
    # today 2x2, 2 generations x 4 plans x 2 sets on 1 market, the best 2 of each on 1 more, the final front (4 plans)
    assert generations == 2 and work.runs == 4 + 16 + 8 + 8
    assert plan_work(spec, base, 30)[0] == 1  # a budget takes fewer generations (one: 4 + 8 + 4 + 8 runs)
    with pytest.raises(PlanError, match="--budget 10: one generation of tiny takes up to 24 runs"):
        plan_work(spec, base, 10)
    big = write_spec(tmp_path, {"search": {"population": 500, "generations": 500}}, "big.yaml")
    result = CliRunner().invoke(cli.main, ["plan", str(big), "--out", str(tmp_path / "big")])
    assert result.exit_code == 2 and "more than one command takes" in result.output, result.output
    assert not (tmp_path / "big").exists()


# ------------------------------------------------------------------------------------ a planted problem


def planted_profit(hired: int, sla: float) -> float:
    """A known landscape: the marginal rep pays until 6 (6.3 is the peak), an SLA of 4 hours is best."""
    return -1e5 * (hired - 6.3) ** 2 - 5e4 * (math.log2(sla) - 2) ** 2


def planted_runner(store: Store):
    """Runs that compute the planted profit (with a shift per assumption set and noise per market) into the store."""

    def run(tasks, phase):
        rows = []
        for task in tasks:
            s = task.scenario
            hired = sum(c.hire.field_reps for c in s.timeline if c.hire is not None)
            k, m = task.labels["set"], task.labels["market"]
            noise = np.random.default_rng([k, m]).normal(0, 2e3)  # the same for every plan: common random numbers
            value = planted_profit(hired, s.handoff.sla_hours) + 3e5 * k + noise
            rows.append({**task.labels, "seed": task.seed, "status": "ok", "error": ""}
                        | {kpi: value for kpi in ("operating_profit", "revenue", "cost_of_sales")}
                        | {"prospect_satisfaction": 50.0 - s.handoff.sla_hours / 10})  # fmt: skip
        store.record(rows)
        return len(rows)

    return run


SLAS = [1, 2, 4, 8, 16, 32]


def test_a_planted_optimum_is_found_within_one_grid_step(tmp_path):
    spec = PlanSpec.model_validate(
        TINY
        | {
            "base": "defined",
            "horizon": {"days": 100},
            "levers": {"handoff.sla_hours": {"values": SLAS}},
            "hiring": [{"team": "east", "quarters": [1], "high": 12}],
            "objectives": [{"kpi": "operating_profit", "stat": "mean"}],
            "constraints": [],
            "uncertainty": {"sets": 3, "markets": 2},
            "search": {"population": 10, "generations": 8},
        }
    )
    base = check_plan_spec(spec)
    grid = max((planted_profit(h, sla), h, sla) for h in range(13) for sla in SLAS)  # the dense grid's answer
    assert grid[1:] == (6, 4)
    store = Store(tmp_path)
    found = variables(spec, base)
    searcher = search(spec, base, found, design(spec, base), store, 8, 1, None, False, run=planted_runner(store))
    best = searcher.candidates[searcher.best()].plan  # type: ignore[index]
    assert abs(best["hire.east.field_reps.q1"] - 6) <= 1
    assert abs(SLAS.index(best["handoff.sla_hours"]) - SLAS.index(4)) <= 1
    evaluated = len(searcher.candidates) - 1
    assert evaluated < 13 * len(SLAS)  # fewer plans than the grid
    on_every = [c for c in searcher.candidates.values() if c.markets == 2]
    assert len(on_every) < len(searcher.candidates)  # successive halving left some plans at one market


def test_a_search_replayed_on_its_store_takes_the_same_steps_and_runs_nothing_again(tmp_path):
    spec = PlanSpec.model_validate(TINY | {"base": "defined", "horizon": {"days": 100}, "constraints": []})
    base = check_plan_spec(spec)
    found = variables(spec, base)

    def once(folder: Path):
        store = Store(folder)
        return search(spec, base, found, design(spec, base), store, 3, 1, None, False, run=planted_runner(store))

    first = once(tmp_path)
    parts = sorted((tmp_path / "runs.parquet").glob("*.parquet"))
    for part in parts[len(parts) // 2 :]:  # a kill lost the later half of the runs
        part.unlink()
    again = once(tmp_path)
    assert [h["best"] for h in again.history] == [h["best"] for h in first.history]
    assert sorted(again.candidates) == sorted(first.candidates)
    assert 0 < again.runs < first.runs
    assert once(tmp_path).runs == 0


# ------------------------------------------------------------------------------------ end to end


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    """The tiny spec planned once, serially, through the command."""
    folder = tmp_path_factory.mktemp("plan")
    path = write_spec(folder)
    result = CliRunner().invoke(cli.main, ["plan", str(path), "--workers", "1", "--out", str(folder / "out")])
    assert result.exit_code == 0, result.output
    return folder, path, result.output


def test_the_command_prints_its_plan_first_then_the_plan_in_words(planned):
    _, _, output = planned
    assert "salesim: plan: today's organization x 2 assumption sets x 2 markets" in output
    assert output.index("salesim: plan:") < output.index("Recommended plan")
    assert "handoff SLA" in output or "follow-up SLA" in output
    assert "better than today's in" in output and "Where it does not pay:" in output


def test_the_files_people_open(planned):
    folder, _, _ = planned
    out = folder / "out"
    for name in ("plan.json", "pareto.csv", "recommended.yaml", "today.yaml", "plan.xlsx", "plan.md",
                 "figures/pareto_satisfaction.png", "figures/pareto_risk.png", "figures/hiring.png"):  # fmt: skip
        assert (out / name).is_file(), name
    data = json.loads((out / "plan.json").read_text())
    assert set(data) >= {"spec", "front", "recommended", "today", "search", "uncertainty"}
    rec = data["recommended"]
    assert set(rec["figures"]["operating_profit"]) == {"mean", "p10", "median", "p90", "regret_mean", "regret_max"}
    assert 0 <= rec["gain_over_today"]["operating_profit"]["p_better"] <= 1
    front = pd.read_csv(out / "pareto.csv")
    assert front["recommended"].sum() == 1 and front["plan"].iloc[-1] == "today"
    assert set(pd.read_excel(out / "plan.xlsx", sheet_name=None)) >= {"plan", "front", "plans evaluated"}
    recommended = load_scenario(out / "recommended.yaml")
    decisions = rec["decisions"]
    assert recommended.handoff.sla_hours == decisions["handoff.sla_hours"]
    assert sum(c.hire.field_reps for c in recommended.timeline if c.hire) == decisions["hire.east.field_reps.q1"]


def test_report_re_runs_the_recommended_plan_against_today(planned):
    folder, _, _ = planned
    out = folder / "out"
    args = ["report", str(out / "today.yaml"), str(out / "recommended.yaml"), "-n", "2", "--workers", "1"]
    result = CliRunner().invoke(cli.main, [*args, "--out", str(folder / "report")])
    assert result.exit_code == 0, result.output
    assert (folder / "report" / "report.html").is_file()


def test_the_same_command_again_runs_nothing_and_gives_the_same_plan(planned):
    folder, path, _ = planned
    before = json.loads((folder / "out" / "plan.json").read_text())
    result = CliRunner().invoke(cli.main, ["plan", str(path), "--workers", "1", "--out", str(folder / "out")])
    assert result.exit_code == 0, result.output
    after = json.loads((folder / "out" / "plan.json").read_text())
    assert after["search"]["runs_this_call"] == 0
    assert after["front"] == before["front"] and after["recommended"] == before["recommended"]


def test_another_spec_in_the_same_folder_is_refused(planned, tmp_path):
    folder, _, _ = planned
    other = write_spec(tmp_path, {"seed": 4})
    result = CliRunner().invoke(cli.main, ["plan", str(other), "--out", str(folder / "out")])
    assert result.exit_code == 2 and "holds the runs of another plan spec" in result.output, result.output


def test_a_process_pool_gives_the_same_plan(planned, tmp_path):
    folder, path, _ = planned
    shutil.copy(path, tmp_path / path.name)
    shutil.copy(folder / "small.yaml", tmp_path / "small.yaml")
    pooled = plan(tmp_path / path.name, out=tmp_path / "out", workers=2, executor="processes")
    serial = json.loads((folder / "out" / "plan.json").read_text())
    assert json.loads((pooled.folder / "plan.json").read_text())["front"] == serial["front"]


@pytest.mark.slow
def test_dask_gives_the_same_plan(planned, tmp_path):
    pytest.importorskip("distributed")
    folder, path, _ = planned
    shutil.copy(path, tmp_path / path.name)
    shutil.copy(folder / "small.yaml", tmp_path / "small.yaml")
    on_dask = plan(tmp_path / path.name, out=tmp_path / "out", workers=2, executor="dask")
    serial = json.loads((folder / "out" / "plan.json").read_text())
    assert json.loads((on_dask.folder / "plan.json").read_text())["front"] == serial["front"]


def test_planned_work_names_every_part(tmp_path):
    spec, base = load_plan_spec(write_spec(tmp_path))
    line = planned_work(spec, base).line()
    assert "2 generations x 4 plans x 2 sets on 1 market" in line and "the final front on every market" in line


def test_the_recommended_plan_is_checked_on_held_out_sets_and_markets(planned):
    from sim.planning.holdout import HELD_OUT_SEED, held_out

    folder, path, _ = planned
    spec, base = load_plan_spec(path)
    recommended = load_scenario(folder / "out" / "recommended.yaml")
    rival = load_scenario(folder / "small.yaml", ["handoff.sla_hours=40"], days=spec.horizon.length)
    table = held_out(spec, base, recommended, [rival], workers=1)
    row = table.iloc[0]
    assert row["rival"] == "small" and row["sets"] == 2 and row["markets"] == 2
    assert row["difference"] == pytest.approx(row["plan_p10"] - row["rival_p10"])
    assert row["ci_low"] <= row["difference"] <= row["ci_high"]
    searched = json.loads((folder / "out" / "plan.json").read_text())["uncertainty"]["assumption_sets"]
    fresh = design(spec.model_copy(update={"seed": spec.seed + HELD_OUT_SEED}), base).sets
    assert fresh.to_dict(orient="records") != searched  # sets the search never met
