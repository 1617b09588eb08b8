"""Explaining the gap between two scenarios lever by lever: the arms to run and the arithmetic of their runs.

:class:`ExplainStudy` builds BASE, TARGET and BASE with each differing lever switched alone
(each dated step of a re-organization a lever of its own, and the steps in sequence; with
``mechanisms``, each lever's behaviour parameters one at a time) and turns their runs into an
:class:`Explanation`. :func:`sim.experiments.compare.explain` runs them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.config.levers import derive
from sim.config.params import BEHAVIOR_NAMES
from sim.config.scenario import Scenario, ScenarioError, lever_leaves, scenario_to_dict, validate, with_values
from sim.experiments.names import derived_name
from sim.experiments.plan import arms_work, check_explain, timeline_steps
from sim.experiments.stats import mean_ci
from sim.measure.kpis import EXPLAIN_KPIS


@dataclass
class Explanation:
    """The effect of switching each differing lever alone, BASE -> TARGET.

    Attributes:
        base: the scenario the levers are switched in.
        target: the scenario the new lever values come from.
        levers: (dotted key, base value, target value) of each differing lever.
        table: lever, base_value, target_value, kpi, effect, ci_low, ci_high, share.
        effects: lever, kpi, replication, effect: each replication's paired effect (levers,
            "all levers together" and "interaction"), to tell levers apart pair by pair.
        mechanisms: where asked for, each lever's effect through each behaviour parameter it
            moves, switched alone in BASE (lever, parameter, base_value, target_value, kpi,
            effect, ci_low, ci_high, share_of_lever; a "together beyond their sum" row per lever).
        steps: a timeline of several dated steps, in sequence: each step's effect once the steps
            before it are in place, and the effect of the steps so far (step, day, changes, kpi,
            effect, ci_low, ci_high, so_far, so_far_ci_low, so_far_ci_high); each step alone is
            a lever of ``table`` ("timeline day 91").
    """

    base: Scenario
    target: Scenario
    levers: list[tuple[str, Any, Any]]
    table: pd.DataFrame
    effects: pd.DataFrame | None = None
    mechanisms: pd.DataFrame | None = None
    steps: pd.DataFrame | None = None


def lever_values(scenario: Scenario) -> dict[str, Any]:
    """Dotted key -> value of every lever of the scenario (its ``simulation`` settings too)."""
    data = scenario_to_dict(scenario)
    return {f"simulation.{k}": v for k, v in data.get("simulation", {}).items()} | lever_leaves(data)


def _with_lever(base: Scenario, key: str, value: Any) -> Scenario:
    data = with_values(scenario_to_dict(base), {key: value, "name": derived_name(f"{base.name}__{key}")})
    return validate(data, source=f"{base.name} with {key} switched")


def lever_mechanisms(base: Scenario, key: str, value: Any) -> list[tuple[str, Any, Any]]:
    """(parameter, base value, value with the lever switched) of each behaviour parameter a lever moves.

    Only numbers ``behavior:`` may set are returned: a choice is the lever itself.
    """
    before, after = derive(base), derive(_with_lever(base, key, value))
    moved = []
    for name in BEHAVIOR_NAMES:
        old, new = getattr(before, name), getattr(after, name)
        if old != new and not isinstance(old, str | bool):
            moved.append((name, old, new))
    return moved


def _with_behavior(base: Scenario, key: str, name: str, value: Any) -> Scenario:
    data = scenario_to_dict(base)
    data["behavior"] = {**data.get("behavior", {}), name: value}
    data["name"] = derived_name(f"{base.name}__{key}__{name}")
    return validate(data, source=f"{base.name} with {key} acting through {name} only")


@dataclass
class ExplainStudy:
    """The arms of an explanation (BASE, TARGET and BASE with each differing lever switched) and its arithmetic.

    Shared by :func:`explain` and what runs the same arms otherwise (a comparison that explains
    too, an uncertainty study of each lever).

    Attributes:
        base: BASE, resolved.
        target: TARGET, resolved.
        levers: (dotted key, base value, target value) of every lever that differs.
        switched: BASE with each of those levers switched to TARGET's value, in that order.
        kpis: the KPIs explained.
    """

    base: Scenario
    target: Scenario
    levers: list[tuple[str, Any, Any]]
    switched: list[Scenario]
    kpis: tuple[str, ...]
    # (lever key, parameter, base value, lever's value, BASE with only that parameter moved)
    through: list[tuple[str, str, Any, Any, Scenario]] = field(default_factory=list)
    # (day, BASE with TARGET's timeline up to that day): the steps of a re-organization in sequence
    sequence: list[tuple[int, Scenario]] = field(default_factory=list)

    @classmethod
    def of(
        cls, base, target, n: int, days: int | None, kpis: tuple[str, ...] = EXPLAIN_KPIS, mechanisms: bool = False
    ) -> ExplainStudy:
        """The study of BASE and TARGET (scenarios, paths or names); ExperimentError if nothing differs."""
        from sim.experiments.runs import resolve  # (the model: not needed to import this module, e.g. for --vary)

        base_s, target_s = resolve(base, days, ()), resolve(target, days, ())
        levers = check_explain(base_s, target_s, n)
        levers, switched, sequence = _steps(base_s, target_s, levers)
        through = []
        if mechanisms:
            for key, _, new in levers:
                if key.startswith(STEP):
                    continue  # a step is dated changes of levers, explained by those levers' own runs
                moved = lever_mechanisms(base_s, key, new)
                if len(moved) > 1:  # a lever acting through one parameter is its own mechanism
                    through += [(key, p, old, value, _with_behavior(base_s, key, p, value)) for p, old, value in moved]
        study = cls(base_s, target_s, levers, switched, kpis, through, sequence)
        arms_work(study.arms, n).check(long=True, flag="")
        return study

    @property
    def arms(self) -> list[Scenario]:
        """Every scenario to run: BASE, TARGET, each switched arm, each lever's parameters, the steps in sequence."""
        return [self.base, self.target, *self.switched, *(t[-1] for t in self.through), *(s for _, s in self.sequence)]

    def explanation(self, runs: pd.DataFrame) -> Explanation:
        """Each lever's effect, all levers together and their interaction, from the runs of :attr:`arms`."""

        def values(name: str, kpi: str) -> np.ndarray:
            return runs[runs["scenario"] == name].sort_values("replication")[kpi].to_numpy(dtype=float)

        base, target = self.base.name, self.target.name
        rows, effects = [], []
        for kpi in self.kpis:
            b = values(base, kpi)
            total = values(target, kpi) - b
            singles = np.zeros_like(b)
            for (key, old, new), arm in zip(self.levers, self.switched, strict=True):
                diff = values(arm.name, kpi) - b
                singles = singles + diff
                rows.append((key, _show(old), _show(new), kpi, *mean_ci(diff)))
                effects += [(key, kpi, i, d) for i, d in enumerate(diff)]
            rows.append(("all levers together", base, target, kpi, *mean_ci(total)))
            rows.append(("interaction", "", "", kpi, *mean_ci(total - singles)))
            effects += [("all levers together", kpi, i, d) for i, d in enumerate(total)]
            effects += [("interaction", kpi, i, d) for i, d in enumerate(total - singles)]
        columns = ["lever", "base_value", "target_value", "kpi", "effect", "ci_low", "ci_high"]
        table = pd.DataFrame(rows, columns=columns)
        totals = table[table["lever"] == "all levers together"].set_index("kpi")["effect"]
        table["share_of_total"] = table["effect"] / table["kpi"].map(totals).replace(0, np.nan)
        per_replication = pd.DataFrame(effects, columns=["lever", "kpi", "replication", "effect"])
        mechanisms = self._mechanisms(values) if self.through else None
        steps = self._sequence(values) if self.sequence else None
        return Explanation(self.base, self.target, self.levers, table, per_replication, mechanisms, steps)

    def _sequence(self, values: Callable[[str, str], np.ndarray]) -> pd.DataFrame:
        """Each step of the timeline once those before it are in place, and the effect of the steps so far."""
        changes = {int(key.removeprefix(STEP)): new for key, _, new in self.levers if key.startswith(STEP)}
        rows = []
        for kpi in self.kpis:
            b = values(self.base.name, kpi)
            before = np.zeros_like(b)
            for step, (day, arm) in enumerate(self.sequence, start=1):
                so_far = values(arm.name, kpi) - b
                rows.append((step, day, _show(changes.get(day)), kpi, *mean_ci(so_far - before), *mean_ci(so_far)))
                before = so_far
        columns = ["step", "day", "changes", "kpi", "effect", "ci_low", "ci_high", "so_far", "so_far_ci_low",
                   "so_far_ci_high"]  # fmt: skip
        return pd.DataFrame(rows, columns=columns)

    def _mechanisms(self, values: Callable[[str, str], np.ndarray]) -> pd.DataFrame:
        """Each lever's effect through each parameter it moves, and what they add together beyond their sum."""
        arm_of = {key: arm for (key, _, _), arm in zip(self.levers, self.switched, strict=True)}
        rows = []
        for kpi in self.kpis:
            b = values(self.base.name, kpi)
            for key in dict.fromkeys(t[0] for t in self.through):
                lever = values(arm_of[key].name, kpi) - b
                summed = np.zeros_like(b)
                for _, name, old, new, arm in (t for t in self.through if t[0] == key):
                    diff = values(arm.name, kpi) - b
                    summed = summed + diff
                    rows.append((key, name, _show(old), _show(new), kpi, *mean_ci(diff)))
                rows.append((key, "together beyond their sum", "", "", kpi, *mean_ci(lever - summed)))
                rows.append((key, "the lever (all of them)", "", "", kpi, *mean_ci(lever)))
        columns = ["lever", "parameter", "base_value", "target_value", "kpi", "effect", "ci_low", "ci_high"]
        table = pd.DataFrame(rows, columns=columns)
        whole = table[table["parameter"] == "the lever (all of them)"].set_index(["lever", "kpi"])["effect"]
        keys = pd.MultiIndex.from_frame(table[["lever", "kpi"]])
        table["share_of_lever"] = table["effect"].to_numpy() / whole.reindex(keys).replace(0, np.nan).to_numpy()
        return table


STEP = "timeline day "  # the lever of one dated step of a timeline explained step by step


def _steps(
    base: Scenario, target: Scenario, levers: list[tuple[str, Any, Any]]
) -> tuple[list[tuple[str, Any, Any]], list[Scenario], list[tuple[int, Scenario]]]:
    """The levers, their switched arms and the steps in sequence: a timeline of several days is a step a day.

    Each day's changes alone are a lever ("timeline day 91"); the steps in sequence are BASE
    with TARGET's timeline up to each day. A step that cannot stand alone (an exit of reps an
    earlier step hires) keeps the whole timeline one lever.
    """
    days = timeline_steps(base, target)
    plain = [(k, o, n) for k, o, n in levers if not (days and k == "timeline")]
    switched = [_with_lever(base, key, new) for key, _, new in plain]
    if not days:
        return plain, switched, []
    entries = [c.model_dump(mode="json", exclude_none=True) for c in target.timeline]
    try:
        alone = [_with_timeline(base, [e for e in entries if e["day"] == d], f"day{d}") for d in days]
        sequence = [(d, _with_timeline(base, [e for e in entries if e["day"] <= d], f"to-day{d}")) for d in days]
    except ScenarioError:
        return levers, [_with_lever(base, key, new) for key, _, new in levers], []
    steps: list[tuple[str, Any, Any]] = [(f"{STEP}{d}", [], [e for e in entries if e["day"] == d]) for d in days]
    return plain + steps, switched + alone, sequence


def _with_timeline(base: Scenario, entries: list[dict[str, Any]], tag: str) -> Scenario:
    data = with_values(scenario_to_dict(base), {"name": derived_name(f"{base.name}__timeline_{tag}")})
    data["timeline"] = entries
    return validate(data, source=f"{base.name} with its timeline's step {tag}")


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(_show_item(t) for t in value)
    return "-" if value is None else str(value)


def _show_item(item: Any) -> str:
    """A team as ``name: reps``, a channel as ``name: share``, a dated change as ``day 91: set key=value``."""
    if isinstance(item, dict) and "name" in item:
        return f"{item['name']}: {item.get('field_reps', item.get('share'))}"
    if isinstance(item, dict) and "day" in item:
        what = next((k for k in ("set", "hire", "exit", "move") if item.get(k) is not None), None)
        if what is None:
            return f"day {item['day']}"
        value = item[what]
        if isinstance(value, dict):
            text = ", ".join(f"{k}={v}" for k, v in value.items() if v is not None)
        else:
            text = str(value)
        return f"day {item['day']}: {what} {text}"
    return str(item)
