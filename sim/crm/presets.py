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
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

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
    "lead_id": "the lead it came from, where the opportunity table names it (HubSpot deals)",
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


class TableMap(_Strict):
    """One table of an export: which file or sheet, and which column holds each canonical field."""

    file: str | None = Field(None, description="file name in a folder, or sheet name in a workbook")
    columns: dict[str, str] = Field(default_factory=dict, description="canonical field -> the export's column")


class BusinessHours(_Strict):
    """The hours the company works, in its time zone: response times are also given in these."""

    opens: str = "09:00"
    closes: str = "17:00"
    days: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri")
    holidays: tuple[str, ...] = ()

    @field_validator("opens", "closes")
    @classmethod
    def _clock(cls, value: str) -> str:
        if not re.fullmatch(r"([01]\d|2[0-4]):[0-5]\d", value):
            raise ValueError(f"{value!r} is not a time of day HH:MM")
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
    """The window the export covers: leads created before ``start`` are in flight, not new."""

    start: str | None = None
    end: str | None = None


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
    dayfirst: bool = Field(False, description="read 03/04/2029 as 3 April (day first), not 4 March")

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


def _known(columns: dict[str, str], allowed: dict[str, str], where: str) -> None:
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


def load_map(path: str | Path) -> CrmMap:
    """Read a mapping file (YAML); every mistake raises :class:`CrmError` naming the file and key."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CrmError(f"{path}: cannot read the mapping file ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise CrmError(f"{path}: not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(data, dict):
        raise CrmError(f"{path}: a mapping file is a YAML mapping (keys: {', '.join(CrmMap.model_fields)})")
    try:
        return merged(CrmMap.model_validate(data))
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "(top)"
        if err["type"] == "extra_forbidden":
            raise CrmError(f"{path}: {where}: unknown key (see docs/CRM.md for the mapping file's keys)") from None
        raise CrmError(f"{path}: {where}: {err['msg'].removeprefix('Value error, ')}") from None
