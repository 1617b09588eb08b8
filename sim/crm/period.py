"""The period an export covers completely, told from its arrivals.

An export pulled from a CRM is rarely complete at its edges: the first weeks hold only the leads
migrated from an older system, the last week only the days before it was pulled. Counted over
its whole span, such an export understates volume a day (issue 32: by 32%). The default period
is the span of weeks whose arrivals reach :data:`COMPLETE_SHARE` of the median week's, from the
first such week to the last; the map's ``period`` (or ``import-crm --start/--end``) sets it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.crm.presets import CrmError

COMPLETE_SHARE = 0.25  # a week is complete with at least a quarter of the median week's new leads (assumption)
MIN_WEEKS = 4  # fewer weeks than this: the whole span is used, nothing detected


@dataclass(frozen=True)
class Span:
    """A period and how it was chosen.

    Attributes:
        start: the first moment counted (leads created before it are in flight).
        end: the last moment counted.
        how: "set" (by the map or the command line), "detected" (from the arrivals), "whole" (too short to detect).
        note: one line for people saying how.
    """

    start: pd.Timestamp
    end: pd.Timestamp
    how: str
    note: str


def _local(value: pd.Timestamp | str, tz) -> pd.Timestamp:
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is not None:
        return stamp.tz_convert(tz)
    return stamp.tz_localize(tz, ambiguous=False, nonexistent="shift_forward")


def complete_span(
    created: pd.Series,
    last_event: pd.Timestamp,
    start: pd.Timestamp | str | None = None,
    end: pd.Timestamp | str | None = None,
) -> Span:
    """The period to count: ``start``/``end`` where given, else the weeks where arrivals are complete.

    Args:
        created: the creation times of the export's leads (tz-aware, the company's time zone).
        last_event: the export's last stamp of any kind (no period ends after it).
        start: the period's start as set (None: detected).
        end: the period's end as set (None: detected).
    """
    tz = created.dt.tz
    created = created.dropna().sort_values()
    first, last = created.iloc[0], max(created.iloc[-1], last_event)
    weeks = created.dt.tz_localize(None).dt.to_period("W-SUN")  # Monday to Sunday, local
    counts = weeks.value_counts().sort_index()
    counts = counts.reindex(pd.period_range(counts.index.min(), counts.index.max(), freq="W-SUN"), fill_value=0)
    if start is not None and end is not None:
        s, e = _local(start, tz), _local(end, tz)
        return _checked(Span(s, e, "set", f"{_day(s)} to {_day(e)} (set)"))
    if len(counts) < MIN_WEEKS:
        s = _local(start, tz) if start is not None else first
        e = _local(end, tz) if end is not None else max(last, s + pd.Timedelta(days=1))  # at least a day
        whole = f"{_day(s)} to {_day(e)} (under {MIN_WEEKS} weeks of arrivals: the whole export)"
        return _checked(Span(s, e, "whole", whole))
    median = float(np.median(counts.to_numpy()))
    good = counts.index[counts.to_numpy() >= COMPLETE_SHARE * median]
    s = _local(start, tz) if start is not None else max(first, _local(good[0].start_time, tz))
    e = _local(end, tz) if end is not None else min(last, _local((good[-1] + 1).start_time, tz))
    skipped = int((counts.index < good[0]).sum() + (counts.index > good[-1]).sum())
    note = (
        f"{_day(s)} to {_day(e)} (detected: the weeks with at least {COMPLETE_SHARE:.0%} of the median week's "
        f"{median:,.0f} new leads; {skipped} incomplete week{'s' if skipped != 1 else ''} at the edges left out; "
        "set period: in the mapping file or --start/--end to change it)"
    )
    return _checked(Span(s, e, "detected", note))


def _checked(span: Span) -> Span:
    if span.start >= span.end:
        raise CrmError(f"period: start {_day(span.start)} is not before end {_day(span.end)}")
    return span


def _day(stamp: pd.Timestamp) -> str:
    return stamp.strftime("%Y-%m-%d %H:%M")
