"""The timeline as a component: dated changes of levers, hires, exits and moves, and what each day changed.

On a change day (a Mesa event before the day's work) the levers in effect are
worked out from the scenario (:func:`sim.config.scenario.scenario_on`: pay
plans from the next pay period), the behaviour parameters derived again and
every component refreshed; a change of structure, management or reporting line
is a re-organization. Hires, exits and moves go to staffing and the field teams.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sim.config.levers import derive
from sim.config.registry import REORG_KEYS
from sim.config.scenario import NOT_LEVERS, change_days, lever_leaves, scenario_on, scenario_to_dict, validate
from sim.model.component import Component

if TYPE_CHECKING:
    from sim.config.scenario import Scenario
    from sim.model.services import TimelineServices


def lever_pairs(a: Scenario, b: Scenario) -> list[tuple[str, object, object]]:
    """(dotted key, value in ``a``, value in ``b``) of every lever of either scenario."""
    skip = (*NOT_LEVERS, "timeline")  # the levers in effect, whatever is still to come
    x, y = lever_leaves(scenario_to_dict(a), skip), lever_leaves(scenario_to_dict(b), skip)
    return [(k, x.get(k), y.get(k)) for k in sorted(set(x) | set(y))]


def _plain(value: object) -> str:
    return str(value).replace("_", " ") if not isinstance(value, float) else f"{value:g}"


class Timeline(Component):
    """The scenario's dated changes, applied on their days.

    Args:
        org: the organization (its components, Mesa's event list, the clock).
        scenario: the scenario, its timeline included.

    Attributes:
        config: the scenario with every dated change (the dashboard's "Apply now" adds to it).
        levers: the scenario as it stands today (the levers in effect).
        changes_today: what changed today, for the daily table.
        change_log: (measured day, keys changed) of each change of levers.
    """

    REORG_KEYS = REORG_KEYS  # changes of these are a re-organization (the lever registry says which)

    def __init__(self, org: TimelineServices, scenario: Scenario) -> None:
        self.org = org
        self.config = scenario
        self.levers = scenario
        self.changes_today = ""
        self.change_log: list[tuple[int, list[str]]] = []

    def schedule(self) -> None:
        """Put each change day on Mesa's calendar, before that day's work."""
        for day in change_days(self.config):
            self.org.schedule_event(self.apply, at=self.org.warmup + day + 0.5)

    def apply(self) -> None:
        """Today's changes (``timeline:``), before the day's work: levers, hires, exits and moves.

        The daily table's ``change`` column names each.
        """
        org = self.org
        today = org.day - org.warmup
        notes = []
        levers = scenario_on(self.config, today)
        if levers is not self.levers and levers != self.levers:
            self.adopt(levers, today)
        names = org.field_teams.names
        for change in self.config.timeline:
            if change.day != today or change.set is not None:
                continue
            if change.move is not None:
                org.field_teams.move(change.move)
                notes.append(f"move {change.move.from_team}->{change.move.to}: {change.move.field_reps} field reps")
                continue
            sign, who = change.staffing
            if who is None:  # a change of levers (set:) or a move: neither hires nor exits
                continue
            reps = ", ".join(
                f"{n} {kind} reps" for kind, n in (("field", who.field_reps), ("inside", who.inside_reps)) if n
            )
            notes.append(f"{'hire' if sign > 0 else 'exit'}{f' {who.team}' if who.team else ''}: {reps}")
            org.staffing.change(names.index(who.team) if who.team is not None else 0, who, sign)
        self.changes_today = "; ".join(filter(None, [self.changes_today, *notes]))
        org.staffing.staffed()

    def adopt(self, levers: Scenario, today: int) -> None:
        """The organization works under new levers from today (a ``timeline`` ``set:`` in effect).

        The behaviour parameters follow at once and every component takes them up with
        each parameter's transition (:meth:`Component.refresh`); a re-organization
        (structure, management, reporting line) costs every rep ``reorg_ramp_loss`` of
        their productivity, recovered over ``reorg_recovery_days``. (Pay plans take effect
        from the next pay period: :func:`sim.config.scenario.effective_day` has already timed them.)
        """
        org = self.org
        pairs = lever_pairs(self.levers, levers)
        changed = [k for k, a, b in pairs if a != b]
        self.levers = levers
        org.use(derive(levers))
        if any(k in self.REORG_KEYS for k in changed):
            org.staffing.reorganize(org.day)
        said = "; ".join(f"{k}={_plain(v)}" for k, _, v in pairs if k in changed)
        self.changes_today = said or self.changes_today
        self.change_log.append((today, changed))

    def plan(self, entries: list[dict[str, Any]]) -> None:
        """Add dated changes while the organization runs (the dashboard's "Apply now").

        The entries are ``timeline`` entries as a file writes them; the timeline they join is
        validated as a file's is (a bad entry raises :class:`ScenarioError` and changes
        nothing), and each new change day gets its event, so a change applied today acts
        before the next day's work, with the transition a dated change has.
        """
        data = scenario_to_dict(self.config)
        data["timeline"] = [*data["timeline"], *entries]
        config = validate(data, source=f"{self.config.name} (changes applied while running)")
        known = set(change_days(self.config))
        self.config = config
        for day in change_days(config):
            if day not in known:
                self.org.schedule_event(self.apply, at=self.org.warmup + day + 0.5)
