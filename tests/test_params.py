"""Params carry their metadata (unit, kind, source, plausible range, bounds) and validation follows it.

The property test is the one that finds bad bounds: any override within a
parameter's bounds must give a run that neither raises nor hangs, keeps
satisfaction on its 0-100 scale and every money KPI finite.
"""

from __future__ import annotations

import ast
import inspect
import math
import signal
from contextlib import contextmanager
from dataclasses import fields

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim
from sim.config import levers
from sim.config.levers import derive
from sim.config.params import (
    BEHAVIOR_NAMES,
    LEVER,
    PARAM_INFO,
    UNITS,
    BehaviorError,
    Params,
    check_behavior_overrides,
    format_number,
)
from sim.config.scenario import ScenarioError, builtin_names, load_scenario, scenario_to_dict
from sim.present.params_table import MARK, format_param, params_table
from tests.console import salesim_in_process

NUMBERS = [name for name in BEHAVIOR_NAMES if PARAM_INFO[name].bounds is not None]
MONEY = ("revenue", "cost_of_sales", "salaries", "commissions", "profit", "margin")


def _yaml(value: float) -> str:
    """A float as YAML reads it back (YAML 1.1 reads "5e-324", without a dot, as a string)."""
    return yaml.safe_dump(float(value)).removesuffix("\n...\n").strip()


# ------------------------------------------------------------------ the metadata


def test_every_field_has_unit_kind_and_source():
    assert [f.name for f in fields(Params)] == list(PARAM_INFO)
    for f in fields(Params):
        assert f.metadata["unit"] in UNITS, f.name
        assert f.metadata["kind"], f.name
        assert f.metadata["source"], f.name
        info = PARAM_INFO[f.name]
        assert (info.unit, info.kind, info.source) == (f.metadata["unit"], f.metadata["kind"], f.metadata["source"])


def test_every_assumption_has_a_plausible_range_containing_its_default():
    assumed = [info for info in PARAM_INFO.values() if info.assumed]
    assert len(assumed) > 50  # most of the model is assumption, and says so
    for info in assumed:
        assert info.low is not None and info.high is not None, info.name
        assert info.low <= info.default <= info.high, info.name


def test_defaults_and_plausible_ranges_lie_within_the_bounds():
    for info in PARAM_INFO.values():
        if info.kind == "choice":
            assert info.bounds is None and info.key is not None, info.name
            continue
        lo, hi = info.bounds
        assert lo < hi, info.name
        assert lo <= info.default <= hi, info.name
        if info.low is not None:
            assert lo <= info.low <= info.high <= hi, info.name


def test_shares_levels_and_satisfaction_points_have_natural_bounds():
    for info in PARAM_INFO.values():
        if info.unit in {"share", "fit", "0-1"} and info.name != "inside_bar_shift":  # the shift is a difference
            assert info.bounds[0] >= 0 and info.bounds[1] <= 1, info.name
        if info.unit == "points":
            assert info.bounds[0] >= -100 and info.bounds[1] <= 100, info.name
    assert PARAM_INFO["sat_start"].bounds[0] > 0 and PARAM_INFO["sat_start"].bounds[1] == 100  # reputation divides


def _params_keywords_in_derive() -> set[str]:
    """The keywords of the ``Params(...)`` call in ``levers.derive``: what the levers set."""
    tree = ast.parse(inspect.getsource(levers.derive))
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", None) == "Params"]
    assert len(calls) == 1
    return {kw.arg for kw in calls[0].keywords if kw.arg is not None}  # not the **copies of scenario keys


def test_derived_fields_are_exactly_those_derive_sets():
    """``derive`` sets the lever-derived parameters by keyword and copies every keyed one by loop."""
    derived = {name for name, info in PARAM_INFO.items() if info.derived}
    keyed = {name for name, info in PARAM_INFO.items() if info.key is not None}
    assert set(levers.scenario_values(load_scenario("aligned"))) == keyed
    assert not keyed & _params_keywords_in_derive(), "a keyed parameter is copied by the loop, not by hand"
    assert derived == _params_keywords_in_derive() | keyed
    for name in derived:
        info = PARAM_INFO[name]
        assert info.key is not None or info.source == LEVER, name


def test_what_differs_between_builtins_is_derived():
    runs = {name: derive(load_scenario(name)) for name in builtin_names()}
    base = runs["misaligned"]
    assert base.inside_threshold != runs["integrated"].inside_threshold
    for params in runs.values():
        for name in PARAM_INFO:
            if getattr(params, name) != getattr(base, name):
                assert PARAM_INFO[name].derived, name


def test_scenario_owned_parameters_copy_their_key():
    for scenario_name in builtin_names():
        scenario = load_scenario(scenario_name)
        doc, params = scenario_to_dict(scenario), derive(scenario)
        for name, info in PARAM_INFO.items():
            if info.key is None:
                continue
            node = doc
            for part in info.key.split("."):
                node = node[part]
            assert getattr(params, name) == node, (scenario_name, name)


# ------------------------------------------------------------------ validation


@pytest.mark.parametrize("name", NUMBERS)
def test_out_of_bounds_overrides_name_the_parameter_unit_and_range(name):
    info = PARAM_INFO[name]
    lo, hi = info.bounds
    for value in (lo - max(1.0, abs(lo)), hi + max(1.0, abs(hi))):
        with pytest.raises(ScenarioError) as exc:
            load_scenario("aligned", [f"behavior.{name}={_yaml(value)}"])
        message = str(exc.value)
        assert "\n" not in message and "aligned.yaml" in message
        assert f"behavior.{name} must lie in [{format_number(lo)}, {format_number(hi)}] {info.unit}" in message
        assert f"got {format_number(value)}" in message


def test_bound_values_themselves_are_accepted():
    for name in NUMBERS:
        lo, hi = PARAM_INFO[name].bounds
        check_behavior_overrides({name: lo})
        check_behavior_overrides({name: hi})


def test_the_red_team_values_are_refused():
    crashing = {
        "reps_per_manager": 0,
        "field_capacity": 0,
        "pipeline_target": 0,
        "inside_tenure_days": 0,
        "inside_ramp_days": 0,
        "decay_scale_hours": 0,
        "agree_interest": 0,
        "inside_hours_share": 0,
        "fit_a": 0,
        "win_repeat": 1000,
        "opp_fit_slope": 1e6,
        "sat_start": 900,
        "inside_salary": 1e308,
        "prospecting_block_hours": 0,
        "inside_ramp_floor": 0,
        "contact_max": math.nan,
        "win_logit": math.inf,
    }
    for name, value in crashing.items():
        with pytest.raises(BehaviorError, match=rf"^{name} must lie in \[") as exc:
            check_behavior_overrides({name: value})
        assert exc.value.name == name


def test_the_message_reads_as_the_issue_asks():
    with pytest.raises(BehaviorError) as exc:
        check_behavior_overrides({"decay_scale_hours": 0})
    assert str(exc.value) == "decay_scale_hours must lie in [0.01, 100] h, got 0"


def test_scenario_owned_parameters_are_refused_and_lever_set_ones_may_be_overridden():
    with pytest.raises(ScenarioError, match=r"behavior\.sla_hours is set by the scenario key handoff\.sla_hours"):
        load_scenario("aligned", ["behavior.sla_hours=4"])
    with pytest.raises(ScenarioError, match=r"behavior\.routing is set by the scenario key handoff\.routing"):
        load_scenario("aligned", ["behavior.routing=1"])
    assert derive(load_scenario("aligned", ["behavior.lead_routing_hours=3"])).lead_routing_hours == 3  # calibration


def test_unknown_names_get_a_hint():
    with pytest.raises(ScenarioError, match=r"behavior\.decay_exponnent is not a behaviour parameter; did you mean"):
        load_scenario("aligned", ["behavior.decay_exponnent=2"])


# ------------------------------------------------------------------ any value within bounds runs


class _Hang(Exception):
    pass


@contextmanager
def _time_limit(seconds: int):
    """Fail instead of hanging (a bound that lets the model loop forever is a bad bound)."""

    def expire(*_):
        raise _Hang(f"no result within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _within(name: str) -> st.SearchStrategy[tuple[str, float]]:
    lo, hi = PARAM_INFO[name].bounds
    edges = st.sampled_from([lo, hi])  # the bounds themselves are where models break
    return st.tuples(st.just(name), edges | st.floats(lo, hi, allow_nan=False))


overrides = st.lists(st.sampled_from(NUMBERS), min_size=1, max_size=3, unique=True).flatmap(
    lambda names: st.tuples(*(_within(n) for n in names))
)
bases = st.sampled_from(
    [
        ("aligned", ()),
        ("field_only", ()),  # field reps answer inquiries themselves
        ("misaligned", ("market.reputation_effect=0.8",)),  # reputation feeds back on inbound volume
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(overrides, bases)
def test_any_override_within_bounds_runs(values, base):
    name, extra = base
    # a week's warm-up: the books open mid-run as they do after the full one, at a fraction of its cost
    sets = [*extra, "simulation.warmup_days=7", *(f"behavior.{k}={_yaml(v)}" for k, v in values)]
    with _time_limit(60):
        result = sim.run(name, days=8, overrides=sets)
    sat = result.leads["satisfaction"]
    assert sat.between(0, 100).all(), (sets, sat.min(), sat.max())
    for kpi in MONEY:
        assert math.isfinite(result.summary[kpi]), (sets, kpi, result.summary[kpi])


# ------------------------------------------------------------------ salesim show


def test_format_param_rounds_for_reading():
    assert format_param(0.18) == "0.18"
    assert format_param(-1.83) == "-1.83"
    assert format_param(294.0) == "294"
    assert format_param(65_000.0) == "65,000"
    assert format_param(1 / 3) == "0.3333"
    assert format_param(True) == "yes"
    assert format_param("per_lead") == "per_lead"


def test_the_table_marks_only_what_differs_from_the_default():
    text = params_table(Params(), prefix="# ")
    rows = [line for line in text.splitlines() if line.startswith("# ")]
    assert all(not line.startswith(f"# {MARK} ") or "=" in line for line in rows)  # only the legend is marked
    changed = params_table(Params().replace(decay_exponent=1.8))
    (row,) = [line for line in changed.splitlines() if " decay_exponent " in line]
    assert row.startswith(MARK) and "1.8" in row and "fitted: scripts/calibrate.py" in row


def _table_rows(text: str) -> dict[str, str]:
    """The rows of the parameter table in ``salesim show``'s output, by parameter name."""
    rows = {}
    for line in text.splitlines():
        cells = line.removeprefix("# ").removeprefix(MARK).split()
        if line.startswith("# ") and cells and cells[0] in PARAM_INFO:
            rows[cells[0]] = line
    return rows


def test_show_prints_units_sources_and_marks_lever_changes(tmp_path):
    proc = salesim_in_process("show", "aligned", "--set", "behavior.decay_exponent=1.9", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    rows = _table_rows(proc.stdout)
    row = rows["decay_exponent"]
    assert "fitted: scripts/calibrate.py, posterior median" in row and " power " in row
    assert rows["decay_exponent"].startswith(f"# {MARK}")  # set by behavior:
    assert rows["inside_threshold"].startswith(f"# {MARK}") and LEVER in rows["inside_threshold"]  # set by a lever
    assert not rows["attempt_hours"].startswith(f"# {MARK}") and "0.05 to 0.2" in rows["attempt_hours"]
    assert "business hours" in proc.stdout
    doc = yaml.safe_load(proc.stdout)  # the table is a YAML comment: the output still loads
    assert doc["derived_behavior"]["decay_exponent"] == 1.9
