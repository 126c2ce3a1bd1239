"""Rule sets → durable_rules ruleset definitions (JSON), never Python.

Every fact is one durable fact `{"t": "f", "n": <name>, "v": <value>}`. A rule's condition is
brought to negation normal form; comparisons of a fact with a constant become constraints on
that fact's pattern, `and` becomes a join of patterns (`all`), `or` becomes `any`. A fact that
is not known has no durable fact, so a comparison on it never matches: the network follows
Kleene logic, like `engine.expressions.evaluate`. Parameters are constants of the network:
they are folded in at compile time, so a network is compiled per rule-set versions and
parameter values (see `network_key`).

Derived facts are rules too: when their condition holds and the facts their value reads are
known, the one generic action evaluates the value and asserts the new fact, which chains.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.errors import ExpressionError
from engine.expressions import UNKNOWN, BoolOp, Call, Compare, In, Lit, Name, Node, Not, names
from engine.expressions.normal_form import SHAPE_HINT, Conjunction, alternatives, is_param
from engine.facts import to_network
from engine.rulesets.loader import DerivedFact, Rule, RuleSet

# durable_rules 2.0.28: MAX_ACTIONS in its C source (rules.h); one action per compiled rule.
MAX_ACTIONS = 4096
ALWAYS = "peildatum"  # a fact every check asserts: the anchor of a rule without conditions
_FLIP = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_OPS = {"!=": "$neq", "<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte"}


@dataclass(frozen=True)
class Action:
    """What a durable rule stands for: an instrument rule that holds, one that is refuted
    (its condition is false: `refuted_by` are the tests that made it so), or a derived fact."""

    ruleset: RuleSet
    rule: Rule | None = None
    derived: DerivedFact | None = None
    refuted_by: tuple[Node, ...] | None = None


@dataclass(frozen=True)
class Network:
    name: str
    definition: dict[str, Any]
    actions: dict[str, Action]
    rulesets: tuple[RuleSet, ...]
    fact_names: frozenset[str]  # facts some pattern reads; others need not enter the network


def network_key(rulesets: list[RuleSet], params: Mapping[str, Any]) -> str:
    """Identifies a compiled network: the rule-set versions (by content) and parameter values."""
    parts = sorted(f"{rs.id}@{rs.version}#{rs.content_hash}" for rs in rulesets)
    used = sorted((n, str(params.get(n))) for rs in rulesets for n in _condition_params(rs))
    blob = json.dumps([parts, used])
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _condition_params(rs: RuleSet) -> frozenset[str]:
    """Parameters the conditions of a rule set read (cached per rule-set version)."""
    key = (rs.id, rs.version, rs.content_hash)
    if key not in _CONDITION_PARAMS:
        _CONDITION_PARAMS[key] = frozenset(_scan_condition_params(rs))
    return _CONDITION_PARAMS[key]


_CONDITION_PARAMS: dict[tuple[str, str, str], frozenset[str]] = {}


def _scan_condition_params(rs: RuleSet) -> set[str]:
    out: set[str] = set()
    for r in rs.rules:
        out |= {n for n in names(r.when) if is_param(n)}
    for d in rs.derived:
        if d.when is not None:
            out |= {n for n in names(d.when) if is_param(n)}
    return out


# ----------------------------------------------------------------- conditions


def _constraint(leaf: Node) -> dict[str, Any] | None:
    """A leaf of a condition in NNF → the constraint on its fact's value (None: it exists)."""
    match leaf:
        case Name():
            return {"v": True}
        case Not(Name()):
            return {"v": False}
        case Call("known", (Name(),)):
            return None
        case Compare(op, Name(), Lit(value)):
            return _compare(op, value)
        case Compare(op, Lit(value), Name()):
            return _compare(_FLIP[op], value)
        case In(Name(), items, negated):
            values = [to_network(i.value) for i in items]  # type: ignore[union-attr]
            if negated:
                return {"$and": [{"$neq": {"v": v}} for v in values]} if values else None
            return {"$or": [{"v": v} for v in values]} if values else {"v": "\x00never"}
    raise ExpressionError(f"{SHAPE_HINT}: {leaf!r}")


def _compare(op: str, value: Any) -> dict[str, Any]:
    if value is UNKNOWN:
        raise ExpressionError("comparison with an unknown constant")
    v = to_network(value)
    return {"v": v} if op == "==" else {_OPS[op]: {"v": v}}


def _single_fact_constraint(node: Node) -> dict[str, Any] | None:
    """A subtree about one fact as one constraint on that fact's value (None: it exists)."""
    if not isinstance(node, BoolOp):
        return _constraint(node)
    parts = [_single_fact_constraint(i) for i in node.items]
    if node.op == "and":
        real = [p for p in parts if p is not None]
        return None if not real else real[0] if len(real) == 1 else {"$and": real}
    if any(p is None for p in parts):
        return None  # "known(x) or x < 3" is just "known(x)"
    return {"$or": parts}


def _conjunction(tests: Conjunction) -> dict[str, Any]:
    """One durable `all` body: one pattern per fact, its constraints joined with $and."""
    by_fact: dict[str, list[dict[str, Any]]] = {}
    for fact, leaf in tests:
        constraint = _single_fact_constraint(leaf)
        by_fact.setdefault(fact, [])
        if constraint is not None:
            by_fact[fact].append(constraint)
    patterns = []
    for i, (fact, constraints) in enumerate(sorted(by_fact.items())):
        terms: list[dict[str, Any]] = [{"t": "f"}, {"n": fact}, *constraints]
        patterns.append({f"a{i}": {"$and": terms}})
    return {"all": patterns}


def compile_condition(condition: Node, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The durable rule bodies for a condition, one per disjunct; [] when it can never hold.

    durable_rules' nested `$all` inside `any` fires on partial matches (2.0.28), so an `or`
    over several facts becomes several rules that share one action.
    """
    shape = alternatives(condition, params)
    if shape is True:
        return [{"all": [{"a0": {"$and": [{"t": "f"}, {"n": ALWAYS}]}}]}]
    if shape is False:
        return []
    return [_conjunction(tests) for tests in shape]


def _with_known(condition: Node | None, value: Node) -> Node:
    """A derived fact fires only when the facts its value reads are known."""
    needs = [Call("known", (Name(n),)) for n in sorted(names(value)) if not is_param(n)]
    parts = ([condition] if condition is not None else []) + needs
    if not parts:
        return Lit(True)
    return parts[0] if len(parts) == 1 else BoolOp("and", tuple(parts))


# ------------------------------------------------------------------- network


def _definitions(
    ordered: list[RuleSet], params: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Action]]:
    definition: dict[str, Any] = {}
    actions: dict[str, Action] = {}
    counter = itertools.count()
    for rs in ordered:
        for d in rs.derived:
            for body in compile_condition(_with_known(d.when, d.value), params):
                rule_name = f"d{next(counter)}"
                definition[rule_name] = {**body, "run": rule_name}
                actions[rule_name] = Action(rs, derived=d)
        for r in rs.rules:
            for body in compile_condition(r.when, params):
                rule_name = f"r{next(counter)}"
                definition[rule_name] = {**body, "run": rule_name}
                actions[rule_name] = Action(rs, rule=r)
            if r.then == "excluded":
                continue  # an exception that does not hold needs no explanation
            for tests, body in _refutations(r, params):
                rule_name = f"n{next(counter)}"
                definition[rule_name] = {**body, "run": rule_name}
                actions[rule_name] = Action(rs, rule=r, refuted_by=tests)
    return definition, actions


def _refutations(rule: Rule, params: Mapping[str, Any]) -> list[tuple[tuple[Node, ...], dict]]:
    """Rules that fire when a rule's condition is false (Kleene: its negation is true), each
    with the tests that refute it: the refusal is explained from the one evaluation."""
    shape = alternatives(Not(rule.when), params)
    if shape is False:
        return []
    if shape is True:
        return [((), {"all": [{"a0": {"$and": [{"t": "f"}, {"n": ALWAYS}]}}]})]
    return [(tuple(leaf for _, leaf in tests), _conjunction(tests)) for tests in shape]


def count_actions(rulesets: list[RuleSet], params: Mapping[str, Any]) -> int:
    """How many durable actions these rule sets need in one network (limit: MAX_ACTIONS)."""
    return len(_definitions(rulesets, params)[1])


def compile_network(rulesets: list[RuleSet], params: Mapping[str, Any]) -> Network:
    """One durable ruleset for a scope: every derived fact and rule of `rulesets`."""
    ordered = sorted(rulesets, key=lambda rs: (rs.authority, rs.id, rs.version))
    definition, actions = _definitions(ordered, params)
    if len(actions) > MAX_ACTIONS:
        raise ExpressionError(
            f"the network for {', '.join(rs.key for rs in ordered)} has {len(actions)} rules; "
            f"durable_rules allows at most {MAX_ACTIONS} per ruleset: split the scope"
        )
    name = f"arrangeur_{network_key(ordered, params)}"
    read = frozenset(_pattern_facts(definition))
    return Network(name, definition, actions, tuple(ordered), read)


def _pattern_facts(node: Any) -> set[str]:
    if isinstance(node, dict):
        out = {node["n"]} if isinstance(node.get("n"), str) and len(node) == 1 else set()
        for value in node.values():
            out |= _pattern_facts(value)
        return out
    if isinstance(node, list):
        return set().union(*(_pattern_facts(v) for v in node)) if node else set()
    return set()
