"""Work sized before it starts: how many runs a command asks for, and about how long they take here.

Every command that simulates counts all its runs (replications x arms x assumption sets x
replications per set, an explanation's one-lever variants) before it builds anything, so
work that cannot finish is refused at once rather than after hours or a ``MemoryError``:
more than :data:`MAX_RUNS` runs is refused; more than
:data:`LONG_SECONDS` of estimated work (a day) needs an explicit ``--long``.

The time of one run is estimated from what it simulates (days, inquiries a day, reps) with
costs measured on the reference machine (2 shared cores, ``compare --workers 2``): about 1.9 ms
a simulated day for the default organization (40 inquiries a working day, 8 inside and 20 field
reps; a run alone on an idle core takes about half), each inquiry a day adding ~17 us a day,
each inside rep ~22 us and each field rep ~7 us. The estimate is an order of magnitude, not a
promise.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from sim.config.errors import SalesimError
from sim.config.scenario import Scenario, change_days, lever_leaves, scenario_on, scenario_to_dict

MAX_SETS = 10_000  # assumption sets of an uncertainty study
MAX_RUNS = 200_000  # the most runs one command takes without being split (memory for every one)
LONG_SECONDS = 86_400.0  # beyond a day of estimated work, the command asks for --long
PLAN_SECONDS = 60.0  # work estimated past a minute prints its plan first

# Wall seconds per simulated day on the reference machine (see the module docstring)
DAY_SECONDS = 0.9e-3
INQUIRY_DAY_SECONDS = 17e-6
INSIDE_REP_DAY_SECONDS = 22e-6
FIELD_REP_DAY_SECONDS = 7e-6


# The most inquiries one run may be expected to create: every lead is kept in memory until the run
# ends (about 25 times the ten-year default run's 71,000; docs/PERFORMANCE.md).
MAX_LEADS = 2_000_000


class ExperimentError(SalesimError):
    """A comparison that cannot be run as asked (exit code 2)."""


class TooMuchWork(ExperimentError):
    """Work over the limits, or over a day without ``--long`` (exit code 2)."""


def segments(scenario: Scenario) -> list[tuple[int, Scenario]]:
    """(measured days, the scenario as it stands) for each stretch between dated lever changes."""
    days = scenario.simulation.days
    starts = [0, *(d for d in change_days(scenario) if 0 < d < days)]
    ends = [*starts[1:], days]
    return [(end - start, scenario_on(scenario, start)) for start, end in zip(starts, ends, strict=True)]


def headcounts(scenario: Scenario) -> list[tuple[int, int, int]]:
    """(day, inside reps, field reps) at the start and after each hire, exit or move of the timeline."""
    inside, field_reps = scenario.organization.inside_reps, scenario.organization.field_reps
    counts = [(0, inside, field_reps)]
    for change in sorted(scenario.timeline, key=lambda c: c.day):
        sign, who = change.staffing
        if who is not None:
            inside += sign * who.inside_reps
            field_reps += sign * who.field_reps
            counts.append((change.day, inside, field_reps))
    return counts


def inquiries(scenario: Scenario) -> float:
    """Inquiries a run is expected to create, warm-up included (5 working days' worth a week)."""
    sim = scenario.simulation
    warm = scenario.market.inbound_leads_per_day * sim.warmup_days
    measured = sum(days * s.market.inbound_leads_per_day for days, s in segments(scenario))
    return (warm + measured) * 5 / 7


def run_seconds(scenario: Scenario) -> float:
    """Estimated wall seconds of one run of ``scenario`` on one core of the reference machine."""
    sim = scenario.simulation
    inside = max(c[1] for c in headcounts(scenario))
    field_reps = max(c[2] for c in headcounts(scenario))
    per_day = DAY_SECONDS + INSIDE_REP_DAY_SECONDS * inside + FIELD_REP_DAY_SECONDS * field_reps
    days = sim.warmup_days + sim.days
    return per_day * days + INQUIRY_DAY_SECONDS * inquiries(scenario) * 7 / 5


@dataclass
class Work:
    """The runs a command will do, part by part, and their estimated time.

    Attributes:
        parts: (what, runs, estimated seconds on one core) of each part, e.g.
            ("2 scenarios x 20 markets", 40, 24.0).
        workers: processes the runs share (default: one per core this process may use).
    """

    parts: list[tuple[str, int, float]] = field(default_factory=list)
    workers: int = field(default_factory=lambda: cores())

    def add(self, what: str, runs: int, seconds_each: float) -> Work:
        """Add a part of ``runs`` runs of about ``seconds_each`` seconds each."""
        self.parts.append((what, runs, runs * seconds_each))
        return self

    @property
    def runs(self) -> int:
        """Runs in all."""
        return sum(p[1] for p in self.parts)

    @property
    def seconds(self) -> float:
        """Estimated wall seconds on ``workers`` processes."""
        return sum(p[2] for p in self.parts) / max(1, min(self.workers, max(self.runs, 1)))

    def line(self) -> str:
        """The plan in one line: what runs, how many, about how long."""
        what = " + ".join(p[0] for p in self.parts)
        workers = f"{self.workers} worker{'s' if self.workers != 1 else ''}"
        runs = f"{self.runs:,} run{'' if self.runs == 1 else 's'}"
        return f"{what}: {runs}, about {duration(self.seconds)} here on {workers}"

    def check(self, long: bool = False, flag: str = "--long") -> None:
        """Refuse work over :data:`MAX_RUNS` runs, or over a day of estimated time without ``long``."""
        if self.runs > MAX_RUNS:
            raise TooMuchWork(
                f"{self.line()}; more than the {MAX_RUNS:,} runs one command takes (memory for every one): "
                "split the work (fewer replications, sets or values)"
            )
        if self.seconds > LONG_SECONDS and not long:
            raise TooMuchWork(f"{self.line()}; more than a day of work: add {flag} to run it anyway, or do less")


def cores() -> int:
    """One worker per core this process may use (the runner's default)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def duration(seconds: float) -> str:
    """Seconds in words: "40 seconds", "12 minutes", "3.5 hours", "2.1 days"."""
    if seconds < 90:
        return f"{max(seconds, 1):.0f} seconds"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} minutes"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} hours"
    return f"{seconds / 86400:,.1f} days"


def check_size(scenario: Scenario) -> None:
    """Refuse a run whose inquiries alone would not fit in memory (SalesimError, before it starts).

    The inquiries are counted over the whole timeline: a dated change of the market's volume counts from its day.
    """
    sim = scenario.simulation
    leads = inquiries(scenario)
    if leads > MAX_LEADS:
        raise SalesimError(
            f"{scenario.name}: about {leads:,.0f} inquiries over {sim.warmup_days + sim.days} days (warm-up included) "
            f"is more than the {MAX_LEADS:,} a run holds in memory; fewer market.inbound_leads_per_day or days"
        )


# ------------------------------------------------------------- arms of a comparison


def levers_of(arm: Scenario) -> str:
    """Everything that makes a run of ``arm`` what it is (its name and description aside)."""
    return arm.model_dump_json(exclude={"name", "description"})


def distinct_runs(arms: list[Scenario]) -> tuple[list[Scenario], dict[str, Scenario]]:
    """The arms, each name once, and levers -> the first arm with them (it runs; the others copy its rows)."""
    arms = list({arm.name: arm for arm in arms}.values())  # an arm asked for twice runs once
    runs: dict[str, Scenario] = {}
    for arm in arms:
        runs.setdefault(levers_of(arm), arm)
    return arms, runs


def arms_label(arms: list[Scenario], runs: dict[str, Scenario] | None = None, scenarios: int | None = None) -> str:
    """What the arms are, for people: "5 scenarios + 13 one-lever variants" ("2 organizations" when mixed).

    Args:
        arms: the arms.
        runs: the distinct runs among them (default: :func:`distinct_runs`).
        scenarios: how many of the arms (the first) are the scenarios asked for; the rest are variants.
    """
    runs = distinct_runs(arms)[1] if runs is None else runs
    if scenarios is None:
        return count(len(runs), "organization")
    own = {levers_of(a) for a in arms[:scenarios]}
    variants = len(set(runs) - own)
    label = count(len(own), "scenario")
    return label + (f" + {count(variants, 'one-lever variant')}" if variants else "")


def count(k: int, what: str) -> str:
    """``k`` things, in words: "1 scenario", "3 scenarios"."""
    return f"{k:,} {what}{'' if k == 1 else 's'}"


def arms_work(arms: list[Scenario], n: int, scenarios: int | None = None) -> Work:
    """The runs of every arm on ``n`` markets (arms with the same levers counted once), and their time."""
    arms, runs = distinct_runs(arms)
    seconds = sum(run_seconds(a) for a in runs.values()) / max(len(runs), 1)
    return Work().add(f"{arms_label(arms, runs, scenarios)} x {n:,} markets", len(runs) * n, seconds)


def study_work(arms: list[Scenario], sets: int, n: int) -> Work:
    """The runs of an uncertainty study (every arm on every set and replication), counted before it is built."""
    names = len(distinct_runs(arms)[0])  # each arm runs on every set, even one with another's levers
    seconds = sum(run_seconds(a) for a in arms) / max(len(arms), 1)
    what = f"{count(names, 'organization')} x {sets:,} assumption sets x {n:,} markets"
    return Work().add(what, names * sets * n, seconds)


def timeline_steps(base: Scenario, target: Scenario) -> list[int]:
    """The days of TARGET's timeline, each a step of its own in an explanation, or [] (one lever).

    A timeline is explained step by step when BASE has none and TARGET's changes fall on two
    days or more: each day's changes alone, and the steps in sequence.
    """
    if base.timeline or not target.timeline:
        return []
    days = sorted({c.day for c in target.timeline})
    return days if len(days) > 1 else []


def explain_work(base: Scenario, target: Scenario, n: int) -> Work:
    """The runs of an explanation (BASE, TARGET and BASE with each differing lever switched), unbuilt."""
    steps = len(timeline_steps(base, target))
    levers = len(lever_differences(base, target)) + (steps - 1 if steps else 0)
    variants = levers if levers > 1 else 0  # one lever switched alone is TARGET itself: it runs once
    variants += max(steps - 1, 0)  # the steps in sequence (the first is the first alone)
    seconds = (run_seconds(base) + run_seconds(target)) / 2
    what = "2 scenarios" + (f" + {count(variants, 'one-lever variant')}" if variants else "") + f" x {n:,} markets"
    return Work().add(what, (2 + variants) * n, seconds)


def check_arms(scenarios: list[Scenario], n: int) -> None:
    """Refuse fewer than 2 replications, a scenario given twice, runs of different lengths or too many runs."""
    if not scenarios:
        raise ExperimentError("no scenarios: give a list of them, the baseline first")
    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise ExperimentError(f"-n {n}: at least 2 replications are needed for an interval")
    arms_work(scenarios, n, len(scenarios)).check(long=True, flag="")
    for scenario in scenarios:
        check_size(scenario)
    check_lengths(scenarios)
    names = [s.name for s in scenarios]
    twice = sorted({x for x in names if names.count(x) > 1})
    if twice:
        raise ExperimentError(f"scenario {', '.join(twice)} given twice; each scenario once")


def check_lengths(scenarios: list[Scenario]) -> None:
    """Refuse scenarios of different lengths: their days cannot be compared one by one (ExperimentError)."""
    lengths = {s.simulation.days: s for s in scenarios}
    if len(lengths) > 1:
        (short, a), (long, b) = min(lengths.items()), max(lengths.items())
        raise ExperimentError(
            f"{a.name} runs {short} days and {b.name} {long}: scenarios compared day by day run equally long; "
            f"give --days N (days=N in Python) to run every one N days"
        )


def lever_differences(base: Scenario, target: Scenario) -> list[tuple[str, Any, Any]]:
    """(dotted key, base value, target value) for every lever that differs."""
    a, b = lever_leaves(scenario_to_dict(base)), lever_leaves(scenario_to_dict(target))
    keys = sorted(set(a) | set(b))
    return [(k, a.get(k), b.get(k)) for k in keys if a.get(k) != b.get(k)]


def check_explain(base: Scenario, target: Scenario, n: int) -> list[tuple[str, Any, Any]]:
    """The differing levers of BASE and TARGET; ExperimentError if there is nothing to explain."""
    levers = lever_differences(base, target)
    if not levers:
        raise ExperimentError(f"{base.name} and {target.name} have the same levers: nothing to explain")
    check_arms([base, target], n)
    explain_work(base, target, n).check(long=True, flag="")
    return levers
