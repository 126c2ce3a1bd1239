"""How to apply for each eligible entry: where, what is needed, the deadline and the payment.

Data, not code: each part comes from an `aanvraag` in the rule files (docs/rule-format.md), the
most specific first, part by part:
1. the deciding rule's own `aanvraag`;
2. its rule set's `aanvraag` for the instrument;
3. the rule sets of the providing authority's side in this check (the woongemeente and the
   region it adopted, for an instrument the woongemeente carries out): a gemeente or region
   may publish how to apply without rules of its own on the instrument;
4. the national rule sets in this check (rijk, uwv): the national default.
A part no rule set gives is "niet vastgesteld", never invented.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from engine.arrange.scope import Scope
from engine.expressions import UNKNOWN, evaluate
from engine.model import Aanvraag, AanvraagPart, Entry
from engine.rulesets.loader import AANVRAAG_PARTS, AanvraagPartSpec, RuleSet

NOT_FOUND = {
    "where": "Niet vastgesteld: geen gelezen tekst zegt waar dit wordt aangevraagd.",
    "what": "Niet vastgesteld: geen gelezen tekst zegt wat voor de aanvraag nodig is.",
    "deadline": "Niet vastgesteld: geen gelezen tekst stelt een termijn.",
    "payment": "Niet vastgesteld: geen gelezen tekst zegt wanneer en hoe wordt betaald.",
}

_Layer = tuple[RuleSet, dict[str, AanvraagPartSpec]]


def _layers(entry: Entry, scope: Scope) -> Iterable[_Layer]:
    """The `aanvraag` specs that apply to an entry, most specific first: a local one (the
    woongemeente's or its region's, for an instrument the woongemeente provides) before a
    national default, even when a national rule decided (Participatiewet art. 10d is carried out
    by the gemeente, which sets its own procedure)."""
    by_key = {rs.key: rs for rs in scope.rulesets}
    instrument = entry.instrument
    deciding = by_key.get(entry.reasons[0].ruleset) if entry.reasons else None
    own: list[_Layer] = []
    if deciding is not None:
        rule_id = entry.reasons[0].rule
        rule = next((r for r in deciding.rules if r.qualified_id == rule_id), None)
        if rule is not None and rule.aanvraag:
            own.append((deciding, rule.aanvraag))
        if instrument in deciding.aanvraag:
            own.append((deciding, deciding.aanvraag[instrument]))
    local = [
        (rs, rs.aanvraag[instrument])
        for role in (("woon", "regio_woon") if entry.authority == scope.woon_authority else ())
        for rs in scope.rulesets
        if rs is not deciding and scope.role(rs.authority) == role and instrument in rs.aanvraag
    ]
    national = [
        (rs, rs.aanvraag[instrument])
        for rs in scope.rulesets
        if rs is not deciding
        and scope.role(rs.authority) == "national"
        and instrument in rs.aanvraag
    ]
    if deciding is not None and scope.role(deciding.authority) == "national":
        return [*local, *own, *national]
    return [*own, *local, *national]


def aanvraag_for(entry: Entry, scope: Scope, env: Mapping[str, Any]) -> Aanvraag:
    """The four parts for one eligible entry, each from the most specific rule set giving it."""
    found: dict[str, AanvraagPart] = {}
    for rs, spec in _layers(entry, scope):
        for name in AANVRAAG_PARTS:
            if name not in found and name in spec:
                found[name] = _part(spec[name], rs, env, scope)
        if len(found) == len(AANVRAAG_PARTS):
            break
    for name in AANVRAAG_PARTS:
        found.setdefault(name, AanvraagPart(text=NOT_FOUND[name], provenance="niet_vastgesteld"))
    return Aanvraag(**found)


def _part(
    spec: AanvraagPartSpec, rs: RuleSet, env: Mapping[str, Any], scope: Scope
) -> AanvraagPart:
    day = None
    if spec.date is not None:
        value = evaluate(spec.date, env)
        if value is not UNKNOWN and isinstance(value, date):
            day = value.isoformat()
    # {woongemeente}: the one placeholder, for national text carried out by the woongemeente
    text = spec.text.replace("{woongemeente}", scope.woon.naam)
    return AanvraagPart(
        text=text,
        source=spec.source,
        provenance=spec.provenance,
        date=day,
        ruleset=rs.key,
    )


def attach(entries: list[Entry], scope: Scope, env: Mapping[str, Any]) -> None:
    """Put an `aanvraag` on every eligible entry (in place)."""
    for entry in entries:
        if entry.status == "eligible" and entry.authority is not None:
            entry.aanvraag = aanvraag_for(entry, scope, env)
