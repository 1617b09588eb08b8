"""The calibration statistics: one per published level or shape fact of docs/FACTS.md (and docs/SOURCES.md).

Each :class:`Statistic` pairs a published figure with its band (both ends finite: a band
that cannot fail tests nothing; where the source gives one end, the other is argued in
``why``), its reliability, the run it is measured on, the function that measures it
(:mod:`sim.experiments.calibration_measures`) and its role: ``fit`` (in the calibration's
distance, :mod:`sim.experiments.calibrate`) or ``holdout`` (never in the distance, reported
as validation). About a third is held out, chosen so that each mechanism (the response
curve, persistence, the waterfall, the field, money, staff) has facts on both sides.

The same registry serves ``salesim check-calibration`` (:mod:`sim.experiments.calibration`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.experiments import calibration_measures as m

if TYPE_CHECKING:
    from sim.experiments.runs import RunResult

# weight of a statistic in the distance, by the reliability code of its source (docs/FACTS.md)
WEIGHTS = {"PR": 3.0, "HBR": 3.0, "VS": 2.0, "2nd": 1.0, "blog": 1.0, "derived": 1.0, "provisional": 1.0}
RUNS = ("organization", "response", "alignment")


@dataclass(frozen=True)
class Statistic:
    """A published figure, the band the model should land in, and how the model is measured against it.

    Attributes:
        key: identifier.
        fact: what the figure says, in the model's words.
        published: the figure as published.
        low: lower end of the band (finite).
        high: upper end of the band (finite, above ``low``).
        source: who published it, and where it is recorded ([FACTS n, code] or [SOURCES Qn, code]).
        reliability: the source's code (a key of :data:`WEIGHTS`).
        role: "fit" (in the calibration's distance) or "holdout" (validation only).
        why: where an end of the band does not come from the source, why it is there; for a
            held-out statistic, why it is held out.
        measure: the function of a run that gives the model's value.
        run: which reference run it is measured on (:data:`RUNS`).
        log: a ratio: the distance is measured on a log scale.
        comparable: False when the model's quantity is not the published one (listed apart, never counted).
        note: why the model does not reproduce it, where known (shown beside the verdict).
    """

    key: str
    fact: str
    published: str
    low: float
    high: float
    source: str
    reliability: str
    role: str
    why: str
    measure: m.Measure
    run: str = "organization"
    log: bool = False
    comparable: bool = True
    note: str = ""

    @property
    def weight(self) -> float:
        """Weight in the distance: HBR and peer-reviewed 3, vendor surveys 2, the rest 1."""
        return WEIGHTS[self.reliability]

    def distance(self, values: np.ndarray | float) -> np.ndarray:
        """0 inside the band; outside, the distance to the nearer edge over the band's width (log for ratios).

        NaN where a value is not finite (not measured, or a ratio with nothing below it).
        """
        x = np.asarray(values, dtype=float)
        low, high = self.low, self.high
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.log:
                x, low, high = np.log(np.where(x > 0, x, np.nan)), math.log(low), math.log(high)
            d = np.maximum(np.maximum(low - x, x - high), 0.0) / (high - low)
        return np.where(np.isfinite(x), d, np.nan)

    def inside(self, value: float) -> bool | None:
        """Is the value inside the band? Never for a value that is not finite; None: not comparable."""
        if not self.comparable:
            return None
        return bool(np.isfinite(value) and self.low <= value <= self.high)


HBR_2011 = "Oldroyd et al., HBR 2011 [FACTS 1, HBR]"
LRM_2007 = "InsideSales.com 2007 [FACTS 1, VS]"
WATERFALL = "SiriusDecisions-style waterfall [FACTS 2, blog]"
PROFILE_WHY = "HBR's profile is a share of 2,241 firms (sampling error ~1 pt), not of one firm's inquiries"
# The generic company routes inquiries automatically, the same in every structure (lead_routing_hours, a company
# input): it answers like the fast third of HBR's firms. Reproducing the spread across firms needs a population of
# companies (routing, coverage, practice drawn across their ranges): not done yet (docs/MODEL.md, Validation).
PROFILE_NOTE = "a profile of firms, not of one company: the generic company routes automatically (docs/MODEL.md)"

STATISTICS: tuple[Statistic, ...] = (
    # --- the response curve (FACTS 1): the HBR ratios and the average firm's profile are fitted
    Statistic("qualify_1h_vs_1_2h", "qualify if first attempt < 1 h vs 1-2 h (ratio)", "~7x", 5.0, 10.0, HBR_2011,
              "HBR", "fit", "'nearly seven times': 5-10 around it", m.qualify_1h_vs_1_2h, "response", log=True),
    Statistic("qualify_1h_vs_24h", "qualify if first attempt < 1 h vs >= 24 h (ratio)", "> 60x", 60.0, 400.0,
              HBR_2011, "HBR", "fit",
              "upper end: late leads still qualify in the same data; 400x at a 30-40% first-hour rate is under 0.1%, "
              "'never' for a firm's few hundred late leads, and a multiple several times 60 would have been quoted "
              "as such", m.qualify_1h_vs_24h, "response", log=True),
    Statistic("responded_within_1h", "business-hours inquiries first tried within 1 h", "37% of firms", 0.30, 0.45,
              HBR_2011, "HBR", "holdout", PROFILE_WHY, m.responded_within_1h,
              comparable=False, note=PROFILE_NOTE),
    Statistic("responded_1_24h", "business-hours inquiries first tried in 1-24 h", "16% of firms", 0.10, 0.25,
              HBR_2011, "HBR", "holdout",
              f"held out: the middle of the profile the fitted ends imply. {PROFILE_WHY}", m.responded_1_24h,
              comparable=False, note=PROFILE_NOTE),
    Statistic("responded_after_24h", "business-hours inquiries first tried after 24 h (within 30 days)",
              "24% of firms", 0.15, 0.35, HBR_2011, "HBR", "holdout", PROFILE_WHY, m.responded_after_24h,
              comparable=False, note=PROFILE_NOTE),
    Statistic("never_responded", "business-hours inquiries not tried within 30 days", "23% of firms", 0.15, 0.40,
              HBR_2011, "HBR", "holdout",
              "held out: no calibrated parameter leaves inquiries untried; upper end: secret-shopper audits find "
              "25-50% of leads never called (SOURCES Q13c)", m.never_responded,
              comparable=False, note=PROFILE_NOTE),
    Statistic("reach_5_vs_30_min", "reach if attempted at 5 vs 30 min (ratio)", "100x", 50.0, 200.0, LRM_2007, "VS",
              "holdout", "held out: a vendor figure that one smooth curve cannot meet together with HBR's 7x in the "
              "next hour (HBR fitted); band: a factor 2 either way (VS numbers are ranges)", m.reach_5_vs_30_min,
              "response", log=True,
              note="one smooth curve cannot fall 100x in 25 minutes and ~7x in the next hour (HBR kept)"),
    Statistic("qualify_5_vs_30_min", "qualify if attempted at 5 vs 30 min (ratio)", "21x", 10.0, 40.0, LRM_2007,
              "VS", "holdout", "held out, as above; band: a factor 2 either way", m.qualify_5_vs_30_min, "response",
              log=True, note="as above"),
    # --- persistence (FACTS 1; Velocify in the research notes)
    Statistic("never_contacted", "inquiries never reached in a conversation", "> 30%", 0.30, 0.60, LRM_2007, "VS",
              "fit", "upper end: with more than 60% never reached, the 10-25% inquiry -> MQL of FACTS 2 would need "
              "25-60% of conversations to qualify; audits find 27% ever contacted only where firms call 1.3 times "
              "(SOURCES Q9)", m.never_contacted),
    Statistic("extra_contacts_from_retries", "contacts made on a retry per first-attempt contact", "up to +70%", 0.20,
              0.70, LRM_2007, "VS", "fit", "lower end: 'up to' is the persistent firms' gain; under +20% the study's "
              "advice to call 6 times would not pay (assumption)", m.extra_contacts_from_retries),
    Statistic("reached_by_sixth_attempt", "converted inquiries reached by the sixth attempt", "93-95%", 0.88, 0.97,
              "Velocify 2015, ~3.5M leads [SOURCES Q13c, VS]", "VS", "holdout",
              "held out: a shape the fitted contact curve implies; band: 93% and 95% in two studies, 5 pts for "
              "B2B vs their mostly B2C-like customers", m.reached_by_sixth_attempt),
    # --- the waterfall and the deal (FACTS 2)
    Statistic("inquiry_to_mql", "inquiry -> qualified lead (MQL)", "10-25%", 0.10, 0.25, WATERFALL, "blog", "fit",
              "", m.inquiry_to_mql,
              note="qualified in a conversation, bounded by speed to lead; many waterfalls score MQLs before any talk"),
    Statistic("mql_to_sal", "qualified -> accepted by the field (SAL)", "40-60%", 0.40, 0.60, WATERFALL, "blog",
              "fit", "", m.mql_to_sal),
    Statistic("sal_to_sql", "accepted -> opportunity (SQL)", "50-70%", 0.50, 0.70, WATERFALL, "blog", "fit", "",
              m.sal_to_sql),
    Statistic("sql_to_won", "opportunity -> won (inside-sourced)", "20-30%", 0.20, 0.30, WATERFALL, "blog",
              "holdout", "held out: the win rate of all opportunities is fitted; this is its inside-sourced part",
              m.sql_to_won),
    Statistic("inquiry_to_won", "inquiry -> won (given 150 days to close)", "0.4-3.2% (waterfall)",
              0.004, 0.0315, WATERFALL, "blog", "holdout",
              "held out: the product of the four stages' ends (10% x 40% x 50% x 20% to 25% x 60% x 70% x 30%), "
              "a check that the fitted stages compose", m.inquiry_to_won, log=True),
    Statistic("win_rate", "win rate, all opportunities", "17-26%", 0.17, 0.26, "Winning by Design 2023 [FACTS 2, VS]",
              "VS", "fit", "", m.win_rate),
    Statistic("cycle_days", "sales cycle of won deals, median (calendar days)", "60-72 days", 60.0, 72.0,
              "Bridge Group 2017 [FACTS 2, VS]", "VS", "fit", "", m.cycle_days),
    # --- the field (FACTS 3; research notes for issue 30, Q1-Q2, as docs/SOURCES.md records them)
    Statistic("revenue_per_ae", "new revenue per field seat-year", "quota $740-800k (median)", 4.0e5, 8.0e5,
              "Bridge Group 2024; BenchSights [SOURCES Q13a, 2nd]", "2nd", "fit",
              "band: the median quota ($740-800k) times what AEs sell of it (mean attainment 50-60% to 100%), "
              "provisional", m.revenue_per_ae),
    Statistic("deals_per_ae", "deals won per field seat-year", "12-20 (quota / ACV)", 10.0,
              20.0, "derived from quota and ACV [SOURCES Q13a, 2nd]", "derived", "holdout",
              "held out: revenue per AE at the $30k ACV implies it; lower end 10 for seats still ramping",
              m.deals_per_ae),
    Statistic("open_opportunities_per_ae", "open opportunities per field rep", "15-25 (Balderton: 21)",
              12.0, 25.0, "Balderton 2023; PointClear [SOURCES Q2, VS]", "VS", "fit",
              "band: Balderton's 21 all-quarter and Little's law at $30k (1.5 new a week x 10 weeks = 15); lower "
              "end 12 for a velocity seller's 9 current-quarter plus next quarter's early ones",
              m.open_opportunities_per_ae),
    Statistic("marketing_share_of_pipeline", "opportunities sourced by inquiries and nurture", "38% (27-60%)", 0.27,
              0.55, "Bridge Group SaaS AE panel; CSO Insights [SOURCES Q13b, 2nd]", "2nd", "fit",
              "band: CSO Insights' sales-reported 27% to Bridge Group's 48-60% at lower ACVs (provisional)",
              m.marketing_share_of_pipeline),
    Statistic("quota_attainment", "field reps making quota ($750k)", "33-66% (2020-24); 52-63% (2009-17)", 0.20,
              0.66, "BenchSights; Lightspeed; RepVue; Bridge Group; CSO Insights [FACTS 3, VS; SOURCES Q13a]", "VS",
              "holdout", "held out: the quota is the published median ($750k), not fitted; the share making it is a "
              "prediction; band: BenchSights' 20-28% by segment (2020) to Bridge Group's 66% (2022)",
              m.quota_attainment),
    Statistic("referral_share_of_won", "deals won that a customer referred", "12.9% of leads (CSO Insights)", 0.05,
              0.20, "CSO Insights 2019 [SOURCES Q13b, 2nd]", "2nd", "holdout",
              "held out: the referral rate is an assumption this checks; band: 12.9% of all B2B leads, a factor of "
              "about 1.5 either way for deals (referrals close more often; SaaS relies less on them)",
              m.referral_share_of_won),
    # --- money and customers (docs/SOURCES.md Q12g)
    Statistic("sales_cost_per_revenue", "sales and marketing cost per $1 of new revenue", "$1.13-1.18 (median firm)",
              1.0, 1.2, "KeyBanc SaaS survey [SOURCES Q12g, 2nd]", "2nd", "fit",
              "the generic company is the median firm: KBCM's medians over the survey years ($1.13-1.18, blended "
              "$1.14), rounded out to 1.0-1.2", m.sales_cost_per_revenue),
    Statistic("cac_payback_months", "CAC payback (months of a new customer's gross margin)", "13-28 months", 12.0,
              28.0, "KeyBanc; OpenView by funding stage [SOURCES Q12g, 2nd]", "2nd", "holdout",
              "held out: cost per $1 of revenue and the gross margin imply it", m.cac_payback_months),
    Statistic("customer_churn", "customers leaving a year (expected, at their own fit and experience)", "10% a year",
              0.07, 0.15, "KBCM median unit churn; SaaS Capital gross retention 92% [SOURCES Q12g, 2nd]", "2nd", "fit",
              "", m.customer_churn),
    Statistic("ltv_to_cac", "customer lifetime value / CAC", "3 or more (3-5 healthy)", 3.0, 5.0,
              "Skok, SaaS Metrics 2.0 [SOURCES Q12g, 2nd]", "2nd", "holdout",
              "held out: churn and CAC imply it; upper end: Skok's 'healthy' 3-5", m.ltv_to_cac),
    # --- staff and experience (FACTS 3, 5)
    Statistic("inside_attrition", "inside reps leaving per rep-year (1 / tenure)", "0.86 (14-month tenure)", 0.67,
              1.2, "Bridge Group / TOPO [FACTS 3, 2nd]", "2nd", "fit", "", m.inside_attrition),
    Statistic("field_attrition", "field reps leaving per seat-year", "25-35% a year", 0.14, 0.35,
              "Bridge Group; DePaul; CSO Insights [SOURCES Q12a, 2nd]", "2nd", "holdout",
              "held out: the rate is an input from the same sources; the count of leavers checks its use",
              m.field_attrition),
    Statistic("repeat_questions", "prospects asked to repeat themselves (cold handoff)", "69%", 0.55, 0.80,
              "Kana 2013 [FACTS 5, VS]", "VS", "holdout",
              "held out: a consumer proxy, the experience mechanism's only fact", m.repeat_questions),
    # --- not like with like: listed apart, never counted
    Statistic("aligned_revenue_gain", "revenue, aligned vs misaligned", "+24% (Aberdeen)", 0.10, 0.40,
              "Aberdeen 2010; SiriusDecisions [FACTS 4, VS]", "VS", "holdout", "not comparable", m.revenue,
              "alignment", comparable=False,
              note="not like with like: annual growth rates of firms against one year's revenue gap on one market"),
)  # fmt: skip

BY_KEY = {s.key: s for s in STATISTICS}


def fitted() -> tuple[Statistic, ...]:
    """The statistics in the calibration's distance."""
    return tuple(s for s in STATISTICS if s.role == "fit" and s.comparable)


def held_out() -> tuple[Statistic, ...]:
    """The comparable statistics never in the distance (validation)."""
    return tuple(s for s in STATISTICS if s.role == "holdout" and s.comparable)


def measure_all(result: RunResult, run: str) -> dict[str, float]:
    """Every statistic measured on this reference run (NaN where the run does not record what it needs)."""
    return {s.key: m.safely(s.measure, result) for s in STATISTICS if s.run == run}


def organization_statistics(result: RunResult) -> dict[str, float]:
    """What the organization run keeps (a task's measure)."""
    return measure_all(result, "organization")


def response_statistics(result: RunResult) -> dict[str, float]:
    """What the response run keeps: its statistics and the counts by delay (pooled by the check)."""
    try:
        qualified, attempted = m.qualified_by_delay(result)
    except m.MISSING:
        qualified = attempted = np.full(len(m.DELAY_BINS) - 1, np.nan)
    counts = {f"qualified_{i}": q for i, q in enumerate(qualified)} | {f"attempted_{i}": a for i, a in
                                                                         enumerate(attempted)}  # fmt: skip
    return measure_all(result, "response") | counts


def alignment_statistics(result: RunResult) -> dict[str, float]:
    """What the misaligned and aligned runs keep: revenue."""
    return {"revenue": m.safely(m.revenue, result)}


MEASURES = {"organization": organization_statistics, "response": response_statistics,
            "alignment": alignment_statistics}  # fmt: skip
