"""Your own organization from its CRM export: the behaviour parameters the data can pin down, fitted.

What an export measures directly is set, not fitted: the inquiries a day, the deal sizes,
the headcounts (lead owners and opportunity owners) and the period. The behaviour
parameters that shape the funnel's rates (:data:`FITTED`: how often a deal is won, how long
it takes, how many conversations qualify, how many handoffs the field accepts and turns into
opportunities, how many prospects pick up) are fitted by simulation-based inference: ABC-SMC
(:mod:`sim.experiments.abc`) compares each simulated run's observed funnel
(:func:`sim.crm.observed.observed_from_run`, the same statistics an import computes) with
the export's on :data:`STATISTICS`, every simulation a task of the experiment runner (a
process pool or Dask). Every other parameter keeps its default and its plausible range.

A fit is resumable: each generation is stored (``generations/``) as it finishes, with a
fingerprint of the observed statistics, the base scenario and the settings; running the same
fit again continues from the last finished generation.

Outputs: ``fitted.yaml`` (a scenario: the base, the measured market and headcounts, the
posterior medians, and ``posterior: posterior.parquet`` so that ``--uncertainty`` draws from
the posterior), ``posterior.parquet``, ``fit.json`` (what was fitted and measured, each
parameter's prior, median and 90% interval, and whether the data pinned it down) and
``check.png`` (observed statistics against the posterior's simulations), and where the export
has opportunities ``pipeline.parquet``: its open ones at its end, from which runs of the fitted
scenario start (``pipeline:``, :meth:`sim.model.model.SalesOrgModel.take_over_pipeline`). The fit's
own runs simulate the export's period, so they start from its open deals at the period's start
(``pipeline_start.parquet``, read and valued the same way); runs of the scenario as shipped, from
``pipeline.parquet``, are checked too (``shipped`` in fit.json).
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.config.errors import SalesimError
from sim.config.params import PARAM_INFO
from sim.config.scenario import Scenario, scenario_to_dict, validate, with_values
from sim.experiments.abc import Generation, Prior, abc_smc, judged, regression_adjust, scales
from sim.experiments.fit_claims import PINNED as PINNED
from sim.experiments.fit_claims import (
    PRACTICE_STATISTICS,
    edge_lines,
    informs_for,
    parameter_claims,
    practice_lines,
    reachable,
    statistic_claims,
)
from sim.experiments.fit_levels import ABOVE_OPPORTUNITY, SEEDS, entry_point, match_levels
from sim.experiments.fit_measured import MAX_DAYS as MAX_DAYS
from sim.experiments.fit_measured import Measured, empty_start
from sim.experiments.fit_measured import warm_start as warm_start
from sim.experiments.runner import Task, run_tasks

# Parameter -> (low, high) of its uniform prior: the plausible range of the params table, or, for
# a fitted default without one, the range of published values around it.
FITTED: dict[str, tuple[float, float]] = {
    # win rates of about 10% to 65% (FACTS 2: 17-30% typical; real exports reach 60%: Maven's, issue 32)
    "win_logit": (-2.6, 1.4),
    "cycle_days": (30.0, 150.0),  # median cycles of 1-5 months (Bridge Group 2017: 72 days at ~$30k)
    "agree_interest": (  # type: ignore[dict-item]  # the params table gives these four a plausible range
        PARAM_INFO["agree_interest"].low,
        PARAM_INFO["agree_interest"].high,
    ),  # conversations that qualify
    "opp_base": (PARAM_INFO["opp_base"].low, PARAM_INFO["opp_base"].high),  # type: ignore[dict-item]  # accepted leads that become opportunities
    "field_threshold": (  # type: ignore[dict-item]
        PARAM_INFO["field_threshold"].low,
        PARAM_INFO["field_threshold"].high,
    ),  # handoffs the field rejects
    "contact_max": (PARAM_INFO["contact_max"].low, PARAM_INFO["contact_max"].high),  # type: ignore[dict-item]  # prospects who pick up
}
# Statistics the distance compares: rates, and volumes a day (the entry point's is set from the data by
# :mod:`sim.experiments.fit_levels`; the others follow from it and the rates).
STATISTICS = (
    "inquiries_per_day",
    "opportunities_per_day",
    "deals_won_per_day",
    "revenue_per_day",
    "win_rate",
    "median_cycle_days",
    "close_rate",
    "contact_rate",
    "qualify_rate",
    "opportunity_rate",
    "reject_rate",
    "ignore_rate",
    "response_hours",
    "acceptance_days",
)
STATISTIC_LABELS = {
    "inquiries_per_day": "inbound inquiries a day",
    "opportunities_per_day": "opportunities opened a day",
    "deals_won_per_day": "deals won a day",
    "revenue_per_day": "revenue a day",
    "win_rate": "won / closed",
    "median_cycle_days": "median cycle (days)",
    "close_rate": "deals closed / opportunities opened",
    "contact_rate": "contacted / touched",
    "qualify_rate": "qualified / contacted",
    "opportunity_rate": "opportunities / handed off",
    "reject_rate": "rejected / handed off",
    "ignore_rate": "ignored / handed off",
    "response_hours": "median response to inquiries (hours)",
    "acceptance_days": "median handoff to opportunity (days)",
}
DEFAULT_BUDGET = 2000  # simulations: about 14 minutes here (2 cores) for a year of a default-size organization
DEFAULT_POPULATION = 100
REPLICATES = 2  # runs (seeds) each candidate is judged on (pseudo-marginal ABC: the same posterior, less noise)
MIN_ACCEPTANCE = 0.15  # stop when fewer moves are accepted: most refills would stay copies of their source
MOST_MOVES = 5  # Metropolis-Hastings steps a generation may take
SHIPPED_RUNS = 10  # runs of fitted.yaml as shipped, at posterior draws (beyond the budget)


class FitError(SalesimError):
    """A fit that cannot be done as asked (exit code 2)."""


def statistics(observed: dict[str, Any]) -> np.ndarray:
    """The fit's statistics of an observed funnel (an import's or a run's); NaN where it cannot say."""
    k = dict(observed["kpis"])
    if k.get("deals_won") is not None and k.get("deals_lost") is not None:
        k["deals_closed"] = k["deals_won"] + k["deals_lost"]

    def ratio(num: str, den: str) -> float:
        a, b = k.get(num), k.get(den)
        return float(a) / float(b) if a is not None and b else math.nan

    days = observed["period"]["days"]
    inquiries = observed["volume"]["by_kind"].get("inbound", 0)
    values: dict[str, Any] = {
        "inquiries_per_day": inquiries / days if days > 0 else None,
        "opportunities_per_day": k.get("opportunities_per_day"),
        "deals_won_per_day": k.get("deals_won_per_day"),
        "revenue_per_day": k.get("revenue_per_day"),
        "win_rate": k.get("win_rate"),
        "median_cycle_days": k.get("median_cycle_days"),
        "close_rate": ratio("deals_closed", "opportunities"),
        "contact_rate": ratio("leads_contacted", "leads_touched"),
        "qualify_rate": ratio("leads_qualified", "leads_contacted"),
        "opportunity_rate": ratio("opportunities", "leads_handed_off"),
        "reject_rate": ratio("leads_rejected", "leads_handed_off"),
        "ignore_rate": ratio("leads_ignored", "leads_handed_off"),
        "response_hours": k.get("median_response_hours"),
        "acceptance_days": (observed.get("handoff_to_opportunity_days") or {}).get("p50"),
    }
    return np.array([math.nan if values[s] is None else float(values[s]) for s in STATISTICS])


def fit_measure(result, kinds: frozenset[str] | None = None) -> dict[str, float]:
    """What each simulation of a fit keeps: the fit's statistics of its observed funnel.

    ``kinds``: count only leads of these sources (those a lead export holds: an export of inbound MQLs
    has none of the field's own or the inside team's outbound leads, nor their wins).
    """
    from sim.crm.observed import observed_from_run

    leads = result.leads if kinds is None else result.leads[result.leads["source"].astype(str).isin(kinds)]
    observed = observed_from_run(leads, result.scenario.simulation.days)
    return dict(zip(STATISTICS, statistics(observed).tolist(), strict=True))


def kinds_of(observed: dict[str, Any], entry: str, fields: frozenset[str] | None) -> frozenset[str] | None:
    """The lead sources a lead export holds (its mapped sources), or None: every simulated lead counts."""
    if entry != "inquiries" or fields is None or "source" not in fields:
        return None
    kinds = frozenset(str(k) for k in observed["volume"]["by_kind"])
    simulated = {"inbound", "outbound", "field", "referral", "recycled"}
    return kinds & simulated if kinds & simulated and not simulated <= kinds else None


@dataclass
class Fit:
    """A finished fit.

    Attributes:
        scenario: the fitted scenario (measured values set, posterior medians under ``behavior:``).
        prior: the fitted parameters' priors.
        generations: every generation of ABC-SMC.
        draws: the posterior sample: the last generation's particles after the regression adjustment.
        checked: statistics of runs at posterior draws (the posterior predictive check).
        observed: the export's statistics (:data:`STATISTICS`).
        measured: what the export measured directly.
        seconds: wall time spent simulating in this call.
        empty_start: the export's period opens with far fewer deals in flight than a steady state holds, and
            the runs did not start from its own pipeline at that date (which reproduces the empty start).
        entry: where the export's volume enters the model ("inquiries" or "opportunities").
        not_identified: statistics above the entry point, left out of the fit.
        levels: the volume and deal-size levels set to the export's (:mod:`sim.experiments.fit_levels`).
        organization_given: the headcounts are the ``--scenario``'s, not the export's.
        shipped: statistics of runs of the fitted scenario as shipped (from the pipeline at the export's
            end), at posterior draws.
        kinds: the lead sources the runs' statistics count (those the export holds), or None: all.
        period: the export's period the fit compares with (``start``, ``end``, ``days``, ``timezone``).
    """

    scenario: Scenario
    prior: Prior
    generations: list[Generation]
    draws: np.ndarray
    checked: np.ndarray
    observed: np.ndarray
    measured: Measured
    seconds: float
    empty_start: bool = False
    entry: str = "inquiries"
    not_identified: tuple[str, ...] = ()
    levels: dict[str, Any] = field(default_factory=dict)
    organization_given: bool = False
    shipped: np.ndarray | None = None
    kinds: list[str] | None = None
    period: dict[str, Any] = field(default_factory=dict)

    @property
    def posterior(self) -> pd.DataFrame:
        """The posterior sample: one row per particle, a column per fitted parameter."""
        return pd.DataFrame(self.draws, columns=list(self.prior.names))

    def parameters(self) -> list[dict[str, Any]]:
        """Each fitted parameter: prior, median, 90% interval; informed, contracted, at a prior edge, pinned down."""
        reproduced = {s["statistic"] for s in self.statistics() if s["inside"]}
        return self._claims(reproduced)

    def _claims(self, reproduced: set[str] | None = None) -> list[dict[str, Any]]:
        usable = reachable(STATISTICS, self.observed, self.generations[0].all_stats())
        return parameter_claims(self.prior.names, self.prior.low, self.prior.high, self.draws, self.observed_dict,
                                usable, reproduced, informs_for(self.entry))  # fmt: skip

    @property
    def observed_dict(self) -> dict[str, float]:
        """The export's statistics by name (NaN: not measured, or not identified above the entry point)."""
        return dict(zip(STATISTICS, self.observed.tolist(), strict=True))

    def statistics(self) -> list[dict[str, Any]]:
        """Each statistic observed against the check runs' 5-95% band: inside, or not reproduced and why."""
        return statistic_claims(STATISTICS, STATISTIC_LABELS, self.observed, self.checked,
                                self.generations[0].all_stats(), self._claims(), self.empty_start)  # fmt: skip

    def shipped_report(self) -> list[dict[str, Any]]:
        """Runs of fitted.yaml as shipped (from the export's open deals at its end): each statistic's band."""
        if self.shipped is None or not len(self.shipped):
            return []
        rows = statistic_claims(STATISTICS, STATISTIC_LABELS, self.observed, self.shipped,
                                self.generations[0].all_stats(), self._claims(), self.empty_start)  # fmt: skip
        return [{k: r[k] for k in ("statistic", "label", "observed", "simulated_p05", "simulated_median",
                                   "simulated_p95", "inside")} for r in rows]  # fmt: skip

    def report(self) -> dict[str, Any]:
        """fit.json: what was measured, what was fitted and how well, and how the fit ran."""
        parameters = self.parameters()
        statistics = self.statistics()
        return {
            "period": self.period,
            "method": "ABC-SMC (Drovandi & Pettitt 2011) on the experiment runner, the last population "
            "regression-adjusted (Beaumont, Zhang & Balding 2002); distance: Euclidean on the statistics scaled "
            "by their spread under the prior",
            "measured": self.measured.__dict__,
            "entry_point": self.entry,
            "sources_counted": self.kinds or "all: the export holds every source the model has, or says none",
            "not_identified": list(self.not_identified),
            "levels": self.levels,
            "fitted": parameters,
            "pinned_down": [p["parameter"] for p in parameters if p["pinned_down"]],
            "prior_edges": edge_lines(parameters),
            "not_fitted": "every other behaviour parameter keeps its default and its plausible range "
            "(salesim show); --uncertainty draws them from their ranges and the fitted ones from the posterior",
            "statistics": statistics,
            "not_reproduced": [s["statistic"] for s in statistics if s["inside"] is False],
            "practices_differ": practice_lines(statistics),
            "shipped": self.shipped_report(),
            "generations": [_generation_row(g) for g in self.generations],
            "simulations": sum(g.simulations for g in self.generations),
            "check_runs": len(self.checked),
            "seconds_this_call": self.seconds,
        }


def _generation_row(g: Generation) -> dict[str, Any]:
    return {
        "generation": g.number,
        "tolerance": g.tolerance if math.isfinite(g.tolerance) else None,
        "simulations": g.simulations,
        "acceptance": g.acceptance,
    }


def prior_of(names: tuple[str, ...] = tuple(FITTED), ranges: dict[str, tuple[float, float]] | None = None) -> Prior:
    """Uniform priors on the fitted parameters' ranges (``ranges`` widens or narrows some: ``--prior``)."""
    box = FITTED | (ranges or {})
    return Prior(names, np.array([box[n][0] for n in names]), np.array([box[n][1] for n in names]))


def with_behavior(base: Scenario, names: tuple[str, ...], theta: np.ndarray, label: str) -> Scenario:
    """The base scenario with these fitted values under ``behavior:``."""
    data = scenario_to_dict(base)
    changes = {f"behavior.{n}": float(v) for n, v in zip(names, theta, strict=True)}
    return validate(with_values(data, changes), source=label)


def fingerprint(base: Scenario, observed: np.ndarray, settings: dict[str, Any]) -> str:
    """What a stored generation belongs to: the base scenario, the observed statistics, the settings."""
    text = json.dumps(
        {"base": scenario_to_dict(base), "observed": [None if math.isnan(x) else x for x in observed], **settings},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def generation_store(folder: Path, key: str):
    """Write each generation as it finishes (atomically), and read back those of this fit."""
    from sim.experiments.files import atomic_write

    folder.mkdir(parents=True, exist_ok=True)

    def save(g: Generation) -> None:
        table = pd.DataFrame(g.particles).add_prefix("theta_")
        table = table.join(pd.DataFrame(g.stats).add_prefix("stat_"))
        table["distance"] = g.distances
        if g.run_stats is not None and g.run_distances is not None:  # each candidate's runs (replicates)
            for r in range(g.replicates):
                table = table.join(pd.DataFrame(g.run_stats[:, r]).add_prefix(f"rstat{r}_"))
                table[f"rdist{r}"] = g.run_distances[:, r]
        meta = {"fit": key, **_generation_row(g)}
        atomic_write(folder / f"gen_{g.number:03d}.json", lambda tmp: tmp.write_text(json.dumps(meta)))
        atomic_write(folder / f"gen_{g.number:03d}.parquet", lambda tmp: table.to_parquet(tmp, index=False))

    def load() -> list[Generation]:
        done = []
        for number in range(10_000):
            meta_path, path = folder / f"gen_{number:03d}.json", folder / f"gen_{number:03d}.parquet"
            if not (meta_path.is_file() and path.is_file()):
                break
            try:
                meta, table = json.loads(meta_path.read_text()), pd.read_parquet(path)
            except Exception:  # a damaged generation: the fit continues from the one before
                break
            if meta.get("fit") != key:
                break
            theta = table.filter(regex=r"^theta_").to_numpy(dtype=float)
            stats = table.filter(regex=r"^stat_").to_numpy(dtype=float)
            tolerance = math.inf if meta["tolerance"] is None else float(meta["tolerance"])
            k = len(table.filter(regex=r"^rdist\d+$").columns)  # runs per candidate, when more than one
            runs = run_d = None
            if k:
                runs = np.stack([table.filter(regex=rf"^rstat{r}_").to_numpy(dtype=float) for r in range(k)], axis=1)
                run_d = table.filter(regex=r"^rdist\d+$").to_numpy(dtype=float)
            done.append(Generation(meta["generation"], theta, table["distance"].to_numpy(dtype=float), tolerance,
                                   int(meta["simulations"]), float(meta["acceptance"]), stats, runs,
                                   run_d))  # fmt: skip
        return done

    return save, load


@contextmanager
def executor_for(workers: int, kind: str, scheduler: str | None) -> Iterator[Executor | None]:
    """One executor for the whole fit (a pool started once, not once a generation)."""
    from sim.experiments.runner import process_pool

    if kind == "dask":
        from sim.experiments.sweep import dask_executor

        with dask_executor(workers, scheduler) as pool:
            yield pool
    elif workers <= 1:
        yield None
    else:
        with process_pool(workers) as pool:
            yield pool


def fit(
    leads: pd.DataFrame,
    observed: dict[str, Any],
    base: Scenario,
    folder: Path,
    *,
    keep_organization: bool = False,
    names: tuple[str, ...] = tuple(FITTED),
    budget: int = DEFAULT_BUDGET,
    population: int = DEFAULT_POPULATION,
    seed: int = 1,
    checks: int = 40,
    workers: int = 1,
    executor: str = "processes",
    scheduler: str | None = None,
    fresh: bool = False,
    progress: bool = False,
    fields: frozenset[str] | None = None,
    pipeline: Path | None = None,
    shipped_pipeline: Path | None = None,
    ranges: dict[str, tuple[float, float]] | None = None,
    replicates: int = REPLICATES,
) -> Fit:
    """Fit the base scenario's behaviour to an export's observed funnel.

    Args:
        leads: the export's canonical lead table (:func:`sim.crm.reader.read_export`).
        observed: its observed funnel (:func:`sim.crm.observed.funnel`).
        base: the scenario the company is run as (structure and levers); headcounts and the market
            are set from the export unless ``keep_organization``.
        folder: where the generations are stored (and resumed from).
        keep_organization: keep the base scenario's headcounts (the user's scenario) instead of the export's.
        names: the parameters to fit (of :data:`FITTED`); the others keep their defaults.
        budget: simulations in all.
        population: the posterior sample's size.
        seed: the fit's seed (parameter draws and run seeds).
        checks: runs at posterior draws for the check (beyond the budget).
        workers: processes (1: serial).
        executor: "processes" or "dask".
        scheduler: a Dask scheduler's address (with ``executor="dask"``).
        fresh: throw away stored generations and start again.
        progress: show progress bars.
        fields: the fields the export has columns for (``Export.fields``), to tell its entry point.
        pipeline: the export's open pipeline at the period's start (``pipeline_start.parquet``): the runs
            of the fit, the levels and the check simulate its period from it.
        shipped_pipeline: the open pipeline fitted.yaml ships (``pipeline.parquet``, at the period's end):
            runs of the fitted scenario as shipped start from it (``Fit.shipped``).
        ranges: priors other than :data:`FITTED`'s for some parameters (``--prior``).
        replicates: runs (seeds) each candidate is judged on; the budget counts runs.
    """
    if not 2 <= population <= 100_000:
        raise FitError(f"--population {population}: between 2 and 100,000")
    if not 1 <= replicates <= 20:
        raise FitError(f"--replicates {replicates}: between 1 and 20")
    if budget < 2 * population * replicates:
        raise FitError(f"--budget {budget}: at least twice the population times the runs each candidate is "
                       f"judged on ({population} x {replicates} x 2 = {2 * population * replicates})")  # fmt: skip
    unknown = sorted(set(names) - set(FITTED))
    if unknown or not names:
        raise FitError(f"cannot fit {', '.join(unknown) or 'nothing'}: the parameters a fit can pin down are "
                       f"{', '.join(FITTED)}")  # fmt: skip
    ranges = check_ranges(ranges or {}, names)
    target = statistics(observed)
    entry = entry_point(leads, observed, fields)
    not_identified = ABOVE_OPPORTUNITY if entry == "opportunities" else ()
    for s in not_identified:  # the funnel above the entry point: not identified, not fitted
        target[STATISTICS.index(s)] = math.nan
    if np.isnan(target).all():
        raise FitError("the export has none of the statistics a fit needs (closed deals, contacts, handoffs)")
    measured = Measured.of(leads, observed)
    if entry == "opportunities":
        measured.inbound_per_day = None  # its rows are opportunities, not inquiries: volume set by match_levels
    data = with_values(scenario_to_dict(base), measured.overrides(base, keep_organization))
    data["timeline"] = []  # the export's period is the organization as it was
    if pipeline is not None:
        data["pipeline"] = str(pipeline)  # the period simulated from the deals open at its start
    fixed = validate(data, source=f"{base.name} with the export's measurements")
    prior = prior_of(tuple(names), ranges)
    store = folder / "generations"
    if fresh and store.exists():
        for path in store.glob("gen_*"):
            path.unlink()
    kinds = kinds_of(observed, entry, fields)
    measure = fit_measure if kinds is None else functools.partial(fit_measure, kinds=kinds)
    started = time.perf_counter()
    with executor_for(workers, executor, scheduler) as pool:

        def simulate_on(scenario: Scenario, phase: str = "") -> Callable[[np.ndarray, int], np.ndarray]:
            def simulate(thetas: np.ndarray, number: int) -> np.ndarray:
                seeds = np.random.default_rng([seed, number, 7]).integers(0, 2**31 - 1, len(thetas))
                tasks = [
                    Task(with_behavior(scenario, prior.names, theta, f"fit generation {number}"), int(s),
                         {"generation": number, "particle": i}, measure)
                    for i, (theta, s) in enumerate(zip(thetas, seeds, strict=True))
                ]  # fmt: skip
                table = run_tasks(tasks, workers, pool, progress, f"fit, {phase or f'generation {number}'}")
                stats = np.full((len(tasks), len(STATISTICS)), np.nan)
                ok = (table["status"] == "ok").to_numpy()
                if ok.any():
                    stats[ok] = table.loc[ok, list(STATISTICS)].to_numpy(dtype=float)
                return stats

            return simulate

        def level_runs(theta: np.ndarray, stage: int) -> Callable[[Scenario, int], pd.DataFrame]:
            def runs(scenario: Scenario, number: int) -> pd.DataFrame:
                phase = f"levels {'at the posterior median' if stage else 'before the fit'}, round {number + 1}"
                stats = simulate_on(scenario, phase)(np.tile(theta, (SEEDS, 1)), 20_000 + 100 * stage + number)
                return pd.DataFrame(stats, columns=list(STATISTICS))

            return runs

        wanted = dict(zip(STATISTICS, target.tolist(), strict=True))
        wanted["opportunities_per_day"] = statistics(observed)[STATISTICS.index("opportunities_per_day")]
        centre = (prior.low + prior.high) / 2
        levelled, before = match_levels(fixed, entry, wanted, level_runs(centre, 0))
        key = fingerprint(levelled, target, {"population": population, "seed": seed, "replicates": replicates,
                                             "prior": [(n, float(prior.low[i]), float(prior.high[i]))
                                                       for i, n in enumerate(names)]})  # fmt: skip
        save, load = generation_store(store, key)
        simulate = simulate_on(levelled)

        def engine(aim: np.ndarray, runs: int, done: list[Generation]) -> list[Generation]:
            return abc_smc(simulate, aim, prior, population=population, budget=runs, seed=seed, done=done,
                           on_generation=save, replicates=replicates, min_acceptance=MIN_ACCEPTANCE,
                           most_moves=MOST_MOVES)  # fmt: skip

        done = load() or engine(target, population * replicates, [])  # the draws from the prior first
        aimed = reachable_target(target, done[0])
        generations = engine(aimed, budget, [_rescored(done[0], aimed), *done[1:]])
        last = generations[-1]
        draws = regression_adjust(last.particles, last.stats, aimed, prior)
        median = np.median(draws, axis=0)
        shipped, after = match_levels(levelled, entry, wanted, level_runs(median, 1))  # at the posterior median
        levels = after | {k: before[k] * after[k] for k in ("volume_factor", "deal_factor")}
        levels["rounds"] = [{"at": "prior centre", **r} for r in before["rounds"]] + [
            {"at": "posterior median", **r} for r in after["rounds"]
        ]
        picked = np.random.default_rng([seed, 99]).choice(len(draws), size=min(checks, len(draws)), replace=False)
        checked = simulate_on(shipped, "check")(draws[picked], 10_000) if checks else last.stats
        as_shipped = shipped
        if shipped_pipeline is not None:
            as_shipped = validate(with_values(scenario_to_dict(shipped), {"pipeline": str(shipped_pipeline)}),
                                  source=f"{base.name} fitted, as shipped")  # fmt: skip
        some = picked[: min(len(picked), SHIPPED_RUNS)]
        ran = simulate_on(as_shipped, "fitted.yaml as shipped")(draws[some], 30_000) if checks else last.stats[:0]
    seconds = time.perf_counter() - started
    fitted = with_behavior(as_shipped, prior.names, median, f"{base.name} fitted")
    return Fit(fitted, prior, generations, draws, checked, target, measured, seconds,
               empty_start=pipeline is None and empty_start(leads, observed), entry=entry,
               not_identified=not_identified,
               levels=levels, organization_given=keep_organization, shipped=ran,
               kinds=sorted(kinds) if kinds else None,
               period={k: observed["period"].get(k) for k in ("start", "end", "days", "timezone")})  # fmt: skip


def reachable_target(target: np.ndarray, first: Generation) -> np.ndarray:
    """The observed statistics the fit aims at: those some run from the prior came near.

    One that none came near (a won-deals table's 100% win rate) would only pull the posterior against
    the nearest prior edge; it is left out of the distance (and reported as not reproduced). So are the
    practice statistics (:data:`PRACTICE_STATISTICS`): the practices set them, not the fitted parameters.
    """
    usable = reachable(STATISTICS, target, first.all_stats()) - set(PRACTICE_STATISTICS)
    return np.array([x if s in usable else math.nan for s, x in zip(STATISTICS, target, strict=True)])


def _rescored(first: Generation, aimed: np.ndarray) -> Generation:
    """The first generation with its distances from the statistics aimed at (the tolerances start from them)."""
    return judged(first, aimed, scales(first.all_stats()))


def check_ranges(ranges: dict[str, tuple[float, float]], names: tuple[str, ...]) -> dict[str, tuple[float, float]]:
    """``--prior NAME=LOW,HIGH``: a fitted parameter, LOW below HIGH, inside the parameter's bounds."""
    for name, (low, high) in ranges.items():
        if name not in names:
            raise FitError(f"--prior {name}: not a parameter this fit fits ({', '.join(names)})")
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise FitError(f"--prior {name}={low:g},{high:g}: LOW must be below HIGH")
        bounds = PARAM_INFO[name].bounds
        if bounds is not None and not (bounds[0] <= low and high <= bounds[1]):
            raise FitError(f"--prior {name}={low:g},{high:g}: outside what the model allows ({bounds[0]:g} to "
                           f"{bounds[1]:g})")  # fmt: skip
    return ranges
