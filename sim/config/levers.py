"""Management levers -> behaviour parameters: what each lever setting does, and why.

Each table maps one lever's setting to the parameters it moves (its source, or
"assumption" with a range, is stated with the lever in sim/config/registry.py);
:func:`derive` copies the scenario values ``Params`` reads as they are (its
fields with ``key=``), applies the tables, then the scenario's ``behavior:``
overrides.
"""

from __future__ import annotations

from typing import Any

from sim.config.params import DAYS_PER_YEAR as _year
from sim.config.params import PARAM_INFO, Params
from sim.config.registry import evidence, read
from sim.config.scenario import Scenario

# ------------------------------------------------------------------ the levers
#
# Each table maps one lever's setting to the parameters it moves, and why.

# qualification.standard_set_by -> (mean inside bar, spread across reps, field-bar spread).
# A joint definition puts inside on the field's bar with little spread; Marketing
# sets a volume (MQL) bar; with no standard every rep keeps a bar of its own.
# Kotler et al. 2006 "Defined" stage: shared rules, e.g. what a lead is (FACTS 4).
STANDARD = {
    "joint": (0.50, 0.02, 0.02),  # shared definition = the field's bar
    "sales": (0.53, 0.03, 0.03),  # sales-ready, a little stricter than needed
    "marketing": (0.36, 0.04, 0.06),  # volume bar (MQL), field bars untouched
    "none": (0.40, 0.12, 0.08),  # every rep their own bar (assumption)
}

# compensation.inside -> shift of the bar. Paid per lead -> pass weak leads
# (TOPO 2016: 53% of plans pay on qualified opportunities, FACTS 3).
INSIDE_PAY_SHIFT = {"per_lead": -0.10, "per_opportunity": 0.0, "revenue": 0.03}
# hybrid pays part per opportunity, part on revenue (Params.hybrid_share of each):
# the bar follows the mix of what the rep is paid for
INSIDE_PAY_SHIFT["hybrid"] = (INSIDE_PAY_SHIFT["per_opportunity"] + INSIDE_PAY_SHIFT["revenue"]) / 2

# compensation.inside -> the inside quota when the scenario sets none, on the plan's own metric,
# set bottom-up as capacity planners set them: 20 qualified leads a month handed off, or, paid on
# opportunities or revenue, about 12 opportunities from their leads a month, what this company's inside
# reps deliver (about 55-65% of `defined`'s and `aligned`'s make it). TOPO 2017 has 18+ SQLs a month
# for leading teams (docs/SOURCES.md Q12d).
INSIDE_QUOTA = {"per_lead": 240.0, "per_opportunity": 140.0, "revenue": 140.0, "hybrid": 140.0}

# compensation.field -> mean discount given to close. Revenue-paid reps buy
# deals with price; margin-paid reps protect it. Bain (Kermisch): revenue-only
# pay closed "most deals at the lowest permissible margin", and realigned
# incentives added 300 basis points at once; margin pay, about 0.6x the
# discount (0.4-0.8x; theory: Weinberg 1975, Bhardwaj 2001; docs/SOURCES.md Q11d).
FIELD_DISCOUNT = {"revenue": 0.12, "margin": 0.08}

# organization.inside_reports_to -> bar drift. Under Marketing the bar drifts
# toward volume, under Sales toward sales-readiness (assumption; Bridge Group
# 2021: 68% report to Sales, FACTS 3).
REPORTS_TO_SHIFT = {"marketing": -0.04, "sales": 0.02}

# organization.inside_reports_to -> (knowledge, skill) picked up on the job from
# the host organization, whoever runs the formal training: Marketing teaches
# the product and the messaging, Sales teaches selling (assumption).
REPORTS_TO_TRAINING = {"marketing": (0.08, 0.0), "sales": (0.0, 0.08)}

# training.owner -> what the formal training teaches: (share of its hours on the product, how well it
# teaches the product, how well it teaches selling). Marketing knows the product and the messaging and
# teaches selling second-hand; Sales the reverse; a joint programme has each taught by those who know it;
# nobody means no formal training (learning on the job only). Not outcomes: the reps' knowledge and skill
# follow from the hours, the learning curve and forgetting (sim/model/inside.py, Training).
TRAINING_CONTENT = {
    "none": (0.5, 0.0, 0.0),
    "marketing": (0.75, 1.0, 0.5),
    "sales": (0.25, 0.5, 1.0),
    "joint": (0.5, 1.0, 1.0),
}
# training.focus -> a shift of the share of hours on the product
TRAINING_FOCUS = {"product": 0.25, "selling": -0.25, "both": 0.0}

# organization.structure -> (initial trust, informal feedback, handoff-notes bonus, shared calendar).
# One team shares goals, a floor, a record and a calendar: the field starts out trusting inside's
# leads (shared goals and identity), tells them informally what it thought of them, reads the same
# CRM record with the inside rep's notes, and the inside rep books the first meeting in the field
# rep's calendar during the qualifying call, so the handoff's latency is the calendar's, not a
# review queue's (assumption; Homburg et al. 2008: strong structural links, FACTS 4; SOURCES Q13e).
# How fast an inquiry reaches a rep (routing, CRM batches) is the company's, not the structure's
# (Params.lead_routing_hours, crm_sync_hours).
STRUCTURE = {"one_team": (0.70, 0.4, 0.07, 1.0), "two_teams": (0.40, 0.0, 0.0, 0.0)}

# organization.management -> (SLA pressure if enforced, conflict resolution,
# ignore multiplier, biggest team first). One manager over both teams can enforce
# an SLA, settle disputed leads and sees leads dropped between the teams; under two
# managers a shared inside pool yields to the field manager who pushes hardest, the
# biggest team's (assumption).
MANAGEMENT = {"one_manager": (0.92, 0.8, 0.6, 0.0), "two_managers": (0.70, 0.2, 1.0, 1.0)}

# organization.management -> the leaders above the first-line managers: one head of sales over
# both teams, or a head of each (Params.head_salary each); a company with one team has one head.
HEADS = {"one_manager": 1.0, "two_managers": 2.0}

# organization.inside_shared_across_teams -> (trust bonus, notes bonus) of a
# dedicated pool: "our own" inside reps know the team's accounts (assumption).
DEDICATED = {False: (0.10, 0.05), True: (0.0, 0.0)}
SLA_PRESSURE_UNENFORCED = 0.25  # an unenforced SLA is a wish (assumption)

# handoff.mode -> notes completeness. A warm handoff (a call with both reps)
# passes the context; a cold one is a CRM record (assumption; Kana 2013 69%
# of customers had to repeat themselves, FACTS 5).
NOTES = {"warm": 0.88, "cold": 0.35}

# handoff.acceptance_stage -> how often a doubted lead is silently ignored. Without
# a decision due, reps leave leads they doubt: 70% of marketing's leads are never
# pursued, and reps explain it by doubting their quality (Sabnis et al. 2013, J. Marketing;
# Aberdeen 2008: 60-70%; docs/SOURCES.md Q11b). A decision due makes it rare (assumption).
IGNORE = {True: 0.05, False: 0.6}

# Where each table above comes from and how far it could plausibly be off: the source, or
# "assumption" with the range its values could take, stated with the lever that drives the table
# in sim/config/registry.py (docs/MODEL.md, Levers).
EVIDENCE = evidence()


def _clip(x: float, lo: float = 0.0, hi: float = 1.0) -> float:
    return min(hi, max(lo, x))


# Word of mouth (market.reputation_effect unset): a market that heard from dissatisfied prospects
# sends fewer inquiries, at most this share fewer at satisfaction 0. No published figure ties B2B
# inbound to reputation (docs/SOURCES.md Q12h): an assumption, range 0-0.4. It takes more than a
# year to spread, so runs of a year or less leave it off and their effects are the levers' own.
REPUTATION_MULTI_YEAR = 0.2


def _reputation(scenario: Scenario) -> float:
    effect = scenario.market.reputation_effect
    if effect is not None:
        return effect
    return REPUTATION_MULTI_YEAR if scenario.simulation.days > _year else 0.0


def scenario_values(scenario: Scenario) -> dict[str, Any]:
    """The parameters that copy a scenario key (``param(key=...)``), by name, with that key's value.

    A whole number goes into a parameter whose default is a float as a float, so a parameter has one type.
    """
    values = {}
    for name, info in PARAM_INFO.items():
        if info.key is not None:
            value = read(scenario, info.key)
            as_float = isinstance(info.default, float) and isinstance(value, int) and not isinstance(value, bool)
            values[name] = float(value) if as_float else value
    return values


def derive(scenario: Scenario) -> Params:
    """Map a scenario's levers onto behaviour parameters, then apply ``behavior:``.

    Args:
        scenario: a validated scenario.

    Returns:
        The behaviour parameters of a run of that scenario.
    """
    org, q, h = scenario.organization, scenario.qualification, scenario.handoff
    pay, tr = scenario.compensation, scenario.training

    bar, bar_sd, field_sd = STANDARD[q.standard_set_by]
    product_share, product_quality, selling_quality = TRAINING_CONTENT[tr.owner]
    hk, hs = REPORTS_TO_TRAINING[org.inside_reports_to]
    trust, informal, notes_crm, calendar = STRUCTURE[org.structure]
    compliance_enforced, resolution, ignore_factor, team_priority = MANAGEMENT[org.management]
    trust_dedicated, notes_dedicated = DEDICATED[org.inside_shared_across_teams]
    notes = NOTES[h.mode] + notes_crm + notes_dedicated

    params = Params(
        **scenario_values(scenario),
        inside_quota=pay.inside_quota if pay.inside_quota is not None else INSIDE_QUOTA[pay.inside],
        department_heads=HEADS[org.management] if org.inside_reps and org.field_reps else 1.0,
        reputation_effect=_reputation(scenario),
        inside_threshold=_clip(bar),
        inside_bar_shift=INSIDE_PAY_SHIFT[pay.inside] + REPORTS_TO_SHIFT[org.inside_reports_to],
        inside_threshold_sd=bar_sd,
        field_threshold_sd=field_sd,
        training_given=0.0 if tr.owner == "none" else 1.0,
        training_product_share=_clip(product_share + TRAINING_FOCUS[tr.focus]),
        training_product_quality=product_quality,
        training_selling_quality=selling_quality,
        host_knowledge=hk,
        host_skill=hs,
        initial_trust=_clip(trust + trust_dedicated),
        informal_feedback=informal,
        shared_calendar=calendar,
        team_priority=team_priority,
        sla_pressure=compliance_enforced if h.sla_enforced else SLA_PRESSURE_UNENFORCED,
        ignore_propensity=IGNORE[h.acceptance_stage] * (0.5 if h.sla_enforced else 1.0) * ignore_factor,
        notes_completeness=_clip(notes),
        discount_mean=FIELD_DISCOUNT[pay.field],
        conflict_resolution=resolution,
    )
    return params.replace(**scenario.behavior) if scenario.behavior else params
