"""Calendar time: nights, weekends, holidays, and the business hours companies write SLAs in.

The model's clock counts calendar hours since the start of the run, a Monday
at midnight; a Mesa step is one calendar day. Prospects live on this clock
(an inquiry sent on Friday evening and answered on Monday waited 63 hours).
Reps work business hours, 09:00-17:00 on working days, and the delays that
companies plan in business hours (SLAs, follow-up habits, retry gaps) are
converted with :meth:`WorkCalendar.after`.

Holidays: the nine weekday holidays most US employers give (New Year's Day,
Martin Luther King Day, Memorial Day, Independence Day, Labor Day,
Thanksgiving and the day after, Christmas Eve and Christmas Day; private
employers give 8-11 paid holidays, BLS National Compensation Survey), placed
as in a year that starts on a Monday (2029). 365 - 104 weekend days - 9 = 252
working days a year.
"""

from __future__ import annotations

from bisect import bisect_left

from sim.config.params import DAYS_PER_YEAR as _DAYS_PER_YEAR
from sim.config.params import HOURS_PER_DAY as BUSINESS_HOURS

HOURS_PER_CALENDAR_DAY = 24.0
DAYS_PER_CALENDAR_WEEK = 7
DAY_OPENS = 9.0  # business hours start (local time)
HOLIDAYS = frozenset({0, 14, 147, 184, 245, 325, 326, 357, 358})  # days of a year starting Monday 1 January
DAYS_PER_YEAR = int(_DAYS_PER_YEAR)
WORKING_DAYS_PER_YEAR = 365 - 104 - len(HOLIDAYS)  # 252
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def is_working_day(day: int) -> bool:
    """Monday to Friday, not a holiday (the holidays repeat every 365 days)."""
    return day % DAYS_PER_CALENDAR_WEEK < 5 and day % DAYS_PER_YEAR not in HOLIDAYS


class WorkCalendar:
    """Business hours over a horizon of calendar days: conversions both ways in O(log days).

    Args:
        days: days the run lasts; the calendar covers ten more years, so delays
            that end after the run still land on a working day.
        opens: the hour the working day opens (default 09:00).
        hours: hours the working day lasts (default 8; an inside team with
            extended coverage works 14, a follow-the-sun team 24).
        first_day: the calendar date of the clock's day 0, in days from the Monday,
            1 January that the measured run starts on (a run with a warm-up starts
            ``-warmup_days`` before it, so the measured days keep their weekdays and holidays).
    """

    __slots__ = ("_cum", "_hours", "_opens", "working")

    def __init__(self, days: int, opens: float = DAY_OPENS, hours: float = BUSINESS_HOURS, first_day: int = 0) -> None:
        horizon = int(days) + 10 * DAYS_PER_YEAR
        self.working = [is_working_day(d + first_day) for d in range(horizon)]
        self._opens, self._hours = opens, hours
        cum = [0.0]
        for works in self.working:
            cum.append(cum[-1] + (hours if works else 0.0))
        self._cum = cum  # business hours before each day

    def business_time(self, t: float) -> float:
        """Business hours elapsed between the start and calendar time ``t``."""
        day = int(t // HOURS_PER_CALENDAR_DAY)
        if day >= len(self.working):
            return self._cum[-1]
        if not self.working[day]:
            return self._cum[day]
        into = t - day * HOURS_PER_CALENDAR_DAY - self._opens
        return self._cum[day] + (0.0 if into < 0 else self._hours if into > self._hours else into)

    def calendar_time(self, b: float) -> float:
        """The first calendar time at which ``b`` business hours have elapsed."""
        if b <= 0:
            return 0.0
        cum = self._cum
        day = bisect_left(cum, b) - 1  # cum[day] < b <= cum[day + 1]: a working day
        if day >= len(self.working):
            return len(self.working) * HOURS_PER_CALENDAR_DAY
        return day * HOURS_PER_CALENDAR_DAY + self._opens + (b - cum[day])

    def after(self, t: float, business_hours: float) -> float:
        """Calendar time ``business_hours`` of business time after ``t`` (never before ``t``)."""
        return max(t, self.calendar_time(self.business_time(t) + business_hours))

    def next_open(self, t: float) -> float:
        """``t`` if it falls in business hours, else the moment the next working day opens."""
        day = int(t // HOURS_PER_CALENDAR_DAY)
        working = self.working
        if day < len(working) and working[day]:
            into = t - day * HOURS_PER_CALENDAR_DAY - self._opens
            if into < 0:
                return day * HOURS_PER_CALENDAR_DAY + self._opens
            if into < self._hours:
                return t
        day += 1
        while day < len(working) and not working[day]:
            day += 1
        return day * HOURS_PER_CALENDAR_DAY + self._opens

    def opens(self, day: int) -> float:
        """Calendar time the working day ``day`` opens."""
        return day * HOURS_PER_CALENDAR_DAY + self._opens


def describe(t: float) -> str:
    """``t`` in words: "day 12 (Fri) 17:45"."""
    day, within = divmod(t, HOURS_PER_CALENDAR_DAY)
    hours, minutes = divmod(round(within * 60), 60)
    return f"day {int(day) + 1} ({WEEKDAYS[int(day) % 7]}) {int(hours):02d}:{int(minutes):02d}"
