"""Conditions in the shape a forward-chaining network can match: per alternative, one test per fact.

Negation is pushed down to the comparisons (Kleene logic keeps UNKNOWN unknown), parameters are
folded into constants, and the condition is spread into alternatives (disjunctive normal form),
each a conjunction of tests that read one fact each. Any backend (durable_rules, CLIPS) turns a
test into its own pattern; the validator uses the same shape to refuse what no network can match.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from engine.errors import ExpressionError
from engine.expressions.ast import (
    NEGATED,
    UNKNOWN,
    BoolOp,
    Call,
    Compare,
    In,
    Lit,
    Name,
    Node,
    Not,
    children,
)
from engine.expressions.evaluate import evaluate

MAX_DISJUNCTS = 64
# Tests in all alternatives together: each is a pattern of the network, and expanding costs
# alternatives x tests (the shipped rules need at most 6 alternatives and 16 tests).
MAX_TESTS = 1_000
SHAPE_HINT = (
    "een voorwaarde vergelijkt één feit met een vaste waarde (of test known(feit)); "
    "reken al het andere uit als afgeleid feit"
)


def is_param(name: str) -> bool:
    return name.startswith("param.")


def negation_normal_form(node: Node, negate: bool = False) -> Node:
    """Push `not` down to the comparisons. Under Kleene logic this keeps UNKNOWN unknown."""
    match node:
        case Not(operand):
            return negation_normal_form(operand, not negate)
        case BoolOp(op, items):
            new_op = {"and": "or", "or": "and"}[op] if negate else op
            return BoolOp(new_op, tuple(negation_normal_form(i, negate) for i in items))
        case Compare(op, left, right) if negate:
            return Compare(NEGATED[op], left, right)
        case In(left, items, negated) if negate:
            return In(left, items, not negated)
        case Lit(value) if negate and isinstance(value, bool):
            return Lit(not value)
        case _ if negate:
            return Not(node)
        case _:
            return node


def _reads_fact(node: Node, memo: dict[int, bool]) -> bool:
    """Whether the subtree reads a fact (not only parameters); each node is looked at once
    (asking names() at every node was quadratic: 20 s for 2 MB of rules)."""
    key = id(node)  # the tree is alive for the whole fold: ids are not reused
    if key not in memo:
        if isinstance(node, Name):
            memo[key] = not is_param(node.path)
        else:
            memo[key] = any([_reads_fact(c, memo) for c in children(node)])
    return memo[key]


def fold(node: Node, params: Mapping[str, Any], memo: dict[int, bool] | None = None) -> Node:
    """Replace parameter-only subexpressions by their value; simplify constant and/or."""
    memo = {} if memo is None else memo
    if not isinstance(node, Lit) and not _reads_fact(node, memo):
        if isinstance(node, Call) and node.func == "known":
            return node
        return Lit(evaluate(node, params))
    match node:
        case BoolOp(op, items):
            folded = [fold(i, params, memo) for i in items]
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
            return Compare(op, fold(left, params, memo), fold(right, params, memo))
        case In(left, items, negated):
            return In(
                fold(left, params, memo), tuple(fold(i, params, memo) for i in items), negated
            )
    return node


def leaf_fact(leaf: Node) -> str | None:
    """The fact a leaf tests (a fact against a constant, a bare ja/nee fact, known(fact))."""
    match leaf:
        case Name(path) | Not(Name(path)) | Call("known", (Name(path),)):
            return path
        case Not(Call("known", (Name(path),))):
            return path
        case Compare(_, Name(path), Lit()) | Compare(_, Lit(), Name(path)) if not is_param(path):
            return path
        case In(Name(path), items, _) if all(isinstance(i, Lit) for i in items):
            return path
    return None


Facts = dict[int, str | None]  # fact_of per node (by id) within one tree


def fact_of(node: Node, memo: Facts | None = None) -> str | None:
    """The one fact a subtree is about, or None if it reads several (or none); `memo` keeps
    the answer per node, so a walk that asks at every level stays linear."""
    memo = {} if memo is None else memo
    key = id(node)
    if key in memo:
        return memo[key]
    if isinstance(node, BoolOp):
        facts = {fact_of(i, memo) for i in node.items}
        found = facts.pop() if len(facts) == 1 and None not in facts else None
    elif is_absence(node):
        found = None  # a test of absence is a pattern of its own, never merged with others
    else:
        found = leaf_fact(node)
    memo[key] = found
    return found


def is_absence(node: Node) -> bool:
    return isinstance(node, Not) and isinstance(node.operand, Call)


def expanded_size(node: Node, memo: Facts | None = None) -> tuple[int, int]:
    """How many alternatives _dnf would make and how many tests they hold together, by
    arithmetic instead of by expanding them (1.5 KB of nested and/or expands to 64^k lists):
    `or` adds both; `and` multiplies the alternatives, and each item's tests appear once in
    every combination of the other items' alternatives."""
    memo = {} if memo is None else memo
    if not (isinstance(node, BoolOp) and fact_of(node, memo) is None):
        return 1, 1
    sizes = [expanded_size(i, memo) for i in node.items]
    if node.op == "or":
        return sum(c for c, _ in sizes), sum(t for _, t in sizes)
    count = math.prod(c for c, _ in sizes)
    return count, sum(t * (count // c) for c, t in sizes)


def _dutch(count: int) -> str:
    return f"{count:,}".replace(",", ".") if count <= 10**9 else "meer dan 1.000.000.000"


def too_big(count: int, tests: int) -> str | None:
    """Why the expanded condition is too large for a network, or None."""
    if count > MAX_DISJUNCTS:
        return (
            f"de voorwaarde valt uiteen in {_dutch(count)} alternatieven; de grens is "
            f"{MAX_DISJUNCTS} per regel: splits de regel"
        )
    if tests > MAX_TESTS:
        return (
            f"de voorwaarde valt uiteen in {count} alternatieven met samen {_dutch(tests)} "
            f"vergelijkingen; de grens is {_dutch(MAX_TESTS)} per regel: splits de regel"
        )
    return None


def _dnf(node: Node, absent_ok: frozenset[str], memo: Facts) -> list[list[Node]]:
    """Disjunctive normal form, keeping subtrees about a single fact together."""
    if isinstance(node, BoolOp) and fact_of(node, memo) is None:
        if node.op == "or":
            return [conj for item in node.items for conj in _dnf(item, absent_ok, memo)]
        out: list[list[Node]] = [[]]
        for item in node.items:
            out = [left + right for left in out for right in _dnf(item, absent_ok, memo)]
        return out
    if is_absence(node) and leaf_fact(node) not in absent_ok:
        # Negation as failure on a derived fact would depend on the order facts arrive in: a
        # rule fired before the fact came cannot be taken back. The network stays monotonic.
        # An input fact's absence is certain from the start: the placement is all the input.
        raise ExpressionError(
            "'not known(...)' is not allowed: whether a fact is missing is only certain "
            "after the check; a rule that needs the fact gets status needs_assessment"
        )
    return [[node]]


Conjunction = list[tuple[str, Node]]  # (fact, the subtree that tests it)


def alternatives(
    condition: Node, params: Mapping[str, Any], absent_ok: frozenset[str] = frozenset()
) -> list[Conjunction] | bool:
    """The condition as alternatives of per-fact tests; True/False when it is constant.

    Raises ExpressionError for what no network can match (two facts compared, too many
    alternatives, negation as failure on a fact not in `absent_ok`: the input facts, whose
    absence the network is told).
    """
    folded = fold(negation_normal_form(condition), params)
    if isinstance(folded, Lit):
        return folded.value is True
    memo: Facts = {}
    why = too_big(*expanded_size(folded, memo))  # before expanding: cheap, unlike the lists
    if why:
        raise ExpressionError(why)
    disjuncts = _dnf(folded, absent_ok, memo)
    out: list[Conjunction] = []
    for conj in disjuncts:
        tests: Conjunction = []
        for leaf in conj:
            fact = leaf_fact(leaf) if is_absence(leaf) else fact_of(leaf, memo)
            if fact is None:
                raise ExpressionError(f"{SHAPE_HINT}: {leaf!r}")
            tests.append((fact, leaf))
        out.append(tests)
    return out


def condition_problem(
    condition: Node, params: Mapping[str, Any], absent_ok: frozenset[str] = frozenset()
) -> str | None:
    """Why a condition cannot be matched by a network, or None. Used by the validator."""
    try:
        alternatives(condition, params, absent_ok)
    except ExpressionError as exc:
        return str(exc)
    return None
