"""Levers in words: the dotted scenario key -> what it means (the registry's label), and settings in words.

The report's lists of differences, explain's tornado and the dashboard's
sidebar all read these; a key that is missing reads as its own words.
Labels are written for running text (lower case); a heading capitalises them.
"""

from __future__ import annotations

from typing import Any

from sim.config.registry import LEVERS

# The registry's labels, and the timeline's: dated changes are one lever as a whole (explain switches the plan).
LEVER_LABELS: dict[str, str] = {key: lv.label for key, lv in LEVERS.items()} | {
    "timeline": "the timeline (dated hires, exits and changes of levers)"
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
