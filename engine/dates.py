"""Date arithmetic used by the rule language, trajectories and analysis: one definition each."""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal


def years_between(start: date, end: date) -> Decimal:
    """Whole years from start to end (an age on a date)."""
    years = end.year - start.year - ((end.month, end.day) < (start.month, start.day))
    return Decimal(years)


def months_between(start: date, end: date) -> Decimal:
    """Whole months from start to end."""
    months = (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)
    return Decimal(months)


def add_months(d: date, n: Decimal | int) -> date:
    """The same day n months later, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    month0 = d.month - 1 + int(n)
    year, month = d.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def add_days(d: date, n: Decimal | int) -> date:
    return date.fromordinal(d.toordinal() + int(n))


def days_between(start: date, end: date) -> Decimal:
    return Decimal(end.toordinal() - start.toordinal())


def year_start(d: date) -> date:
    return date(d.year, 1, 1)


def year_end(d: date) -> date:
    return date(d.year, 12, 31)


def month_start(d: date, n: int = 0) -> date:
    """The first day of the month n months after d's month (trajectories run in whole months)."""
    index = d.year * 12 + d.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def iso_date(text: str) -> date | None:
    """A JJJJ-MM-DD text as a date, or None when it is not one."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
