"""salesim: an agent-based simulator of inside and field sales alignment.

The Python API::

    import sim
    result = sim.run("aligned", seed=1)
    result.summary["revenue"]

The package is layered, each layer importing only those below it::

    config < model < measure < experiments < present < cli

(see docs/ARCHITECTURE.md). The names below are imported when first used, so
``import sim`` (and the command line's start-up) stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.config.levers import derive
    from sim.config.params import Params
    from sim.config.scenario import Scenario, ScenarioError, load_scenario
    from sim.experiments.compare import compare, explain
    from sim.experiments.runs import RunResult, replicate, run
    from sim.experiments.sweep import sweep
    from sim.model.model import SalesOrgModel

_API = {
    "Params": "sim.config.params",
    "Scenario": "sim.config.scenario",
    "ScenarioError": "sim.config.scenario",
    "load_scenario": "sim.config.scenario",
    "derive": "sim.config.levers",
    "SalesOrgModel": "sim.model.model",
    "RunResult": "sim.experiments.runs",
    "run": "sim.experiments.runs",
    "replicate": "sim.experiments.runs",
    "compare": "sim.experiments.compare",
    "explain": "sim.experiments.compare",
    "sweep": "sim.experiments.sweep",
}

__all__ = [
    "Params",
    "RunResult",
    "SalesOrgModel",
    "Scenario",
    "ScenarioError",
    "compare",
    "derive",
    "explain",
    "load_scenario",
    "replicate",
    "run",
    "sweep",
]


def __getattr__(name: str) -> Any:
    """Import an API name from its layer on first use (PEP 562)."""
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_API))
