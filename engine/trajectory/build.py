"""A trajectory from a request: one public `check` per month, peildatum = the first of the month.

The rules encode terms against the peildatum and the parameters are dated, so an LKV that ends,
a repealed allowance or a new minimum wage on 1 January or 1 July show up by themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from engine.arrangement import Engine
from engine.dates import month_start
from engine.model import Arrangement, Placement
from engine.trajectory.model import InstrumentTotal, Month, Period, TrajectoryRequest
from engine.trajectory.money import HourlyAccrual
from engine.trajectory.months import contract_month, proefplaatsing_month
from engine.trajectory.phases import Plan, plan


@dataclass(frozen=True)
class Simulation:
    request: TrajectoryRequest
    plan: Plan
    first: Arrangement  # the check at the start
    checks: list[tuple[date, Arrangement]]  # one per month of the horizon
    months: list[Month]
    notices: list[str]
    today: date  # the day the advice is made: no action is planned before it


def at(placement: Placement, peildatum: date, startdatum: date) -> Placement:
    job = placement.job.model_copy(update={"startdatum": startdatum})
    return placement.model_copy(update={"peildatum": peildatum, "job": job})


def simulate(request: TrajectoryRequest, engine: Engine, today: date | None = None) -> Simulation:
    placement = request.placement
    start = placement.job.startdatum
    first = engine.check(at(placement, start, start))
    pp = next((e for e in first.instruments if e.instrument == "proefplaatsing"), None)
    label = first.authorities.get(pp.authority, pp.authority) if pp and pp.authority else "—"
    phases = plan(request, first, label, today)
    catalogue = engine.rulebase.catalogue
    accrual = HourlyAccrual()
    notices = list(phases.notices)
    checks: list[tuple[date, Arrangement]] = []
    months: list[Month] = []
    for i in range(request.maanden):
        month = month_start(phases.start, i)
        phase = phases.phase_of(month)
        if phase == "proefplaatsing" and phases.proefplaatsing is not None:
            # before the dienstbetrekking: the trial placement's rules read its own start
            a = engine.check(at(placement, month, phases.start))
            months.append(proefplaatsing_month(month, phases.proefplaatsing, a, catalogue))
        else:
            a = engine.check(at(placement, month, phases.contract_start))
            params = engine.rulebase.parameters.at(month)
            months.append(
                contract_month(
                    month,
                    phase,
                    a,
                    placement,
                    params,
                    phases.contract_start,
                    catalogue,
                    accrual,
                    notices,
                )
            )
        checks.append((month, a))
    return Simulation(request, phases, first, checks, months, notices, phases.today)


def _d(x: float) -> Decimal:
    return Decimal(str(x))


def period(name: str, months: list[Month]) -> Period:
    """The months summed, per instrument (with its provider and funder) and per funder."""
    totals: dict[tuple[str, str, str], list] = {}
    funders: dict[str, Decimal] = {}
    for m in months:
        for x in m.instruments:
            key = (x.instrument, x.authority, x.funder)
            row = totals.setdefault(key, [x, Decimal(0), 0])
            row[1] += _d(x.eur)
            row[2] += 1
            if x.kind in ("subsidie", "loonreductie"):
                funders[x.funder] = funders.get(x.funder, Decimal(0)) + _d(x.eur)
    wage = sum((_d(m.employer_wage_cost_eur) for m in months), Decimal(0))
    subs = sum((_d(m.employer_subsidies_eur) for m in months), Decimal(0))
    net = sum((_d(m.employer_net_cost_eur) for m in months), Decimal(0))
    return Period(
        period=name,
        months=len(months),
        instruments=[
            InstrumentTotal(
                instrument=x.instrument,
                name=x.name,
                authority=x.authority,
                funder=x.funder,
                kind=x.kind,
                eur=float(total),
                months=count,
            )
            for x, total, count in totals.values()
        ],
        funders={k: float(v) for k, v in sorted(funders.items())},
        employer_wage_cost_eur=float(wage),
        employer_subsidies_eur=float(subs),
        employer_net_cost_eur=float(net),
    )


def years(months: list[Month]) -> list[Period]:
    by_year: dict[str, list[Month]] = {}
    for m in months:
        by_year.setdefault(m.month[:4], []).append(m)
    return [period(y, ms) for y, ms in by_year.items()]


def assumptions(sim: Simulation) -> list[str]:
    out = [
        "Loonkosten = brutoloon × (1 + vakantiebijslag) × (1 + werkgeverslasten); de "
        "werkgeverslasten zijn het forfait uit de Regeling loonkostensubsidie, niet uw werkelijke "
        "premies.",
        "De gegevens van de kandidaat (uitkering, doelgroepregister, loonwaarde) blijven over de "
        "hele horizon zoals bij de start; elke maand wordt getoetst met peildatum de 1e van de "
        "maand.",
        "LKV en LIV worden per maand opgebouwd naar verloonde uren (uren per week × dagen / 7), "
        "cumulatief per kalenderjaar en ten hoogste het jaarmaximum; de Belastingdienst betaalt "
        "ze na afloop van het jaar uit.",
        "Bedragen per maand zijn op centen afgerond (half naar boven); jaren en totalen zijn "
        "sommen van de maanden.",
    ]
    if any(m.wage_assumed for m in sim.months):
        out.insert(
            0,
            "Geen brutoloon opgegeven: aangenomen is het wettelijk minimumloon per uur × uren per "
            "week × 52 / 12 (per maand het minimumloon dat dan geldt).",
        )
    if any(s.phase == "verlenging" for s in sim.plan.spans):
        out.append("Na het contract is aangenomen dat het op dezelfde voorwaarden wordt verlengd.")
    return out
