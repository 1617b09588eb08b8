"""The model as declared components: each says what it reads, draws and produces, and nothing is left out."""

from __future__ import annotations

import ast
from pathlib import Path

from sim.config.params import PARAM_INFO
from sim.measure import kpis
from sim.model.customers import Customers
from sim.model.field_teams import FieldTeams
from sim.model.handoff import HandoffFeedback
from sim.model.inside_team import InsideTeam
from sim.model.marketplace import MarketPlace
from sim.model.model import COMPONENTS, SalesOrgModel, declared_streams
from sim.model.nurture import Nurture
from sim.model.pay import Pay
from sim.model.staffing import Staffing
from sim.model.timeline import Timeline

MODEL = Path("sim/model")
# which component's declaration covers the parameters each module of sim/model reads
OWNERS = {
    "market.py": (MarketPlace,), "marketplace.py": (MarketPlace,), "inside.py": (InsideTeam,),
    "pools.py": (InsideTeam,), "inside_team.py": (InsideTeam,), "field.py": (FieldTeams,),
    "opportunity.py": (FieldTeams,), "field_teams.py": (FieldTeams,), "reps.py": (InsideTeam, FieldTeams),
    "handoff.py": (HandoffFeedback,), "pay.py": (Pay,), "staffing.py": (Staffing,), "timeline.py": (Timeline,),
    "nurture.py": (Nurture,), "customers.py": (Customers,),
    "policies.py": COMPONENTS,  # the policies a component makes by name read that component's parameters
}  # fmt: skip


def _reads(path: Path) -> set[str]:
    """Parameters a module reads: ``p.x``, ``params.x``, ``old.x``, ``new.x``, ``<anything>.params.x``."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute) and node.attr in PARAM_INFO:
            value = node.value
            named = isinstance(value, ast.Name) and value.id in {"p", "params", "old", "new"}
            if named or (isinstance(value, ast.Attribute) and value.attr == "params"):
                found.add(node.attr)
    return found


def test_the_model_is_its_components():
    assert len(set(COMPONENTS)) == len(COMPONENTS) == 9
    assert all(c.refresh is not None and c.open_books is not None for c in COMPONENTS)


def test_every_parameter_the_model_reads_is_declared_by_the_component_that_reads_it():
    missing = {}
    for path in sorted(MODEL.glob("*.py")):
        owners = OWNERS.get(path.name)
        reads = _reads(path)
        if owners is None:
            assert not reads, f"{path.name} reads parameters but belongs to no component: {sorted(reads)}"
            continue
        declared = set().union(*(c.PARAMS for c in owners))
        if reads - declared:
            missing[path.name] = sorted(reads - declared)
    assert missing == {}
    declared_anywhere = set().union(*(c.PARAMS for c in COMPONENTS))
    assert declared_anywhere <= set(PARAM_INFO), sorted(declared_anywhere - set(PARAM_INFO))


def test_every_kpi_is_produced_by_exactly_one_component():
    produced = [name for c in COMPONENTS for name in c.KPIS]
    assert len(produced) == len(set(produced)), sorted(n for n in produced if produced.count(n) > 1)
    assert set(produced) == {k.name for k in kpis.KPIS}


def test_every_stream_is_owned_by_one_component():
    streams = declared_streams()
    assert len(streams) == len(set(streams))
    assert all(c.STREAMS or c in (Pay, Staffing, Timeline, Customers) for c in COMPONENTS)


def test_a_run_composes_every_component_once_and_refreshes_them_all():
    from sim.config.scenario import load_scenario

    model = SalesOrgModel(load_scenario("aligned", ["simulation.warmup_days=0"]))
    assert [type(c) for c in model.components] == list(COMPONENTS)
    seen = []
    for component in model.components:
        component.refresh = lambda old, new, c=component: seen.append(type(c))  # type: ignore[method-assign]
    model.use(model.params)
    assert seen == list(COMPONENTS)


def _runtime_imports(path: Path) -> set[str]:
    """Modules of sim/model a module imports when it runs (imports for the type checker only left out)."""
    names = set()
    for top in ast.parse(path.read_text()).body:
        if isinstance(top, ast.If) and ast.unparse(top.test) == "TYPE_CHECKING":
            continue
        for node in ast.walk(top):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sim.model"):
                target = node.module.removeprefix("sim.model").lstrip(".")
                names.update([target] if target else [a.name for a in node.names])
    return {n for n in names if (MODEL / f"{n}.py").exists()}


def test_no_import_circle_inside_the_model():
    """What sim/model's modules import when they run forms no cycle: each layer of the model builds on the ones below.

    (The typed interfaces of sim/model/services.py name concrete classes for the type checker only.)
    """
    graph = {path.stem: _runtime_imports(path) for path in MODEL.glob("*.py")}
    done: set[str] = set()

    def visit(node: str, stack: list[str]) -> list[str] | None:
        for nxt in sorted(graph[node]):
            if nxt in stack:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in done:
                found = visit(nxt, [*stack, nxt])
                if found:
                    return found
        done.add(node)
        return None

    cycles = [c for start in sorted(graph) if (c := visit(start, [start]))]
    assert graph["model"] >= {"component", "marketplace", "field_teams", "inside_team", "staffing", "timeline"}
    assert cycles == []
