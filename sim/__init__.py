"""salesim: an agent-based simulator of inside and field sales alignment.

The Python API::

    import sim
    result = sim.run("aligned", seed=1)
    result.summary["revenue"]
"""

from sim.compare import compare, explain
from sim.experiment import RunResult, replicate, run
from sim.levers import Params, derive
from sim.model import SalesOrgModel
from sim.scenario import Scenario, ScenarioError, load_scenario

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
]
