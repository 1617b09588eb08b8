"""The lead book: every prospect the organization touches, and its lifecycle.

Leads are many and mostly passive, so they are plain objects with
``__slots__``, not Mesa agents: the reps act on them, and a lead only changes
when a rep touches it or one of its own scheduled moments comes due.

Lifecycle (every timestamp is recorded, in calendar hours since the start)::

    created -> first_attempt -> contacted -> qualified -> handed_off ->
    accepted -> followed_up -> opportunity -> won | lost

with exits ``disqualified`` (judged not a fit), ``rejected`` (handed back by
the field to nurture), ``ignored`` (handed off and never followed up: the
"black hole"), ``lapsed`` (interest died while waiting) and ``unreached``
(never got a conversation). A lead is always in exactly one state.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from sim.model.opportunity import Opportunity


class State(StrEnum):
    """Where a lead is; the first six are open, the rest are final."""

    NEW = "new"  # created, nobody has tried to reach the prospect yet
    ATTEMPTING = "attempting"  # tried, no conversation yet, more tries planned
    QUALIFIED = "qualified"  # qualified, waiting for a field rep to exist
    HANDED_OFF = "handed_off"  # with the field, not yet looked at
    ACCEPTED = "accepted"  # accepted by a field rep, first meeting pending
    OPPORTUNITY = "opportunity"  # an open opportunity
    WON = "won"
    LOST = "lost"
    DISQUALIFIED = "disqualified"
    REJECTED = "rejected"
    IGNORED = "ignored"
    LAPSED = "lapsed"
    UNREACHED = "unreached"


OPEN_STATES = frozenset(
    {
        State.NEW,
        State.ATTEMPTING,
        State.QUALIFIED,
        State.HANDED_OFF,
        State.ACCEPTED,
        State.OPPORTUNITY,
    }
)
FINAL_STATES = frozenset(State) - OPEN_STATES

SOURCES = ("inbound", "outbound", "field", "recycled", "referral")
INQUIRIES = frozenset({"inbound", "recycled"})  # a prospect asked to be contacted (recycled: again, from nurture)

# Per-lead uniform draws (common random numbers): the same prospect answers
# the phone at the same try and decides the same way whatever the scenario,
# unless a lever changes the odds it faces.
N_ATTEMPT_DRAWS = 8
U_AGREE, U_REPEAT, U_OPP, U_WIN, U_DISCOUNT, U_STAGE, U_REVIEW, U_NOISE, U_ROUTE, U_RIVAL, U_SHOW = range(
    N_ATTEMPT_DRAWS, N_ATTEMPT_DRAWS + 11
)
N_DRAWS = N_ATTEMPT_DRAWS + 11

TIMESTAMPS = (
    "created_at",
    "first_attempt_at",
    "contacted_at",
    "qualified_at",
    "handed_off_at",
    "accepted_at",
    "followed_up_at",
    "opportunity_at",
    "closed_at",
)


class Lead:
    """One prospect's inquiry and everything that happened to it.

    Attributes:
        lead_id: sequential id, in order of creation.
        source: "inbound", "outbound", "field", "recycled" or "referral" (a customer sent them).
        team: index of the field team whose territory it is in.
        value: list value of the deal in dollars.
        fit: true fit 0-1 (nobody observes it directly).
        intent: buying intent 0-1 at the inquiry; decays with waiting.
        draws: the prospect's own uniform draws (see ``U_*``).
        state: current :class:`State`.
        satisfaction: 0-100, moved by each experience.
    """

    __slots__ = (
        "accepted_at",
        "attempts",
        "channel",
        "closed_at",
        "contacted_at",
        "created_at",
        "deal",
        "discount",
        "draws",
        "earlier_contacts",
        "field_rep",
        "first_attempt_at",
        "first_seen",
        "fit",
        "followed_up_at",
        "handed_off_at",
        "inside_rep",
        "intent",
        "intent_at_handoff",
        "lead_id",
        "loss_reason",
        "meeting_at",
        "no_shows",
        "opportunity_at",
        "pull_in",
        "qualified_at",
        "recycled_from",
        "repeated",
        "revenue",
        "satisfaction",
        "score",
        "source",
        "state",
        "team",
        "value",
    )

    def __init__(
        self,
        lead_id: int,
        source: str,
        team: int,
        created_at: float,
        value: float,
        fit: float,
        intent: float,
        draws: Sequence[float],
        satisfaction: float,
    ) -> None:
        self.lead_id = lead_id
        self.source = source
        self.team = team
        self.created_at = created_at
        self.value = value
        self.fit = fit
        self.intent = intent
        self.draws: Sequence[float] = draws
        self.satisfaction = satisfaction
        self.state = State.NEW
        self.attempts = 0
        # lifecycle stamps, hours since the start of the run (None: not reached)
        self.first_attempt_at: float | None = None
        self.contacted_at: float | None = None
        self.qualified_at: float | None = None
        self.handed_off_at: float | None = None
        self.accepted_at: float | None = None
        self.followed_up_at: float | None = None
        self.opportunity_at: float | None = None
        self.closed_at: float | None = None
        self.intent_at_handoff = intent
        self.inside_rep = self.field_rep = -1
        self.channel = -1  # the inbound channel it came through (index; -1: not an inquiry)
        self.repeated = False
        self.meeting_at: float | None = None  # a first meeting booked at the handoff (one shared calendar)
        self.no_shows = 0  # first meetings the prospect did not come to
        self.score: float | None = None  # the lead score, where leads are scored (qualification.scoring)
        self.recycled_from = -1  # the lead this one came back from, through nurture (-1: a new prospect)
        self.earlier_contacts = 0  # attempts made on this prospect's earlier leads
        self.first_seen = created_at  # when the prospect first came in (an earlier lead's, if recycled)
        self.discount = 0.0
        self.pull_in = 0.0  # of which conceded to sign before a quarter's end
        self.deal: Opportunity | None = None  # the open opportunity's stages
        self.loss_reason = ""  # why a lost deal was lost
        self.revenue = 0.0

    @property
    def open_deal(self) -> Opportunity:
        """The stages of the lead's open opportunity (only a lead that is an opportunity has one)."""
        if self.deal is None:
            raise RuntimeError(f"lead {self.lead_id} has no open opportunity ({self.state})")
        return self.deal

    def feel(self, delta: float) -> None:
        """Move the prospect's satisfaction by ``delta``, kept within 0-100."""
        self.satisfaction = min(100.0, max(0.0, self.satisfaction + delta))

    def close(self, state: State, at: float | None = None) -> None:
        """End the lead in a final state; its own draws are no longer needed (memory)."""
        self.state = state
        self.draws = ()  # a closed lead draws nothing more
        self.deal = None
        if at is not None and state in (State.WON, State.LOST):
            self.closed_at = at

    def __getstate__(self) -> dict[str, object]:
        """For pickling and copying: the draws, a view of a shared block, travel as a list."""
        state = {name: getattr(self, name) for name in self.__slots__}
        state["draws"] = list(state["draws"])
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        for name, value in state.items():
            setattr(self, name, value)

    def __repr__(self) -> str:
        return f"Lead({self.lead_id}, {self.source}, {self.state})"


class LeadBook:
    """All leads of a run, in order of creation, with per-state counts."""

    def __init__(self) -> None:
        self.leads: list[Lead] = []
        self.first = 0  # the first lead created after the warm-up
        self.in_flight: list[Lead] = []  # leads of the warm-up still open when the books opened
        self.start_hour = 0.0  # the clock's hour when the books opened

    def open_books(self, hour: float) -> None:
        """The warm-up ends at ``hour``: the log keeps its open leads (in flight) and every lead from now on."""
        self.first = len(self.leads)
        self.in_flight = [lead for lead in self.leads if lead.state in OPEN_STATES]
        self.start_hour = hour

    @property
    def created(self) -> int:
        """Leads created since the books opened."""
        return len(self.leads) - self.first

    def measured(self) -> list[Lead]:
        """The leads of the lead log: those in flight when the books opened, then every later one."""
        return self.in_flight + self.leads[self.first :]

    def add(self, lead: Lead) -> Lead:
        """Record a new lead."""
        self.leads.append(lead)
        return lead

    def __len__(self) -> int:
        return len(self.leads)

    def __iter__(self) -> Iterator[Lead]:
        return iter(self.leads)

    def next_id(self) -> int:
        """The id the next lead will get."""
        return len(self.leads)

    def state_counts(self) -> dict[str, int]:
        """Number of leads in each state (every state listed, zeros included)."""
        counts = dict.fromkeys((s.value for s in State), 0)
        for lead in self.leads:
            counts[lead.state.value] += 1
        return counts

    def to_frame(self, team_names: list[str], channels: Sequence[str] = ("inbound",)) -> pd.DataFrame:
        """One row per lead of the log (:meth:`measured`): ``leads.parquet``, its columns listed in README.md.

        Times are hours since the books opened: a lead in flight from the warm-up has
        its earlier stamps negative (and ``in_flight`` true).
        """
        leads = self.measured()
        start = self.start_hour

        def col(name: str) -> np.ndarray:
            return np.array([np.nan if (v := getattr(lead, name)) is None else v for lead in leads], dtype=float)

        def stamp(name: str) -> np.ndarray:
            return col(name) - start

        frame = pd.DataFrame(
            {
                "lead_id": np.array([lead.lead_id for lead in leads], dtype=np.int64),
                "source": pd.Categorical([lead.source for lead in leads], categories=SOURCES),
                "channel": pd.Categorical(
                    [channels[lead.channel] if lead.channel >= 0 else None for lead in leads], categories=list(channels)
                ),
                "team": pd.Categorical([team_names[lead.team] for lead in leads], categories=team_names),
                "value": col("value"),
                "fit": col("fit"),
                **{name: stamp(name) for name in TIMESTAMPS},
                "outcome": pd.Categorical([lead.state.value for lead in leads], categories=[s.value for s in State]),
                "satisfaction": col("satisfaction"),
                "score": col("score"),
                "revenue": col("revenue"),
                "discount": col("discount"),
                "pull_in_discount": col("pull_in"),
                "loss_reason": pd.Categorical(
                    [lead.loss_reason or None for lead in leads], categories=["no_decision", "competitor", "price"]
                ),
                "attempts": np.array([lead.attempts for lead in leads], dtype=np.int64),
                "repeated_questions": np.array([lead.repeated for lead in leads], dtype=bool),
                "inside_rep": np.array([lead.inside_rep for lead in leads], dtype=np.int64),
                "field_rep": np.array([lead.field_rep for lead in leads], dtype=np.int64),
                "recycled_from": np.array([lead.recycled_from for lead in leads], dtype=np.int64),
                "earlier_contacts": np.array([lead.earlier_contacts for lead in leads], dtype=np.int64),
                "in_flight": np.array([lead.created_at < start for lead in leads], dtype=bool),
                "prospect_since": stamp("first_seen"),
            }
        )
        return frame
