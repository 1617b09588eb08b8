"""The plan spec: what may change, what counts, what we do not know, and over how long.

A spec (YAML, validated like a scenario: unknown keys refused, every problem one line naming
the file and the key) holds:

- ``base``: today's organization, a built-in name, a scenario file beside the spec or a fitted
  company (``fitted.yaml``: its posterior is drawn from as the uncertainty).
- ``horizon``: ``{years: 2}`` (or ``{days: N}`` for a short check); dated changes are costed as
  the timeline costs them.
- ``levers``: decision variables by their lever registry key (``handoff.sla_hours``) or a
  behaviour parameter (``behavior.accelerator``), each with ``values: [...]`` or an evenly
  stepped ``range: [low, high]`` with ``step``.
- ``hiring``: hires (and, below 0, exits) of one team's field or inside reps on the first day of
  chosen quarters, each quarter a whole-number decision between ``low`` and ``high``.
- ``objectives``: KPIs of the registry and the statistic across assumption sets that counts
  (``mean``, ``p10``, ``median``, ``p90``), maximised or minimised as the KPI is good.
- ``constraints``: a floor or a ceiling on a KPI's statistic, or a headcount budget (the most
  reps the organization has at any time of the horizon).
- ``uncertainty``: assumption sets drawn from the plausible ranges (scaled as ``--range-scale``),
  the market's range, and markets (replication seeds) per set.
- ``search``: population, generations, and the share promoted to every market (successive halving).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.config.errors import SalesimError
from sim.config.params import BEHAVIOR_NAMES
from sim.config.registry import LEVERS
from sim.config.scenario import (
    Scenario,
    ScenarioError,
    builtin_names,
    load_scenario,
    read_yaml,
    scenario_to_dict,
    validate,
    with_values,
)
from sim.measure.kpis import KPI_NAMES, kpi

DAYS_A_YEAR = 365
STATS = ("mean", "p10", "median", "p90")
NOT_DECISIONS = ("market.channels", "organization.field_teams")  # lists: hiring: changes the teams
ROLES = ("field_reps", "inside_reps")


class PlanError(SalesimError):
    """A mistake in a plan spec or its output folder (exit code 2); one line per problem."""


class Section(BaseModel):
    """A part of a plan spec: unknown keys refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Horizon(Section):
    """How long the plan runs: whole years, or days for a short check."""

    years: int | None = Field(None, ge=1, le=10, strict=True)
    days: int | None = Field(None, ge=1, le=3650, strict=True)

    @model_validator(mode="after")
    def _one(self) -> Horizon:
        if (self.years is None) == (self.days is None):
            raise ValueError("give either years: N or days: N")
        return self

    @property
    def length(self) -> int:
        """Calendar days of the horizon."""
        return self.days if self.days is not None else DAYS_A_YEAR * (self.years or 0)


class Lever(Section):
    """One decision: the values it may take, or an evenly stepped range."""

    values: list[Any] | None = Field(None, min_length=2, max_length=200)
    range: tuple[float, float] | None = None
    step: float | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _one_of(self) -> Lever:
        if (self.values is None) == (self.range is None):
            raise ValueError("give either values: [...] or range: [low, high] with step:")
        if self.range is not None:
            low, high = self.range
            if self.step is None or not all(math.isfinite(x) for x in (low, high)) or not low < high:
                raise ValueError("range: [low, high] needs low < high, both finite, and a step: above 0")
            if (high - low) / self.step > 200:
                raise ValueError(f"range: {(high - low) / self.step:.0f} steps; at most 200")
        if self.values is not None and len({repr(v) for v in self.values}) < len(self.values):
            raise ValueError("values: a value is given twice")
        return self

    @property
    def choices(self) -> list[Any]:
        """Every value the decision may take, in order."""
        if self.values is not None:
            return list(self.values)
        low, high = self.range  # type: ignore[misc]  # a range when there are no values
        count = math.floor((high - low) / self.step + 1e-9)  # type: ignore[operator]  # a range has a step
        whole = float(low).is_integer() and float(self.step).is_integer()  # type: ignore[arg-type]
        return [int(low + i * self.step) if whole else low + i * self.step for i in range(count + 1)]  # type: ignore[operator]

    @property
    def ordered(self) -> bool:
        """Numbers (searched as neighbours); words and yes/no are categories."""
        return all(isinstance(v, int | float) and not isinstance(v, bool) for v in self.choices)


class Hiring(Section):
    """Reps of one team hired (or, below 0, let go) on the first day of each chosen quarter."""

    team: str | None = None
    role: Literal["field_reps", "inside_reps"] = "field_reps"
    quarters: list[int] = Field(min_length=1, max_length=40)
    low: int = Field(0, ge=-1000, le=1000, strict=True)
    high: int = Field(ge=-1000, le=1000, strict=True)

    @model_validator(mode="after")
    def _bounds(self) -> Hiring:
        if self.low >= self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        if any(q < 1 for q in self.quarters) or len(set(self.quarters)) < len(self.quarters):
            raise ValueError("quarters: whole numbers from 1 (the first quarter of the horizon), each once")
        return self


def quarter_day(quarter: int) -> int:
    """The measured day quarter ``quarter`` (1 = the first) of the horizon starts."""
    return round((quarter - 1) * DAYS_A_YEAR / 4)


class Objective(Section):
    """A KPI's statistic across the assumption sets, to maximise or minimise."""

    kpi: str
    stat: Literal["mean", "p10", "median", "p90"] = "mean"
    sense: Literal["max", "min"] | None = None

    @model_validator(mode="after")
    def _known(self) -> Objective:
        if self.kpi not in KPI_NAMES:
            raise ValueError(f"kpi: unknown KPI {self.kpi!r}; allowed: {', '.join(KPI_NAMES)}")
        if self.sense is None and kpi(self.kpi).good == 0:
            raise ValueError(f"{self.kpi} is neither good nor bad by itself: give sense: max or min")
        return self

    @property
    def maximise(self) -> bool:
        """Whether more is better."""
        return self.sense == "max" if self.sense is not None else kpi(self.kpi).good > 0

    @property
    def label(self) -> str:
        """``p10 operating_profit``."""
        return f"{self.stat} {self.kpi}"


class Constraint(Section):
    """A floor (``min``) or ceiling (``max``) on a KPI's statistic, or a headcount budget."""

    kpi: str | None = None
    stat: Literal["mean", "p10", "median", "p90"] = "mean"
    min: float | None = None
    max: float | None = None
    headcount: int | None = Field(None, ge=0, le=100_000, strict=True)

    @model_validator(mode="after")
    def _one(self) -> Constraint:
        if self.headcount is not None:
            if self.kpi is not None or self.min is not None or self.max is not None:
                raise ValueError("a headcount budget stands alone: {headcount: N}")
            return self
        if self.kpi is None:
            raise ValueError("give kpi: with min: or max:, or headcount: N")
        if self.kpi not in KPI_NAMES:
            raise ValueError(f"kpi: unknown KPI {self.kpi!r}; allowed: {', '.join(KPI_NAMES)}")
        if (self.min is None) == (self.max is None):
            raise ValueError(f"{self.kpi}: give min: or max: (one of them)")
        return self

    @property
    def label(self) -> str:
        """``mean prospect_satisfaction >= 50`` or ``headcount <= 40``."""
        if self.headcount is not None:
            return f"headcount <= {self.headcount}"
        sign, bound = (">=", self.min) if self.min is not None else ("<=", self.max)
        return f"{self.stat} {self.kpi} {sign} {bound:g}"


class Uncertainty(Section):
    """What we do not know: assumption sets drawn from the ranges, and markets per set."""

    sets: int = Field(10, ge=1, le=1000, strict=True)
    markets: int = Field(2, ge=1, le=100, strict=True)
    range_scale: float = Field(1.0, ge=0.0, le=1.0)
    market: bool = Field(True, strict=True)


class Search(Section):
    """NSGA-II's population and generations, and the share of each generation run on every market."""

    population: int = Field(12, ge=4, le=500, strict=True)
    generations: int = Field(6, ge=1, le=500, strict=True)
    promote: float = Field(0.5, gt=0.0, le=1.0)


class PlanSpec(Section):
    """A validated plan spec."""

    name: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_\-.]*[A-Za-z0-9_\-][A-Za-z0-9_\-.]*$")
    description: str = Field("", max_length=500)
    base: str = Field(min_length=1)
    horizon: Horizon
    seed: int = Field(1, ge=0, strict=True)
    levers: dict[str, Lever] = Field(default_factory=dict, max_length=50)
    hiring: list[Hiring] = Field(default_factory=list, max_length=20)
    objectives: list[Objective] = Field(min_length=1, max_length=4)
    constraints: list[Constraint] = Field(default_factory=list, max_length=20)
    uncertainty: Uncertainty = Uncertainty()
    search: Search = Search()
    recommend: Objective | None = None  # which point of the front is recommended (default: the first objective)

    @model_validator(mode="after")
    def _decides(self) -> PlanSpec:
        if not self.levers and not self.hiring:
            raise ValueError("levers: or hiring: name at least one decision")
        return self

    @property
    def chooser(self) -> Objective:
        """The objective the recommended plan is chosen by."""
        return self.recommend or self.objectives[0]

    @property
    def kpis(self) -> tuple[str, ...]:
        """Every KPI the runs keep: the objectives', the constraints', and what the answer shows."""
        named = [o.kpi for o in self.objectives] + [c.kpi for c in self.constraints if c.kpi] + [self.chooser.kpi]
        shown = ["operating_profit", "revenue", "cost_of_sales", "prospect_satisfaction"]
        return tuple(dict.fromkeys(named + shown))


def load_plan_spec(path: str | Path) -> tuple[PlanSpec, Scenario]:
    """Read and check a plan spec: the spec and today's organization over the horizon.

    Raises:
        PlanError: every problem, one line each naming the file and the key.
    """
    path = Path(path)
    if not path.is_file():
        raise PlanError(f"{path}: no such plan spec")
    try:
        data = read_yaml(path)
    except ScenarioError as exc:
        raise PlanError(str(exc)) from None
    try:
        spec = PlanSpec.model_validate(data)
    except ValidationError as exc:
        raise PlanError("\n".join(f"{path}: {_explain(err)}" for err in exc.errors(include_url=False))) from None
    return spec, check_plan_spec(spec, path)


def _explain(err: Any) -> str:
    key = ".".join(str(p) for p in err["loc"]) or "(top level)"
    if err["type"] == "extra_forbidden":
        allowed = f"; allowed: {', '.join(PlanSpec.model_fields)}" if len(err["loc"]) == 1 else ""
        return f"{key}: unknown key{allowed}"
    if err["type"] == "value_error":
        return f"{key}: {err.get('ctx', {}).get('error', err['msg'])}"
    if err["type"] == "missing":
        return f"{key}: required key is missing"
    return f"{key}: {err['msg']} (got {err.get('input')!r})"


def base_ref(spec: PlanSpec, where: Path | None) -> str:
    """The base as :func:`load_scenario` finds it: a built-in name, or a file beside the spec."""
    if spec.base in builtin_names() or where is None:
        return spec.base
    return str((where.parent / spec.base).resolve())


def check_plan_spec(spec: PlanSpec, where: Path | None = None) -> Scenario:
    """Today's organization over the horizon, once every decision is checked against it.

    Each lever key must be a lever (or a behaviour parameter), each of its values valid alone;
    each hiring team must exist, each quarter fall within the horizon. PlanError lists every problem.
    """
    label = str(where) if where is not None else f"plan {spec.name}"
    try:
        base = load_scenario(base_ref(spec, where), days=spec.horizon.length)
    except ScenarioError as exc:
        raise PlanError(f"{label}: base: {exc}") from None
    if base.timeline:
        problems = [f"{label}: base: {base.name} has a timeline; plan from an organization without one"]
    else:
        problems = []
    data = scenario_to_dict(base)
    for key, lever in spec.levers.items():
        problems += [f"{label}: levers.{key}: {p}" for p in _lever_problems(key, lever, data)]
    teams = [t.name for t in base.organization.field_teams]
    for i, hire in enumerate(spec.hiring):
        if hire.team is None and len(teams) > 1:
            problems.append(f"{label}: hiring.{i}.team: name the team (one of {', '.join(teams)})")
        elif hire.team is not None and hire.team not in teams:
            problems.append(f"{label}: hiring.{i}.team: {hire.team!r} is not a field team (one of {', '.join(teams)})")
        for q in hire.quarters:
            if quarter_day(q) >= spec.horizon.length:
                problems.append(
                    f"{label}: hiring.{i}.quarters: quarter {q} starts on day {quarter_day(q)}, "
                    f"past the horizon of {spec.horizon.length} days"
                )
    if problems:
        raise PlanError("\n".join(problems))
    return base


def _lever_problems(key: str, lever: Lever, data: dict[str, Any]) -> list[str]:
    behaviour = key.startswith("behavior.") and key.removeprefix("behavior.") in BEHAVIOR_NAMES
    if not behaviour and (key not in LEVERS or key in NOT_DECISIONS):
        allowed = [k for k in LEVERS if k not in NOT_DECISIONS]
        return [f"not a lever; allowed: {', '.join(allowed)}, or behavior.<parameter> (salesim show)"]
    problems = []
    for value in lever.choices:
        try:
            validate(with_values(data, {key: value}), source="base")
        except ScenarioError as exc:
            problems.append(f"{value!r} is not valid here ({str(exc).removeprefix('base: ')})")
    return problems
