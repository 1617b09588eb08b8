"""What explain, discover, sensitivity, check-calibration and --vary write: their files, in one place.

The command line only presents: it calls these (as compare and report call
:func:`sim.present.report.write_comparison`), so a script that runs the same
experiment writes the same files.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sim.experiments.files import atomic_write, write_json

if TYPE_CHECKING:
    import pandas as pd

    from sim.experiments.calibration import Validation
    from sim.experiments.compare import Explanation
    from sim.experiments.discover import Discovery
    from sim.experiments.sensitivity import Sensitivity
    from sim.experiments.uncertainty import Uncertainty


def _csv(path: Path, table: pd.DataFrame) -> None:
    atomic_write(path, lambda tmp: table.to_csv(tmp, index=False))


def write_explain(result: Explanation, folder: Path) -> None:
    """``explain.csv``, ``mechanisms.csv`` if asked, ``steps.csv`` for a timeline of several days, the tornado.

    explain.csv: levers alone, together, and their interaction; steps.csv: each dated step in sequence.
    """
    from sim.present.figures import save, tornado

    _csv(folder / "explain.csv", result.table)
    if result.mechanisms is not None:
        _csv(folder / "mechanisms.csv", result.mechanisms)
    if result.steps is not None:
        _csv(folder / "steps.csv", result.steps)
    save(tornado(result), folder / "figures" / "tornado.png")


def write_explain_uncertainty(study: Uncertainty, levers: pd.DataFrame, folder: Path, command: str) -> None:
    """An explain's uncertainty study: its runs, ``explain_uncertainty.csv`` and the manifest."""
    from sim.experiments.uncertainty import write_uncertainty

    write_uncertainty(study, folder)
    _csv(folder / "explain_uncertainty.csv", levers)
    write_json(folder / "manifest.json", study.manifest() | {"command": command})


def write_vary(best: pd.DataFrame, folder: Path) -> None:
    """``vary.csv``: the best value of each --vary arm."""
    _csv(folder / "vary.csv", best)


def write_discovery(found: Discovery, folder: Path, kpi: str) -> Path:
    """``discovery_<kpi>.csv`` (PRIM's box) and its peeling trajectory beside it; the box's path."""
    box = folder / f"discovery_{kpi}.csv"
    _csv(box, found.limits)
    _csv(folder / f"discovery_{kpi}_trajectory.csv", found.trajectory)
    return box


def write_calibration(result: Validation, folder: Path) -> None:
    """``validation.csv`` (each fact, its published range, the simulated value) and ``response_curve.png``."""
    from sim.present.figures import response_curve, save

    _csv(folder / "validation.csv", result.table.drop(columns="key"))
    save(response_curve(result), folder / "response_curve.png")


def write_sensitivity(result: Sensitivity, folder: Path, kpi: str) -> None:
    """``sensitivity_<kpi>.csv`` and its figure."""
    from sim.present.figures import save, sensitivity_figure

    _csv(folder / f"sensitivity_{kpi}.csv", result.table)
    save(sensitivity_figure(result), folder / f"sensitivity_{kpi}.png")
