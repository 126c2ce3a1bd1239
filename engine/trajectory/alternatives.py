"""Where the rules leave a choice, compare the options by the employer's net cost over the horizon.

- proefplaatsing: with the trial placement the rules offer, or straight into the contract; offers
  of other authorities that were set aside are named with the reason;
- which LKV: every LKV the placement qualified for before the one-LKV rule chose the highest
  (the chosen entry and those set aside keep their hourly parameters).
"""

from __future__ import annotations

import math
from decimal import Decimal

from engine.arrangement import Engine
from engine.errors import PlacementError
from engine.trajectory.build import Simulation, simulate
from engine.trajectory.model import Alternative
from engine.trajectory.money import HourlyAccrual, eur, is_hourly
from engine.trajectory.months import paid_in


def _net(months: list) -> Decimal:
    return sum((Decimal(str(m.employer_net_cost_eur)) for m in months), Decimal(0))


def _subs(months: list) -> Decimal:
    return sum((Decimal(str(m.employer_subsidies_eur)) for m in months), Decimal(0))


def _mark_best(options: list[Alternative]) -> list[Alternative]:
    # an option without a cost (not available) is never the best
    best = min(
        options,
        key=lambda o: math.inf if o.employer_net_cost_eur is None else o.employer_net_cost_eur,
    )
    return [o.model_copy(update={"best": o is best}) for o in options]


def proefplaatsing(sim: Simulation, engine: Engine) -> list[Alternative]:
    pp = next((e for e in sim.first.instruments if e.instrument == "proefplaatsing"), None)
    if pp is None or pp.status == "not_eligible":
        return []
    label = sim.first.authorities.get(pp.authority or "", pp.authority or "")
    planned = sim.plan.proefplaatsing is not None
    try:
        other = simulate(
            sim.request.model_copy(update={"proefplaatsing": not planned}), engine, sim.today
        )
    except PlacementError:  # too late for one before the startdatum: the notices say so
        return []
    with_pp, without = (sim, other) if planned else (other, sim)
    months = sum(1 for m in with_pp.months if m.phase == "proefplaatsing")
    a_net, b_net = _net(with_pp.months), _net(without.months)
    horizon = sim.request.maanden
    options = [
        Alternative(
            choice="proefplaatsing",
            option=f"proefplaatsing via {label}",
            employer_net_cost_eur=float(a_net),
            subsidies_eur=float(_subs(with_pp.months)),
            best=False,
            explanation=(
                f"Eerst {months} maanden proefplaatsing met behoud van uitkering, vóór de "
                "startdatum: geen loon in die maanden; het contract en de LKV-termijn beginnen op "
                f"de startdatum. Netto over {horizon} maanden {eur(a_net)}."
                + (" Onder voorbehoud van beoordeling." if pp.status != "eligible" else "")
            ),
        ),
        Alternative(
            choice="proefplaatsing",
            option="direct een contract",
            employer_net_cost_eur=float(b_net),
            subsidies_eur=float(_subs(without.months)),
            best=False,
            explanation=(
                f"Direct in dienst: loon vanaf de eerste maand. Netto over {horizon} maanden "
                f"{eur(b_net)}."
            ),
        ),
    ]
    for s in pp.set_aside:
        options.append(
            Alternative(
                choice="proefplaatsing",
                option=f"proefplaatsing via {sim.first.authorities.get(s.authority, s.authority)}",
                employer_net_cost_eur=None,
                subsidies_eur=None,
                best=False,
                explanation=f"Niet gekozen voor deze plaatsing: {s.reason}.",
            )
        )
    ranked = _mark_best(options[:2]) + options[2:]
    cheaper = next(o for o in ranked if o.best)
    diff = abs(a_net - b_net)
    note = f" Dat scheelt de werkgever {eur(diff)}." if diff else ""
    return [
        o.model_copy(update={"explanation": o.explanation + (note if o is cheaper else "")})
        for o in ranked
    ]


def lkv(sim: Simulation, engine: Engine) -> list[Alternative]:
    relations = [r for r in engine.rulebase.catalogue.relations if r.choose == "highest_amount"]
    out: list[Alternative] = []
    cs = sim.plan.contract_start
    for rel in relations:
        group = set(rel.instruments)
        candidates: dict[str, str] = {}  # instrument -> name
        per_month: list[tuple] = []
        for (month, a), m in zip(sim.checks, sim.months, strict=True):
            if m.phase == "proefplaatsing":
                continue
            here = [
                e
                for e in a.instruments
                if e.instrument in group
                and is_hourly(e)
                and e.status in ("eligible", "not_eligible")
                and paid_in(e, cs, month)
            ]
            for e in here:
                candidates[e.instrument] = e.name
            per_month.append((month, here))
        if len(candidates) < 2:
            continue
        chosen = sum(
            (
                Decimal(str(x.eur))
                for m in sim.months
                for x in m.instruments
                if x.instrument in group
            ),
            Decimal(0),
        )
        base = _net(sim.months) + chosen
        totals: dict[str, Decimal] = {}
        for instrument in candidates:
            acc, total = HourlyAccrual(), Decimal(0)
            for month, here in per_month:
                entry = next((x for x in here if x.instrument == instrument), None)
                if entry is not None:
                    total += acc.accrue(entry, sim.request.placement, month)[0]
            totals[instrument] = total
        options = [
            Alternative(
                choice="lkv",
                option=name,
                employer_net_cost_eur=float(base - totals[i]),
                subsidies_eur=float(totals[i]),
                best=False,
                explanation=f"{name}: {eur(totals[i])} over de horizon.",
            )
            for i, name in candidates.items()
        ]
        used_names = list(dict.fromkeys(n for i, n in used_pairs(sim, group)))
        if len(used_names) > 1:  # the check chose per year: that mix is an option of its own
            options.append(
                Alternative(
                    choice="lkv",
                    option="per kalenderjaar het hoogste LKV (zoals hierboven berekend)",
                    employer_net_cost_eur=float(base - chosen),
                    subsidies_eur=float(chosen),
                    best=False,
                    explanation=(
                        f"{', daarna '.join(used_names)}: samen {eur(chosen)} over de horizon."
                    ),
                )
            )
        ranked = _mark_best(options)
        why = (
            " Per werknemer geldt maar één loonkostenvoordeel, het hoogste telt "
            f"({rel.source.title} {rel.source.article}); de toets kiest het per kalenderjaar."
        )
        out += [
            o.model_copy(update={"explanation": o.explanation + (why if o.best else "")})
            for o in ranked
        ]
    return out


def used_pairs(sim: Simulation, group: set[str]) -> list[tuple[str, str]]:
    """The LKVs the trajectory actually pays, in the order they first appear."""
    return [
        (x.instrument, x.name) for m in sim.months for x in m.instruments if x.instrument in group
    ]


def alternatives(sim: Simulation, engine: Engine) -> list[Alternative]:
    return proefplaatsing(sim, engine) + lkv(sim, engine)
