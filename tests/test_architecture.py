"""The package's layers: a lower layer never imports a higher one (docs/ARCHITECTURE.md)."""

import ast
from pathlib import Path

import pytest

import sim

PACKAGE = Path(sim.__file__).parent
# config < model < measure < experiments < present < planning < cli; crm sits beside measure.
LAYERS = {"config": 0, "model": 1, "measure": 2, "crm": 2, "experiments": 3, "present": 4, "planning": 4.5, "cli": 5}


def _layer(module: str) -> str | None:
    """The layer of a ``sim...`` module name (None for the package facade ``sim`` itself)."""
    parts = module.split(".")
    return parts[1] if parts[0] == "sim" and len(parts) > 1 else None


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every ``sim...`` module a file imports (at any depth: function-level imports count too)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if alias.name.startswith("sim")]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and node.module.startswith("sim"):
            found += [(node.lineno, node.module)]
            if node.module == "sim":  # from sim import runs: a submodule of the facade
                found += [(node.lineno, f"sim.{alias.name}") for alias in node.names]
    return found


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py" or p.parent != PACKAGE)


def test_every_module_belongs_to_a_layer():
    for path in MODULES:
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        assert _layer(module) in LAYERS, f"{path}: not in a layer ({', '.join(LAYERS)})"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_imports_a_higher_layer(path):
    own = _layer(".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts))
    for line, module in _imports(path):
        layer = _layer(module)
        assert layer is not None, f"{path}:{line} imports the facade `sim`; import from a layer instead"
        assert layer in LAYERS, f"{path}:{line} imports {module}, which is in no layer"
        assert LAYERS[layer] <= LAYERS[own], f"{path}:{line}: {own} imports {module} ({layer} is a higher layer)"
        if layer == "crm" or own == "crm":
            assert layer == own or LAYERS[layer] < LAYERS[own], f"{path}:{line}: crm and measure are siblings"


def _private_imports(path: Path) -> list[tuple[int, str]]:
    """Names starting with ``_`` that a file imports from a ``sim`` module (at any depth)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and node.module.startswith("sim"):
            found += [(node.lineno, f"{node.module}.{a.name}") for a in node.names if a.name.startswith("_")]
        elif isinstance(node, ast.Import):
            found += [
                (node.lineno, alias.name)
                for alias in node.names
                if alias.name.startswith("sim") and any(part.startswith("_") for part in alias.name.split("."))
            ]
    return found


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_imports_a_private_name_of_another(path):
    """What one module shares with another is public: a private name stays in its module."""
    for line, name in _private_imports(path):
        raise AssertionError(f"{path}:{line} imports {name}, private to its module; make it public or move it")


def test_the_check_catches_an_upward_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from sim.present.report import render\n")
    assert _imports(bad) == [(2, "sim.present.report")]
    assert LAYERS[_layer("sim.present.report")] > LAYERS["model"]


def test_the_api_keeps_its_names():
    for name in ("run", "replicate", "compare", "explain", "sweep", "Scenario", "Params"):
        assert callable(getattr(sim, name)), name


def test_the_check_catches_a_private_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from sim.experiments.compare import explain, _with_lever\ndef f():\n    import sim._hidden\n")
    assert _private_imports(bad) == [(1, "sim.experiments.compare._with_lever"), (3, "sim._hidden")]
