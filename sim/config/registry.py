"""The lever registry: every management lever, stated once, with all that is known about it.

A lever is one field of a scenario section below, declared with :func:`lever`:
its type or choices, default and bounds (the pydantic schema), its label for
people, its transition kind (how a dated ``set:`` reaches the organization),
its dashboard widget and range, and the evidence behind the tables of
:mod:`sim.config.levers` it drives. :data:`LEVERS` reads them back as one
:class:`Lever` per dotted key; the scenario schema, the labels, the dashboard
sidebar, the key lists below (fixed, re-organization, pay) and ``derive``'s
copies of scenario values into ``Params`` all come from here. The sections are
declared classes, not generated ones, so a type checker sees every lever.
"""

from __future__ import annotations

import functools
import typing
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sim.config.params import (
    Coverage,
    FeedbackMode,
    FieldPay,
    HandoffMode,
    InsidePay,
    NurtureMode,
    Routing,
    Scoring,
    WorkOrder,
)

# How a lever set by a dated ``set:`` reaches the organization (docs/MODEL.md, "Changes of levers on a day").
Transition = Literal["immediate", "habit", "next_hire", "next_pay_period", "reorganization", "fixed"]
TRANSITIONS: tuple[Transition, ...] = typing.get_args(Transition)
IMMEDIATE: Transition = "immediate"  # from the day it is set
HABIT: Transition = "habit"  # what people carry moves towards its new level over Params.habit_days
NEXT_HIRE: Transition = "next_hire"  # reps hired after the change (those in post keep theirs)
NEXT_PAY_PERIOD: Transition = "next_pay_period"  # from the first day of the next quarter
REORGANIZATION: Transition = "reorganization"  # at once, and every rep loses productivity for a while
FIXED: Transition = "fixed"  # cannot change during a run (headcount has hire: and exit:)


@dataclass(frozen=True, slots=True)
class Widget:
    """A lever's widget in the dashboard's sidebar.

    Attributes:
        name: the dashboard's keyword for it (a ``DashboardModel`` argument).
        kind: "select" (a checkbox for a yes/no lever) or "slider" (whole numbers).
        low: a slider's lowest value (widened to the scenario's own value).
        high: a slider's highest value.
        reads: the scenario attribute it shows, when not the lever's key (the field reps' total).
        label: its label, when not the lever's.
    """

    name: str
    kind: Literal["select", "slider"]
    low: int = 0
    high: int = 0
    reads: str | None = None
    label: str | None = None


@dataclass(frozen=True, slots=True)
class Lever:
    """One management lever, as the registry knows it.

    Attributes:
        key: its dotted scenario key, e.g. ``handoff.sla_hours``.
        annotation: its type in the schema (a ``Literal`` for a choice).
        choices: the values a choice may take (``(True, False)`` for yes/no); None for a number or a list.
        default: its default; None when the scenario must set it (see ``required``) or when unset means
            "derived" (e.g. ``compensation.inside_quota``).
        required: a scenario must set it (or inherit it through ``extends:``).
        label: what it means, for running text (lower case, with the unit of a number).
        transition: how a dated ``set:`` of it reaches the organization.
        widget: its widget in the dashboard's sidebar, if it has one.
        evidence: table of :mod:`sim.config.levers` it drives -> (source, plausible range).
    """

    key: str
    annotation: Any
    choices: tuple[Any, ...] | None
    default: Any
    required: bool
    label: str
    transition: Transition
    widget: Widget | None
    evidence: MappingProxyType[str, tuple[str, str]]


def lever(
    default: Any = ...,
    *,
    label: str,
    transition: Transition = IMMEDIATE,
    widget: Widget | None = None,
    evidence: dict[str, tuple[str, str]] | None = None,
    **constraints: Any,
) -> Any:
    """A scenario field that is a lever: pydantic's ``Field`` carrying the lever's metadata.

    Args:
        default: its default (``...``: the scenario must set it).
        label: what it means, for running text.
        transition: how a dated ``set:`` of it reaches the organization.
        widget: its widget in the dashboard's sidebar.
        evidence: table of :mod:`sim.config.levers` it drives -> (source, plausible range).
        **constraints: pydantic's bounds (``ge``, ``le``, ``gt``, ``min_length``, ...).

    Returns:
        A pydantic ``FieldInfo`` whose ``json_schema_extra`` holds the metadata.
    """
    if transition not in TRANSITIONS:
        raise TypeError(f"transition {transition!r}: one of {', '.join(TRANSITIONS)}")
    meta = {"label": label, "transition": transition, "widget": widget, "evidence": dict(evidence or {})}
    # pydantic types json_schema_extra as JSON; a Widget is not, but nothing turns a scenario's schema into JSON
    return Field(default, **constraints, json_schema_extra={"lever": meta})  # type: ignore[dict-item]


def slider(name: str, low: int, high: int, **more: Any) -> Widget:
    """A slider of whole numbers from ``low`` to ``high`` (``reads``/``label`` as :class:`Widget`)."""
    return Widget(name, "slider", low, high, **more)


def select(name: str) -> Widget:
    """A drop-down of the lever's choices (a checkbox for a yes/no lever)."""
    return Widget(name, "select")


# --------------------------------------------------------------------- the scenario's lever sections


class Section(BaseModel):
    """A section of a scenario: unknown keys refused, no coercion (a YAML ``true`` is not a headcount)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Channel(Section):
    """One source of inbound inquiries that marketing pays for (web forms, paid search, events, referrals)."""

    name: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_\-]+$")
    share: float = Field(gt=0, le=1)  # of the market's inquiries
    # what marketing pays for each of its inquiries; unset: market.cost_per_inquiry
    cost_per_inquiry: float | None = Field(None, ge=0, le=1e6)
    # the mean fit and intent of its inquirers, where they differ from the market's (Implisit 2014:
    # referral leads turn into deals more than twice as often as web leads; docs/SOURCES.md Q12e)
    fit_mean: float | None = Field(None, ge=0.02, le=0.98)
    intent_mean: float | None = Field(None, ge=0.02, le=0.98)


class FieldTeam(Section):
    """One field sales team."""

    name: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_\-]+$")
    field_reps: int = Field(ge=0, le=100_000)


class Market(Section):
    """The market the organization sells into."""

    inbound_leads_per_day: float = lever(
        label="inbound inquiries (per working day; 5x a week, around the clock)",
        widget=slider("inbound_per_day", 0, 150), ge=0, le=100_000,
    )  # fmt: skip
    deal_value_median: float = lever(30_000, label="median deal value ($)", gt=0, le=1e9)
    deal_value_sigma: float = lever(0.6, label="spread of deal values (sigma of the log)", ge=0, le=3)
    # inbound lost at a reputation of satisfaction 0 (word of mouth); unset: on in runs longer than a
    # year (levers.REPUTATION_MULTI_YEAR), off in a year or less
    reputation_effect: float | None = lever(
        None, label="reputation effect on inquiries (0-1)", ge=0, le=1,
        evidence={"REPUTATION_MULTI_YEAR": (
            "assumption: no published figure ties B2B inbound to reputation (docs/SOURCES.md Q12h)",
            "0-0.4 of inquiries lost at satisfaction 0; off in runs of a year or less",
        )},
    )  # fmt: skip
    addressable_accounts: int = lever(50_000, label="accounts in the market reps can prospect", ge=100, le=100_000_000)
    # what marketing pays for each inbound inquiry: HubSpot $198 on average, B2B SaaS $164 organic to
    # $310 paid (First Page Sage); docs/SOURCES.md Q12e
    cost_per_inquiry: float = lever(200.0, label="marketing cost per inbound inquiry ($)", ge=0, le=1e6)
    # where the inquiries come from; unset: one channel, `inbound`, at cost_per_inquiry
    channels: list[Channel] | None = lever(
        None, label="inbound channels (share of inquiries, cost per inquiry)", transition=FIXED,
        min_length=1, max_length=20,
    )  # fmt: skip

    @field_validator("channels")
    @classmethod
    def _channels_add_up(cls, channels: list[Channel] | None) -> list[Channel] | None:
        if channels is None:
            return channels
        names = [c.name for c in channels]
        if len(set(names)) != len(names):
            raise ValueError(f"channel names must be unique, got {names}")
        total = sum(c.share for c in channels)
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"channel shares must add up to 1, got {total:g}")
        return channels


class Organization(Section):
    """Who is on the teams and how they are organized."""

    structure: Literal["one_team", "two_teams"] = lever(
        label="teams", transition=REORGANIZATION, widget=select("structure"),
        evidence={"STRUCTURE": (
            "Homburg et al. 2008 (FACTS 4) for the links; Oldroyd et al. 2011 for batched CRM retrieval;"
            " the levels are an assumption",
            "trust one team 0.6-0.8, two teams 0.3-0.5; informal feedback 0.2-0.6; notes +0.03-0.10",
        )},
    )  # fmt: skip
    management: Literal["one_manager", "two_managers"] = lever(
        "two_managers", label="managers", transition=REORGANIZATION, widget=select("management"),
        evidence={
            "MANAGEMENT": (
                "assumption",
                "SLA pressure 0.8-0.95 vs 0.6-0.8; conflict resolution 0.6-0.9 vs 0.1-0.3; ignore x 0.4-0.8",
            ),
            "HEADS": ("the organization chart the lever names", "1 or 2 heads (0-2: a founder may lead both)"),
        },
    )  # fmt: skip
    inside_reports_to: Literal["sales", "marketing"] = lever(
        label="inside sales reports to", transition=REORGANIZATION, widget=select("inside_reports_to"),
        evidence={
            "REPORTS_TO_SHIFT": ("assumption", "marketing -0.06 to -0.01; sales 0 to +0.04"),
            "REPORTS_TO_TRAINING": ("assumption", "0.03-0.12 of knowledge or skill"),
        },
    )  # fmt: skip
    inside_reps: int = lever(
        label="inside reps (headcount)", transition=FIXED, widget=slider("inside_reps", 0, 40), ge=0, le=100_000
    )
    field_teams: list[FieldTeam] = lever(
        label="field teams (field reps per team)", transition=FIXED, min_length=1, max_length=100,
        widget=slider("field_reps", 0, 80, reads="organization.field_reps", label="field reps (all teams)"),
    )  # fmt: skip
    inside_shared_across_teams: bool = lever(
        label="inside team shared across field teams", transition=FIXED, widget=select("inside_shared"),
        evidence={"DEDICATED": ("assumption", "trust +0.05-0.15; notes +0.02-0.08")},
    )  # fmt: skip

    @field_validator("field_teams")
    @classmethod
    def _unique_team_names(cls, teams: list[FieldTeam]) -> list[FieldTeam]:
        names = [t.name for t in teams]
        if len(set(names)) != len(names):
            raise ValueError(f"team names must be unique, got {names}")
        return teams

    @property
    def field_reps(self) -> int:
        """Total field headcount across teams."""
        return sum(t.field_reps for t in self.field_teams)


class Qualification(Section):
    """Who defines a qualified lead, and how leads are scored before anybody calls."""

    standard_set_by: Literal["sales", "marketing", "joint", "none"] = lever(
        label="qualified-lead standard set by", transition=HABIT, widget=select("standard_set_by"),
        evidence={"STANDARD": (
            "Kotler et al. 2006, 'Defined' stage (FACTS 4) for what is shared; the bars are an assumption",
            "joint = the field's bar 0.50; sales 0.50-0.56; marketing 0.30-0.42; none 0.35-0.45, spread 0.08-0.15",
        )},
    )  # fmt: skip
    scoring: Scoring = lever("none", label="lead scoring", widget=select("scoring"))


class Nurture(Section):
    """What happens to leads the funnel lets go (rejected, lapsed, unreached)."""

    mode: NurtureMode = lever("none", label="nurture of leads let go", widget=select("nurture"))


class Inside(Section):
    """How the inside team works its queue, and when."""

    work_order: WorkOrder = lever("oldest_first", label="inside team works inquiries", widget=select("work_order"))
    coverage: Coverage = lever("business_hours", label="inside team's hours", widget=select("coverage"))


class Handoff(Section):
    """How qualified leads pass from inside to field."""

    mode: HandoffMode = lever(
        label="handoff", widget=select("handoff_mode"),
        evidence={
            "NOTES": (
                "Kana 2013: 69% had to repeat themselves (FACTS 5) for cold; warm is an assumption",
                "cold 0.25-0.45; warm 0.8-0.95",
            )
        },
    )  # fmt: skip
    routing: Routing = lever(label="routing of leads to field reps", widget=select("routing"))
    sla_hours: float = lever(label="follow-up SLA (business hours)", widget=slider("sla_hours", 1, 96), gt=0, le=2000)
    sla_enforced: bool = lever(
        label="follow-up SLA enforced", widget=select("sla_enforced"),
        evidence={"SLA_PRESSURE_UNENFORCED": ("assumption", "0.1-0.4")},
    )  # fmt: skip
    acceptance_stage: bool = lever(
        label="field must accept or reject each lead", widget=select("acceptance_stage"),
        evidence={
            "IGNORE": (
                "Sabnis et al. 2013; Aberdeen 2008 (docs/SOURCES.md Q11b)",
                "no stage 0.4-0.8; with a stage 0.02-0.1",
            )
        },
    )  # fmt: skip


class Feedback(Section):
    """Whether the field tells inside what became of its leads."""

    mode: FeedbackMode = lever(label="feedback from field to inside", widget=select("feedback_mode"))
    interval_days: int = lever(
        7, label="feedback interval (days)", transition=FIXED, widget=slider("feedback_interval", 1, 30), ge=1, le=500
    )


class Compensation(Section):
    """What each team is paid on."""

    inside: InsidePay = lever(
        label="inside reps' pay", transition=NEXT_PAY_PERIOD, widget=select("inside_pay"),
        evidence={
            "INSIDE_PAY_SHIFT": (
                "TOPO 2016 for the plans in use (FACTS 3); the shift is an assumption",
                "per_lead -0.15 to -0.05; revenue 0 to +0.05 (per_opportunity is the reference)",
            ),
            "INSIDE_QUOTA": (
                "bottom-up, from this company's inside reps; TOPO 2017 (docs/SOURCES.md Q12d)",
                "5-15 leads or 3-10 opportunities a month",
            ),
        },
    )  # fmt: skip
    field: FieldPay = lever(
        label="field reps' pay", transition=NEXT_PAY_PERIOD, widget=select("field_pay"),
        evidence={
            "FIELD_DISCOUNT": ("Bain (Kermisch) 300 bps; docs/SOURCES.md Q11d", "revenue 0.08-0.15; margin 0.05-0.10")
        },
    )  # fmt: skip
    # a field rep's annual quota in new revenue, at the published level: BenchSights' median $750k (83 firms),
    # Bridge Group $740k (2022) to $800k (2024) (docs/SOURCES.md Q12c, Q13a). The share who make it is the
    # model's prediction, checked against 20-66% (BenchSights, Lightspeed, RepVue, Bridge Group, CSO Insights)
    field_quota: float = lever(
        750_000.0, label="field rep's annual quota ($ of revenue)", transition=NEXT_PAY_PERIOD, ge=0, le=1e10
    )
    # an inside rep's annual quota on the plan's own metric: leads handed off under per_lead,
    # opportunities from their leads otherwise, set bottom-up like the field's (levers.INSIDE_QUOTA:
    # 10 leads or 5 opportunities a month; TOPO 2017 has 18+ SQLs a month for leading teams, Q12d).
    inside_quota: float | None = lever(
        None, label="inside rep's annual quota (on the plan's metric)", transition=NEXT_PAY_PERIOD, ge=0, le=1e9
    )


class Training(Section):
    """Who trains the inside team and on what."""

    owner: Literal["sales", "marketing", "joint", "none"] = lever(
        label="inside training by", widget=select("training_owner"),
        evidence={"TRAINING_CONTENT": ("assumption", "product share 0.25-0.75; second-hand teaching 0.3-0.7 as good")},
    )  # fmt: skip
    focus: Literal["product", "selling", "both"] = lever(
        label="inside training focus", widget=select("training_focus"),
        evidence={"TRAINING_FOCUS": ("assumption", "+-0.15 to +-0.35 of the hours")},
    )  # fmt: skip


# The scenario's lever sections, in the order a scenario lists them.
SECTIONS: MappingProxyType[str, type[Section]] = MappingProxyType({
    "market": Market, "organization": Organization, "qualification": Qualification, "inside": Inside,
    "nurture": Nurture, "handoff": Handoff, "feedback": Feedback, "compensation": Compensation, "training": Training,
})  # fmt: skip


# --------------------------------------------------------------------- the registry, read back


def _choices(annotation: Any) -> tuple[Any, ...] | None:
    if annotation is bool:
        return (True, False)
    if typing.get_origin(annotation) is Literal:
        return typing.get_args(annotation)
    return None


def _read(section: str, name: str, field: Any) -> Lever:
    """The :class:`Lever` of one field, checked: a field declared without :func:`lever` fails at import."""
    key = f"{section}.{name}"
    meta = (field.json_schema_extra or {}).get("lever") if isinstance(field.json_schema_extra, dict) else None
    if meta is None:
        raise TypeError(f"{key}: a lever is declared with lever(label=..., transition=...)")
    return Lever(
        key=key, annotation=field.annotation, choices=_choices(field.annotation),
        default=None if field.is_required() else field.default, required=field.is_required(),
        label=meta["label"], transition=meta["transition"], widget=meta["widget"],
        evidence=MappingProxyType(meta["evidence"]),
    )  # fmt: skip


LEVERS: MappingProxyType[str, Lever] = MappingProxyType({
    lv.key: lv
    for section, model in SECTIONS.items()
    for lv in (_read(section, name, field) for name, field in model.model_fields.items())
})  # fmt: skip


def keys_of(transition: Transition) -> tuple[str, ...]:
    """The dotted keys of the levers with this transition kind, in the schema's order."""
    return tuple(key for key, lv in LEVERS.items() if lv.transition == transition)


FIXED_KEYS = keys_of(FIXED)  # levers a dated set: may not change (headcount has hire: and exit:)
REORG_KEYS = keys_of(REORGANIZATION)  # a change of any of them is a re-organization
PAY_KEYS = keys_of(NEXT_PAY_PERIOD)  # the pay plans: a new plan from the next pay period
HABIT_KEYS = keys_of(HABIT)  # what people carry moves towards the new level over weeks


def transition(key: str) -> Transition:
    """How a dated ``set:`` of ``key`` reaches the organization (a ``behavior.`` override: at once)."""
    lv = LEVERS.get(key)
    return lv.transition if lv is not None else IMMEDIATE


def read(scenario: Any, key: str) -> Any:
    """The value at a dotted key of a scenario (or any attribute path, e.g. ``organization.field_reps``)."""
    return functools.reduce(getattr, key.split("."), scenario)


def evidence() -> dict[str, tuple[str, str]]:
    """Table of :mod:`sim.config.levers` -> (source, plausible range), over every lever."""
    return {table: text for lv in LEVERS.values() for table, text in lv.evidence.items()}


def widgets() -> dict[str, tuple[Lever, Widget]]:
    """The dashboard's lever widgets: keyword -> (lever, widget), drop-downs first, then sliders."""
    placed = [(lv, lv.widget) for lv in LEVERS.values() if lv.widget is not None]
    ordered = [p for p in placed if p[1].kind == "select"] + [p for p in placed if p[1].kind == "slider"]
    return {w.name: (lv, w) for lv, w in ordered}
