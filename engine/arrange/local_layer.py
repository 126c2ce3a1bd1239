"""The local layer of a check: for each gemeente in the placement, whether its own instruments
are encoded, and where to ask when they are not.

What the Participatiewet obliges every college to offer (loonkostensubsidie, begeleiding op de
werkplek, voorzieningen, proefplaats, beschut werk) comes from the national rule set
`rijk-participatiewet`, carried out by the woongemeente; this module only words the notice.
The notice names the arbeidsmarktregio whose werkgeversservicepunt serves the gemeente, with
that werkgeversservicepunt's contact where rules/geografie.yaml has one (from a public page).
"""

from __future__ import annotations

from collections.abc import Iterable

from engine.geography import Gemeente, Regio, Werkgeversservicepunt
from engine.model import Offer
from engine.rulesets.loader import RuleSet
from engine.rulesets.registry import RuleBase


def notices(rb: RuleBase, gemeenten: Iterable[Gemeente], rulesets: Iterable[RuleSet]) -> list[str]:
    """Dutch notices for the gemeenten (woon, then vestiging; each once) without a rule set."""
    authorities = {rs.authority for rs in rulesets}
    out: list[str] = []
    seen: set[str] = set()
    for g in gemeenten:
        if g.code in seen:
            continue
        seen.add(g.code)
        if f"gemeente:{g.code}" in authorities:
            continue
        regio = rb.geography.regio(g.regio)
        regio_naam = regio.naam if regio else g.regio
        out.append(
            f"Voor gemeente {g.naam} ({g.code}) is geen gemeentelijke of regionale regelset "
            "beschikbaar: de eigen instrumenten van deze gemeente (verordening en beleidsregels "
            "re-integratie) zijn niet gecodeerd. Wat de Participatiewet elke gemeente oplegt "
            "(loonkostensubsidie, begeleiding op de werkplek, voorzieningen, proefplaats, beschut "
            "werk) is wel beoordeeld, uit de landelijke regels. Vraag naar de gemeentelijke "
            f"instrumenten bij het werkgeversservicepunt van arbeidsmarktregio {regio_naam}"
            + (
                f": {wsp_contact(regio.werkgeversservicepunt)}."
                if regio and regio.werkgeversservicepunt
                else "."
            )
        )
    return out


def _wsp(regio: Regio | None) -> Werkgeversservicepunt | None:
    return regio.werkgeversservicepunt if regio else None


def wsp_contact(wsp: Werkgeversservicepunt) -> str:
    """A werkgeversservicepunt in one line of Dutch: only the fields its source gave."""
    parts = [wsp.naam, wsp.adres, f"telefoon {wsp.telefoon}" if wsp.telefoon else None, wsp.web]
    return ", ".join(p for p in parts if p)


def without_rules(
    rb: RuleBase, gemeenten: Iterable[Gemeente], rulesets: Iterable[RuleSet]
) -> list[str]:
    """The names of the gemeenten in a check (woon, vestiging) without a rule set of their own."""
    authorities = {rs.authority for rs in rulesets}
    names = [g.naam for g in gemeenten if f"gemeente:{g.code}" not in authorities]
    return list(dict.fromkeys(names))


def defer_to_local_rules(
    offers: list[Offer], rulesets: Iterable[RuleSet], roles: dict
) -> list[Offer]:
    """Drop a national offer carried out by the woongemeente (the Participatiewet's duties of every
    college: begeleiding op de werkplek, proefplaats, voorzieningen, beschut werk) where the
    woongemeente itself, or the region it adopted, has a rule on that instrument: the verordening
    sets how the college carries the duty out (Participatiewet art. 8a), so its rule decides."""
    by_key = {rs.key: rs for rs in rulesets}
    local_instruments = {
        o.instrument
        for o in offers
        if (rs := by_key.get(o.ruleset)) is not None
        and rs.authority.startswith(("gemeente:", "regio:"))
        and roles.get(rs.authority) in ("woon", "regio_woon")
    }
    return [
        o
        for o in offers
        if not (
            o.instrument in local_instruments
            and (rs := by_key.get(o.ruleset)) is not None
            and rs.carried_out_by == "woongemeente"
        )
    ]
