"""The field teams as a component: their reps, who gets a lead, and what happens to a leaver's book.

Each team is a territory with its seats (:class:`~sim.model.field.FieldRep`);
a seat is refilled when its rep leaves. Leads are routed among the reps in post
by the routing policy; a leaver's or a mover's open leads and deals go to the
freest teammate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.model.clock import HOURS_PER_CALENDAR_DAY
from sim.model.component import Component
from sim.model.field import FieldRep
from sim.model.leads import Lead, State
from sim.model.market import Exponentials

if TYPE_CHECKING:
    from sim.config.params import Params
    from sim.config.registry import Organization
    from sim.config.scenario import Move
    from sim.model.services import FieldServices

# a leaving field rep's leads in these states go to a teammate (field-only inquiries not yet
# answered, handoffs not yet reviewed, first meetings booked, open deals)
REASSIGNED_STATES = frozenset({State.NEW, State.ATTEMPTING, State.HANDED_OFF, State.ACCEPTED, State.OPPORTUNITY})


class FieldTeams(Component):
    """The field sales teams.

    Args:
        org: the organization (the services field reps use).
        section: the scenario's ``organization``.

    Attributes:
        names: the teams' names, in the scenario's order.
        reps: every field seat, in the order of hire.
        by_team: each team's seats.
        by_id: seat by Mesa id (seats are refilled, never replaced).
        gaps: exponential gaps between the leads a rep finds prospecting (at rate 1).
        reassigned: open leads and deals moved to a teammate when their rep left or moved.
    """

    STREAMS = (*FieldRep.STREAMS, "field.prospecting_gaps", "field.reassign", "org.pipeline")
    TALLIES = ("reassigned",)
    KPIS = (
        "deals_won", "win_rate", "opportunities", "pipeline_value", "field_hours_wasted", "field_trust",
        "field_utilisation", "field_overbooked_share", "open_opportunities_per_rep", "leads_returned_for_capacity",
        "field_quits", "leads_reassigned", "mean_discount", "deals_pulled_in", "quarter_end_discount_cost",
        "meeting_no_show_share",
    )  # fmt: skip
    PARAMS = (
        "deal_value_sigma", "pipeline_coverage", "no_show_inbound", "no_show_cold", "no_show_referral",
        "no_show_warm_odds", "no_show_weekly_odds", "reschedule_share", "sat_never_called",
        "field_threshold", "field_threshold_sd", "field_skill", "field_skill_sd", "field_attrition",
        "field_hiring_days", "field_onboarding_days", "field_ramp_floor", "move_ramp_loss", "field_leads_per_hour",
        "notes_completeness", "sat_repeat", "stages", "cycle_days", "field_capacity", "initial_trust",
        "attempt_hours", "conflict_resolution", "conversation_hours", "cycle_size_elasticity", "deal_value_median",
        "discount_mean", "distrust_delay", "field_fit_noise", "field_max_attempts", "field_quota",
        "field_selling_hours_week", "followup_hours", "hours_load_memory_days", "ignore_propensity",
        "inquiry_response_factor", "lapse_intent", "load_delay_base", "loss_no_decision_share", "loss_price_share",
        "meeting_hours", "meeting_lead_hours", "meeting_prep_hours", "opp_base", "opp_fit_slope",
        "opp_hours_per_day", "opp_intent_slope", "pipeline_target", "promise_hours", "pull_in_discount",
        "pull_in_window_days", "review_hours", "sat_disqualified", "sat_dropped", "sat_late_per_day", "sat_lost",
        "sat_rejected", "sat_won", "self_prospect_when_supported", "sla_deadline_share", "sla_hours",
        "sla_pressure", "stage_days_shape", "triage_slope", "triage_value_weight", "trust_learning",
        "trust_prior_weight", "win_discount", "win_fit", "win_intent", "win_logit", "win_overload", "win_repeat",
        "win_skill", "field_pay", "field_variable_pay", "accelerator", "cost_of_goods", "effort_elasticity",
        "effort_reference_rate", "effort_stretch_max", "attrition_attainment_slope", "attrition_reference_attainment",
        "pip_attainment", "pip_exit_share",
    )  # fmt: skip

    def __init__(self, org: FieldServices, section: Organization) -> None:
        self.org = org
        self.section = section
        self.names = [t.name for t in section.field_teams]
        self.gaps = Exponentials(org.streams["field.prospecting_gaps"])
        self.reps: list[FieldRep] = []
        self.by_team: list[list[FieldRep]] = []
        self.by_id: dict[int, FieldRep] = {}
        self.reassigned = 0

    def staff(self) -> None:
        """Fill every team's seats with reps at the organization's tenure mix (once the organization is wired)."""
        for i, team in enumerate(self.section.field_teams):
            reps = [FieldRep(self.org, i) for _ in range(team.field_reps)]
            self.by_team.append(reps)
            self.reps.extend(reps)
        self.by_id = {rep.unique_id: rep for rep in self.reps}

    def hire(self, team: int, n: int) -> None:
        """``n`` new field reps on their first day in ``team`` (a ``timeline`` hire)."""
        for _ in range(n):
            rep = FieldRep(self.org, team, days_employed=0.0)
            rep.hires += 1
            self.by_team[team].append(rep)
            self.reps.append(rep)
            self.by_id[rep.unique_id] = rep

    def refresh(self, old: Params, new: Params) -> None:
        """Every field rep's bar, skill and prospecting pace under the new levers."""
        for rep in self.reps:
            rep.refresh(old, new)

    # ------------------------------------------------------------ the day
    def start_day(self, day: int) -> None:
        """Reps leave (their book goes to teammates) or are replaced."""
        for rep in self.reps:
            if rep.quit_or_stay(day):
                self.reassign(rep)

    def prospect(self, day: int) -> None:
        """A working day's own prospecting of every rep."""
        for rep in self.reps:
            rep.prospect(day)

    def end_day(self) -> None:
        """A day served: tenure grows."""
        for rep in self.reps:
            rep.days_employed += 1
            rep.days_selling += rep.in_post
            rep.quarter_days += rep.in_post

    def move_trust(self, step: float) -> None:
        """A working day of a habit: every rep's trust a step towards its new level."""
        for rep in self.reps:
            rep.trust = min(1.0, max(0.0, rep.trust + step))

    # ------------------------------------------------------------ leads
    def route(self, lead: Lead) -> FieldRep | None:
        """Pick the field rep for a lead by the routing rule among the reps in post (see docs/MODEL.md).

        With nobody in post anywhere (every seat empty or in training), the team's seats
        take it and the manager covers them, as with a leaver's book; None only without
        any field seat.
        """
        team = self.by_team[lead.team]
        reps = [r for r in team if r.in_post] or [r for r in self.reps if r.in_post] or team or self.reps
        return self.org.router.pick(lead, reps) if reps else None

    def answer(self, lead: Lead) -> None:
        """An inquiry in a territory without inside reps: a field rep answers it, when they get to it."""
        rep = self.route(lead)
        if rep is None:
            return  # nobody at all to answer: stays new
        rep.pending += 1  # the router sees the inquiry as load at once
        lead.field_rep = rep.unique_id
        org = self.org
        org.calendar.add(org.clock.after(lead.created_at, rep.inquiry_delay()), rep.respond, lead)

    def reassign(self, leaver: FieldRep) -> None:
        """A field rep left: their open leads and deals go to the freest teammate in post.

        The prospect meets somebody new mid-deal: unless the notes carry the
        context (``notes_completeness``), they are asked the same questions again
        (``sat_repeat``; the deal then wins less, ``win_repeat``). That is the loss
        Shi et al. 2017 measure when a rep's customers are reassigned (docs/MODEL.md,
        "Field attrition"). With nobody in post, the seat keeps its book and the
        manager covers it until the new hire starts.
        """
        team = [r for r in self.by_team[leaver.team] if r.in_post and r is not leaver]
        heirs = team or [r for r in self.reps if r.in_post and r is not leaver]
        if not heirs:
            return
        p = self.org.params
        luck = self.org.streams["field.reassign"]
        for lead in self.org.book.measured():  # leads closed in the warm-up can hold nothing open
            if lead.field_rep != leaver.unique_id or lead.state not in REASSIGNED_STATES:
                continue
            # the freest for their experience: a rep still ramping takes less of a leaver's book
            heir = min(heirs, key=lambda r: ((r.open_opps + r.pending + r.booked) / r.ramp, r.unique_id))
            lead.field_rep = heir.unique_id
            self.reassigned += 1
            if lead.state is State.OPPORTUNITY:
                leaver.open_opps -= 1
                heir.open_opps += 1
                if luck.random() > p.notes_completeness and not lead.repeated:
                    lead.repeated = True
                    lead.feel(p.sat_repeat)
            elif lead.state is State.ACCEPTED:
                leaver.booked -= 1
                heir.booked += 1
            else:  # handed off and not yet reviewed, or a field-only inquiry not yet answered
                leaver.pending -= 1
                heir.pending += 1

    def move(self, move: Move) -> None:
        """Field reps change teams (``timeline`` move): vacancies first, then the lightest books.

        A manager moves the seats that cost least to move: an open requisition moves with
        nothing to hand over; a rep in post leaves their open leads and deals with their old
        team (reassigned as a leaver's are, with the same loss where the notes do not carry),
        and loses part of their ramp in the new territory (:meth:`FieldRep.move_to`).
        """
        source, target = self.names.index(move.from_team), self.names.index(move.to)
        seats = [rep for rep in self.by_team[source] if not rep.closed]
        seats.sort(key=lambda r: (r.active, r.open_opps + r.pending + r.booked, r.unique_id))
        for rep in seats[: move.field_reps]:
            if rep.active:
                self.reassign(rep)
                rep.move_to(target)
            else:
                rep.team = target  # the open requisition moves; the hire starts in the new team
            self.by_team[source].remove(rep)
            self.by_team[target].append(rep)

    def take_over_pipeline(self, path: str) -> None:
        """Start from a company's open pipeline (``pipeline:``, written by ``salesim fit`` from its export).

        The deals in flight after the warm-up become the export's open opportunities: as many
        (the warm-up's extra deals are closed in a pipeline review before the books open; the
        missing ones are opened, with the least-loaded reps in post, at the stage their age
        reaches), and with the export's amounts. The table has a row per open opportunity:
        ``amount`` and ``age_days`` (since it was opened, at the export's date).
        """
        import pandas as pd

        org = self.org
        table = pd.read_parquet(path)
        rng = org.streams["org.pipeline"]
        rows = table.iloc[rng.permutation(len(table))].reset_index(drop=True)
        now = org.day * HOURS_PER_CALENDAR_DAY
        open_deals = [lead for lead in org.book if lead.state is State.OPPORTUNITY]
        for lead in open_deals[len(rows) :]:  # more deals in flight than the company has: reviewed out
            lead.loss_reason = "pipeline review"
            self.by_id[lead.field_rep].lose_deal(lead, now)
        reps = [rep for rep in self.reps if rep.in_post]
        stages = max(1, int(org.params.stages))
        for i, row in rows.iterrows():
            if i < len(open_deals):
                lead = open_deals[i]
            elif reps:
                rep = min(reps, key=lambda r: (r.open_opps, r.unique_id))
                lead = org.new_lead("field", org.field_sourced, now, team=rep.team)
                lead.field_rep = rep.unique_id
                rep.open_opportunity(lead, now, lead.intent)
                age = float(row["age_days"])
                lead.open_deal.stage = min(stages - 1, int(age / (org.params.cycle_days / stages)))
                lead.created_at = lead.contacted_at = lead.first_attempt_at = lead.opportunity_at = now - age * 24
            else:
                break  # nobody in the field to own it
            lead.value = float(row["amount"])

    def refer(self, at: float, u: float) -> None:
        """A customer's introduction: a first meeting for the freest rep in post of a team drawn by headcount.

        ``u`` (the referral's own draw) picks the team, each in proportion to its seats; a
        team with nobody in post lets the introduction go (no lead is made of it).
        """
        seats = [len(team) for team in self.by_team]
        total = sum(seats)
        if not total:
            return
        pick, team = u * total, 0
        while team < len(seats) - 1 and pick >= seats[team]:
            pick -= seats[team]
            team += 1
        reps = [rep for rep in self.by_team[team] if rep.in_post]
        if not reps:
            return
        rep = min(reps, key=lambda r: (r.open_opps + r.booked, r.unique_id))
        org = self.org
        lead = org.new_lead("referral", org.referred, at, team=team)
        rep.accept(lead, at)

    # ------------------------------------------------------------ reading
    @property
    def pipeline_value(self) -> float:
        """The open pipeline weighted by each deal's chance to win from where it stands, in dollars of revenue."""
        total = 0.0
        for lead in self.org.book.measured():  # leads closed in the warm-up can hold nothing open
            if lead.state is State.OPPORTUNITY:
                rep = self.by_id[lead.field_rep]
                total += lead.value * (1 - lead.discount) * lead.open_deal.win_chance(rep, lead)
        return total

    @property
    def seats_open(self) -> int:
        """Field seats not closed for good (filled or being filled)."""
        return sum(not rep.closed for rep in self.reps)

    @property
    def active(self) -> int:
        """Field reps at work today (not a vacant seat)."""
        return sum(rep.active for rep in self.reps)
