"""One month of a trajectory from that month's check: active instruments and their money."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from engine.catalogue import Catalogue
from engine.dates import month_start
from engine.facts import INPUT_FACTS
from engine.model import Arrangement, Entry, Placement
from engine.trajectory.model import InstrumentMonth, Month
from engine.trajectory.money import HourlyAccrual, einddatum, eur, is_hourly, wage


def funder(e: Entry, catalogue: Catalogue, regie: str | None) -> str:
    """Who pays: the Belastingdienst for the loonkostenvoordelen, the benefit's payer for a trial
    placement (the candidate keeps the uitkering), otherwise the providing authority."""
    kind = (
        catalogue.instruments[e.instrument].funder if e.instrument in catalogue.instruments else ""
    )
    if kind == "belastingdienst":
        return "belastingdienst"
    if kind == "uitkering":
        return regie or e.authority or "onbekend"
    return e.authority or "onbekend"


def term_end(e: Entry, contract_start: date) -> date | None:
    """The first month an instrument is no longer paid: the end of its maximum term in years, or
    sooner the month after its `einddatum` (e.g. Wtl art. 2.4 lid 1, text 2025-01-01: the LKV
    oudere werknemer is not paid over periods after 31 December 2025, whatever its term)."""
    ends: list[date] = []
    years = e.params.get("max_duur_jaren")
    if isinstance(years, int | float) and not isinstance(years, bool):
        ends.append(month_start(contract_start, round(years * 12)))
    last = einddatum(e)
    if last is not None:
        ends.append(month_start(last, 1))
    return min(ends) if ends else None


def paid_in(e: Entry, contract_start: date, month: date) -> bool:
    """Whether `month` is before the instrument's term ends (always, without an end)."""
    end = term_end(e, contract_start)
    return end is None or month < end


def proefplaatsing_month(month: date, e: Entry, a: Arrangement, catalogue: Catalogue) -> Month:
    payer = funder(e, catalogue, a.regie)
    line = InstrumentMonth(
        instrument=e.instrument,
        name=e.name,
        authority=e.authority or "onbekend",
        funder=payer,
        eur=0.0,
        kind="uitkering",
        basis=(
            f"behoud van uitkering: de kandidaat houdt de uitkering van "
            f"{a.authorities.get(payer, payer)}; de werkgever betaalt geen loon"
        ),
    )
    return Month(
        month=f"{month:%Y-%m}",
        phase="proefplaatsing",
        instruments=[line],
        employer_wage_cost_eur=0.0,
        employer_subsidies_eur=0.0,
        employer_net_cost_eur=0.0,
        wage_basis="proefplaatsing: geen loon, geen loonkosten",
        wage_assumed=False,
    )


def contract_month(
    month: date,
    phase: str,
    a: Arrangement,
    placement: Placement,
    params: Mapping[str, Decimal],
    contract_start: date,
    catalogue: Catalogue,
    accrual: HourlyAccrual,
    notices: list[str],
) -> Month:
    key = f"{month:%Y-%m}"
    active = [
        e
        for e in a.instruments
        if e.status == "eligible"
        and e.instrument != "proefplaatsing"
        and paid_in(e, contract_start, month)
    ]
    dispensed = any(e.instrument == "loondispensatie" for e in active)
    w = wage(placement, params, dispensed, key)
    lines: list[InstrumentMonth] = []
    for e in active:
        kind, amount, basis = "voorziening", Decimal(0), "geen maandbedrag (voorziening)"
        if is_hourly(e):
            kind = "subsidie"
            amount, basis = accrual.accrue(e, placement, month)
        elif e.instrument == "loondispensatie":
            kind, amount = "loonreductie", w.full - w.paid
            basis = (
                f"loonkosten zonder dispensatie {eur(w.full)} − loon naar loonwaarde {eur(w.paid)}"
                f" = {eur(amount)}; UWV vult het inkomen van de werknemer aan (Wajong)"
            )
        elif e.instrument == "no_riskpolis":
            kind, basis = "verzekering", "verzekering: alleen bij ziekte betaalt UWV ziekengeld"
        else:
            monthly = [x for x in e.amounts if x.period == key]
            if monthly:
                kind, amount, basis = "subsidie", Decimal(str(monthly[0].eur)), monthly[0].basis
            elif e.amounts or e.instrument == "loonkostensubsidie":
                missing = _missing(e)
                kind = "subsidie"
                basis = f"bedrag voor deze maand niet te berekenen (ontbreekt: {missing})"
                notices.append(
                    f"{e.name}: voor één of meer maanden is geen bedrag te berekenen uit de regels "
                    f"(ontbreekt: {missing}); gerekend met € 0, dus de subsidies in dit traject "
                    "zijn te laag en de netto kosten te hoog. Vul het ontbrekende gegeven in."
                )
        lines.append(
            InstrumentMonth(
                instrument=e.instrument,
                name=e.name,
                authority=e.authority or "onbekend",
                funder=funder(e, catalogue, a.regie),
                eur=float(amount),
                kind=kind,
                basis=basis,
            )
        )
    subsidies = sum((Decimal(str(x.eur)) for x in lines if x.kind == "subsidie"), Decimal(0))
    return Month(
        month=key,
        phase=phase,
        instruments=lines,
        employer_wage_cost_eur=float(w.paid),
        employer_subsidies_eur=float(subsidies),
        employer_net_cost_eur=float(w.paid - subsidies),
        wage_basis=w.basis,
        wage_assumed=w.assumed,
    )


def _missing(e: Entry) -> str:
    """The facts an amount waits for, as the form names them (a parameter by its id)."""
    names = [f"{INPUT_FACTS[m].label} ({m})" if m in INPUT_FACTS else m for m in e.missing_facts]
    return ", ".join(names) or "onbekend"
