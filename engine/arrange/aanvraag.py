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


# One entry's plan: per part, the rule set and spec that gives it (None: not found).
_Plan = tuple[tuple[str, RuleSet | None, AanvraagPartSpec | None], ...]
_KEPT = 4_096  # scopes whose plans are kept per engine; refilled when full


class AanvraagCache:
    """What does not change between checks of one scope: per entry (instrument, provider,
    deciding rule) which rule set gives each part, and the parts without a date. Kept per scope
    object (an engine reuses them per gemeente pair and peildatum), with the scope itself, so a
    reused id never finds another scope's plans."""

    def __init__(self) -> None:
        self._plans: dict[int, tuple[Scope, dict[tuple[str, str | None, str | None], _Plan]]] = {}
        self._static: dict[tuple[int, str, str], tuple[AanvraagPartSpec, AanvraagPart]] = {}

    def plan(self, entry: Entry, scope: Scope) -> _Plan:
        kept = self._plans.get(id(scope))
        if kept is None or kept[0] is not scope:
            if len(self._plans) >= _KEPT:
                self._plans.clear()
                self._static.clear()
            kept = self._plans[id(scope)] = (scope, {})
        key = (entry.instrument, entry.authority, entry.reasons[0].rule if entry.reasons else None)
        found = kept[1].get(key)
        if found is None:
            found = kept[1][key] = _plan(entry, scope)
        return found

    def part(self, spec: AanvraagPartSpec, rs: RuleSet, env: Mapping[str, Any], scope: Scope):
        if spec.date is not None:  # the deadline's date is the check's own
            return _part(spec, rs, env, scope)
        key = (id(spec), rs.key, scope.woon.naam)
        kept = self._static.get(key)
        if kept is None or kept[0] is not spec:
            kept = self._static[key] = (spec, _part(spec, rs, env, scope))
        return kept[1]


def _plan(entry: Entry, scope: Scope) -> _Plan:
    """The most specific rule set giving each of the four parts for this entry."""
    found: dict[str, tuple[RuleSet, AanvraagPartSpec]] = {}
    for rs, spec in _layers(entry, scope):
        for name in AANVRAAG_PARTS:
            if name not in found and name in spec:
                found[name] = (rs, spec[name])
        if len(found) == len(AANVRAAG_PARTS):
            break
    return tuple((name, *found.get(name, (None, None))) for name in AANVRAAG_PARTS)


_NOT_FOUND = {
    name: AanvraagPart(text=text, provenance="niet_vastgesteld") for name, text in NOT_FOUND.items()
}


def aanvraag_for(
    entry: Entry, scope: Scope, env: Mapping[str, Any], cache: AanvraagCache | None = None
) -> Aanvraag:
    """The four parts for one eligible entry, each from the most specific rule set giving it."""
    cache = cache or AanvraagCache()
    parts = {
        name: _NOT_FOUND[name] if spec is None or rs is None else cache.part(spec, rs, env, scope)
        for name, rs, spec in cache.plan(entry, scope)
    }
    return Aanvraag(**parts)


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


def attach(
    entries: list[Entry], scope: Scope, env: Mapping[str, Any], cache: AanvraagCache | None = None
) -> None:
    """Put an `aanvraag` on every eligible entry (in place)."""
    cache = cache or AanvraagCache()
    for entry in entries:
        if entry.status == "eligible" and entry.authority is not None:
            entry.aanvraag = aanvraag_for(entry, scope, env, cache)
