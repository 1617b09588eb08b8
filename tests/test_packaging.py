"""The package ships what it reads, installs as a wheel, and its command line starts light.

* The published facts live in docs/FACTS.md and, identical, in the package.
* A wheel built from the checkout works outside it: installed in a fresh venv,
  its ``salesim`` lists, runs, compares and checks the calibration from an
  empty folder.
* ``import sim.cli`` and the commands that run no model import none of the
  numerical stack; ``salesim run`` imports no plotting, templating or
  sensitivity library, and of scipy and tqdm only what Mesa itself imports.

Behaviour, never timing: docs/PERFORMANCE.md and scripts/bench.py report the times.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from importlib import resources
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUILTIN = ROOT / "sim" / "config" / "builtins" / "aligned.yaml"
HEAVY = ("numpy", "pandas", "mesa", "matplotlib", "scipy", "pyarrow", "jinja2", "tqdm", "SALib")


def test_the_facts_ship_with_the_package_unchanged():
    shipped = (resources.files("sim.config") / "data" / "FACTS.md").read_text(encoding="utf-8")
    assert shipped == (ROOT / "docs" / "FACTS.md").read_text(encoding="utf-8")
    from sim.experiments.calibration import FACTS, published_facts

    assert published_facts() == shipped
    sections = set(re.findall(r"^## (\d+)\.", shipped, flags=re.MULTILINE))
    notes = set(re.findall(r"^## (Q\d+)\.", (ROOT / "docs" / "SOURCES.md").read_text(encoding="utf-8"), re.MULTILINE))
    for fact in FACTS:  # every fact cites a section of the file that ships, or of the research notes
        cited = re.search(r"\[FACTS (\d+),", fact.source)
        noted = re.search(r"\[SOURCES (Q\d+)[a-z]?,", fact.source)
        assert (cited and cited.group(1) in sections) or (noted and noted.group(1) in notes), fact.source


def test_nothing_points_outside_the_repository():
    texts = [ROOT / "README.md", *ROOT.glob("docs/*.md"), *ROOT.glob("sim/**/*.py"), *ROOT.glob("scripts/*.py")]
    texts += [p for p in ROOT.glob("tests/*.py") if p.name != "test_packaging.py"]
    for path in texts:
        for needle in ("shared/domain", "../shared", "shared/DESIGN"):
            assert needle not in path.read_text(encoding="utf-8"), f"{path}: mentions {needle}"


# --- start-up: what the command line imports -------------------------------------------------------

# Runs the console script's entry point as ``salesim ARGS`` and writes the modules loaded by the end.
IMPORTED_BY = """
import atexit, json, sys
report, *args = sys.argv[1:]
atexit.register(lambda: open(report, "w").write(json.dumps(sorted(sys.modules))))
sys.argv = ["salesim", *args]
from sim.cli import entry
entry()
"""


def _packages(modules: list[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


def _imported_by(tmp_path: Path, *args: str) -> list[str]:
    report = tmp_path / "modules.json"
    proc = subprocess.run(
        [sys.executable, "-c", IMPORTED_BY, str(report), *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(report.read_text())


def test_importing_the_cli_imports_no_numerical_library():
    code = "import json, sys, sim.cli; print(json.dumps(sorted(sys.modules)))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    loaded = _packages(json.loads(proc.stdout)) & {*HEAVY, "pydantic", "yaml"}
    assert not loaded, f"import sim.cli loads {sorted(loaded)}; import them in the commands that need them"


@pytest.mark.parametrize("args", [("--help",), ("validate", str(BUILTIN)), ("scenarios",)], ids=lambda a: a[0])
def test_commands_that_run_no_model_import_no_numerical_library(tmp_path, args):
    loaded = _packages(_imported_by(tmp_path, *args)) & set(HEAVY)
    assert not loaded, f"salesim {args[0]} loads {sorted(loaded)}"


def test_run_imports_no_plotting_and_only_what_mesa_needs(tmp_path):
    modules = _imported_by(tmp_path, "run", "aligned", "--days", "5", "--out", str(tmp_path / "out"))
    assert (tmp_path / "out" / "summary.json").is_file()
    loaded = _packages(modules)
    assert not loaded & {"matplotlib", "jinja2", "SALib"}, sorted(loaded & {"matplotlib", "jinja2", "SALib"})
    # Mesa 3.5 imports scipy.spatial, networkx and tqdm.auto itself (mesa/__init__.py); salesim adds none.
    code = "import json, sys, mesa; print(json.dumps(sorted(sys.modules)))"
    mesa = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, check=True).stdout)
    extra = sorted(m for m in set(modules) - set(mesa) if m.split(".")[0] in {"scipy", "tqdm"})
    assert not extra, f"salesim run imports {extra} beyond what Mesa imports"


# --- the wheel, outside the checkout ---------------------------------------------------------------


def _run(cmd: list[str | Path], cwd: Path, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))}: exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A fresh venv holding the wheel of this checkout, with the test venv's libraries but not its salesim."""
    if importlib.util.find_spec("setuptools") is None:
        pytest.skip("building the wheel needs setuptools in this venv (the dev extra installs it: make setup)")
    base = tmp_path_factory.mktemp("wheel")
    # Build from a copy: setuptools leaves build/ and *.egg-info/ beside the sources.
    src = base / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build")
    shutil.copytree(ROOT / "sim", src / "sim", ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}}
    wheels = base / "wheels"
    build = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", wheels, src]
    _run(build, base, os.environ.copy())  # this venv's setuptools, found however this venv finds it
    (wheel,) = wheels.glob("salesim-*.whl")

    venv = base / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], base, env)
    python = venv / "bin" / "python"
    where = _run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], base, env)
    purelib = Path(where.stdout.strip())
    # A plain path line: the test venv's site-packages join sys.path, but its .pth files (the
    # editable salesim's finder among them) are not processed, so only the wheel provides `sim`.
    (purelib / "libraries.pth").write_text(sysconfig.get_path("purelib") + "\n")
    install = [python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--ignore-installed", wheel]
    _run(install, base, env)
    return venv, env


def test_the_wheel_imports_from_its_venv_with_its_data(installed, tmp_path):
    venv, env = installed
    code = (
        "import sim, sim.cli; from sim.experiments.calibration import published_facts; "
        "from sim.config.scenario import builtin_names; "
        "print(sim.__file__); print(len(builtin_names())); print(len(published_facts()))"
    )
    where, n_builtins, n_facts = _run([venv / "bin" / "python", "-c", code], tmp_path, env).stdout.split()
    assert Path(where).resolve().is_relative_to(venv.resolve()), where
    assert int(n_builtins) == len(list((ROOT / "sim" / "config" / "builtins").glob("*.yaml")))
    assert int(n_facts) == len((ROOT / "docs" / "FACTS.md").read_text(encoding="utf-8"))


@pytest.mark.slow  # four commands as processes from the wheel (about 17 s); its data: the test above
def test_the_wheel_runs_from_an_empty_folder(installed, tmp_path):
    venv, env = installed
    salesim = venv / "bin" / "salesim"
    work = tmp_path / "empty"
    work.mkdir()

    listed = _run([salesim, "scenarios"], work, env).stdout
    for path in (ROOT / "sim" / "config" / "builtins").glob("*.yaml"):
        assert re.search(rf"^{path.stem}\s", listed, flags=re.MULTILINE), path.stem

    ran = _run([salesim, "run", "aligned", "--days", "20"], work, env).stdout
    summary = json.loads((work / "outputs" / "run" / "aligned-seed1" / "summary.json").read_text())
    assert summary["leads_created"] > 0 and "revenue" in ran

    compared = _run([salesim, "compare", "misaligned", "aligned", "-n", "2", "--days", "20"], work, env).stdout
    assert (work / "outputs" / "compare" / "misaligned-vs-aligned" / "report.html").is_file(), compared

    checked = _run([salesim, "check-calibration", "-n", "2"], work, env).stdout
    assert re.search(r"\d+ of \d+ comparable facts inside the published range", checked), checked
    rows = (work / "outputs" / "validation" / "validation.csv").read_text().splitlines()
    assert len(rows) > 1 and rows[0].startswith("fact")
