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
    names,
)
from engine.expressions.evaluate import evaluate

MAX_DISJUNCTS = 64
SHAPE_HINT = (
    "a condition compares one fact with a constant (or tests known(fact)); "
    "compute anything else as a derived fact"
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


def fold(node: Node, params: Mapping[str, Any]) -> Node:
    """Replace parameter-only subexpressions by their value; simplify constant and/or."""
    if not any(not is_param(n) for n in names(node)) and not isinstance(node, Lit):
        if isinstance(node, Call) and node.func == "known":
            return node
        return Lit(evaluate(node, params))
    match node:
        case BoolOp(op, items):
            folded = [fold(i, params) for i in items]
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
            return Compare(op, fold(left, params), fold(right, params))
        case In(left, items, negated):
            return In(fold(left, params), tuple(fold(i, params) for i in items), negated)
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


def fact_of(node: Node) -> str | None:
    """The one fact a subtree is about, or None if it reads several (or none)."""
    if isinstance(node, BoolOp):
        facts = {fact_of(i) for i in node.items}
        return facts.pop() if len(facts) == 1 and None not in facts else None
    if is_absence(node):
        return None  # a test of absence is a pattern of its own, never merged with others
    return leaf_fact(node)


def is_absence(node: Node) -> bool:
    return isinstance(node, Not) and isinstance(node.operand, Call)


def count_alternatives(node: Node) -> int:
    """How many alternatives _dnf would make, by arithmetic (a product for `and`, a sum for
    `or`) instead of by expanding them: 1.5 KB of nested and/or expands to 64^k lists."""
    if isinstance(node, BoolOp) and fact_of(node) is None:
        counts = [count_alternatives(i) for i in node.items]
        return sum(counts) if node.op == "or" else math.prod(counts)
    return 1


def too_many_alternatives(count: int) -> str:
    shown = f"{count:,}".replace(",", ".") if count <= 10**9 else "meer dan 1.000.000.000"
    return (
        f"de voorwaarde valt uiteen in {shown} alternatieven; de grens is {MAX_DISJUNCTS} "
        "per regel: splits de regel"
    )


def _dnf(node: Node, absent_ok: frozenset[str]) -> list[list[Node]]:
    """Disjunctive normal form, keeping subtrees about a single fact together."""
    if isinstance(node, BoolOp) and fact_of(node) is None:
        if node.op == "or":
            return [conj for item in node.items for conj in _dnf(item, absent_ok)]
        out: list[list[Node]] = [[]]
        for item in node.items:
            out = [left + right for left in out for right in _dnf(item, absent_ok)]
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
    count = count_alternatives(folded)  # before expanding: the count is cheap, the lists not
    if count > MAX_DISJUNCTS:
        raise ExpressionError(too_many_alternatives(count))
    disjuncts = _dnf(folded, absent_ok)
    out: list[Conjunction] = []
    for conj in disjuncts:
        tests: Conjunction = []
        for leaf in conj:
            fact = leaf_fact(leaf) if is_absence(leaf) else fact_of(leaf)
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
