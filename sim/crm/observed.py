"""The observed funnel: the summary statistics of a canonical lead table, as summary.json measures a run.

Pure functions, JSON-safe results. Counts are of events inside the period (a lead created
before it is in flight: its later events count, its creation does not), with the same
definitions as summary.json's (the stages and the inbound response delay of
:mod:`sim.model.funnel`, counted as :mod:`sim.measure.kpis` counts them), so that a run exported and imported
gives the run's own numbers, and a fit can compare a simulated and an observed funnel on the
same statistics: :func:`observed_from_run` computes them from a run's lead log directly.
docs/CRM.md defines every key.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.crm.export import DEFAULT_START, local_times, parse_start
from sim.crm.period import complete_span
from sim.crm.presets import WEEKDAY_NAMES, BusinessHours
from sim.crm.reader import CANONICAL, Export
from sim.crm.values import Problem
from sim.model.clock import HOURS_PER_CALENDAR_DAY
from sim.model.funnel import CRM_STAGES, RESPONSE_FROM, RESPONSE_SOURCE, RESPONSE_TO, response_hours, stage

RESPONSE_EDGES = (0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 24.0, 48.0, 120.0, np.inf)  # calendar hours
DELAY_EDGES = (0.0, 1.0, 2.0, 8.0, 24.0, 72.0, np.inf)  # calendar hours to the first touch
CREATED, TOUCHED = str(RESPONSE_FROM.crm), str(RESPONSE_TO.crm)  # the response delay's columns in a CRM table
QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)


def _num(x: float) -> float | None:
    return None if x is None or pd.isna(x) else float(x)


def _ratio(num: float, den: float) -> float | None:
    return float(num / den) if den else None


def _quantiles(values: pd.Series) -> dict[str, float | None]:
    values = values.dropna()
    return {f"p{round(q * 100)}": _num(values.quantile(q)) if len(values) else None for q in QUANTILES}


def _hours(later: pd.Series, earlier: pd.Series) -> pd.Series:
    return (later - earlier).dt.total_seconds() / 3600.0


def business_hours_between(start: pd.Series, end: pd.Series, hours: BusinessHours) -> pd.Series:
    """Business hours between two local times (each row), with the company's days, hours and holidays."""
    both = start.notna() & end.notna()
    out = pd.Series(np.nan, index=start.index)
    if not both.any():
        return out
    a, b = start[both].dt.tz_localize(None), end[both].dt.tz_localize(None)
    origin = min(a.min(), b.min()).normalize()
    span = int((max(a.max(), b.max()) - origin).days) + 2
    days = pd.date_range(origin, periods=span, freq="D")
    working = np.isin(days.day_of_week, [WEEKDAY_NAMES.index(d) for d in hours.days])
    working &= ~days.strftime("%Y-%m-%d").isin(list(hours.holidays))
    opens, closes = hours.hours()
    length = max(closes - opens, 0.0)
    cum = np.concatenate([[0.0], np.cumsum(working * length)])

    def elapsed(t: pd.Series) -> np.ndarray:
        h = (t - origin).dt.total_seconds().to_numpy() / 3600.0
        day = (h // HOURS_PER_CALENDAR_DAY).astype(int)
        into = np.clip(h - day * HOURS_PER_CALENDAR_DAY - opens, 0.0, length)
        return cum[day] + working[day] * into

    out[both] = elapsed(b) - elapsed(a)
    return out


def funnel(
    leads: pd.DataFrame,
    period_start: pd.Timestamp | str | None = None,
    period_end: pd.Timestamp | str | None = None,
    business_hours: BusinessHours | None = None,
    problems: list[Problem] | tuple[Problem, ...] = (),
    fields: frozenset[str] | None = None,
    date_only: frozenset[str] = frozenset(),
) -> dict[str, object]:
    """The observed funnel of a canonical lead table (columns :data:`sim.crm.reader.CANONICAL`).

    Args:
        leads: one row per lead, times tz-aware in the company's time zone.
        period_start: leads created before it are in flight (default: the first creation).
        period_end: events after it are not counted (default: the last event).
        business_hours: the company's hours, for response times in business hours (default 09-17 Mon-Fri).
        problems: the reader's problems, kept under ``problems``.
        fields: the fields the export has a column for (``Export.fields``); counts of events it
            has no column for are None (not measured), not 0. Default: every field.
        date_only: the time fields that are dates without a time of day (``Export.date_only``):
            hours of the day and response times from them are None (not measured).

    Returns:
        ``period``, ``kpis`` (the flat statistics, named as in summary.json), ``volume``,
        ``response``, ``by_delay``, ``stages``, ``cycle_days``, ``deal_size``, ``reps``, ``problems``.
    """
    hours = business_hours or BusinessHours()
    tz = leads["created_at"].dt.tz
    start = _when(period_start, tz) if period_start is not None else leads["created_at"].min()
    stamps = [c for c in CANONICAL if c.endswith("_at")]
    end = (
        _when(period_end, tz)
        if period_end is not None
        else max(leads[c].max() for c in stamps if leads[c].notna().any())
    )

    def within(col: str) -> pd.Series:
        return (leads[col] >= start) & (leads[col] <= end)

    def has(*names: str) -> bool:
        return fields is None or any(n in fields for n in names)

    outcome = leads["outcome"].astype(str)
    primary = leads["primary"].astype(bool) if "primary" in leads.columns else pd.Series(True, index=leads.index)
    new = within("created_at") & primary
    kind = leads["kind"].astype(str)
    inquiries = leads[new & (kind == RESPONSE_SOURCE)]
    timed = not ({CREATED, TOUCHED} & set(date_only))
    responds = has(TOUCHED) and timed  # response times need both stamps, each with a time of day
    response = response_hours(inquiries[CREATED], inquiries[TOUCHED]).dropna()
    business = business_hours_between(inquiries[CREATED], inquiries[TOUCHED], hours).dropna()
    if not responds:
        response, business = response.iloc[:0], business.iloc[:0]
    won = (outcome == "won") & within("closed_at")
    lost = (outcome == "lost") & within("closed_at")
    n_won, n_closed = int(won.sum()), int((won | lost).sum())
    closes = has("stage", "won")  # else no opportunity can be seen to close
    amounts = leads.loc[won, "amount"] if has("amount") else leads.loc[won, "amount"].iloc[:0]
    statuses = has("status", "status_reason")  # lead outcomes need a status or a reason

    def count(col: str) -> int | None:
        lead_level = col != "opp_created_at"  # a lead's further opportunities count as opportunities only
        return int((within(col) & (primary if lead_level else True)).sum()) if has(col) else None

    def outcomes(name: str) -> int | None:
        return int(((outcome == name) & primary).sum()) if statuses else None

    counts: dict[str, int | None] = {"created": int(new.sum())}  # recycled leads too: they enter the funnel again
    counts |= {s.name: count(s.crm) for s in CRM_STAGES if s.name not in ("created", "won")}  # type: ignore[arg-type]  # CRM_STAGES: the stages with a CRM column
    counts["won"] = n_won if closes else None
    days = (end - start).total_seconds() / 3600.0 / HOURS_PER_CALENDAR_DAY
    fresh = int((new & (kind != "recycled")).sum())
    kpis = {
        "leads_created": fresh,
        "leads_recycled": int((new & (kind == "recycled")).sum()),
        "leads_in_flight": int(((leads["created_at"] < start) & primary).sum()),
        "leads_per_day": _ratio(fresh, days),
        "leads_touched": counts["touched"],
        "leads_contacted": counts["contacted"],
        "leads_qualified": counts["qualified"],
        "leads_handed_off": counts["handed_off"],
        "opportunities": counts["opportunity"],
        "opportunities_per_day": _ratio(counts["opportunity"], days) if counts["opportunity"] is not None else None,
        "deals_won": n_won if closes else None,
        "deals_lost": int(lost.sum()) if closes else None,
        "deals_won_per_day": _ratio(n_won, days) if closes else None,
        "win_rate": _ratio(n_won, n_closed) if closes else None,
        "revenue": float(amounts.sum()) if closes and has("amount") else None,
        "revenue_per_day": _ratio(float(amounts.sum()), days) if closes and has("amount") else None,
        "mean_deal_size": _num(amounts.mean()),
        "median_response_hours": _num(response.median()),
        "median_response_business_hours": _num(business.median()),
        "share_responded_within_1h": _ratio(int((response <= 1.0).sum()), len(inquiries)) if responds else None,
        "inquiries_never_touched": int(inquiries[TOUCHED].isna().sum()) if responds else None,
        "leads_disqualified": outcomes("disqualified"),
        "leads_rejected": outcomes("rejected"),
        "leads_ignored": outcomes("ignored"),
        "leads_lapsed": outcomes("lapsed"),
        "leads_unreached": outcomes("unreached"),
        "median_cycle_days": None,
    }
    cycle = _hours(leads.loc[won, "closed_at"], leads.loc[won, "opp_created_at"]) / HOURS_PER_CALENDAR_DAY
    lead_to_close = _hours(leads.loc[won, "closed_at"], leads.loc[won, "created_at"]) / HOURS_PER_CALENDAR_DAY
    kpis["median_cycle_days"] = _num(cycle.median()) if closes and has("opp_created_at", "closed_at") else None
    # the field's acceptance delay: handed off to opportunity, of the opportunities opened in the period
    accepted = within("opp_created_at") & primary & leads["handed_off_at"].notna()
    acceptance = _hours(leads.loc[accepted, "opp_created_at"], leads.loc[accepted, "handed_off_at"])
    if not (has("handed_off_at") and has("opp_created_at")):
        acceptance = acceptance.iloc[:0]
    return {
        "period": {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "days": days,
            "timezone": str(tz),
            "business_hours": hours.model_dump(mode="json"),
        },
        "kpis": kpis,
        "volume": _volume(leads[new], hourly=CREATED not in date_only),
        "response": {
            "calendar_hours": _quantiles(response),
            "business_hours": _quantiles(business),
            "histogram": _histogram(response, RESPONSE_EDGES),
            "inquiries": len(inquiries),
        },
        "by_delay": _by_delay(inquiries, fields) if responds else [],
        "stages": _stages(counts),
        "cycle_days": {"opportunity_to_close": _quantiles(cycle), "lead_to_close": _quantiles(lead_to_close)},
        "handoff_to_opportunity_days": _quantiles(acceptance / HOURS_PER_CALENDAR_DAY),
        "deal_size": {**_quantiles(amounts), "mean": _num(amounts.mean()), "amounts": _histogram_log(amounts)},
        "reps": _reps(leads, new, within("opp_created_at")),
        "date_only": sorted(date_only),
        "problems": [p.as_dict() for p in problems],
    }


def export_funnel(data: Export, start: str | None = None, end: str | None = None) -> dict[str, object]:
    """The observed funnel of an export read (:func:`sim.crm.reader.read_export`), over its complete period.

    What ``import-crm`` writes and ``fit`` fits to: the period set (``start``/``end``, else the map's),
    else the span where its arrivals are complete (:func:`sim.crm.period.complete_span`); its business
    hours, the reader's problems, and counts of only the events the export has columns for.
    """
    period = data.crm_map.period
    leads = data.leads
    stamps = [leads[c].max() for c in CANONICAL if c.endswith("_at") and leads[c].notna().any()]
    span = complete_span(leads["created_at"], max(stamps), start or period.start, end or period.end)
    observed = funnel(
        leads, span.start, span.end, data.crm_map.business_hours, data.problems, data.fields, data.date_only
    )
    observed["period"] |= {"chosen": span.how, "note": span.note}  # type: ignore[operator]  # a dict, built above
    observed["rows"] = {"read": data.rows_read, "leads_kept": int(leads["primary"].sum()), "dropped": data.dropped()}
    return observed


def _stages(counts: dict[str, int | None]) -> list[dict[str, object]]:
    """Each stage's count and its share of the last stage before it that the export measures."""
    rows: list[dict[str, object]] = []
    previous: int | None = None
    for name, n in counts.items():
        share = _ratio(n, previous) if n is not None and previous is not None else None
        rows.append({"stage": name, "count": n, "share_of_previous": share})
        previous = n if n is not None else previous
    return rows


def _when(value: pd.Timestamp | str, tz) -> pd.Timestamp:
    stamp = pd.Timestamp(value)
    return stamp.tz_localize(tz) if stamp.tzinfo is None else stamp.tz_convert(tz)


def _histogram(values: pd.Series, edges: tuple[float, ...]) -> dict[str, list]:
    counts, _ = np.histogram(values.dropna().to_numpy(), bins=np.asarray(edges, dtype=float))
    return {"edges": [_num(e) if np.isfinite(e) else None for e in edges], "counts": [int(c) for c in counts]}


def _histogram_log(values: pd.Series, bins: int = 12) -> dict[str, list]:
    values = values.dropna()
    values = values[values > 0]
    if values.empty:
        return {"edges": [], "counts": []}
    lo, hi = np.log10(values.min()), np.log10(values.max())
    edges = np.logspace(lo, hi if hi > lo else lo + 1, bins + 1)
    counts, _ = np.histogram(values.to_numpy(), bins=edges)
    return {"edges": [float(e) for e in edges], "counts": [int(c) for c in counts]}


def _volume(new: pd.DataFrame, hourly: bool = True) -> dict[str, object]:
    """New leads by source, kind, weekday and (where creation has a time of day) hour."""
    created = new["created_at"]
    grid = np.zeros((7, 24), dtype=int)
    np.add.at(grid, (created.dt.day_of_week.to_numpy(), created.dt.hour.to_numpy()), 1)
    return {
        "by_source": {str(k): int(v) for k, v in new["source"].fillna("(none)").value_counts().items()},
        "by_kind": {str(k): int(v) for k, v in new["kind"].value_counts().items()},
        "by_weekday": dict(zip(WEEKDAY_NAMES, grid.sum(axis=1).tolist(), strict=True)),
        "by_hour": grid.sum(axis=0).tolist() if hourly else None,  # a date-only creation has no hour
        "weekday_hour": grid.tolist() if hourly else None,
    }


def _by_delay(inquiries: pd.DataFrame, fields: frozenset[str] | None) -> list[dict[str, object]]:
    touched = inquiries[inquiries[TOUCHED].notna()]
    delay = response_hours(touched[CREATED], touched[TOUCHED])
    bucket = pd.cut(delay, bins=list(DELAY_EDGES), right=False)
    rows: list[dict[str, object]] = []
    for interval, part in touched.groupby(bucket, observed=False):
        rows.append(
            {
                "from_hours": float(interval.left),
                "to_hours": _num(interval.right) if np.isfinite(interval.right) else None,
                "leads": len(part),
                **{
                    f"{s.name}_share": _ratio(int(part[s.crm].notna().sum()), len(part))
                    if fields is None or s.crm in fields
                    else None
                    for s in (stage("contacted"), stage("qualified"))
                },
            }
        )
    return rows


def _reps(leads: pd.DataFrame, new: pd.Series, opened: pd.Series) -> dict[str, object]:
    owners = leads.loc[new, "owner"].dropna()
    field = leads.loc[opened, "opp_owner"].dropna()
    return {
        "lead_owners_active": int(owners.nunique()),
        "opportunity_owners_active": int(field.nunique()),
        "teams_active": int(leads.loc[new, "team"].dropna().nunique()),
        "leads_per_lead_owner": _quantiles(owners.value_counts()),
        "opportunities_per_owner": _quantiles(field.value_counts()),
    }


def canonical_from_run(leads: pd.DataFrame, start: str = DEFAULT_START, timezone: str = "UTC") -> pd.DataFrame:
    """A run's lead log (``leads.parquet``) as the canonical lead table, without going through an export."""
    first = parse_start(start)

    def t(col: str) -> pd.Series:
        return local_times(leads[col], first, timezone)

    outcome = leads["outcome"].astype(str)
    won = outcome == "won"
    closed = won | (outcome == "lost")
    has_opp = leads["opportunity_at"].notna()
    table = pd.DataFrame(
        {
            "lead_id": leads["lead_id"].astype(str),
            "source": leads["source"].astype(str),
            "kind": leads["source"].astype(str),
            "owner": leads["inside_rep"].where(leads["inside_rep"] >= 0).astype("Int64").astype("string"),
            "team": leads["team"].astype(str),
            **{s.crm: t(s.stamp) for s in CRM_STAGES if s.name != "won"},  # the stamps, by the funnel's table
            "opportunity_id": leads["lead_id"].astype(str).where(has_opp),
            "opp_owner": leads["field_rep"].where(has_opp & (leads["field_rep"] >= 0)).astype("Int64").astype("string"),
            "stage": outcome.where(has_opp),
            "closed_at": t("closed_at").where(closed),
            "won": won.astype("boolean").where(closed),
            "amount": leads["revenue"].where(won, leads["value"]).where(has_opp),
            "outcome": outcome.replace(
                {s: "open" for s in ("new", "attempting", "qualified", "handed_off", "accepted")}
            ),
            "primary": True,
        }
    )
    return table[list(CANONICAL)]


def observed_from_run(leads: pd.DataFrame, days: int, start: str = DEFAULT_START, timezone: str = "UTC") -> dict:
    """The observed funnel of a simulated run, straight from its lead log: what a fit compares with an export's.

    Args:
        leads: the run's lead log (``RunResult.leads`` or ``leads.parquet``).
        days: the run's measured calendar days (``simulation.days``).
        start: the date given to its day 0 (a Monday).
        timezone: the company's time zone.
    """
    table = canonical_from_run(leads, start, timezone)
    first = pd.Timestamp(parse_start(start))
    return funnel(table, first, first + pd.Timedelta(days=days))
