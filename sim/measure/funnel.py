"""The funnel counted on a lead log: which leads count, which reached a stage, and how soon inquiries got an answer.

The stages and the response delay are defined in :mod:`sim.model.funnel`; these are their
measures on the lead log (``LeadBook.to_frame``: one row per lead, hours since the books
opened, stamps of the warm-up negative). The KPIs (:mod:`sim.measure.kpis`), the runs'
digest, the dashboard's monitors and the per-team tables all count through them.
"""

from __future__ import annotations

import pandas as pd

from sim.model.funnel import INSIDE_STAGES, RESPONSE_FROM, RESPONSE_SOURCE, RESPONSE_TO, Stage, response_hours


def happened(leads: pd.DataFrame, stamp: str) -> pd.Series:
    """Whether each lead's event ``stamp`` happened while the books were open (stamps of the warm-up are negative)."""
    return leads[stamp] >= 0.0  # NaN (never happened) compares False


def new_leads(leads: pd.DataFrame) -> pd.DataFrame:
    """The leads created while the books were open (not those in flight from the warm-up): cohort measures."""
    return leads[~leads["in_flight"]]


def latest_rows(leads: pd.DataFrame) -> pd.DataFrame:
    """Each prospect once, as they stand at the end: a lead that nurture recycled is the later row.

    A recycled lead carries the earlier one's satisfaction forward, so counting both rows
    would count one prospect twice, with its old feelings in both.
    """
    return leads[~leads["lead_id"].isin(leads["recycled_from"].dropna())]


def prospects(leads: pd.DataFrame) -> pd.DataFrame:
    """Each prospect who came in while the books were open, once, as they stand at the end.

    Prospects from before (leads in flight from the warm-up, or back from nurture after a
    lead of the warm-up) are left out: their feelings are mostly the warm-up's, and only an
    organization that nurtures would bring them back into view.
    """
    return latest_rows(leads[leads["prospect_since"] >= 0])


def inquiries(leads: pd.DataFrame) -> pd.DataFrame:
    """The inquiries whose response is timed: inbound leads created while the books were open."""
    return leads[~leads["in_flight"] & (leads["source"] == RESPONSE_SOURCE)]


def response_delays(inquiries: pd.DataFrame) -> pd.Series:
    """Each inquiry's response delay in calendar hours (NaN: never attempted), from :func:`inquiries`."""
    return response_hours(inquiries[RESPONSE_FROM.stamp], inquiries[RESPONSE_TO.stamp])


def reached(leads: pd.DataFrame, stage: Stage) -> pd.Series:
    """Whether each lead has reached ``stage`` (at any time: a cohort's measure); won is closed as won."""
    return leads["outcome"] == "won" if stage.name == "won" else leads[stage.stamp].notna()


def inside_funnel(leads: pd.DataFrame) -> list[int]:
    """The funnel drawn (:data:`sim.model.funnel.INSIDE_STAGES`): the run's leads the inside team works.

    The inbound, outbound and recycled leads created while the books were open (the field's
    own leads never pass through the inside team), each counted at every stage it went
    through in order: a cohort, so the counts never rise from one stage to the next.
    """
    # the field's own leads and customers' referrals never pass through the inside team (numpy: monitors count daily)
    through = (~leads["in_flight"] & ~leads["source"].isin(["field", "referral"])).to_numpy()
    counts = []
    for stage in INSIDE_STAGES:
        through = through & reached(leads, stage).to_numpy()
        counts.append(int(through.sum()))
    return counts
