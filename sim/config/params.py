"""Behaviour parameters: every number the model uses, stated once, each with its unit and source.

Every number lives in :class:`Params`, one line each (as in Covasim's
``parameters.py``): what it is (the comment), its default, its unit, where it
comes from (a row of docs/FACTS.md, a fit by scripts/calibrate.py, a lever in
:mod:`sim.config.levers`, a scenario key, or the word "assumption", then with
a plausible low-high range) and the bounds within which the model is well
defined. :data:`PARAM_INFO` gives that metadata to validation, to
``salesim show`` and to anything that wants the ranges.
:func:`sim.config.levers.derive` maps a scenario's levers onto these
parameters; a scenario's ``behavior:`` section overrides any of them by name,
except those a scenario key sets.

Time is calendar time (sim/model/clock.py): hours since the start of the run,
365 days a year, with nights, weekends and holidays. Prospects wait in calendar
hours (unit "h"), as the published response-time studies measure; the delays
companies plan in business hours (SLAs, follow-up habits, retry gaps; unit "bh")
count only 09:00-17:00 on working days; rep work (a call, a meeting) takes hours
of work. See docs/MODEL.md, Time.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
from dataclasses import dataclass, fields
from types import MappingProxyType
from typing import Any, Literal

# The policy choices a scenario makes (the schema and the model's policies use these names).
InsidePay = Literal["per_lead", "per_opportunity", "revenue", "hybrid"]
FieldPay = Literal["revenue", "margin"]
FeedbackMode = Literal["none", "periodic", "continuous"]
HandoffMode = Literal["warm", "cold"]
Routing = Literal["round_robin", "least_loaded", "territory", "cherry_pick"]
WorkOrder = Literal["oldest_first", "newest_first", "score_first"]
Coverage = Literal["business_hours", "extended", "follow_the_sun"]
NurtureMode = Literal["none", "basic", "active"]
Scoring = Literal["none", "rules", "predictive"]

HOURS_PER_DAY = 8.0  # business hours in a working day, 09:00-17:00 (sim/model/clock.py)
DAYS_PER_YEAR = 365.0  # calendar days in a year: the clock runs in calendar time
QUARTER_DAYS = (0, 90, 181, 273)  # days of the year the quarters (quotas, pay periods) start: 1 Jan, Apr, Jul, Oct
DAYS_PER_WEEK = 5.0  # working days in a week

# ------------------------------------------------------------------ units and kinds
#
# Unit -> (what it means, kind of quantity, default validation bounds or None).
# Units with natural bounds (a share, a 0-1 level, satisfaction points) need
# none on each line; every other number states its bounds.
UNITS: dict[str, tuple[str, str, tuple[float, float] | None]] = {
    "h": ("hours (calendar time, or hours of work)", "duration", None),
    "bh": ("business hours (09:00-17:00 on working days)", "duration", None),
    "days": ("calendar days", "duration", None),
    "$": ("dollars", "money", None),
    "$/yr": ("loaded dollars a year", "money", None),
    "share": ("a probability or share, 0-1", "probability/share", (0.0, 1.0)),
    "count": ("a number of things", "count", None),
    "per h": ("per hour of work", "rate", None),
    "per day": ("per working day", "rate", None),
    "logit": ("log-odds", "coefficient", None),
    "points": ("satisfaction points on the 0-100 scale", "satisfaction", (-100.0, 100.0)),
    "fit": ("fit of a prospect, 0-1", "level", (0.0, 1.0)),
    "0-1": ("a level from 0 (none) to 1 (full)", "level", (0.0, 1.0)),
    "x": ("a multiplier", "multiplier", None),
    "shape": ("a Beta or gamma shape parameter", "coefficient", None),
    "power": ("an exponent", "coefficient", None),
    "log": ("standard deviation of the logarithm", "coefficient", None),
    "choice": ("a named choice", "choice", None),
}

# How a parameter changed during a run (a ``timeline`` set:) reaches those who act on it.
# Levers add two kinds of their own: pay plans wait for the next pay period and a change of
# structure, management or reporting line is a re-organization (sim/config/scenario.py).
TRANSITIONS = {
    "immediate": "from the day of the change, for every rep in post and every new hire",
    "habit": "reps in post move to it by equal steps over habit_days working days; new hires start there",
}

# ------------------------------------------------------------------ sources
ASSUMED = "assumption"
LEVER = "lever: derived from the scenario (see sim/config/levers.py)"
HBR_2011 = "Oldroyd et al., HBR 2011 (FACTS 1)"
INSIDESALES_2007 = "InsideSales.com 2007 (FACTS 1)"
FITTED_DECAY = "fitted: scripts/calibrate.py to FACTS 1 (an earlier grid; not refitted in issue 30)"
WBD_DISCOUNT = (
    "Winning by Design, The Relationship Between Discount and Win Rate: a 20% discount breaks even"
    " only if the win rate rises from 20% to 25%, which few teams achieve (docs/SOURCES.md Q8)"
)
# The generic company's calibration (scripts/calibrate.py, issue 30): ABC on the level and shape facts of
# docs/FACTS.md and docs/SOURCES.md Q13-Q14, 600 parameter sets; the default is the posterior median and the
# plausible range its 90% band (docs/MODEL.md, Validation)
CALIBRATED = "fitted: scripts/calibrate.py, posterior median and 90% band (docs/MODEL.md, Validation)"
BRIDGE_2017 = "Bridge Group 2017: median cycle 60-72 days (FACTS 2)"
BRIDGE_TOPO = "Bridge Group; TOPO (FACTS 3)"
KANA_2013 = "Kana 2013: 69% had to repeat themselves (FACTS 5); size assumption"


@dataclass(frozen=True, slots=True)
class ParamInfo:
    """What one behaviour parameter is: unit, kind, source, plausible range and bounds.

    Attributes:
        name: the field of :class:`Params`.
        default: its default value.
        unit: a key of :data:`UNITS` ("h", "share", "$/yr", ...).
        kind: the kind of quantity ("duration", "probability/share", ...).
        source: a FACTS row, "fitted: ...", "lever: ...", "scenario: <key>" or "assumption".
        low: low end of the plausible range (None: no range stated).
        high: high end of the plausible range.
        bounds: (lo, hi), inclusive, within which the model is well defined (None for a choice).
        derived: set by :func:`sim.config.levers.derive` from the scenario.
        key: the scenario key the value copies; ``behavior:`` may not override it.
        transition: how a change during a run (``timeline`` set:) reaches the people who act on
            it (:data:`TRANSITIONS`).
    """

    name: str
    default: Any
    unit: str
    kind: str
    source: str
    low: float | None
    high: float | None
    bounds: tuple[float, float] | None
    derived: bool
    key: str | None
    transition: str = "immediate"

    @property
    def assumed(self) -> bool:
        """The value is an assumption, not a published number, a fit or a lever."""
        return self.source.startswith(ASSUMED)

    @property
    def overridable(self) -> bool:
        """``behavior:`` may set it (no scenario key owns it)."""
        return self.key is None

    def describe_bounds(self) -> str:
        """The bounds as people read them, e.g. "[0.01, 100] h"."""
        if self.bounds is None:
            return "a choice"
        lo, hi = self.bounds
        return f"[{format_number(lo)}, {format_number(hi)}] {self.unit}"


def format_number(value: float) -> str:
    """A number in at most 6 significant digits, or exactly if that would hide a difference."""
    text = f"{value:.6g}".replace("e+0", "e").replace("e+", "e").replace("e-0", "e-")
    return text if not math.isfinite(value) or float(text) == value else repr(value)


def param(
    default: Any,
    unit: str,
    source: str = "",
    plausible: tuple[float, float] | None = None,
    *,
    bounds: tuple[float, float] | None = None,
    kind: str | None = None,
    derived: bool = False,
    key: str | None = None,
    transition: str = "immediate",
) -> Any:
    """A :class:`Params` field that carries its metadata (checked when :data:`PARAM_INFO` is built).

    Args:
        default: the default value (the calibrated market and organization).
        unit: a key of :data:`UNITS`; also gives the kind and, for shares,
            levels and satisfaction points, the bounds.
        source: where the value comes from (see :class:`ParamInfo`).
        plausible: (low, high) a sales leader would accept; required for an assumption.
        bounds: (lo, hi) inclusive, within which the model is well defined.
        kind: overrides the kind the unit implies.
        derived: :func:`sim.config.levers.derive` sets it.
        key: the scenario key (a lever of :mod:`sim.config.registry`) whose value it copies;
            ``derive`` copies every keyed field by loop (implies ``derived``).
        transition: a key of :data:`TRANSITIONS`: how a change during a run takes effect.

    Returns:
        A ``dataclasses.field`` with the metadata in ``metadata``.
    """
    _, unit_kind, unit_bounds = UNITS[unit]
    low, high = plausible if plausible is not None else (None, None)
    metadata = {
        "unit": unit,
        "kind": kind or unit_kind,
        "source": source or (f"scenario: {key}" if key else ""),
        "low": low,
        "high": high,
        "bounds": tuple(map(float, bounds)) if bounds is not None else unit_bounds,
        "derived": derived or key is not None,
        "key": key,
        "transition": transition,
    }
    return dataclasses.field(default=default, metadata=MappingProxyType(metadata))


@dataclass(frozen=True, slots=True)
class Params:
    """Behaviour parameters of one run. Defaults are the calibrated market and org.

    Each line: the default, its unit, its source and, for an assumption, a
    plausible (low, high); ``bounds`` keep the model well defined.
    """

    # --- market: prospects -------------------------------------------------
    # inquiries per working day: a week brings 5x this, around the clock (docs/SOURCES.md Q4)
    inbound_per_day: float = param(40.0, "per day", key="market.inbound_leads_per_day", bounds=(0, 1e5))
    # share of a week's inquiries outside weekday 08:00-18:00, and on weekends (Nectafy, 2,000+ B2B forms: 38%, 12.4%)
    after_hours_share: float = param(0.35, "share", "Nectafy; Drift (docs/SOURCES.md Q4)", (0.3, 0.45))
    weekend_share: float = param(0.12, "share", "Nectafy (docs/SOURCES.md Q4)", (0.08, 0.15))
    deal_value_median: float = param(30_000.0, "$", key="market.deal_value_median", bounds=(0, 1e9))  # FACTS 2: $25-35k
    deal_value_sigma: float = param(0.6, "log", key="market.deal_value_sigma", bounds=(0, 3))  # lognormal deal size
    field_quota: float = param(750_000.0, "$", key="compensation.field_quota", bounds=(0, 1e10))  # a year, published
    # a year, on the plan's metric: compensation.inside_quota, or by the plan (levers.INSIDE_QUOTA)
    inside_quota: float = param(120.0, "count", LEVER, bounds=(0, 1e9), derived=True)
    cost_per_inquiry: float = param(200.0, "$", key="market.cost_per_inquiry", bounds=(0, 1e6))  # marketing's cost
    fit_a: float = param(2.2, "shape", ASSUMED, (1.5, 3.5), bounds=(0.05, 100))  # Beta(a, b) fit of inbound, mean 0.44
    fit_b: float = param(2.8, "shape", ASSUMED, (2.0, 4.0), bounds=(0.05, 100))
    intent_a: float = param(3.0, "shape", ASSUMED, (2.0, 4.0), bounds=(0.05, 100))  # Beta(a, b) intent, mean 0.6
    intent_b: float = param(2.0, "shape", ASSUMED, (1.5, 3.0), bounds=(0.05, 100))
    outbound_fit_a: float = param(2.0, "shape", ASSUMED, (1.5, 3.0), bounds=(0.05, 100))  # targeted lists: mean 0.44
    outbound_fit_b: float = param(2.5, "shape", ASSUMED, (2.0, 4.0), bounds=(0.05, 100))
    outbound_intent_a: float = param(1.5, "shape", ASSUMED, (1.0, 2.5), bounds=(0.05, 100))  # not looking: low intent
    outbound_intent_b: float = param(3.0, "shape", ASSUMED, (2.0, 4.0), bounds=(0.05, 100))
    field_fit_a: float = param(2.5, "shape", ASSUMED, (2.0, 3.5), bounds=(0.05, 100))  # reps pick known accounts: 0.5
    field_fit_b: float = param(2.5, "shape", ASSUMED, (2.0, 3.5), bounds=(0.05, 100))
    field_intent_a: float = param(2.0, "shape", ASSUMED, (1.5, 3.0), bounds=(0.05, 100))  # self-sourced intent, 0.4
    field_intent_b: float = param(3.0, "shape", ASSUMED, (2.0, 4.0), bounds=(0.05, 100))
    # a customer's referral: someone like them (fit 0.6) who has heard it works (intent 0.6)
    referral_fit_a: float = param(3.0, "shape", ASSUMED, (2.0, 4.0), bounds=(0.05, 100))
    referral_fit_b: float = param(2.0, "shape", ASSUMED, (1.5, 3.0), bounds=(0.05, 100))
    referral_intent_a: float = param(3.0, "shape", ASSUMED, (2.0, 4.0), bounds=(0.05, 100))
    referral_intent_b: float = param(2.0, "shape", ASSUMED, (1.5, 3.0), bounds=(0.05, 100))
    # inbound lost at satisfaction 0: market.reputation_effect, or unset 0.2 in runs over a year (levers.py)
    reputation_effect: float = param(0.0, "share", LEVER, derived=True)
    # accounts of the target market that reps can prospect (the user's market; the default a mid-size one)
    addressable_accounts: float = param(50_000.0, "count", key="market.addressable_accounts", bounds=(100, 1e8))
    # new accounts a prospecting hour approaches: an SDR adds about 60 new contacts a week (docs/SOURCES.md Q8)
    touches_per_prospecting_hour: float = param(
        1.5, "per h", "SDR activity example, 60 new contacts a week (docs/SOURCES.md Q8)", (1, 4), bounds=(0, 100)
    )
    account_rest_days: float = param(365.0, "days", ASSUMED, (180, 730), bounds=(1, 1e5))  # a no lasts a budget year
    reputation_window: float = param(500.0, "count", ASSUMED, (200, 2000), bounds=(1, 1e5))  # latest leads judged
    reputation_min_leads: float = param(100.0, "count", ASSUMED, (50, 500), bounds=(1, 1e5))  # opinions needed first

    # --- response-time decay ("the short life of online sales leads") ------
    # g(t) = (1 + t / decay_scale_hours) ** -decay_exponent multiplies the chance
    # to reach and to qualify a prospect t hours after the inquiry.
    # Fitted with the rest of the first hours by scripts/calibrate.py (issue 30) to Oldroyd et al., HBR 2011
    # (within 1 h ~7x as likely to qualify as an hour later, >60x vs 24 h or later, on inquiries sent in
    # business hours), the waterfall's inquiry -> MQL, InsideSales' never-contacted share and persistence.
    decay_scale_hours: float = param(1.24, "h", CALIBRATED, (0.796, 1.94), bounds=(0.01, 100))
    decay_exponent: float = param(2.82, "power", CALIBRATED, (2.14, 3.31), bounds=(0, 10))
    # the chance a dial reaches the prospect once the moment has passed (they are at work, busy with other
    # things): Velocify's converted leads, ~45% reached on the first call, ~85% by the third, 93-95% by the
    # sixth (docs/SOURCES.md Q13c), need a per-dial connect rate of this order later on (assumption)
    contact_floor: float = param(0.107, "share", CALIBRATED, (0.0605, 0.15))
    # chance an immediate attempt reaches them: Velocify's converted leads, ~45% reached on the first call
    # (docs/SOURCES.md Q13c); an immediate call finds more at their desk (assumption)
    contact_max: float = param(0.865, "share", CALIBRATED, (0.72, 0.933))
    # the need halves every wait_decay_hours (calendar) without a word from us (before the first
    # call and while a qualified lead waits for the field): a week of silence loses half of it
    wait_decay_hours: float = param(168.0, "h", ASSUMED, (72, 336), bounds=(0.5, 20000))
    # an off-hours hour (evening, night, weekend) wears an inquirer's attention this share of a working hour:
    # the sender of a form at 18:00 is not busy with other work overnight (the HBR delays are counted on
    # inquiries sent in business hours; no study splits them by hour sent; assumption)
    off_hours_attention: float = param(0.05, "share", ASSUMED, (0.0, 0.15))
    # after a first attempt left a message (voicemail, email), the prospect's attention fades at this share of
    # the pace until someone reaches them: they know a vendor answered (assumption; Velocify: more than half of
    # converted leads are reached after the first call, 93-95% by the sixth, docs/SOURCES.md Q13c)
    answered_attention: float = param(0.313, "share", CALIBRATED, (0.136, 0.457))
    # share of an inquirer's interest that outlasts their attention (the need itself)
    need_floor: float = param(0.0252, "share", CALIBRATED, (0.00737, 0.0441))
    # other vendors each inquirer asks, answering as the firms of Oldroyd et al. do (FACTS 1)
    competitors: float = param(2.0, "count", FITTED_DECAY, (1, 3), bounds=(0, 20))
    # interest left for us once another vendor answered first: 78% of sales go to the first
    # vendor to respond (Leads360/Velocify, via InsideSales.com; 2nd-hand), so 22/78
    second_place_interest: float = param(
        0.3, "share", "Leads360/Velocify: 78% buy from the first responder (docs/SOURCES.md)", (0.2, 0.5)
    )
    agree_interest: float = param(0.253, "0-1", CALIBRATED, (0.2, 0.333), bounds=(0.01, 1))  # interest to engage
    lapse_intent: float = param(0.06, "0-1", ASSUMED, (0.02, 0.15))  # below this intent the prospect has moved on

    # --- inside reps --------------------------------------------------------
    attempt_hours: float = param(0.1, "h", ASSUMED, (0.05, 0.2), bounds=(0.01, 8))  # a dial / email that fails: 6 min
    conversation_hours: float = param(0.4, "h", ASSUMED, (0.25, 0.75), bounds=(0.01, 8))  # qualifying talk: 25 min
    decline_share: float = param(0.5, "share", ASSUMED, (0.25, 0.75))  # a decline takes this share of a conversation
    # attempts in the cadence: InsideSales 2007, 6+ attempts give up to 70% more contacts; Velocify, 7% of converted
    # leads are first reached after the sixth (docs/SOURCES.md Q13c): cadences run 6-8 touches (assumption: 8)
    max_attempts: float = param(8.0, "count", ASSUMED, (6, 12), bounds=(1, 50))
    # the cadence: attempts spread over days, six tries within this many calendar hours, then the lead is let go
    # (Velocify: 93-95% of converted leads are reached by the sixth attempt, docs/SOURCES.md Q13c; practitioners'
    # cadences run 6-8 touches over one to two weeks; InsideSales 2007 saw extra dials stop helping after ~20 h
    # on its own leads, FACTS 1: the range's low end is theirs; assumption)
    retry_horizon_hours: float = param(240.0, "h", ASSUMED, (20, 336), bounds=(0, 20000))
    retry_gap_hours: float = param(2.5, "bh", ASSUMED, (1, 8), bounds=(0, 250))  # gap after the first failed attempt
    retry_gap_growth: float = param(1.6, "x", ASSUMED, (1.2, 2.5), bounds=(0.5, 5))  # each further gap this much longer
    warm_handoff_hours: float = param(0.25, "h", ASSUMED, (0.1, 0.5), bounds=(0, 8))  # inside time for a warm handoff
    field_max_attempts: float = param(2.0, "count", ASSUMED, (1, 4), bounds=(1, 50))  # a field rep answering an inquiry
    abandon_hours: float = param(168.0, "h", ASSUMED, (72, 336), bounds=(0, 20000))  # untouched a week: leaves queue
    # a team working oldest first takes the newest inquiries first on a day its oldest waiting item has waited
    # this long (business hours): nobody calls a three-day-old inquiry before a fresh one (assumption)
    swamped_backlog_hours: float = param(16.0, "bh", ASSUMED, (8, 40), bounds=(0, 2000))
    prospecting_block_hours: float = param(0.5, "h", ASSUMED, (0.25, 1), bounds=(0.05, 8))  # outbound between looks
    outbound_conversations_per_hour: float = param(0.3, "per h", ASSUMED, (0.1, 0.6), bounds=(0, 5))  # 50 dials/day
    inside_hours_share: float = param(0.85, "share", ASSUMED, (0.7, 0.9), bounds=(0.05, 1))  # selling, rest is admin
    # inquiry -> in a rep's queue: the pickup, an exponential wait (notification, assignment rules). A company
    # input, the same whatever the structure (measurable in a CRM export as creation -> first owner assignment):
    # automated routing assigns in 5-15 minutes, manual routing in 4-24 hours (routing vendors and consultancies,
    # blog-grade; docs/SOURCES.md Q13d); the default is automated assignment with a notification
    lead_routing_hours: float = param(0.25, "bh", ASSUMED, (0.05, 8), bounds=(0, 200))
    # where marketing's automation passes inquiries to the sales CRM in batches, the interval (business hours);
    # 0: no batches. Marketo's sync with Salesforce starts a cycle about 5 minutes after the last one ended
    # (vendor documentation); HBR 2011 names daily retrieval as a cause of slow response. A company input,
    # equal across structures unless a scenario sets it (assumption for a company that batches: 0-8 bh)
    crm_sync_hours: float = param(0.0, "bh", ASSUMED, (0.0, 8), bounds=(0, 2000))
    # nurture: monthly chance a released lead comes back, or buys elsewhere first (docs/SOURCES.md Q3, derived
    # from MarketingSherpa 2012, SiriusDecisions and Johnny Grow: about 21% back within a year under basic
    # nurture, about 46% under an active programme)
    nurture_return_basic: float = param(0.02, "share", ASSUMED, (0.01, 0.03))  # periodic emails
    nurture_return_active: float = param(0.05, "share", ASSUMED, (0.03, 0.08))  # scored multi-touch programme
    nurture_loss_per_month: float = param(0.04, "share", ASSUMED, (0.03, 0.05))  # buys from someone else
    # a lead score from what is observable before the first call (the form, the pages read):
    # 0.5 fit + 0.5 intent + noise of this s.d.; predictive models rank better than hand-made rules
    score_noise_rules: float = param(0.25, "fit", ASSUMED, (0.15, 0.4))  # rule-based scoring (points per field)
    score_noise_predictive: float = param(0.12, "fit", ASSUMED, (0.06, 0.2))  # a model fitted to the CRM's history
    # the field's verdicts, where a feedback loop passes them on, re-tune the score (rules re-weighted,
    # a model re-fitted on dispositions): its noise moves this share of the way to score_noise_tuned per verdict
    score_learning_rate: float = param(0.001, "share", ASSUMED, (0.0003, 0.003))
    score_noise_tuned: float = param(0.08, "fit", ASSUMED, (0.05, 0.12))  # the best a score of the form can do
    inside_fit_noise: float = param(0.18, "fit", ASSUMED, (0.1, 0.3))  # s.d. of an inside rep's reading of fit
    # mean qualification bar set by the standard
    inside_threshold: float = param(0.45, "fit", LEVER, derived=True, transition="habit")
    inside_bar_shift: float = param(0.0, "fit", LEVER, bounds=(-1, 1), derived=True)  # pull of pay and reporting line
    inside_threshold_sd: float = param(
        0.04, "fit", LEVER, derived=True, transition="habit"
    )  # spread of bars across reps
    # --- training: what inside reps know and can do grows with training and practice, and fades (issue 31) --
    # what the formal training teaches: whether there is any, the share of its hours on the product (the rest on
    # selling), and how well its trainer teaches each (levers.TRAINING_CONTENT, TRAINING_FOCUS)
    training_given: float = param(1.0, "0-1", LEVER, derived=True)
    training_product_share: float = param(0.5, "share", LEVER, derived=True)
    training_product_quality: float = param(1.0, "0-1", LEVER, derived=True)
    training_selling_quality: float = param(1.0, "0-1", LEVER, derived=True)
    # picked up on the job from the host organization, whoever trains (levers.REPORTS_TO_TRAINING)
    host_knowledge: float = param(0.0, "0-1", LEVER, derived=True)
    host_skill: float = param(0.0, "0-1", LEVER, derived=True)
    # a new SDR's product knowledge and selling skill (often a first job; assumption)
    inside_hire_level: float = param(0.2, "0-1", ASSUMED, (0.1, 0.3))
    # what practice alone brings a rep to, approached over inside_ramp_days (assumption)
    practice_level: float = param(0.35, "0-1", ASSUMED, (0.25, 0.45))
    # a new hire's onboarding course (a one-week bootcamp; assumption) and the training a rep in post gets a
    # year, given monthly: ATD 2019-2021, $2,020-2,326 per salesperson a year, about 33 hours (ATD 2016's
    # all-employee mean; docs/SOURCES.md Q15b)
    onboarding_training_hours: float = param(40.0, "h", ASSUMED, (16, 120), bounds=(0, 2000))
    training_hours_per_year: float = param(30.0, "h", "ATD State of Sales Training (docs/SOURCES.md Q15b)", (15, 50),
                                           bounds=(0, 2000))  # fmt: skip
    # hours of a topic, taught well, that close 63% of a rep's gap to mastery (a learning curve; assumption)
    training_learning_hours: float = param(15.0, "h", ASSUMED, (8, 30), bounds=(0.1, 1000))
    # what training adds above practice halves in this many days without reinforcement: Rackham (Xerox), 87% of a
    # program's skill change lost within a month without coaching (about 10 days); RAIN Group, 85-90% after 120
    # days (about 40); docs/SOURCES.md Q15b
    training_half_life_days: float = param(30.0, "days", "Rackham 1991; RAIN Group (docs/SOURCES.md Q15b)",
                                           (10, 40), bounds=(1, 10_000))  # fmt: skip
    knowledge_noise_cut: float = param(0.6, "share", ASSUMED, (0.4, 0.8))  # full knowledge cuts fit-reading noise 60%
    skill_contact_gain: float = param(0.6, "x", ASSUMED, (0.3, 0.9), bounds=(0, 2))  # full skill: +60% reach and talks
    informal_feedback: float = param(0.0, "share", LEVER, derived=True)  # field verdicts passed on informally
    # 1: one team shares one calendar: the inside rep books the first meeting during the qualifying call
    shared_calendar: float = param(0.0, "0-1", LEVER, derived=True)
    team_priority: float = param(0.0, "0-1", LEVER, derived=True)  # shared pool: biggest team's inquiries first
    learning_rate: float = param(0.02, "share", ASSUMED, (0.005, 0.05))  # bar moves this share per feedback item
    learning_noise_floor: float = param(0.5, "share", ASSUMED, (0.3, 0.8))  # feedback cuts noise to half at most
    inside_ramp_days: float = param(84.0, "days", ASSUMED, (42, 168), bounds=(1, 700))  # to full productivity
    inside_ramp_floor: float = param(0.3, "share", ASSUMED, (0.1, 0.5), bounds=(0.05, 1))  # productivity on day one
    inside_tenure_days: float = param(426.0, "days", BRIDGE_TOPO, bounds=(10, 1e4))  # ~14 months
    hiring_days: float = param(42.0, "days", ASSUMED, (14, 120), bounds=(0, 1400))  # vacancy before a replacement

    # --- field reps ---------------------------------------------------------
    field_threshold: float = param(0.5, "fit", ASSUMED, (0.4, 0.6))  # fit a field rep wants before spending time
    field_threshold_sd: float = param(0.05, "fit", LEVER, derived=True)  # spread of field bars (a shared standard)
    field_fit_noise: float = param(0.12, "fit", ASSUMED, (0.05, 0.2))  # field reading of fit from the handoff record
    warm_noise_cut: float = param(0.5, "share", ASSUMED, (0.3, 0.7))  # a warm handoff halves the reading noise
    # field trust in inside-sourced leads
    initial_trust: float = param(0.5, "0-1", LEVER, derived=True, transition="habit")
    trust_learning: float = param(0.05, "share", ASSUMED, (0.02, 0.1))  # trust moves this share toward each lead
    trust_prior_weight: float = param(0.3, "share", ASSUMED, (0.1, 0.5))  # weight kept on the initial stance
    followup_hours: float = param(24.0, "bh", ASSUMED, (8, 40), bounds=(0, 2000))  # delay to look at a lead: 3 days
    # chance that a rep about to miss the SLA meets it, at a load of 1 - load_delay_base (enforcement)
    sla_pressure: float = param(0.3, "share", LEVER, derived=True)
    ignore_propensity: float = param(0.6, "share", LEVER, derived=True)  # chance a doubted lead is left untouched
    meeting_lead_hours: float = param(12.0, "bh", ASSUMED, (4, 40), bounds=(0, 2000))  # accepted -> first meeting
    notes_completeness: float = param(0.4, "share", LEVER, derived=True)  # 1 - chance of repeat questions
    opp_hours_per_day: float = param(0.18, "h", ASSUMED, (0.1, 0.3), bounds=(0, 8))  # daily time per open opportunity
    meeting_hours: float = param(1.0, "h", ASSUMED, (0.5, 2), bounds=(0, 8))  # a first meeting
    # first meetings the prospect does not come to (docs/SOURCES.md Q13b, vendor blogs, VS): meetings
    # booked from an inquiry (demo requests show 70-85%, MQL-converted 60-70%), from cold outreach
    # (25-35% no-show, outbound SDRs' and the AE's own) and from a referral (more than 80% show)
    no_show_inbound: float = param(0.2, "share", "vendor no-show data (docs/SOURCES.md Q13b)", (0.15, 0.35))
    no_show_cold: float = param(0.3, "share", "vendor no-show data (docs/SOURCES.md Q13b)", (0.25, 0.35))
    no_show_referral: float = param(0.15, "share", "vendor no-show data (docs/SOURCES.md Q13b)", (0.1, 0.2))
    # a live introduction by the inside rep (warm handoff) cuts the odds of a no-show (assumption: an
    # outsourced SDR firm went from 30% to under 10% with reminders and pay on meetings held, Q13b)
    no_show_warm_odds: float = param(0.7, "x", ASSUMED, (0.4, 1.0), bounds=(0, 10))
    # each week between qualification and the meeting multiplies the odds of a no-show (assumption:
    # interest cools, other priorities arrive; 56% of no-shows were "overwhelmed by internal events")
    no_show_weekly_odds: float = param(1.35, "x", ASSUMED, (1.1, 2.0), bounds=(1, 100))
    # no-shows who book again: most reasons are passing (internal events 56%, another meeting 10%,
    # an emergency 6%: MarketingProfs 2019, Q13b); the second booking is the last (assumption)
    reschedule_share: float = param(0.6, "share", ASSUMED, (0.4, 0.8))
    # reading up on the account before a first meeting: managers expect at least 30 minutes, 62% of reps
    # spend under 20 (Hebert Research / Knowledge Anywhere; docs/SOURCES.md Q11a)
    meeting_prep_hours: float = param(0.5, "h", "Hebert Research (docs/SOURCES.md Q11a)", (0.17, 1.0), bounds=(0, 8))
    # working days over which a shortage of hours is felt by the deals (Field reps' hours_load)
    hours_load_memory_days: float = param(5.0, "days", ASSUMED, (2, 10), bounds=(1, 60))
    review_hours: float = param(0.25, "h", ASSUMED, (0.1, 0.5), bounds=(0, 8))  # reading a handed-off lead, deciding
    # hours a week a field rep has for selling work (reviews, meetings, opportunities, prospecting):
    # CSO Insights 2011 (>2,000 firms): 41% of time selling + 24% generating leads and researching
    # accounts = 65% of a ~47.5-hour week (docs/SOURCES.md, Q1)
    field_selling_hours_week: float = param(
        31.0, "h", "CSO Insights 2011 via Selling Power (docs/SOURCES.md Q1)", (20, 35), bounds=(1, 80)
    )
    # over capacity a rep keeps only what looks best: the bar rises this much (fit) per capacity of overload
    triage_slope: float = param(1.0, "fit", ASSUMED, (0.5, 1.0), bounds=(0, 1))
    triage_value_weight: float = param(0.1, "fit", ASSUMED, (0.0, 0.3), bounds=(0, 1))  # fit per log of deal size
    field_capacity: float = param(20.0, "count", ASSUMED, (12, 30), bounds=(5, 1000))  # opportunities worked well
    pipeline_target: float = param(15.0, "count", ASSUMED, (10, 25), bounds=(1, 1000))  # opportunities a rep aims for
    # first meetings an hour of prospecting books on a fresh list: outbound SDRs book 12-15 qualified
    # meetings a month (docs/SOURCES.md Q8, Q13b) in the 18-41% of a 160-hour month they spend on outreach
    # (the rest is research, CRM and internal work; SOURCES Q13b), 0.19-0.5 an hour of outreach; an AE's
    # list is colder than an SDR's sequences: prior 0.08-0.30 (the issue-30 fit's posterior pressed on the
    # old prior's top, 0.15)
    field_leads_per_hour: float = param(
        0.247,
        "per h",
        f"{CALIBRATED}; prior: SDR benchmarks, 12-15 meetings a month per hour of outreach (docs/SOURCES.md Q13b)",
        (0.0891, 0.294),
        bounds=(0, 5),
    )
    # the pipeline a rep wants against the quarter's quota: the "rule of three" of sales managers
    # (Kellogg 2013), 3-4x customary, 3-5x at the start of a quarter (Insight Partners; SOURCES Q13a).
    # A rep whose open opportunities cover less of it prospects harder, whoever else feeds them
    pipeline_coverage: float = param(
        3.0, "x", "sales managers' rule of three; Insight Partners 3-5x (docs/SOURCES.md Q13a)", (2.0, 5.0),
        bounds=(0, 100),
    )  # fmt: skip
    # how hard a supported field rep with full trust in inside's leads still prospects
    self_prospect_when_supported: float = param(0.599, "share", CALIBRATED, (0.343, 0.823))
    # field reps leave: Bridge Group "about one out of every three reps each year", DePaul 28% (outside
    # sales), CSO Insights 25.8% (docs/SOURCES.md Q12a). This is the voluntary hazard of a rep at the typical
    # attainment; with reps leaving by standing and those managed out, 28% of seats turn over a year at the
    # defaults (`aligned`, tests/test_pay_effort.py), the published total
    field_attrition: float = param(
        0.24, "share", "Bridge Group; DePaul; CSO Insights (docs/SOURCES.md Q12a)", (0.12, 0.30)
    )
    # reps below quota leave more (they earn less), reps above it less: the voluntary hazard's log moves by this
    # much per unit of attainment below the typical ramped rep's. Bycio, Hackett & Alvares 1990 (meta-analysis):
    # performance correlates -0.17 with voluntary turnover, about 1.5x the odds per SD of performance; an SD of
    # attainment is about 0.35 (docs/SOURCES.md Q15a)
    attrition_attainment_slope: float = param(1.2, "log", "Bycio et al. 1990 (docs/SOURCES.md Q15a)", (0.6, 1.8),
                                              bounds=(0, 10))  # fmt: skip
    # the attainment of the typical ramped rep, whose voluntary hazard is field_attrition: BenchSights' median
    # share of quota capacity achieved, 66-87% by segment (docs/SOURCES.md Q14)
    attrition_reference_attainment: float = param(
        0.75, "x", "BenchSights (docs/SOURCES.md Q14)", (0.65, 0.87), bounds=(0, 2)
    )
    # managed out: a ramped rep whose standing (about the last two quarters) is below this share of the field's
    # median standing (managers judge reps against their peers) is put on a performance plan, and this share of
    # them leave within two quarters. Involuntary turnover correlates -0.52
    # with performance (Bycio et al. 1990): a rule more than a slope; 30-50% of exits are involuntary (Q15a)
    pip_attainment: float = param(0.5, "x", ASSUMED, (0.4, 0.7), bounds=(0, 2))  # of the median standing
    pip_exit_share: float = param(0.6, "share", ASSUMED, (0.5, 0.7))
    # days a field seat stays empty: SHRM, 42 days to fill a job (all jobs); sales searches run longer
    field_hiring_days: float = param(60.0, "days", ASSUMED, (30, 120), bounds=(0, 1400))
    # a new hire sells at this share of their skill, rising to all of it over their ramp (RAMP_SPREAD,
    # FACTS 3); the quarter-by-quarter attainment of FACTS 3 is the check (docs/MODEL.md)
    field_ramp_floor: float = param(0.2, "share", ASSUMED, (0.1, 0.5), bounds=(0.05, 1))
    # a new field hire's onboarding (training, shadowing) before taking leads
    field_onboarding_days: float = param(30.0, "days", ASSUMED, (14, 60), bounds=(0, 365))
    # --- transitions: a lever changed during the run (timeline set:) -----------------------
    # a new qualification standard or team structure moves reps' bars and the field's trust
    # towards their new levels over this many working days, not at once (habits change slowly)
    habit_days: float = param(60.0, "days", ASSUMED, (20, 120), bounds=(1, 1000))
    # a re-organization (structure, management, reporting line) costs every rep this share of
    # their productivity at once, recovered linearly over reorg_recovery_days (new manager, new
    # routines; the reassigned-accounts loss of FACTS 3, 13-18%, bounds it from above)
    reorg_ramp_loss: float = param(0.1, "share", ASSUMED, (0.0, 0.25))
    reorg_recovery_days: float = param(90.0, "days", ASSUMED, (30, 180), bounds=(1, 1000))
    # a field rep moved to another team (timeline move:) keeps their skill but meets new accounts and
    # a new manager: they lose this share of their ramp's progress and re-ramp at their own pace (a
    # tenured rep sells about 20% less at once, back in about five weeks; practitioners count "one
    # less call a day for a month at least" per realignment, Zoltners & Sinha's 12-16-week transitions)
    move_ramp_loss: float = param(0.25, "share", ASSUMED, (0.1, 0.5))
    field_skill: float = param(0.6, "0-1", ASSUMED, (0.45, 0.75))  # mean field selling skill
    field_skill_sd: float = param(0.1, "0-1", ASSUMED, (0.05, 0.2))  # spread of skill across field reps
    load_delay_base: float = param(0.5, "x", ASSUMED, (0.25, 1), bounds=(0, 5))  # delays scale with (base + load)
    # the field answering its own inquiries: delay multiplier on followup_hours x (base + load); 0.4 gives
    # about 12 working hours, the mean of firms that answer within 30 days (42 h, Oldroyd et al. 2011, FACTS 1)
    inquiry_response_factor: float = param(0.4, "x", HBR_2011, (0.25, 1), bounds=(0.01, 10))
    distrust_delay: float = param(1.5, "x", ASSUMED, (1.2, 2), bounds=(1, 10))  # delays scale with (this - trust)
    # a review hurried to meet the SLA lands in this last share of the window (deadline effect)
    sla_deadline_share: float = param(0.25, "share", ASSUMED, (0.1, 0.5))
    cherry_pick_small: float = param(2.5, "x", ASSUMED, (1.5, 4), bounds=(0, 20))  # ignore chance x this: small deal
    cherry_pick_large: float = param(0.4, "x", ASSUMED, (0.2, 0.8), bounds=(0, 20))  # ... and x this: large deal

    # --- opportunities and deals ---------------------------------------------
    opp_base: float = param(0.5, "share", ASSUMED, (0.3, 0.7))  # meeting -> opportunity at fit 0.5, intent 0.5
    opp_fit_slope: float = param(6.0, "logit", ASSUMED, (3, 10), bounds=(-20, 20))  # per unit of fit
    opp_intent_slope: float = param(2.0, "logit", ASSUMED, (1, 4), bounds=(-20, 20))  # per unit of remaining intent
    stages: float = param(4.0, "count", ASSUMED, (3, 6), bounds=(1, 20))  # discovery, solution, proposal, negotiation
    # stages of larger deals last longer: cycle ~ size ** 0.4 (docs/SOURCES.md Q7, derived from Bridge Group
    # 2017's $25k median deal and 60-day median cycle: about 104 days at $100k)
    cycle_size_elasticity: float = param(0.4, "power", ASSUMED, (0.2, 0.6), bounds=(0, 2))
    loss_no_decision_share: float = param(0.44, "share", "CSO Insights 2016 (docs/SOURCES.md Q6)", (0.3, 0.6))
    loss_price_share: float = param(0.25, "share", ASSUMED, (0.1, 0.4))  # of competitive losses, put down to price
    stage_days_shape: float = param(2.0, "shape", ASSUMED, (1, 4), bounds=(0.1, 50))  # gamma: mode > 0, right tail
    # mean sum of the stages at the median deal size; the won deals that close within a year land in 60-72 days
    cycle_days: float = param(72.0, "days", BRIDGE_2017, bounds=(1, 1000))
    win_logit: float = param(-1.63, "logit", CALIBRATED, (-1.76, -1.3), bounds=(-20, 20))  # at fit, intent, skill 0.5
    win_fit: float = param(3.0, "logit", ASSUMED, (1.5, 5), bounds=(-20, 20))  # per unit of fit above 0.5
    win_intent: float = param(1.5, "logit", ASSUMED, (0.5, 3), bounds=(-20, 20))  # per unit of intent above 0.5
    win_skill: float = param(1.5, "logit", ASSUMED, (0.5, 3), bounds=(-20, 20))  # per unit of rep skill above 0.5
    win_repeat: float = param(0.35, "logit", KANA_2013, (0.1, 0.8), bounds=(-20, 20))  # lost when asked again
    # per unit of discount: 1.0 lifts a 20% win rate to 23.5% with a 20% discount, short of the
    # 25% that would pay for it; 1.44 would break even (range 0-1.4)
    win_discount: float = param(1.0, "logit", WBD_DISCOUNT, (0.0, 1.4), bounds=(-20, 20))
    win_overload: float = param(1.0, "logit", ASSUMED, (0.5, 2), bounds=(0, 5))  # lost per unit of load over capacity
    discount_mean: float = param(0.10, "share", LEVER, bounds=(0, 0.5), derived=True)  # revenue pay discounts more

    # --- satisfaction (0-100, starts at 50; directions from FACTS 5) -------
    sat_start: float = param(50.0, "points", ASSUMED, (40, 60), bounds=(1, 100))  # a new prospect: neutral
    sat_fast_response: float = param(
        10.0, "points", ASSUMED, (5, 15)
    )  # an immediate first attempt (falls per doubling of the wait)
    sat_slow_response: float = param(
        -10.0, "points", ASSUMED, (-15, -5)
    )  # first attempt slow_response_hours or more later
    fast_response_hours: float = param(1.0, "h", HBR_2011, bounds=(0.01, 40))  # "within the hour"
    slow_response_hours: float = param(24.0, "h", HBR_2011, bounds=(0.01, 2000))  # "24 h or later" (calendar hours)
    # each try beyond the first few to reach a prospect who has not picked up (missed calls, voicemails):
    # chasing is felt as pressure (assumption; "three messages, three days apart, then set aside" and
    # "one short voice message per day" are practitioners' norms, Nichols, BusinessWeek 2004)
    sat_chased: float = param(-1.0, "points", ASSUMED, (-3, 0))
    chase_free_attempts: float = param(
        3.0, "count", ASSUMED, (2, 6), bounds=(0, 100)
    )  # tries a prospect takes in stride
    sat_never_called: float = param(-20.0, "points", ASSUMED, (-30, -10))  # asked for contact, never heard back
    sat_knowledge: float = param(20.0, "points", ASSUMED, (10, 30))  # x (knowledge - 0.5) at each conversation
    sat_repeat: float = param(-12.0, "points", KANA_2013, (-20, -5))  # asked the same questions twice
    sat_dropped: float = param(-25.0, "points", ASSUMED, (-40, -15))  # promised a follow-up, then ignored
    sat_rejected: float = param(-10.0, "points", ASSUMED, (-15, -5))  # bounced back to nurture
    sat_late_per_day: float = param(-3.0, "points", ASSUMED, (-5, -1))  # per working day past the promise
    # what a qualified prospect is told: "a specialist will call you", within a working day (SiriusDecisions:
    # 24 hours is best practice for follow-up, docs/SOURCES.md Q9); the waits felt count from it
    promise_hours: float = param(
        8.0, "bh", "SiriusDecisions (docs/SOURCES.md Q9); size assumption", (4, 24), bounds=(0, 2000)
    )
    sat_won: float = param(20.0, "points", ASSUMED, (10, 30))  # the deal is signed
    sat_lost: float = param(-5.0, "points", ASSUMED, (-10, 0))  # the prospect walks away
    sat_disqualified: float = param(-2.0, "points", ASSUMED, (-5, 0))  # told they are not a fit

    # --- money (loaded annual $ unless stated) ------------------------------
    inside_salary: float = param(65_000.0, "$/yr", ASSUMED, (50e3, 90e3), bounds=(0, 1e7))  # SDR base (Bridge Group)
    field_salary: float = param(120_000.0, "$/yr", ASSUMED, (90e3, 180e3), bounds=(0, 1e7))  # AE base
    manager_salary: float = param(160_000.0, "$/yr", ASSUMED, (120e3, 220e3), bounds=(0, 1e7))  # first-line manager
    reps_per_manager: float = param(8.0, "count", BRIDGE_TOPO, bounds=(1, 100))  # ~8 inside reps per manager
    # a head of sales over both teams (one manager) or a head of each (two managers), above the first-line managers
    department_heads: float = param(2.0, "count", LEVER, bounds=(0, 100), derived=True)
    head_salary: float = param(250_000.0, "$/yr", ASSUMED, (180e3, 350e3), bounds=(0, 1e7))  # loaded, a sales director
    # CRM seat, sales engagement, data tools for a rep in post: Salesforce lists $100-350 a user a month;
    # no survey gives the whole stack (docs/SOURCES.md Q12f)
    tooling_per_rep: float = param(6_000.0, "$/yr", ASSUMED, (3e3, 12e3), bounds=(0, 1e6))
    # what filling a seat costs (recruiting, fees): DePaul, $29,159 of acquisition cost per sales-rep turnover
    field_hiring_cost: float = param(
        29_000.0, "$", "DePaul 2011-12 (docs/SOURCES.md Q12a)", (15e3, 45e3), bounds=(0, 1e7)
    )
    inside_hiring_cost: float = param(10_000.0, "$", ASSUMED, (5e3, 20e3), bounds=(0, 1e7))  # an SDR hire
    pay_per_lead: float = param(60.0, "$", ASSUMED, (25, 150), bounds=(0, 1e6))  # per qualified lead (per_lead plan)
    pay_per_opportunity: float = param(250.0, "$", ASSUMED, (100, 500), bounds=(0, 1e6))  # per opportunity created
    inside_revenue_rate: float = param(0.02, "share", ASSUMED, (0.01, 0.05))  # of own leads' revenue (revenue plan)
    # a field rep's variable pay at 100% of quota: OTE $150-190k split about 50/50 (Bridge Group via
    # benchmarkhq; quota 4-6x OTE, Skok; docs/SOURCES.md Q12c). The commission rate follows from it, as comp
    # designers set it: variable pay / quota (the base commission rate), 10% at the $750k quota
    field_variable_pay: float = param(
        75_000.0, "$/yr", "Bridge Group OTE, about 50/50 (docs/SOURCES.md Q12c)", (60e3, 95e3), bounds=(0, 1e7)
    )
    # how a rep's prospecting responds to what the next dollar sold pays: effort ~ (marginal commission
    # rate / effort_reference_rate) ** effort_elasticity. The reference is the typical plan's expected
    # marginal rate (10% of revenue, 1.5x past quota, even odds of making it: 0.125), at which the
    # calibrated prospecting holds (docs/MODEL.md, "Pay and effort")
    effort_elasticity: float = param(0.4, "power", ASSUMED, (0.2, 0.6), bounds=(0, 3))
    effort_reference_rate: float = param(0.125, "share", "the typical plan's marginal rate: 10% x (1 + 0.5 x 0.5)")
    # a rep the plan spurs on works longer than the nominal selling hours, by up to this share (AEs report
    # 45-55 hour weeks against a 40-hour norm; assumption)
    effort_stretch_max: float = param(0.25, "share", ASSUMED, (0.1, 0.4))
    # the commission rate's multiple on revenue past the quarter's quota (compensation.field_quota / 4):
    # QuotaPath's AE plan template pays 1.5x past 100%, and half of companies set quarterly quotas;
    # Pulse RevOps: 1.5-2.5x is standard for SaaS AEs (docs/SOURCES.md Q12c). 1 is a linear plan; 0 pays nothing
    # past quota (a cap, as in Misra & Nair 2011's firm)
    accelerator: float = param(1.5, "x", "QuotaPath; Pulse RevOps (docs/SOURCES.md Q12c)", (1.0, 2.5), bounds=(0, 10))
    # what a buyer asks to sign before the quarter ends, per 30 days the signature comes early
    # (Larkin 2014: salespeople concede prices to time deals, costing the vendor 6-8% of revenue)
    pull_in_discount: float = param(0.05, "share", ASSUMED, (0.02, 0.1))
    # how far past a quarter's end a deal's signature may be pulled into it
    pull_in_window_days: float = param(30.0, "days", ASSUMED, (14, 45), bounds=(0, 365))
    cost_of_goods: float = param(0.30, "share", ASSUMED, (0.15, 0.5))  # share of list value that is cost
    hybrid_share: float = param(0.5, "share", ASSUMED, (0.3, 0.7))  # hybrid: this share of each of the two plans

    # --- customers after the sale (sim/model/customers.py) -----------------
    # a year's chance a customer of typical fit leaves after a neutral buying experience:
    # KBCM median unit churn 10% a year; SaaS Capital gross dollar retention about 92% (docs/SOURCES.md Q12g)
    customer_churn: float = param(0.10, "share", "KBCM; SaaS Capital (docs/SOURCES.md Q12g)", (0.05, 0.25))
    # the churn odds grow by this factor per 0.1 of fit below the typical won deal's (poor fit leaves)
    churn_fit_odds: float = param(1.3, "x", ASSUMED, (1.1, 1.6), bounds=(1, 10))
    churn_fit_typical: float = param(0.7, "fit", ASSUMED, (0.6, 0.8))  # fit of a typical won deal (measured: 0.70)
    # the churn odds after the worst buying experience (satisfaction 0), against a neutral one; the best divides
    # them by it. No published elasticity: CEB, 53% of loyalty from the sales experience (docs/SOURCES.md Q12h)
    churn_experience_odds: float = param(1.6, "x", ASSUMED, (1.2, 2.0), bounds=(1, 10))
    # a renewing customer's contract grows by this share: SaaS Capital, net retention about 103% on gross 92%
    # at $25-50k contracts, (1.03 - 0.92) / 0.92 (docs/SOURCES.md Q12g)
    expansion_rate: float = param(0.12, "share", "SaaS Capital 2023 (docs/SOURCES.md Q12g)", (0.05, 0.2))
    # expansion after the best buying experience, against a neutral one; the worst divides it by this
    # (a poor experience expands 0.4-0.8 as much, docs/SOURCES.md Q12h: an assumption)
    expansion_experience: float = param(1.6, "x", ASSUMED, (1.25, 2.5), bounds=(1, 10))

    # the company's customers when the books open (sim/model/customers.py): about $24M of ARR, what a company
    # with this organization's bookings (about $7-11M of new ARR a year at the defaults) has when it grows
    # 25-35% a year, as SaaS companies of $10-50M revenue do (SaaS Capital; KeyBanc; docs/SOURCES.md Q14a);
    # set it to the user's ARR (assumption for the generic company)
    # (at most MAX_INSTALLED_CUSTOMERS contracts of the median deal: the scenario checks it)
    installed_base_arr: float = param(24e6, "$", ASSUMED, (10e6, 50e6), bounds=(0, 3e9))
    # an installed contract is a deal grown by a few renewals at 103-110% net retention (docs/SOURCES.md Q12g)
    installed_contract_growth: float = param(0.15, "share", ASSUMED, (0.0, 0.4))
    # recurring revenue one customer success / account manager looks after: $1-2M, a survey of about 600
    # firms averages $1.72M across 104 accounts (docs/SOURCES.md Q14a)
    arr_per_account_manager: float = param(
        1.7e6, "$", "customer-success benchmark surveys (docs/SOURCES.md Q14a)", (1e6, 3e6), bounds=(1e4, 1e9)
    )
    # introductions a customer makes a year (a neutral customer; a delighted one makes expansion_experience
    # times as many, an unhappy one that much fewer): CSO Insights 2019 has referrals at 12.9% of B2B leads
    # (docs/SOURCES.md Q13b); 0.15 a year gives the field about 10% of its first meetings (assumption)
    referrals_per_customer: float = param(0.15, "count", ASSUMED, (0.05, 0.3), bounds=(0, 10))
    account_manager_salary: float = param(110_000.0, "$/yr", ASSUMED, (80e3, 150e3), bounds=(0, 1e7))  # loaded
    # R&D and G&A, budgeted at the start as a share of the ARR: SaaS companies at IPO spend a median 26% of
    # revenue on R&D and 21% on G&A (Blossom Street Ventures, 81 IPOs; docs/SOURCES.md Q14b)
    # sales and marketing the reps, their managers and the channels' spend do not cover: marketing's people
    # and tools (only 30-40% of a marketing budget buys programmes, Gartner 2024, docs/SOURCES.md Q14c),
    # sales engineers, operations, enablement, travel; budgeted at the start as a share of the ARR. A
    # median SaaS firm of $20-30M spends 35-50% of revenue on S&M (Q14b) where the modelled part comes to
    # about 23%: assumption anchored on that gap (range 0.08-0.25)
    sales_marketing_overhead_share: float = param(0.14, "share", ASSUMED, (0.08, 0.25), bounds=(0, 1))
    other_operating_share: float = param(
        0.47, "share", "Blossom Street Ventures, SaaS IPO medians (docs/SOURCES.md Q14b)", (0.3, 0.6)
    )

    # --- organization -------------------------------------------------------
    feedback_interval_days: float = param(7.0, "days", key="feedback.interval_days", bounds=(1, 500))
    sla_hours: float = param(24.0, "bh", key="handoff.sla_hours", bounds=(0, 2000))
    conflict_resolution: float = param(0.0, "share", LEVER, derived=True)  # share of rejections reviewed, resolved

    # --- policies: choices, not numbers (sim/model/policies.py acts on them) ------
    # (param() returns a dataclasses.field; RUF009 cannot tell a Literal alias is immutable)
    inside_pay: InsidePay = param("per_lead", "choice", key="compensation.inside")  # noqa: RUF009
    field_pay: FieldPay = param("revenue", "choice", key="compensation.field")  # noqa: RUF009
    feedback: FeedbackMode = param("none", "choice", key="feedback.mode")  # noqa: RUF009
    handoff_mode: HandoffMode = param("cold", "choice", key="handoff.mode")  # noqa: RUF009
    acceptance_stage: bool = param(False, "choice", key="handoff.acceptance_stage")  # the field must accept or reject
    work_order: WorkOrder = param("oldest_first", "choice", key="inside.work_order")  # noqa: RUF009
    coverage: Coverage = param("business_hours", "choice", key="inside.coverage")  # noqa: RUF009
    nurture: NurtureMode = param("none", "choice", key="nurture.mode")  # noqa: RUF009
    scoring: Scoring = param("none", "choice", key="qualification.scoring")  # noqa: RUF009
    routing: Routing = param("round_robin", "choice", key="handoff.routing")  # noqa: RUF009

    def replace(self, **changes: Any) -> Params:
        """A copy with some parameters changed (numbers, or a choice's name: the field says which)."""
        return dataclasses.replace(self, **changes)


def _info(field: dataclasses.Field[Any]) -> ParamInfo:
    """The :class:`ParamInfo` of one field, checked: a wrong line fails at import, not in a run."""
    info = ParamInfo(name=field.name, default=field.default, **field.metadata)
    where = f"Params.{field.name}"
    if not info.source:
        raise TypeError(f"{where}: no source (a FACTS row, 'fitted: ...', LEVER, a key or 'assumption')")
    if info.kind != "choice":
        if info.bounds is None:
            raise TypeError(f"{where}: a number needs bounds")
        lo, hi = info.bounds
        if not lo <= info.default <= hi:
            raise TypeError(f"{where}: default {info.default} outside its bounds {info.describe_bounds()}")
    if info.assumed and info.low is None:
        raise TypeError(f"{where}: an assumption needs a plausible (low, high)")
    if info.low is not None and not info.low <= info.default <= info.high:
        raise TypeError(f"{where}: default {info.default} outside its plausible range ({info.low}, {info.high})")
    if info.transition not in TRANSITIONS:
        raise TypeError(f"{where}: transition {info.transition!r} is not one of {sorted(TRANSITIONS)}")
    if info.source == LEVER and not info.derived:
        raise TypeError(f"{where}: a lever's parameter is derived")
    return info


PARAM_INFO: MappingProxyType[str, ParamInfo] = MappingProxyType({f.name: _info(f) for f in fields(Params)})
PARAM_NAMES: tuple[str, ...] = tuple(PARAM_INFO)
# What ``behavior:`` may set: every parameter no scenario key owns (lever-set ones included, e.g. for calibration).
BEHAVIOR_NAMES: tuple[str, ...] = tuple(name for name, info in PARAM_INFO.items() if info.overridable)


MAX_INSTALLED_CUSTOMERS = 100_000  # an installed base is simulated contract by contract


class BehaviorError(ValueError):
    """A ``behavior:`` override the model cannot take; ``name`` says which, ``problem`` why."""

    def __init__(self, name: str, problem: str) -> None:
        self.name = name if name.isprintable() else repr(name)
        self.problem = problem
        super().__init__(f"{self.name} {problem}")


def check_behavior_overrides(values: dict[str, float]) -> None:
    """Check ``behavior:`` overrides against the parameters' metadata.

    Raises:
        BehaviorError: naming the first unknown, scenario-owned or out-of-bounds
            override, with the parameter's unit and allowed range.
    """
    for name, value in values.items():
        info = PARAM_INFO.get(name)
        if info is None:
            close = difflib.get_close_matches(name, BEHAVIOR_NAMES, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise BehaviorError(name, f"is not a behaviour parameter; {hint}see `salesim show <scenario>` for the list")
        if info.key is not None:
            raise BehaviorError(name, f"is set by the scenario key {info.key}; change that key, not behavior:")
        if info.bounds is None:  # a choice: every one is a scenario key's, refused above
            raise BehaviorError(name, "is a choice; set it by its scenario key")
        lo, hi = info.bounds
        if not lo <= value <= hi:  # also refuses nan
            raise BehaviorError(name, f"must lie in {info.describe_bounds()}, got {format_number(value)}")


def params_to_dict(params: Params) -> dict[str, float | str | bool]:
    """Plain mapping of every behaviour parameter (for manifests and ``show``)."""
    return {name: getattr(params, name) for name in PARAM_NAMES}
