from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim
from sim.config.levers import derive
from sim.config.scenario import BUILTIN_DIR, ScenarioError, builtin_names, load_scenario
from tests.invariants import check_run

BUILTINS = {
    "field_only", "misaligned", "defined", "aligned", "integrated",
    "shared_inside_team", "marketing_owned", "sales_owned",
}  # fmt: skip


def test_every_builtin_loads_and_describes_itself():
    assert set(builtin_names()) >= BUILTINS
    for name in builtin_names():
        scenario = load_scenario(name)
        assert scenario.name == name  # a built-in file is named after its name:
        assert len(scenario.description) > 20


def test_extends_overrides_only_what_differs():
    base, child = load_scenario("defined"), load_scenario("aligned")
    assert child.handoff.mode == "warm" and base.handoff.mode == "cold"
    assert child.organization == base.organization
    assert child.market == base.market


def test_user_file_extends_builtin(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("name: mine\nextends: aligned\nhandoff: {sla_hours: 2}\n")
    scenario = load_scenario(path)
    assert scenario.handoff.sla_hours == 2
    assert scenario.handoff.mode == "warm"


def test_set_values_are_parsed_as_yaml():
    s = load_scenario(
        "aligned",
        [
            "handoff.sla_hours=4",
            "handoff.sla_enforced=false",
            "organization.field_teams=[{name: a, field_reps: 3}]",
        ],
    )
    assert s.handoff.sla_hours == 4.0
    assert s.handoff.sla_enforced is False
    assert s.organization.field_reps == 3


def test_set_unknown_key_is_refused():
    with pytest.raises(ScenarioError, match="did you mean 'sla_hours'"):
        load_scenario("aligned", ["handoff.sla_hour=4"])


def test_yaml_alias_is_refused(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text("a: &a [1, 2]\nb: [*a, *a]\n")
    with pytest.raises(ScenarioError, match="aliases"):
        load_scenario(path)


def test_pay_per_lead_lowers_the_bar_and_behavior_overrides_win():
    per_lead = derive(load_scenario("aligned", ["compensation.inside=per_lead"]))
    per_opp = derive(load_scenario("aligned"))
    assert per_lead.inside_threshold + per_lead.inside_bar_shift < per_opp.inside_threshold + per_opp.inside_bar_shift
    tuned = derive(load_scenario("aligned", ["behavior.contact_max=0.3"]))
    assert tuned.contact_max == 0.3


def test_joint_standard_narrows_the_spread_of_bars():
    joint = derive(load_scenario("aligned"))
    none = derive(load_scenario("misaligned"))
    assert joint.inside_threshold_sd < none.inside_threshold_sd


levers = st.fixed_dictionaries(
    {
        "organization.structure": st.sampled_from(["one_team", "two_teams"]),
        "organization.management": st.sampled_from(["one_manager", "two_managers"]),
        "organization.inside_reports_to": st.sampled_from(["sales", "marketing"]),
        "organization.inside_reps": st.integers(0, 6),
        "organization.field_teams": st.lists(st.integers(0, 5), min_size=1, max_size=3).map(
            lambda sizes: [{"name": f"t{i}", "field_reps": n} for i, n in enumerate(sizes)]
        ),
        "organization.inside_shared_across_teams": st.booleans(),
        "qualification.standard_set_by": st.sampled_from(["sales", "marketing", "joint", "none"]),
        "nurture.mode": st.sampled_from(["none", "basic", "active"]),
        "inside.work_order": st.sampled_from(["oldest_first", "newest_first"]),
        "qualification.scoring": st.sampled_from(["none", "rules", "predictive"]),
        "handoff.mode": st.sampled_from(["warm", "cold"]),
        "handoff.routing": st.sampled_from(["round_robin", "least_loaded", "territory", "cherry_pick"]),
        "handoff.sla_hours": st.floats(0.5, 200),
        "handoff.sla_enforced": st.booleans(),
        "handoff.acceptance_stage": st.booleans(),
        "feedback.mode": st.sampled_from(["none", "periodic", "continuous"]),
        "feedback.interval_days": st.integers(1, 30),
        "compensation.inside": st.sampled_from(["per_lead", "per_opportunity", "revenue", "hybrid"]),
        "compensation.field": st.sampled_from(["revenue", "margin"]),
        "training.owner": st.sampled_from(["sales", "marketing", "joint", "none"]),
        "training.focus": st.sampled_from(["product", "selling", "both"]),
        "market.inbound_leads_per_day": st.floats(0, 30),
        "simulation.days": st.integers(1, 40),
        "simulation.warmup_days": st.sampled_from([0, 7, 28, 63]),  # the full 182 is the steady-state tests' job
        "simulation.seed": st.integers(0, 2**32),
    }
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(levers)
def test_any_valid_scenario_runs_and_holds_invariants(values):
    overrides = [f"{key}={yaml.safe_dump(value, default_flow_style=True).strip()}" for key, value in values.items()]
    overrides = [o.removesuffix("\n...") for o in overrides]
    result = sim.run("misaligned", overrides=overrides)
    check_run(result)
    assert len(result.daily) == values["simulation.days"]
    assert result.summary["cost_of_sales"] >= 0


def test_builtins_are_package_data_and_load_from_the_package(tmp_path, monkeypatch):
    """Built-ins come from the installed package, not from the working directory or the checkout's top level."""
    monkeypatch.chdir(tmp_path)  # an empty folder: nothing to find here
    assert BUILTIN_DIR.is_relative_to(Path(sim.__file__).parent)
    assert builtin_names() == sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml"))
    assert load_scenario("aligned").name == "aligned"
