"""One table of an export read into canonical fields, column by column, with every problem named.

:class:`TableReader` takes a table's raw rows (strings) and its :class:`~sim.crm.presets.TableMap`
and reads each canonical field from its column, a constant, or a lookup in another table, as
its type says: timestamps (:func:`~sim.crm.values.parse_times`, one day/month order for the
whole table), amounts (:func:`~sim.crm.values.parse_amounts`), true/false flags, text. Values
that cannot be read are counted by reason, with example rows; what makes the table unusable
(a required column missing, dates whose order cannot be told) raises CrmError in one line.
"""

from __future__ import annotations

import pandas as pd

from sim.crm.presets import TIME_FIELDS, Column, CrmError, CrmMap, TableMap
from sim.crm.values import (
    AmountError,
    DateOrderError,
    Problem,
    examples,
    numeric_order,
    parse_amounts,
    parse_times,
    parse_truth,
)

EMPTY_CREATED = "no creation date"  # the problem of rows whose creation date is empty


class TableReader:
    """Reads one table's mapped fields into canonical columns (``out``), noting each problem.

    Attributes:
        label: the table as messages name it (``Lead.csv``, ``book.xlsx[Lead]``).
        frame: its raw rows, as strings.
        table: where each field comes from.
        problems: what was found, one :class:`~sim.crm.values.Problem` per kind.
        out: the canonical fields read so far, one row per raw row kept.
        date_only: the time fields read as dates without a time of day.
    """

    def __init__(
        self, label: str, frame: pd.DataFrame, table: TableMap, crm_map: CrmMap, tz: str, tables: dict
    ) -> None:
        self.label, self.frame, self.table, self.map, self.tz, self.tables = label, frame, table, crm_map, tz, tables
        self.problems: list[Problem] = []
        self.out = pd.DataFrame(index=frame.index)
        self.date_only: set[str] = set()
        self._dayfirst: bool | None = crm_map.dayfirst

    def note(self, column: str, mask: pd.Series, problem: str, action: str, values: pd.Series | None = None) -> None:
        """Record a problem of the rows in ``mask`` (with examples from ``values`` when given)."""
        shown = examples(values, mask) if values is not None else ""
        self.problems.append(Problem(self.label, column, int(mask.sum()), problem, action, shown))

    def refuse(self, column: str, problem: str, allowed: str) -> CrmError:
        """The one line that says why the table cannot be read, and what is allowed."""
        return CrmError(f"{self.label}: column {column!r}: {problem}; {allowed}")

    def require(self, fields: tuple[str, ...]) -> list[Problem]:
        """Problems of required fields with no column (each one named)."""
        missing = []
        for name in fields:
            spec = self.table.spec(name)
            if spec is None:
                missing.append(Problem(self.label, name, 0, f"no column is mapped to {name}", "cannot be used"))
            elif spec.column is not None and spec.table is None and spec.column not in self.frame.columns:
                missing.append(Problem(self.label, spec.column, 0, f"missing (required: {name})", "cannot be used"))
        return missing

    def raw(self, name: str, what: str) -> pd.Series | None:
        """The raw strings of field ``name`` (a column, a constant, or a lookup); None when not there (noted)."""
        spec = self.table.spec(name)
        if spec is None:
            return None
        if spec.value is not None:
            value = str(spec.value).lower() if isinstance(spec.value, bool) else str(spec.value)
            return pd.Series(value, index=self.frame.index, dtype=object)
        if spec.table is not None:
            return self._lookup(name, spec, what)
        if spec.column not in self.frame.columns:
            self.problems.append(Problem(self.label, str(spec.column), 0, f"missing ({name})", f"{what} not measured"))
            return None
        return self.frame[spec.column]

    def _lookup(self, name: str, spec: Column, what: str) -> pd.Series | None:
        """The value of ``spec.column`` in table ``spec.table``, in the row whose ``spec.key`` is this row's ``by``."""
        other = next((v for k, v in self.tables.items() if k.lower() == str(spec.table).lower()), None)
        if other is None:
            names = ", ".join(self.tables)
            raise CrmError(f"{self.label}: {name}: no table {spec.table!r} to look it up in (the export has {names})")
        label, frame = other
        for col in (spec.key, spec.column):
            if col not in frame.columns:
                raise CrmError(f"{label}: no column {col!r} (the lookup of {name}; it has {', '.join(frame.columns)})")
        if spec.by not in self.out.columns:
            raise CrmError(f"{self.label}: {name}: looked up by {spec.by}, which this table does not read first")
        table = frame.drop_duplicates(spec.key).set_index(spec.key)[spec.column]
        by = self.out[spec.by]
        found = by.map(table)
        missing = by.notna() & found.isna()
        if missing.any():
            self.note(f"{spec.table}.{spec.key}", missing, f"no row for {spec.by} in {label}", f"{what} empty", by)
        return found

    def decide_order(self, names: list[str]) -> None:
        """One day/month order for the table's numeric dates, told from every time column (or the map's)."""
        if self._dayfirst is not None:
            return
        told: dict[str, str] = {}
        ambiguous: tuple[str, str] | None = None
        for name in names:
            spec = self.table.spec(name)
            if spec is None or spec.format is not None or spec.value is not None:
                continue
            raw = self.raw_quiet(spec)
            if raw is None:
                continue
            order, rows = numeric_order(raw)
            column = spec.label()
            if order == "mixed":
                raise self.refuse(column, f"mixes day-first and month-first dates ({examples(raw, rows)})", _HOW)
            if order is not None:
                told[column] = order
            elif rows.any() and ambiguous is None:
                ambiguous = (column, examples(raw, rows))
        if len(set(told.values())) > 1:
            which = ", ".join(f"{c} {'day' if o == 'dmy' else 'month'} first" for c, o in told.items())
            raise CrmError(f"{self.label}: its date columns disagree on the day/month order ({which}); {_HOW}")
        if told:
            self._dayfirst = next(iter(told.values())) == "dmy"
        elif ambiguous is not None:
            column, shown = ambiguous
            raise self.refuse(column, f"the day/month order of its dates cannot be told ({shown})", _HOW)

    def raw_quiet(self, spec: Column) -> pd.Series | None:
        """A column's raw strings, or None (no note): for looking at the dates before they are read."""
        if spec.column is not None and spec.table is None and spec.column in self.frame.columns:
            return self.frame[spec.column]
        return None

    def read(self, name: str, what: str) -> None:
        """Read field ``name`` into ``out`` as its type says; problems noted, unreadable values empty."""
        raw = self.raw(name, what)
        if raw is None:
            return
        spec = self.table.spec(name)
        assert spec is not None  # raw() returned a column
        column = spec.label()
        if name in TIME_FIELDS:
            self._times(name, raw, spec, column)
        elif name == "amount":
            self._amounts(raw, spec, column)
        elif name == "won":
            truth, bad = parse_truth(raw)
            if bad.any():
                self.note(column, bad, "values that are not true/false", "read from the stage", raw)
            self.out[name] = truth
        else:
            text = raw.astype("string").str.strip()
            if name == "lead_id" and self.table is self.map.opportunities:  # deals name their contacts "1;2"
                text = text.str.replace(r"\s*[;]\s*", ";", regex=True)
            self.out[name] = text.where(text != "", pd.NA)

    def _times(self, name: str, raw: pd.Series, spec: Column, column: str) -> None:
        try:
            read = parse_times(raw, self.tz, self._dayfirst, spec.format, spec.date_only)
        except DateOrderError as exc:
            raise self.refuse(column, str(exc), _HOW) from None
        self.out[name] = read.times
        if read.date_only:
            self.date_only.add(name)
        action = "rows dropped" if name == "created_at" else "treated as empty"
        for reason in sorted(set(read.reasons) - {""}):
            self.note(column, read.reasons == reason, f"dates that cannot be read: {reason}", action, raw)
        if name == "created_at":
            empty = read.times.isna() & (read.reasons == "")
            if empty.any():
                self.note(column, empty, EMPTY_CREATED, "rows dropped")
        if not read.date_only and read.without_time.any():
            self.note(column, read.without_time, "dates without a time of day", "read at 12:00, compared by date", raw)

    def _amounts(self, raw: pd.Series, spec: Column, column: str) -> None:
        try:
            amounts, reasons = parse_amounts(raw, spec.decimal or self.map.decimal)
        except AmountError as exc:
            allowed = "say decimal: ',' (1.234,56) or decimal: '.' (1,234.56) in the mapping file (docs/CRM.md)"
            raise self.refuse(column, str(exc), allowed) from None
        for reason in sorted(set(reasons) - {""}):
            self.note(column, reasons == reason, reason, "treated as empty", raw)
        negative = amounts < 0
        if negative.any():
            self.note(column, negative, "negative amounts", "treated as empty (not in revenue or deal sizes)", raw)
        self.out["amount"] = amounts.where(~negative)

    def unique_ids(self, name: str, what: str) -> None:
        """Drop rows whose id is empty, or repeats an earlier row's (each counted)."""
        ids = self.out[name]
        column = self.table.column_of(name)
        empty = ids.isna()
        if empty.any():
            self.note(column, empty, f"empty {what} ids", "rows dropped")
        dup = ids.duplicated() & ~empty
        if dup.any():
            self.note(column, dup, f"duplicate {what} ids", "later rows dropped", ids)
        self.out = self.out[~empty & ~dup]


_HOW = (
    "declare the order (dayfirst: true or false) or the column's format "
    "(columns: {FIELD: {column: NAME, format: '%d/%m/%Y'}}) in the mapping file (docs/CRM.md)"
)
