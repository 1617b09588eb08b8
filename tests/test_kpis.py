"""The KPI registry, the formatter of each unit and the lever labels."""

from __future__ import annotations

import itertools

from sim.config.labels import LEVER_LABELS, describe_lever, lever_label
from sim.config.scenario import Scenario, builtin_names, load_scenario
from sim.experiments.compare import lever_differences

# --------------------------------------------------------------------- levers


def _schema_levers() -> set[str]:
    """Every dotted key of the scenario schema that is a lever (not the name, the run or behaviour overrides)."""
    keys = set()
    for section, field in Scenario.model_fields.items():
        model = field.annotation
        if section in ("simulation", "behavior") or not hasattr(model, "model_fields"):
            continue
        keys |= {f"{section}.{key}" for key in model.model_fields}
    return keys


def test_every_lever_label_is_a_real_scenario_key_and_every_lever_has_one():
    assert set(LEVER_LABELS) == _schema_levers()


def test_every_difference_of_the_builtins_reads_in_words():
    scenarios = [load_scenario(name) for name in builtin_names()]
    for a, b in itertools.combinations(scenarios, 2):
        for key, old, new in lever_differences(a, b):
            assert key in LEVER_LABELS, key
            assert "_" not in describe_lever(key, old, new).split(":", 1)[1], (key, old, new)


def test_describe_lever():
    assert describe_lever("handoff.sla_hours", 48.0, 4.0) == "follow-up SLA (working hours): 48 → 4"
    assert describe_lever("handoff.mode", "cold", "warm") == "handoff: cold → warm"
    assert describe_lever("handoff.sla_enforced", False, True) == "follow-up SLA enforced: no → yes"
    teams = [{"name": "east", "field_reps": 5}, {"name": "west", "field_reps": 4}]
    assert describe_lever("organization.field_teams", teams[:1], teams).endswith("east (5 reps), west (4 reps)")
    assert describe_lever("compensation.inside", "per_lead", "hybrid") == "inside reps' pay: per lead → hybrid"
    assert lever_label("behavior.inside_threshold") == "behavior.inside threshold"
