"""Gaps: months the employer pays more than the placement bears, and needed instruments that no
authority funds (or only after an assessment), with the streams the rules know that could fill them.
"""

from __future__ import annotations

from decimal import Decimal

from engine.model import Arrangement
from engine.trajectory.build import Simulation
from engine.trajectory.model import FundingStream, Gap, Month
from engine.trajectory.money import eur

_FUNDS = ("gemeente", "regio")  # local streams that can top up a placement after assessment


def _streams(a: Arrangement, instrument: str | None = None) -> list[FundingStream]:
    """Offers in this month's check that could fund. For a cost gap (no instrument): a gemeente's
    or region's instrument with an amount that is still to be assessed; for a needed instrument:
    its own provider if it still assesses, and other authorities' offers that were set aside."""
    out: list[FundingStream] = []
    for e in a.instruments:
        if instrument is not None and e.instrument != instrument:
            continue
        money = bool(e.amounts) and (e.authority or "").startswith(_FUNDS)
        if e.status == "needs_assessment" and (instrument is not None or money):
            out.append(
                FundingStream(
                    instrument=e.instrument,
                    authority=e.authority or "onbekend",
                    status=e.status,
                    why=e.explanation,
                )
            )
        for s in e.set_aside if instrument is not None else []:
            if s.status != "not_eligible":
                out.append(
                    FundingStream(
                        instrument=e.instrument,
                        authority=s.authority,
                        status=s.status,
                        why=s.reason,
                    )
                )
    return out


def _bearable(sim: Simulation, m: Month) -> Decimal | None:
    if sim.request.draagkracht_per_maand_eur is not None:
        return Decimal(str(sim.request.draagkracht_per_maand_eur))
    lw = sim.request.placement.candidate.loonwaarde_pct
    if lw is None:
        return None
    reduction = sum(
        (Decimal(str(x.eur)) for x in m.instruments if x.kind == "loonreductie"), Decimal(0)
    )
    full = Decimal(str(m.employer_wage_cost_eur)) + reduction
    return (full * Decimal(str(lw)) / 100).quantize(Decimal("0.01"))


def cost_gaps(sim: Simulation) -> list[Gap]:
    out: list[Gap] = []
    run: list[tuple[Month, Decimal, Arrangement]] = []

    def flush() -> None:
        if not run:
            return
        total = sum((g for _, g, _ in run), Decimal(0))
        m0 = run[0][0]
        bear = _bearable(sim, m0)
        basis = (
            "de opgegeven draagkracht"
            if sim.request.draagkracht_per_maand_eur is not None
            else f"loonwaarde {sim.request.placement.candidate.loonwaarde_pct:g} % × loonkosten"
        )
        streams = _streams(run[0][2])
        tail = (
            ""
            if streams
            else " De regels kennen geen regionale of sectorale regeling met een bedrag die dit "
            "vult."
        )
        out.append(
            Gap(
                kind="kosten",
                instrument=None,
                months=[m.month for m, _, _ in run],
                eur=float(total),
                what=(
                    f"Netto kosten boven wat de plaatsing draagt ({basis}; {m0.month}: "
                    f"{eur(m0.employer_net_cost_eur)} tegen {eur(bear or 0)}), samen "
                    f"{eur(total)}.{tail}"
                ),
                streams=streams,
            )
        )
        run.clear()

    for (_, a), m in zip(sim.checks, sim.months, strict=True):
        bear = None if m.phase == "proefplaatsing" else _bearable(sim, m)
        over = Decimal(str(m.employer_net_cost_eur)) - bear if bear is not None else Decimal(0)
        if over > 0:
            run.append((m, over, a))
        else:
            flush()
    flush()
    return out


def need_gaps(sim: Simulation) -> list[Gap]:
    needed = list(sim.request.nodig)
    if not needed:  # by default: what the rules say must still be assessed
        needed = [e.instrument for e in sim.first.instruments if e.status == "needs_assessment"]
    groups: dict[tuple[str, str], list[tuple[str, Arrangement]]] = {}
    for (_, a), m in zip(sim.checks, sim.months, strict=True):
        if m.phase == "proefplaatsing":
            continue
        for instrument in needed:
            e = next((x for x in a.instruments if x.instrument == instrument), None)
            if e is not None and e.status == "eligible":
                continue
            kind = (
                "te_beoordelen"
                if e is not None and e.status == "needs_assessment"
                else "geen_financier"
            )
            groups.setdefault((instrument, kind), []).append((m.month, a))
    out: list[Gap] = []
    for (instrument, kind), rows in groups.items():
        a = rows[0][1]
        e = next((x for x in a.instruments if x.instrument == instrument), None)
        name = e.name if e else instrument
        if kind == "te_beoordelen":
            who = a.authorities.get(e.authority or "", e.authority or "") if e else "?"
            what = f"{name}: financiering pas zeker na beoordeling door {who}."
        else:
            why = (
                f" {e.explanation}"
                if e
                else " Geen regelset in deze plaatsing kent dit instrument."
            )
            what = f"{name}: geen financier in deze maanden.{why}"
        out.append(
            Gap(
                kind=kind,
                instrument=instrument,
                months=[month for month, _ in rows],
                eur=0.0,
                what=what,
                streams=_streams(a, instrument),
            )
        )
    return out


def gaps(sim: Simulation) -> list[Gap]:
    return cost_gaps(sim) + need_gaps(sim)
