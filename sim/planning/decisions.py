"""Decision variables: a plan spec's levers and hires as whole-number choices, and the scenario of one plan.

Every decision is an index into the list of values it may take: numbers (an SLA in hours, a
quota, reps hired in a quarter) are ordered, so NSGA-II's mutation moves to a neighbour; words
and yes/no are categories, so it draws another. A plan is a mapping of decision name -> value;
:func:`plan_scenario` makes it a scenario: the levers set from day 0, each quarter's hires and
exits dated on the timeline (costed as the timeline costs them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sim.config.scenario import Scenario, scenario_to_dict, validate, with_values
from sim.experiments.plan import headcounts
from sim.planning.spec import PlanSpec, quarter_day

Plan = dict[str, Any]  # decision name -> value


@dataclass(frozen=True)
class Variable:
    """One decision.

    Attributes:
        name: the lever key, or ``hire.<team>.<role>.q<quarter>`` for a quarter's hires.
        choices: the values it may take, in order.
        ordered: numbers (neighbours are close) rather than categories.
        today: the value today's organization has (0 hires), among the choices or not.
    """

    name: str
    choices: tuple[Any, ...]
    ordered: bool
    today: Any = None


def variables(spec: PlanSpec, base: Scenario) -> list[Variable]:
    """The spec's decisions, levers first, then each hiring quarter."""
    data = scenario_to_dict(base)
    found = []
    for key, lever in spec.levers.items():
        now = _value_at(data, key)
        found.append(Variable(key, tuple(lever.choices), lever.ordered, now))
    for hire in spec.hiring:
        team = hire.team or base.organization.field_teams[0].name
        for q in hire.quarters:
            found.append(Variable(f"hire.{team}.{hire.role}.q{q}", tuple(range(hire.low, hire.high + 1)), True, 0))
    return found


def _value_at(data: dict[str, Any], key: str) -> Any:
    node: Any = data
    for part in key.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    if node is None and key.startswith("behavior."):
        from sim.config.params import PARAM_INFO

        return PARAM_INFO[key.removeprefix("behavior.")].default
    return node


def decode(found: list[Variable], indices: dict[str, Any]) -> Plan:
    """The plan of a point of the search (decision name -> index)."""
    return {v.name: v.choices[int(indices[v.name])] for v in found}


def plan_key(plan: Plan) -> str:
    """A plan's identity in the store: its decisions as JSON, in order."""
    return json.dumps(plan, default=str)


def plan_scenario(base: Scenario, plan: Plan, name: str = "plan") -> Scenario:
    """Today's organization with the plan's levers from day 0 and its hires and exits on the timeline."""
    data = scenario_to_dict(base)
    data["name"] = name
    levers = {k: v for k, v in plan.items() if not k.startswith("hire.")}
    data = with_values(data, levers)
    timeline = list(data.get("timeline", []))
    for key, count in plan.items():
        if not key.startswith("hire.") or count == 0:
            continue
        _, team, role, quarter = key.split(".")
        kind = "hire" if count > 0 else "exit"
        timeline.append({"day": quarter_day(int(quarter[1:])), kind: {"team": team, role: abs(int(count))}})
    data["timeline"] = sorted(timeline, key=lambda c: c["day"])
    return validate(data, source=f"plan {plan_key(plan)}")


def peak_headcount(scenario: Scenario) -> int:
    """The most reps (inside and field) the organization has at any time of its run."""
    return max(inside + field for _, inside, field in headcounts(scenario))


def today_plan(found: list[Variable]) -> Plan | None:
    """Today's organization as a plan, if each of its values is among the choices (else None)."""
    if any(v.today not in v.choices for v in found):
        return None
    return {v.name: v.today for v in found}
