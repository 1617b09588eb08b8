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

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from sim.crm.reader import Export
from sim.experiments.files import atomic_write, write_json, write_xlsx
from sim.experiments.outputs import FolderError, claim

if TYPE_CHECKING:  # export-crm and import-crm need not import the fit's machinery
    from sim.experiments.fit import Fit

STALE = 2.0  # an open deal older than twice the P90 of the won cycles is stale (left out of the pipeline)
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


def write_pipeline(folder: Path, leads: pd.DataFrame, observed: dict[str, Any], at: str = "end") -> pd.DataFrame | None:
    """Write the export's open pipeline (:func:`open_pipeline`) before the fit runs on it.

    ``at="end"``: ``pipeline.parquet``, the open deals at the period's end, from which fitted.yaml's runs
    start (what ships). ``at="start"``: ``pipeline_start.parquet``, those at its start, read and valued
    the same way, from which the fit's runs of the export's own period start.

    Returns:
        The pipeline written, or None when the export has no opportunities (a stale file is removed).
    """
    pipeline = open_pipeline(leads, observed, at)
    path = folder / ("pipeline.parquet" if at == "end" else "pipeline_start.parquet")
    if pipeline is not None:
        atomic_write(path, lambda tmp: pipeline.to_parquet(tmp, index=False))
    elif path.is_file():
        path.unlink()
    return pipeline


def write_fit(
    folder: Path, result: Fit, export: Path, base_ref: str, name: str, pipeline: pd.DataFrame | None = None
) -> None:
    """Write a fit's files in ``folder``: the posterior, the fitted scenario, the report.

    Args:
        folder: the fit's folder.
        result: the fit.
        export: the export's path, as given.
        base_ref: the base scenario (a built-in name or a file's absolute path), as fitted.yaml extends it.
        name: the fitted scenario's name.
        pipeline: the open pipeline :func:`write_pipeline` wrote (the fit ran on it), or None.
    """
    atomic_write(folder / "posterior.parquet", lambda tmp: result.posterior.to_parquet(tmp, index=False))
    text = fitted_yaml(result, base_ref, name, pipeline=pipeline)
    atomic_write(folder / "fitted.yaml", lambda tmp: tmp.write_text(text, encoding="utf-8"))
    from sim.experiments.fit_claims import practices_in_use

    assumed = practices_in_use(result.scenario, Path(base_ref).name)
    write_json(folder / "fit.json", {"export": str(export), "base": base_ref, "practices_assumed": assumed,
                                     **result.report()})  # fmt: skip


def open_pipeline(leads: pd.DataFrame, observed: dict[str, Any], at: str = "end") -> pd.DataFrame | None:
    """The export's open opportunities at its date (``amount``, ``age_days``), or None when it has none.

    An opportunity is open when it was opened by the end of the period (``at="start"``: before its
    start) and not closed by then. One without an amount (or with 0: not yet entered) is valued at the
    mean won amount (a lost deal's $0 is no open deal's value; the mean, not the median, is what a deal
    of unknown size brings on average: Maven's won amounts have a median of $940 and a mean of $2,087),
    else the mean positive amount. One open for over :data:`STALE` times the
    P90 of the export's won cycles is stale (a real CRM keeps deals open that nobody works any more; a
    run would close them at once) and left out; ``attrs`` says how many (``stale``) and past what age
    (``stale_after_days``).
    """
    if leads["opp_created_at"].isna().all():
        return None
    end = pd.Timestamp(observed["period"][at])
    opened = leads["opp_created_at"].notna() & (
        leads["opp_created_at"] <= end if at == "end" else leads["opp_created_at"] < end
    )
    still_open = leads["closed_at"].isna() | (leads["closed_at"] > end)
    table = leads.loc[opened & still_open, ["amount", "opp_created_at"]]
    ages = (end - table["opp_created_at"]).dt.total_seconds() / 86400.0
    positive = leads["amount"].where(leads["amount"] > 0)
    won = positive.where(leads["outcome"] == "won")
    mean = float(won.mean()) if won.notna().any() else float(positive.mean()) if positive.notna().any() else 0.0
    amounts = table["amount"].where(table["amount"] > 0)  # an open deal's 0 is an amount not yet entered
    won_at = leads["outcome"] == "won"
    cycles = (leads.loc[won_at, "closed_at"] - leads.loc[won_at, "opp_created_at"]).dt.total_seconds() / 86400.0
    cycles = cycles.dropna()
    after = STALE * float(cycles.quantile(0.9)) if len(cycles) >= 5 else math.inf
    fresh = (ages <= after).to_numpy()
    out = pd.DataFrame({"amount": amounts.fillna(mean).astype(float).to_numpy()[fresh],
                        "age_days": ages.astype(float).to_numpy()[fresh]})  # fmt: skip
    out.attrs = {"stale": int((~fresh).sum()), "stale_after_days": after if math.isfinite(after) else None}
    return out


def fitted_yaml(result: Fit, base_ref: str, name: str, pipeline: pd.DataFrame | None = None) -> str:
    """fitted.yaml: the base, then every value it sets with where it comes from: measured, levelled, fitted, default.

    Each value carries a comment: ``measured`` (read from the export), ``levelled`` (set so that runs
    reproduce a level the export measured: opportunities a day, the mean won amount), ``fitted`` (the
    posterior median, with its 90% interval), ``given`` (the ``--scenario``'s) or ``default`` (the
    base's: the export does not say). Every value the file does not set is the base's default.
    """
    import json

    m, sc, levels = result.measured, result.scenario, result.levels
    base_name = Path(base_ref).name if "/" in base_ref else base_ref
    volume, deal = levels.get("volume_factor", 1.0), levels.get("deal_factor", 1.0)

    def q(value: Any) -> str:  # a YAML scalar (JSON is YAML 1.2)
        return json.dumps(value)

    org = sc.organization
    lines = [
        "# Fitted by salesim fit to a CRM export (fit.json says how well). Where each value comes from:",
        "#   measured: read from the export; levelled: set so that runs reproduce a level the export measured;",
        "#   fitted: the posterior median (posterior.parquet); given: --scenario's; default: the base's (the",
        f"#   export does not say). Everything this file does not set is {base_name}'s default (salesim show "
        f"{base_name}):",
        "#   costs, salaries, pay plans, practices (qualification, handoff, feedback, nurture) and every other",
        "#   behaviour parameter, with its plausible range.",
        f"name: {q(name)}",
        f"description: {q('Fitted by salesim fit to a CRM export: measured, levelled and fitted values (fit.json)')}",
        f"extends: {q(base_ref)}",
        "simulation:",
        f"  days: {m.days}  # measured: the export's period",
        "market:",
    ]
    inbound = sc.market.inbound_leads_per_day
    if result.entry == "opportunities":
        why = (f"levelled: {base_name}'s mix of sources x {volume:.3g}, so runs open the export's "
               f"{levels.get('opportunities_per_day_observed', float('nan')):.3g} opportunities a day (inquiries "
               "not identified)")  # fmt: skip
    elif m.inbound_per_day is not None:
        why = "measured: the export's inbound leads a calendar day x 7/5 (a working day's)"
    else:
        why = f"default: {base_name}'s (the export has no inbound leads)"
    lines.append(f"  inbound_leads_per_day: {round(float(inbound), 4)}  # {why}")
    if m.deal_value_median is None:
        why = f"default: {base_name}'s (the export has under 5 won amounts)"
    elif deal != 1.0:
        why = (f"levelled: the export's median won amount {m.deal_value_median:,.0f} x {deal:.3g}, so runs win its "
               f"mean won amount {levels.get('mean_won_amount_observed', float('nan')):,.0f}")  # fmt: skip
    else:
        why = "measured: the export's median won amount"
    lines.append(f"  deal_value_median: {round(float(sc.market.deal_value_median), 2)}  # {why}")
    why = "measured: from the export's won amounts (their sd / mean)" if m.deal_value_sigma is not None else (
        f"default: {base_name}'s (under 20 won amounts)")  # fmt: skip
    lines.append(f"  deal_value_sigma: {round(float(sc.market.deal_value_sigma), 4)}  # {why}")
    lines.append("organization:")
    if result.organization_given:
        lines.append(f"  inside_reps: {org.inside_reps}  # given: --scenario's headcounts")
    elif m.inside_reps is not None:
        lines.append(f"  inside_reps: {org.inside_reps}  # measured: people who own leads and no opportunity")
    else:
        lines.append(f"  inside_reps: {org.inside_reps}  # default: {base_name}'s (the export shows no lead owners)")
    team_why = ("given: --scenario's" if result.organization_given else
                "measured: people who own opportunities" + (", by the export's teams" if m.team_sizes else
                f", split over {base_name}'s teams") if m.field_reps is not None else
                f"default: {base_name}'s (the export shows no opportunity owners)")  # fmt: skip
    lines.append(f"  field_teams:  # {team_why}")
    lines += [f"    - {{name: {q(t.name)}, field_reps: {t.field_reps}}}" for t in org.field_teams]
    lines.append("behavior:")
    for row in result.parameters():
        n = row["parameter"]
        claim = "pinned down" if row["pinned_down"] else "not pinned down"
        lines.append(f"  {n}: {round(float(sc.behavior[n]), 6)}  # fitted: posterior median, 90% "
                     f"[{row['p05']:.4g}, {row['p95']:.4g}] of prior [{row['prior'][0]:g}, {row['prior'][1]:g}]; "
                     f"{claim}")  # fmt: skip
    if result.entry == "opportunities" and volume != 1.0:
        from sim.experiments.fit_levels import SUPPLY

        for n in SUPPLY:
            if n in sc.behavior:
                lines.append(f"  {n}: {round(float(sc.behavior[n]), 6)}  # levelled: {base_name}'s x {volume:.3g}")
    lines.append("posterior: posterior.parquet  # fitted: the posterior draws (--uncertainty draws from them)")
    if pipeline is not None:
        stale = pipeline.attrs.get("stale", 0)
        days = pipeline.attrs.get("stale_after_days") or 0
        left = f"; {stale} stale ones (open over {days:.0f} days) left out" if stale else ""
        lines.append(f"pipeline: pipeline.parquet  # measured: the export's {len(pipeline)} open opportunities at "
                     f"its end, valued at their amounts or else the mean won amount{left}")  # fmt: skip
    return "\n".join(lines) + "\n"
