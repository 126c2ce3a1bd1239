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
from engine.expressions import (
    UNKNOWN,
    BoolOp,
    Call,
    Compare,
    In,
    Lit,
    Name,
    Node,
    Not,
    evaluate,
    names,
    negation_normal_form,
)
from engine.facts import to_network
from engine.rulesets.loader import DerivedFact, Rule, RuleSet

# durable_rules 2.0.28's limits per ruleset (its C source, src/rules/), measured in
# docs/performance.md. compile_network refuses a network beyond them with a clear error.
MAX_ACTIONS = 4096  # rete.c MAX_ACTIONS: one action per compiled rule; beyond: error code 106
# rules.h BETA_LIST_LENGTH: rules whose pattern ends in the same test (identical patterns, such
# as `regie == 'gemeente'` in every gemeente's rules). Beyond: error code 108, or a write past
# the list when the memory behind it happens to be zero.
MAX_RULES_PER_CONDITION = 256
# rules.h NEXT_BUCKET_LENGTH: distinct tests directly after one test (distinct fact names in a
# network; distinct first constraints on one fact). The 513th makes create_ruleset loop forever.
MAX_TESTS_AFTER_ONE_TEST = 512
ALWAYS = "peildatum"  # a fact every check asserts: the anchor of a rule without conditions
_FLIP = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_OPS = {"!=": "$neq", "<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte"}


@dataclass(frozen=True)
class Action:
    """What a durable rule stands for: an instrument rule or a derived fact."""

    ruleset: RuleSet
    rule: Rule | None = None
    derived: DerivedFact | None = None


@dataclass(frozen=True)
class Network:
    name: str
    definition: dict[str, Any]
    actions: dict[str, Action]
    rulesets: tuple[RuleSet, ...]
    fact_names: frozenset[str]  # facts some pattern reads; others need not enter the network


def is_param(name: str) -> bool:
    return name.startswith("param.")


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


def _fold(node: Node, params: Mapping[str, Any]) -> Node:
    """Replace parameter-only subexpressions by their value; simplify constant and/or."""
    if not any(not is_param(n) for n in names(node)) and not isinstance(node, Lit):
        if isinstance(node, Call) and node.func == "known":
            return node
        return Lit(evaluate(node, params))
    match node:
        case BoolOp(op, items):
            folded = [_fold(i, params) for i in items]
            unit, zero = (True, False) if op == "and" else (False, True)
            kept: list[Node] = []
            for item in folded:
                if isinstance(item, Lit):
                    value = item.value
                    # After NNF nothing negates a branch: UNKNOWN behaves as "does not fire".
                    if value is UNKNOWN:
                        value = False
                    if bool(value) == zero:
                        return Lit(zero)
                    continue  # the unit element
                kept.append(item)
            if not kept:
                return Lit(unit)
            return kept[0] if len(kept) == 1 else BoolOp(op, tuple(kept))
        case Compare(op, left, right):
            return Compare(op, _fold(left, params), _fold(right, params))
        case In(left, items, negated):
            return In(_fold(left, params), tuple(_fold(i, params) for i in items), negated)
    return node


def _constraint(leaf: Node) -> tuple[str, dict[str, Any] | None]:
    """A leaf of a condition in NNF → (fact name, constraint on its value, or None: exists)."""
    match leaf:
        case Name(path):
            return path, {"v": True}
        case Not(Name(path)):
            return path, {"v": False}
        case Call("known", (Name(path),)):
            return path, None
        case Compare(op, Name(path), Lit(value)) if not is_param(path):
            return path, _compare(op, value)
        case Compare(op, Lit(value), Name(path)) if not is_param(path):
            return path, _compare(_FLIP[op], value)
        case In(Name(path), items, negated) if all(isinstance(i, Lit) for i in items):
            values = [to_network(i.value) for i in items]  # type: ignore[union-attr]
            if negated:
                return path, {"$and": [{"$neq": {"v": v}} for v in values]} if values else None
            return path, {"$or": [{"v": v} for v in values]} if values else {"v": "\x00never"}
    raise ExpressionError(
        "a condition compares one fact with a constant (or tests known(fact)); "
        f"compute anything else as a derived fact: {leaf!r}"
    )


def _compare(op: str, value: Any) -> dict[str, Any]:
    if value is UNKNOWN:
        raise ExpressionError("comparison with an unknown constant")
    v = to_network(value)
    return {"v": v} if op == "==" else {_OPS[op]: {"v": v}}


MAX_DISJUNCTS = 64


def _fact_of(node: Node) -> str | None:
    """The one fact a subtree is about, or None if it reads several (or none)."""
    if isinstance(node, BoolOp):
        facts = {_fact_of(i) for i in node.items}
        return facts.pop() if len(facts) == 1 and None not in facts else None
    if isinstance(node, Not) and isinstance(node.operand, Call):
        return None
    try:
        return _constraint(node)[0]
    except ExpressionError:
        return None


def _single_fact_constraint(node: Node) -> dict[str, Any] | None:
    """A subtree about one fact as one constraint on that fact's value (None: it exists)."""
    if not isinstance(node, BoolOp):
        return _constraint(node)[1]
    parts = [_single_fact_constraint(i) for i in node.items]
    if node.op == "and":
        real = [p for p in parts if p is not None]
        return None if not real else real[0] if len(real) == 1 else {"$and": real}
    if any(p is None for p in parts):
        return None  # "known(x) or x < 3" is just "known(x)"
    return {"$or": parts}


def _dnf(node: Node) -> list[list[Node]]:
    """Disjunctive normal form, keeping subtrees about a single fact together."""
    if isinstance(node, BoolOp) and _fact_of(node) is None:
        if node.op == "or":
            return [conj for item in node.items for conj in _dnf(item)]
        out: list[list[Node]] = [[]]
        for item in node.items:
            out = [left + right for left in out for right in _dnf(item)]
            if len(out) > MAX_DISJUNCTS:
                break
        return out
    if isinstance(node, Not) and isinstance(node.operand, Call):
        # Negation as failure would depend on the order facts arrive in: a rule fired
        # before the fact came cannot be taken back. The network stays monotonic.
        raise ExpressionError(
            "'not known(...)' is not allowed: whether a fact is missing is only certain "
            "after the check; a rule that needs the fact gets status needs_assessment"
        )
    return [[node]]


def _conjunction(leaves: list[Node]) -> dict[str, Any]:
    """One durable `all` body: one pattern per fact, its constraints joined with $and."""
    by_fact: dict[str, list[dict[str, Any]]] = {}
    for leaf in leaves:
        fact = _fact_of(leaf)
        if fact is None:
            raise ExpressionError(
                "a condition compares one fact with a constant (or tests known(fact)); "
                f"compute anything else as a derived fact: {leaf!r}"
            )
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
    folded = _fold(negation_normal_form(condition), params)
    if isinstance(folded, Lit):
        if folded.value is True:
            return [{"all": [{"a0": {"$and": [{"t": "f"}, {"n": ALWAYS}]}}]}]
        return []
    disjuncts = _dnf(folded)
    if len(disjuncts) > MAX_DISJUNCTS:
        raise ExpressionError(
            f"condition expands to more than {MAX_DISJUNCTS} alternatives; split the rule"
        )
    return [_conjunction(conj) for conj in disjuncts]


def condition_problem(condition: Node, params: Mapping[str, Any]) -> str | None:
    """Why a condition cannot be compiled, or None. Used by the validator."""
    try:
        compile_condition(condition, params)
    except ExpressionError as exc:
        return str(exc)
    return None


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
    return definition, actions


def count_actions(rulesets: list[RuleSet], params: Mapping[str, Any]) -> int:
    """How many durable actions these rule sets need in one network (limit: MAX_ACTIONS)."""
    return len(_definitions(rulesets, params)[1])


def limit_counts(
    rulesets: list[RuleSet], params: Mapping[str, Any]
) -> tuple[int, dict[tuple[str, ...], int], dict[tuple[str, ...], set[str]]]:
    """What durable_rules' limits count, for these rule sets alone: actions, rules per condition
    (path of tests), distinct tests after each test. Actions and rules add up over rule sets,
    tests after a test unite: an upper bound for a network of several (engine/network_limits)."""
    definition = _definitions(rulesets, params)[0]
    ending, after, _ = _pattern_tree(definition)
    return len(definition), ending, after


def most_rules_per_condition(rulesets: list[RuleSet], params: Mapping[str, Any]) -> int:
    """The most rules of one network sharing a condition (limit: MAX_RULES_PER_CONDITION)."""
    ending = _pattern_tree(_definitions(rulesets, params)[0])[0]
    return max(ending.values(), default=0)


def compile_network(rulesets: list[RuleSet], params: Mapping[str, Any]) -> Network:
    """One durable ruleset for a scope: every derived fact and rule of `rulesets`."""
    ordered = sorted(rulesets, key=lambda rs: (rs.authority, rs.id, rs.version))
    definition, actions = _definitions(ordered, params)
    if len(actions) > MAX_ACTIONS:
        raise ExpressionError(
            f"the network for {', '.join(rs.key for rs in ordered)} has {len(actions)} rules; "
            f"durable_rules allows at most {MAX_ACTIONS} per ruleset: split the scope"
        )
    problem = network_limit_problem(definition)
    if problem:
        raise ExpressionError(
            f"het netwerk voor {', '.join(rs.key for rs in ordered)} past niet in durable_rules: "
            f"{problem}; splits de regels of de scope"
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


def _condition_text(tests: list[dict[str, Any]]) -> str:
    """A pattern's tests as the rule author wrote them: `regie == "gemeente"`."""
    fact = next((t["n"] for t in tests if set(t) == {"n"}), "?")
    rest = [t for t in tests if t not in ({"t": "f"}, {"n": fact})]
    shown = [
        f"{fact} == {json.dumps(t['v'], ensure_ascii=False)}" if set(t) == {"v"} else json.dumps(t)
        for t in rest
    ]
    return " and ".join(shown) or f"known({fact})"


_Path = tuple[str, ...]


def _pattern_tree(
    definition: Mapping[str, Any],
) -> tuple[dict[_Path, int], dict[_Path, set[str]], dict[_Path, list[dict[str, Any]]]]:
    """durable's alpha-node tree: patterns starting with the same tests share those nodes, and
    a pattern's rule hangs on the node of its last test. Returns, per path of tests, how many
    patterns end there; per node, the distinct tests after it; per path, its tests. The
    compiler writes equal tests identically, so their repr identifies them."""
    ending: dict[_Path, int] = {}
    after: dict[_Path, set[str]] = {}
    tests_of: dict[_Path, list[dict[str, Any]]] = {}
    for rule in definition.values():
        for pattern in rule.get("all", ()):
            for body in pattern.values():
                tests = body["$and"]
                path = tuple(map(repr, tests))
                if path not in ending:
                    ending[path] = 0
                    tests_of[path] = tests
                    for i in range(len(path)):
                        after.setdefault(path[:i], set()).add(path[i])
                ending[path] += 1
    return ending, after, tests_of


def network_limit_problem(definition: Mapping[str, Any]) -> str | None:
    """Why durable_rules could not build this ruleset definition, or None."""
    if len(definition) > MAX_ACTIONS:
        return f"{len(definition)} regels, durable_rules staat er hoogstens {MAX_ACTIONS} toe"
    ending, after, tests_of = _pattern_tree(definition)
    path, most = max(ending.items(), key=lambda kv: kv[1], default=((), 0))
    if most > MAX_RULES_PER_CONDITION:
        return (
            f"{most} regels delen de voorwaarde {_condition_text(tests_of[path])}, durable_rules "
            f"staat er hoogstens {MAX_RULES_PER_CONDITION} toe (BETA_LIST_LENGTH)"
        )
    prefix, following = max(after.items(), key=lambda kv: len(kv[1]), default=((), set()))
    if len(following) > MAX_TESTS_AFTER_ONE_TEST:
        some = next(tests for p, tests in tests_of.items() if p[: len(prefix)] == prefix)
        where = _condition_text(some[: len(prefix)]) if len(prefix) > 1 else "de feiten"
        return (
            f"{len(following)} verschillende tests na {where}, durable_rules staat er hoogstens "
            f"{MAX_TESTS_AFTER_ONE_TEST} toe (NEXT_BUCKET_LENGTH)"
        )
    return None
