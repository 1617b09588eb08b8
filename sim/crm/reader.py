"""Read an export (a folder of CSVs, one CSV, or a workbook), check it, and normalise it to the canonical lead table.

The canonical table has one row per lead (:data:`CANONICAL`); times are time-zone aware, in the
company's time zone. Every problem found is one :class:`Problem` naming the file, the column
and the rows affected; rows that cannot be used are dropped and said so. An export that
cannot be used at all (no such file, a required column missing, no row with an id and a
parseable creation date) raises :class:`~sim.crm.presets.CrmError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.crm.files import default_map, guess_preset, read_tables
from sim.crm.presets import (
    LEAD_FIELDS,
    OPPORTUNITY_FIELDS,
    REQUIRED_LEAD,
    REQUIRED_OPPORTUNITY,
    TIME_FIELDS,
    CrmError,
    CrmMap,
    merged,
)
from sim.crm.values import Problem, parse_times, parse_truth

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
)


@dataclass
class Export:
    """An export read: the canonical table, the mapping it was read with, and its problems."""

    leads: pd.DataFrame
    crm_map: CrmMap
    files: list[str]
    problems: list[Problem] = field(default_factory=list)
    fields: frozenset[str] = frozenset()  # the canonical fields the export has a column for


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


class _Reader:
    """Reads one table's mapped columns into canonical fields, noting each problem."""

    def __init__(self, label: str, frame: pd.DataFrame, columns: dict[str, str], crm_map: CrmMap, tz: str) -> None:
        self.label, self.frame, self.columns, self.map, self.tz = label, frame, columns, crm_map, tz
        self.problems: list[Problem] = []
        self.out = pd.DataFrame(index=frame.index)

    def note(self, column: str, rows: int, problem: str, action: str) -> None:
        self.problems.append(Problem(self.label, column, int(rows), problem, action))

    def require(self, fields: tuple[str, ...]) -> list[Problem]:
        missing = []
        for name in fields:
            col = self.columns.get(name)
            if col is None:
                missing.append(Problem(self.label, name, 0, f"no column is mapped to {name}", "cannot be used"))
            elif col not in self.frame.columns:
                missing.append(Problem(self.label, col, 0, f"missing (required: {name})", "cannot be used"))
        return missing

    def read(self, name: str, what: str) -> None:
        col = self.columns.get(name)
        if col is None:
            return
        if col not in self.frame.columns:
            self.note(col, 0, f"missing ({name})", f"{what} not measured")
            return
        raw = self.frame[col]
        if name in TIME_FIELDS:
            times, bad = parse_times(raw, self.tz, self.map.dayfirst)
            self.out[name] = times
            if bad.any():
                action = "rows dropped" if name == "created_at" else "treated as empty"
                self.note(col, bad.sum(), "dates that cannot be read", action)
        elif name == "amount":
            text = raw.astype("string").str.replace(r"[,$€£\s]", "", regex=True).fillna("")
            number = pd.to_numeric(text, errors="coerce")
            bad = (text != "") & number.isna()
            if bad.any():
                self.note(col, bad.sum(), "amounts that are not numbers", "treated as empty")
            self.out[name] = number.astype(float)
        elif name == "won":
            truth, bad = parse_truth(raw)
            if bad.any():
                self.note(col, bad.sum(), "values that are not true/false", "read from the stage")
            self.out[name] = truth
        else:
            text = raw.astype("string").str.strip()
            if name == "lead_id" and "Associated" in col:  # HubSpot lists associations "1;2": the first is the lead
                text = text.str.split(";").str[0].str.strip()
            self.out[name] = text.where(text != "", pd.NA)

    def unique_ids(self, name: str) -> None:
        ids = self.out[name]
        empty = ids.isna()
        if empty.any():
            self.note(self.columns[name], empty.sum(), "empty ids", "rows dropped")
        dup = ids.duplicated() & ~empty
        if dup.any():
            self.note(self.columns[name], dup.sum(), "duplicate ids", "later rows dropped")
        self.out = self.out[~empty & ~dup]


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
    leads = _Reader(label, frame, crm_map.leads.columns, crm_map, tz)
    fatal = leads.require(REQUIRED_LEAD)
    opp_table = _pick(tables, crm_map.opportunities.file, "opportunities")
    opps = None
    if opp_table is not None and crm_map.opportunities.columns:
        opps = _Reader(*opp_table, crm_map.opportunities.columns, crm_map, tz)
        fatal += opps.require(REQUIRED_OPPORTUNITY)
    if fatal:
        raise CrmError("\n".join(p.line() for p in fatal))
    missing_table = []
    if opps is None and crm_map.opportunities.file and "stage" not in crm_map.leads.columns:
        want = crm_map.opportunities.file
        missing_table.append(
            Problem(want, "", 0, "no such table in the export", "opportunities, wins and revenue not measured")
        )
    for name, what in (LEAD_FIELDS | OPPORTUNITY_FIELDS).items():
        leads.read(name, what)
    unreadable = leads.out["created_at"].isna()
    if unreadable.all():
        raise CrmError(f"{label}: column {crm_map.leads.columns['created_at']!r}: no row has a date that can be read")
    leads.out = leads.out[~unreadable]
    leads.unique_ids("lead_id")
    problems = missing_table + leads.problems
    table = leads.out
    if opps is not None:
        for name, what in OPPORTUNITY_FIELDS.items():
            opps.read(name, what)
        opps.unique_ids("opportunity_id")
        problems += opps.problems
        table = _join(table, opps, problems)
    fields = set(leads.out.columns) | (set(opps.out.columns) if opps is not None else set())
    table = _canonical(table.copy(), crm_map)
    opp_label = opps.label if opps is not None else label
    table = _drop_impossible(table, (label, opp_label), crm_map, problems)
    if table.empty:
        raise CrmError(f"{label}: no usable rows once the problems were dropped")
    files = [lab for lab, _ in tables.values()]
    return Export(table.reset_index(drop=True), crm_map, files, problems, frozenset(fields))


def _join(leads: pd.DataFrame, opps: _Reader, problems: list[Problem]) -> pd.DataFrame:
    """Opportunity fields onto their leads (by the lead's opportunity id, or the opportunity's lead id)."""
    o = opps.out
    key = "lead_id" if "lead_id" in o.columns and o["lead_id"].notna().any() else "opportunity_id"
    if key not in leads.columns:
        opps.note(
            opps.columns.get(key, key), len(o), "no column to join opportunities to leads", "opportunities unused"
        )
        problems.append(opps.problems[-1])
        return leads
    o = o[o[key].notna()].drop_duplicates(key)
    own = [c for c in o.columns if c != key and c in leads.columns]
    joined = leads.drop(columns=own).merge(o, on=key, how="left")
    orphans = o[~o[key].isin(leads[key])]
    if len(orphans):
        problems.append(
            Problem(opps.label, opps.columns.get(key, key), len(orphans), "opportunities with no lead", "left out")
        )
    return joined


def _canonical(table: pd.DataFrame, crm_map: CrmMap) -> pd.DataFrame:
    """Every canonical column present (empty where the export has none), ``kind``, ``won`` and ``outcome`` derived."""
    tz = crm_map.timezone or "UTC"
    for name in (*CANONICAL, "status", "status_reason"):
        if name not in table.columns:
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


def _drop_impossible(
    table: pd.DataFrame, labels: tuple[str, str], crm_map: CrmMap, problems: list[Problem]
) -> pd.DataFrame:
    """Rows with a stage before the lead was created, or closed before created, are dropped.

    A close is compared by date (Salesforce's CloseDate is a date) with the opportunity's creation,
    or the lead's where the opportunity has none.
    """
    created = table["created_at"]
    keep = pd.Series(True, index=table.index)
    for name in ("first_touch_at", "contacted_at", "qualified_at", "handed_off_at", "opp_created_at", "closed_at"):
        stamp = table[name]
        if name == "closed_at":
            before = stamp.dt.normalize() < table["opp_created_at"].fillna(created).dt.normalize()
            what = "closed before it was created"
        else:
            before = stamp < created
            what = f"{name[:-3].replace('_', ' ')} before the lead was created"
        before &= keep
        if before.any():
            opp = name in crm_map.opportunities.columns and name in ("opp_created_at", "closed_at")
            column = (crm_map.opportunities.columns if opp else crm_map.leads.columns).get(name, name)
            problems.append(Problem(labels[int(opp)], column, int(before.sum()), what, "rows dropped"))
            keep &= ~before
    return table[keep]
