"""One calibration engine for the generic company: the published facts' bands in, a posterior out.

The machinery is the user's-company fit's (:mod:`sim.experiments.fit`): ABC-SMC
(:mod:`sim.experiments.abc`) on the experiment runner (serial, a process pool or Dask:
identical numbers), each generation stored on disk as it finishes with a fingerprint, so a
stopped calibration resumes where it stopped. What differs is the target: published facts
are ranges, not observations, so the distance is a *range* distance
(:func:`range_distance`): a fitted statistic adds nothing inside its band and, outside, its
distance to the nearer edge over the band's width (on a log scale for ratios), weighted by
its source's reliability (HBR and peer-reviewed 3, vendor surveys 2, the rest 1). Held-out
statistics are measured on every run and never enter the distance.

One simulation is a parameter set run as the two reference runs of
``salesim check-calibration`` (``defined`` for the organization's facts, the response run
for qualification by delay), a year after the warm-up, on one seed. Every parameter not in
:data:`CALIBRATED` keeps its default.

Outputs (``--out``): ``posterior.parquet`` (the last generation's particles, their
distances and statistics), ``parameters.csv`` (default, posterior median and 90% band,
prior, "at prior edge", "informed"), ``facts.csv`` (every statistic at the posterior median,
with a 95% interval over replications, and whether it lands inside its band) and
``calibration.md``; ``generations/`` holds the stored generations.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.config.errors import SalesimError
from sim.config.levers import derive
from sim.config.params import PARAM_INFO, params_to_dict
from sim.config.scenario import Scenario, scenario_to_dict
from sim.experiments.abc import Generation, Metric, Prior, Simulator, abc_smc
from sim.experiments.calibration import Validation, check, reference_scenarios, shares_inside
from sim.experiments.calibration_facts import MEASURES, STATISTICS, Statistic
from sim.experiments.fit import executor_for, fingerprint, generation_store, with_behavior  # the fit's machinery
from sim.experiments.runner import Task, run_tasks

# The parameters the calibration fits (the lead engineer edits this list); every other one keeps its default.
CALIBRATED: tuple[str, ...] = (
    "decay_scale_hours",
    "decay_exponent",
    "agree_interest",
    "need_floor",
    "contact_max",
    "contact_floor",
    "answered_attention",
    "win_logit",
    "field_leads_per_hour",
    "self_prospect_when_supported",
)
# The priors of the calibrated parameters, fixed here: once a calibration has run, the params table's
# plausible ranges are its posterior bands, and a prior taken from them would count the facts twice
PRIOR_RANGES: dict[str, tuple[float, float]] = {
    "decay_scale_hours": (0.5, 2.0),
    "decay_exponent": (2.0, 3.5),
    "agree_interest": (0.15, 0.35),
    "need_floor": (0.005, 0.05),
    "contact_max": (0.4, 0.95),
    "contact_floor": (0.05, 0.3),
    "answered_attention": (0.05, 0.5),
    "win_logit": (-2.6, -0.6),  # win rates of about 10-35% (FACTS 2: 17-30%), the fit's prior
    "field_leads_per_hour": (0.08, 0.30),  # per hour of outreach (docs/SOURCES.md Q13b; was 0.05-0.15 per SDR hour)
    "self_prospect_when_supported": (0.3, 0.9),
}
DEFAULT_BUDGET = 600  # parameter sets (two one-year runs each, ~2.5 s of one core): ~15-20 min on 2 cores
DEFAULT_POPULATION = 60
DEFAULT_REPLICATIONS = 10  # runs at the posterior median for facts.csv
MISSING_PENALTY = 3.0  # a fitted statistic a run could not measure counts as three band widths outside
EDGE = 0.05  # the 90% band "touches" a prior edge within this share of the prior's width
INFORMED = 0.5  # informed: the 90% band narrower than this share of the prior
# every statistic measured on a simulation (fitted and held out; the alignment gap needs other runs)
MEASURED: tuple[Statistic, ...] = tuple(s for s in STATISTICS if s.comparable and s.run != "alignment")


class CalibrationError(SalesimError):
    """A calibration that cannot be done as asked (exit code 2)."""


def prior_of(names: tuple[str, ...]) -> Prior:
    """Uniform priors on the parameters' plausible ranges (the params table's, else :data:`PRIOR_RANGES`)."""
    bounds = []
    for name in names:
        info = PARAM_INFO.get(name)
        if info is None:
            raise CalibrationError(f"cannot calibrate {name}: no such behaviour parameter")
        low, high = PRIOR_RANGES.get(name, (info.low, info.high))
        if low is None or high is None or not low < high:
            raise CalibrationError(f"cannot calibrate {name}: it has no plausible range (add one to PRIOR_RANGES)")
        bounds.append((float(low), float(high)))
    return Prior(names, np.array([b[0] for b in bounds]), np.array([b[1] for b in bounds]))


def range_distance(stats: np.ndarray, statistics: tuple[Statistic, ...] = MEASURED) -> np.ndarray:
    """Weighted distance of each row of statistics from the fitted bands (held-out columns never count).

    Each fitted statistic adds its weight times the square of :meth:`Statistic.distance`; one a
    run did not measure counts :data:`MISSING_PENALTY` band widths; a failed run (nothing
    measured) is infinitely far.
    """
    stats = np.atleast_2d(np.asarray(stats, dtype=float))
    total = np.zeros(len(stats))
    for j, stat in enumerate(statistics):
        if stat.role == "fit":
            d = stat.distance(stats[:, j])
            total += stat.weight * np.where(np.isnan(d), MISSING_PENALTY, d) ** 2
    return np.where(np.isnan(stats).all(axis=1), np.inf, np.sqrt(total))


def range_metric(statistics: tuple[Statistic, ...] = MEASURED) -> Metric:
    """:func:`range_distance` in the form ABC-SMC calls (the observed values and scales are not used)."""
    return lambda stats, observed, scale: range_distance(stats, statistics)


def statistics_of(table: pd.DataFrame, particles: int) -> np.ndarray:
    """The runner's table (two runs a particle) as one row of :data:`MEASURED` per particle; NaN if a run failed."""
    out = np.full((particles, len(MEASURED)), np.nan)
    ok = (table["status"] == "ok").to_numpy()
    for j, stat in enumerate(MEASURED):
        part = table[ok & (table["arm"] == stat.run).to_numpy()]
        if stat.key in part:
            out[part["particle"].to_numpy(dtype=int), j] = part[stat.key].to_numpy(dtype=float)
    out[table.loc[~ok, "particle"].to_numpy(dtype=int)] = np.nan
    return out


def simulator(
    names: tuple[str, ...], bases: dict[str, Scenario], seed: int, workers: int, pool: Any, progress: bool
) -> Simulator:
    """Parameter sets -> statistics: each set's reference runs on the runner, one seed a set."""

    def simulate(thetas: np.ndarray, number: int) -> np.ndarray:
        seeds = np.random.default_rng([seed, number, 7]).integers(0, 2**31 - 1, len(thetas))
        tasks = [
            Task(with_behavior(base, names, theta, f"calibration generation {number}"), int(s),
                 {"particle": i, "arm": kind}, MEASURES[kind])
            for i, (theta, s) in enumerate(zip(thetas, seeds, strict=True))
            for kind, base in bases.items()
        ]  # fmt: skip
        table = run_tasks(tasks, workers, pool, progress, f"calibration, generation {number}")
        return statistics_of(table, len(thetas))

    return simulate


@dataclass
class Calibration:
    """A finished calibration.

    Attributes:
        prior: the calibrated parameters' priors.
        generations: every generation of ABC-SMC; the last one's particles are the posterior sample.
        facts: the check at the posterior median (every statistic, fitted and held out).
        seconds: wall time of this call.
        settings: budget, population, seed and replications.
    """

    prior: Prior
    generations: list[Generation]
    facts: Validation
    seconds: float
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def draws(self) -> np.ndarray:
        """The posterior sample: one row per particle."""
        return self.generations[-1].particles

    @property
    def median(self) -> np.ndarray:
        """The posterior median of each parameter (the fitted centre)."""
        return np.median(self.draws, axis=0)

    def posterior(self) -> pd.DataFrame:
        """posterior.parquet: the particles, their distances and every measured statistic."""
        last = self.generations[-1]
        table = pd.DataFrame(last.particles, columns=list(self.prior.names))
        table["distance"] = last.distances
        stats = pd.DataFrame(last.stats, columns=[f"stat_{s.key}" for s in MEASURED])
        return pd.concat([table, stats], axis=1)

    def parameters(self) -> pd.DataFrame:
        """parameters.csv: each parameter's default, posterior median and 90% band, prior, and what the data say."""
        return pd.DataFrame([parameter_row(name, self.draws[:, j], self.prior, j)
                             for j, name in enumerate(self.prior.names)])  # fmt: skip

    def facts_table(self) -> pd.DataFrame:
        """facts.csv: every statistic at the posterior median against its band."""
        t = self.facts.table
        return pd.DataFrame({
            "statistic": t["key"], "fact": t["fact"], "role": t["role"], "low": t["low"], "high": t["high"],
            "model": t["model"], "ci_low": t["ci_low"], "ci_high": t["ci_high"], "status": t["status"],
            "inside": t["status"].map({"inside": "yes", "outside": "no"}).fillna("n/a"),
        })  # fmt: skip

    def paste_lines(self) -> list[str]:
        """The fitted centres as lines to paste into sim/config/params.py (with their 90% bands)."""
        return [f"{r.parameter} = {r.posterior_median:.4g}  # fitted: scripts/calibrate.py, posterior median "
                f"(90%: {r.p05:.4g}-{r.p95:.4g}; prior {r.prior_low:g}-{r.prior_high:g})"
                for r in self.parameters().itertuples()]  # fmt: skip


def parameter_row(name: str, draws: np.ndarray, prior: Prior, j: int) -> dict[str, Any]:
    """One parameter's posterior summary against its prior."""
    low, median, high = np.quantile(draws, [0.05, 0.5, 0.95])
    lo, hi = float(prior.low[j]), float(prior.high[j])
    width = hi - lo
    return {
        "parameter": name,
        "default": PARAM_INFO[name].default,
        "posterior_median": float(median),
        "p05": float(low),
        "p95": float(high),
        "prior_low": lo,
        "prior_high": hi,
        "at_prior_edge": bool(low - lo <= EDGE * width or hi - high <= EDGE * width),
        "informed": bool(high - low < INFORMED * width),
    }


def calibrate(
    folder: Path,
    *,
    names: tuple[str, ...] = CALIBRATED,
    budget: int = DEFAULT_BUDGET,
    population: int = DEFAULT_POPULATION,
    n: int = DEFAULT_REPLICATIONS,
    seed: int = 1,
    workers: int = 1,
    executor: str = "processes",
    scheduler: str | None = None,
    fresh: bool = False,
    progress: bool = False,
) -> Calibration:
    """Fit the calibrated parameters to the published bands, then check every statistic at the posterior median.

    Args:
        folder: where the generations are stored (and resumed from).
        names: the parameters to fit; every other one keeps its default.
        budget: parameter sets simulated in all (each is two one-year runs).
        population: the posterior sample's size.
        n: replications at the posterior median for the check (facts.csv).
        seed: the calibration's seed (parameter draws and run seeds).
        workers: processes (1: serial).
        executor: "processes" or "dask".
        scheduler: a Dask scheduler's address (with ``executor="dask"``).
        fresh: throw away stored generations and start again.
        progress: show progress bars.
    """
    if not 4 <= population <= 100_000:
        raise CalibrationError(f"--particles {population}: between 4 and 100,000")
    if budget < 2 * population:
        raise CalibrationError(f"--budget {budget}: at least twice the particles ({2 * population}) to fit anything")
    prior = prior_of(tuple(names))
    bases = reference_scenarios()
    save, load = generation_store(folder / "generations", calibration_key(bases, prior, population, seed))
    if fresh:
        for path in (folder / "generations").glob("gen_*"):
            path.unlink()
    started = time.perf_counter()
    with executor_for(workers, executor, scheduler) as pool:
        simulate = simulator(prior.names, bases, seed, workers, pool, progress)
        generations = abc_smc(simulate, np.full(len(MEASURED), np.nan), prior, population=population, budget=budget,
                              seed=seed, done=load(), on_generation=save, metric=range_metric())  # fmt: skip
        median = np.median(generations[-1].particles, axis=0)
        centre = [f"behavior.{k}={float(v)!r}" for k, v in zip(prior.names, median, strict=True)]
        facts = check(n=n, seed=seed, workers=workers, executor=pool, progress=progress, behavior=centre,
                      alignment=False)  # fmt: skip
    settings = {"budget": budget, "particles": population, "seed": seed, "replications": n}
    return Calibration(prior, generations, facts, time.perf_counter() - started, settings)


def calibration_key(bases: dict[str, Scenario], prior: Prior, population: int, seed: int) -> str:
    """What stored generations belong to: the reference runs and their parameters, bands, prior and settings."""
    settings = {
        "response": scenario_to_dict(bases["response"]),
        # every behaviour parameter as derived now: a changed default makes the stored generations another fit's
        "behavior": {kind: params_to_dict(derive(base)) for kind, base in bases.items()},
        "bands": [(s.key, s.low, s.high, s.role, s.log, s.reliability) for s in MEASURED],
        "prior": [(n, float(lo), float(hi)) for n, lo, hi in zip(prior.names, prior.low, prior.high, strict=True)],
        "population": population,
        "seed": seed,
    }
    return fingerprint(bases["organization"], np.array([]), settings)


def write_calibration_outputs(result: Calibration, folder: Path) -> None:
    """posterior.parquet, parameters.csv, facts.csv and calibration.md."""
    from sim.experiments.files import atomic_write

    folder.mkdir(parents=True, exist_ok=True)
    atomic_write(folder / "posterior.parquet", lambda tmp: result.posterior().to_parquet(tmp, index=False))
    atomic_write(folder / "parameters.csv", lambda tmp: result.parameters().to_csv(tmp, index=False))
    atomic_write(folder / "facts.csv", lambda tmp: result.facts_table().to_csv(tmp, index=False))
    atomic_write(folder / "calibration.md", lambda tmp: tmp.write_text(calibration_markdown(result)))


def calibration_markdown(result: Calibration) -> str:
    """calibration.md: what was fitted to what, how it went, and what to paste."""
    shares = shares_inside(result.facts.table)
    gens = result.generations
    lines = [
        "# Calibration of the generic company",
        "",
        "ABC-SMC (Drovandi & Pettitt 2011) on the experiment runner; range distance: 0 inside a fitted fact's "
        "band, outside the distance to the nearer edge over the band's width (log scale for ratios), weighted by "
        "reliability (HBR/PR 3, VS 2, others 1). Held-out facts never enter the distance.",
        "",
        f"- settings: {result.settings}",
        f"- generations: {len(gens)}, simulations: {sum(g.simulations for g in gens)}, last tolerance: "
        f"{gens[-1].tolerance:.3g}, last acceptance: {gens[-1].acceptance:.2f}",
        f"- wall time of this call: {result.seconds:.0f} s",
        *(
            f"- {role}: {inside} of {counted} inside their published band at the posterior median"
            for role, (inside, counted) in shares.items()
        ),
        "",
        "## Parameters",
        "",
        markdown_table(result.parameters()),
        "",
        "## Facts at the posterior median",
        "",
        markdown_table(result.facts_table()),
        "",
        "## Lines for sim/config/params.py",
        "",
        "```",
        *result.paste_lines(),
        "```",
        "",
    ]
    return "\n".join(lines)


def not_measured(result: Calibration) -> list[str]:
    """Statistics the model did not record (reported, never counted)."""
    return [str(k) for k in result.facts.table.loc[result.facts.table["status"] == "not measured", "key"]]


def markdown_table(table: pd.DataFrame) -> str:
    """A table in Markdown (numbers to 4 significant digits)."""

    def cell(value: Any) -> str:
        return f"{value:.4g}" if isinstance(value, float) else str(value)

    rows = [list(table.columns), ["---"] * len(table.columns)]
    rows += [[cell(v) for v in row] for row in table.itertuples(index=False)]
    return "\n".join("| " + " | ".join(row) + " |" for row in rows)
