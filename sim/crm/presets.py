"""Where each field of the canonical lead table sits in an export: the built-in presets and the mapping file.

A preset (``salesforce``, ``hubspot``) names, for each canonical field, the column of the
lead table (Salesforce ``Lead``, HubSpot contacts) or of the opportunity table (Salesforce
``Opportunity``, HubSpot deals) that holds it, and how the export's values read (which
stages are won, which statuses mean what). A mapping file (``--map MAP.yaml``) starts from a
preset, or from nothing, and overrides any of it; unknown keys are refused. docs/CRM.md
lists the columns and gives an example.
"""

from __future__ import annotations

import re
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sim.config.errors import SalesimError

# canonical fields of the lead table, with what each holds (docs/CRM.md)
LEAD_FIELDS = {
    "lead_id": "the lead's id (required)",
    "created_at": "when the lead came in (required)",
    "source": "where it came from (mapped to inbound, outbound, field, recycled by `sources`)",
    "status": "the lead's status (mapped to an outcome by `outcomes`)",
    "status_reason": "why a lead was closed (mapped to an outcome by `outcomes`, before the status)",
    "owner": "the lead owner (an inside rep)",
    "team": "the field team or territory",
    "first_touch_at": "the first sales activity on the lead (its response time)",
    "contacted_at": "the first conversation with the prospect",
    "qualified_at": "when the lead was qualified",
    "handed_off_at": "when it was passed to the field",
    "opportunity_id": "the opportunity it became",
}
OPPORTUNITY_FIELDS = {
    "opportunity_id": "the opportunity's id (required in an opportunity table)",
    "opp_created_at": "when the opportunity was created",
    "stage": "its stage (closed and won read from `won_stages`, `lost_stages`)",
    "closed_at": "when it closed (read only when its stage is closed)",
    "won": "whether it was won (true/false), where the export has such a column",
    "amount": "its amount in the export's currency",
    "opp_owner": "the opportunity owner (a field rep)",
    "lead_id": "the lead it came from, where the opportunity table names it (HubSpot deals: ids split at ';')",
    "owner": "the lead owner, where the opportunity table holds it",
    "team": "the team, where the opportunity table holds it",
}
REQUIRED_LEAD = ("lead_id", "created_at")
REQUIRED_OPPORTUNITY = ("opportunity_id",)
TIME_FIELDS = frozenset(
    {"created_at", "first_touch_at", "contacted_at", "qualified_at", "handed_off_at", "opp_created_at", "closed_at"}
)
KINDS = ("inbound", "outbound", "field", "recycled", "referral")
OUTCOMES = ("open", "disqualified", "rejected", "ignored", "lapsed", "unreached")
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class CrmError(SalesimError):
    """An export or mapping file that cannot be used (exit 2); the message names the file and column."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Column(_Strict):
    """Where one canonical field comes from: a column (read as declared), a constant, or a column of another table.

    A plain string in ``columns:`` is ``{column: NAME}``. ``{value: X}`` sets every row to X (``won: {value:
    true}`` for a table of won deals). ``{column: C, table: T, key: K, by: F}`` looks the value up in table
    T: the row whose column K equals this row's canonical field F (a team from a teams table by the owner).
    """

    column: str | None = Field(None, description="the export's column")
    value: str | float | bool | None = Field(None, description="a constant for every row, instead of a column")
    format: str | None = Field(None, description="dates: a strptime format every value follows (%d-%m-%Y)")
    date_only: bool = Field(False, description="dates without a time of day (read at noon, compared by date)")
    decimal: Literal[".", ","] | None = Field(None, description="amounts: the decimal mark (1.234,56 needs ',')")
    table: str | None = Field(None, description="look the value up in this table (file or sheet name)")
    key: str | None = Field(None, description="that table's column matched against `by`")
    by: str | None = Field(None, description="the canonical field of this table whose value is looked up")

    @model_validator(mode="after")
    def _one_source(self) -> Column:
        if (self.column is None) == (self.value is None):
            raise ValueError("give either column: (the export's column) or value: (a constant), not both or neither")
        if self.value is not None and (self.table or self.key or self.by):
            raise ValueError("a constant (value:) is looked up nowhere: leave out table, key and by")
        if any(x is not None for x in (self.table, self.key, self.by)) and not (self.table and self.key and self.by):
            raise ValueError("a lookup needs table:, key: and by: (the field of this table matched against key)")
        if self.format is not None and "%" not in self.format:
            raise ValueError(f"format {self.format!r}: a strptime format such as '%d-%m-%Y' or '%m/%d/%Y %H:%M'")
        return self

    def label(self) -> str:
        """How messages name it: the column, the constant, or the lookup."""
        if self.value is not None:
            return f"(value {self.value!r})"
        return f"{self.table}.{self.column}" if self.table else str(self.column)


class TableMap(_Strict):
    """One table of an export: which file or sheet, and where each canonical field comes from."""

    file: str | None = Field(None, description="file name in a folder, or sheet name in a workbook")
    columns: dict[str, str | Column] = Field(
        default_factory=dict, description="canonical field -> the export's column, or a Column (docs/CRM.md)"
    )

    def spec(self, name: str) -> Column | None:
        """Where the canonical field ``name`` comes from (None: nowhere)."""
        given = self.columns.get(name)
        return Column(column=given) if isinstance(given, str) else given

    def column_of(self, name: str) -> str:
        """The export's column holding ``name`` (for messages; the field's own name where none)."""
        spec = self.spec(name)
        return spec.label() if spec is not None else name


class BusinessHours(_Strict):
    """The hours the company works, in its time zone: response times are also given in these."""

    opens: str = "09:00"
    closes: str = "17:00"
    days: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri")
    holidays: tuple[str, ...] = ()

    @field_validator("opens", "closes")
    @classmethod
    def _clock(cls, value: str) -> str:
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d|24:00", value):
            raise ValueError(f'{value!r} is not a time of day HH:MM (write it in quotes: "08:30")')
        return value

    @model_validator(mode="after")
    def _opens_before_closing(self) -> BusinessHours:
        a, b = self.hours()
        if a >= b:
            raise ValueError(f"opens {self.opens} is not before closes {self.closes} (hours within one day)")
        return self

    @field_validator("holidays")
    @classmethod
    def _dates(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for day in value:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
                raise ValueError(f"{day!r} is not a date YYYY-MM-DD")
        return value

    @field_validator("days")
    @classmethod
    def _days(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [d for d in value if d not in WEEKDAY_NAMES]
        if bad:
            raise ValueError(f"{bad} are not weekdays ({', '.join(WEEKDAY_NAMES)})")
        return value

    def hours(self) -> tuple[float, float]:
        """Opening and closing hour as numbers (09:30 -> 9.5)."""
        a, b = (int(x[:2]) + int(x[3:]) / 60 for x in (self.opens, self.closes))
        return a, b


class Period(_Strict):
    """The window the export covers: leads created before ``start`` are in flight, not new.

    Unset ends are detected from the arrivals (:func:`sim.crm.period.complete_span`).
    """

    start: str | None = None
    end: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        stamps = []
        for name in ("start", "end"):
            value = getattr(self, name)
            if value is None:
                continue
            try:
                stamps.append(pd.Timestamp(value))
            except (ValueError, TypeError):
                raise ValueError(f"{name} {value!r} is not a date (YYYY-MM-DD, or YYYY-MM-DD HH:MM)") from None
        if len(stamps) == 2 and _naive(stamps[0]) >= _naive(stamps[1]):
            raise ValueError(f"start {self.start} is not before end {self.end}")
        return self


def _naive(stamp: pd.Timestamp) -> pd.Timestamp:
    return stamp.tz_convert("UTC").tz_localize(None) if stamp.tzinfo is not None else stamp


class CrmMap(_Strict):
    """A mapping file: a preset to start from, overrides of its columns and values, time zone and hours."""

    preset: Literal["salesforce", "hubspot", "none"] = "none"
    timezone: str | None = Field(None, description="IANA name; naive timestamps are local time there (default UTC)")
    business_hours: BusinessHours = BusinessHours()
    period: Period = Period()
    leads: TableMap = TableMap()
    opportunities: TableMap = TableMap()
    sources: dict[str, Literal["inbound", "outbound", "field", "recycled", "referral"]] = Field(default_factory=dict)
    outcomes: dict[str, Literal["open", "disqualified", "rejected", "ignored", "lapsed", "unreached"]] = Field(
        default_factory=dict
    )
    won_stages: tuple[str, ...] = ()
    lost_stages: tuple[str, ...] = ()
    dayfirst: bool | None = Field(
        None, description="03/04/2029 is 3 April (true) or 4 March (false); unset: told from the dates, else refused"
    )
    decimal: Literal[".", ","] | None = Field(None, description="amounts' decimal mark (default '.', or told)")

    @field_validator("leads")
    @classmethod
    def _lead_fields(cls, value: TableMap) -> TableMap:
        _known(value.columns, LEAD_FIELDS | OPPORTUNITY_FIELDS, "leads.columns")
        return value

    @field_validator("opportunities")
    @classmethod
    def _opp_fields(cls, value: TableMap) -> TableMap:
        _known(value.columns, OPPORTUNITY_FIELDS, "opportunities.columns")
        return value


def _known(columns: dict[str, Any], allowed: dict[str, str], where: str) -> None:
    bad = sorted(set(columns) - set(allowed))
    if bad:
        raise ValueError(f"{where}: unknown field(s) {', '.join(bad)} (allowed: {', '.join(allowed)})")


# Salesforce: the standard Lead and Opportunity fields, and four custom fields (__c) for the
# stamps a standard org does not keep (docs/CRM.md); timestamps in UTC ("...Z"), CloseDate a date.
SALESFORCE = CrmMap(
    preset="salesforce",
    leads=TableMap(
        file="Lead",
        columns={
            "lead_id": "Id",
            "created_at": "CreatedDate",
            "source": "LeadSource",
            "status": "Status",
            "status_reason": "Status_Reason__c",
            "owner": "OwnerId",
            "team": "Team__c",
            "first_touch_at": "First_Activity_Date__c",
            "contacted_at": "First_Contact_Date__c",
            "qualified_at": "Qualified_Date__c",
            "handed_off_at": "Handed_Off_Date__c",
            "opportunity_id": "ConvertedOpportunityId",
        },
    ),
    opportunities=TableMap(
        file="Opportunity",
        columns={
            "opportunity_id": "Id",
            "opp_created_at": "CreatedDate",
            "stage": "StageName",
            "closed_at": "CloseDate",
            "won": "IsWon",
            "amount": "Amount",
            "opp_owner": "OwnerId",
        },
    ),
    sources={
        "Inbound": "inbound",
        "Outbound Prospecting": "outbound",
        "Field Sourced": "field",
        "Nurture": "recycled",
        "Customer Referral": "referral",
    },
    outcomes={
        "Open - Not Contacted": "open",
        "Working - Contacted": "open",
        "Not a Fit": "disqualified",
        "Rejected by Sales": "rejected",
        "No Follow-up": "ignored",
        "Lost Interest": "lapsed",
        "Unreachable": "unreached",
    },
    won_stages=("Closed Won",),
    lost_stages=("Closed Lost",),
)

# HubSpot: a contacts and a deals export with property labels as column names; timestamps in
# the portal's time zone without an offset.
HUBSPOT = CrmMap(
    preset="hubspot",
    leads=TableMap(
        file="contacts",
        columns={
            "lead_id": "Record ID",
            "created_at": "Create Date",
            "source": "Lead Source",
            "status": "Lead Status",
            "status_reason": "Lead Status Reason",
            "owner": "Contact owner",
            "team": "HubSpot Team",
            "first_touch_at": "Date of first engagement",
            "contacted_at": "First Contact Date",
            "qualified_at": "Became a Sales Qualified Lead Date",
            "handed_off_at": "Handed Off Date",
        },
    ),
    opportunities=TableMap(
        file="deals",
        columns={
            "opportunity_id": "Record ID",
            "opp_created_at": "Create Date",
            "stage": "Deal Stage",
            "closed_at": "Close Date",
            "amount": "Amount",
            "opp_owner": "Deal owner",
            "lead_id": "Associated Contact IDs",
        },
    ),
    sources=SALESFORCE.sources,
    outcomes={
        "New": "open",
        "Open": "open",
        "In Progress": "open",
        "Attempted to Contact": "open",
        "Connected": "open",
        "Open Deal": "open",
        "Unqualified": "disqualified",
        "Bad Timing": "lapsed",
        "Not a Fit": "disqualified",
        "Rejected by Sales": "rejected",
        "No Follow-up": "ignored",
        "Lost Interest": "lapsed",
        "Unreachable": "unreached",
    },
    won_stages=("Closed Won",),
    lost_stages=("Closed Lost",),
)
PRESETS = {"salesforce": SALESFORCE, "hubspot": HUBSPOT}


def merged(crm_map: CrmMap) -> CrmMap:
    """The mapping file over its preset: columns, values and stages a file leaves out come from the preset."""
    base = PRESETS.get(crm_map.preset)
    if base is None:
        return crm_map
    given = crm_map.model_dump(exclude_unset=True)

    def table(name: str) -> TableMap:
        mine, theirs = getattr(crm_map, name), getattr(base, name)
        return TableMap(file=mine.file or theirs.file, columns=theirs.columns | mine.columns)

    return crm_map.model_copy(
        update={
            "leads": table("leads"),
            "opportunities": table("opportunities"),
            "sources": base.sources | crm_map.sources,
            "outcomes": base.outcomes | crm_map.outcomes,
            "won_stages": crm_map.won_stages if "won_stages" in given else base.won_stages,
            "lost_stages": crm_map.lost_stages if "lost_stages" in given else base.lost_stages,
        }
    )
