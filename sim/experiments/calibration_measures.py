"""What the calibration measures on a run: one small function per statistic of docs/FACTS.md.

Each function takes a :class:`~sim.experiments.runs.RunResult` and returns a float. The
model changes under the calibration (new lead sources, an installed base, new KPIs), so a
measure never crashes on a lead log without a column or a summary without a KPI:
:func:`safely` turns that into NaN, and the statistic is reported "not measured".

Two runs are measured (docs/FACTS.md; :mod:`sim.experiments.calibration`):

* the organization run (``defined``): funnel, response profile, field, money, staffing;
* the response run (``aligned`` with slow routing and many inside reps): qualification by the
  delay of the first attempt, Oldroyd et al.'s natural experiment, and the decay curve itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.config.params import DAYS_PER_YEAR

if TYPE_CHECKING:
    from sim.experiments.runs import RunResult

Measure = Callable[["RunResult"], float]
NAN = float("nan")
HOURS_A_DAY = 24.0
ANSWER_WINDOW_HOURS = 30 * HOURS_A_DAY  # HBR 2011: "never" is no answer within 30 days
CLOSE_WINDOW_DAYS = 150  # an inquiry given this long (qualifying plus a 60-72 day cycle, twice) has mostly closed
DELAY_BINS = (0.0, 1.0, 2.0, 24.0, np.inf)  # calendar hours of the first attempt, as Oldroyd et al. measure
SIXTH_ATTEMPT = 6  # Velocify: 93% of converted leads are reached by the sixth call
MARKETING_SOURCES = ("inbound", "recycled")  # inquiries and nurture's returns: the pipeline marketing sources
MISSING = (KeyError, AttributeError, TypeError, ValueError, IndexError, ZeroDivisionError)


def safely(measure: Measure, result: RunResult) -> float:
    """The measure's value, NaN where the run does not record what it needs (a missing column or KPI)."""
    try:
        return float(measure(result))
    except MISSING:
        return NAN


def ratio(a: float, b: float) -> float:
    """``a / b``; infinite when only ``b`` is 0, NaN when both are."""
    return float(a / b) if b > 0 else np.inf if a > 0 else NAN


def kpi(result: RunResult, name: str) -> float:
    """A KPI of the run's summary (KeyError when the model no longer reports it)."""
    return float(result.summary[name])


# ------------------------------------------------------------ which leads


def run_hours(result: RunResult) -> float:
    """The measured period in calendar hours (the books open at 0)."""
    return result.scenario.simulation.days * HOURS_A_DAY


def new_leads(result: RunResult) -> pd.DataFrame:
    """Leads created while the books were open (cohort measures)."""
    leads = result.leads
    return leads[~leads["in_flight"].astype(bool)]


def inbound(result: RunResult, settled_hours: float = 0.0) -> pd.DataFrame:
    """The run's inbound inquiries, those created at least ``settled_hours`` before the end."""
    leads = new_leads(result)
    leads = leads[leads["source"] == "inbound"]
    return leads[leads["created_at"] <= run_hours(result) - settled_hours]


def in_business_hours(created: np.ndarray) -> np.ndarray:
    """Whether each inquiry came in on a working day's business hours (audits send theirs then)."""
    from sim.model.clock import DAY_OPENS, is_working_day

    day = (created // HOURS_A_DAY).astype(int)
    hour = created - day * HOURS_A_DAY
    return np.array([is_working_day(int(d)) for d in day], dtype=bool) & (hour >= DAY_OPENS) & (hour < DAY_OPENS + 8)


def first_attempt_delays(result: RunResult) -> np.ndarray:
    """Hours to the first attempt of business-hours inquiries that had 30 days to be answered (inf: never)."""
    asked = inbound(result, ANSWER_WINDOW_HOURS)
    created = asked["created_at"].to_numpy(dtype=float)
    waited = asked["first_attempt_at"].to_numpy(dtype=float) - created
    return np.nan_to_num(waited, nan=np.inf)[in_business_hours(created)]


def response_share(result: RunResult, low: float, high: float) -> float:
    """Share of inquiries first attempted within [low, high) hours (HBR 2011's profile of a firm)."""
    delays = first_attempt_delays(result)
    return float(np.mean((delays >= low) & (delays < high))) if len(delays) else NAN


# ------------------------------------------------------------ response profile (organization run)


def responded_within_1h(result: RunResult) -> float:
    """Inquiries first tried within the hour."""
    return response_share(result, 0.0, 1.0)


def responded_1_24h(result: RunResult) -> float:
    """Inquiries first tried after 1 h and within a day."""
    return response_share(result, 1.0, 24.0)


def responded_after_24h(result: RunResult) -> float:
    """Inquiries first tried after a day and within 30 days."""
    return response_share(result, 24.0, ANSWER_WINDOW_HOURS)


def never_responded(result: RunResult) -> float:
    """Inquiries not tried within 30 days."""
    return response_share(result, ANSWER_WINDOW_HOURS, np.inf)


# ------------------------------------------------------------ persistence


def never_contacted(result: RunResult) -> float:
    """Inquiries never reached in a conversation (those a month old or more at the end)."""
    return float(inbound(result, ANSWER_WINDOW_HOURS)["contacted_at"].isna().mean())


def extra_contacts_from_retries(result: RunResult) -> float:
    """Contacts made on a retry per contact made on the first attempt."""
    contacted = inbound(result)
    contacted = contacted[contacted["contacted_at"].notna()]
    return ratio((contacted["attempts"] > 1).sum(), (contacted["attempts"] == 1).sum())


def reached_by_sixth_attempt(result: RunResult) -> float:
    """Share of converted (qualified) inquiries reached by the sixth attempt."""
    converted = inbound(result)
    converted = converted[converted["qualified_at"].notna()]
    return float((converted["attempts"] <= SIXTH_ATTEMPT).mean()) if len(converted) else NAN


# ------------------------------------------------------------ the waterfall


def inside_sourced(result: RunResult) -> pd.DataFrame:
    """The run's leads the inside team works (not the field's own, nor customers' referrals)."""
    leads = new_leads(result)
    return leads[~leads["source"].isin(["field", "referral"])]


def inquiry_to_mql(result: RunResult) -> float:
    """Inquiries qualified in a conversation."""
    return float(inbound(result)["qualified_at"].notna().mean())


def mql_to_sal(result: RunResult) -> float:
    """Handed-off leads the field accepted."""
    leads = inside_sourced(result)
    handed = leads["handed_off_at"].notna()
    return ratio((leads["accepted_at"].notna() & handed).sum(), handed.sum())


def sal_to_sql(result: RunResult) -> float:
    """Accepted leads that became opportunities."""
    leads = inside_sourced(result)
    accepted = leads["accepted_at"].notna() & leads["handed_off_at"].notna()
    return ratio((leads["opportunity_at"].notna() & accepted).sum(), accepted.sum())


def sql_to_won(result: RunResult) -> float:
    """Closed inside-sourced opportunities won."""
    leads = inside_sourced(result)
    outcome, handed = leads["outcome"].astype(str), leads["handed_off_at"].notna()
    return ratio(((outcome == "won") & handed).sum(), (outcome.isin(["won", "lost"]) & handed).sum())


def inquiry_to_won(result: RunResult) -> float:
    """Inquiries that became a won deal, of those given 150 days to close."""
    asked = inbound(result, CLOSE_WINDOW_DAYS * HOURS_A_DAY)
    return float((asked["outcome"].astype(str) == "won").mean()) if len(asked) else NAN


def win_rate(result: RunResult) -> float:
    """Won deals as a share of closed opportunities (the KPI)."""
    return kpi(result, "win_rate")


def cycle_days(result: RunResult) -> float:
    """Median calendar days from opportunity to a won close, of the run's leads."""
    won = new_leads(result)
    won = won[won["outcome"].astype(str) == "won"]
    return float(((won["closed_at"] - won["opportunity_at"]) / HOURS_A_DAY).median())


# ------------------------------------------------------------ the field


def field_seat_years(result: RunResult) -> float:
    """Field seats times the years run."""
    return result.scenario.organization.field_reps * result.scenario.simulation.days / DAYS_PER_YEAR


def revenue_per_ae(result: RunResult) -> float:
    """New revenue won per field seat-year."""
    return ratio(kpi(result, "revenue"), field_seat_years(result))


def deals_per_ae(result: RunResult) -> float:
    """Deals won per field seat-year."""
    return ratio(kpi(result, "deals_won"), field_seat_years(result))


def open_opportunities_per_ae(result: RunResult) -> float:
    """Open opportunities per field rep in post, averaged over the run's days."""
    daily = result.daily
    return float((daily["open_opportunities"] / daily["field_reps_in_post"].replace(0, np.nan)).mean())


def marketing_share_of_pipeline(result: RunResult) -> float:
    """Opportunities opened in the run that inquiries or nurture's returns sourced."""
    opened = result.leads[result.leads["opportunity_at"] >= 0.0]
    return float(opened["source"].isin(MARKETING_SOURCES).mean()) if len(opened) else NAN


def referral_share_of_won(result: RunResult) -> float:
    """Deals won in the run whose prospect a customer referred."""
    won = result.leads[(result.leads["outcome"] == "won") & (result.leads["closed_at"] >= 0.0)]
    return float((won["source"] == "referral").mean()) if len(won) else NAN


def quota_attainment(result: RunResult) -> float:
    """Field reps making quota (the KPI)."""
    return kpi(result, "quota_attainment_share")


# ------------------------------------------------------------ money, customers, staff, experience


def sales_cost_per_revenue(result: RunResult) -> float:
    """Sales and marketing cost per $1 of new revenue (the KPI)."""
    return kpi(result, "sales_cost_per_revenue")


def cac_payback_months(result: RunResult) -> float:
    """CAC payback in months (the KPI)."""
    return kpi(result, "cac_payback_months")


def customer_churn(result: RunResult) -> float:
    """Customers expected to leave a year (the KPI)."""
    return kpi(result, "customer_churn_rate")


def ltv_to_cac(result: RunResult) -> float:
    """Customer lifetime value over CAC (the KPI)."""
    return kpi(result, "ltv_to_cac")


def inside_attrition(result: RunResult) -> float:
    """Inside reps leaving per rep-year in post."""
    daily = result.daily
    return ratio(float(daily["inside_quits"].iloc[-1]), float(daily["inside_reps_active"].sum()) / DAYS_PER_YEAR)


def field_attrition(result: RunResult) -> float:
    """Field reps leaving per seat-year."""
    return ratio(kpi(result, "field_quits"), field_seat_years(result))


def repeat_questions(result: RunResult) -> float:
    """Met handed-off leads asked the same questions again (the KPI)."""
    return kpi(result, "repeat_question_rate")


# ------------------------------------------------------------ qualification by delay (response run)


def qualified_by_delay(result: RunResult) -> tuple[np.ndarray, np.ndarray]:
    """Attempted inquiries qualified, and attempted, per :data:`DELAY_BINS` bucket of the first attempt.

    Inquiries sent in business hours, as the audits send theirs: an evening inquiry called the
    next morning has waited fifteen calendar hours but not fifteen hours of its sender's day
    (the prospect's attentive clock, docs/MODEL.md), and no study splits the delays by hour sent.
    """
    asked = inbound(result)
    asked = asked[in_business_hours(asked["created_at"].to_numpy(dtype=float))]
    delay = (asked["first_attempt_at"] - asked["created_at"]).to_numpy(dtype=float)
    attempted = np.isfinite(delay)
    bucket = np.digitize(delay[attempted], DELAY_BINS[1:-1])
    qualified = asked["qualified_at"].notna().to_numpy()[attempted]
    buckets = len(DELAY_BINS) - 1
    return np.bincount(bucket, qualified, buckets), np.bincount(bucket, None, buckets).astype(float)


def share_ratio(qualified: np.ndarray, attempted: np.ndarray, a: int, b: int, corrected: bool = True) -> float:
    """Qualified share of bucket ``a`` over bucket ``b``.

    With ``corrected``, a bucket where nobody qualified counts half a lead (a run of a few
    hundred late leads cannot tell "rarely" from "never"): the ratio stays finite, so a
    calibration can tell a little from a lot. The check pools replications instead.
    """
    if attempted[a] == 0 or attempted[b] == 0:
        return NAN
    late = qualified[b] if qualified[b] > 0 or not corrected else 0.5
    return ratio(qualified[a] / attempted[a], late / attempted[b])


def qualify_1h_vs_1_2h(result: RunResult) -> float:
    """Qualified share of inquiries first tried within 1 h over those tried at 1-2 h."""
    return share_ratio(*qualified_by_delay(result), 0, 1)


def qualify_1h_vs_24h(result: RunResult) -> float:
    """Qualified share within 1 h over 24 h or later."""
    return share_ratio(*qualified_by_delay(result), 0, 3)


def _curve_ratio(result: RunResult, reach: bool) -> float:
    """The decay curve's own ratio at 5 vs 30 minutes, at the run's parameters (no simulation noise)."""
    from sim.config.levers import derive
    from sim.model.market import qualify_probability, reach_probability

    p = derive(result.scenario)
    five, thirty = 5 / 60, 0.5
    if reach:
        return reach_probability(five, p, 0.5) / reach_probability(thirty, p, 0.5)
    return qualify_probability(five, p) / qualify_probability(thirty, p)


def reach_5_vs_30_min(result: RunResult) -> float:
    """Chance one attempt reaches the prospect at 5 vs 30 minutes (the curve)."""
    return _curve_ratio(result, reach=True)


def qualify_5_vs_30_min(result: RunResult) -> float:
    """Chance one attempt qualifies at 5 vs 30 minutes (the curve)."""
    return _curve_ratio(result, reach=False)


def revenue(result: RunResult) -> float:
    """A run's revenue (the alignment gain: aligned over misaligned)."""
    return kpi(result, "revenue")
