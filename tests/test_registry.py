"""The lever registry (sim/config/registry.py): one entry per lever, and everything that reads it agrees."""

from __future__ import annotations

import typing
from typing import Literal

import pytest
from pydantic import BaseModel, Field

from sim.config import registry
from sim.config.labels import LEVER_LABELS
from sim.config.levers import derive
from sim.config.params import PARAM_INFO
from sim.config.registry import LEVERS, TRANSITIONS, Section, lever
from sim.config.scenario import Scenario, ScenarioError, effective_day, load_scenario, next_pay_period
from sim.model.model import SalesOrgModel


def _schema_keys() -> set[str]:
    """Every dotted key of the scenario schema's sections (not the run's settings)."""
    keys = set()
    for section, field in Scenario.model_fields.items():
        model = field.annotation
        if section == "simulation" or not (isinstance(model, type) and issubclass(model, BaseModel)):
            continue
        keys |= {f"{section}.{name}" for name in model.model_fields}
    return keys


def test_every_registry_key_is_in_the_schema_and_every_schema_key_in_the_registry():
    assert set(LEVERS) == _schema_keys()
    assert {s: Scenario.model_fields[s].annotation for s in registry.SECTIONS} == dict(registry.SECTIONS)


def test_every_keyed_parameter_copies_a_lever():
    keyed = {name: info.key for name, info in PARAM_INFO.items() if info.key is not None}
    assert keyed, "Params has parameters a scenario key sets"
    for name, key in keyed.items():
        assert key in LEVERS, f"Params.{name}: key={key} is not a lever of the registry"


def test_every_choice_lever_lists_its_choices_and_the_schema_takes_exactly_those():
    choice_levers = [lv for lv in LEVERS.values() if lv.choices is not None]
    assert len(choice_levers) >= 15
    for lv in choice_levers:
        assert len(lv.choices) >= 2, lv.key
        expected = (True, False) if lv.annotation is bool else typing.get_args(lv.annotation)
        assert lv.choices == expected, lv.key
    for lv in (LEVERS["handoff.routing"], LEVERS["compensation.inside"]):
        for choice in lv.choices:
            assert registry.read(load_scenario("aligned", [f"{lv.key}={choice}"]), lv.key) == choice
        with pytest.raises(ScenarioError, match=f"{lv.key}: got 'nope'; allowed"):
            load_scenario("aligned", [f"{lv.key}=nope"])


def test_every_lever_has_a_label_a_transition_and_its_defaults_in_the_schema():
    assert set(LEVER_LABELS) == set(LEVERS) | {"timeline"}
    for lv in LEVERS.values():
        assert lv.label and not lv.label[0].isupper(), lv.key  # for running text
        assert lv.transition in TRANSITIONS, lv.key
        section, name = lv.key.split(".")
        field = registry.SECTIONS[section].model_fields[name]
        assert lv.required == field.is_required(), lv.key
        assert lv.required or lv.default == field.default, lv.key
    assert LEVERS["handoff.sla_hours"].required and LEVERS["feedback.interval_days"].default == 7


def test_the_key_lists_come_from_the_transition_kinds():
    assert registry.REORG_KEYS == (
        "organization.structure",
        "organization.management",
        "organization.inside_reports_to",
    )
    assert tuple(k for k in LEVERS if k.startswith("compensation.")) == registry.PAY_KEYS
    assert registry.HABIT_KEYS == ("qualification.standard_set_by",)
    assert set(registry.FIXED_KEYS) == {
        "organization.field_teams", "organization.inside_reps", "organization.inside_shared_across_teams",
        "market.channels", "feedback.interval_days",
    }  # fmt: skip
    assert registry.transition("behavior.contact_max") == "immediate"
    assert SalesOrgModel.REORG_KEYS == registry.REORG_KEYS  # until the model imports the registry's


def test_a_dated_set_follows_the_transition_kind():
    for key in registry.PAY_KEYS:
        assert effective_day(100, key) == next_pay_period(100) == 181
    for key, lv in LEVERS.items():
        if lv.transition != "next_pay_period":
            assert effective_day(100, key) == 100, key
    for key in registry.FIXED_KEYS:
        with pytest.raises(ScenarioError, match=f"{key} cannot change during a run"):
            load_scenario("aligned", [f"timeline=[{{day: 5, set: {{{key}: 1}}}}]"])
    changed = load_scenario("aligned", ["timeline=[{day: 5, set: {organization.structure: two_teams}}]"])
    assert changed.timeline[0].set == {"organization.structure": "two_teams"}


def test_dashboard_widgets_fit_their_levers():
    widgets = registry.widgets()
    assert len(widgets) == len({w.name for _, w in widgets.values()}) == 23
    kinds = [w.kind for _, w in widgets.values()]
    assert kinds == sorted(kinds, key=["select", "slider"].index), "drop-downs first, then sliders"
    for lv, w in widgets.values():
        if w.kind == "select":
            assert lv.choices is not None, lv.key
        else:
            assert 0 <= w.low < w.high, lv.key
            assert isinstance(registry.read(load_scenario("aligned"), w.reads or lv.key), int | float), lv.key


def test_derive_copies_every_keyed_lever():
    scenario = load_scenario(
        "aligned", ["handoff.sla_hours=5", "market.addressable_accounts=1234", "handoff.routing=least_loaded"]
    )
    params = derive(scenario)
    assert (params.sla_hours, params.routing) == (5.0, "least_loaded")
    assert params.addressable_accounts == 1234.0 and isinstance(params.addressable_accounts, float)


def test_a_field_without_its_lever_metadata_is_refused():
    class Loose(Section):
        ok: bool = lever(False, label="fine")
        bare: int = Field(3, ge=0)

    assert registry._read("loose", "ok", Loose.model_fields["ok"]).choices == (True, False)
    with pytest.raises(TypeError, match=r"loose\.bare: a lever is declared with lever"):
        registry._read("loose", "bare", Loose.model_fields["bare"])
    with pytest.raises(TypeError, match="transition 'someday'"):
        lever(label="x", transition=typing.cast(Literal["immediate"], "someday"))
