"""What a CRM export measures directly, for a fit: its period, volume, deal sizes, headcounts and teams.

These are set in the fitted scenario, not fitted (:mod:`sim.experiments.fit`). Also here: whether the
export's period opens on an empty pipeline (:func:`empty_start`), and a later start where it has built
up (:func:`warm_start`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.config.scenario import Scenario

MAX_DAYS = 730  # a longer export is fitted on its last two years


@dataclass
class Measured:
    """What the export measures directly (set in the fitted scenario, not fitted).

    Attributes:
        days: the export's period in calendar days (the runs' length, at most :data:`MAX_DAYS`).
        inbound_per_day: new inbound inquiries a working day (a week's, weekends included, over five).
        deal_value_median: median amount of the closed opportunities.
        deal_value_sigma: their spread (log scale): the lognormal's with the amounts' coefficient of variation
            (:func:`sigma_of`).
        inside_reps: people who own leads and no opportunity.
        field_reps: people who own opportunities.
        teams: teams named in the export.
        team_sizes: field reps of each of the export's teams (an owner in the team most of their deals
            name), names made valid scenario names; empty when the export names no teams.
    """

    days: int
    inbound_per_day: float | None
    deal_value_median: float | None
    deal_value_sigma: float | None
    inside_reps: int | None
    field_reps: int | None
    teams: int
    team_sizes: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, leads: pd.DataFrame, observed: dict[str, Any]) -> Measured:
        """Read from the canonical lead table and its observed funnel."""
        days = max(1, min(MAX_DAYS, round(observed["period"]["days"])))
        inbound = observed["volume"]["by_kind"].get("inbound")
        closed = leads.loc[leads["won"].notna(), "amount"].dropna()
        closed = closed[closed > 0]
        median = float(closed.median()) if len(closed) >= 5 else None
        sigma = sigma_of(closed.to_numpy(dtype=float)) if len(closed) >= 20 else None
        field = set(leads["opp_owner"].dropna())
        owners = set(leads["owner"].dropna()) - field
        teams = int(leads["team"].dropna().nunique()) or 1
        return cls(
            team_sizes=team_sizes(leads),
            days=days,
            # market.inbound_leads_per_day counts a working week's inquiries over its five days
            inbound_per_day=inbound * 7 / 5 / observed["period"]["days"] if inbound else None,
            deal_value_median=median,
            deal_value_sigma=sigma,
            inside_reps=len(owners) or None,
            field_reps=len(field) or None,
            teams=teams,
        )

    def overrides(self, base: Scenario, keep_organization: bool) -> dict[str, Any]:
        """Dotted keys the measurements set on the base scenario."""
        out: dict[str, Any] = {"simulation.days": self.days}
        if self.inbound_per_day is not None:
            out["market.inbound_leads_per_day"] = round(self.inbound_per_day, 3)
        if self.deal_value_median is not None:
            out["market.deal_value_median"] = round(self.deal_value_median, 2)
        if self.deal_value_sigma is not None:
            out["market.deal_value_sigma"] = round(self.deal_value_sigma, 4)
        if not keep_organization:
            if self.inside_reps is not None:
                out["organization.inside_reps"] = self.inside_reps
            if self.field_reps is not None:
                out["organization.field_teams"] = self.field_teams(base)
        return out

    def field_teams(self, base: Scenario) -> list[dict[str, Any]]:
        """The field teams: the export's, with their sizes, else its field reps split over the base's teams."""
        if self.team_sizes and sum(self.team_sizes.values()) == self.field_reps:
            return [{"name": name, "field_reps": n} for name, n in self.team_sizes.items()]
        from sim.model.model import split_headcount

        teams = base.organization.field_teams
        seats = split_headcount(self.field_reps or 0, [t.field_reps for t in teams] or [1])
        return [{"name": t.name, "field_reps": n} for t, n in zip(teams, seats, strict=True)]


def sigma_of(amounts: np.ndarray) -> float:
    """The log-scale spread of a lognormal whose coefficient of variation is the amounts' (sd / mean).

    Revenue a day is a sum of won amounts: its spread follows from their mean and variance, and those
    are what a lognormal must match. A spread read from the log amounts' P10-P90 instead overstates a
    bounded, many-peaked distribution: Maven's won amounts ($50 accessories, $1-6k systems; sd / mean
    1.04) gave 1.75, a lognormal whose sd is 4.5 times its mean and whose rare deals of $50k+ (never
    in the export) made the runs' revenue swing 22% from seed to seed and sit 23% above the export.
    """
    mean = float(np.mean(amounts))
    cv = float(np.std(amounts, ddof=1)) / mean if mean > 0 and len(amounts) > 1 else 0.0
    return float(np.clip(math.sqrt(math.log1p(cv**2)), 0.05, 3.0))  # CV^2 = exp(sigma^2) - 1


def team_sizes(leads: pd.DataFrame) -> dict[str, int]:
    """Field reps of each team the export names (each opportunity owner in their most frequent team)."""
    owned = leads.loc[leads["opp_owner"].notna() & leads["team"].notna(), ["opp_owner", "team"]]
    if owned.empty:
        return {}
    home = owned.groupby("opp_owner")["team"].agg(lambda t: t.value_counts().index[0])
    sizes: dict[str, int] = {}
    for team, n in home.value_counts().sort_index().items():
        name = re.sub(r"[^A-Za-z0-9_\-]+", "_", str(team)).strip("_")[:40] or "team"
        while name in sizes:
            name = f"{name[:36]}_{len(sizes)}"
        sizes[name] = int(n)
    return sizes


WARM_MIN_DAYS = 182  # a period shortened to start warm keeps at least half a year


def warm_start(leads: pd.DataFrame, observed: dict[str, Any]) -> pd.Timestamp | None:
    """A later start where the export's pipeline has built up, or None (it had, or too little would be left).

    An export that starts with the CRM has no deals in flight at first, while every simulation starts
    warmed up with a pipeline: closed / opened and the median cycle of its first months are biased low
    (issue 32: closed / opened 81% against 94-101%). When the period opens with under half the deals a
    steady state holds (:func:`empty_start`), the start moves on by the P90 of the export's cycle (whole
    weeks), by when nearly every deal of a steady state has had time to open, if half a year is left.
    """
    cycle = (observed.get("cycle_days") or {}).get("opportunity_to_close", {}).get("p90")
    if not cycle or not empty_start(leads, observed):
        return None
    start, end = (pd.Timestamp(observed["period"][k]) for k in ("start", "end"))
    later = start + pd.Timedelta(days=7 * math.ceil(cycle / 7))
    return later if (end - later).days >= WARM_MIN_DAYS else None


def empty_start(leads: pd.DataFrame, observed: dict[str, Any]) -> bool:
    """Whether the period opens with under half the deals in flight its volume and cycle hold in a steady state."""
    k = observed["kpis"]
    per_day, cycle = k.get("opportunities_per_day"), k.get("median_cycle_days")
    if not per_day or not cycle:
        return False
    start = pd.Timestamp(observed["period"]["start"])
    opened = leads["opp_created_at"]
    in_flight = (opened < start) & (leads["closed_at"].isna() | (leads["closed_at"] >= start))
    return int(in_flight.sum()) < 0.5 * per_day * cycle
