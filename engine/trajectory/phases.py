"""Phases of a trajectory: proefplaatsing (optional), the contract, then an extension.

The start check (peildatum = the start) decides whether a proefplaatsing is possible and for how
long (its `duur_maanden` parameter). The job's `startdatum` is the start of the dienstbetrekking
(the date the LKV terms, the doelgroepverklaring and the LKS count from): a proefplaatsing
precedes it, so the trajectory then begins that many months earlier.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from engine.dates import month_start
from engine.errors import PlacementError
from engine.model import Arrangement, Entry
from engine.proefplaatsing import proefplaatsing_period
from engine.trajectory.model import PhaseSpan, TrajectoryRequest


def last_day(first: date, months: int) -> date:
    return month_start(first, months) - timedelta(days=1)


@dataclass(frozen=True)
class Plan:
    spans: list[PhaseSpan]
    start: date  # the first month of the trajectory (of the proefplaatsing, if planned)
    contract_start: date
    proefplaatsing: Entry | None  # the entry the trial placement rests on, if planned
    notices: list[str]

    def phase_of(self, month: date) -> str:
        return next(s.phase for s in self.spans if s.start <= month <= s.end)


def entry(arrangement: Arrangement, instrument: str) -> Entry | None:
    return next((e for e in arrangement.instruments if e.instrument == instrument), None)


def plan(request: TrajectoryRequest, first: Arrangement, label: str) -> Plan:
    """Phases for the horizon; `first` is the check at the start, `label` names its provider."""
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
        months = min(months, request.maanden)
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
        return Plan(spans, start, contract_start, chosen, notices)
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
        return Plan(spans, start, contract_start, chosen, notices)
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
    return Plan(spans, start, contract_start, chosen, notices)
