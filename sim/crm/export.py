"""A run's lead log written as a CRM export (Salesforce or HubSpot): demo data, and the test data of the fit.

The model's clock (hours since the books opened, a Monday at midnight) becomes local wall-clock
time from ``start`` in ``timezone``; Salesforce stamps are then written in UTC (``...Z``, as its
Data Loader exports them), HubSpot stamps as local time without an offset (as its exports
do). Every lead of the log is a lead (contact); every lead that became an opportunity
also has an opportunity (deal). What a standard org does not keep (first activity, first
conversation, qualification and handoff times, why a lead was closed) is in custom columns,
listed in docs/CRM.md. :func:`export_map` is the mapping file that reads the export back.
"""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd

from sim.crm.presets import HUBSPOT, SALESFORCE, CrmError, CrmMap, Period
from sim.model.clock import HOLIDAYS, HOURS_PER_CALENDAR_DAY

FORMATS = ("salesforce", "hubspot")
DEFAULT_START = "2029-01-01"  # a Monday 1 January, as the model's calendar (sim/model/clock.py)
OPEN_DAYS = 60  # expected close date written on an open opportunity (an export always has one)

SOURCE_LABEL = {
    "inbound": "Inbound",
    "outbound": "Outbound Prospecting",
    "field": "Field Sourced",
    "recycled": "Nurture",
    "referral": "Customer Referral",
}
REASON = {
    "disqualified": "Not a Fit",
    "rejected": "Rejected by Sales",
    "ignored": "No Follow-up",
    "lapsed": "Lost Interest",
    "unreached": "Unreachable",
}
SF_STATUS = {
    "new": "Open - Not Contacted",
    "attempting": "Working - Contacted",
    "qualified": "Working - Contacted",
    "handed_off": "Working - Contacted",
    "accepted": "Working - Contacted",
    "opportunity": "Closed - Converted",
    "won": "Closed - Converted",
    "lost": "Closed - Converted",
} | dict.fromkeys(REASON, "Closed - Not Converted")
HS_STATUS = {
    "new": "New",
    "attempting": "Attempted to Contact",
    "qualified": "In Progress",
    "handed_off": "In Progress",
    "accepted": "In Progress",
    "opportunity": "Open Deal",
    "won": "Open Deal",
    "lost": "Open Deal",
} | dict.fromkeys(REASON, "Unqualified")
STAGE = {"won": "Closed Won", "lost": "Closed Lost"}
SF_OPEN_STAGE, HS_OPEN_STAGE = "Qualification", "Qualified To Buy"


def parse_start(start: str | date) -> datetime:
    """The export's first day (a Monday, so the weekdays and holidays stay the model's); CrmError otherwise."""
    try:
        day = pd.Timestamp(start)
    except ValueError:
        raise CrmError(f"--start {start}: not a date (YYYY-MM-DD)") from None
    if day.weekday() != 0 or day != day.normalize():
        raise CrmError(f"--start {start}: must be a Monday at midnight (the model's day 0 is a Monday)")
    return day.to_pydatetime()


def local_times(hours: pd.Series, start: datetime, timezone: str) -> pd.Series:
    """Model hours since the books opened as local wall-clock times in ``timezone`` (NaN: NaT)."""
    naive = pd.Timestamp(start) + pd.to_timedelta(hours.to_numpy(dtype=float), unit="h")
    naive = pd.Series(naive, index=hours.index)
    try:
        return naive.dt.tz_localize(timezone, ambiguous=np.zeros(len(naive), dtype=bool), nonexistent="shift_forward")
    except Exception as exc:  # pytz/zoneinfo raise several kinds for a bad name
        raise CrmError(f"--timezone {timezone}: not a time zone name ({exc})") from None


def _sf_time(times: pd.Series) -> pd.Series:
    return times.dt.tz_convert("UTC").dt.strftime("%Y-%m-%dT%H:%M:%S.000Z").fillna("")


def _hs_time(times: pd.Series) -> pd.Series:
    return times.dt.strftime("%Y-%m-%d %H:%M:%S").fillna("")


def _owner(reps: pd.Series, prefix: str) -> pd.Series:
    return pd.Series([f"{prefix}{r}" if r >= 0 else "" for r in reps], index=reps.index)


def export_tables(
    leads: pd.DataFrame, fmt: str, start: str | date = DEFAULT_START, timezone: str = "UTC"
) -> dict[str, pd.DataFrame]:
    """The export's tables from a run's lead log (``leads.parquet``): table name -> rows.

    Args:
        leads: the lead log, columns of ``LeadBook.to_frame``.
        fmt: "salesforce" (tables ``Lead``, ``Opportunity``) or "hubspot" (``contacts``, ``deals``).
        start: the calendar date of the run's day 0 (a Monday).
        timezone: IANA name of the company's time zone (the model's hours are its wall clock).
    """
    if fmt not in FORMATS:
        raise CrmError(f"--format {fmt}: not a format ({', '.join(FORMATS)})")
    first = parse_start(start)
    t = {c: local_times(leads[c], first, timezone) for c in leads.columns if c.endswith("_at")}
    outcome = leads["outcome"].astype(str)
    inside, field = leads["inside_rep"], leads["field_rep"]
    sf = fmt == "salesforce"
    if sf:
        ids = pd.Series([f"00Q{i:012d}" for i in leads["lead_id"]], index=leads.index)
        opp_ids = pd.Series([f"006{i:012d}" for i in leads["lead_id"]], index=leads.index)
        owner = _owner(inside, "005IN").where(inside >= 0, _owner(field, "005FD"))
        opp_owner = _owner(field, "005FD")
        stamp, status, open_stage = _sf_time, SF_STATUS, SF_OPEN_STAGE
    else:
        ids = leads["lead_id"].astype(np.int64) + 1
        opp_ids = leads["lead_id"].astype(np.int64) + 10_000_001
        owner = _owner(inside, "Inside Rep ").where(inside >= 0, _owner(field, "Field Rep "))
        opp_owner = _owner(field, "Field Rep ")
        stamp, status, open_stage = _hs_time, HS_STATUS, HS_OPEN_STAGE
    has_opp = leads["opportunity_at"].notna()
    lead_cols, opp_cols = (
        (SALESFORCE if sf else HUBSPOT).leads.columns,
        (SALESFORCE if sf else HUBSPOT).opportunities.columns,
    )
    lead_table = pd.DataFrame(
        {
            lead_cols["lead_id"]: ids,
            lead_cols["created_at"]: stamp(t["created_at"]),
            lead_cols["source"]: leads["source"].astype(str).map(SOURCE_LABEL),
            lead_cols["status"]: outcome.map(status),
            lead_cols["status_reason"]: outcome.map(REASON).fillna(""),
            lead_cols["owner"]: owner,
            lead_cols["team"]: leads["team"].astype(str),
            lead_cols["first_touch_at"]: stamp(t["first_attempt_at"]),
            lead_cols["contacted_at"]: stamp(t["contacted_at"]),
            lead_cols["qualified_at"]: stamp(t["qualified_at"]),
            lead_cols["handed_off_at"]: stamp(t["handed_off_at"]),
        }
    )
    if sf:
        lead_table["IsConverted"] = np.where(has_opp, "true", "false")
        lead_table["ConvertedDate"] = t["opportunity_at"].dt.strftime("%Y-%m-%d").fillna("")
        lead_table[lead_cols["opportunity_id"]] = opp_ids.where(has_opp, "")
    else:
        lifecycle = np.select(
            [outcome == "won", has_opp, leads["qualified_at"].notna()],
            ["Customer", "Opportunity", "Sales Qualified Lead"],
            "Lead",
        )
        lead_table["Lifecycle Stage"] = lifecycle
        lead_table["Became an Opportunity Date"] = stamp(t["opportunity_at"])
    opps = leads[has_opp]
    closed = opps["outcome"].astype(str).isin(list(STAGE))
    expected = t["opportunity_at"][has_opp] + pd.Timedelta(days=OPEN_DAYS)
    close_time = t["closed_at"][has_opp].where(closed, expected)
    amount = opps["revenue"].where(opps["outcome"].astype(str) == "won", opps["value"]).round(2)
    opp_table = pd.DataFrame(
        {
            opp_cols["opportunity_id"]: opp_ids[has_opp],
            opp_cols["opp_created_at"]: stamp(t["opportunity_at"][has_opp]),
            opp_cols["stage"]: opps["outcome"].astype(str).map(STAGE).fillna(open_stage),
            opp_cols["closed_at"]: close_time.dt.strftime("%Y-%m-%d") if sf else stamp(close_time),
            opp_cols["amount"]: amount,
            opp_cols["opp_owner"]: opp_owner[has_opp],
        }
    )
    if sf:
        opp_table.insert(1, "Name", [f"Deal {i}" for i in opps["lead_id"]])
        opp_table[opp_cols["won"]] = np.where(opps["outcome"].astype(str) == "won", "true", "false")
        opp_table["IsClosed"] = np.where(closed, "true", "false")
        opp_table["LeadSource"] = opps["source"].astype(str).map(SOURCE_LABEL)
        return {"Lead": lead_table, "Opportunity": opp_table}
    opp_table.insert(1, "Deal Name", [f"Deal {i}" for i in opps["lead_id"]])
    opp_table["Pipeline"] = "Sales Pipeline"
    opp_table[opp_cols["lead_id"]] = ids[has_opp]
    return {"contacts": lead_table, "deals": opp_table}


def holiday_dates(start: datetime, days: int) -> list[str]:
    """The model's holidays (sim/model/clock.py) within the run, as dates from ``start``."""
    out = []
    for year in range(int(days) // 365 + 1):
        for day in sorted(HOLIDAYS):
            d = year * 365 + day
            if d < days:
                out.append((pd.Timestamp(start) + pd.Timedelta(days=d)).strftime("%Y-%m-%d"))
    return out


def export_map(fmt: str, days: int, start: str | date = DEFAULT_START, timezone: str = "UTC") -> CrmMap:
    """The mapping file that reads an export of a run back: its preset, time zone, hours, holidays and period."""
    first = parse_start(start)
    end = pd.Timestamp(first) + pd.Timedelta(hours=days * HOURS_PER_CALENDAR_DAY)
    return CrmMap.model_validate(
        {
            "preset": fmt,
            "timezone": timezone,
            "business_hours": {"holidays": holiday_dates(first, days)},
            "period": Period(start=pd.Timestamp(first).isoformat(), end=end.isoformat()).model_dump(),
        }
    )
