"""The search: NSGA-II a generation at a time on the one runner, its runs spent where they decide.

pymoo's mixed-variable genetic algorithm with NSGA-II's survival (non-dominated rank, then
crowding distance; Deb et al. 2002) proposes a generation of plans (``ask``); the runner
evaluates them; the algorithm is told the objectives and constraints (``tell``). pymoo, not
EMA Workbench's robust optimisation, because ask-and-tell leaves the evaluation to salesim's
runner (common random numbers, a process pool or Dask, the resumable store, successive halving),
where EMA's ``optimize`` runs its own evaluator loop, and because pymoo seeds its own generator.

Successive halving on the markets (the racing idea of Maron & Moore 1994 and irace, in the
form of Jamieson & Talwalkar 2016): each generation's new plans run on every assumption set
and the first market; the best ``promote`` share of them (feasible first, then by
non-dominated rank and the chosen objective) runs on the other markets too. Plans left at one
market stay in the search with their noisier figures; the front and the recommended plan are
taken among plans run on every market (the final front is topped up first).

A search replayed from the same spec takes the same steps: each plan's figures come from the
markets granted to it so far in this replay, never from runs a killed earlier attempt did
later, so a resume ends where an uninterrupted search would.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.config.scenario import Scenario, ScenarioError
from sim.experiments.plan import Work, count, run_seconds
from sim.experiments.runner import Task, run_tasks
from sim.planning.decisions import Plan, Variable, decode, peak_headcount, plan_key, plan_scenario
from sim.planning.evaluate import TODAY, Design, Store, statistic
from sim.planning.spec import PlanError, PlanSpec

INFEASIBLE = 1e6  # a violation for a plan that cannot be run at all (an exit of more reps than there are)
FINAL_ROUNDS = 3  # top-ups of the final front at most


@dataclass
class Candidate:
    """A plan seen by the search, with the markets granted to it and its figures.

    Attributes:
        key: its identity in the store.
        plan: decision name -> value.
        scenario: its scenario (None if the plan is not a valid organization).
        markets: markets it has been run on, in every set.
        generation: the generation that first proposed it (0: today's organization).
        problem: why it cannot run ("" if it can).
    """

    key: str
    plan: Plan
    scenario: Scenario | None
    markets: int = 0
    generation: int = 0
    problem: str = ""


def planned_work(spec: PlanSpec, base: Scenario, generations: int | None = None, workers: int | None = None) -> Work:
    """The runs the search may take (an upper bound) and their estimated time, counted before it starts."""
    s, m, p = spec.uncertainty.sets, spec.uncertainty.markets, spec.search.population
    g = spec.search.generations if generations is None else generations
    k = math.ceil(spec.search.promote * p)
    seconds = run_seconds(base)
    work = Work() if workers is None else Work(workers=workers)
    work.add(f"today's organization x {count(s, 'assumption set')} x {count(m, 'market')}", s * m, seconds)
    work.add(f"{count(g, 'generation')} x {p} plans x {s} sets on 1 market", g * p * s, seconds)
    if m > 1:
        work.add(f"the best {k} of each on {m - 1} more", g * k * s * (m - 1), seconds)
        work.add("the final front on every market", p * s * (m - 1), seconds)
    return work


def generations_within(spec: PlanSpec, base: Scenario, budget: int) -> int:
    """The most generations whose runs fit in ``budget`` (PlanError if not even one does)."""
    fits = [g for g in range(1, spec.search.generations + 1) if planned_work(spec, base, g).runs <= budget]
    if not fits:
        need = planned_work(spec, base, 1).runs
        raise PlanError(
            f"--budget {budget}: one generation of {spec.name} takes up to {need:,} runs; give at least that, "
            "or fewer sets, markets or plans a generation"
        )
    return fits[-1]


def _problem(spec: PlanSpec, found: list[Variable]) -> Any:
    from pymoo.core.problem import Problem
    from pymoo.core.variable import Choice, Integer

    kinds = {
        v.name: Integer(bounds=(0, len(v.choices) - 1)) if v.ordered else Choice(options=list(range(len(v.choices))))
        for v in found
    }
    return Problem(vars=kinds, n_obj=len(spec.objectives), n_ieq_constr=len(spec.constraints))


class Searcher:
    """One search: the spec, today's organization, the design, the store and how runs are run."""

    def __init__(
        self,
        spec: PlanSpec,
        base: Scenario,
        found: list[Variable],
        design: Design,
        store: Store,
        run: Callable[[list[Task], str], int],
    ) -> None:
        """Set up a search; ``run(tasks, phase)`` runs tasks into the store and returns how many it ran."""
        self.spec, self.base, self.found, self.design, self.store, self.run = spec, base, found, design, store, run
        self.candidates: dict[str, Candidate] = {}
        self.markets = spec.uncertainty.markets
        self.maximise = {o.kpi: o.maximise for o in spec.objectives} | {spec.chooser.kpi: spec.chooser.maximise}
        self.runs = 0  # runs asked of the runner (0 when the store held every one)
        self.phase = ""
        self.generations = 0
        self.memo: dict[tuple[str, str, str, int], float] = {}
        self.history: list[dict[str, Any]] = []  # per generation: plans, runs so far, the best plan

    # ----------------------------------------------------------- figures

    def value(self, key: str, kpi: str, stat: str) -> float:
        """A KPI's statistic across the sets, over the markets granted to the plan so far."""
        markets = self.candidates[key].markets
        memo = (key, kpi, stat, markets)  # the runs of granted markets never change: figures kept once worked out
        if memo not in self.memo:
            self.memo[memo] = statistic(self.store.per_set(key, kpi, markets), stat)
        return self.memo[memo]

    def objectives(self, key: str) -> np.ndarray:
        """The objectives of a plan as pymoo minimises them: less is better."""
        values = [self.value(key, o.kpi, o.stat) for o in self.spec.objectives]
        signs = [-1.0 if o.maximise else 1.0 for o in self.spec.objectives]
        return np.nan_to_num(np.array([s * v for s, v in zip(signs, values, strict=True)]), nan=INFEASIBLE)

    def violations(self, key: str) -> np.ndarray:
        """The constraints of a plan as pymoo reads them: above 0 is a violation, in units of the bound."""
        c = self.candidates[key]
        out = []
        for con in self.spec.constraints:
            if c.scenario is None:
                out.append(INFEASIBLE)
            elif con.headcount is not None:
                out.append((peak_headcount(c.scenario) - con.headcount) / max(con.headcount, 1))
            else:
                v = self.value(key, con.kpi, con.stat)  # type: ignore[arg-type]  # a KPI constraint names one
                bound = con.min if con.min is not None else con.max
                gap = (bound - v) if con.min is not None else (v - bound)  # type: ignore[operator]
                out.append(INFEASIBLE if math.isnan(gap) else gap / max(abs(bound), 1.0))  # type: ignore[arg-type]
        return np.array(out, dtype=float)

    def feasible(self, key: str) -> bool:
        """Whether a plan can run and meets every constraint (on the markets granted so far)."""
        return self.candidates[key].scenario is not None and bool(np.all(self.violations(key) <= 0))

    def chosen(self, key: str) -> float:
        """The statistic the recommended plan is chosen by (more is better)."""
        o = self.spec.chooser
        v = self.value(key, o.kpi, o.stat)
        return v if o.maximise else -v

    def best(self) -> str | None:
        """The best feasible plan run on every market so far, by the chosen statistic."""
        done = [k for k, c in self.candidates.items() if c.markets == self.markets and k != TODAY]
        scored = [(self.chosen(k), k) for k in done if self.feasible(k) and not math.isnan(self.chosen(k))]
        return max(scored)[1] if scored else None

    # ----------------------------------------------------------- running

    def candidate(self, plan: Plan, generation: int) -> Candidate:
        """The candidate of a plan (made on first sight: its scenario, or why it cannot run)."""
        key = plan_key(plan)
        if key not in self.candidates:
            try:
                scenario: Scenario | None = plan_scenario(self.base, plan)
                problem = ""
            except ScenarioError as exc:
                scenario, problem = None, str(exc)
            self.candidates[key] = Candidate(key, plan, scenario, 0, generation, problem)
        return self.candidates[key]

    def grant(self, chosen: list[Candidate], markets: int, phase: str) -> None:
        """Run each chosen plan on the first ``markets`` markets of every set (runs in the store are not redone)."""
        tasks = []
        for c in chosen:
            if c.scenario is not None and c.markets < markets:
                tasks += self.store.missing(self.design.tasks(c.key, c.scenario, range(c.markets, markets)))
        self.runs += self.run(tasks, phase) if tasks else 0
        for c in chosen:
            c.markets = max(c.markets, markets) if c.scenario is not None else 0

    def today(self) -> Candidate:
        """Today's organization, on every set and market."""
        today = Candidate(TODAY, {}, self.base, 0, 0)
        self.candidates[TODAY] = today
        self.grant([today], self.markets, "today's organization")
        return today

    def promote(self, chosen: list[Candidate]) -> list[Candidate]:
        """The best ``promote`` share of a generation's plans not yet on every market (successive halving)."""
        from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting

        open_ = [c for c in chosen if c.scenario is not None and c.markets < self.markets]
        if not open_:
            return []
        k = math.ceil(self.spec.search.promote * len(open_))
        ranks = NonDominatedSorting().do(np.array([self.objectives(c.key) for c in open_]), return_rank=True)[1]
        order = sorted(
            range(len(open_)),
            key=lambda i: (
                float(np.clip(self.violations(open_[i].key), 0, None).sum()),
                int(ranks[i]),
                -self.chosen(open_[i].key) if not math.isnan(self.chosen(open_[i].key)) else math.inf,
                open_[i].key,
            ),
        )
        return [open_[i] for i in order[:k]]

    def generation(self, plans: list[Plan], g: int, total: int) -> tuple[np.ndarray, np.ndarray]:
        """Evaluate one generation (one market, then the promoted share on the rest); its F and G."""
        chosen = [self.candidate(p, g) for p in plans]
        self.phase = f"generation {g}/{total}"
        self.grant(chosen, 1, f"{self.phase}: {count(len(chosen), 'plan')} on 1 market{self.so_far()}")
        if self.markets > 1:
            up = self.promote(chosen)
            self.grant(up, self.markets, f"{self.phase}: best {len(up)} on {self.markets} markets{self.so_far()}")
        f = np.array([self.objectives(c.key) for c in chosen])
        v = np.array([self.violations(c.key) for c in chosen]).reshape(len(chosen), len(self.spec.constraints))
        return f, v

    def so_far(self) -> str:
        """``(best so far: P10 operating_profit 1.23e+06)`` for the progress bar."""
        best = self.best()
        if best is None:
            return ""
        o = self.spec.chooser
        return f" (best so far: {o.stat} {o.kpi} {self.value(best, o.kpi, o.stat):,.4g})"

    def front(self, full_only: bool = True) -> list[str]:
        """The non-dominated feasible plans (run on every market, unless ``full_only`` is False)."""
        from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting

        keys = [
            k
            for k, c in self.candidates.items()
            if k != TODAY and c.scenario is not None and (c.markets == self.markets or not full_only)
        ]
        keys = [k for k in keys if self.feasible(k)]
        if not keys:
            return []
        f = np.array([self.objectives(k) for k in keys])
        return sorted(keys[i] for i in NonDominatedSorting().do(f, only_non_dominated_front=True))

    def top_up(self) -> None:
        """Run the front's plans left at one market on every market, until the front holds only full plans.

        At most a population's worth of plans in all (as :func:`planned_work` counts them); a plan of the
        front left at one market after that is not in the reported front.
        """
        left = self.spec.search.population
        for _ in range(FINAL_ROUNDS):
            partial = [self.candidates[k] for k in self.front(full_only=False)]
            partial = [c for c in partial if c.markets < self.markets][:left]
            if not partial:
                return
            left -= len(partial)
            phase = f"the final front: {count(len(partial), 'plan')} on {self.markets} markets"
            self.grant(partial, self.markets, phase)


def search(
    spec: PlanSpec,
    base: Scenario,
    found: list[Variable],
    design: Design,
    store: Store,
    generations: int,
    workers: int | None,
    executor: Executor | None,
    progress: bool,
    run: Callable[[list[Task], str], int] | None = None,
) -> Searcher:
    """Run NSGA-II for ``generations`` generations; every run goes to the store as it finishes.

    ``run(tasks, phase)`` runs tasks into the store and returns how many (default: the runner on
    ``workers`` or ``executor``); a planted problem with a known optimum passes its own.
    """
    from pymoo.core.mixed import MixedVariableGA
    from pymoo.operators.survival.rank_and_crowding import RankAndCrowding

    def on_runner(tasks: list[Task], phase: str) -> int:
        run_tasks(tasks, workers, executor, progress, phase, on_batch=store.record)
        return len(tasks)

    searcher = Searcher(spec, base, found, design, store, run or on_runner)
    searcher.today()
    sampling = today_first(found)
    algorithm = MixedVariableGA(pop_size=spec.search.population, survival=RankAndCrowding(), sampling=sampling)
    algorithm.setup(_problem(spec, found), seed=spec.seed, termination=("n_gen", generations), verbose=False)
    g = 0
    while algorithm.has_next():
        population = algorithm.ask()
        if population is None or not len(population):  # every plan of a small space already seen
            break
        g += 1
        plans = [decode(found, ind.X) for ind in population]
        f, v = searcher.generation(plans, g, generations)
        population.set("F", f)
        if spec.constraints:
            population.set("G", v)
        algorithm.tell(infills=population)
        searcher.history.append({"generation": g, "plans": len(plans), "runs": searcher.runs, "best": searcher.best()})
    searcher.generations = g
    searcher.top_up()
    return searcher


def today_first(found: list[Variable]) -> Any:
    """The random first generation, with today's organization as its first plan when it is among the choices.

    So the search starts from what the organization does now, and today's plan competes for the front.
    """
    from pymoo.core.mixed import MixedVariableSampling

    indices = {v.name: v.choices.index(v.today) for v in found if v.today in v.choices}

    class TodayFirst(MixedVariableSampling):
        def _do(self, problem: Any, n_samples: int, random_state: Any = None, **kwargs: Any) -> Any:
            drawn = super()._do(problem, n_samples, random_state=random_state, **kwargs)
            if len(indices) == len(found) and drawn:
                drawn[0] = dict(indices)
            return drawn

    return TodayFirst()
