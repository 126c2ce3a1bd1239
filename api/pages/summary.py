"""The employer's one-page summary of a trajectory, as plain structured Dutch text.

Shared by the HTML page (printable section) and the PDF, so both say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from engine.arrange.local_layer import wsp_contact
from engine.format import eur
from engine.model import Source
from engine.trajectory.model import Trajectory

HEADINGS = ("Wat krijgt u", "Wat moet u doen", "Wat kost het", "Wie is uw contactpersoon")
_MAX_ITEMS = 8  # keeps the page to one A4


def nl_date(d: date) -> str:
    return d.strftime("%d-%m-%Y")


@dataclass
class Summary:
    title: str
    intro: str
    sections: dict[str, list[str]] = field(default_factory=dict)
    costs: list[tuple[str, str, str, str]] = field(default_factory=list)  # period, wage, subs, net
    footer: list[str] = field(default_factory=list)


def _label(t: Trajectory, authority: str) -> str:
    return t.authorities.get(authority, authority)


def _gets(t: Trajectory) -> list[str]:
    out: list[str] = []
    first_contract = next((m for m in t.months if m.phase != "proefplaatsing"), None)
    for x in t.total.instruments:
        # the LKV is national law paid through the loonaangifte: name the payer, not "Rijk"
        who = "de Belastingdienst" if x.funder == "belastingdienst" else _label(t, x.authority)
        if x.kind == "uitkering":
            out.append(
                f"{x.name} via {who} ({x.months} maanden): de kandidaat behoudt de uitkering, "
                "u betaalt geen loon."
            )
        elif x.kind == "verzekering":
            out.append(f"{x.name} van {who}: bij ziekte betaalt UWV het ziekengeld.")
        elif x.kind == "voorziening":
            out.append(f"{x.name} van {who}.")
        elif x.funder == "belastingdienst":  # LKV, LIV: a yearly payment, not a monthly one
            first_year = next(
                (
                    (y.period, i.eur)
                    for y in t.years
                    for i in y.instruments
                    if i.instrument == x.instrument and i.eur
                ),
                None,
            )
            year = f"; {first_year[0]}: {eur(first_year[1])}" if first_year else ""
            out.append(
                f"{x.name}: {eur(x.eur)} totaal over {x.months} maanden{year}. Per kalenderjaar: "
                "u vraagt het aan via de loonaangifte en de Belastingdienst betaalt het na afloop "
                "van het jaar in één bedrag uit."
            )
        else:
            monthly = next(
                (
                    i.eur
                    for i in (first_contract.instruments if first_contract else [])
                    if i.instrument == x.instrument
                ),
                None,
            )
            per = f", eerste maand {eur(monthly)}" if monthly is not None else ""
            what = "minder loon te betalen" if x.kind == "loonreductie" else "totaal"
            out.append(f"{x.name} van {who}: {eur(x.eur)} {what} over {x.months} maanden{per}.")
    return out or ["Geen instrumenten voor deze plaatsing."]


def _contact(t: Trajectory) -> list[str]:
    c = t.contactpersoon
    if c is not None:
        parts = [c.naam, c.organisatie, c.telefoon, c.email]
        return [", ".join(p for p in parts if p)]
    regio = f" {t.regio}" if t.regio else ""
    w = t.werkgeversservicepunt
    if w is not None:  # only what a public page gave (rules/geografie.yaml), with that page
        out = [f"{wsp_contact(w)} (bron: {w.source.title}, {w.source.url})."]
    else:
        out = [f"Het werkgeversservicepunt (WSP) van de arbeidsmarktregio{regio}."]
    providers = sorted(
        {x.authority for x in t.total.instruments if x.authority not in ("rijk",)},
    )
    if providers:
        out.append("Aanvragen bij: " + ", ".join(_label(t, a) for a in providers) + ".")
    return out


def _cited(source: Source | None) -> str:
    if source is None:
        return ""
    return f" ({source.citation})"


def _todo(t: Trajectory) -> list[str]:
    """What the employer must do, in date order; what has passed is said once, at the end."""
    todo = [
        f"{nl_date(o.date)}: {o.what}{_cited(o.source)}" for o in t.obligations if not o.expired
    ]
    if len(todo) > _MAX_ITEMS:
        todo = [
            *todo[: _MAX_ITEMS - 1],
            f"en nog {len(todo) - _MAX_ITEMS + 1} afspraken (zie bijlage).",
        ]
    past = [o for o in t.obligations if o.expired]
    if past:  # no action dated before the advice: what has passed is said once, at the end
        todo.append(
            f"Al voorbij op {nl_date(t.made_on)}: "
            + "; ".join(f"{o.what.rstrip('.')} ({nl_date(o.date)})" for o in past)
            + "."
        )
    return todo or ["Geen termijnen."]


def summary(t: Trajectory) -> Summary:
    s = Summary(
        title="Uw aanbod op één pagina",
        intro=(
            f"Plaatsing van een kandidaat uit {t.woongemeente} bij "
            f"{t.werkgever or 'uw vestiging'} in {t.vestigingsgemeente}, "
            f"{t.horizon_months} maanden vanaf {nl_date(t.start)}"
            + (
                f"; contract vanaf {nl_date(t.contract_start)}."
                if t.contract_start != t.start
                else "."
            )
            + f" Opgesteld door {t.issuer} op {nl_date(t.made_on)}."
        ),
    )
    s.sections[HEADINGS[0]] = _gets(t)
    s.sections[HEADINGS[1]] = _todo(t)
    best = [a for a in t.alternatives if a.best]
    cost = [
        f"Netto kosten over {t.horizon_months} maanden: {eur(t.total.employer_net_cost_eur)} "
        f"(loonkosten {eur(t.total.employer_wage_cost_eur)} min "
        f"{eur(t.total.employer_subsidies_eur)} subsidies)."
    ]
    cost += [f"Advies: {a.option}. {a.explanation}" for a in best[:2]]
    if any(m.wage_assumed for m in t.months):
        cost.append("Geen brutoloon opgegeven: gerekend met het wettelijk minimumloon.")
    s.sections[HEADINGS[2]] = cost
    s.costs = [
        (
            y.period,
            eur(y.employer_wage_cost_eur),
            eur(y.employer_subsidies_eur),
            eur(y.employer_net_cost_eur),
        )
        for y in [*t.years, t.total]
    ]
    s.sections[HEADINGS[3]] = _contact(t)
    s.footer.append(
        "Indicatie uit Arrangeur op basis van de regels die per maand gelden; bedragen per maand "
        "op centen afgerond. De LKV betaalt de Belastingdienst na afloop van het jaar uit."
    )
    if t.illustrative:
        s.footer.append(
            "Let op: een deel van de gebruikte regels is illustratief (niet uit de brontekst)."
        )
    return s
