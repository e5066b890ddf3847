"""Implements docs/rules.md §3 (preamble): working days.

"工作日" deadlines skip weekends and public holidays and count the make-up
working days (调休). The State Council publishes each year's arrangement late in
the year before; the chinesecalendar package carries the published years (to
2026 in 1.11.0) and raises for later ones. This module never calls its per-date
functions: it reads the package's data once and merges a court-editable table
on top, whose rows win and whose years count as known. For a year with no data
at all only weekends are skipped, and `missing_years` tells the caller so the
page can warn.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import cache

from zhixing.rules import RuleError

__all__ = ["WorkingCalendar", "chinese_date", "national_calendar"]

_ONE_DAY = timedelta(days=1)


class WorkingCalendar:
    """Which days are working days, from holidays, make-up days and weekends.

    `holidays` are days off that would otherwise be working days (weekend dates
    among them are harmless); `workdays` are weekend days that are worked (调休);
    `known_years` are the years whose arrangement is known.
    """

    def __init__(
        self,
        *,
        holidays: Iterable[date],
        workdays: Iterable[date],
        known_years: Iterable[int],
    ) -> None:
        self._holidays = frozenset(holidays)
        self._workdays = frozenset(workdays)
        self._known_years = frozenset(known_years)
        both = self._holidays & self._workdays
        if both:
            day = min(both)
            raise RuleError(f"{chinese_date(day)}不能同时是休息日和调休工作日")

    def is_working_day(self, d: date) -> bool:
        if d.weekday() >= 5:
            return d in self._workdays
        return d not in self._holidays

    def next_working_day(self, d: date) -> date:
        """`d` itself when it is a working day, else the first working day after it."""
        while not self.is_working_day(d):
            d += _ONE_DAY
        return d

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after `start` (not counting `start`); before it if n < 0."""
        step = _ONE_DAY if n >= 0 else -_ONE_DAY
        d, remaining = start, abs(n)
        while remaining:
            d += step
            if self.is_working_day(d):
                remaining -= 1
        return d

    def year_known(self, year: int) -> bool:
        return year in self._known_years

    def missing_years(self, start: date, end: date) -> list[int]:
        """Years from `start` to `end` (inclusive) counted by weekends only."""
        first, last = sorted((start.year, end.year))
        return [year for year in range(first, last + 1) if year not in self._known_years]

    def __repr__(self) -> str:
        years = sorted(self._known_years)
        span = f"{years[0]}–{years[-1]}" if years else "none"
        return f"<WorkingCalendar known years {span}>"


def national_calendar(extra: Iterable[tuple[date, bool]] = ()) -> WorkingCalendar:
    """The State Council's arrangement, overridden by the court's own rows.

    `extra` holds (date, is_working_day) rows from the court-editable table; a
    row wins over the national data, and its year counts as known.
    """
    national_holidays, national_workdays, national_years = _national_data()
    holidays, workdays = set(national_holidays), set(national_workdays)
    years = set(national_years)
    for day, working in extra:
        holidays.discard(day)
        workdays.discard(day)
        (workdays if working else holidays).add(day)
        years.add(day.year)
    return WorkingCalendar(holidays=holidays, workdays=workdays, known_years=years)


@cache
def _national_data() -> tuple[frozenset[date], frozenset[date], frozenset[int]]:
    """Holidays, make-up days and covered years from chinesecalendar (constant)."""
    from chinese_calendar import constants

    holidays = frozenset(constants.holidays)
    workdays = frozenset(constants.workdays)
    # The package covers every year between its first and last holiday.
    years = {day.year for day in holidays}
    return holidays, workdays, frozenset(range(min(years), max(years) + 1))


def chinese_date(day: date) -> str:
    """A date as written in Chinese documents: 2026年3月1日."""
    return f"{day.year}年{day.month}月{day.day}日"
