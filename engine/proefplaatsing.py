"""When a proefplaatsing runs: before the dienstbetrekking it tries out, never inside it.

The job's `startdatum` is the start of the dienstbetrekking: the date the LKV terms, the
doelgroepverklaring (Wtl art. 2.3 lid 1) and the loonkostensubsidie count from. A proefplaatsing
is work with behoud van uitkering before that contract (Beleidsregels proefplaatsing UWV 2013
art. 2; Participatiewet art. 8a lid 2 onder d), so one of N months runs the N months before the
start. The trajectory and the caseload both place it here.
"""

from __future__ import annotations

from datetime import date, timedelta

from engine.dates import add_months

INSTRUMENT = "proefplaatsing"


def proefplaatsing_period(contract_start: date, months: int) -> tuple[date, date]:
    """First and last day of a proefplaatsing of `months` months before `contract_start`."""
    return add_months(contract_start, -months), contract_start - timedelta(days=1)
