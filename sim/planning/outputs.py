"""The plan's files: plan.json, pareto.csv, recommended.yaml, today.yaml, plan.xlsx, plan.md, figures/."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import yaml

from sim.config.scenario import Scenario, scenario_to_dict
from sim.experiments.files import atomic_write, write_json, write_xlsx
from sim.planning.answer import front_table
from sim.planning.decisions import plan_scenario
from sim.planning.evaluate import TODAY
from sim.planning.figures import PROFIT, SATISFACTION, front_figure, hiring_figure

if TYPE_CHECKING:
    from sim.planning.study import PlanResult


def scenario_yaml(scenario: Scenario, header: str) -> str:
    """A scenario as a YAML file ``salesim run`` and ``report`` read (a timeline entry's empty kinds left out)."""
    data = scenario_to_dict(scenario)
    data["timeline"] = [{k: v for k, v in change.items() if v is not None} for change in data["timeline"]]
    for change in data["timeline"]:
        for kind in ("hire", "exit"):
            if kind in change:
                change[kind] = {k: v for k, v in change[kind].items() if v not in (None, 0)}
    return header + yaml.safe_dump(data, sort_keys=False, width=100)


def _text(path: Path, text: str) -> None:
    atomic_write(path, lambda tmp: tmp.write_text(text))


def write_plan(result: PlanResult) -> None:
    """Write every file of the plan into its folder (the runs in ``runs.parquet/`` are already there)."""
    folder, spec, a, s = result.folder, result.spec, result.answer, result.searcher
    recommended = plan_scenario(result.base, s.candidates[a.recommended].plan, f"{spec.name}_recommended")
    today = result.base.model_copy(update={"name": f"{spec.name}_today"})
    how = f"# salesim report {folder / 'today.yaml'} {folder / 'recommended.yaml'} re-runs the comparison\n"
    _text(folder / "recommended.yaml", f"# {spec.name}: the recommended plan ({a.names[a.recommended]})\n{how}"
          + scenario_yaml(recommended, ""))  # fmt: skip
    _text(folder / "today.yaml", scenario_yaml(today, f"# {spec.name}: today's organization over the horizon\n{how}"))
    table = front_table(s, result.variables, a)
    atomic_write(folder / "pareto.csv", lambda tmp: table.to_csv(tmp, index=False))
    _text(folder / "plan.md", f"# Plan: {spec.name}\n\n" + "\n".join(a.words) + "\n")
    write_json(folder / "plan.json", plan_json(result, table))
    write_xlsx(folder / "plan.xlsx", workbook(result, table))
    figures = folder / "figures"
    figures.mkdir(exist_ok=True)
    drawn = {
        "pareto_satisfaction.png": front_figure(
            a, SATISFACTION, "mean", "Operating profit against prospect satisfaction: the Pareto front"
        ),
        "pareto_risk.png": front_figure(a, PROFIT, "p10", "Operating profit on average against its bad case"),
        "hiring.png": hiring_figure(today, recommended, ("today's plan", f"recommended ({a.names[a.recommended]})")),
    }
    for name, fig in drawn.items():
        atomic_write(figures / name, lambda tmp, f=fig: f.savefig(tmp, format="png"))  # type: ignore[misc]  # a lambda with a default


def plan_json(result: PlanResult, table: pd.DataFrame) -> dict[str, Any]:
    """plan.json: the spec, the front, the recommended plan with its robustness, and how it was found."""
    a, s = result.answer, result.searcher
    key = a.recommended
    return {
        "spec": result.spec.model_dump(mode="json"),
        "horizon_days": result.spec.horizon.length,
        "front": table.to_dict(orient="records"),
        "recommended": {
            "plan": a.names[key],
            "decisions": s.candidates[key].plan,
            "figures": a.figures[key],
            "gain_over_today": a.gains,
            "assumptions": a.ranking.to_dict(orient="records"),
            "where_it_does_not_pay": a.where_not,
            "in_words": a.words,
            "beats_today_on": {
                "objective": s.spec.chooser.label,
                "today": s.value(TODAY, s.spec.chooser.kpi, s.spec.chooser.stat),
                "recommended": s.value(key, s.spec.chooser.kpi, s.spec.chooser.stat),
                "better": s.chosen(key) > s.chosen(TODAY),
            },
        },
        "today": {"figures": a.figures[TODAY]},
        "search": {
            "method": "NSGA-II (pymoo MixedVariableGA, rank and crowding survival) asked and told a generation "
            "at a time; successive halving on the markets; every plan on the same assumption sets and markets",
            "generations": s.generations,
            "plans_evaluated": len(s.candidates) - 1,
            "plans_on_every_market": sum(c.markets == s.markets for k, c in s.candidates.items() if k != TODAY),
            "runs_stored": len(s.store.runs),
            "runs_this_call": s.runs,
            "seconds_this_call": result.seconds,
            "history": s.history,
        },
        "uncertainty": {
            "assumption_sets": s.design.sets.to_dict(orient="records"),
            "market_seeds": s.design.seeds,
        },
    }


def workbook(result: PlanResult, table: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """plan.xlsx: the plan in words, the front, every plan evaluated, the gain by set and the assumption sets."""
    s, a = result.searcher, result.answer
    plans = []
    for key, c in s.candidates.items():
        row: dict[str, Any] = {"plan": a.names.get(key, ""), "generation": c.generation, "markets": c.markets}
        row |= {v.name: c.plan.get(v.name, v.today) for v in result.variables}
        row |= {"feasible": c.scenario is not None and s.feasible(key), "problem": c.problem}
        row |= {f"{o.stat} {o.kpi}": s.value(key, o.kpi, o.stat) for o in result.spec.objectives}
        plans.append(row)
    gains = pd.DataFrame([{"kpi": k, **v} for k, v in a.gains.items()])
    return {
        "plan": pd.DataFrame({"the recommended plan": a.words}),
        "front": table,
        "plans evaluated": pd.DataFrame(plans),
        "gain over today": gains,
        "assumptions": a.ranking,
        "assumption sets": s.design.sets,
        "generations": pd.DataFrame(s.history),
    }
