"""Scenario files: schema, loading, ``extends:`` inheritance and ``--set`` overrides.

A scenario is a YAML document validated by pydantic with unknown keys
rejected. A scenario may ``extends:`` another (a built-in name or a path) and
override only what differs; ``--set dotted.key=value`` overrides are parsed as
YAML and applied last. Every user mistake becomes a :class:`ScenarioError`
whose message names the file, the key and what is allowed.
"""

from __future__ import annotations

import copy
import difflib
import re
from collections.abc import Hashable
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails

from sim.config.errors import SalesimError
from sim.config.params import MAX_INSTALLED_CUSTOMERS, PARAM_INFO, BehaviorError, check_behavior_overrides
from sim.config.registry import (
    FIXED_KEYS,
    PAY_KEYS,
    Compensation,
    Feedback,
    Handoff,
    Inside,
    Market,
    Nurture,
    Organization,
    Qualification,
    Section,
    Training,
)

BUILTIN_DIR = Path(str(resources.files("sim.config") / "builtins"))  # package data: works from any install
MAX_FILE_BYTES = 1_000_000  # a scenario is a page of YAML, not a data set
MAX_EXTENDS_DEPTH = 16


class ScenarioError(SalesimError):
    """A user mistake in a scenario file, name or override (exit code 2).

    ``problems`` holds every problem found, one line each (the message gives the first).
    """

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or [message]


class Simulation(Section):
    """Run length and seed."""

    days: int = Field(365, ge=1, le=7300, description="calendar days simulated (365 = one year)")
    seed: int = Field(1, ge=0, le=2**63 - 1, description="root seed of the run")
    # Days the organization works under the same levers before the books open, so a run
    # starts as after months of this policy: a pipeline in flight, trust and bars learned,
    # the prospect list worn (docs/MODEL.md, "Steady state"). Whole weeks, so the measured
    # days keep their weekdays and holidays.
    warmup_days: int = Field(
        182, ge=0, le=1820, multiple_of=7, description="days run before the books open (whole weeks; 0: a cold start)"
    )


class Staffing(Section):
    """Reps who join or leave on a day: field reps of one team, inside reps of that team's pool."""

    team: str | None = Field(None, description="the field team (may be left out with one team)")
    field_reps: int = Field(0, ge=0, le=10_000)
    inside_reps: int = Field(0, ge=0, le=10_000)

    @model_validator(mode="after")
    def _someone(self) -> Staffing:
        if self.field_reps == 0 and self.inside_reps == 0:
            raise ValueError("name at least one rep: field_reps or inside_reps above 0")
        return self


class Move(Section):
    """Field reps who move from one team (and its manager) to another on a day: a territory change."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_team: str = Field(alias="from", description="the team they leave")
    to: str = Field(description="the team they join")
    field_reps: int = Field(ge=1, le=10_000)

    @model_validator(mode="after")
    def _two_teams(self) -> Move:
        if self.from_team == self.to:
            raise ValueError(f"from and to are the same team ({self.to!r}): a move needs two teams")
        return self


# The most reps (inside and field) an organization may have at any time of its run: every rep is an agent
MAX_HEADCOUNT = 100_000

# Top-level keys that are not levers: the scenario's name, the run's settings, the fit's files.
NOT_LEVERS = ("name", "description", "simulation", "posterior", "pipeline")
# Keys a dated ``set:`` may not change: the run's settings are the run's, the timeline is the timeline,
# and the levers the registry marks fixed (headcount has hire:/exit:, the pools and teams are the skeleton).
UNSETTABLE_KEYS = (*NOT_LEVERS, "timeline", *FIXED_KEYS)


class Change(Section):
    """A dated change on ``day``: reps hired, seats closed (``exit``), reps moved between teams, or levers ``set``."""

    day: int = Field(ge=0, le=7300, description="the measured day it takes effect (0 is the first)")
    hire: Staffing | None = None
    exit: Staffing | None = None
    move: Move | None = None
    set: dict[str, Any] | None = Field(None, min_length=1, max_length=100)

    @model_validator(mode="after")
    def _one_kind(self) -> Change:
        if sum(x is not None for x in (self.hire, self.exit, self.move, self.set)) != 1:
            raise ValueError("each timeline entry needs exactly one of hire:, exit:, move: or set:")
        return self

    @field_validator("set")
    @classmethod
    def _settable(cls, values: dict[str, Any] | None) -> dict[str, Any] | None:
        for key in values or {}:
            fixed = next((f for f in UNSETTABLE_KEYS if key == f or key.startswith(f"{f}.")), None)
            if fixed is not None:
                how = "use hire: or exit:" if "reps" in fixed or "teams" in fixed else "it is fixed for the run"
                raise ValueError(f"{key} cannot change during a run ({how})")
        return values

    @property
    def staffing(self) -> tuple[int, Staffing | None]:
        """(+1 for a hire or -1 for an exit, who); (0, None) for a move or a change of levers."""
        if self.set is not None or self.move is not None:
            return 0, None
        return (1, self.hire) if self.hire is not None else (-1, self.exit)


class Scenario(Section):
    """A fully resolved, validated scenario."""

    name: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_\-.]+$")
    description: str = Field("", max_length=500)
    simulation: Simulation = Simulation()
    market: Market
    organization: Organization
    qualification: Qualification
    inside: Inside = Inside()
    nurture: Nurture = Nurture()
    handoff: Handoff
    feedback: Feedback
    compensation: Compensation
    training: Training
    timeline: list[Change] = Field(default_factory=list, max_length=1000)
    behavior: dict[str, float] = Field(default_factory=dict)
    posterior: str | None = Field(
        None, max_length=4096,
        description="draws of fitted behaviour parameters (parquet, a column each), written by salesim fit",
    )  # fmt: skip

    pipeline: str | None = Field(
        None, max_length=4096,
        description="the company's open opportunities at its export's date (parquet: amount, age_days), "
        "written by salesim fit; the run starts from them",
    )  # fmt: skip

    @field_validator("posterior", "pipeline")
    @classmethod
    def _written_by_fit(cls, path: str | None) -> str | None:
        if path is not None and not Path(path).is_file():
            raise ValueError(f"{path} is not a file (salesim fit writes it beside fitted.yaml)")
        return path

    @field_validator("behavior")
    @classmethod
    def _known_behavior(cls, values: dict[str, float]) -> dict[str, float]:
        check_behavior_overrides(values)
        return values

    @model_validator(mode="after")
    def _installed_base_fits(self) -> Scenario:
        """The installed base is simulated contract by contract: at most MAX_INSTALLED_CUSTOMERS of them."""
        arr = self.behavior.get("installed_base_arr", PARAM_INFO["installed_base_arr"].default)
        customers = arr / self.market.deal_value_median
        if customers > MAX_INSTALLED_CUSTOMERS:
            raise ValueError(
                f"behavior.installed_base_arr: ${arr:,.0f} of ARR at a median deal of "
                f"${self.market.deal_value_median:,.0f} is about {customers:,.0f} customers; at most "
                f"{MAX_INSTALLED_CUSTOMERS:,} (lower installed_base_arr or raise market.deal_value_median)"
            )
        return self

    @model_validator(mode="after")
    def _scored_before_ranked(self) -> Scenario:
        if self.inside.work_order == "score_first" and self.qualification.scoring == "none":
            raise ValueError(
                "inside.work_order: score_first needs a lead score; set qualification.scoring to rules or predictive"
            )
        return self

    @model_validator(mode="after")
    def _timeline_fits(self) -> Scenario:
        """Days inside the run, teams that exist, never more exits than reps on the team, nor over the headcount cap."""
        teams = {t.name: t.field_reps for t in self.organization.field_teams}
        inside = self.organization.inside_reps
        if inside + sum(teams.values()) > MAX_HEADCOUNT:
            raise ValueError(
                f"organization: {inside + sum(teams.values()):,} reps (inside and field) is more than the "
                f"{MAX_HEADCOUNT:,} a run simulates"
            )
        for i in sorted(range(len(self.timeline)), key=lambda i: self.timeline[i].day):
            change = self.timeline[i]
            if change.day >= self.simulation.days:
                raise ValueError(
                    f"timeline.{i}.day: {change.day} is not within the run (days 0-{self.simulation.days - 1})"
                )
            if change.move is not None:
                self._check_move(f"timeline.{i}.move", change.day, change.move, teams)
                continue
            sign, who = change.staffing
            if who is None:
                continue  # a change of levers: checked by _changes_valid
            where = f"timeline.{i}.{'hire' if sign > 0 else 'exit'}"
            team = who.team
            own_pools = not self.organization.inside_shared_across_teams
            if team is None and len(teams) > 1 and (who.field_reps or (who.inside_reps and own_pools)):
                whose = "field reps" if who.field_reps else "inside reps (each team has its own)"
                raise ValueError(f"{where}: name the team (one of {', '.join(teams)}) for {whose}")
            if team is not None and team not in teams:
                raise ValueError(f"{where}.team: {team!r} is not a field team (one of {', '.join(teams)})")
            name = team or next(iter(teams))
            teams[name] += sign * who.field_reps
            inside += sign * who.inside_reps
            if teams[name] < 0 or inside < 0:
                left = (
                    f"team {name} would have {teams[name]} field reps"
                    if teams[name] < 0
                    else (f"the inside team would have {inside} reps")
                )
                raise ValueError(f"{where}: more reps leave than there are ({left} by day {change.day})")
            if inside + sum(teams.values()) > MAX_HEADCOUNT:
                raise ValueError(
                    f"{where}: the organization would have {inside + sum(teams.values()):,} reps by day {change.day}, "
                    f"more than the {MAX_HEADCOUNT:,} a run simulates (counted over the whole timeline)"
                )
        return self

    @staticmethod
    def _check_move(where: str, day: int, move: Move, teams: dict[str, int]) -> None:
        """A move between two teams that exist, of no more reps than the team it leaves has by then."""
        for key, team in (("from", move.from_team), ("to", move.to)):
            if team not in teams:
                raise ValueError(f"{where}.{key}: {team!r} is not a field team (one of {', '.join(teams)})")
        if move.field_reps > teams[move.from_team]:
            raise ValueError(
                f"{where}: {move.field_reps} field reps cannot leave {move.from_team} "
                f"(it has {teams[move.from_team]} by day {day})"
            )
        teams[move.from_team] -= move.field_reps
        teams[move.to] += move.field_reps

    @model_validator(mode="after")
    def _changes_valid(self) -> Scenario:
        """Each dated ``set:`` gives, with those before it, a scenario the schema accepts; no key twice a day."""
        seen: dict[tuple[int, str], int] = {}
        for i, change in enumerate(self.timeline):
            for key in change.set or {}:
                if (change.day, key) in seen:
                    j = seen[(change.day, key)]
                    raise ValueError(f"timeline.{i}.set: {key} is already set on day {change.day} (timeline.{j})")
                seen[(change.day, key)] = i
        if seen:
            for day in sorted({c.day for c in self.timeline if c.set}):
                try:
                    scenario_on(self, day)
                except ScenarioError as exc:
                    entry = next(i for i, c in enumerate(self.timeline) if c.set and c.day == day)
                    raise ValueError(f"timeline.{entry}.set (day {day}): {exc}") from None
        return self


def lever_leaves(data: dict[str, Any], skip: tuple[str, ...] = NOT_LEVERS, prefix: str = "") -> dict[str, Any]:
    """Dotted key -> value of every lever of a scenario mapping (lists, e.g. field_teams, are one lever)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if not prefix and key in skip:
            continue
        path = f"{prefix}{key}"
        if isinstance(value, dict) and (value or key == "behavior"):
            out.update(lever_leaves(value, skip, f"{path}."))
        else:
            out[path] = value
    return out


def next_pay_period(day: int) -> int:
    """The first day of the quarter after ``day`` (a change on a quarter's first day applies that day)."""
    from sim.config.params import QUARTER_DAYS

    year, in_year = divmod(day, 365)
    if in_year in QUARTER_DAYS:
        return day
    return 365 * year + next((q for q in QUARTER_DAYS if q > in_year), 365)


def effective_day(day: int, key: str) -> int:
    """When a lever set on ``day`` takes effect: at once, or a pay plan from the next pay period."""
    return next_pay_period(day) if key in PAY_KEYS else day


def scenario_on(scenario: Scenario, day: int) -> Scenario:
    """The scenario as it stands on measured ``day``: every dated ``set:`` in effect by then, applied in order."""
    values: dict[str, Any] = {}
    for change in sorted(scenario.timeline, key=lambda c: c.day):
        for key, value in (change.set or {}).items():
            if effective_day(change.day, key) <= day:
                values[key] = value
    if not values:
        return scenario
    data = scenario.model_dump(mode="python")
    data["timeline"] = []
    data = with_values(data, values)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError("; ".join(_explain(e) for e in exc.errors())) from None


def change_days(scenario: Scenario) -> list[int]:
    """The measured days on which something in the timeline takes effect."""
    days = set()
    for change in scenario.timeline:
        if change.set is None:
            days.add(change.day)
        else:
            days |= {effective_day(change.day, key) for key in change.set}
    return sorted(d for d in days if d < scenario.simulation.days)


# --------------------------------------------------------------------- loading


def builtin_names() -> list[str]:
    """Names of the built-in scenarios, sorted."""
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml"))


def builtin_descriptions() -> dict[str, str]:
    """Built-in scenario name -> its one-line description."""
    return {name: read_yaml(BUILTIN_DIR / f"{name}.yaml").get("description", "") for name in builtin_names()}


def resolve_path(ref: str | Path) -> Path:
    """Turn a scenario argument (a path or a built-in name) into a file path.

    A built-in's name always means the built-in: a file or folder of that name in the
    working directory never shadows it (write ``./defined`` for such a file).
    """
    if str(ref) in builtin_names():
        return BUILTIN_DIR / f"{ref}.yaml"
    path = Path(ref)
    if path.suffix in {".yaml", ".yml"} or path.exists() or "/" in str(ref):
        if not path.is_file():
            raise ScenarioError(f"{ref}: no such scenario file")
        return path
    candidate = BUILTIN_DIR / f"{ref}.yaml"
    if candidate.is_file():
        return candidate
    close = difflib.get_close_matches(str(ref), builtin_names(), n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    raise ScenarioError(f"{ref}: not a file and not a built-in scenario{hint}; built-ins: {', '.join(builtin_names())}")


def read_yaml(path: Path) -> dict[str, Any]:
    """Read a YAML mapping safely (size-capped, no aliases); ScenarioError on any problem."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read ({exc.strerror})") from None
    if size > MAX_FILE_BYTES:
        raise ScenarioError(f"{path}: file is {size} bytes; a scenario may be at most {MAX_FILE_BYTES}")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(f"{path}: not a UTF-8 text file") from None
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        data = yaml.load(text, Loader=_NoAliasLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError(f"{path}: YAML syntax error{where}: {problem}") from None
    except RecursionError:
        raise ScenarioError(f"{path}: nested too deeply to be a scenario") from None
    if data is None:
        raise ScenarioError(f"{path}: the file is empty; a scenario needs at least 'name:'")
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: a scenario must be a mapping of keys, got {type(data).__name__}")
    return data


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2's core schema, refusing anchors, aliases and duplicate keys.

    PyYAML implements YAML 1.1, whose surprises a scenario must not meet: ``3e4`` is a
    string there, ``010`` is octal 8, ``1:30`` is 90 (base 60), ``yes``/``on`` are true and
    a key given twice silently keeps its last value. Here numbers and booleans are read
    as YAML 1.2 reads them (``1e6`` a float, ``010`` ten, ``1:30`` and ``yes`` text, for the
    schema to refuse where a number or a boolean goes) and a duplicate key is an error.
    """

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]  # typeshed leaves Parser.peek_event bare
            raise yaml.composer.ComposerError(
                None, None, "YAML aliases (*name) are not allowed in scenarios", event.start_mark
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, Hashable) and key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} appears twice in the same mapping", key_node.start_mark
                )
            if isinstance(key, Hashable):
                seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        text = self.construct_scalar(node).lstrip("+")
        for prefix, base in (("0o", 8), ("0x", 16), ("-0o", -8), ("-0x", -16)):
            if text.startswith(prefix):
                return (-1 if base < 0 else 1) * int(text[len(prefix) :], abs(base))
        return int(text, 10)  # "010" is ten, as in YAML 1.2


_YAML11_TAGS = {"bool", "int", "float", "timestamp", "merge"}
# YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#1032-tag-resolution): replace 1.1's
# bool, int, float and timestamp resolvers (and the merge key: aliases are refused anyway).
_NoAliasLoader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag.rsplit(":", 1)[-1] not in _YAML11_TAGS]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _tag, _pattern, _first in (
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    (
        "float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+.0123456789",
    ),
):
    _NoAliasLoader.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", re.compile(_pattern), list(_first))
_NoAliasLoader.add_constructor("tag:yaml.org,2002:int", _NoAliasLoader.construct_yaml_int)


def deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Merge ``over`` into a copy of ``base``; mappings merge, everything else replaces."""
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _load_raw(path: Path, chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Read a scenario file and resolve its ``extends:`` chain."""
    path = path.resolve()
    if path in chain:
        cycle = " -> ".join(p.name for p in (*chain, path))
        raise ScenarioError(f"{path}: extends: forms a cycle ({cycle})")
    if len(chain) >= MAX_EXTENDS_DEPTH:
        raise ScenarioError(f"{path}: extends: chain deeper than {MAX_EXTENDS_DEPTH}")
    data = read_yaml(path)
    for key in ("posterior", "pipeline"):  # files beside the file that names them, wherever it is run from
        value = data.get(key)
        if isinstance(value, str) and not Path(value).is_absolute():
            data[key] = str(path.parent / value)
    parent_ref = data.pop("extends", None)
    if parent_ref is None:
        return data
    if not isinstance(parent_ref, str):
        raise ScenarioError(f"{path}: extends: must be a scenario name or path, got {parent_ref!r}")
    parent_path = Path(parent_ref)
    if path.parent == BUILTIN_DIR.resolve() and parent_ref not in builtin_names():
        raise ScenarioError(f"{path}: extends: {parent_ref} is not a built-in (a built-in extends built-ins only)")
    if parent_ref in builtin_names():
        parent_path = BUILTIN_DIR / f"{parent_ref}.yaml"  # never a file of that name beside it or in the cwd
    elif not parent_path.is_absolute() and (path.parent / parent_path).is_file():
        parent_path = path.parent / parent_path
    else:
        try:
            parent_path = resolve_path(parent_ref)
        except ScenarioError as exc:
            raise ScenarioError(f"{path}: extends: {exc}") from None
    return deep_merge(_load_raw(parent_path, (*chain, path)), data)


def parse_override(expr: str) -> tuple[list[str], Any]:
    """Parse ``dotted.key=value`` (the value is YAML) into a key path and a value."""
    key, sep, raw = expr.partition("=")
    key = key.strip()
    if not sep or not key or any(not part for part in key.split(".")):
        raise ScenarioError(f"--set {expr!r}: expected dotted.key=value, e.g. handoff.sla_hours=4")
    try:
        value = yaml.load(raw, Loader=_NoAliasLoader)
    except yaml.YAMLError:
        raise ScenarioError(f"--set {expr!r}: the value is not valid YAML") from None
    return key.split("."), value


def set_key(data: dict[str, Any], keys: list[str], value: Any) -> None:
    """Set ``keys`` (a dotted key, split) in a raw scenario mapping, making sections on the way.

    Raises:
        ScenarioError: a key on the way holds a value, not a section (the message names it).
    """
    node = data
    for key in keys[:-1]:
        child = node.get(key)
        if child is None:
            child = node[key] = {}
        if not isinstance(child, dict):
            raise ScenarioError(f"{key} is not a section")
        node = child
    node[keys[-1]] = value


def with_values(data: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """A copy of a raw scenario mapping with Python values set at dotted keys (None removes the key)."""
    out = copy.deepcopy(data)
    for dotted, value in values.items():
        keys = dotted.split(".")
        if value is not None:
            set_key(out, keys, value)
            continue
        node: Any = out
        for key in keys[:-1]:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, dict):
            node.pop(keys[-1], None)
    return out


def apply_overrides(data: dict[str, Any], overrides: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """Apply ``--set`` expressions (``dotted.key=YAML value``) to a raw scenario mapping."""
    out = copy.deepcopy(data)
    for expr in overrides:
        keys, value = parse_override(expr)
        try:
            set_key(out, keys, value)
        except ScenarioError as exc:
            raise ScenarioError(f"--set {expr!r}: {exc}") from None
    return out


def _allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Keys the schema allows at a location (for "did you mean" hints)."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            return []
        ann = field.annotation
        args = getattr(ann, "__args__", ())
        current = args[0] if args and isinstance(args[0], type) else ann
    return list(getattr(current, "model_fields", {}))


def _explain(err: ErrorDetails) -> str:
    """One line for one pydantic error: the dotted key and what is allowed."""
    loc = tuple(err["loc"])
    key = ".".join(str(p) if str(p).isprintable() else repr(p) for p in loc) or "(top level)"
    kind = err["type"]
    if kind == "extra_forbidden":
        allowed = _allowed_keys(Scenario, loc)
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        return f"{key}: unknown key; {hint}allowed: {', '.join(allowed)}"
    if kind == "missing":
        return f"{key}: required key is missing"
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        return f"{key}: got {err.get('input')!r}; allowed: {expected}"
    if kind == "value_error":
        error = err.get("ctx", {}).get("error", err["msg"])
        if isinstance(error, BehaviorError):  # the validator sees the whole section; name the override's own key
            return f"{key}.{error.name} {error.problem}"
        return f"{key}: {error}" if loc else str(error)  # a rule across sections names its keys itself
    return f"{key}: {err['msg']} (got {err.get('input')!r})"


def validate(data: dict[str, Any], source: str = "<scenario>") -> Scenario:
    """Validate a raw mapping into a :class:`Scenario`, or raise one clear ScenarioError."""
    data = {k: v for k, v in data.items() if k != "extends"}
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        message = f"{source}: {_explain(errors[0])}{more}"
        problems = [" ".join(f"{source}: {_explain(err)}".split("\n")) for err in errors]
        raise ScenarioError(" ".join(message.split("\n")), problems) from None  # always one line


def load_scenario(ref: str | Path, overrides: list[str] | tuple[str, ...] = (), **simulation: int | None) -> Scenario:
    """Load a scenario by path or built-in name, resolving ``extends:`` and overrides.

    Args:
        ref: a path to a YAML file or the name of a built-in scenario.
        overrides: ``dotted.key=value`` expressions, applied in order.
        **simulation: ``days=`` / ``seed=`` shortcuts; ``None`` leaves the file's value.

    Returns:
        The validated scenario.

    Raises:
        ScenarioError: on any mistake in the file, the name or an override.
    """
    path = resolve_path(ref)
    data = apply_overrides(_load_raw(path), overrides)
    data = with_values(data, {f"simulation.{k}": v for k, v in simulation.items() if v is not None})
    source = f"{path} with --set {' '.join(overrides)}" if overrides else str(path)
    return validate(data, source=source)


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """Plain-data form of a scenario (for manifests and ``salesim show``)."""
    return scenario.model_dump(mode="json", by_alias=True)
