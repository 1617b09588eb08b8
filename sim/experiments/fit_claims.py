"""What a fit may claim: which parameters the export pinned down, and which statistics it reproduces.

A fitted parameter is *pinned down* only when three things hold, each reported on its own:

- **informed**: at least one statistic the export measures depends on it (:data:`INFORMS`); a
  parameter whose statistics are all unmeasured (``null``) keeps its prior whatever the sampler did;
- **contracted**: its posterior 90% interval spans under :data:`PINNED` of its prior's width, in a
  posterior of at least :data:`MIN_DRAWS` distinct draws (one draw has no width and proves nothing);
- **not at a prior edge**: its posterior does not pile against an end of the prior (then the data
  want a value the prior rules out, and the interval is the prior's doing, not the data's).

Each observed statistic is inside its posterior predictive 5-95% band, or listed as *not
reproduced* with its likely cause: a prior edge (and which prior to widen), a period that starts
before the export's pipeline has built up (simulations start warmed up, with deals in flight), a
value no simulation from the prior came near (the model cannot produce it: a table of won deals
only has a 100% win rate), or a budget too small for the fit to get there.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

PINNED = 0.5  # contracted: the 90% interval under half the prior's width
MIN_DRAWS = 10  # distinct posterior draws below which no interval is a claim
EDGE = 0.1  # a posterior median in the outer tenth of the prior sits at its edge
TOUCH = 0.02  # ... or a 90% interval that ends within 2% of it with the median in the outer third

# Parameter -> the statistics that depend on it (the model's mechanisms: docs/CRM.md, "What informs what").
INFORMS: dict[str, tuple[str, ...]] = {
    "win_logit": ("win_rate", "deals_won_per_day", "revenue_per_day"),
    "cycle_days": ("median_cycle_days", "close_rate"),
    "agree_interest": ("qualify_rate",),
    "opp_base": ("opportunity_rate",),
    "field_threshold": ("reject_rate", "ignore_rate", "opportunity_rate"),
    "contact_max": ("contact_rate",),
}
# Below a lead export's entry point the volumes a day depend on every rate of the funnel as well.
FUNNEL = ("agree_interest", "opp_base", "field_threshold", "contact_max")
VOLUMES = ("opportunities_per_day", "deals_won_per_day", "revenue_per_day")


def informs_for(entry: str) -> dict[str, tuple[str, ...]]:
    """:data:`INFORMS` for an export whose volume enters at ``entry``.

    At inquiries, the opportunities, wins and revenue a day follow from every rate of the funnel; at
    opportunities (an opportunities-only export) the opportunity volume is levelled to the export's
    and the funnel above it is not identified, so the volumes inform only the deal's own parameters.
    """
    if entry != "inquiries":
        return INFORMS
    return {n: s + (VOLUMES if n in FUNNEL else ()) for n, s in INFORMS.items()}


# Statistics the practices set, not the fitted parameters: compared with the runs of the assumed practices
# and reported (inside, or where the company's practices likely differ, with the levers), never fitted.
PRACTICE_STATISTICS = ("response_hours", "acceptance_days")

# Statistics a period that opens on an empty pipeline biases (nothing in flight to close at first).
PERIOD_SENSITIVE = ("close_rate", "median_cycle_days", "deals_won_per_day", "revenue_per_day")


def _measured(observed: dict[str, float]) -> set[str]:
    return {s for s, v in observed.items() if v is not None and not math.isnan(v)}


def edge_of(low: float, high: float, p05: float, median: float, p95: float) -> str | None:
    """Which end of the prior the posterior piles against ("low" or "high"), else None."""
    width = high - low
    if width <= 0:
        return None
    if median - low < EDGE * width or (p05 - low < TOUCH * width and median - low < width / 3):
        return "low"
    if high - median < EDGE * width or (high - p95 < TOUCH * width and high - median < width / 3):
        return "high"
    return None


def reachable(names: tuple[str, ...], observed: np.ndarray, prior_runs: np.ndarray) -> set[str]:
    """The measured statistics that some run from the prior came near (within the prior runs' range).

    One that none came near (a won-deals table's 100% win rate) informs nothing: it pulls the posterior
    against whichever edge is closest, whatever the parameters are.
    """
    out = set()
    for i, s in enumerate(names):
        column = prior_runs[:, i][np.isfinite(prior_runs[:, i])] if len(prior_runs) else np.array([])
        if math.isfinite(observed[i]) and column.size and column.min() <= observed[i] <= column.max():
            out.add(s)
    return out


def parameter_claims(
    names: tuple[str, ...],
    low: np.ndarray,
    high: np.ndarray,
    draws: np.ndarray,
    observed: dict[str, float],
    usable: set[str] | None = None,
    reproduced: set[str] | None = None,
    informs: dict[str, tuple[str, ...]] = INFORMS,
) -> list[dict[str, Any]]:
    """Each fitted parameter: prior, median, 90% interval, informed / contracted / at a prior edge, pinned down.

    Args:
        names: the fitted parameters, in column order.
        low: their priors' lower ends.
        high: their priors' upper ends.
        draws: the posterior sample (a row per draw).
        observed: the export's statistics by name (NaN or None: not measured).
        usable: the measured statistics the model can come near (:func:`reachable`; default: all measured).
        reproduced: the statistics inside their check band (:func:`statistic_claims`); when given, a
            parameter is pinned down only if one of its informing statistics is among them (a posterior
            whose runs miss every statistic it answers to is narrow for the wrong reason).
        informs: which statistics depend on which parameter (:func:`informs_for` the export's entry point).
    """
    measured = _measured(observed) if usable is None else _measured(observed) & usable
    distinct = len(np.unique(draws, axis=0)) if len(draws) else 0
    rows = []
    for j, name in enumerate(names):
        p05, median, p95 = (float(x) for x in np.quantile(draws[:, j], [0.05, 0.5, 0.95]))
        lo, hi = float(low[j]), float(high[j])
        share = (p95 - p05) / (hi - lo) if hi > lo else 1.0
        informed_by = [s for s in informs.get(name, ()) if s in measured]
        contracted = distinct >= MIN_DRAWS and share < PINNED
        edge = edge_of(lo, hi, p05, median, p95) if distinct >= MIN_DRAWS else None
        missed = reproduced is not None and bool(informed_by) and not set(informed_by) & reproduced
        pinned = bool(informed_by) and contracted and edge is None and not missed
        rows.append(
            {
                "parameter": name,
                "prior": [lo, hi],
                "median": median,
                "p05": p05,
                "p95": p95,
                "width_share_of_prior": share,
                "informed_by": informed_by,
                "informed": bool(informed_by),
                "contracted": contracted,
                "at_prior_edge": edge,
                "pinned_down": pinned,
                "why": _why(name, informed_by, contracted, edge, share, distinct, lo, hi, missed, informs),
            }
        )
    return rows


def _why(name, informed_by, contracted, edge, share, distinct, lo, hi, missed=False, informs=INFORMS) -> str:
    if distinct < MIN_DRAWS:
        return f"not pinned down: {distinct} distinct posterior draw(s), too few for an interval to mean anything"
    if not informed_by:
        wanted = ", ".join(informs.get(name, ())) or "none"
        return (f"not pinned down: no statistic the export measures (and the model can come near) depends on it "
                f"(it would need: {wanted})")  # fmt: skip
    if edge is not None:
        return (f"not pinned down: the posterior piles against the {edge} end of its prior ({lo:g} to {hi:g}); "
                f"the data want a value the prior rules out: widen it (--prior {name}=LOW,HIGH)")  # fmt: skip
    if not contracted:
        return (f"not pinned down: its 90% interval spans {share:.0%} of the prior (informed by "
                f"{', '.join(informed_by)}, but not enough to narrow it)")  # fmt: skip
    if missed:
        return (f"not pinned down: narrow ({share:.0%} of the prior), but the fitted runs reproduce none of "
                f"{', '.join(informed_by)} (see not_reproduced)")  # fmt: skip
    return f"pinned down by {', '.join(informed_by)}: its 90% interval spans {share:.0%} of the prior"


def statistic_claims(
    names: tuple[str, ...],
    labels: dict[str, str],
    observed: np.ndarray,
    checked: np.ndarray,
    prior_runs: np.ndarray,
    parameters: list[dict[str, Any]],
    empty_start: bool,
) -> list[dict[str, Any]]:
    """Each statistic: observed against the check runs' 5-95% band; inside, or not reproduced and why.

    Args:
        names: the statistics, in column order.
        labels: their labels.
        observed: the export's values (NaN: not measured).
        checked: the check runs' statistics (runs of the fitted scenario at posterior draws).
        prior_runs: the statistics of runs from the prior (the first generation).
        parameters: :func:`parameter_claims`' rows.
        empty_start: the export's period opens with far fewer deals in flight than its volume and cycle
            hold in a steady state (simulations start warmed up).
    """
    bands = np.full((3, len(names)), np.nan)
    for i in range(len(names)):
        column = checked[:, i][np.isfinite(checked[:, i])] if len(checked) else np.array([])
        if column.size:
            bands[:, i] = np.quantile(column, [0.05, 0.5, 0.95])
    rows = []
    for i, s in enumerate(names):
        value = None if math.isnan(observed[i]) else float(observed[i])
        low, mid, high = (None if math.isnan(x) else float(x) for x in bands[:, i])
        inside = None if value is None or low is None or high is None else bool(low <= value <= high)
        row: dict[str, Any] = {"statistic": s, "label": labels[s], "observed": value, "simulated_p05": low,
                               "simulated_median": mid, "simulated_p95": high, "inside": inside}  # fmt: skip
        if value is None:
            row["note"] = "not measured: the export has no column for it; not fitted"
        elif inside is False or low is None:
            row["not_reproduced"] = _cause(s, value, mid, prior_runs[:, i], parameters, empty_start)
        rows.append(row)
    return rows


def _cause(s, value, simulated, prior_column, parameters, empty_start) -> str:
    above = simulated is not None and value > simulated
    if s in PRACTICE_STATISTICS:
        practice = PRACTICE_LEVERS[(s, "above" if above else "below")]
        return (f"the assumed practices: the company's likely differ (a statistic the practices set, not fitted); "
                f"try {practice} (--scenario)")  # fmt: skip
    for p in parameters:
        if s in p["informed_by"] and p["at_prior_edge"] is not None:
            lo, hi = p["prior"]
            return (f"a prior edge: {p['parameter']} sits at the {p['at_prior_edge']} end of its prior "
                    f"({lo:g} to {hi:g}); widen it (--prior {p['parameter']}=LOW,HIGH)")  # fmt: skip
    if s in PERIOD_SENSITIVE and empty_start:
        return ("a period that starts before the export's pipeline has built up (few deals in flight at its "
                "start, while simulations start warmed up): set a later start (--start, about one median "
                "cycle later)")  # fmt: skip
    finite = prior_column[np.isfinite(prior_column)]
    if finite.size and not finite.min() <= value <= finite.max():
        levers = PRACTICE_LEVERS.get((s, "above" if value > finite.max() else "below"))
        if levers:
            return (f"the assumed practices cannot produce it: no run from the prior came near ({finite.min():.3g} "
                    f"to {finite.max():.3g}); try {levers} (--scenario)")  # fmt: skip
        hint = " (a table of won deals only has a 100% win rate)" if s == "win_rate" and value == 1.0 else ""
        return (f"a statistic the model cannot produce with these priors: no run from the prior came near "
                f"({finite.min():.3g} to {finite.max():.3g}); the export may count it differently{hint}")  # fmt: skip
    side = "above" if above else "below"
    return (f"the observed value is {side} the fitted runs: a larger --budget, or a statistic the fitted parameters "
            "cannot move together with the others")  # fmt: skip


def edge_lines(parameters: list[dict[str, Any]]) -> list[str]:
    """One line per parameter whose posterior presses on a prior edge: which prior to widen."""
    return [
        f"the data press on the {p['at_prior_edge']} edge of {p['parameter']}'s prior "
        f"({p['prior'][0]:g} to {p['prior'][1]:g}): widen it (--prior {p['parameter']}=LOW,HIGH)"
        for p in parameters
        if p["at_prior_edge"] is not None and p["informed"]
    ]


# A statistic the base's practices do not reproduce, by side, and the levers that move it (docs/MODEL.md).
PRACTICE_LEVERS: dict[tuple[str, str], str] = {
    ("ignore_rate", "above"): "handoff.sla_enforced=false or handoff.acceptance_stage=false (handoffs left lying)",
    ("ignore_rate", "below"): "handoff.sla_enforced=true, handoff.acceptance_stage=true",
    ("reject_rate", "above"): "qualification.standard_set_by=marketing or none (a bar the field does not share)",
    ("reject_rate", "below"): "qualification.standard_set_by=joint, feedback.mode=periodic",
    ("opportunity_rate", "below"): "handoff.mode=cold, qualification.standard_set_by=none",
    ("opportunity_rate", "above"): "handoff.mode=warm, qualification.standard_set_by=joint",
    ("response_hours", "above"): "inside.work_order=oldest_first (a backlog makes every first call late), fewer "
    "organization.inside_reps, inside.coverage=business_hours",
    ("response_hours", "below"): "inside.work_order=newest_first, inside.coverage=extended, more "
    "organization.inside_reps",
    ("acceptance_days", "above"): "handoff.sla_enforced=false, a longer handoff.sla_hours",
    ("acceptance_days", "below"): "handoff.sla_enforced=true, a shorter handoff.sla_hours, handoff.mode=warm",
}


def practices_in_use(scenario: Any, base: str) -> str:
    """One line: the base's practices the fit assumes (the export does not say them)."""
    q, h = scenario.qualification, scenario.handoff
    return (f"practices assumed ({base}'s; --scenario to name yours): standard set by "
            f"{q.standard_set_by}, scoring {q.scoring}, {h.mode} handoff, SLA {h.sla_hours:g} h "
            f"{'enforced' if h.sla_enforced else 'not enforced'}, acceptance stage "
            f"{'yes' if h.acceptance_stage else 'no'}, feedback {scenario.feedback.mode}, nurture "
            f"{scenario.nurture.mode}")  # fmt: skip


def practice_lines(statistics: list[dict[str, Any]]) -> list[str]:
    """Where the export's statistics say its practices differ from the base's: which levers to try.

    The handoff shares (rejected, ignored, opportunities / handed off), the response to inquiries and the
    field's acceptance delay (handoff to opportunity) outside the band of the runs of the assumed practices.
    """
    out = []
    for s in statistics:
        if s["inside"] is not False or s["simulated_median"] is None:
            continue
        side = "above" if s["observed"] > s["simulated_median"] else "below"
        levers = PRACTICE_LEVERS.get((s["statistic"], side))
        if levers:
            out.append(f"the export's {s['label']} ({s['observed']:.3g}) is {side} what the assumed practices give "
                       f"({s['simulated_p05']:.3g}-{s['simulated_p95']:.3g}): its practices likely differ; try "
                       f"{levers} (--scenario)")  # fmt: skip
    return out
