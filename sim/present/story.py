"""One prospect's journey in words (``salesim story``), from its row of the lead log."""

from __future__ import annotations

import math

import pandas as pd

from sim.model.clock import describe
from sim.model.leads import INQUIRIES
from sim.present.format import dollars


def clock(hours: float) -> str:
    """Calendar hours since the start as 'day D (Wkd) HH:MM'."""
    return describe(hours)


def span(hours: float) -> str:
    """A duration in calendar time, in words."""
    if hours < 1:
        return f"{hours * 60:.0f} minutes"
    if hours < 48:
        return f"{hours:.1f} hours"
    return f"{hours / 24:.1f} days"


def _at(row: pd.Series, column: str) -> float | None:
    value = row[column]
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def lead_of_run(leads: pd.DataFrame, number: int) -> pd.Series:
    """The ``number``-th lead created in the run (1 is the first after the warm-up), its row of the lead log.

    Leads in flight from the warm-up come before the run and are not numbered.

    Raises:
        LookupError: the run created no lead of that number (the message names those it did).
    """
    created = leads[~leads["in_flight"]]
    if not 1 <= number <= len(created):
        numbers = f"1 to {len(created):,}" if len(created) else "none"
        raise LookupError(f"the run created leads {numbers} (numbered from 1 after the warm-up); pick one of those")
    return created.iloc[number - 1]


SOURCES = {  # how each lead came in, in words
    "inbound": "asked to be contacted",
    "recycled": "asked to be contacted again (back from nurture)",
    "referral": "was referred by a customer",
    "outbound": "was reached by inside outbound calling",
    "field": "was found by a field rep prospecting",
}


def tell(row: pd.Series, number: int | None = None) -> list[str]:
    """The lines of one lead's story, in the order things happened (``number``: its number in the run)."""
    created = float(row["created_at"])  # every lead has one
    who = f"Lead {row['lead_id']} (" if number is None else f"Lead {number} of the run (lead_id {row['lead_id']}; "
    lines = [
        f"{who}{row['team']} territory, a {dollars(row['value'])} deal, fit {row['fit']:.2f}) "
        f"{SOURCES[str(row['source'])]} on {clock(created)}."
    ]
    steps = [
        ("first_attempt_at", "First attempt to reach them {delay} after the inquiry"),
        ("contacted_at", "A real conversation {delay} after the inquiry"),
        ("qualified_at", "Qualified by the inside rep"),
        ("handed_off_at", "Handed to field rep {field_rep}"),
        ("accepted_at", "Accepted by the field {since_handoff}"),
        ("followed_up_at", "First meeting with the field rep"),
        ("opportunity_at", "Became an opportunity"),
    ]
    for column, text in steps:
        at = _at(row, column)
        if at is None or (column in ("first_attempt_at", "contacted_at") and row["source"] not in INQUIRIES):
            continue
        handed = _at(row, "handed_off_at")
        words = text.format(
            delay=span(at - created),
            field_rep=row["field_rep"],
            since_handoff=f"{span(at - handed)} after the handoff" if handed is not None else "",
        ).rstrip()
        lines.append(f"{words} on {clock(at)}.")
    if row["attempts"] > 1:
        lines.append(f"{row['attempts']} attempts in all.")
    if row["repeated_questions"]:
        lines.append("The field rep asked the same questions again: the handoff notes were incomplete.")
    outcome = str(row["outcome"])
    closed = _at(row, "closed_at")
    when = clock(closed) if closed is not None else "?"
    endings = {
        "won": f"Won on {when}: {dollars(row['revenue'])} after a {row['discount']:.0%} discount.",
        "lost": f"Lost on {when}: {str(row.get('loss_reason') or 'no reason recorded').replace('_', ' ')}.",
        "disqualified": "Judged not a fit and let go.",
        "rejected": "Handed back by the field (rejected, or no room to take it); no nurture programme brings it back.",
        "ignored": "Never followed up: the lead fell into the black hole.",
        "lapsed": "By then the prospect had moved on (interest lapsed).",
        "unreached": "Never reached: nobody got them on the phone.",
    }
    lines.append(endings.get(outcome, f"Still open at the end of the run ({outcome.replace('_', ' ')})."))
    lines.append(f"Satisfaction at the end: {row['satisfaction']:.0f}/100.")
    return lines
