"""Phases of a trajectory: proefplaatsing (optional), the contract, then an extension.

The start check (peildatum = the start) decides whether a proefplaatsing is possible and for how
long (its `duur_maanden` parameter). The job's `startdatum` is the start of the dienstbetrekking
(the date the LKV terms, the doelgroepverklaring and the LKS count from): a proefplaatsing
precedes it, so the trajectory then begins that many months earlier. It stays the date the user
entered: a proefplaatsing that would start before the day the advice is made is shortened to the
whole months still left, or (none left) not planned, and the notices say so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from engine.dates import month_start
from engine.errors import PlacementError
from engine.model import Arrangement, Entry
from engine.proefplaatsing import first_possible_month, months_left, proefplaatsing_period
from engine.trajectory.model import PhaseSpan, TrajectoryRequest


def advice_day() -> date:
    """The day an advice is made when no other is given: today (tests fix it)."""
    return date.today()


def last_day(first: date, months: int) -> date:
    return month_start(first, months) - timedelta(days=1)


@dataclass(frozen=True)
class Plan:
    spans: list[PhaseSpan]
    start: date  # the first month of the trajectory (of the proefplaatsing, if planned)
    contract_start: date
    proefplaatsing: Entry | None  # the entry the trial placement rests on, if planned
    notices: list[str]
    today: date  # the day the advice is made

    def phase_of(self, month: date) -> str:
        return next(s.phase for s in self.spans if s.start <= month <= s.end)


def entry(arrangement: Arrangement, instrument: str) -> Entry | None:
    return next((e for e in arrangement.instruments if e.instrument == instrument), None)


def _dmy(d: date) -> str:
    return d.strftime("%d-%m-%Y")


def _fit(
    request: TrajectoryRequest, months: int, contract_start: date, today: date
) -> tuple[int, list[str]]:
    """The months of the proefplaatsing that can still run before the dienstbetrekking (none
    planned in the past), with the notices that say why it is shorter or absent."""
    left = months_left(contract_start, months, today)
    if left == months:
        return months, []
    first = proefplaatsing_period(contract_start, months)[0]
    earliest = first_possible_month(today)
    later = _dmy(month_start(earliest, months))
    wanted = (
        f"Een proefplaatsing van {months} maanden gaat vóór de start van de dienstbetrekking "
        f"({_dmy(contract_start)}) en zou op {_dmy(first)} beginnen, vóór vandaag ({_dmy(today)})"
    )
    if left >= 1:
        return left, [
            f"{wanted}: ingekort tot {left} maand{'en' if left > 1 else ''} "
            f"({_dmy(earliest)} tot de startdatum). Voor de volle {months} maanden: kies een "
            f"startdatum vanaf {later}."
        ]
    if request.proefplaatsing is True:
        raise PlacementError(
            "proefplaatsing",
            f"{wanted}. Kies een startdatum vanaf {later}, of geen proefplaatsing.",
        )
    return 0, [
        f"{wanted}: daarom niet ingepland; het traject begint direct met het contract. Voor "
        f"een proefplaatsing eerst: kies een startdatum vanaf {later}."
    ]


def plan(
    request: TrajectoryRequest, first: Arrangement, label: str, today: date | None = None
) -> Plan:
    """Phases for the horizon; `first` is the check at the start, `label` names its provider,
    `today` the day the advice is made (default: advice_day())."""
    today = today or advice_day()
    start = request.placement.job.startdatum
    if start.day != 1:
        raise PlacementError(
            "job.startdatum", "een traject rekent in hele maanden: begin op de 1e van een maand"
        )
    notices: list[str] = []
    pp = entry(first, "proefplaatsing")
    chosen: Entry | None = None
    if request.proefplaatsing is True:
        if pp is None or pp.status == "not_eligible":
            why = pp.explanation if pp else "geen regelset kent een proefplaatsing"
            raise PlacementError("proefplaatsing", f"geen proefplaatsing mogelijk: {why}")
        chosen = pp
        if pp.status == "needs_assessment":
            notices.append(
                f"Proefplaatsing ingepland onder voorbehoud: {label} moet haar nog beoordelen."
            )
    elif request.proefplaatsing is None and pp is not None:
        if pp.status == "eligible":
            chosen = pp
        elif pp.status == "needs_assessment":
            notices.append(
                "Een proefplaatsing is misschien mogelijk maar moet eerst beoordeeld worden; "
                "het traject begint daarom direct met het contract."
            )
    spans: list[PhaseSpan] = []
    contract_start = start
    if chosen is not None:
        months = int(chosen.params.get("duur_maanden", 2))
        months, moved = _fit(request, min(months, request.maanden), contract_start, today)
        notices += moved
        if months == 0:
            chosen = None
    if chosen is not None:
        start, pp_end = proefplaatsing_period(contract_start, months)
        horizon_end = last_day(start, request.maanden)
        spans.append(
            PhaseSpan(
                phase="proefplaatsing",
                start=start,
                end=min(pp_end, horizon_end),
                explanation=(
                    f"Proefplaatsing van {months} maanden via {label}, met behoud van uitkering: "
                    "de werkgever betaalt geen loon."
                ),
            )
        )
    else:
        horizon_end = last_day(start, request.maanden)
    if contract_start > horizon_end:
        return Plan(spans, start, contract_start, chosen, notices, today)
    contract = request.placement.job.contract_maanden
    if contract is None:
        spans.append(
            PhaseSpan(
                phase="contract",
                start=contract_start,
                end=horizon_end,
                explanation=(
                    "Contract zonder opgegeven duur: aangenomen tot het einde van de horizon."
                ),
            )
        )
        return Plan(spans, start, contract_start, chosen, notices, today)
    whole = max(1, math.ceil(contract))
    contract_end = last_day(contract_start, whole)
    spans.append(
        PhaseSpan(
            phase="contract",
            start=contract_start,
            end=min(contract_end, horizon_end),
            explanation=(
                f"Contract van {whole} maanden (dienstbetrekking; de LKV-termijn telt vanaf hier)."
            ),
        )
    )
    if contract_end < horizon_end:
        spans.append(
            PhaseSpan(
                phase="verlenging",
                start=contract_end + timedelta(days=1),
                end=horizon_end,
                explanation=(
                    "Aanname: het contract wordt op dezelfde voorwaarden verlengd tot het einde "
                    "van de horizon."
                ),
            )
        )
    return Plan(spans, start, contract_start, chosen, notices, today)
