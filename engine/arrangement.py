"""check(placement) → Arrangement: the one entry point.

placement → scope (which authorities) → rule sets in force on the peildatum → compiled network
(cached) → one session → offers → precedence → one entry per instrument, with conflicts.
The steps after the network live in `engine.arrange`; this module holds the engine and its caches.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from engine.arrange import aanvraag, local_layer, wording
from engine.arrange.conflicts import apply_relations, cross_region
from engine.arrange.offers import IndexCache, RuleIndex, offers_of, rule_index
from engine.arrange.outcome import OutcomeCache, Tally
from engine.arrange.precedence import entry_for
from engine.arrange.scope import Scope, scope_of
from engine.compiler import PartsCache, compile_network, network_key
from engine.facts import placement_facts
from engine.geography import Werkgeversservicepunt
from engine.model import (
    Arrangement,
    Conflict,
    Derivation,
    Entry,
    Offer,
    Party,
    Placement,
    RulesetUsed,
    Source,
    validate_input,
)
from engine.network_cache import NetworkCache
from engine.parameters import stale_notices
from engine.rulesets.loader import RuleSet
from engine.rulesets.registry import RuleBase, load_rulebase
from engine.runtime import MEMO_SIZE, Backend, DurableBackend, Memo, Session, WarmStates

authority_label = wording.authority_label

__all__ = ["Engine", "Scope", "authority_label", "check", "default_engine", "parse_placement"]


@dataclass(frozen=True)
class _Compiled:
    backend: Backend
    index: RuleIndex
    # answers per outcome of this network (issue 26): evicted with it, so action ids stay valid
    amount_rules: frozenset[str] = frozenset()  # the rules with amounts: they read the month
    outcomes: OutcomeCache[tuple[Arrangement, frozenset[str]]] = field(default_factory=OutcomeCache)


@dataclass(frozen=True)
class _Plan:
    """What a check needs that depends only on its two gemeenten and peildatum."""

    scope: Scope
    params: dict[str, Any]  # parameters on the peildatum, as `param.<name>` facts
    network: str  # network_key of the scope's rule sets and parameters
    notices: tuple[str, ...]  # the scope's own notices (local layer, illustrative rule sets)
    # the parts of the answer that depend on the scope alone, worded once
    parties: tuple[Party, Party]  # woongemeente, vestigingsgemeente
    used: tuple[RulesetUsed, ...]  # the rule-set versions, as reported
    authorities: dict[str, str]
    illustrative: bool
    zonder_eigen_regels: tuple[str, ...]
    wsp: Werkgeversservicepunt | None


PERIOD = "(peildatum)"  # the peildatum's month in a check's env: not a fact name, never asserted
PLANS = 65_536  # plans kept per engine (gemeente pairs × peildata); refilled when full


class Engine:
    """One validated rule base and the networks compiled from it: compile once, check many."""

    def __init__(
        self,
        rulebase: RuleBase,
        backend: type[Backend] = DurableBackend,
        network_cache: int | None = None,  # networks kept (LRU); see engine/network_cache.py
        warm_states: int | None = None,  # networks keeping their session; see engine/runtime.py
        outcomes: bool | None = None,  # answers kept per outcome; engine/arrange/outcome.py
    ):
        self.rulebase = rulebase
        self._backend_class = backend
        self._compiled = NetworkCache[_Compiled](network_cache, lambda c: c.backend.close())
        self._used: dict[str, RulesetUsed] = {}  # per rule-set version, by content
        self._stale: dict[tuple[date, frozenset[str]], list[str]] = {}
        self._labels: dict[str | None, str] = {}
        self._plans: dict[tuple[str, str, date], _Plan] = {}
        self._derivations: _Derivations = {}
        self._memo: Memo = {}  # derived values by what they read, shared by the networks
        self._warm = WarmStates(warm_states)  # the networks that keep their durable session state
        self._parts: PartsCache = {}  # each rule set's compiled network rules, for the next
        self._indexed: IndexCache = {}  # what each rule set's expressions read
        self._aanvraag = aanvraag.AanvraagCache()  # how to apply, per scope and entry
        self._lock = threading.Lock()
        self.outcomes = outcomes if outcomes is not None else outcomes_from_environment()
        self._tally = Tally()  # whether keeping answers pays, over all networks

    def scope(self, placement: Placement) -> Scope:
        return scope_of(self.rulebase, placement)

    def compiled(self, rulesets: tuple[RuleSet, ...], params: Mapping[str, Any]) -> _Compiled:
        """The network for a scope and its static index: built once, reused per check."""
        return self._network(network_key(list(rulesets), params), rulesets, params)

    def _network(
        self, key: str, rulesets: tuple[RuleSet, ...], params: Mapping[str, Any]
    ) -> _Compiled:
        compiled = self._compiled.get(key)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(key)
                if compiled is None:
                    compiled = _Compiled(
                        self._backend_class(
                            compile_network(list(rulesets), params, self._parts),
                            self._memo,
                            self._warm,
                        ),
                        rule_index(rulesets, self.rulebase.parameters, self._indexed),
                        frozenset(r.qualified_id for rs in rulesets for r in rs.rules if r.amounts),
                        OutcomeCache(self._tally),
                    )
                    self._compiled[key] = compiled
        return compiled

    def _plan(self, placement: Placement) -> _Plan:
        """The scope, parameters and network of a placement, worked out once per gemeente pair
        and peildatum (a sweep or caseload repeats them thousands of times)."""
        key = (
            placement.candidate.woongemeente,
            placement.employer.vestigingsgemeente,
            placement.reference_date,
        )
        plan = self._plans.get(key)
        if plan is None:
            scope = self.scope(placement)  # an unknown or former gemeente raises: not kept
            params = self.rulebase.parameters.at(scope.peildatum)
            network = network_key(list(scope.rulesets), params)
            rb = self.rulebase
            plan = _Plan(
                scope,
                params,
                network,
                tuple(self._notices(scope)),
                (_party(scope.woon), _party(scope.vest)),
                tuple(self._ruleset_used(rs) for rs in scope.rulesets),
                {a: self.label(a) for a in sorted(scope.roles)},
                any(rs.provenance == "illustrative" for rs in scope.rulesets),
                tuple(local_layer.without_rules(rb, (scope.woon,), scope.rulesets)),
                _wsp(rb, scope),
            )
            if len(self._plans) >= PLANS:
                self._plans.clear()
            self._plans[key] = plan
        return plan

    def check(self, placement: Placement | Mapping[str, Any], explain: bool = True) -> Arrangement:
        """The arrangement for one placement. `explain=False` leaves out what only people read
        (refusal texts, explanations, sources, how to apply, the derivation): the same statuses,
        authorities, terms, amounts and conflicts, for analyses that compare only those."""
        if not isinstance(placement, Placement):
            placement = parse_placement(placement)
        plan = self._plan(placement)
        scope, params = plan.scope, plan.params
        facts = placement_facts(placement, scope.woon.code, scope.vest.code)
        compiled = self._network(plan.network, scope.rulesets, params)
        session = compiled.backend.run(facts, params)

        def build(env: Mapping[str, Any]) -> tuple[Arrangement, frozenset[str]]:
            return self._answer(plan, compiled, session, env, explain)

        if self.outcomes and explain:
            woon, vest = scope.woon, scope.vest
            outcome = (
                plan.network,  # the rule sets and parameters: the same on other peildata too
                (woon.code, woon.naam, woon.regio, vest.code, vest.naam, vest.regio),
                plan.notices,
                frozenset(session.fired),
                frozenset((r, frozenset(map(id, acts))) for r, acts in session.refuted.items()),
                frozenset((f, id(a)) for f, a in session.derived_by.items()),
            )
            session.env[PERIOD] = scope.peildatum.replace(day=1)  # read by amounts only
            (kept, used), _ = compiled.outcomes.answer(outcome, session.env, build)
            # the kept answer is shared: this check gets its own top level
            arrangement = kept.model_copy()
            arrangement.peildatum = scope.peildatum
            arrangement.notices = list(kept.notices)
        else:
            session.env[PERIOD] = scope.peildatum.replace(day=1)
            arrangement, used = build(session.env)
        arrangement.notices += self._stale_notices(scope.peildatum, used)
        if explain:
            arrangement.derivation = _derivation(session.derived_by, session.env, self._derivations)
        return arrangement

    def _answer(
        self,
        plan: _Plan,
        compiled: _Compiled,
        session: Session,
        env: Mapping[str, Any],
        explain: bool = True,
    ) -> tuple[Arrangement, frozenset[str]]:
        """Everything after the network but the derivation and what depends on the peildatum
        itself, with the parameters the answer used. Reads the check's values only through
        `env` (traced by the outcome cache: engine/arrange/outcome.py), the month of the
        peildatum as `PERIOD` and only where an amount is computed; everything else it reads
        depends on the network, the two gemeenten and the session's outcome."""
        scope, index = plan.scope, compiled.index
        fired = set(session.fired)
        # amounts name their month or year: read it (and so key on it) only if one is computed
        peil = env[PERIOD] if not compiled.amount_rules.isdisjoint(fired) else scope.peildatum
        woon = scope.woon_authority
        offers = [
            offer
            for rs in scope.rulesets
            for offer in offers_of(rs, fired, session.refuted, env, peil, index, woon, explain)
        ]
        offers = local_layer.defer_to_local_rules(offers, scope.rulesets, scope.roles)
        regie_rule = session.derived_by.get("regie")
        regie_source = regie_rule.derived.source if regie_rule and regie_rule.derived else None
        arrangement = self._arrange(plan, offers, env, regie_source, explain)
        if explain:
            # reads values through env
            aanvraag.attach(arrangement.instruments, scope, env, self._aanvraag)
        used = {n for a in session.derived_by.values() for n in index.derived_params[id(a.derived)]}
        used |= {n for rule_id in fired for n in index.params_read.get(rule_id, ())}
        return arrangement, frozenset(used)

    def _stale_notices(self, peildatum: date, used: frozenset[str]) -> list[str]:
        """The parameter warnings of a check: the same for the same date and parameters."""
        key = (peildatum, used)
        found = self._stale.get(key)
        if found is None:
            if len(self._stale) >= 4096:
                self._stale.clear()
            found = self._stale[key] = stale_notices(self.rulebase.parameters, peildatum, used)
        return list(found)

    def label(self, authority: str | None) -> str:
        """An authority as users read it ("gemeente Delft"), worded once per engine."""
        found = self._labels.get(authority)
        if found is None:
            found = self._labels[authority] = wording.authority_label(authority, self.rulebase)
        return found

    def _arrange(
        self,
        plan: _Plan,
        offers: list[Offer],
        env: Mapping[str, Any],
        regie_source: Source | None,
        explain: bool = True,
    ) -> Arrangement:
        rb, scope = self.rulebase, plan.scope
        regie_value = env.get("regie")
        regie = {"uwv": "uwv", "gemeente": scope.woon_authority}.get(regie_value)  # type: ignore[arg-type]

        label = self.label
        by_instrument: dict[str, list[Offer]] = {}
        for offer in offers:
            by_instrument.setdefault(offer.instrument, []).append(offer)
        order = rb.catalogue.order
        entries: list[Entry] = []
        conflicts: list[Conflict] = []
        for instrument in sorted(by_instrument, key=order.__getitem__):
            naam = rb.catalogue.instruments[instrument].naam
            entry, found = entry_for(
                instrument, naam, by_instrument[instrument], scope, regie, label, explain
            )
            entries.append(entry)
            conflicts += found
        entries, relation_conflicts = apply_relations(rb.catalogue, entries, regie, label, explain)
        conflicts += relation_conflicts + cross_region(rb.geography, scope, regie_source)
        return Arrangement(
            peildatum=scope.peildatum,
            woongemeente=plan.parties[0],
            vestigingsgemeente=plan.parties[1],
            regie=regie,
            instruments=entries,
            conflicts=sorted(conflicts, key=lambda c: (c.instrument or "", c.type, c.authorities)),
            rulesets=list(plan.used),
            missing_facts=sorted({m for e in entries for m in e.missing_facts}),
            notices=list(plan.notices),
            authorities=dict(plan.authorities),
            illustrative=plan.illustrative,
            zonder_eigen_regels=list(plan.zonder_eigen_regels),
            werkgeversservicepunt=plan.wsp,
        )

    def _ruleset_used(self, rs: RuleSet) -> RulesetUsed:
        """How a rule set version is reported; built once per version and content."""
        key = f"{rs.id}@{rs.version}#{rs.content_hash}:{rs.file}"
        used = self._used.get(key)
        if used is None:
            root = self.rulebase.root.parent
            path = Path(rs.file).resolve()
            file = str(path.relative_to(root)) if path.is_relative_to(root) else rs.file
            used = self._used[key] = RulesetUsed(
                id=rs.id,
                authority=rs.authority,
                version=rs.version,
                valid_from=rs.valid_from,
                valid_to=rs.valid_to,
                content_hash=rs.content_hash,
                provenance=rs.provenance,
                file=file,
                publication=rs.publication,
            )
        return used

    def _notices(self, scope: Scope) -> list[str]:
        rb = self.rulebase
        out = local_layer.notices(rb, (scope.woon, scope.vest), scope.rulesets)
        for rs in scope.rulesets:
            if rs.provenance == "illustrative":
                out.append(wording.illustrative(rs, wording.authority_label(rs.authority, rb)))
        return out


def _wsp(rb: RuleBase, scope: Scope) -> Werkgeversservicepunt | None:
    regio = rb.geography.regio(scope.woon.regio)
    return regio.werkgeversservicepunt if regio else None


def outcomes_from_environment() -> bool:
    """ARRANGEUR_OUTCOME_CACHE=1 keeps answers per outcome. Off by default: it pays on
    repeated placements (x1.6) but a first pass with few repeats measured slower (issue 26,
    docs/performance.md), so it is opt-in until that is understood."""
    return os.environ.get("ARRANGEUR_OUTCOME_CACHE", "0").strip() in ("1", "true", "yes")


def _party(g: Any) -> Party:
    return Party(code=g.code, naam=g.naam, regio=g.regio)


# (id(derived fact), value) -> the fact and its Derivation: the same line in every check that
# derives that value (the fact is kept with it, so its id is not reused)
_Derivations = dict[tuple[int, type, Any], tuple[Any, Derivation]]


def _derivation(
    derived_by: Mapping[str, Any], env: Mapping[str, Any], memo: _Derivations
) -> list[Derivation]:
    out = []
    for fact, action in sorted(derived_by.items()):
        d = action.derived
        value = env[fact]
        shown = value.isoformat() if isinstance(value, date) else value
        if isinstance(shown, Decimal):
            shown = float(round(shown, 2))
        key = (id(d), type(shown), shown)
        found = memo.get(key)
        if found is None or found[0] is not d:
            if len(memo) >= MEMO_SIZE:
                memo.clear()
            found = memo[key] = (
                d,
                Derivation(
                    fact=fact,
                    value=shown,
                    explanation=d.explanation,
                    rule=f"{action.ruleset.key}/{d.id}",
                    source=d.source,
                ),
            )
        out.append(found[1])
    return out


def parse_placement(data: Mapping[str, Any]) -> Placement:
    """Validate raw input; the first error names its field path (candidate.geboortedatum)."""
    return validate_input(Placement, data, "(placement)")


# ------------------------------------------------------------- module entry

_default: Engine | None = None
_default_lock = threading.Lock()


def default_engine() -> Engine:
    global _default
    with _default_lock:
        if _default is None:
            _default = Engine(load_rulebase())
        return _default


def check(
    placement: Placement | Mapping[str, Any], engine: Engine | None = None, explain: bool = True
) -> Arrangement:
    """The harmonised arrangement for one placement, on the shipped rules unless told otherwise
    (`explain=False`: without the texts people read; see Engine.check)."""
    return (engine or default_engine()).check(placement, explain)
