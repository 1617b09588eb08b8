"""Read an export (a folder of CSVs, one CSV, or a workbook), check it, and normalise it to the canonical lead table.

The canonical table has one row per lead, and one more per further opportunity of a lead
(:data:`CANONICAL`, ``primary`` False); times are time-zone aware, in the company's time zone.
Each table's fields are read by :class:`~sim.crm.columns.TableReader`. Every problem found is one
:class:`Problem` naming the file, the column and the rows affected; rows that cannot be used are
dropped and said so. An export that cannot be used at all (no such file, a required column
missing, no row with an id and a parseable creation date) raises :class:`~sim.crm.presets.CrmError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.crm.columns import TableReader
from sim.crm.files import default_map, guess_preset, read_tables
from sim.crm.presets import (
    LEAD_FIELDS,
    OPPORTUNITY_FIELDS,
    REQUIRED_LEAD,
    TIME_FIELDS,
    CrmError,
    CrmMap,
    merged,
)
from sim.crm.values import Problem

CANONICAL = (
    "lead_id",  # str
    "created_at",  # tz-aware time
    "source",  # the export's label
    "kind",  # inbound, outbound, field, recycled, or other (unmapped source)
    "owner",  # the lead owner (inside rep)
    "team",
    "first_touch_at",
    "contacted_at",
    "qualified_at",
    "handed_off_at",
    "opportunity_id",
    "opp_created_at",
    "opp_owner",  # the opportunity owner (field rep)
    "stage",
    "closed_at",  # only for closed opportunities
    "won",  # True/False for closed opportunities, NA otherwise
    "amount",
    "outcome",  # won, lost, opportunity, open, disqualified, rejected, ignored, lapsed, unreached, other
    "primary",  # the lead's own row; False: a further opportunity of the same lead (its lead fields empty)
)
LEAD_LEVEL = ("first_touch_at", "contacted_at", "qualified_at", "handed_off_at", "status", "status_reason")
CARRIED = ("lead_id", "created_at", "source", "owner", "team")  # what a lead's further opportunities repeat


@dataclass
class Export:
    """An export read: the canonical table, the mapping it was read with, and its problems.

    Attributes:
        leads: one row per lead (and one more per further opportunity of a lead), :data:`CANONICAL`.
        crm_map: the mapping it was read with (time zone set).
        files: the export's tables as messages name them.
        problems: every problem found, counted and named by reason.
        fields: the canonical fields the export has a column (or a constant) for.
        date_only: the time fields read as dates without a time of day.
        rows_read: the raw rows of the lead and opportunity tables, by table.
    """

    leads: pd.DataFrame
    crm_map: CrmMap
    files: list[str]
    problems: list[Problem] = field(default_factory=list)
    fields: frozenset[str] = frozenset()
    date_only: frozenset[str] = frozenset()
    rows_read: dict[str, int] = field(default_factory=dict)

    def dropped(self) -> dict[str, int]:
        """Rows dropped or left out, by reason (``file: column: problem``)."""
        return {
            f"{p.file}: {p.column}: {p.problem}" if p.column else f"{p.file}: {p.problem}": p.rows
            for p in self.problems
            if p.rows and ("dropped" in p.action or "left out" in p.action)
        }


def _pick(tables: dict, name: str | None, role: str) -> tuple[str, pd.DataFrame] | None:
    """The table for ``role``: the one named by the map, else the only one (leads), else none."""
    if name is not None:
        for key, value in tables.items():
            if key.lower() == name.lower():
                return value
    if role == "leads" and len(tables) == 1:
        return next(iter(tables.values()))
    return None


def _require(tables: dict, name: str | None, role: str, crm_map: CrmMap) -> tuple[str, pd.DataFrame]:
    """The table for ``role`` as :func:`_pick` finds it, or a CrmError naming the tables the export has."""
    picked = _pick(tables, name, role)
    if picked is None:
        names = ", ".join(label for label, _ in tables.values())
        want = f"a table named {name!r}" if name else "one table, or a mapping file naming the leads table"
        raise CrmError(f"the export has {names}; the {role} need {want} (preset {crm_map.preset})")
    return picked


def _read_fields(reader: TableReader, fields: dict[str, str]) -> None:
    """Read every mapped field, its day/month order told first, lookups after the fields they look up by."""
    reader.decide_order([n for n in fields if n in TIME_FIELDS])
    specs = {n: reader.table.spec(n) for n in fields}
    for looked_up in (False, True):
        for name, what in fields.items():
            spec = specs[name]
            if spec is not None and (spec.table is not None) == looked_up:
                reader.read(name, what)


def _present(reader: TableReader, name: str) -> bool:
    """The field is mapped to a constant, a lookup, or a column the table has (a missing one is not measured)."""
    spec = reader.table.spec(name)
    return spec is not None and (spec.column is None or spec.table is not None or spec.column in reader.frame.columns)


def _check_closing(crm_map: CrmMap, readers: list[TableReader]) -> None:
    """Refuse an export whose deals close with nothing saying whether they were won (never a silent drop)."""
    mapped = {n: r for r in readers for n in ("stage", "won", "closed_at") if _present(r, n)}
    if "won" in mapped or not ({"stage", "closed_at"} & set(mapped)):
        return
    if "stage" in mapped and not (crm_map.won_stages or crm_map.lost_stages):
        r = mapped["stage"]
        spec = r.table.spec("stage")
        seen = r.raw_quiet(spec) if spec is not None else None
        values = ", ".join(map(str, pd.Series(seen).dropna().unique()[:8])) if seen is not None else "?"
        raise CrmError(
            f"{r.label}: column {r.table.column_of('stage')!r}: no won_stages or lost_stages say which stages close "
            f"a deal (its stages: {values}); list them in the mapping file (won_stages: [...], lost_stages: [...])"
        )
    if "stage" not in mapped:
        r = mapped["closed_at"]
        raise CrmError(
            f"{r.label}: column {r.table.column_of('closed_at')!r}: close dates, but no stage or won column says "
            "whether a deal was won; a table of won deals says so in the mapping file (won: {value: true} "
            "under its columns), or map its stage (docs/CRM.md)"
        )


def read_export(path: str | Path, crm_map: CrmMap | None = None, timezone: str | None = None) -> Export:
    """Read and check an export, and normalise it to the canonical lead table (:data:`CANONICAL`).

    Args:
        path: a folder of CSV/xlsx tables, one CSV (the lead table), or one xlsx (a sheet per table).
        crm_map: the mapping (a preset with overrides); by default the preset is told from the column
            names, and a ``map.yaml`` in the folder (or ``<name>.map.yaml`` beside the file) is used.
        timezone: overrides the map's time zone (default UTC).

    Raises:
        CrmError: the export cannot be used; the message has one line per problem.
    """
    path = Path(path)
    if crm_map is None:
        crm_map = default_map(path)
    tables = read_tables(path)
    if crm_map.preset == "none" and not crm_map.leads.columns:
        guessed = guess_preset(tables)
        if guessed == "none":
            heads = "; ".join(f"{label}: {', '.join(map(str, frame.columns[:6]))}" for label, frame in tables.values())
            raise CrmError(f"{path}: columns of no known preset ({heads}); give --map MAP.yaml (docs/CRM.md)")
        crm_map = merged(crm_map.model_copy(update={"preset": guessed}))
    tz = timezone or crm_map.timezone or "UTC"
    try:
        pd.Timestamp("2029-01-01").tz_localize(tz)
    except Exception:  # zoneinfo and pytz raise different kinds
        raise CrmError(f"timezone {tz!r}: not a time zone name (e.g. UTC, America/New_York)") from None
    crm_map = crm_map.model_copy(update={"timezone": tz})

    label, frame = _require(tables, crm_map.leads.file, "leads", crm_map)
    if frame.empty:
        raise CrmError(f"{label}: no rows (only a header)")
    leads = TableReader(label, frame, crm_map.leads, crm_map, tz, tables)
    fatal = leads.require(REQUIRED_LEAD)
    opp_table = _pick(tables, crm_map.opportunities.file, "opportunities")
    opps = None
    if opp_table is not None and crm_map.opportunities.columns:
        opps = TableReader(*opp_table, crm_map.opportunities, crm_map, tz, tables)
        if opps.table.spec("opportunity_id") is None and opps.table.spec("lead_id") is None:
            fatal.append(Problem(opps.label, "opportunity_id", 0, "no column is mapped to opportunity_id or lead_id",
                                 "cannot be used"))  # fmt: skip
        else:
            fatal += opps.require(("opportunity_id",) if opps.table.spec("opportunity_id") else ("lead_id",))
    if fatal:
        raise CrmError("\n".join(p.line() for p in fatal))
    _check_closing(crm_map, [r for r in (leads, opps) if r is not None])
    missing_table = []
    if opps is None and crm_map.opportunities.file and "stage" not in crm_map.leads.columns:
        want = crm_map.opportunities.file
        missing_table.append(
            Problem(want, "", 0, "no such table in the export", "opportunities, wins and revenue not measured")
        )
    _read_fields(leads, LEAD_FIELDS | OPPORTUNITY_FIELDS)
    created = leads.out["created_at"]
    if created.isna().all():
        reasons = "; ".join(p.problem for p in leads.problems if p.column == crm_map.leads.column_of("created_at"))
        column = crm_map.leads.column_of("created_at")
        raise CrmError(f"{label}: column {column!r}: no row has a date that can be read ({reasons or 'all empty'})")
    leads.out = leads.out[created.notna()]
    leads.unique_ids("lead_id", "lead")
    encodings = [
        Problem(name, "", 0, f"not UTF-8: read as {table.attrs['encoding']} (Excel's CSV on Windows)", "read")
        for name, table in tables.values()
        if table.attrs.get("encoding")
    ]
    problems = missing_table + encodings + leads.problems
    rows_read = {label: len(frame)}
    table = leads.out.assign(primary=True)
    if opps is not None:
        _read_fields(opps, OPPORTUNITY_FIELDS)
        if "opportunity_id" not in opps.out.columns:  # a table of deals without ids (one per row)
            opps.out["opportunity_id"] = pd.Series([f"row {i + 2}" for i in opps.out.index], index=opps.out.index)
        opps.unique_ids("opportunity_id", "opportunity")
        table = _join(table, opps)
        problems += opps.problems
        rows_read[opps.label] = len(opps.frame)
    fields = set(leads.out.columns) | (set(opps.out.columns) if opps is not None else set())
    date_only = leads.date_only | (opps.date_only if opps is not None else set())
    table = _canonical(table.copy(), crm_map)
    opp_label = opps.label if opps is not None else label
    table = _drop_impossible(table, (label, opp_label), crm_map, problems, date_only)
    if table.empty:
        raise CrmError(f"{label}: no usable rows once the problems were dropped")
    files = [lab for lab, _ in tables.values()]
    return Export(
        table.reset_index(drop=True), crm_map, files, problems, frozenset(fields), frozenset(date_only), rows_read
    )


def _join(leads: pd.DataFrame, opps: TableReader) -> pd.DataFrame:
    """Every opportunity onto its lead: the first (by creation) on the lead's row, each further one on a row of its own.

    Joined by the opportunity's lead id (HubSpot deals name their contacts, ``1;2``: the first one in the
    export is the lead) or by the lead's opportunity id (Salesforce); an opportunity no lead names is left out.
    """
    o = opps.out
    by_lead = "lead_id" in o.columns and o["lead_id"].notna().any()
    key = "lead_id" if by_lead else "opportunity_id"
    if key not in leads.columns:
        opps.note(opps.table.column_of(key), pd.Series(True, index=o.index), "no column to join opportunities to "
                  "leads", "rows left out")  # fmt: skip
        return leads
    if by_lead:
        pairs = o.assign(lead_id=o["lead_id"].astype("string").str.split(";")).explode("lead_id")
        pairs = pairs[pairs["lead_id"].isin(leads["lead_id"])].drop_duplicates("opportunity_id")
    else:
        named = leads["opportunity_id"]
        again = named.notna() & named.duplicated()
        if again.any():
            column = opps.table.column_of("opportunity_id")
            what = "opportunities that several leads name"
            opps.problems.append(Problem(opps.label, column, int(again.sum()), what, "counted once, on the first lead"))
            leads = leads.assign(opportunity_id=named.where(~again))
        pairs = o[o["opportunity_id"].isin(named.dropna())]
        pairs = pairs.drop(columns=["lead_id"], errors="ignore").merge(
            leads.loc[leads["opportunity_id"].notna(), ["lead_id", "opportunity_id"]], on="opportunity_id"
        )
    orphans = ~o["opportunity_id"].isin(pairs["opportunity_id"])
    if orphans.any():
        opps.note(opps.table.column_of(key), orphans, "opportunities with no lead in the export", "rows left out",
                  o["opportunity_id"])  # fmt: skip
    if "opp_created_at" in pairs.columns:
        pairs = pairs.sort_values("opp_created_at", kind="stable", na_position="last")
    first = ~pairs["lead_id"].duplicated()
    own = [c for c in pairs.columns if c not in ("lead_id", "opportunity_id") and c in leads.columns]
    base = leads.drop(columns=["opportunity_id"], errors="ignore")
    joined = base.merge(pairs[first].drop(columns=[], errors="ignore"), on="lead_id", how="left", suffixes=("", "_opp"))
    for c in own:  # a field both tables hold: the opportunity's where it has one
        joined[c] = joined[f"{c}_opp"].where(joined[f"{c}_opp"].notna(), joined[c])
        joined = joined.drop(columns=[f"{c}_opp"])
    carried = [c for c in CARRIED if c in leads.columns and c not in own]
    further = leads[carried].merge(pairs[~first], on="lead_id", how="inner").assign(primary=False)
    return pd.concat([joined, further], ignore_index=True) if len(further) else joined


def _canonical(table: pd.DataFrame, crm_map: CrmMap) -> pd.DataFrame:
    """Every canonical column present (empty where the export has none), ``kind``, ``won`` and ``outcome`` derived."""
    tz = crm_map.timezone or "UTC"
    for name in (*CANONICAL, "status", "status_reason"):
        if name == "primary":
            table[name] = table[name].fillna(True).astype(bool) if name in table.columns else True
        elif name not in table.columns:
            table[name] = (
                pd.Series(pd.NaT, index=table.index, dtype=f"datetime64[ns, {tz}]") if name in TIME_FIELDS else pd.NA
            )
    table["kind"] = table["source"].map(crm_map.sources).fillna("other") if crm_map.sources else "inbound"
    stage = table["stage"].astype("string")
    won_stage, lost_stage = stage.isin(crm_map.won_stages), stage.isin(crm_map.lost_stages)
    won = table["won"].astype("boolean")
    if crm_map.won_stages or crm_map.lost_stages:
        closed = (won_stage | lost_stage).fillna(False)
        won = won.where(closed & won.notna(), won_stage.where(closed))
    else:  # no stages named: a close date with a won flag closes it
        closed = table["closed_at"].notna() & won.notna()
    table["won"] = won.where(closed).astype("boolean")
    table["closed_at"] = table["closed_at"].where(closed)
    has_opp = table["opp_created_at"].notna() | table["opportunity_id"].notna() & stage.notna()
    reason = table["status_reason"].map(crm_map.outcomes)
    status = table["status"].map(crm_map.outcomes)
    lead_outcome = np.where(
        reason.notna(), reason.astype(object), np.where(status.notna(), status.astype(object), "other")
    )
    outcome = np.where(
        closed & table["won"].fillna(False),
        "won",
        np.where(closed, "lost", np.where(has_opp.fillna(False), "opportunity", lead_outcome)),
    )
    table["outcome"] = outcome
    table["amount"] = pd.to_numeric(table["amount"], errors="coerce").astype(float)
    return table[list(CANONICAL)]


def _day(times: pd.Series) -> pd.Series:
    """The local calendar date of each time (no midnight made: one a DST change skips would not exist)."""
    return times.dt.tz_localize(None).dt.normalize()


def _drop_impossible(
    table: pd.DataFrame, labels: tuple[str, str], crm_map: CrmMap, problems: list[Problem], date_only: set[str]
) -> pd.DataFrame:
    """Rows with a stage before the lead was created, or closed before created, are dropped.

    A close is compared by date (Salesforce's CloseDate is a date) with the opportunity's creation,
    or the lead's where the opportunity has none; so is any stamp of a date-only column.
    """
    created = table["created_at"]
    keep = pd.Series(True, index=table.index)
    for name in ("first_touch_at", "contacted_at", "qualified_at", "handed_off_at", "opp_created_at", "closed_at"):
        stamp = table[name]
        if name == "closed_at":
            before = _day(stamp) < _day(table["opp_created_at"].fillna(created))
            what = "closed before it was created"
        elif name in date_only or "created_at" in date_only:
            before = _day(stamp) < _day(created)
            what = f"{name[:-3].replace('_', ' ')} before the lead was created"
        else:
            before = stamp < created
            what = f"{name[:-3].replace('_', ' ')} before the lead was created"
        before &= keep
        if before.any():
            opp = name in crm_map.opportunities.columns and name in ("opp_created_at", "closed_at")
            column = (crm_map.opportunities if opp else crm_map.leads).column_of(name)
            problems.append(Problem(labels[int(opp)], column, int(before.sum()), what, "rows dropped"))
            keep &= ~before
    return table[keep]
