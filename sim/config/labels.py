"""Lever labels for people: the dotted scenario key -> what it means, with the unit of a numeric lever.

The report's lists of differences, explain's tornado and the dashboard's
sidebar all read these; a key that is missing reads as its own words.
Labels are written for running text (lower case); a heading capitalises them.
"""

from __future__ import annotations

from typing import Any

LEVER_LABELS: dict[str, str] = {
    "market.inbound_leads_per_day": "inbound inquiries (per working day; 5x a week, around the clock)",
    "market.deal_value_median": "median deal value ($)",
    "market.deal_value_sigma": "spread of deal values (sigma of the log)",
    "market.reputation_effect": "reputation effect on inquiries (0-1)",
    "market.addressable_accounts": "accounts in the market reps can prospect",
    "market.cost_per_inquiry": "marketing cost per inbound inquiry ($)",
    "market.channels": "inbound channels (share of inquiries, cost per inquiry)",
    "timeline": "the timeline (dated hires, exits and changes of levers)",
    "compensation.field_quota": "field rep's annual quota ($ of revenue)",
    "compensation.inside_quota": "inside rep's annual quota (on the plan's metric)",
    "organization.structure": "teams",
    "organization.management": "managers",
    "organization.inside_reports_to": "inside sales reports to",
    "organization.inside_reps": "inside reps (headcount)",
    "organization.field_teams": "field teams (field reps per team)",
    "organization.inside_shared_across_teams": "inside team shared across field teams",
    "qualification.standard_set_by": "qualified-lead standard set by",
    "qualification.scoring": "lead scoring",
    "inside.work_order": "inside team works inquiries",
    "inside.coverage": "inside team's hours",
    "nurture.mode": "nurture of leads let go",
    "handoff.mode": "handoff",
    "handoff.routing": "routing of leads to field reps",
    "handoff.sla_hours": "follow-up SLA (business hours)",
    "handoff.sla_enforced": "follow-up SLA enforced",
    "handoff.acceptance_stage": "field must accept or reject each lead",
    "feedback.mode": "feedback from field to inside",
    "feedback.interval_days": "feedback interval (days)",
    "compensation.inside": "inside reps' pay",
    "compensation.field": "field reps' pay",
    "training.owner": "inside training by",
    "training.focus": "inside training focus",
}


def lever_label(key: str) -> str:
    """A lever's label; an unlabelled key (e.g. a ``behavior.`` override) in its own words."""
    return LEVER_LABELS.get(key, key.replace("_", " "))


def _item(item: Any) -> str:
    """One entry of a list lever: a team with its headcount, a channel with its share."""
    if not isinstance(item, dict):
        return str(item)
    if "field_reps" in item:
        return f"{item['name']} ({item['field_reps']} reps)"
    if "share" in item:
        return f"{item['name']} ({item['share']:.0%})"
    if "day" in item:  # a timeline entry
        kind = next(k for k in ("hire", "exit", "set") if item.get(k))
        what = item[kind]
        if kind == "set":
            return f"day {item['day']}: {len(what)} lever{'s' if len(what) > 1 else ''} changed"
        reps = ", ".join(f"{what[k]} {k.replace('_', ' ')}" for k in ("field_reps", "inside_reps") if what.get(k))
        return f"day {item['day']}: {kind} {reps}"
    return str(item.get("name", item))


def lever_value(value: Any) -> str:
    """A lever's setting in words: yes/no, whole numbers without ``.0``, teams with their headcount."""
    if value is None:
        return "default"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:g}"
    if isinstance(value, list):
        return ", ".join(_item(t) for t in value)
    return str(value).replace("_", " ")


def lever_change(old: Any, new: Any) -> str:
    """A lever's change of setting in words: ``cold → warm``."""
    return f"{lever_value(old)} → {lever_value(new)}"


def describe_lever(key: str, old: Any, new: Any) -> str:
    """One lever difference in words: ``follow-up SLA (business hours): 48 → 4``."""
    return f"{lever_label(key)}: {lever_change(old, new)}"
