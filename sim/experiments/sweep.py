"""Parameter sweeps: designs, any executor, resumable parquet results.

A sweep spec (YAML, validated, unknown keys rejected) names a base scenario,
a design (``grid``, ``lhs``, ``sobol``, ``morris``), the parameters as dotted
scenario keys, replications, a seed and the KPIs to keep. Designs come from
itertools (grid), scipy.stats.qmc (Latin hypercube) and SALib (Sobol,
Morris). Replication ``r`` of every point uses the same seed (common random
numbers). Runs go to any ``concurrent.futures.Executor`` in batches sized from
their measured times; finished runs stream to parquet parts (the first batch at
once, then a part at most every ``PART_SECONDS``), written atomically under
``results.parquet/``, so a killed sweep resumes where it stopped and
``pandas.read_parquet(out / "results.parquet")`` reads everything.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import math
import shutil
import time
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from sim.config.errors import Interrupted, SalesimError
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
from sim.experiments.files import atomic_write, write_json, write_xlsx
from sim.experiments.outputs import DISK_FULL, claim
from sim.experiments.plan import MAX_RUNS, Work, run_seconds
from sim.experiments.runner import RUN_TIME_LIMIT, Task, default_workers, run_tasks, settle_worker
from sim.experiments.runs import RunResult, replication_seeds, versions
from sim.experiments.stats import mean_ci
from sim.measure.kpis import KPI_NAMES, SWEEP_KPIS

RESULTS = "results.parquet"


class SweepError(SalesimError):
    """A mistake in a sweep spec or its output folder (exit code 2)."""


class Parameter(BaseModel):
    """One swept scenario key: explicit ``values`` (grid, or choices when sampled) or a ``range``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    values: list[Any] | None = Field(None, min_length=1, max_length=1000)
    range: tuple[float, float] | None = None
    integer: bool = Field(False, strict=True)

    @model_validator(mode="after")
    def _one_of(self) -> Parameter:
        if (self.values is None) == (self.range is None):
            raise ValueError("give either values: [...] or range: [low, high]")
        if self.range is not None and not all(math.isfinite(x) for x in self.range):
            raise ValueError(f"range must be finite, got {list(self.range)}")
        if self.range is not None and not self.range[0] < self.range[1]:
            raise ValueError(f"range must be [low, high] with low < high, got {list(self.range)}")
        return self


class SweepSpec(BaseModel):
    """A validated sweep specification."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # a folder name under outputs/sweep/: letters, digits, _ - . but never . or .. (outputs/ itself)
    name: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_\-.]*[A-Za-z0-9_\-][A-Za-z0-9_\-.]*$")
    description: str = ""
    base: str = Field(min_length=1)
    design: Literal["grid", "lhs", "sobol", "morris"]
    parameters: dict[str, Parameter] = Field(min_length=1, max_length=50)
    samples: int = Field(16, ge=1, le=100_000, strict=True)  # strict: `true` is not 1, as in scenarios
    levels: int = Field(4, ge=2, le=20, strict=True)
    replications: int = Field(2, ge=1, le=1000, strict=True)
    seed: int = Field(1, ge=0, strict=True)
    days: int | None = Field(None, ge=1, le=5000, strict=True)
    kpis: list[str] = Field(default_factory=lambda: list(SWEEP_KPIS), min_length=1)
    # where ``base`` was found (beside the spec file): the manifest keeps ``base`` as written, so a folder
    # moved with its spec and base still resumes
    _base_path: str | None = PrivateAttr(None)

    @property
    def base_ref(self) -> str:
        """The base as :func:`sim.config.scenario.load_scenario` finds it: a built-in name or a resolved path."""
        return self._base_path or self.base

    @model_validator(mode="after")
    def _consistent(self) -> SweepSpec:
        unknown = [k for k in self.kpis if k not in KPI_NAMES]
        if unknown:
            raise ValueError(f"unknown KPI {unknown[0]!r}; allowed: {', '.join(KPI_NAMES)}")
        for key, param in self.parameters.items():
            if self.design == "grid" and param.values is None:
                raise ValueError(f"parameters.{key}: a grid needs values: [...]")
        if self.design == "sobol" and self.samples & (self.samples - 1):
            raise ValueError(f"samples: Sobol needs a power of 2, got {self.samples}")
        return self

    def digest(self, base: dict[str, Any] | None = None) -> str:
        """A fingerprint of the spec, the base scenario as resolved and the versions that shape the numbers.

        A folder belongs to exactly one: a resume after the base file changed (or salesim,
        Mesa, numpy, pandas or Python did) would mix the results of two sweeps.
        """
        base = scenario_to_dict(load_scenario(self.base_ref, days=self.days)) if base is None else base
        text = json.dumps([self.model_dump(mode="json"), base, versions()], sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def load_spec(path: str | Path) -> SweepSpec:
    """Read and validate a sweep spec; every mistake is one SweepError line."""
    path = Path(path)
    if not path.is_file():
        raise SweepError(f"{path}: no such sweep spec")
    try:
        data = read_yaml(path)
    except ScenarioError as exc:
        raise SweepError(str(exc)) from None
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        key = ".".join(str(p) for p in err["loc"]) or "(top level)"
        msg = err.get("ctx", {}).get("error", err["msg"]) if err["type"] == "value_error" else err["msg"]
        raise SweepError(f"{path}: {key}: {msg}") from None
    return check_spec(spec, path)


def check_spec(spec: SweepSpec, where: str | Path | None = None) -> SweepSpec:
    """The checks a spec gets beyond its schema, however it was built (a file, or ``SweepSpec(...)`` in Python).

    Its size is counted before the base is read or the design built; its base is found
    beside the spec file (``where``), else as given; every value and both ends of every range
    must make a valid scenario. SweepError (one line, naming ``where``) otherwise.
    """
    where = Path(where) if where is not None else None
    label = str(where) if where is not None else f"sweep {spec.name}"
    runs = design_size(spec) * spec.replications
    if runs > MAX_RUNS:  # counted before the base is read or the design built
        raise SweepError(
            f"{label}: {runs:,} runs is more than the {MAX_RUNS:,} one sweep takes; "
            "split the work (fewer values, samples or replications)"
        )
    folder = where.parent if where is not None else Path.cwd()
    beside = (folder / spec.base).resolve()  # a base file is found beside the spec, never in the working directory
    if spec.base not in builtin_names() and (beside.exists() or Path(spec.base).suffix or "/" in spec.base):
        spec._base_path = str(beside)
    try:
        base = scenario_to_dict(load_scenario(spec.base_ref, days=spec.days))
        for key, param in spec.parameters.items():  # every value, each end of every range, must be valid
            for sample in param.values if param.values is not None else param.range:  # type: ignore[union-attr]  # one of the two
                _point_scenario(base, {key: _decode(param, sample) if param.values is None else sample})
    except ScenarioError as exc:
        raise SweepError(f"{label}: {exc}") from None
    return spec


def sweep_work(spec: SweepSpec, workers: int | None = None) -> Work:
    """The sweep's runs (every point and replication, done or not) and their estimated time."""
    points = design_size(spec)
    what = f"{spec.name}: {points:,} points x {spec.replications} replications"
    seconds = run_seconds(load_scenario(spec.base_ref, days=spec.days))
    return Work(workers=workers or default_workers()).add(what, points * spec.replications, seconds)


# -------------------------------------------------------------------- designs


def design_size(spec: SweepSpec) -> int:
    """How many points the design has, counted without building it."""
    d = len(spec.parameters)
    if spec.design == "grid":
        return math.prod(len(p.values) for p in spec.parameters.values())  # type: ignore[arg-type, misc]  # a grid has values
    return {"lhs": spec.samples, "sobol": spec.samples * (d + 2), "morris": spec.samples * (d + 1)}[spec.design]


def salib_problem(spec: SweepSpec) -> dict[str, Any]:
    """The SALib problem: numeric ranges as given, categories as [0, number of choices)."""
    bounds = [list(p.range) if p.range is not None else [0.0, float(len(p.values))] for p in spec.parameters.values()]  # type: ignore[arg-type]  # values if no range
    return {"num_vars": len(spec.parameters), "names": list(spec.parameters), "bounds": bounds}


def unit_samples(spec: SweepSpec) -> np.ndarray:
    """Design points in the problem's own units (rows: points, columns: parameters)."""
    problem = salib_problem(spec)
    if spec.design == "lhs":
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=problem["num_vars"], seed=spec.seed).random(spec.samples)
        low, high = np.array(problem["bounds"]).T
        return qmc.scale(unit, low, high)
    if spec.design == "sobol":
        from SALib.sample import sobol

        return sobol.sample(problem, spec.samples, calc_second_order=False, seed=spec.seed)
    from SALib.sample import morris

    return morris.sample(problem, spec.samples, num_levels=spec.levels, seed=spec.seed)


def _decode(param: Parameter, x: float) -> Any:
    if param.values is not None:  # a categorical choice
        return param.values[min(math.floor(x), len(param.values) - 1)]
    return int(np.rint(x)) if param.integer else float(x)  # a Python int (round(np.float64) is a float)


def design_points(spec: SweepSpec) -> pd.DataFrame:
    """One row per design point: point_id and the value of every swept key."""
    names = list(spec.parameters)
    if spec.design == "grid":
        rows = list(itertools.product(*(spec.parameters[k].values for k in names)))  # type: ignore[arg-type]  # a grid has values
    else:
        rows = [
            tuple(_decode(spec.parameters[k], x) for k, x in zip(names, row, strict=True)) for row in unit_samples(spec)
        ]
    frame = pd.DataFrame(rows, columns=names)
    frame.insert(0, "point_id", range(len(frame)))
    return frame


# ---------------------------------------------------------------- execution


def _point_scenario(base: dict[str, Any], values: dict[str, Any]) -> Scenario:
    changes = {key: _plain(value) for key, value in values.items()}
    return validate(with_values(base, changes), source=f"sweep point {values}")


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


@dataclass(frozen=True)
class KeepKPIs:
    """A runner measure that keeps the sweep's KPIs, as floats (picklable: it travels to workers)."""

    kpis: tuple[str, ...]

    def __call__(self, result: RunResult) -> dict[str, float]:
        """The chosen KPIs of one run."""
        return {k: float(result.summary[k]) for k in self.kpis}


@dataclass
class SweepResult:
    """What a sweep did. ``results`` is every run so far (this call and earlier ones)."""

    folder: Path
    results: pd.DataFrame
    done: int
    failed: int
    skipped: int
    seconds: float
    unreadable: list[Path] = dataclasses.field(default_factory=list)

    def line(self) -> str:
        """The one-line summary printed at the end."""
        return (
            f"{self.done} runs done ({self.failed} failed), {self.skipped} skipped as already done, "
            f"{self.seconds:.1f} s wall time; results: {self.folder / RESULTS}"
        )


def read_results(folder: Path, unreadable: list[Path] | None = None) -> pd.DataFrame:
    """Every finished run of a sweep folder (empty if none).

    A part that cannot be read (empty, truncated: written by something other than this
    sweep's atomic writes) is skipped, and added to ``unreadable`` for the caller to say so;
    its runs count as not done, so a resume runs them again.
    """
    parts = sorted((folder / RESULTS).glob("part-*.parquet")) if (folder / RESULTS).is_dir() else []
    frames = []
    for part in parts:
        try:
            frames.append(pd.read_parquet(part))
        except Exception:  # pyarrow raises several kinds for a damaged file
            if unreadable is not None:
                unreadable.append(part)
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, ignore_index=True).sort_values("run_id", ignore_index=True)


def read_manifest(folder: Path) -> dict[str, Any]:
    """A sweep folder's manifest; SweepError (one line) if there is none or it is not a sweep's."""
    path = folder / "manifest.json"
    if not path.is_file():
        raise SweepError(
            f"{folder}: not a sweep folder (no manifest.json); `salesim sweep SPEC.yaml --out {folder}` makes one"
        )
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError):
        raise SweepError(f"{path}: unreadable or not JSON; use another --out, or --fresh to start over") from None
    if not isinstance(manifest, dict) or "spec" not in manifest or "digest" not in manifest:
        raise SweepError(f"{folder}: holds no sweep (a run's or another command's folder); use a sweep's folder")
    return manifest


def _prepare_folder(
    spec: SweepSpec, folder: Path, fresh: bool, points: pd.DataFrame, seeds: list[int], base: dict[str, Any]
) -> None:
    manifest = folder / "manifest.json"
    digest = spec.digest(base)
    if fresh and folder.exists():
        shutil.rmtree(folder / RESULTS, ignore_errors=True)
        manifest.unlink(missing_ok=True)
    if manifest.exists():
        old = read_manifest(folder)
        if old.get("digest") != digest:
            what = "spec" if old.get("spec") != spec.model_dump(mode="json") else "base scenario or versions"
            raise SweepError(
                f"{folder}: holds a sweep of a different {what} ({old.get('spec', {}).get('name')}); "
                "resuming would mix two sweeps' results: use another --out, or --fresh to start over"
            )
        return
    folder.mkdir(parents=True, exist_ok=True)
    write_json(
        manifest,
        {
            "digest": digest,
            "base": base,
            "spec": spec.model_dump(mode="json"),
            "points": points.to_dict(orient="records"),
            "unit_samples": None if spec.design == "grid" else unit_samples(spec).tolist(),
            "seeds": seeds,
            "versions": versions(),
        },
    )


@contextmanager
def dask_executor(workers: int, scheduler: str | None):
    """An executor of a running Dask scheduler, or of a local cluster started and stopped here."""
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout="10s")
        except (ValueError, OSError, TimeoutError) as exc:
            problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise SweepError(f"--scheduler {scheduler}: cannot connect ({problem}); e.g. tcp://host:8786") from None
        with client:
            yield client.get_executor()
        return
    with (
        LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        client.run(settle_worker)  # our own workers: settle them like a pool's (not a shared cluster's)
        yield client.get_executor()


# Finished runs are written together as one parquet part at most every PART_SECONDS (and at the first
# batch, and when PART_ROWS wait): a study of 22,000 runs of 50 ms writes tens of parts, not thousands.
PART_SECONDS = 10.0
PART_ROWS = 20_000


def sweep(
    spec: SweepSpec | str | Path,
    out: str | Path | None = None,
    workers: int | None = None,
    executor: Executor | Literal["processes", "dask", "serial"] = "processes",
    scheduler: str | None = None,
    fresh: bool = False,
    progress: bool = False,
    max_runs: int | None = None,
    time_limit: float | None = RUN_TIME_LIMIT,
) -> SweepResult:
    """Run (or resume) a sweep and write its results as parquet parts.

    Args:
        spec: a SweepSpec or the path of its YAML file.
        out: output folder (default ``outputs/sweep/<name>``); a run's folder, or one of files salesim
            did not write, is refused (:func:`sim.experiments.outputs.claim`).
        workers: processes (default: all cores).
        executor: an Executor, or "processes" (a local pool), "dask" (distributed:
            ``scheduler`` address, or a LocalCluster started and stopped here) or "serial".
        scheduler: address of a running Dask scheduler.
        fresh: discard earlier results in ``out`` instead of resuming.
        progress: show a progress bar with ETA.
        max_runs: stop after this many new runs (to split a long sweep).
        time_limit: wall-clock seconds one run may take; a run past it is a failed row (kept: a
            resume does not run it again).

    Returns:
        The counts, the wall time and every result so far.
    """
    spec = check_spec(spec) if isinstance(spec, SweepSpec) and spec._base_path is None else spec
    spec = spec if isinstance(spec, SweepSpec) else load_spec(spec)
    folder = claim(out, "sweep", spec.name).path  # refuses a run's folder, or the user's own
    workers = workers or default_workers()
    points = design_points(spec)
    seeds = replication_seeds(spec.seed, spec.replications)
    base_data = scenario_to_dict(load_scenario(spec.base_ref, days=spec.days))
    _prepare_folder(spec, folder, fresh, points, seeds, base_data)
    unreadable: list[Path] = []
    finished = set(read_results(folder, unreadable).get("run_id", pd.Series(dtype=int)).tolist())
    for part in unreadable:  # its runs are run again, into a new part
        part.rename(part.with_name(f".{part.name}.unreadable"))  # hidden: pandas.read_parquet(folder) skips it
    names = list(spec.parameters)
    measure = KeepKPIs(tuple(spec.kpis))
    columns = ["run_id", "point_id", "replication", *names, "seed", "status", "error", *spec.kpis]
    tasks, invalid = [], []
    for p in points.to_dict(orient="records"):  # (iterrows would turn an integer column into floats)
        values = {k: _plain(p[k]) for k in names}
        try:
            scenario = _point_scenario(base_data, values)
        except ScenarioError as exc:  # a point the schema refuses: its runs are failed rows, not a crash
            scenario, error = None, str(exc)
        for r, seed in enumerate(seeds):
            run_id = int(p["point_id"]) * spec.replications + r
            if run_id in finished:
                continue
            labels = {"run_id": run_id, "point_id": int(p["point_id"]), "replication": r, **values}
            if scenario is None:
                invalid.append(labels | {"seed": seed, "status": "failed", "error": error})
            else:
                tasks.append(Task(scenario, seed, labels, measure, time_limit))
    pending = len(tasks) + len(invalid)
    skipped = len(points) * spec.replications - pending
    if max_runs is not None:
        tasks, invalid = tasks[:max_runs], invalid[: max(0, max_runs - len(tasks))]
    start = time.perf_counter()
    counts = {"done": 0, "failed": 0}

    buffer: list[dict[str, Any]] = []
    written = [0.0]  # when the last part was written (perf_counter); 0: none yet

    def record(rows: list[dict[str, Any]]) -> None:
        """Keep a finished batch's rows; write them as a part at the first batch, then every PART_SECONDS."""
        buffer.extend(rows)
        if written[0] and time.perf_counter() - written[0] < PART_SECONDS and len(buffer) < PART_ROWS:
            return
        flush()

    def flush() -> None:
        if not buffer:
            return
        rows = sorted(buffer, key=lambda row: row["run_id"])
        buffer.clear()
        written[0] = time.perf_counter()
        frame = pd.DataFrame(rows).reindex(columns=columns)
        path = folder / RESULTS / f"part-{rows[0]['run_id']:09d}.parquet"
        try:
            atomic_write(path, lambda tmp: frame.to_parquet(tmp, index=False))
        except OSError as exc:
            if exc.errno not in DISK_FULL:
                raise
            raise SweepError(
                f"{folder}: the disk is full ({exc.strerror}); {counts['done'] + len(finished)} runs of "
                f"{pending + len(finished)} are kept in {folder / RESULTS}: free some space; the same command resumes"
            ) from None
        counts["done"] += len(rows)
        counts["failed"] += int((frame["status"] == "failed").sum())

    if invalid:
        record(invalid)
    try:
        try:  # the runs stream to parts on disk: the runner keeps none of them (keep=False)
            if executor == "dask":
                with dask_executor(workers, scheduler) as pool:
                    run_tasks(tasks, workers, pool, progress, spec.name, on_batch=record, keep=False)
            else:
                pool = None if isinstance(executor, str) else executor
                n_workers = 1 if executor == "serial" else workers
                run_tasks(tasks, n_workers, pool, progress, spec.name, on_batch=record, keep=False)
        finally:
            flush()  # what finished is kept, on Ctrl-C too
    except KeyboardInterrupt as exc:
        raise Interrupted(
            f"{str(exc) or 'interrupted'}: {counts['done'] + len(finished)} runs of {pending + len(finished)} are "
            f"kept in {folder / RESULTS}; the same command resumes"
        ) from None
    seconds = time.perf_counter() - start
    results = read_results(folder)
    write_xlsx(folder / "sweep.xlsx", sweep_workbook(spec, points, results))
    return SweepResult(folder, results, counts["done"], counts["failed"], skipped, seconds, unreadable)


def sweep_workbook(spec: SweepSpec, points: pd.DataFrame, results: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """sweep.xlsx: the spec's inputs, the design points, every run, and each point's means with 95% intervals."""
    inputs = pd.DataFrame(
        [("base", str(spec.base)), ("design", spec.design), ("replications", spec.replications), ("seed", spec.seed)]
        + [(f"parameter {k}", str(v.model_dump(exclude_none=True))) for k, v in spec.parameters.items()],
        columns=["input", "value"],
    )
    sheets = {"inputs": inputs, "design points": points, "runs": results}
    ok = results[results["status"] == "ok"] if "status" in results else results
    if len(ok):
        rows = []
        for point, part in ok.groupby("point_id"):
            row = {"point_id": point, **{k: part[k].iloc[0] for k in spec.parameters}}
            for k in spec.kpis:
                row[k], row[f"{k}_ci_low"], row[f"{k}_ci_high"] = mean_ci(part[k])
            rows.append(row)
        sheets["point means"] = pd.DataFrame(rows)
    return sheets
