"""The funnel, defined once: its stages in order, the stamp each sets, and the inbound response delay.

What every measure of a funnel reads (the summary, the runs' digest, the dashboard's
monitors, the figures, and the observed funnel of a CRM export, :mod:`sim.crm.observed`),
so that a stage or the response delay means the same thing everywhere. Pure: it names
columns and does arithmetic on whatever holds the stamps (a lead, a column of hours, a
column of times).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Stage:
    """One stage of the funnel.

    Attributes:
        name: its key ("handed_off"); ``label`` is the name for people ("handed off").
        stamp: the lead log's column (and the lead's attribute) it sets: hours when it was reached.
        crm: the canonical CRM column that records it (:data:`sim.crm.reader.CANONICAL`); None
            where a CRM does not keep it.
    """

    name: str
    stamp: str
    crm: str | None

    @property
    def label(self) -> str:
        """The stage's name for people."""
        return self.name.replace("_", " ")


# In the order a lead goes through them (docs/MODEL.md's lifecycle, without the exits).
STAGES: tuple[Stage, ...] = (
    Stage("created", "created_at", "created_at"),
    Stage("touched", "first_attempt_at", "first_touch_at"),  # the first attempt to reach the prospect
    Stage("contacted", "contacted_at", "contacted_at"),
    Stage("qualified", "qualified_at", "qualified_at"),
    Stage("handed_off", "handed_off_at", "handed_off_at"),
    Stage("accepted", "accepted_at", None),  # the field's acceptance is not a CRM field
    Stage("opportunity", "opportunity_at", "opp_created_at"),
    Stage("won", "closed_at", "closed_at"),  # closed, and won
)
_BY_NAME = {s.name: s for s in STAGES}

# The funnel drawn (report, comparison figure, dashboard): the stages of the leads the inside team
# works, a cohort counted through every stage so far (a first attempt is not a stage of it).
INSIDE_STAGES: tuple[Stage, ...] = tuple(s for s in STAGES if s.name != "touched")
# The observed funnel of a CRM export: the stages a CRM keeps.
CRM_STAGES: tuple[Stage, ...] = tuple(s for s in STAGES if s.crm is not None)

# The inbound response delay: calendar hours (nights and weekends count) from an inquiry's creation to
# the first attempt to reach it, over inbound inquiries only (a lead back from nurture is not timed).
RESPONSE_SOURCE = "inbound"
RESPONSE_FROM, RESPONSE_TO = STAGES[0], STAGES[1]


def stage(name: str) -> Stage:
    """The stage called ``name`` (KeyError for another)."""
    return _BY_NAME[name]


def response_hours(created: Any, first_attempt: Any) -> Any:
    """The response delay (:data:`RESPONSE_FROM` to :data:`RESPONSE_TO`) in calendar hours; NaN where none came.

    Works on hours (a lead's stamps, the lead log's columns) and on times (a CRM export's
    columns of timestamps), elementwise on columns.
    """
    delay = first_attempt - created
    return delay.dt.total_seconds() / 3600.0 if hasattr(delay, "dt") else delay
