"""Every ``salesim`` command the README shows runs (exit 0), in the README's order, at a small size.

The commands are read from README.md, not copied here: every code span or
line of a code block that starts with ``salesim``. Each is run in-process
(click's ``CliRunner`` on ``sim.cli.main``) in one temporary folder, so the
``outputs/`` a command writes and the next one reads (a run, then its CRM
export; a report, then ``discover`` on it) land there. The work is shrunk by
these mechanical rules and no others:

- a span that is only ``salesim COMMAND`` names the command (as in "see
  `salesim show`"); it runs only when the command needs no argument;
- optional parts ``[...]`` run, except one naming a Dask ``--scheduler``
  (it needs a cluster at that address);
- ``SCEN`` becomes ``misaligned``; the files a user would bring
  (``my_org.yaml``, ``other.yaml``, ``my_export/``, ``MAP.yaml``,
  ``fitted.yaml``, ``my_aligned.yaml``) are made first (:data:`USER_FILES`);
- ``-n`` is 2 and ``--workers`` 1 (given or not, where the command has them),
  ``--uncertainty`` is 2 sets of ``--per-set 1``, ``--budget`` 16 simulations
  with ``--population 4 --checks 2``, ``--port`` a free port;
- every scenario starts cold (``simulation.warmup_days=0``, prepended to the
  overrides of every scenario loaded), and the sweep specs under
  ``scenarios/sweeps/`` are copied with 2 replications of 30 days; ``--days``
  stays as the README gives it (the built-in ``reorg`` needs its two years);
- a run asked for again (the same scenario, seed and measure: report, explain and demo share
  most of theirs) is simulated once (:func:`run_each_task_once`);
- ``discover`` may rightly find nothing in a study this small: its one line
  saying so (exit 2) counts as a run;
- ``dashboard`` ends by handing its process to the server (``os.execve``):
  here that call is caught and its command line checked, and
  tests/test_dashboard.py starts the real server.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import socket
import sys
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner

import sim.config.scenario as scenario_module
from sim import cli

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
SPAN = re.compile(r"```[a-z]*\n(.*?)```|`(salesim [^`]+)`", re.DOTALL)  # a code block, or one code span
OPTIONAL = re.compile(r"\[([^\[\]]*)\]")
SIZES = {"-n": "2", "--uncertainty": "2", "--budget": "16", "--workers": "1"}  # option -> the value it runs with
UNSAID = {"-n": "2", "--workers": "1"}  # given where a command has them and the README leaves them out
COMPANIONS = {"--uncertainty": ["--per-set", "1"], "--budget": ["--population", "4", "--checks", "2"]}


def readme_commands(text: str) -> list[str]:
    """Every ``salesim ...`` command of the README, in order, whitespace collapsed (line breaks in a span too)."""
    found = []
    for block, span in SPAN.findall(text):
        lines = [span] if span else block.splitlines()
        found += [" ".join(line.split()) for line in lines if line.strip().startswith("salesim ")]
    return found


def _command(name: str) -> click.Command | None:
    return cli.main.get_command(click.Context(cli.main), name)


def _options(command: click.Command) -> set[str]:
    return {opt for p in command.params for opt in p.opts}


def is_example(line: str) -> bool:
    """A span that only names a command needing an argument ("see `salesim show`") is not an example."""
    words = line.split()
    command = _command(words[1])
    if len(words) > 2 or command is None:
        return True
    return not any(isinstance(p, click.Argument) and p.required for p in command.params)


def shrink(line: str, port: int) -> list[str]:
    """The README's command as this test runs it: the arguments after ``salesim``, by the module's rules."""

    def keep(group: re.Match) -> str:
        return "" if "--scheduler" in group[1] else group[1]

    args = shlex.split(OPTIONAL.sub(keep, line))[1:]
    args = ["misaligned" if a == "SCEN" else a for a in args]
    for i, arg in enumerate(args[:-1]):
        if arg in SIZES:
            args[i + 1] = SIZES[arg]
        elif arg == "--port":
            args[i + 1] = str(port)
    command = _command(args[0])
    if command is not None:
        options = _options(command)
        args += [word for option, value in UNSAID.items() if option in options - set(args) for word in (option, value)]
    for option, extra in COMPANIONS.items():
        if option in args:
            args += extra
    return args


USER_FILES = {  # the files the README's examples take from the user, made as a user would have them
    "my_org.yaml": "name: my_org\nextends: defined\n",
    "other.yaml": "name: other\nextends: aligned\nhandoff: {sla_hours: 2}\n",
    "my_aligned.yaml": "name: my_aligned\nextends: fitted.yaml\nhandoff: {mode: warm, sla_hours: 4}\n",
}


def make_user_files(folder: Path, invoke) -> None:
    """``my_org.yaml`` and the rest; ``my_export/`` a CRM export of a short run, ``MAP.yaml`` its mapping file."""
    for name, text in USER_FILES.items():
        (folder / name).write_text(text)
    invoke(["run", "defined", "--days", "60", "--out", "their-crm"])
    invoke(["export-crm", "their-crm", "--out", "my_export"])
    shutil.copy(folder / "my_export" / "map.yaml", folder / "MAP.yaml")
    sweeps = folder / "scenarios" / "sweeps"
    shutil.copytree(ROOT / "scenarios", folder / "scenarios")
    for spec in sweeps.glob("*.yaml"):
        data = yaml.safe_load(spec.read_text()) | {"replications": 2, "days": 30}
        spec.write_text(yaml.safe_dump(data, sort_keys=False))


def fitted_beside(folder: Path) -> None:
    """``fitted.yaml`` is what the README's ``salesim fit my_export/`` wrote, with its files, in the folder."""
    for path in (folder / "outputs" / "fit" / "my_export").iterdir():
        if path.is_file():
            shutil.copy(path, folder / path.name)


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


SHORT_DAYS = 30  # a scenario loaded without --days (or a sweep spec's days) runs this long


def small(load_scenario):
    """``load_scenario`` that starts every scenario cold and short (the README's ``--days`` and ``--set`` still win)."""

    def load_small(ref, overrides=(), **simulation):
        if simulation.get("days") is None:
            simulation["days"] = SHORT_DAYS
        return load_scenario(ref, ["simulation.warmup_days=0", *overrides], **simulation)

    return load_small


def shrink_scenarios(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every module that holds ``load_scenario`` (imported now or later by a command) gets :func:`small`'s."""
    original = scenario_module.load_scenario
    for module in (scenario_module, *(m for name, m in list(sys.modules.items()) if name.startswith("sim."))):
        if getattr(module, "load_scenario", None) is original:
            monkeypatch.setattr(module, "load_scenario", small(original))


def test_the_readme_shows_its_commands():
    commands = readme_commands(README.read_text())
    assert len(commands) >= 20, commands
    assert "salesim story misaligned --lead 40 [--seed 1]" in commands
    assert "salesim report fitted.yaml my_aligned.yaml --uncertainty 20" in commands  # a span over two lines
    assert shrink("salesim compare a b -n 20 --workers 2 [--uncertainty 20]", 1) == [
        "compare", "a", "b", "-n", "2", "--workers", "1", "--uncertainty", "2", "--per-set", "1",
    ]  # fmt: skip
    assert shrink("salesim sweep s.yaml [--executor dask --scheduler tcp://host:8786] [--fresh]", 1)[-3:] == [
        "--fresh", "--workers", "1",
    ]  # fmt: skip


def run_each_task_once(monkeypatch: pytest.MonkeyPatch) -> dict:
    """The runner's ``run_task`` remembering its rows: a run the same in every respect is simulated once.

    The README's report, explain and demo all run misaligned, aligned and the one-lever variants
    between them on the same markets (seed 1, ``-n 2``); a run is a pure function of its scenario
    (name included), seed and measure, so its row is the same whichever command asks (the
    commands' own reuse of a folder's runs rests on the same fact). Every command still runs,
    reduces and writes everything itself. Rows are copied, never shared.
    """
    import copy

    import sim.experiments.runner as runner

    real, rows = runner.run_task, {}

    def once(task):
        key = (task.scenario.model_dump_json(), task.seed, repr(task.measure), task.time_limit)
        if key not in rows:
            rows[key] = real(task)
        return copy.deepcopy(rows[key])

    monkeypatch.setattr(runner, "run_task", once)
    return rows


def test_every_readme_command_runs(tmp_path, monkeypatch):
    shrink_scenarios(monkeypatch)
    run_each_task_once(monkeypatch)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    servers: list[list[str]] = []

    def serve(path, args, env):  # the dashboard hands its process to the server: note it instead
        servers.append(list(args))
        raise SystemExit(0)

    monkeypatch.setattr(os, "execve", serve)

    def invoke(args: list[str]):
        return runner.invoke(cli.main, args, catch_exceptions=True)

    make_user_files(tmp_path, invoke)
    failed, ran = [], []
    for line in readme_commands(README.read_text()):
        if not is_example(line):
            continue
        if "fitted.yaml" in line.split():
            fitted_beside(tmp_path)
        args = shrink(line, free_port())
        result = invoke(args)
        ran.append(args[0])
        if result.exit_code != 0 and not (args[0] == "discover" and "nothing to discover" in result.output):
            error = repr(result.exception) if result.exception and result.exit_code == 1 else ""
            failed.append(f"{line}\n  ran: salesim {shlex.join(args)}\n  exit {result.exit_code}: "
                          f"{result.output.strip()[-600:]} {error}")  # fmt: skip
    assert not failed, "README commands that fail:\n" + "\n".join(failed)
    assert {"run", "report", "sweep", "fit", "dashboard", "story", "demo"} <= set(ran), ran
    assert servers and "solara" in servers[0] and "sim.present.dashboard" in servers[0]
