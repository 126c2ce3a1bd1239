"""check(placement) → Arrangement: the one entry point.

placement → scope (which authorities) → rule sets in force on the peildatum → compiled network
(cached) → one session → offers → precedence → one entry per instrument, with conflicts.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from engine import amounts as money
from engine.compiler import compile_network, network_key
from engine.expressions import UNKNOWN, Call, Node, evaluate, failed_conditions, names
from engine.facts import INPUT_FACTS, placement_facts
from engine.geography import Gemeente
from engine.model import (
    Arrangement,
    Conflict,
    Derivation,
    Entry,
    Offer,
    Party,
    Placement,
    Reason,
    RulesetUsed,
    SetAside,
    Source,
    validate_input,
)
from engine.network_cache import NetworkCache
from engine.rulesets.loader import Rule, RuleSet
from engine.rulesets.registry import RuleBase, load_rulebase
from engine.runtime import Backend, DurableBackend

_STATUS_ORDER = {"eligible": 0, "needs_assessment": 1, "not_eligible": 2}


@dataclass(frozen=True)
class Scope:
    peildatum: date
    woon: Gemeente
    vest: Gemeente
    roles: dict[str, str]  # authority -> national | woon | regio_woon | vest | regio_vest
    rulesets: tuple[RuleSet, ...]


class Engine:
    """One validated rule base and the networks compiled from it: compile once, check many."""

    def __init__(
        self,
        rulebase: RuleBase,
        backend: type[Backend] = DurableBackend,
        network_cache: int | None = None,  # networks kept (LRU); see engine/network_cache.py
    ):
        self.rulebase = rulebase
        self._backend_class = backend
        self._compiled = NetworkCache[_Compiled](network_cache, lambda c: c.backend.close())
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ scope
    def scope(self, placement: Placement) -> Scope:
        rb, when = self.rulebase, placement.reference_date
        woon = rb.geography.resolve(
            placement.candidate.woongemeente, when, "candidate.woongemeente"
        )
        vest = rb.geography.resolve(
            placement.employer.vestigingsgemeente, when, "employer.vestigingsgemeente"
        )
        roles = {"uwv": "national", "rijk": "national", f"gemeente:{woon.code}": "woon"}
        roles.setdefault(f"gemeente:{vest.code}", "vest")
        chosen: dict[str, RuleSet] = {}
        for authority in list(roles):
            for rs in rb.in_force(authority, when):
                chosen[rs.id] = rs
        for rs in list(chosen.values()):
            local_role = roles.get(rs.authority)
            for adopted in rs.adopts:
                regional = rb.by_id(adopted, when)
                if regional is None:
                    continue
                role = "regio_woon" if local_role == "woon" else "regio_vest"
                if roles.get(regional.authority) != "regio_woon":
                    roles[regional.authority] = role
                chosen[regional.id] = regional
        ordered = tuple(sorted(chosen.values(), key=lambda rs: (rs.authority, rs.id)))
        return Scope(when, woon, vest, roles, ordered)

    # ---------------------------------------------------------------- network
    def compiled(self, rulesets: tuple[RuleSet, ...], params: Mapping[str, Any]) -> _Compiled:
        """The network for a scope and its derived-fact index: built once, reused per check."""
        key = network_key(list(rulesets), params)
        compiled = self._compiled.get(key)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(key)
                if compiled is None:
                    compiled = _Compiled(
                        self._backend_class(compile_network(list(rulesets), params)),
                        *_derived_index(rulesets),
                    )
                    self._compiled[key] = compiled
        return compiled

    # ------------------------------------------------------------------ check
    def check(self, placement: Placement | Mapping[str, Any]) -> Arrangement:
        if not isinstance(placement, Placement):
            placement = parse_placement(placement)
        scope = self.scope(placement)
        params = self.rulebase.parameters.at(scope.peildatum)
        facts = placement_facts(placement, scope.woon.code, scope.vest.code)
        compiled = self.compiled(scope.rulesets, params)
        session = compiled.backend.run(facts, params)
        env = {**params, **session.facts}
        fired = set(session.fired)
        woon = f"gemeente:{scope.woon.code}"
        offers = [
            offer
            for rs in scope.rulesets
            for offer in _offers(rs, fired, env, scope.peildatum, compiled, woon)
        ]
        arrangement = _arrange(self.rulebase, scope, offers, env)
        arrangement.derivation = _derivation(session.derived_by, env)
        return arrangement


def _derivation(derived_by: Mapping[str, Any], env: Mapping[str, Any]) -> list[Derivation]:
    out = []
    for fact, action in sorted(derived_by.items()):
        d = action.derived
        value = env[fact]
        shown = value.isoformat() if isinstance(value, date) else value
        if isinstance(shown, Decimal):
            shown = float(round(shown, 2))
        out.append(
            Derivation(
                fact=fact,
                value=shown,
                explanation=d.explanation,
                rule=f"{action.ruleset.key}/{d.id}",
                source=d.source,
            )
        )
    return out


@dataclass(frozen=True)
class _Compiled:
    backend: Backend
    inputs: dict[str, set[str]]  # derived fact -> the names it reads
    formulas: dict[str, Node]  # derived facts with one definition, shown as formulas in bases
    _reads: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _diagnoses: dict[tuple, tuple[bool, Reason]] = field(default_factory=dict)

    def diagnose(self, rs: RuleSet, rule: Rule, env: Mapping[str, Any]) -> tuple[bool, Reason]:
        """For a rule that did not fire: is it unknown (not false), and why was it refused.

        Memoised on the values the rule reads: checks of one scope repeat them all the time.
        """
        reads = self._reads.get(rule.qualified_id)
        if reads is None:
            reads = self._reads[rule.qualified_id] = tuple(sorted(names(rule.when)))
        key = (rule.qualified_id, tuple(env.get(n, UNKNOWN) for n in reads))
        found = self._diagnoses.get(key)
        if found is None:
            if len(self._diagnoses) > 50_000:  # bounded: a long sweep must not grow memory
                self._diagnoses.clear()
            found = (evaluate(rule.when, env) is UNKNOWN, _refusal(rs, rule, env))
            self._diagnoses[key] = found
        return found


def _derived_index(rulesets: tuple[RuleSet, ...]) -> tuple[dict[str, set[str]], dict[str, Node]]:
    inputs: dict[str, set[str]] = {}
    definitions: dict[str, list] = {}
    for rs in rulesets:
        for d in rs.derived:
            inputs.setdefault(d.id, set()).update(names(d.value))
            if d.when is not None:
                inputs[d.id].update(names(d.when))
            definitions.setdefault(d.id, []).append(d)
    formulas = {
        k: v[0].value
        for k, v in definitions.items()
        if len(v) == 1 and not _calls_date_functions(v[0].value)
    }
    return inputs, formulas


def _calls_date_functions(node: Node) -> bool:
    """Date arithmetic reads badly in an amount's basis: show its result instead."""
    if isinstance(node, Call) and node.func not in ("min", "max", "round"):
        return True
    children = [getattr(node, a, None) for a in ("operand", "left", "right")]
    children += list(getattr(node, "items", ()) or ()) + list(getattr(node, "args", ()) or ())
    return any(_calls_date_functions(c) for c in children if c is not None)


def parse_placement(data: Mapping[str, Any]) -> Placement:
    """Validate raw input; the first error names its field path (candidate.geboortedatum)."""
    return validate_input(Placement, data, "(placement)")


# ------------------------------------------------------------------- offers


def _missing(
    rule_names: set[str], env: Mapping[str, Any], derived: dict[str, set[str]]
) -> set[str]:
    """The input facts that would have to be known, following derived facts to their inputs."""
    out: set[str] = set()
    stack = [n for n in rule_names if n not in env]
    seen: set[str] = set()
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        seen.add(n)
        if n in derived:
            stack.extend(m for m in derived[n] if m not in env)
        elif n in INPUT_FACTS or n.startswith("param."):
            out.add(n)
    return out


def _refusal(rs: RuleSet, rule: Rule, env: Mapping[str, Any]) -> Reason:
    failed = "; ".join(failed_conditions(rule.when, env)[:3])
    detail = f" [niet vervuld: {failed}]" if failed else ""
    return _reason(rs, rule, "Niet voldaan: ", detail)


def _reason(rs: RuleSet, rule: Rule, prefix: str = "", suffix: str = "") -> Reason:
    return Reason(
        rule=rule.qualified_id,
        ruleset=rs.key,
        explanation=prefix + rule.explanation + suffix,
        source=rule.source,
    )


def _offers(
    rs: RuleSet,
    fired: set[str],
    env: Mapping[str, Any],
    peil: date,
    compiled: _Compiled,
    woon_authority: str,
) -> list[Offer]:
    derived = compiled.inputs
    by_instrument: dict[str, list[Rule]] = {}
    for rule in rs.rules:
        by_instrument.setdefault(rule.instrument, []).append(rule)
    offers: list[Offer] = []
    for instrument, rules in by_instrument.items():
        hit = [r for r in rules if r.qualified_id in fired]
        excluded = [r for r in hit if r.then == "excluded"]
        eligible = [r for r in hit if r.then == "eligible"]
        assess = [r for r in hit if r.then == "needs_assessment"]
        provider = woon_authority if rs.carried_out_by == "woongemeente" else rs.authority
        base = {"instrument": instrument, "authority": provider, "ruleset": rs.key}
        base["provenance"] = rs.provenance
        if excluded:
            offers.append(
                Offer(
                    **base,
                    status="not_eligible",
                    excluded=True,
                    reasons=[_reason(rs, r) for r in excluded],
                )
            )
            continue
        if eligible or assess:
            rule = (eligible or assess)[0]  # first hit in file order decides
            params, missing = _params(rule, env, derived)
            amounts = []
            for spec in rule.amounts:
                amount = money.compute(spec, env, peil, compiled.formulas)
                if amount is None:
                    missing |= _missing(money.missing_names(spec, env), env, derived)
                else:
                    amounts.append(amount)
            offers.append(
                Offer(
                    **base,
                    status="eligible" if eligible else "needs_assessment",
                    params=params,
                    amounts=amounts,
                    reasons=[_reason(rs, rule)],
                    missing_facts=sorted(missing),
                )
            )
            continue
        unknown = [r for r in rules if r.then != "excluded" and compiled.diagnose(rs, r, env)[0]]
        if unknown:
            missing = set().union(*(_missing(names(r.when), env, derived) for r in unknown))
            offers.append(
                Offer(
                    **base,
                    status="needs_assessment",
                    reasons=[_reason(rs, r, "Nog niet te beoordelen: ") for r in unknown],
                    missing_facts=sorted(missing),
                )
            )
            continue
        refused = [r for r in rules if r.then == "eligible"] or [
            r for r in rules if r.then != "excluded"
        ]
        offers.append(
            Offer(
                **base,
                status="not_eligible",
                reasons=[compiled.diagnose(rs, r, env)[1] for r in refused],
            )
        )
    return offers


def _params(rule: Rule, env: Mapping[str, Any], derived: dict[str, set[str]]) -> tuple[dict, set]:
    """Literal parameters as written; computed ones evaluated (dates as ISO text)."""
    out: dict[str, Any] = {}
    missing: set[str] = set()
    for key, value in rule.params.items():
        if isinstance(value, str | int | float | bool):
            out[key] = value
            continue
        result = evaluate(value, env)
        if result is UNKNOWN:
            missing |= _missing(names(value), env, derived)
        elif isinstance(result, date):
            out[key] = result.isoformat()
        elif isinstance(result, Decimal):
            out[key] = int(result) if result == result.to_integral_value() else float(result)
        else:
            out[key] = result
    return out, missing


# -------------------------------------------------------------- arrangement


def authority_label(authority: str, rb: RuleBase) -> str:
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


def _offer_key(offer: Offer) -> tuple:
    return (offer.status, sorted(offer.params.items()), [(a.period, a.eur) for a in offer.amounts])


def _arrange(
    rb: RuleBase, scope: Scope, offers: list[Offer], env: Mapping[str, Any]
) -> Arrangement:
    woon_auth = f"gemeente:{scope.woon.code}"
    regie_value = env.get("regie")
    regie = "uwv" if regie_value == "uwv" else woon_auth if regie_value == "gemeente" else None
    label = lambda a: authority_label(a, rb)  # noqa: E731

    def role(o: Offer) -> str:
        return scope.roles.get(o.authority, "vest")

    conflicts: list[Conflict] = []
    entries: list[Entry] = []
    order = list(rb.catalogue.instruments)
    by_instrument: dict[str, list[Offer]] = {}
    for offer in offers:
        by_instrument.setdefault(offer.instrument, []).append(offer)

    for instrument in sorted(by_instrument, key=order.index):
        group = by_instrument[instrument]
        naam = rb.catalogue.instruments[instrument].naam
        local = [o for o in group if role(o) == "woon"]
        adopted = [o for o in group if role(o) == "regio_woon"]
        national = [o for o in group if role(o) == "national"]
        elsewhere = [o for o in group if role(o) in ("vest", "regio_vest")]
        set_aside: list[SetAside] = []

        # Principle 3: the gemeente's own rule prevails over the regional one it adopted.
        if local and adopted:
            for reg in adopted:
                if _offer_key(reg) != _offer_key(local[0]):
                    conflicts.append(
                        Conflict(
                            type="local_exception",
                            instrument=instrument,
                            authorities=[local[0].authority, reg.authority],
                            resolution=f"regel van {label(local[0].authority)} gaat voor",
                            explanation=(
                                f"{label(local[0].authority)} wijkt voor {naam} af van de "
                                f"regionale afspraak van {label(reg.authority)} (beleidsvrijheid)."
                            ),
                        )
                    )
                set_aside.append(
                    SetAside(
                        authority=reg.authority,
                        status=reg.status,
                        reason=f"{label(local[0].authority)} heeft een eigen regel die voorgaat",
                    )
                )
            adopted = []

        # Principles 1 and 2: the regie decides between UWV and the gemeente; national law binds.
        candidates = national + local + adopted

        def preference(o: Offer) -> tuple:
            return (
                _STATUS_ORDER[o.status],
                0 if o.authority == regie else 1,
                0 if role(o) == "national" else 1,
                o.authority,
                o.ruleset,
            )

        chosen = min(candidates, key=preference) if candidates else None
        for o in candidates:
            if o is chosen:
                continue
            if o.status == "eligible" and chosen is not None and chosen.status == "eligible":
                why = f"de regie ligt bij {label(chosen.authority)}"
            elif o.status == "not_eligible":
                why = "de plaatsing valt buiten de voorwaarden van deze instantie"
            else:
                why = f"{label(chosen.authority) if chosen else '—'} beslist"
            set_aside.append(SetAside(authority=o.authority, status=o.status, reason=why))
        for o in elsewhere:
            set_aside.append(
                SetAside(
                    authority=o.authority,
                    status=o.status,
                    reason=(
                        f"woonplaatsbeginsel: {label(woon_auth)}, waar de kandidaat woont, "
                        "is verantwoordelijk, niet de gemeente van de werkgever"
                    ),
                )
            )
        if chosen is None:
            chosen = min(elsewhere, key=preference)
            status, params, amounts, reasons, missing = "not_eligible", {}, [], [], []
            explanation = (
                f"{naam}: alleen {label(chosen.authority)} (gemeente van de werkgever) kent dit "
                f"instrument; voor een kandidaat uit {scope.woon.naam} is het niet beschikbaar."
            )
            provider = None
        else:
            status, params, amounts = chosen.status, chosen.params, chosen.amounts
            reasons, missing, provider = chosen.reasons, chosen.missing_facts, chosen.authority
            explanation = _entry_text(naam, chosen, label, rb)
        conflicts.extend(_pair_conflicts(instrument, naam, chosen, group, label))
        entries.append(
            Entry(
                instrument=instrument,
                name=naam,
                authority=provider,
                status=status,
                params=params,
                amounts=amounts,
                explanation=explanation,
                sources=_unique_sources(reasons),
                reasons=reasons,
                missing_facts=missing,
                set_aside=set_aside,
                provenance=chosen.provenance if provider else None,
            )
        )

    entries, relation_conflicts = _apply_relations(rb, entries, regie, label)
    conflicts.extend(relation_conflicts)
    if scope.woon.regio != scope.vest.regio:
        woon_r, vest_r = rb.geography.regio(scope.woon.regio), rb.geography.regio(scope.vest.regio)
        conflicts.append(
            Conflict(
                type="cross_region",
                instrument=None,
                authorities=[woon_auth, f"gemeente:{scope.vest.code}"],
                resolution=f"de regels van {scope.woon.naam} (woonplaatsbeginsel) en UWV gelden",
                explanation=(
                    f"Kandidaat woont in {scope.woon.naam} "
                    f"(regio {woon_r.naam if woon_r else '?'}), "
                    f"de werkgever is gevestigd in {scope.vest.naam} "
                    f"(regio {vest_r.naam if vest_r else '?'}): twee regio's, mogelijk andere "
                    "afspraken en contactpersonen."
                ),
            )
        )
    return Arrangement(
        peildatum=scope.peildatum,
        woongemeente=Party(code=scope.woon.code, naam=scope.woon.naam, regio=scope.woon.regio),
        vestigingsgemeente=Party(
            code=scope.vest.code, naam=scope.vest.naam, regio=scope.vest.regio
        ),
        regie=regie,
        instruments=entries,
        conflicts=sorted(conflicts, key=lambda c: (c.instrument or "", c.type, c.authorities)),
        rulesets=[_used(rs, rb) for rs in scope.rulesets],
        missing_facts=sorted({m for e in entries for m in e.missing_facts}),
        notices=_notices(rb, scope),
        authorities={a: authority_label(a, rb) for a in sorted(scope.roles)},
        illustrative=any(rs.provenance == "illustrative" for rs in scope.rulesets),
    )


_USED: dict[tuple[str, str, str], RulesetUsed] = {}  # (id, version, file)


def _used(rs: RuleSet, rb: RuleBase) -> RulesetUsed:
    """How a rule set version is reported; built once per version."""
    key = (rs.id, rs.version, rs.file)
    if key not in _USED:
        path = Path(rs.file).resolve()
        file = (
            str(path.relative_to(rb.root.parent))
            if path.is_relative_to(rb.root.parent)
            else rs.file
        )
        _USED[key] = RulesetUsed(
            id=rs.id,
            authority=rs.authority,
            version=rs.version,
            valid_from=rs.valid_from,
            valid_to=rs.valid_to,
            content_hash=rs.content_hash,
            provenance=rs.provenance,
            file=file,
        )
    return _USED[key]


def _entry_text(naam: str, offer: Offer, label: Any, rb: RuleBase) -> str:
    why = " ".join(r.explanation for r in offer.reasons)
    if offer.status == "eligible":
        return f"{naam}: komt in aanmerking via {label(offer.authority)}. {why}"
    if offer.status == "needs_assessment":
        missing = ", ".join(_fact_label(m) for m in offer.missing_facts)
        extra = f" Ontbrekende gegevens: {missing}." if missing else ""
        return f"{naam}: nog te beoordelen door {label(offer.authority)}.{extra} {why}".strip()
    return f"{naam}: komt niet in aanmerking bij {label(offer.authority)}. {why}"


def _fact_label(name: str) -> str:
    spec = INPUT_FACTS.get(name)
    return spec.label if spec else name


def _unique_sources(reasons: list[Reason]) -> list[Source]:
    seen: dict[tuple, Source] = {}
    for r in reasons:
        seen.setdefault((r.source.title, r.source.article, r.source.url), r.source)
    return list(seen.values())


def _pair_conflicts(
    instrument: str, naam: str, chosen: Offer, group: list[Offer], label: Any
) -> list[Conflict]:
    """Other authorities that decide differently about the same placement."""
    out: list[Conflict] = []
    for o in group:
        if o is chosen or o.authority == chosen.authority:
            continue
        if (
            chosen.status == "eligible"
            and o.status == "eligible"
            and (o.params != chosen.params or o.amounts != chosen.amounts)
        ):
            out.append(
                Conflict(
                    type="parameter_mismatch",
                    instrument=instrument,
                    authorities=[chosen.authority, o.authority],
                    resolution=f"parameters van {label(chosen.authority)} gelden",
                    explanation=(
                        f"{naam}: {label(chosen.authority)} {_params_text(chosen)}, "
                        f"{label(o.authority)} {_params_text(o)}."
                    ),
                )
            )
        elif {chosen.status, o.status} == {"eligible", "not_eligible"} and (
            o.excluded or chosen.excluded
        ):
            admits, excludes = (chosen, o) if chosen.status == "eligible" else (o, chosen)
            out.append(
                Conflict(
                    type="eligibility_mismatch",
                    instrument=instrument,
                    authorities=[admits.authority, excludes.authority],
                    resolution=f"besluit van {label(chosen.authority)} geldt",
                    explanation=(
                        f"{naam}: {label(admits.authority)} laat deze plaatsing toe, "
                        f"{label(excludes.authority)} sluit haar uit "
                        f"({excludes.reasons[0].explanation})."
                    ),
                )
            )
    return out


def _params_text(offer: Offer) -> str:
    parts = [f"{k} = {v}" for k, v in sorted(offer.params.items())]
    parts += [f"€ {a.eur:,.2f} ({a.period})" for a in offer.amounts]
    return ", ".join(parts) or "zonder parameters"


def _apply_relations(
    rb: RuleBase, entries: list[Entry], regie: str | None, label: Any
) -> tuple[list[Entry], list[Conflict]]:
    """Instruments that may not be combined: keep one, say which and why."""
    conflicts: list[Conflict] = []
    by_id = {e.instrument: e for e in entries}
    for rel in rb.catalogue.relations:
        eligible = [
            by_id[i] for i in rel.instruments if i in by_id and by_id[i].status == "eligible"
        ]
        if len(eligible) < 2:
            continue
        if rel.choose == "highest_amount":
            keep = max(eligible, key=lambda e: money.yearly_value(e.amounts))
            how = "het hoogste bedrag telt"
        else:
            keep = next((e for e in eligible if e.authority == regie), eligible[0])
            how = f"de regie ligt bij {label(keep.authority)}" if keep.authority == regie else ""
        for e in eligible:
            if e is keep:
                continue
            by_id[e.instrument] = e.model_copy(
                update={
                    "status": "not_eligible",
                    "amounts": [],
                    "explanation": (
                        f"{e.name}: niet te combineren met {keep.name}; {how}. {rel.explanation}"
                    ),
                    "sources": [*e.sources, rel.source],
                }
            )
        conflicts.append(
            Conflict(
                type=rel.conflict,
                instrument=keep.instrument,
                authorities=sorted({e.authority or "" for e in eligible}),
                resolution=f"{keep.name} ({label(keep.authority)}); {how}",
                explanation=f"{', '.join(e.name for e in eligible)}: {rel.explanation}",
            )
        )
    return [by_id[e.instrument] for e in entries], conflicts


def _notices(rb: RuleBase, scope: Scope) -> list[str]:
    out: list[str] = []
    for g in (scope.woon, scope.vest):
        if not any(rs.authority == f"gemeente:{g.code}" for rs in scope.rulesets):
            out.append(
                f"Voor gemeente {g.naam} ({g.code}) is geen gemeentelijke of regionale regelset "
                "beschikbaar; alleen de landelijke instrumenten zijn beoordeeld."
            )
        if g.code == scope.vest.code == scope.woon.code:
            break
    for rs in scope.rulesets:
        if rs.provenance == "illustrative":
            note = f" ({rs.provenance_note})" if rs.provenance_note else ""
            out.append(
                f"Let op: regelset {rs.id} versie {rs.version} van "
                f"{authority_label(rs.authority, rb)} "
                f"is illustratief, niet uit de brontekst gecodeerd{note}."
            )
    return out


# ------------------------------------------------------------- module entry

_default: Engine | None = None
_default_lock = threading.Lock()


def default_engine() -> Engine:
    global _default
    with _default_lock:
        if _default is None:
            _default = Engine(load_rulebase())
        return _default


def check(placement: Placement | Mapping[str, Any], engine: Engine | None = None) -> Arrangement:
    """The harmonised arrangement for one placement, on the shipped rules unless told otherwise."""
    return (engine or default_engine()).check(placement)
