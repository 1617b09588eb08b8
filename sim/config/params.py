"""Behaviour parameters: every number the model uses, stated once, each with its source.

Every number lives in :class:`Params`, one line each, with where it comes
from: a row of docs/FACTS.md (section and source) or the word "assumption".
:func:`sim.config.levers.derive` maps a scenario's levers onto these
parameters; a scenario's ``behavior:`` section overrides any of them by name.

Time is in working hours (8 a working day, 250 working days a year). The
published response-time facts are in calendar hours; we read "24 h later" as
"one working day later" (8 working hours), see docs/MODEL.md.
"""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass, fields
from typing import Literal

# The policy choices a scenario makes (the schema and the model's policies use these names).
InsidePay = Literal["per_lead", "per_opportunity", "revenue", "hybrid"]
FieldPay = Literal["revenue", "margin"]
FeedbackMode = Literal["none", "periodic", "continuous"]
HandoffMode = Literal["warm", "cold"]
Routing = Literal["round_robin", "least_loaded", "territory", "cherry_pick"]

HOURS_PER_DAY = 8.0  # working hours in a working day (assumption: one shift)
DAYS_PER_YEAR = 250.0  # working days in a year (assumption)


@dataclass(frozen=True, slots=True)
class Params:
    """Behaviour parameters of one run. Defaults are the calibrated market and org."""

    # --- market: prospects -------------------------------------------------
    inbound_per_day: float = 40.0  # inbound inquiries a working day (scenario market key)
    deal_value_median: float = 30_000.0  # $; Bridge Group 2017: SaaS deals $25-35k (FACTS 2)
    deal_value_sigma: float = 0.6  # lognormal spread of deal size (assumption)
    fit_a: float = 2.2  # Beta(a, b) true fit of inbound prospects, mean 0.44 (assumption)
    fit_b: float = 2.8
    intent_a: float = 3.0  # Beta(a, b) buying intent at the inquiry, mean 0.6 (assumption)
    intent_b: float = 2.0
    outbound_fit_a: float = 2.0  # inside outbound prospects: targeted lists, mean fit 0.44 (assumption)
    outbound_fit_b: float = 2.5
    outbound_intent_a: float = 1.5  # outbound prospects were not looking: lower intent (assumption)
    outbound_intent_b: float = 3.0
    field_fit_a: float = 2.5  # field self-sourced: reps pick accounts they know, mean 0.5 (assumption)
    field_fit_b: float = 2.5
    field_intent_a: float = 2.0
    field_intent_b: float = 3.0
    reputation_effect: float = 0.0  # inbound volume loss per point of satisfaction below 50 (optional)
    reputation_window: float = 500.0  # latest leads whose satisfaction makes the reputation
    reputation_min_leads: float = 100.0  # reputation counts once this many prospects have an opinion (assumption)

    # --- response-time decay ("the short life of online sales leads") ------
    # g(t) = (1 + t / decay_scale_hours) ** -decay_exponent multiplies the chance
    # to reach and to qualify a prospect t working hours after the inquiry.
    # Fitted by scripts/calibrate.py (a grid over scale, exponent, agree_interest) to
    # Oldroyd et al., HBR 2011: within 1 h ~7x as likely to qualify as an hour
    # later, >60x vs 24 h or later (FACTS 1).
    decay_scale_hours: float = 1.0
    decay_exponent: float = 2.1
    contact_floor: float = 0.03  # reach that does not decay; retries add <= +70% contacts (FACTS 1)
    contact_max: float = 0.95  # chance an immediate attempt reaches the prospect (assumption)
    wait_decay_hours: float = 40.0  # intent half-life while a qualified lead waits for the field,
    # in working hours (assumption: a week of silence loses half the interest)
    agree_interest: float = 0.25  # interest at which a reached prospect engages; fitted with the decay
    lapse_intent: float = 0.06  # below this intent the prospect has moved on (assumption)

    # --- inside reps --------------------------------------------------------
    attempt_hours: float = 0.1  # one dial / email that does not connect (assumption: 6 min)
    conversation_hours: float = 0.4  # one qualifying conversation (assumption: 25 min)
    decline_share: float = 0.5  # a prospect who declines takes this share of a conversation
    max_attempts: float = 6.0  # InsideSales 2007: 6+ attempts give up to 70% more contacts (FACTS 1)
    retry_gap_hours: float = 2.5  # gap after the first failed attempt (assumption)
    retry_gap_growth: float = 1.6  # each further gap is this much longer (assumption)
    warm_handoff_hours: float = 0.25  # inside time for a warm handoff call (assumption)
    field_max_attempts: float = 2.0  # a field rep answering an inquiry tries this often (assumption)
    abandon_hours: float = 40.0  # leads untouched this long leave the queue (assumption: a week)
    prospecting_block_hours: float = 0.5  # outbound work between two looks at the inbound queue
    outbound_conversations_per_hour: float = 0.3  # cold outreach (assumption: ~50 dials/day, 4% connect)
    inside_hours_share: float = 0.85  # share of the day spent selling, rest admin (assumption)
    lead_routing_hours: float = 2.0  # inquiry -> visible in an inside rep's queue (see derive)
    inside_fit_noise: float = 0.18  # s.d. of an inside rep's reading of fit (assumption)
    inside_threshold: float = 0.45  # mean qualification bar set by the standard (see derive)
    inside_bar_shift: float = 0.0  # pull of pay and reporting line on the bar (see derive)
    inside_threshold_sd: float = 0.04  # spread of the bar across reps (see derive)
    product_knowledge: float = 0.5  # 0-1, from training (see derive)
    selling_skill: float = 0.5  # 0-1, from training (see derive)
    knowledge_noise_cut: float = 0.6  # full knowledge cuts fit-reading noise by 60% (assumption)
    skill_contact_gain: float = 0.6  # full selling skill raises reach/conversation chance 60% (assumption)
    informal_feedback: float = 0.0  # share of field verdicts passed on informally (see derive)
    shared_priority_hours: float = 1.5  # shared pool: a smaller team's inquiries wait up to this long
    # behind the largest team's (its manager pushes hardest; assumption)
    learning_rate: float = 0.02  # bar moves this share toward the field's per feedback item (assumption)
    learning_noise_floor: float = 0.5  # feedback can cut fit-reading noise to half at most (assumption)
    inside_ramp_days: float = 60.0  # new inside rep reaches full productivity (assumption: ~3 months)
    inside_ramp_floor: float = 0.3  # productivity of a rep on day one (assumption)
    inside_tenure_days: float = 294.0  # ~14 months (Bridge Group / TOPO, FACTS 3)
    hiring_days: float = 30.0  # vacancy before a replacement starts (assumption)

    # --- field reps ---------------------------------------------------------
    field_threshold: float = 0.5  # fit a field rep wants before spending time (assumption)
    field_threshold_sd: float = 0.05  # spread of field bars (see derive: shared standard narrows it)
    field_fit_noise: float = 0.12  # field reading of fit from the handoff record (assumption)
    warm_noise_cut: float = 0.5  # a warm handoff halves the field's reading noise (assumption)
    initial_trust: float = 0.5  # field trust in inside-sourced leads (see derive)
    trust_learning: float = 0.05  # trust moves this share toward each lead's quality (assumption)
    trust_prior_weight: float = 0.3  # weight the field keeps on its initial stance (assumption)
    followup_hours: float = 24.0  # natural delay to look at a handed-off lead (assumption: 3 days)
    sla_compliance: float = 0.3  # chance a lead is acted on within the SLA (see derive)
    ignore_propensity: float = 0.6  # chance a doubted lead is left untouched (see derive)
    meeting_lead_hours: float = 12.0  # accepted -> first meeting (assumption: 1.5 days)
    notes_completeness: float = 0.4  # handoff context; 1 - chance of repeat questions (see derive)
    opp_hours_per_day: float = 0.18  # daily selling time one open opportunity takes (assumption)
    meeting_hours: float = 1.0  # a first meeting (assumption)
    review_hours: float = 0.25  # reading a handed-off lead and deciding (assumption)
    field_capacity: float = 20.0  # open opportunities a rep can work well (assumption)
    pipeline_target: float = 15.0  # open opportunities a rep aims to hold (assumption)
    field_leads_per_hour: float = 0.2  # self-prospecting yield (assumption: a meeting per 5 hours)
    self_prospect_when_supported: float = 0.6  # prospecting drive with inside support and full trust
    field_skill: float = 0.6  # mean field selling skill (assumption)
    field_skill_sd: float = 0.1  # spread of skill across field reps (assumption)
    load_delay_base: float = 0.5  # field delays scale with (load_delay_base + load) (assumption)
    distrust_delay: float = 1.5  # natural delays scale with (distrust_delay - trust) (assumption)
    late_review_floor: float = 0.5  # a review that misses the SLA waits this share of it first
    cherry_pick_small: float = 2.5  # cherry-picking: ignore chance x this for a below-median deal
    cherry_pick_large: float = 0.4  # ... and x this for an above-median deal (assumption)

    # --- opportunities and deals ---------------------------------------------
    opp_base: float = 0.5  # chance a first meeting becomes an opportunity at fit 0.5, intent 0.5
    opp_fit_slope: float = 6.0  # logistic slope of that chance in fit (assumption)
    opp_intent_slope: float = 2.0  # logistic slope of that chance in remaining intent (assumption)
    stages: float = 4.0  # discovery, solution, proposal, negotiation (assumption)
    stage_days_shape: float = 2.0  # gamma shape of a stage's length in days (assumption: mode > 0, right tail)
    cycle_days: float = 66.0  # mean won cycle; median lands in Bridge Group 2017 60-72 days (FACTS 2)
    win_logit: float = -1.83  # fitted to a 21.5% win rate, Winning by Design 2023 17-26% (FACTS 2)
    win_fit: float = 3.0  # logit per unit of fit above 0.5 (assumption)
    win_intent: float = 1.5  # logit per unit of remaining intent above 0.5 (assumption)
    win_skill: float = 1.5  # logit per unit of rep skill above 0.5 (assumption)
    win_repeat: float = 0.35  # logit lost when the prospect repeats themselves (assumption; FACTS 5)
    win_discount: float = 3.0  # logit per unit of discount (assumption)
    win_overload: float = 1.0  # logit lost per unit of load above capacity (assumption)
    discount_mean: float = 0.10  # mean discount (see derive: revenue pay discounts more)

    # --- satisfaction (0-100, starts at 50; directions from FACTS 5) -------
    sat_start: float = 50.0
    sat_fast_response: float = 10.0  # first attempt within fast_response_hours (assumption)
    sat_slow_response: float = -10.0  # first attempt slow_response_hours or more later (assumption)
    fast_response_hours: float = 1.0  # "within the hour": Oldroyd et al., HBR 2011 (FACTS 1)
    slow_response_hours: float = 8.0  # a working day: HBR 2011's "24 h or later", read as working time
    sat_never_called: float = -20.0  # asked for contact, never heard back (assumption)
    sat_knowledge: float = 20.0  # x (knowledge - 0.5) at each conversation (assumption)
    sat_repeat: float = -12.0  # asked the same questions twice; 69% report it (Kana 2013, FACTS 5)
    sat_dropped: float = -25.0  # promised a follow-up, then ignored (assumption)
    sat_rejected: float = -10.0  # bounced back to nurture (assumption)
    sat_late_per_day: float = -3.0  # per working day the field is late past the SLA (assumption)
    sat_won: float = 20.0
    sat_lost: float = -5.0
    sat_disqualified: float = -2.0

    # --- money (loaded annual $ unless stated) ------------------------------
    inside_salary: float = 65_000.0  # SDR base, loaded (assumption; Bridge Group ranges)
    field_salary: float = 120_000.0  # AE base, loaded (assumption)
    manager_salary: float = 160_000.0  # first-line manager, loaded (assumption)
    reps_per_manager: float = 8.0  # ~8 inside reps per manager (Bridge Group; TOPO, FACTS 3)
    pay_per_lead: float = 60.0  # $ per qualified lead handed off (per_lead plan; assumption)
    pay_per_opportunity: float = 250.0  # $ per opportunity created (per_opportunity; assumption)
    inside_revenue_rate: float = 0.02  # share of revenue from own leads (revenue plan; assumption)
    field_revenue_rate: float = 0.10  # field commission on revenue (assumption)
    field_margin_rate: float = 0.16  # field commission on margin (assumption)
    cost_of_goods: float = 0.30  # share of list value that is cost, for margin (assumption)
    hybrid_share: float = 0.5  # hybrid plan: this share of each of per-opportunity and revenue pay

    # --- organization -------------------------------------------------------
    feedback_interval_days: float = 7.0
    sla_hours: float = 24.0
    conflict_resolution: float = 0.0  # share of rejections reviewed and resolved (see derive)

    # --- policies: choices, not numbers (sim/model/policies.py acts on them) ------
    inside_pay: InsidePay = "per_lead"  # compensation.inside
    field_pay: FieldPay = "revenue"  # compensation.field
    feedback: FeedbackMode = "none"  # feedback.mode
    handoff_mode: HandoffMode = "cold"  # handoff.mode
    acceptance_stage: bool = False  # handoff.acceptance_stage: the field must accept or reject
    routing: Routing = "round_robin"  # handoff.routing

    def replace(self, **changes: float) -> Params:
        """A copy with some parameters changed."""
        return dataclasses.replace(self, **changes)


PARAM_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Params))

# Parameters that are probabilities or shares and must lie in [0, 1].
PROBABILITIES = frozenset(
    {
        "contact_floor",
        "contact_max",
        "lapse_intent",
        "inside_hours_share",
        "inside_threshold",
        "product_knowledge",
        "selling_skill",
        "knowledge_noise_cut",
        "learning_rate",
        "learning_noise_floor",
        "field_threshold",
        "warm_noise_cut",
        "initial_trust",
        "trust_learning",
        "sla_compliance",
        "ignore_propensity",
        "notes_completeness",
        "self_prospect_when_supported",
        "field_skill",
        "opp_base",
        "discount_mean",
        "reputation_effect",
        "inside_revenue_rate",
        "field_revenue_rate",
        "field_margin_rate",
        "cost_of_goods",
        "conflict_resolution",
        "inside_ramp_floor",
        "decline_share",
        "late_review_floor",
        "hybrid_share",
        "informal_feedback",
        "trust_prior_weight",
    }
)

# Derived from levers; overriding them would contradict the scenario's levers.
DERIVED_ONLY = frozenset(
    {
        "inside_pay",
        "field_pay",
        "feedback",
        "feedback_interval_days",
        "handoff_mode",
        "acceptance_stage",
        "sla_hours",
        "routing",
        "inbound_per_day",
        "deal_value_median",
        "deal_value_sigma",
        "reputation_effect",
    }
)


def check_behavior_overrides(values: dict[str, float]) -> None:
    """Raise ValueError naming the first unknown or out-of-range behaviour override."""
    for name, value in values.items():
        if name not in PARAM_NAMES or name in DERIVED_ONLY:
            allowed = [n for n in PARAM_NAMES if n not in DERIVED_ONLY]
            close = difflib.get_close_matches(name, allowed, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise ValueError(f"{name} is not a behaviour parameter; {hint}see `salesim show <scenario>` for the list")
        if value != value or abs(value) == float("inf"):
            raise ValueError(f"{name} must be a finite number")
        if name in PROBABILITIES and not 0.0 <= value <= 1.0:
            raise ValueError(f"{name} is a share and must lie in [0, 1], got {value}")
        signed = name.startswith(("sat_", "win_")) or name == "inside_bar_shift"
        if not signed and value < 0:
            raise ValueError(f"{name} must be >= 0, got {value}")


def params_to_dict(params: Params) -> dict[str, float | str | bool]:
    """Plain mapping of every behaviour parameter (for manifests and ``show``)."""
    return {name: getattr(params, name) for name in PARAM_NAMES}
