"""One authority's conclusion per instrument, from the rules that fired in the network.

Per instrument of a rule set: an `excluded` rule that fired wins; else the first `eligible`
rule that fired (file order), else the first `needs_assessment`; else, if a rule could hold but
a fact it needs is unknown, needs_assessment with the missing input facts; else not eligible,
with the conditions that failed and their values.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, TypedDict

from engine import amounts as money
from engine.arrange import wording
from engine.compiler import Action
from engine.expressions import UNKNOWN, Call, Node, evaluate, names, walk
from engine.expressions.normal_form import is_param
from engine.expressions.render import leaf_text
from engine.facts import INPUT_FACTS
from engine.model import Offer, Provenance, Reason, Source
from engine.parameters import Parameters
from engine.rulesets.loader import Rule, RuleSet

_LABELS = wording.FACT_LABELS
_MAX_TEXTS = 65_536  # worded refusal tests kept per network; refilled when full


# refutations (their ids) -> those actions, the tests they found false, every fact they read
_Leaves = dict[
    tuple[int, ...],
    tuple[tuple[Action, ...], tuple[tuple[Node, tuple[str, ...]], ...], tuple[str, ...]],
]


def _same(a: object, b: object) -> bool:
    return a is b


class _Provider(TypedDict):
    """What every offer of one rule set shares: who provides it, from which rule set."""

    authority: str
    ruleset: str
    provenance: Provenance


@dataclass
class RuleIndex:
    """Static per compiled network: derived-fact inputs, formulas, rules per instrument."""

    inputs: dict[str, set[str]]  # derived fact -> the names it reads
    formulas: dict[str, Node]  # derived facts with one definition, shown as formulas in bases
    by_instrument: dict[str, list[_Instrument]]  # ruleset key -> its instruments' rules
    reasons: dict[str, Reason]  # rule -> the reason object when it decides
    figures: dict[str, list[Source]]  # rule -> sources of the parameters its amounts read
    # rule -> the names its condition reads
    reads: dict[str, frozenset[str]] = field(default_factory=dict)
    params_read: dict[str, set[str]] = field(default_factory=dict)  # rule -> its figures' params
    derived_params: dict[int, frozenset[str]] = field(default_factory=dict)  # id(derived) -> params
    # The Dutch text of what a refuted rule required (compiler: Action.required), per value of
    # the facts it reads: the same refusal reads the same in every check, so it is worded once.
    _texts: dict[tuple[int, tuple[Any, ...]], str] = field(default_factory=dict)
    # per rule set (shared with its other networks, as its actions are): refutations -> leaves
    leaves: dict[str, _Leaves] = field(default_factory=dict)
    _refusals: dict[tuple[str, tuple[int, ...], tuple[Any, ...]], tuple[Reason, list[str]]] = field(
        default_factory=dict
    )

    def refusal(
        self, rs: RuleSet, rule: Rule, refuted: list[Action], env: Mapping[str, Any]
    ) -> tuple[Reason, list[str]]:
        """Why a rule was refuted: the tests of the network's refutations, with their values
        (in network order, each once: the same answer whatever order the facts fired in).
        Kept per rule, refutations and the values their tests read: worded once."""
        ordered = sorted(refuted, key=lambda a: a.order) if len(refuted) > 1 else refuted
        leaves = self._leaves_of(rs, ordered)
        key = (
            rule.qualified_id,
            tuple(map(id, ordered)),
            tuple([env.get(n, UNKNOWN) for n in leaves[1]]),
        )
        found = self._refusals.get(key)
        if found is None:
            failed: list[str] = []
            for leaf, read in leaves[0]:
                text = self._text(leaf, read, env)
                if text not in failed:
                    failed.append(text)
            if len(self._refusals) >= _MAX_TEXTS:
                self._refusals.clear()
            reason = _reason(rs, rule, wording.refusal(rule.explanation, failed))
            found = self._refusals[key] = (reason, failed)
        return found[0], list(found[1])

    def _leaves_of(
        self, rs: RuleSet, refuted: list[Action]
    ) -> tuple[tuple[tuple[Node, tuple[str, ...]], ...], tuple[str, ...]]:
        """The tests these refutations found false, and every fact they read."""
        kept = self.leaves[rs.key]
        key = tuple(map(id, refuted))
        found = kept.get(key)
        # kept beyond this network: the actions are held with it, so their ids are theirs
        if found is None or not all(map(_same, found[0], refuted)):
            tests = [test for action in refuted for test in action.required]
            read = sorted({n for action in refuted for _, r in action.required for n in r})
            if len(kept) >= _MAX_TEXTS:
                kept.clear()
            found = kept[key] = (tuple(refuted), tuple(tests), tuple(read))
        return found[1], found[2]

    def _text(self, leaf: Node, read: tuple[str, ...], env: Mapping[str, Any]) -> str:
        """One test in Dutch with its values: kept per test and the values it reads."""
        key = (id(leaf), tuple([env.get(n, UNKNOWN) for n in read]))
        text = self._texts.get(key)
        if text is None:
            if len(self._texts) >= _MAX_TEXTS:
                self._texts.clear()
            text = self._texts[key] = wording.closed_for_new(leaf, env) or leaf_text(
                leaf, env, _LABELS, wording.VALUE_LABELS
            )
        return text


@dataclass(frozen=True)
class _Instrument:
    """One instrument's rules in a rule set (file order), sorted once for every check."""

    instrument: str
    rules: tuple[Rule, ...]
    possible: tuple[Rule, ...]  # those that can make it eligible or needing assessment
    refused: tuple[Rule, ...]  # whose refutations explain a refusal: the eligible ones, if any

    @classmethod
    def of(cls, instrument: str, rules: list[Rule]) -> _Instrument:
        possible = tuple(r for r in rules if r.then != "excluded")
        eligible = tuple(r for r in rules if r.then == "eligible")
        return cls(instrument, tuple(rules), possible, eligible or possible)


@dataclass(frozen=True)
class _RulesetNames:
    """What one rule set's expressions read, worked out once per rule set version."""

    derived: tuple[tuple[str, frozenset[str]], ...]  # derived fact -> names value/when read
    derived_params: dict[int, frozenset[str]]  # id(derived) -> parameters its value reads
    reads: dict[str, frozenset[str]]  # rule -> names its condition reads
    figure_names: dict[str, frozenset[str]]  # rule -> names its amounts and params read
    reasons: dict[str, Reason]
    by_instrument: list[_Instrument]
    leaves: _Leaves  # filled by the checks of every network with this rule set


IndexCache = dict[int, tuple[RuleSet, _RulesetNames]]


def _ruleset_names(rs: RuleSet) -> _RulesetNames:
    derived = tuple(
        (d.id, frozenset(names(d.value) | (names(d.when) if d.when is not None else set())))
        for d in rs.derived
    )
    derived_params = {
        id(d): frozenset(n.removeprefix("param.") for n in names(d.value) if is_param(n))
        for d in rs.derived
    }
    grouped: dict[str, list[Rule]] = {}
    figure_names: dict[str, frozenset[str]] = {}
    for rule in rs.rules:
        grouped.setdefault(rule.instrument, []).append(rule)
        read: set[str] = set()
        for spec in rule.amounts:
            read |= names(spec.eur)
        for value in rule.params.values():
            if not isinstance(value, str | int | float | bool):
                read |= names(value)
        figure_names[rule.qualified_id] = frozenset(read)
    return _RulesetNames(
        derived=derived,
        derived_params=derived_params,
        reads={rule.qualified_id: frozenset(names(rule.when)) for rule in rs.rules},
        figure_names=figure_names,
        reasons={r.qualified_id: _reason(rs, r, r.explanation) for r in rs.rules},
        by_instrument=[_Instrument.of(i, rules) for i, rules in grouped.items()],
        leaves={},
    )


def rule_index(
    rulesets: tuple[RuleSet, ...], parameters: Parameters, cache: IndexCache | None = None
) -> RuleIndex:
    """The static index of a network. `cache` (an engine's own) keeps what each rule set's
    expressions read for the next network with that rule set."""
    inputs: dict[str, set[str]] = {}
    definitions: dict[str, list] = {}
    by_instrument: dict[str, list[_Instrument]] = {}
    reasons: dict[str, Reason] = {}
    reads: dict[str, frozenset[str]] = {}
    derived_params: dict[int, frozenset[str]] = {}
    figure_names: dict[str, frozenset[str]] = {}
    leaves: dict[str, _Leaves] = {}
    for rs in rulesets:
        found = cache.get(id(rs)) if cache is not None else None
        if found is None or found[0] is not rs:
            found = (rs, _ruleset_names(rs))
            if cache is not None:
                cache[id(rs)] = found
        part = found[1]
        for fact, read in part.derived:
            inputs.setdefault(fact, set()).update(read)
        for d in rs.derived:
            definitions.setdefault(d.id, []).append(d)
        reasons.update(part.reasons)
        reads.update(part.reads)  # shared with every network of the rule set: read only
        derived_params.update(part.derived_params)
        figure_names.update(part.figure_names)
        by_instrument[rs.key] = part.by_instrument
        leaves[rs.key] = part.leaves
    params_read = {rule_id: _params_read(read, inputs) for rule_id, read in figure_names.items()}
    figures = {
        rule_id: [parameters.params[n].source for n in sorted(read) if n in parameters.params]
        for rule_id, read in params_read.items()
    }
    formulas = {
        k: v[0].value
        for k, v in definitions.items()
        if len(v) == 1 and not _calls_date_functions(v[0].value)
    }
    return RuleIndex(
        inputs,
        formulas,
        by_instrument,
        reasons,
        figures,
        reads,
        params_read,
        derived_params,
        leaves=leaves,
    )


def _params_read(names_read: frozenset[str], inputs: dict[str, set[str]]) -> set[str]:
    """The parameters (without `param.`) a rule's amounts and computed parameters read,
    through the derived facts they use: where its figures come from."""
    read = set(names_read)
    stack, seen = list(read), set()
    while stack:
        n = stack.pop()
        if n not in seen:
            seen.add(n)
            stack.extend(inputs.get(n, ()))
    return {n.removeprefix("param.") for n in seen if is_param(n)}


def _calls_date_functions(node: Node) -> bool:
    """Date arithmetic reads badly in an amount's basis: show its result instead."""
    return any(isinstance(n, Call) and n.func not in ("min", "max", "round") for n in walk(node))


def _reason(rs: RuleSet, rule: Rule, explanation: str) -> Reason:
    return Reason(
        rule=rule.qualified_id, ruleset=rs.key, explanation=explanation, source=rule.source
    )


def missing_inputs(
    rule_names: AbstractSet[str], env: Mapping[str, Any], derived: dict[str, set[str]]
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


def offers_of(
    rs: RuleSet,
    fired: set[str],
    refuted: Mapping[str, list[Action]],
    env: Mapping[str, Any],
    peil: date,
    index: RuleIndex,
    woon_authority: str,
    explain: bool = True,
) -> list[Offer]:
    derived = index.inputs
    provider = woon_authority if rs.carried_out_by == "woongemeente" else rs.authority
    base: _Provider = {"authority": provider, "ruleset": rs.key, "provenance": rs.provenance}
    offers: list[Offer] = []
    for group in index.by_instrument[rs.key]:
        instrument = group.instrument
        hit = [r for r in group.rules if r.qualified_id in fired]
        excluded = [r for r in hit if r.then == "excluded"] if hit else hit
        eligible = [r for r in hit if r.then == "eligible"] if hit else hit
        assess = [r for r in hit if r.then == "needs_assessment"] if hit else hit
        if excluded:
            offers.append(
                Offer(
                    instrument=instrument,
                    **base,
                    status="not_eligible",
                    excluded=True,
                    reasons=[index.reasons[r.qualified_id] for r in excluded],
                )
            )
            continue
        if eligible or assess:
            rule = (eligible or assess)[0]  # first hit in file order decides
            params, missing = _params(rule, env, derived)
            amounts = []
            for spec in rule.amounts:
                amount = money.compute(spec, env, peil, index.formulas, explain)
                if amount is None:
                    missing |= missing_inputs(money.missing_names(spec, env), env, derived)
                else:
                    amounts.append(amount)
            offers.append(
                Offer(
                    instrument=instrument,
                    **base,
                    status="eligible" if eligible else "needs_assessment",
                    params=params,
                    amounts=amounts,
                    reasons=[index.reasons[rule.qualified_id]],
                    figures=list(index.figures[rule.qualified_id]),
                    missing_facts=sorted(missing),
                )
            )
            continue
        # Neither held nor refuted in the network: a fact it needs is not known.
        unknown = [r for r in group.possible if r.qualified_id not in refuted]
        if unknown:
            missing = set().union(
                *(missing_inputs(index.reads[r.qualified_id], env, derived) for r in unknown)
            )
            offers.append(
                Offer(
                    instrument=instrument,
                    **base,
                    status="needs_assessment",
                    reasons=[_reason(rs, r, wording.unknown(r.explanation)) for r in unknown],
                    missing_facts=sorted(missing),
                )
            )
            continue
        if not explain:  # why it was refused is worded only for people
            offers.append(Offer(instrument=instrument, **base, status="not_eligible"))
            continue
        reasons: list[Reason] = []
        routes: list[list[str]] = []  # per refused rule: each rule alone would have sufficed
        for r in group.refused:
            reason, failed = index.refusal(rs, r, refuted[r.qualified_id], env)
            reasons.append(reason)
            if failed and failed not in routes:
                routes.append(failed)
        unmet = routes[0] if len(routes) == 1 else [" en ".join(f) for f in routes]
        offers.append(
            Offer(
                instrument=instrument,
                **base,
                status="not_eligible",
                reasons=reasons,
                unmet=unmet,
                unmet_alternatives=len(routes) > 1,
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
            missing |= missing_inputs(names(value), env, derived)
        elif isinstance(result, date):
            out[key] = result.isoformat()
        elif isinstance(result, Decimal):
            out[key] = int(result) if result == result.to_integral_value() else float(result)
        else:
            out[key] = result
    return out, missing
