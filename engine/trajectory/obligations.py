"""What the employer must do, and when: deadlines from the rules' parameters and the plan."""

from __future__ import annotations

from datetime import date, timedelta

from engine.dates import month_start
from engine.model import Entry
from engine.trajectory.build import Simulation
from engine.trajectory.model import Obligation
from engine.trajectory.money import einddatum
from engine.trajectory.months import term_end


def _proefplaatsing(sim: Simulation) -> list[Obligation]:
    """Agree a proefplaatsing before it starts; at its end the contract starts (or not)."""
    pp = sim.plan.proefplaatsing
    if pp is None:
        return []
    who = sim.first.authorities.get(pp.authority or "", pp.authority or "")
    return [
        Obligation(
            date=sim.plan.start,
            what=f"Proefplaatsing vóór de start afspreken met {who} (behoud van uitkering).",
            instrument="proefplaatsing",
        ),
        Obligation(
            date=sim.plan.contract_start,
            what="Einde proefplaatsing: bij geschiktheid het contract laten ingaan.",
            instrument="proefplaatsing",
        ),
    ]


def _term_end(e: Entry, end: date, cs: date) -> Obligation:
    """An instrument's last day: its term in years, the rules' own last day, or its end."""
    again = " Verlenging aanvragen vóór deze datum." if e.params.get("verlenging_mogelijk") else ""
    years = e.params.get("max_duur_jaren")
    last = einddatum(e)
    if years is not None and end == month_start(cs, round(float(years) * 12)):
        what, day = f"Einde termijn {e.name} ({years} jaar).{again}", end - timedelta(days=1)
    elif last is not None:  # the rules' own last day: the law's end or the AOW age
        what, day = f"Laatste dag {e.name}: daarna wordt het niet meer verstrekt.{again}", last
    else:
        what, day = f"Einde {e.name}.{again}", end - timedelta(days=1)
    return Obligation(date=day, what=what, instrument=e.instrument)


def _loonwaarde(paid: list[str] | None, horizon_end: date) -> list[Obligation]:
    """Every year of loonkostensubsidie the loonwaarde is assessed again."""
    if not paid:
        return []
    first = date.fromisoformat(paid[0] + "-01")
    out: list[Obligation] = []
    k = 1
    while month_start(first, 12 * k) <= horizon_end:
        out.append(
            Obligation(
                date=month_start(first, 12 * k),
                what=(
                    "Loonwaarde opnieuw laten vaststellen (aanname: jaarlijks; het college "
                    "bepaalt het moment in overleg, Participatiewet art. 10d lid 6)."
                ),
                instrument="loonkostensubsidie",
            )
        )
        k += 1
    return out


def _stops(
    sim: Simulation, paid_months: dict[str, list[str]], seen: set[tuple[str, str]]
) -> list[Obligation]:
    """An allowance that stops inside the horizon: the last month it is paid (unless it is
    paid to the end, or its term end is listed already)."""
    out: list[Obligation] = []
    last_month = sim.months[-1].month
    for instrument, months in paid_months.items():
        if (
            instrument == "proefplaatsing"
            or months[-1] == last_month
            or (instrument, "end") in seen
        ):
            continue
        name = next(x.name for m in sim.months for x in m.instruments if x.instrument == instrument)
        stop = month_start(date.fromisoformat(months[-1] + "-01"), 1)
        out.append(
            Obligation(
                date=stop - timedelta(days=1),
                what=(
                    f"{name} stopt na {months[-1]}: in de loonadministratie en begroting verwerken."
                ),
                instrument=instrument,
            )
        )
    return out


def _application(e: Entry) -> Obligation | None:
    """The deadline to apply: the rules' `doelgroepverklaring_uiterlijk` and/or the entry's
    `aanvraag` (where to apply, and the text that sets the deadline)."""
    part = e.aanvraag.deadline if e.aanvraag is not None else None
    where = e.aanvraag.where.text if e.aanvraag is not None else ""
    deadline = e.params.get("doelgroepverklaring_uiterlijk")
    dgv = (
        f"Doelgroepverklaring voor {e.name} aanvragen (binnen drie maanden na aanvang van de "
        "dienstbetrekking), anders vervalt het recht."
    )
    if part is not None and part.date is not None:
        what = dgv if part.date == deadline else f"{e.name} aanvragen: {part.text}"
        return Obligation(
            date=date.fromisoformat(part.date),
            what=f"{what} {where}".strip(),
            instrument=e.instrument,
            source=part.source,
        )
    if not isinstance(deadline, str):
        return None
    return Obligation(date=date.fromisoformat(deadline), what=dgv, instrument=e.instrument)


def obligations(sim: Simulation) -> list[Obligation]:
    horizon_end = sim.plan.spans[-1].end
    cs = sim.plan.contract_start
    out = _proefplaatsing(sim)
    seen: set[tuple[str, str]] = set()
    ends: dict[str, tuple[date, Entry]] = {}
    paid_months: dict[str, list[str]] = {}
    for m in sim.months:
        for x in m.instruments:
            paid_months.setdefault(x.instrument, []).append(m.month)
    for month, a in sim.checks:
        if month < cs:
            continue
        for e in a.instruments:
            if e.status != "eligible" or e.instrument == "proefplaatsing":
                continue
            if (e.instrument, "dgv") not in seen:
                found = _application(e)
                if found is not None:
                    seen.add((e.instrument, "dgv"))
                    out.append(found)
            # the law may shorten a term later on (a check in a later year): the earliest end wins
            end = term_end(e, cs)
            if end is not None and (e.instrument not in ends or end < ends[e.instrument][0]):
                ends[e.instrument] = (end, e)
    for instrument, (end, e) in ends.items():
        if end <= horizon_end:
            seen.add((instrument, "end"))
            out.append(_term_end(e, end, cs))
    out += _loonwaarde(paid_months.get("loonkostensubsidie"), horizon_end)
    out += _stops(sim, paid_months, seen)
    extended = any(s.phase == "verlenging" for s in sim.plan.spans)
    for span in sim.plan.spans:
        if span.phase == "contract" and extended:
            out.append(
                Obligation(
                    date=span.end,
                    what="Einde contract: verlengen (met de instrumenten) of beëindigen.",
                    instrument=None,
                )
            )
    # a term that has passed on the day the advice is made is no action any more: kept, marked
    for o in out:
        o.expired = o.date < sim.today
    return sorted(out, key=lambda o: (o.date, o.instrument or ""))
