"""Every Dutch sentence of a check's answer, in one place: labels, explanations, notices."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from engine import labels
from engine.expressions import Compare, Lit, Name, Node
from engine.facts import INPUT_FACTS
from engine.format import eur, format_number
from engine.model import Offer, Reason, Source
from engine.rulesets.loader import RuleSet
from engine.rulesets.registry import RuleBase

FACT_LABELS = {name: spec.label for name, spec in INPUT_FACTS.items()} | labels.DERIVED_FACTS
# Values of enumerations as people say them, in refusals and forms.
VALUE_LABELS = {
    "candidate.uitkering": {
        "bijstand": "bijstand",
        "ioaw": "IOAW",
        "ioaz": "IOAZ",
        "ww": "WW",
        "wajong": "Wajong",
        "wia_wga": "WIA – WGA",
        "wia_iva": "WIA – IVA",
        "wao": "WAO",
        "waz": "WAZ",
        "zw": "Ziektewet",
        "anw": "Anw",
        "geen": "geen uitkering",
    },
    "regie": {"uwv": "UWV", "gemeente": "gemeente"},
}


def authority_label(authority: str | None, rb: RuleBase) -> str:
    if authority is None:
        return "geen instantie"
    if authority == "uwv":
        return "UWV"
    if authority == "rijk":
        return "Rijk"  # the funder (Belastingdienst, gemeente) is in the catalogue
    kind, _, code = authority.partition(":")
    if kind == "gemeente":
        g = rb.geography.by_code(code)
        return f"gemeente {g.naam}" if g else authority
    regio = rb.geography.regio(code)
    return f"regio {regio.naam}" if regio else authority


def fact_label(name: str) -> str:
    return FACT_LABELS.get(name) or labels.fact_label(name)


def _sentences(reasons: Iterable[Reason]) -> str:
    """The reasons' explanations, each sentence once (rules of several authorities repeat)."""
    seen: list[str] = []
    for r in reasons:
        if r.explanation not in seen:
            seen.append(r.explanation)
    return " ".join(seen)


def entry_text(naam: str, offer: Offer, provider: str) -> str:
    why = _sentences(offer.reasons)
    missing = ", ".join(fact_label(m) for m in offer.missing_facts)
    if offer.status == "eligible":
        # eligible, but an amount or term needs a fact that was not given
        extra = f" Nog nodig voor bedrag of termijn: {missing}." if missing else ""
        return f"{naam}: komt in aanmerking via {provider}.{extra} {why}"
    if offer.status == "needs_assessment":
        extra = f" Ontbrekende gegevens: {missing}." if missing else ""
        return f"{naam}: nog te beoordelen door {provider}.{extra} {why}".strip()
    if offer.unmet_alternatives:  # several routes in, none open: say they are alternatives
        routes = "; of ".join(offer.unmet)
        return (
            f"{naam}: komt niet in aanmerking bij {provider}. Eén van deze zou volstaan, maar "
            f"geen is vervuld: {routes}."
        )
    if offer.unmet:  # the conditions not met say why; the rules' texts are in the reasons
        return f"{naam}: komt niet in aanmerking bij {provider}. {_unmet(offer.unmet)}"
    return f"{naam}: komt niet in aanmerking bij {provider}. {why}"


def _unmet(failed: list[str], shown: int = 4) -> str:
    more = f" (en nog {len(failed) - shown})" if len(failed) > shown else ""
    return f"Niet vervuld: {'; '.join(failed[:shown])}{more}."


def only_elsewhere(naam: str, provider: str, woon_naam: str) -> str:
    return (
        f"{naam}: alleen {provider} (gemeente van de werkgever) kent dit instrument; voor een "
        f"kandidaat uit {woon_naam} is het niet beschikbaar."
    )


def closed_for_new(test: Node, env: Mapping[str, Any]) -> str | None:
    """A required `job.startdatum < <date>` that failed: the instrument is closed to
    dienstbetrekkingen starting on or after that date (only transitional law remains)."""
    match test:
        case Compare("<", Name("job.startdatum"), Lit(date() as end)):
            start = env.get("job.startdatum")
            begins = f"; deze begint op {format_number(start)}" if start is not None else ""
            return (
                f"gesloten voor nieuwe dienstbetrekkingen vanaf {end.day}-{end.month}-{end.year}"
                f" (alleen wie vóór die datum begon, houdt het){begins}"
            )
    return None


def refusal(explanation: str, failed: list[str]) -> str:
    """What was not met first (with the values found), then the rule it comes from."""
    if not failed:
        return f"Niet voldaan: {explanation}"
    return f"{_unmet(failed)} Regel: {explanation}"


def unknown(explanation: str) -> str:
    return f"Nog niet te beoordelen: {explanation}"


def _shown(v: object) -> str:
    """A parameter value in Dutch: ja/nee, not Python's True/False."""
    if isinstance(v, bool):
        return "ja" if v else "nee"
    return labels.value_label(v) if isinstance(v, str) else str(v)


def params_text(offer: Offer) -> str:
    parts = [f"{labels.parameter_label(k)}: {_shown(v)}" for k, v in sorted(offer.params.items())]
    parts += [
        f"{eur(a.eur)} per {'maand' if a.period.count('-') else 'jaar'}" for a in offer.amounts
    ]
    return ", ".join(parts) or "zonder parameters"


# ------------------------------------------------------------------ precedence and conflicts


def set_aside_regie(chosen: str) -> str:
    return f"de regie ligt bij {chosen}"


SET_ASIDE_OUTSIDE = "de plaatsing valt buiten de voorwaarden van deze instantie"


def set_aside_decides(chosen: str) -> str:
    return f"{chosen} beslist"


def set_aside_local(local: str) -> str:
    return f"{local} heeft een eigen regel die voorgaat"


def set_aside_woonplaats(woon: str) -> str:
    return (
        f"woonplaatsbeginsel: {woon}, waar de kandidaat woont, is verantwoordelijk, niet de "
        "gemeente van de werkgever"
    )


def local_exception(naam: str, local: str, regional: str) -> tuple[str, str]:
    return (
        f"regel van {local} gaat voor",
        f"{local} wijkt voor {naam} af van de regionale afspraak van {regional} (beleidsvrijheid).",
    )


def parameter_mismatch(
    naam: str, a: str, a_offer: Offer, b: str, b_offer: Offer
) -> tuple[str, str]:
    return (
        f"parameters van {a} gelden",
        f"{naam}: {a} {params_text(a_offer)}; {b} {params_text(b_offer)}.",
    )


def eligibility_mismatch(
    naam: str, chosen: str, admits: str, excludes: str, why: str
) -> tuple[str, str]:
    return (
        f"besluit van {chosen} geldt",
        f"{naam}: {admits} laat deze plaatsing toe, {excludes} sluit haar uit ({why}).",
    )


def relation(kept: str, kept_by: str, how: str) -> str:
    return f"{kept} ({kept_by}); {how}" if how else f"{kept} ({kept_by})"


def not_combined(naam: str, kept: str, how: str, why: str) -> str:
    joined = f"; {how}" if how else ""
    return f"{naam}: niet te combineren met {kept}{joined}. {why}"


HIGHEST_COUNTS = "het hoogste bedrag telt"


def cross_region(woon: str, woon_regio: str, vest: str, vest_regio: str) -> tuple[str, str]:
    return (
        f"de regels van {woon} (woonplaatsbeginsel) en UWV gelden",
        f"Kandidaat woont in {woon} (regio {woon_regio}), de werkgever is gevestigd in {vest} "
        f"(regio {vest_regio}): twee regio's, mogelijk andere afspraken en contactpersonen.",
    )


# ------------------------------------------------------------------------------- notices


def no_local_rules(naam: str, code: str, regio: str, regional: bool) -> str:
    """A gemeente without a rule set of its own: what was assessed, and where to ask."""
    assessed = (
        f"Beoordeeld zijn de regionale afspraken van arbeidsmarktregio {regio} en wat"
        if regional
        else "Wat"
    )
    return (
        f"Voor gemeente {naam} ({code}) is geen gemeentelijke"
        f"{'' if regional else ' of regionale'} regelset beschikbaar: de eigen instrumenten van "
        "deze gemeente (verordening en beleidsregels re-integratie) zijn niet gecodeerd. "
        f"{assessed} de Participatiewet elke gemeente oplegt (loonkostensubsidie, begeleiding op "
        "de werkplek, voorzieningen, proefplaats, beschut werk)"
        f"{'' if regional else ' is wel beoordeeld'}, uit de landelijke regels. Vraag naar de "
        f"gemeentelijke instrumenten bij het werkgeversservicepunt van arbeidsmarktregio {regio}."
    )


def illustrative(rs: RuleSet, authority: str) -> str:
    note = f" ({rs.provenance_note})" if rs.provenance_note else ""
    return (
        f"Let op: regelset {rs.id} versie {rs.version} van {authority} is illustratief, niet uit "
        f"de brontekst gecodeerd{note}."
    )


def unique_sources(reasons: Iterable[Reason], figures: Iterable[Source] = ()) -> list[Source]:
    """The texts an entry rests on: its rules' articles, then where its figures come from."""
    seen: dict[tuple, Source] = {}
    for source in [*(r.source for r in reasons), *figures]:
        seen.setdefault((source.title, source.article, source.url), source)
    return list(seen.values())
