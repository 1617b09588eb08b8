"""The ``salesim`` command line: a thin layer over the Python API.

Exit codes: 0 ok, 2 bad input (one clear line on stderr), 1 internal error, 130 interrupted
(Ctrl-C or SIGTERM).
User-facing errors are caught here, once.

Start-up is kept short: each command imports what it needs when it runs, so
``salesim --help`` or ``salesim validate`` never load the numerical stack
(numpy, pandas, Mesa, matplotlib, scipy). Mesa itself imports pandas, scipy,
networkx and tqdm, so commands that run a model pay for those.
"""

from __future__ import annotations

import errno
import json
import os
import shlex
import signal
import sys
import traceback
from pathlib import Path

import click

from sim.config.errors import SalesimError
from sim.experiments.outputs import claim, default_folder

DEMO_SCENARIOS = ("field_only", "misaligned", "defined", "aligned", "integrated")
DEMO_EXPLAIN = ("misaligned", "aligned")
DEMO_REPLICATIONS = 20
DAYS_HELP = "Calendar days to simulate after the warm-up (weekends and holidays included)."


class UserError(SalesimError):
    """A mistake the user can fix (exit code 2)."""


def _fail(message: str) -> None:
    click.echo(f"salesim: error: {message}", err=True)
    sys.exit(2)


ENTRY = "entry"  # click's context object in the console script's own process (entry()): it settles


def _settle() -> None:
    """Settle the process once its libraries are imported, just before the first model runs.

    Only in the ``salesim`` process (:func:`entry`): settling belongs to a
    process that exists to run models, not to ``main`` called in-process
    (tests, notebooks). Commands that run no model never import what it needs.
    """
    if click.get_current_context().find_root().obj == ENTRY:
        from sim.experiments.runner import settle_process

        settle_process()


class _Group(click.Group):
    """Turns user mistakes into one line and exit 2, anything else into exit 1."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except SalesimError as exc:  # ScenarioError, ExperimentError, SweepError, FolderError, UserError
            _fail(str(exc))
        except click.UsageError as exc:  # bad option value, unknown option, missing argument
            _fail(exc.format_message())
        except BrokenPipeError:  # `salesim show x | head`: the reader stopped; as a pipe's writer, exit quietly
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(141)
        except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM: queued work cancelled, workers stopped
            click.echo(f"salesim: {str(exc) or 'interrupted'}", err=True)
            sys.exit(130)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except OSError as exc:  # a full disk is the user's to fix; any other OSError here is a bug
            if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
                _internal(exc)
            where = Path(exc.filename).parent if exc.filename else "writing"
            _fail(f"{where}: the disk is full ({exc.strerror}); free some space and run the command again")
        except Exception as exc:  # pragma: no cover - a bug, not a user mistake
            _internal(exc)


def _internal(exc: BaseException) -> None:
    """A bug, not a user mistake: one line (the traceback with SALESIM_DEBUG set), exit 1."""
    if os.environ.get("SALESIM_DEBUG"):
        traceback.print_exc()
    click.echo(f"salesim: internal error: {type(exc).__name__}: {exc}", err=True)
    sys.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="salesim")
def main() -> None:
    """salesim: what aligning inside and field sales is worth, simulated."""


@main.command()
@click.argument("scen")
@click.option("--seed", type=click.IntRange(min=0), help="Root seed (default: the scenario's).")
@click.option("--days", type=click.IntRange(min=1, max=5000), help=DAYS_HELP)
@click.option("--set", "overrides", multiple=True, metavar="K=V", help="Override a dotted key.")
@click.option("--out", type=click.Path(file_okay=False), help="Output folder.")
@click.option("--force", is_flag=True, help="Overwrite a folder that holds a different run.")
@click.option("--long", "long_ok", is_flag=True, help="Run a run estimated at more than a day (refused without it).")
@click.option("--time-limit", "time_limit", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
              help="Stop the run past this many seconds of wall time (default: none).")  # fmt: skip
def run(
    scen: str, seed: int | None, days: int | None, overrides: tuple[str, ...], out: str | None, force: bool,
    long_ok: bool, time_limit: float | None,
) -> None:  # fmt: skip
    """Run one scenario once and write its results."""
    from sim.config.scenario import load_scenario, scenario_to_dict
    from sim.experiments import runs as experiment
    from sim.experiments.plan import Work, run_seconds
    from sim.present.tables import kpi_table

    scenario = load_scenario(scen, overrides, seed=seed, days=days)
    experiment.check_size(scenario)
    _size(Work().add(f"{scenario.name}", 1, run_seconds(scenario)), long_ok)
    identity = {"command": "run", "scenario": scenario_to_dict(scenario)}
    name = f"{scenario.name}-seed{scenario.simulation.seed}"
    if overrides:  # a folder of its own for each set of changes (the same --set reuses it)
        import hashlib

        name += "-set-" + hashlib.sha256("\n".join(overrides).encode()).hexdigest()[:8]
    folder = claim(out, "run", name, identity, force, whole=True)
    _settle()
    from sim.model.model import RunTimeLimit

    try:
        result = experiment.run(scenario, time_limit=time_limit)
    except RunTimeLimit as exc:
        raise UserError(f"--time-limit {time_limit:g}: {exc}; nothing was written") from None
    folder.fill(lambda path: experiment.write_run(result, path, command=_command()))  # replacing a run: all or nothing
    for note in result.warnings:
        click.echo(f"warning: {note}", err=True)
    click.echo(f"{scenario.name}, seed {result.seed}, {scenario.simulation.days} days")
    click.echo(kpi_table({scenario.name: result.summary}))
    click.echo(f"\nresults: {folder.path}/")


@main.command()
@click.argument("files", nargs=-1, required=True)
@click.option("--set", "overrides", multiple=True, metavar="K=V", help="Check each scenario with this change.")
def validate(files: tuple[str, ...], overrides: tuple[str, ...]) -> None:
    """Check scenario files and sweep specs; print ok, or every problem of each, one a line."""
    from sim.config.scenario import ScenarioError, load_scenario, read_yaml, resolve_path

    bad = 0
    for ref in files:
        try:
            data = read_yaml(resolve_path(ref))
            if "design" in data and "base" in data:  # a sweep spec
                from sim.experiments.sweep import SweepError, load_spec

                if overrides:
                    raise ScenarioError(f"{ref}: a sweep spec; --set changes scenarios (set its base's values in it)")
                try:
                    spec = load_spec(ref)
                except SweepError as exc:
                    raise ScenarioError(str(exc)) from None
                click.echo(f"ok: {ref} (sweep {spec.name})")
                continue
            scenario = load_scenario(ref, overrides)
        except ScenarioError as exc:
            for problem in exc.problems:
                click.echo(f"salesim: error: {problem}", err=True)
            bad += 1
        else:
            click.echo(f"ok: {ref} ({scenario.name})")
    if bad:
        sys.exit(2)


@main.command()
@click.argument("scen")
@click.option("--set", "overrides", multiple=True, metavar="K=V", help="Override a dotted key.")
def show(scen: str, overrides: tuple[str, ...]) -> None:
    """Print the resolved scenario, its derived behaviour parameters, and their units and sources."""
    import yaml

    from sim.config.levers import derive
    from sim.config.params import params_to_dict
    from sim.config.scenario import load_scenario, scenario_to_dict
    from sim.present.params_table import params_table

    scenario = load_scenario(scen, overrides)
    params = derive(scenario)
    doc = scenario_to_dict(scenario)
    doc["derived_behavior"] = params_to_dict(params)
    click.echo(yaml.safe_dump(doc, sort_keys=False, width=100))
    click.echo(params_table(params, prefix="# "))  # YAML comments: the output still loads as the scenario


@main.command()
def scenarios() -> None:
    """List the built-in scenarios with their descriptions."""
    from sim.config.scenario import builtin_descriptions

    descriptions = builtin_descriptions()
    width = max(map(len, descriptions)) + 2
    for name, text in descriptions.items():
        click.echo(f"{name.ljust(width)}{' '.join(str(text).split())}")


def _command() -> str:
    return shlex.join(["salesim", *sys.argv[1:]])


n_option = click.option("-n", "n", type=int, default=20, show_default=True, help="Replications per scenario.")
seed_option = click.option("--seed", type=click.IntRange(min=0), default=1, show_default=True, help="Root seed.")
days_option = click.option("--days", type=click.IntRange(min=1, max=5000), help=DAYS_HELP)
workers_option = click.option("--workers", type=click.IntRange(min=1), help="Processes (default: all cores).")
out_option = click.option("--out", type=click.Path(file_okay=False), help="Output folder.")
force_option = click.option("--force", is_flag=True, help="Overwrite a folder that holds a different run.")
long_option = click.option(
    "--long", "long_ok", is_flag=True, help="Run work estimated at more than a day here (refused without it)."
)


def _size(work, long_ok: bool, workers: int | None = None) -> None:
    """Refuse work over the limits (or over a day without --long); print the plan of work past a minute."""
    from sim.experiments.plan import PLAN_SECONDS

    if workers:
        work.workers = workers
    work.check(long_ok)
    if work.seconds > PLAN_SECONDS:
        click.echo(f"salesim: plan: {work.line()}", err=True)


STUDY_KEYS = ("uncertainty", "per_set", "range_scale")  # a study added to a comparison: the same run, refined

uncertainty_option = click.option(
    "--uncertainty",
    "sets",
    type=click.IntRange(min=2, max=10_000),
    help="Also run every scenario on N assumption sets drawn from the plausible ranges (Latin hypercube).",
)
per_set_option = click.option(
    "--per-set",
    type=click.IntRange(min=1, max=1000),
    default=3,
    show_default=True,
    help="Replications per assumption set (the same markets for every set).",
)
range_scale_option = click.option(
    "--range-scale",
    type=click.FloatRange(0, 1),
    default=1.0,
    show_default=True,
    help="Share of each plausible range drawn from (0: the defaults).",
)


def _vary(scenarios, vary: str, kpi_name: str):
    """The arms of ``--vary KEY=V1,V2,...``, and whether the scenario's own value is among the values.

    The arms are the one scenario, then it with each other value: its own value is not run twice.
    """
    from sim.config.scenario import parse_override
    from sim.experiments.plan import ExperimentError
    from sim.experiments.vary import base_is_tried, vary_arms
    from sim.measure.kpis import KPI_NAMES

    if len(scenarios) != 1:
        raise ExperimentError("--vary tries values of one scenario: give exactly one SCEN")
    if kpi_name not in KPI_NAMES:
        raise ExperimentError(f"--kpi {kpi_name}: not a KPI (one of {', '.join(KPI_NAMES)})")
    if "=" not in vary:
        raise ExperimentError(f"--vary {vary}: expected KEY=V1,V2,..., e.g. handoff.sla_hours=2,4,8,24")
    key, text = vary.split("=", 1)
    values = [parse_override(f"{key}={item.strip()}")[1] for item in text.split(",") if item.strip()]
    return vary_arms(scenarios[0], key.strip(), values), base_is_tried(scenarios[0], key.strip(), values)


def _check_study(sets, per_set, scale) -> None:
    """Refuse an uncertainty study that cannot run as asked, before any folder is made."""
    if sets is not None:
        from sim.experiments.plan import MAX_SETS, ExperimentError

        if not 0.0 <= scale <= 1.0:
            raise ExperimentError(f"--range-scale {scale:g}: between 0 (the defaults) and 1 (the full ranges)")
        if not 2 <= sets <= MAX_SETS:
            raise ExperimentError(f"--uncertainty {sets}: between 2 and {MAX_SETS} assumption sets")


def _with_study(work, arms, sets, per_set):
    """The work, and an uncertainty study's runs of ``arms`` when one is asked for."""
    if sets is not None:
        from sim.experiments.plan import study_work

        work.parts += study_work(arms, sets, per_set).parts
    return work


def _pair(command, base, target, n, seed, days, workers, sets, per_set, range_scale, long_ok, mechanisms=False):
    """BASE and TARGET of explain and report, loaded and checked, and the identity of their folder.

    Every run of the command is counted first (:func:`_size`): the pair and each lever switched
    alone on ``n`` markets, and the uncertainty study's runs.
    """
    from sim.config.scenario import load_scenario, scenario_to_dict
    from sim.experiments.plan import check_explain, explain_work

    base_s, target_s = load_scenario(base, days=days), load_scenario(target, days=days)
    check_explain(base_s, target_s, n)
    _check_study(sets, per_set, range_scale)
    if mechanisms:  # each lever's parameters one by one: counted from the arms themselves
        from sim.experiments.compare import ExplainStudy, arms_work

        arms = ExplainStudy.of(base_s, target_s, n=n, days=days, mechanisms=mechanisms).arms
        work = arms_work(arms, n, scenarios=2)
    else:
        work = explain_work(base_s, target_s, n)
    if sets is not None:  # the study runs BASE and TARGET (report), and each lever switched alone (explain)
        from sim.experiments.plan import count, run_seconds

        studied = 2 + (len(check_explain(base_s, target_s, n)) if command == "explain" else 0)
        what = f"{count(studied, 'organization')} x {sets:,} assumption sets x {per_set:,} markets"
        work.add(what, studied * sets * per_set, (run_seconds(base_s) + run_seconds(target_s)) / 2)
    _size(work, long_ok, workers)
    identity = {"command": command, "scenarios": [scenario_to_dict(s) for s in (base_s, target_s)], "n": n}
    identity |= {"seed": seed}
    if sets is not None:
        identity |= {"uncertainty": sets, "per_set": per_set, "range_scale": range_scale}
    return base_s, target_s, identity


def pair_options(command):
    """The options explain and report share: replications, seed, days, workers, folder, uncertainty, --long."""
    for option in reversed(
        [n_option, seed_option, days_option, workers_option, out_option, force_option,
         uncertainty_option, per_set_option, range_scale_option, long_option]
    ):  # fmt: skip
        command = option(command)
    return command


def _study(scenarios, sets, per_set, seed, scale, workers):
    """The uncertainty study of the arms, or None when none was asked for."""
    if sets is None:
        return None
    from sim.experiments.uncertainty import uncertainty

    return uncertainty(scenarios, sets=sets, n=per_set, seed=seed, scale=scale, workers=workers, progress=True)


@main.command()
@click.argument("scens", nargs=-1, required=True)
@n_option
@seed_option
@days_option
@workers_option
@out_option
@force_option
@uncertainty_option
@per_set_option
@range_scale_option
@click.option("--vary", metavar="KEY=V1,V2,...", help="Try each value of one key against SCEN on the same markets.")
@click.option("--kpi", "kpi_name", default="profit", show_default=True, help="What --vary picks the best value by.")
@long_option
def compare(scens, n, seed, days, workers, out, force, sets, per_set, range_scale, vary, kpi_name, long_ok) -> None:
    """Compare scenarios on the same markets; the first is the baseline."""
    from sim.config.scenario import load_scenario, scenario_to_dict
    from sim.experiments.plan import arms_work, check_arms

    scenarios = [load_scenario(s, days=days) for s in scens]
    with_base = False
    if vary is not None:
        scenarios, with_base = _vary(scenarios, vary, kpi_name)
    check_arms(scenarios, n)
    _check_study(sets, per_set, range_scale)
    _size(_with_study(arms_work(scenarios, n, scenarios=len(scenarios)), scenarios, sets, per_set), long_ok, workers)
    from sim.experiments.compare import compare as compare_scenarios
    from sim.experiments.compare import derived_name
    from sim.present.report import answer, write_comparison
    from sim.present.tables import comparison_table, uncertainty_lines, vary_table

    names = [s.name for s in scenarios]
    identity = {"command": "compare", "scenarios": [scenario_to_dict(s) for s in scenarios], "n": n, "seed": seed}
    if sets is not None:
        identity |= {"uncertainty": sets, "per_set": per_set, "range_scale": range_scale}
    name = f"{names[0]}-vary-{vary.split('=', 1)[0]}" if vary is not None else "-vs-".join(names)
    claimed = claim(out, "compare", derived_name(name), identity, force, whole=True, refines=STUDY_KEYS)
    _settle()
    from sim.experiments.compare import read_runs, write_runs

    reuse = read_runs(claimed.path)  # the replications a command there already ran are not run again
    result = compare_scenarios(scenarios, n=n, seed=seed, workers=workers, progress=True, reuse=reuse)
    for failed, why in result.failed.items():
        click.echo(f"salesim: warning: {failed} left out of the comparison: {why}", err=True)
    study = _study(scenarios, sets, per_set, seed, range_scale, workers)
    best = None
    if vary is not None:
        from sim.experiments.compare import best_values

        best = best_values(result, kpi_name, include_base=with_base)

    def write(folder: Path) -> None:
        write_comparison(result, folder, _command(), study)
        write_runs(result, folder)
        if best is not None:
            from sim.present.writers import write_vary

            write_vary(best, folder)

    claimed.fill(write)  # in a temporary sibling swapped in: a failed write leaves the previous results whole
    headline = answer(result, study) if best is None else None
    if headline:
        click.echo("\n".join(headline) + "\n")  # two scenarios ask one question: its answer first
    click.echo(comparison_table(result))
    if best is not None:
        click.echo("\n" + vary_table(best, kpi_name, vary.split("=", 1)[0], result.names[0]))
    if study is not None:
        click.echo("\n" + uncertainty_lines(study))
    click.echo(f"\nresults: {claimed.path}/\nreport:  {claimed.path / 'report.html'}")


@main.command()
@click.argument("base")
@click.argument("target")
@pair_options
@click.option(
    "--mechanisms",
    is_flag=True,
    help="Also switch each lever's behaviour parameters one at a time: where its dollars come from "
    "(mechanisms.csv; more runs).",
)
def explain(base, target, n, seed, days, workers, out, force, sets, per_set, range_scale, long_ok, mechanisms) -> None:
    """Effect of switching each lever that differs, alone, from BASE to TARGET."""
    base_s, target_s, identity = _pair(
        "explain", base, target, n, seed, days, workers, sets, per_set, range_scale, long_ok, mechanisms
    )  # sized before the heavy imports: work over the limits is refused at once
    from sim.experiments.compare import ExplainStudy, derived_name
    from sim.experiments.compare import explain as explain_levers
    from sim.present.writers import write_explain, write_explain_uncertainty

    claimed = claim(out, "explain", derived_name(f"{base_s.name}-to-{target_s.name}"), identity, force, whole=True)
    _settle()
    result = explain_levers(base_s, target_s, n=n, seed=seed, workers=workers, progress=True, mechanisms=mechanisms)
    study = levers = None
    if sets is not None:
        from sim.experiments.uncertainty import lever_uncertainty

        arms = ExplainStudy.of(base_s, target_s, n=n, days=days).arms
        study = _study(arms, sets, per_set, seed, range_scale, workers)
        levers = lever_uncertainty(study, result.levers)

    def write(folder: Path) -> None:
        write_explain(result, folder)
        if study is not None:
            write_explain_uncertainty(study, levers, folder, _command())

    claimed.fill(write)
    from sim.present.tables import explain_table, mechanisms_table, steps_table

    click.echo(explain_table(result.table))
    if result.steps is not None:
        click.echo("\n" + steps_table(result.steps))
    if result.mechanisms is not None:
        click.echo("\n" + mechanisms_table(result.mechanisms))
    if levers is not None:
        shown = levers[levers["kpi"] == "profit"][["lever", "median", "p10", "p90", "p_positive"]]
        click.echo(f"\nprofit effect of each lever across {sets} assumption sets (median, P10, P90, share positive):")
        click.echo(shown.to_string(index=False))
    click.echo(f"\nresults: {claimed.path}/")


@main.command("report")
@click.argument("base")
@click.argument("target")
@pair_options
@click.option("--pdf", "pdf", is_flag=True, help="Also print the report to report.pdf (A4; needs Chromium).")
def report_cmd(base, target, n, seed, days, workers, out, force, sets, per_set, range_scale, long_ok, pdf) -> None:
    """What changing BASE into TARGET is worth: the answer, what to do first, then the evidence."""
    base_s, target_s, identity = _pair(
        "report", base, target, n, seed, days, workers, sets, per_set, range_scale, long_ok
    )  # sized before the heavy imports: work over the limits is refused at once
    from sim.experiments.compare import compare as compare_scenarios
    from sim.experiments.compare import derived_name

    browser = None
    if pdf:  # before any work: a PDF that cannot be printed here is said at once
        from sim.present.pdf import check_pdf

        browser = check_pdf()

    from sim.present.report import answer, write_comparison  # after the checks: a refusal answers at once

    name = derived_name(f"{base_s.name}-to-{target_s.name}")
    claimed = claim(out, "report", name, identity, force, whole=True, refines=STUDY_KEYS)
    _settle()
    from sim.experiments.compare import read_runs, write_runs

    arms = [base_s, target_s]
    reuse = read_runs(claimed.path)  # adding --uncertainty to a report does not run its replications again
    result = compare_scenarios(
        arms, n=n, seed=seed, workers=workers, progress=True, explain=(base_s, target_s), reuse=reuse
    )
    study = _study(arms, sets, per_set, seed, range_scale, workers)

    def write(folder: Path) -> None:
        write_comparison(result, folder, _command(), study)
        write_runs(result, folder)
        if browser is not None:
            from sim.present.pdf import write_pdf

            write_pdf(folder / "report.html", folder / "report.pdf", browser)

    claimed.fill(write)
    click.echo("\n".join(answer(result, study)))  # type: ignore[arg-type]  # explain= asks the question: never None
    if study is None:
        click.echo("(--uncertainty N adds the spread across the plausible range of every behaviour assumption)")
    click.echo(f"\nresults: {claimed.path}/\nreport:  {claimed.path / 'report.html'}")
    if browser is not None:
        click.echo(f"pdf:     {claimed.path / 'report.pdf'}")


@main.command("discover")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("--kpi", "kpi_name", default="profit", show_default=True, help="The KPI (its gain, or a sweep's value).")
@click.option("--scenario", help="Whose gain, when the study compared several scenarios with the baseline.")
@click.option("--below", type=float, default=0.0, show_default=True, help="Cases at or below this are of interest.")
@click.option("--density", type=click.FloatRange(0.05, 1.0), default=0.8, show_default=True,
              help="Least share of the cases in the box that are of interest.")  # fmt: skip
def discover_cmd(folder, kpi_name, scenario, below, density) -> None:
    """Where a change does not pay: PRIM's box over an --uncertainty study or a sweep in FOLDER."""
    from sim.experiments.discover import cases, discover
    from sim.present.writers import write_discovery

    path = Path(folder)
    inputs, values, what = cases(path, kpi_name, scenario)
    found = discover(inputs, values, what, below=below, density=density)
    write_discovery(found, path, kpi_name)
    click.echo(found.sentence())
    click.echo(f"\nbox: {path}/discovery_{kpi_name}.csv (PRIM, EMA Workbench; trajectory beside it)")


@main.command()
@click.option("--out", type=click.Path(file_okay=False), help="Output folder (default outputs/demo).")
@click.option("-n", "n", type=click.IntRange(min=2), default=DEMO_REPLICATIONS, show_default=True)
@workers_option
@force_option
@long_option
def demo(out, n, workers, force, long_ok) -> None:
    """Compare the alignment stages, explain misaligned -> aligned, write the report."""
    from sim.config.scenario import load_scenario
    from sim.experiments.compare import ExplainStudy, arms_work
    from sim.experiments.compare import compare as compare_scenarios
    from sim.present.report import answer, write_comparison
    from sim.present.tables import comparison_table

    scenarios = [load_scenario(s) for s in DEMO_SCENARIOS]
    arms = [*scenarios, *ExplainStudy.of(*DEMO_EXPLAIN, n=n, days=None).arms]
    work = arms_work(arms, n, scenarios=len(scenarios))
    if workers:
        work.workers = workers
    work.check(long_ok)
    claimed = claim(out, "demo", "", {"command": "demo", "n": n}, force, whole=True)
    click.echo(demo_plan(work, scenarios[0].simulation.days, n))  # before anything runs: what, and about how long
    _settle()
    result = compare_scenarios(list(DEMO_SCENARIOS), n=n, workers=workers, progress=True, explain=DEMO_EXPLAIN)
    claimed.fill(lambda folder: write_comparison(result, folder, _command()))
    headline = answer(result)
    if headline:
        click.echo("\n".join(headline) + "\n")  # the answer first, then the evidence
    click.echo(comparison_table(result))
    click.echo("\n" + demo_next_steps((claimed.path / "report.html").resolve()))


def demo_plan(work, days: int, n: int) -> str:
    """What the demo runs and about how long it takes here, said before it starts."""
    base, target = DEMO_EXPLAIN
    return (
        f"salesim demo: {', '.join(DEMO_SCENARIOS)} compared on the same {n} markets ({days} days each, after a "
        f"warm-up), and {base} -> {target} explained lever by lever (each lever switched alone).\n"
        f"  {work.line()}.\n"
    )


def demo_next_steps(report: Path) -> str:
    """What a newcomer does after the demo: read the report, steer the dashboard, model their own company."""
    import importlib.util

    salesim = _program()
    if importlib.util.find_spec("solara") is not None:
        dashboard = f"{salesim} dashboard"
    else:  # the demo's venv has no dashboard extra: make installs it first
        dashboard = "make dashboard (installs the dashboard's extra first)"
    return "\n".join(
        [
            "Next steps:",
            f"  1. Open the report (the answer first, then the evidence): {report}",
            f"  2. Steer a variant live against {DEMO_EXPLAIN[0]} on the same market: {dashboard}",
            "  3. Model your own company: write my_org.yaml with the lines 'name: my_org' and 'extends: aligned',",
            f"     change its levers (README.md, 'Commands'; {salesim} show aligned lists them), then",
            f"     {salesim} validate my_org.yaml && {salesim} report {DEMO_EXPLAIN[0]} my_org.yaml",
        ]
    )


def _program() -> str:
    """How to call ``salesim`` from here: its name when this environment's scripts are on PATH, else a path."""
    import shutil

    scripts = Path(sys.executable).parent
    found = shutil.which("salesim")
    if found is not None and Path(found).parent == scripts:
        return "salesim"
    own = scripts / "salesim"
    try:
        return str(own.relative_to(Path.cwd()))
    except ValueError:
        return str(own)


@main.command("check-calibration")
@click.option("-n", "n", type=click.IntRange(min=2), default=10, show_default=True, help="Replications per run.")
@seed_option
@workers_option
@out_option
def check_calibration(n, seed, workers, out) -> None:
    """Compare the default calibration with the published facts (FACTS.md)."""
    from sim.experiments.calibration import check
    from sim.present.tables import calibration_table
    from sim.present.writers import write_calibration

    folder = claim(out, "validation").path
    _settle()
    result = check(n=n, seed=seed, workers=workers, progress=True)
    table = result.table
    write_calibration(result, folder)
    click.echo(calibration_table(table))
    inside, counted = (sum(v) for v in zip(*result.shares().values(), strict=True))
    share = inside / counted if counted else float("nan")
    apart = len(table) - counted
    click.echo(
        f"\n{inside} of {counted} comparable facts inside the published range ({share:.0%}); "
        f"{apart} listed apart (not measured or not comparable), never counted; results: {folder}/"
    )


@main.command("sweep")
@click.argument("spec_file", metavar="SPEC.yaml")
@workers_option
@click.option("--executor", type=click.Choice(["processes", "dask"]), default="processes", show_default=True)
@click.option("--scheduler", metavar="ADDR", help="Address of a running Dask scheduler (with --executor dask).")
@out_option
@click.option("--resume/--fresh", default=True, show_default=True, help="Skip finished runs, or start over.")
@click.option("--run-time-limit", "time_limit", type=click.FloatRange(min=0, min_open=True), default=600.0,
              show_default=True, metavar="SECONDS", help="Stop a run past this and record it failed.")  # fmt: skip
@long_option
def sweep_command(spec_file, workers, executor, scheduler, out, resume, time_limit, long_ok) -> None:
    """Run a parameter sweep (grid, lhs, sobol, morris) into results.parquet."""
    from sim.experiments.sweep import load_spec, sweep, sweep_work

    if scheduler and executor != "dask":
        raise UserError(f"--scheduler {scheduler}: only with --executor dask (it would be ignored)")
    spec = load_spec(spec_file)
    _size(sweep_work(spec), long_ok, workers)
    _settle()
    result = sweep(  # the sweep claims its folder (sim.experiments.outputs)
        spec,
        out,
        workers=workers,
        executor=executor,
        scheduler=scheduler,
        fresh=not resume,
        progress=True,
        time_limit=time_limit,
    )
    for part in result.unreadable:
        click.echo(
            f"salesim: warning: {part}: unreadable, set aside (.{part.name}.unreadable); its runs were run again",
            err=True,
        )
    click.echo(result.line())


@main.command("plan")
@click.argument("spec_file", metavar="SPEC.yaml")
@click.option("--budget", type=click.IntRange(min=1), help="The most runs the search may take (fewer generations).")
@workers_option
@click.option("--executor", type=click.Choice(["processes", "dask"]), default="processes", show_default=True)
@click.option("--scheduler", metavar="ADDR", help="Address of a running Dask scheduler (with --executor dask).")
@out_option
@click.option("--resume/--fresh", default=True, show_default=True, help="Reuse the runs in --out, or start over.")
def plan_command(spec_file, budget, workers, executor, scheduler, out, resume) -> None:
    """Search for the levers, hires and pay that do best across what we do not know (NSGA-II)."""
    from sim.planning.study import plan, plan_work, prepare

    if scheduler and executor != "dask":
        raise UserError(f"--scheduler {scheduler}: only with --executor dask (it would be ignored)")
    spec, base = prepare(spec_file)
    generations, work = plan_work(spec, base, budget, workers)
    click.echo(f"salesim: plan: {work.line()} at most ({generations} generation{'s' * (generations != 1)})", err=True)
    _settle()
    result = plan(spec_file, out, budget, workers, executor, scheduler, fresh=not resume, progress=True)
    click.echo("\n".join(result.answer.words))
    click.echo(f"\nresults: {result.folder}/ (plan.json, pareto.csv, recommended.yaml, plan.xlsx, figures/)")


@main.command()
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--kpi", required=True, help="The KPI to analyse (one the sweep kept).")
@click.option("--x", "x", help="Grid designs: parameter on the x axis (default: the first).")
@click.option("--y", "y", help="Grid designs: parameter on the y axis (default: the second).")
@click.option("--average-over", "average", multiple=True, metavar="PARAM",
              help="Grid designs: a swept parameter the cells may average over (never silently).")  # fmt: skip
def sensitivity(folder, kpi, x, y, average) -> None:
    """Sobol or Morris indices of a sweep (a heatmap for grids, rank correlations for LHS)."""
    from sim.experiments.sensitivity import analyze
    from sim.experiments.sweep import read_results
    from sim.present.format import format_interval, format_kpi
    from sim.present.writers import write_sensitivity

    path = Path(folder)
    unreadable: list[Path] = []
    read_results(path, unreadable)
    for part in unreadable:
        click.echo(f"salesim: warning: {part}: unreadable, left out (the same sweep command reruns its runs)", err=True)
    result = analyze(folder, kpi, x, y, tuple(average))
    write_sensitivity(result, path, kpi)
    if result.method == "grid":
        gx, gy = result.axes
        cells = result.table.assign(
            cell=[
                f"{format_kpi(kpi, r.mean)} {format_interval(kpi, r.ci_low, r.ci_high)}"
                for r in result.table.itertuples()
            ]
        )
        click.echo(cells.pivot(index=gy, columns=gx, values="cell").to_string())
    else:
        click.echo(result.table.to_string(index=False))
    click.echo(f"\n{result.method} analysis of {kpi}: {path}/sensitivity_{kpi}.csv and .png")


def _check_listen(host: str, port: int) -> None:
    """Refuse a host or port the dashboard cannot listen on (one line), warn when it listens beyond this machine."""
    import ipaddress
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        raise UserError(f"--host {host}: not an address of this machine") from None
    family, _, _, _, address = infos[0]
    if not ipaddress.ip_address(address[0]).is_loopback:
        click.echo(
            f"salesim: warning: --host {host} serves the dashboard to every machine that can reach this one, "
            "with no login",
            err=True,
        )
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(address)
        except OSError as exc:
            busy = f"cannot listen on {host}:{port} ({exc.strerror})"
            raise UserError(f"--port {port}: {busy}; choose another --port") from None


@main.command()
@click.argument("scen", default="misaligned")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True, help="Port to listen on.")
def dashboard(scen: str, host: str, port: int) -> None:
    """Live dashboard: SCEN as baseline beside a variant you steer, on the same market."""
    import importlib.util

    from sim.config.scenario import load_scenario

    load_scenario(scen)  # a bad name or file is the usual one-line error, before any server starts
    if importlib.util.find_spec("solara") is None:
        raise UserError("the dashboard needs its optional dependencies: pip install 'salesim[dashboard]'")
    _check_listen(host, port)
    ref = str(Path(scen).resolve()) if Path(scen).is_file() else scen
    env = os.environ | {
        "SALESIM_BASELINE": ref,
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
        "SOLARA_THEME_SHOW_BANNER": "False",
        "SOLARA_THEME_TITLE": "salesim",
    }  # no badge over the page
    quiet = "ignore:Cookies with samesite=none:UserWarning"  # plain http on a loopback address is fine here
    args = [
        sys.executable,
        "-W",
        quiet,
        "-m",
        "solara",
        "run",
        "sim.present.dashboard",
        "--host",
        host,
        "--port",
        str(port),
    ]
    args += ["--production", "--no-open", "--no-check-version"]  # nothing leaves the machine
    click.echo(f"salesim dashboard: http://{host}:{port}/ (Ctrl+C stops it)")
    sys.stdout.flush()
    os.execve(sys.executable, args, env)


@main.command()
@click.argument("scen")
@click.option(
    "--lead", "number", type=click.IntRange(min=1), required=True,
    help="Which lead: its number in the run, counted from 1 (the first lead after the warm-up).",
)  # fmt: skip
@click.option("--seed", type=click.IntRange(min=0), help="Root seed (default: the scenario's).")
@click.option("--days", type=click.IntRange(min=1, max=5000), help=DAYS_HELP)
def story(scen: str, number: int, seed: int | None, days: int | None) -> None:
    """Tell one prospect's journey through the organization in words."""
    from sim.experiments import runs as experiment
    from sim.present.story import lead_of_run, tell

    _settle()
    result = experiment.run(scen, seed=seed, days=days)
    try:
        row = lead_of_run(result.leads, number)
    except LookupError as exc:
        raise UserError(f"--lead {number}: {exc}") from None
    click.echo("\n".join(tell(row, number)))


CRM_FORMATS = ("salesforce", "hubspot")  # sim.crm.export.FORMATS (not imported here: --help stays fast)


@main.command("export-crm")
@click.argument("run_dir", type=click.Path(exists=True, file_okay=False))
@click.option("--format", "fmt", type=click.Choice(CRM_FORMATS), default="salesforce", show_default=True)
@click.option("--out", type=click.Path(), help="A folder (CSV tables), or a FILE.xlsx (a sheet per table).")
@click.option("--start", default="2029-01-01", show_default=True, help="The date of the run's day 0 (a Monday).")
@click.option("--timezone", default="UTC", show_default=True, help="The company's time zone (IANA name).")
@click.option("--force", is_flag=True, help="Overwrite a folder or workbook that holds something else.")
def export_crm(run_dir: str, fmt: str, out: str | None, start: str, timezone: str, force: bool) -> None:
    """Write a run (salesim run's folder) as a CRM export: Salesforce Lead/Opportunity or HubSpot contacts/deals."""
    import pandas as pd

    from sim.crm.export import export_map, export_tables
    from sim.experiments.crm_files import write_export

    folder = Path(run_dir)
    try:
        leads = pd.read_parquet(folder / "leads.parquet")
        manifest = json.loads((folder / "manifest.json").read_text())
        days = int(manifest["scenario"]["simulation"]["days"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UserError(f"{folder}: not a run folder of salesim run (leads.parquet, manifest.json): {exc}") from None
    tables = export_tables(leads, fmt, start, timezone)
    mapping = export_map(fmt, days, start, timezone).model_dump(mode="json", exclude_defaults=True)
    target = Path(out) if out else default_folder("export-crm", f"{folder.name}-{fmt}")
    identity = {"command": "export-crm", "run": str(folder.resolve()), "format": fmt, "start": start,
                "timezone": timezone}  # fmt: skip
    written = write_export(target, tables, mapping, identity, force)
    sizes = ", ".join(f"{name} {len(table):,} rows" for name, table in tables.items())
    click.echo(f"{fmt} export of {folder.name} ({days} days from {start}, {timezone}): {sizes}")
    click.echo("written: " + ", ".join(str(p) for p in written))


def _read_export(
    export: str, map_file: str | None, timezone: str | None, start: str | None = None, end: str | None = None
):
    """An export read as import-crm and fit read it: (path, the export, its observed funnel); problems printed."""
    from sim.crm.mapfile import load_map
    from sim.crm.observed import export_funnel
    from sim.crm.reader import read_export

    path = Path(export)
    data = read_export(path, load_map(map_file) if map_file else None, timezone)
    for problem in data.problems:
        click.echo(f"warning: {problem.line()}", err=True)
    return path, data, export_funnel(data, start, end)


@main.command("import-crm")
@click.argument("export", type=click.Path(exists=True))
@click.option("--map", "map_file", type=click.Path(exists=True, dir_okay=False), help="A mapping file (docs/CRM.md).")
@click.option("--timezone", help="The company's time zone (IANA name; default: the map's, else UTC).")
@click.option("--start", help="The period's start (a date; default: the map's, else where the arrivals are complete).")
@click.option("--end", help="The period's end (a date; default: the map's, else where the arrivals are complete).")
@click.option("--out", type=click.Path(file_okay=False), help="Output folder.")
@click.option("--force", is_flag=True, help="Overwrite a folder that holds something else.")
def import_crm(
    export: str, map_file: str | None, timezone: str | None, start: str | None, end: str | None, out: str | None,
    force: bool,
) -> None:  # fmt: skip
    """Read a CRM export (CSV, xlsx or a folder of them) and write its observed funnel: observed.json, observed.png."""
    from pydantic import ValidationError

    from sim.crm.presets import CrmError, Period
    from sim.experiments.crm_files import observed_record, write_observed
    from sim.present.crm_figures import save_observed_figure

    try:
        Period(start=start, end=end)
    except ValidationError as exc:
        raise CrmError(f"--start/--end: {exc.errors()[0]['msg'].removeprefix('Value error, ')}") from None
    path = Path(export)
    mapped = str(Path(map_file).resolve()) if map_file else None
    identity = {"command": "import-crm", "export": str(path.resolve()), "map": mapped, "timezone": timezone,
                "start": start, "end": end}  # fmt: skip
    claimed = claim(out, "import-crm", path.stem if path.is_file() else path.resolve().name, identity, force)
    path, data, observed = _read_export(export, map_file, timezone, start, end)
    observed = observed_record(path, data, observed)
    folder = claimed.path
    write_observed(folder, observed)
    save_observed_figure(observed, folder / "observed.png", f"Observed funnel of {path.name}")
    claimed.stamp()
    k = observed["kpis"]
    columns = "mapping file" if data.crm_map.preset == "none" else data.crm_map.preset
    read = ", ".join(f"{label} {n:,}" for label, n in data.rows_read.items())
    dropped = data.dropped()
    click.echo(
        f"{path.name}: rows read: {read} ({columns} columns); {sum(dropped.values()):,} rows dropped or left out"
    )
    for why, n in dropped.items():
        click.echo(f"  {n:>8,}  {why}")
    doubtful = [p for p in data.problems if p.rows and not any(w in p.action for w in ("dropped", "left out"))]
    for p in doubtful:
        click.echo(f"  {p.rows:>8,}  {p.file}: {p.column}: {p.problem} ({p.action})")
    if data.date_only:
        click.echo(
            f"dates without a time of day: {', '.join(sorted(data.date_only))} (read at 12:00, compared by date)"
        )
    click.echo(f"period: {observed['period']['note']}")
    for name in ("leads_created", "median_response_hours", "leads_qualified", "opportunities", "deals_won", "win_rate",
                 "revenue"):  # fmt: skip
        value = k[name]
        click.echo(f"  {name:<24}{'not measured' if value is None else f'{value:,.4g}'}")
    click.echo(f"\nresults: {folder}/observed.json, observed.png")


@main.command("fit")
@click.argument("export", type=click.Path(exists=True))
@click.option("--map", "map_file", type=click.Path(exists=True, dir_okay=False), help="A mapping file (docs/CRM.md).")
@click.option("--timezone", help="The company's time zone (IANA name; default: the map's, else UTC).")
@click.option("--scenario", "base", metavar="SCEN",
              help="The organization's structure and levers, with its headcounts (default: defined, headcounts "
                   "from the export).")  # fmt: skip
@click.option("--start", help="The period's start (a date; default: the map's, else where the export is complete "
                              "and its pipeline has built up).")  # fmt: skip
@click.option("--end", help="The period's end (a date; default: the map's, else where the arrivals are complete).")
@click.option("--budget", type=click.IntRange(4, 1_000_000), default=None, show_default=False,
              help="Simulations in all (default 2000: about 14 minutes here for a year of 28 reps).")  # fmt: skip
@click.option("--population", type=click.IntRange(2, 100_000), default=100, show_default=True,
              help="Posterior draws kept.")  # fmt: skip
@click.option("--only", "only", multiple=True, metavar="PARAM", help="Fit only these parameters (repeatable).")
@click.option(
    "--prior",
    "priors",
    multiple=True,
    metavar="PARAM=LOW,HIGH",
    help="Another uniform prior for a fitted parameter (repeatable): widen one the data press on.",
)
@click.option("--checks", type=click.IntRange(0, 10_000), default=40, show_default=True,
              help="Runs at posterior draws for check.png (beyond the budget).")  # fmt: skip
@click.option("--seed", type=click.IntRange(min=0), default=1, show_default=True, help="The fit's seed.")
@click.option("--replicates", type=click.IntRange(1, 20), default=2, show_default=True,
              help="Runs (seeds) each candidate is judged on; the budget counts runs.")  # fmt: skip
@workers_option
@click.option("--executor", type=click.Choice(["processes", "dask"]), default="processes", show_default=True)
@click.option("--scheduler", metavar="ADDR", help="Address of a running Dask scheduler (with --executor dask).")
@click.option("--name", default="fitted", show_default=True, help="The fitted scenario's name.")
@out_option
@click.option("--resume/--fresh", default=True, show_default=True, help="Continue a stored fit, or start over.")
def fit_command(export, map_file, timezone, base, start, end, budget, population, only, priors, checks, seed,
                replicates, workers, executor, scheduler, name, out, resume) -> None:  # fmt: skip
    """Fit the model to a CRM export: fitted.yaml, posterior.parquet, fit.json, check.png."""
    from sim.config.scenario import builtin_names, load_scenario
    from sim.experiments.crm_files import write_fit, write_pipeline
    from sim.experiments.fit import DEFAULT_BUDGET, FITTED, check_ranges, fit
    from sim.experiments.runner import default_workers
    from sim.present.fit_figures import save_check_figure

    if scheduler and executor != "dask":
        raise UserError("--scheduler needs --executor dask")
    names = tuple(dict.fromkeys(only)) or tuple(FITTED)
    ranges = check_ranges(_prior_ranges(priors), names)
    base_ref = base or "defined"
    if base is not None and base not in builtin_names():
        base_ref = str(Path(base).resolve())
    scenario = load_scenario(base_ref)
    from pydantic import ValidationError

    from sim.crm.observed import export_funnel
    from sim.crm.presets import CrmError, Period
    from sim.experiments.fit import warm_start
    from sim.experiments.fit_claims import practices_in_use

    try:
        Period(start=start, end=end)
    except ValidationError as exc:
        raise CrmError(f"--start/--end: {exc.errors()[0]['msg'].removeprefix('Value error, ')}") from None
    path, data, observed = _read_export(export, map_file, timezone, start, end)
    later = None if start or data.crm_map.period.start else warm_start(data.leads, observed)
    if later is not None:
        observed = export_funnel(data, later.date().isoformat(), end)
        period: dict = observed["period"]  # type: ignore[assignment]  # a dict, built by funnel
        click.echo(f"period: {period['start'][:10]} to {period['end'][:10]}: starts where the "
                   "export's pipeline has built up (the P90 of its cycle after its arrivals are complete), as the "
                   "simulations start warmed up (--start to change)")  # fmt: skip
    else:
        click.echo(f"period: {observed['period']['note']}")
    folder = claim(out, "fit", path.stem if path.is_file() else path.resolve().name).path
    _settle()
    names = tuple(dict.fromkeys(only)) or tuple(FITTED)
    pipeline = write_pipeline(folder, data.leads, observed)
    at_start = write_pipeline(folder, data.leads, observed, at="start")
    result = fit(
        data.leads, observed, scenario, folder, keep_organization=base is not None, names=names,
        budget=budget or DEFAULT_BUDGET, population=population, seed=seed, checks=checks,
        workers=workers or default_workers(), executor=executor, scheduler=scheduler, fresh=not resume, progress=True,
        fields=data.fields, pipeline=folder / "pipeline_start.parquet" if at_start is not None else None,
        shipped_pipeline=folder / "pipeline.parquet" if pipeline is not None else None, ranges=ranges,
        replicates=replicates,
    )  # fmt: skip
    write_fit(folder, result, path, base_ref, name, pipeline)
    save_check_figure(result, result.checked, folder / "check.png", f"Fit of {path.name}: observed vs simulated")
    click.echo(practices_in_use(result.scenario, Path(base_ref).name if base else base_ref))
    _echo_fit(path, result, folder, pipeline)


def _prior_ranges(priors: tuple[str, ...]) -> dict[str, tuple[float, float]]:
    """``--prior NAME=LOW,HIGH`` options as ranges (checked against the fitted parameters by the fit)."""
    out: dict[str, tuple[float, float]] = {}
    for text in priors:
        key, _, span = text.partition("=")
        low, _, high = span.partition(",")
        try:
            out[key.strip()] = (float(low), float(high))
        except ValueError:
            raise UserError(f"--prior {text}: write PARAM=LOW,HIGH with two numbers (win_logit=-3,1)") from None
    return out


def _echo_fit(path: Path, result, folder: Path, pipeline) -> None:
    """The fit in the terminal: volumes, each parameter's claims, statistics not reproduced, prior edges."""
    from sim.experiments.fit_claims import edge_lines, practice_lines

    m, k = result.measured, result.levels
    span = f"{result.period['start'][:10]} to {result.period['end'][:10]}, " if result.period.get("start") else ""
    runs = f"{sum(g.simulations for g in result.generations):,} runs in {len(result.generations)} generations"
    click.echo(f"{path.name}: fitted on {span}{m.days} days; volume enters at its {result.entry}; "
               f"{m.inside_reps or '?'} inside and {m.field_reps or '?'} field reps; {runs}, each candidate judged "
               f"on {result.generations[0].replicates} seed(s) ({result.seconds:.0f} s)")  # fmt: skip
    if result.not_identified:
        click.echo(f"  not identified (above the entry point, not fitted): {', '.join(result.not_identified)}")
    if k.get("rounds"):
        click.echo(f"  levels: sources of opportunities x {k['volume_factor']:.3g}, list values x "
                   f"{k['deal_factor']:.3g} (to reproduce the export's volume and won amounts)")  # fmt: skip
    for row in result.parameters():
        state = "pinned down" if row["pinned_down"] else "not pinned down"
        flags = [f"informed by {', '.join(row['informed_by'])}" if row["informed"] else "not informed",
                 "contracted" if row["contracted"] else "not contracted"]  # fmt: skip
        if row["at_prior_edge"]:
            flags.append(f"at the {row['at_prior_edge']} edge of its prior")
        click.echo(f"  {row['parameter']:<18}{row['median']:>9.3g}  90% [{row['p05']:.3g}, {row['p95']:.3g}]  "
                   f"{state} ({'; '.join(flags)})")  # fmt: skip
    for s in result.statistics():
        if s["inside"] is None:
            continue
        band = f"[{s['simulated_p05']:.3g}, {s['simulated_p95']:.3g}]" if s["simulated_p05"] is not None else "[none]"
        mark = "inside" if s["inside"] else f"NOT REPRODUCED: {s['not_reproduced']}"
        click.echo(f"  {s['label']:<38}{s['observed']:>10.4g}  fitted 5-95% {band}  {mark}")
    shipped = {r["statistic"]: r for r in result.shipped_report()}
    volumes = [shipped[s] for s in ("opportunities_per_day", "deals_won_per_day", "revenue_per_day")
               if s in shipped and shipped[s]["observed"] is not None]  # fmt: skip
    if volumes:
        click.echo("  fitted.yaml as shipped (from the export's open deals at its end): " + ", ".join(
            f"{r['label']} {r['simulated_median']:.4g} (export {r['observed']:.4g})" for r in volumes))  # fmt: skip
    for line in edge_lines(result.parameters()) + practice_lines(result.statistics()):
        click.echo(line)
    opened = ""
    if pipeline is not None:
        stale = pipeline.attrs.get("stale", 0)
        days = pipeline.attrs.get("stale_after_days") or 0
        left = f"; {stale} stale ones left out, open over {days:.0f} days" if stale else ""
        opened = f", pipeline.parquet ({len(pipeline)} open opportunities{left})"
    click.echo(f"\nresults: {folder}/fitted.yaml, posterior.parquet, fit.json, check.png{opened}")


def entry() -> None:
    """The ``salesim`` console script: the command line, in a process that settles before its models run.

    Settling (:func:`sim.experiments.runner.settle_process`) belongs to a process that
    exists to run models, not to ``main`` called in-process (tests, notebooks);
    the commands that run models settle after their imports (:func:`_settle`),
    so that the others start without importing the numerical libraries.
    """
    signal.signal(signal.SIGTERM, _terminated)
    main(obj=ENTRY)


def _terminated(signum: int, frame: object) -> None:
    """SIGTERM stops the work as Ctrl-C does (queued runs cancelled, workers ended, finished results kept)."""
    from sim.config.errors import Interrupted

    raise Interrupted("terminated")


if __name__ == "__main__":  # pragma: no cover
    entry()
