"""The files of the CRM commands: ``export-crm``, ``import-crm`` and ``fit``.

``export-crm`` writes the export's tables as CSV files in a folder, or as one workbook, with the
mapping file that reads them back (``map.yaml``, or ``FILE.map.yaml`` beside a workbook).
``import-crm`` writes ``observed.json``: where the export came from, then its observed funnel
(:func:`sim.crm.observed.funnel`). ``fit`` writes ``posterior.parquet``, ``pipeline.parquet``
(the export's open opportunities, when it has any), ``fitted.yaml`` and ``fit.json``
(:mod:`sim.experiments.fit` says what each holds). Every file is written atomically; the
figures beside them (``observed.png``, ``check.png``) are drawn by :mod:`sim.present`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from sim.crm.reader import Export
from sim.experiments.files import atomic_write, write_json, write_xlsx
from sim.experiments.outputs import FolderError, claim

if TYPE_CHECKING:  # export-crm and import-crm need not import the fit's machinery
    from sim.experiments.fit import Fit

MAP_HEADER = "# salesim import-crm reads this export with this mapping file (docs/CRM.md)\n"


def write_export(
    target: Path,
    tables: dict[str, pd.DataFrame],
    mapping: dict[str, Any],
    identity: dict[str, Any] | None = None,
    force: bool = False,
) -> list[Path]:
    """Write a CRM export's tables and its mapping file; returns the files written.

    Args:
        target: a ``FILE.xlsx`` (a sheet per table, the mapping in ``FILE.map.yaml``) or a folder
            (a CSV per table and ``map.yaml``; claimed as ``export-crm``'s, :func:`claim`, and stamped).
        tables: the export's tables by name (:func:`sim.crm.export.export_tables`).
        mapping: the mapping file's content (:func:`sim.crm.export.export_map`, dumped).
        identity: what the export is (the run, format, start, time zone): a folder holding a different
            one, or files salesim did not write, is refused unless ``force``.
        force: overwrite what the target holds.

    Raises:
        FolderError: the target cannot be written, or holds what salesim did not write (without ``force``).
    """
    import yaml

    text = MAP_HEADER + yaml.safe_dump(mapping, sort_keys=False)
    if target.suffix.lower() == ".xlsx":
        written = [target, target.with_suffix(".map.yaml")]
        ours = written[1].is_file() and written[1].read_text(encoding="utf-8", errors="replace").startswith(MAP_HEADER)
        if not force and (written[0].exists() or written[1].exists()) and not ours:
            raise FolderError(
                f"--out {target}: a workbook (or its .map.yaml) salesim did not write is there; use another --out, "
                "or --force to overwrite it"
            )
        try:
            write_xlsx(target, tables)
            atomic_write(written[1], lambda tmp: tmp.write_text(text, encoding="utf-8"))
        except OSError as exc:
            raise FolderError(f"--out {target}: cannot write there ({exc.strerror})") from None
        return written
    claimed = claim(target, "export-crm", identity=identity or {"command": "export-crm"}, force=force)
    folder = claimed.path
    for name, table in tables.items():
        atomic_write(folder / f"{name}.csv", lambda tmp, t=table: t.to_csv(tmp, index=False))  # type: ignore[misc]  # mypy cannot infer a lambda with a default
    atomic_write(folder / "map.yaml", lambda tmp: tmp.write_text(text, encoding="utf-8"))
    claimed.stamp()
    return [folder / f"{name}.csv" for name in tables] + [folder / "map.yaml"]


def observed_record(path: Path, data: Export, observed: dict[str, Any]) -> dict[str, Any]:
    """observed.json: the export (path, files, column preset, rows read), then its observed funnel."""
    export = {
        "path": str(path),
        "files": data.files,
        "preset": data.crm_map.preset,
        "rows": len(data.leads),
        "rows_read": data.rows_read,
        "date_only": sorted(data.date_only),
    }
    return {"export": export, **observed}


def write_observed(folder: Path, record: dict[str, Any]) -> Path:
    """Write an export's observed funnel (:func:`observed_record`) as ``observed.json`` in ``folder``."""
    path = folder / "observed.json"
    write_json(path, record)
    return path


def write_fit(
    folder: Path, result: Fit, leads: pd.DataFrame, observed: dict[str, Any], export: Path, base_ref: str, name: str
) -> pd.DataFrame | None:
    """Write a fit's files in ``folder``: the posterior, the open pipeline, the fitted scenario, the report.

    Args:
        folder: the fit's folder.
        result: the fit.
        leads: the export's leads (canonical columns), for its open opportunities.
        observed: the export's observed funnel (its period's end dates the pipeline).
        export: the export's path, as given.
        base_ref: the base scenario (a built-in name or a file's absolute path), as fitted.yaml extends it.
        name: the fitted scenario's name.

    Returns:
        The open pipeline written (``pipeline.parquet``), or None when the export has no opportunities.
    """
    atomic_write(folder / "posterior.parquet", lambda tmp: result.posterior.to_parquet(tmp, index=False))
    pipeline = open_pipeline(leads, observed)
    if pipeline is not None:
        atomic_write(folder / "pipeline.parquet", lambda tmp: pipeline.to_parquet(tmp, index=False))
    text = fitted_yaml(result, base_ref, name, pipeline=pipeline is not None)
    atomic_write(folder / "fitted.yaml", lambda tmp: tmp.write_text(text, encoding="utf-8"))
    write_json(folder / "fit.json", {"export": str(export), "base": base_ref, **result.report()})
    return pipeline


def open_pipeline(leads: pd.DataFrame, observed: dict[str, Any]) -> pd.DataFrame | None:
    """The export's open opportunities at its date (``amount``, ``age_days``), or None when it has none.

    An opportunity is open when it was opened by the end of the period and not closed by then. One
    without an amount is valued at the median won amount (a lost deal's $0 is no open deal's value),
    else the median positive amount.
    """
    if leads["opp_created_at"].isna().all():
        return None
    end = pd.Timestamp(observed["period"]["end"])
    opened = leads["opp_created_at"].notna() & (leads["opp_created_at"] <= end)
    still_open = leads["closed_at"].isna() | (leads["closed_at"] > end)
    table = leads.loc[opened & still_open, ["amount", "opp_created_at"]]
    ages = (end - table["opp_created_at"]).dt.total_seconds() / 86400.0
    positive = leads["amount"].where(leads["amount"] > 0)
    won = positive.where(leads["outcome"] == "won")
    median = float(won.median()) if won.notna().any() else float(positive.median()) if positive.notna().any() else 0.0
    return pd.DataFrame({"amount": table["amount"].fillna(median).astype(float).to_numpy(),
                         "age_days": ages.astype(float).to_numpy()})  # fmt: skip


def fitted_yaml(result: Fit, base_ref: str, name: str, pipeline: bool = False) -> str:
    """fitted.yaml: the base (by name or path), the measured values, the posterior medians, the posterior."""
    import yaml

    m = result.measured
    org = result.scenario.organization
    doc: dict[str, Any] = {
        "name": name,
        "description": "Fitted by salesim fit to a CRM export: measured market and headcounts, posterior medians "
        "of the fitted behaviour (fit.json)",
        "extends": base_ref,
        "simulation": {"days": m.days},
        "market": {
            k: v
            for k, v in (
                ("inbound_leads_per_day", result.scenario.market.inbound_leads_per_day),
                ("deal_value_median", result.scenario.market.deal_value_median),
                ("deal_value_sigma", result.scenario.market.deal_value_sigma),
            )
        },
        "organization": {
            "inside_reps": org.inside_reps,
            "field_teams": [{"name": t.name, "field_reps": t.field_reps} for t in org.field_teams],
        },
        "behavior": {n: round(float(result.scenario.behavior[n]), 6) for n in result.prior.names},
        "posterior": "posterior.parquet",
    }
    if pipeline:
        doc["pipeline"] = "pipeline.parquet"
    return yaml.safe_dump(doc, sort_keys=False)
