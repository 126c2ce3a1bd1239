"""When a proefplaatsing runs: before the dienstbetrekking it tries out, never inside it.

The job's `startdatum` is the start of the dienstbetrekking: the date the LKV terms, the
doelgroepverklaring (Wtl art. 2.3 lid 1) and the loonkostensubsidie count from. A proefplaatsing
is work with behoud van uitkering before that contract (Beleidsregels proefplaatsing UWV 2013
art. 2; Participatiewet art. 8a lid 2 onder d), so one of N months runs the N months before the
start. The trajectory and the caseload both place it here.
"""

from __future__ import annotations

from datetime import date, timedelta

from engine.dates import add_months, month_start

INSTRUMENT = "proefplaatsing"


def proefplaatsing_period(contract_start: date, months: int) -> tuple[date, date]:
    """First and last day of a proefplaatsing of `months` months before `contract_start`."""
    return add_months(contract_start, -months), contract_start - timedelta(days=1)


def first_possible_month(today: date) -> date:
    """The first month a proefplaatsing planned on `today` can start: nothing starts in the
    past, and a trajectory runs in whole months."""
    return today if today.day == 1 else month_start(today, 1)


def months_left(contract_start: date, months: int, today: date) -> int:
    """How many of `months` months of proefplaatsing still fit between the first possible
    month and the start of the dienstbetrekking (all of them when it starts in time)."""
    earliest = first_possible_month(today)
    if proefplaatsing_period(contract_start, months)[0] >= earliest:
        return months
    gap = (contract_start.year - earliest.year) * 12 + contract_start.month - earliest.month
    return max(0, min(months, gap - (contract_start.day < earliest.day)))
