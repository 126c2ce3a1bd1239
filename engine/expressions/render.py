"""Expressions rendered for people: amounts with their values, refused conditions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.expressions.ast import (
    UNKNOWN,
    Arith,
    BoolOp,
    Call,
    Compare,
    In,
    Lit,
    Name,
    Neg,
    Node,
    Not,
)
from engine.expressions.evaluate import evaluate
from engine.format import format_number

_SYMBOL = {"*": "×", "/": "/", "+": "+", "-": "−"}
_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2}


def render(
    node: Node,
    env: Mapping[str, Any],
    parent: int = 0,
    expand: Mapping[str, Node] | None = None,
) -> str:
    """The arithmetic of an amount with the values filled in, for the explanation.

    Names in `expand` (derived facts with one formula) are shown as their formula, so the
    explanation reaches the parameters and input facts.
    """
    match node:
        case Lit(value):
            return format_number(value)
        case Name(path) if expand and path in expand:
            inner = {k: v for k, v in expand.items() if k != path}
            return render(expand[path], env, parent, inner)
        case Name(path):
            v = env.get(path, UNKNOWN)
            return "?" if v is UNKNOWN else format_number(v)
        case Neg(operand):
            return "−" + render(operand, env, 3, expand)
        case Arith(op, left, right):
            prec = _PRECEDENCE[op]
            left_text = render(left, env, prec, expand)
            right_text = render(right, env, prec + 1, expand)
            text = f"{left_text} {_SYMBOL[op]} {right_text}"
            return f"({text})" if prec < parent else text
        case Call(func, args):
            return f"{func}({', '.join(render(a, env, 0, expand) for a in args)})"
    return "…"


_CMP_TEXT = {"==": "=", "!=": "≠", "<": "<", "<=": "≤", ">": ">", ">=": "≥"}


def failed_conditions(node: Node, env: Mapping[str, Any]) -> list[str]:
    """The comparisons that make a false condition false, with the actual values."""
    if evaluate(node, env) is not False:
        return []
    match node:
        case BoolOp("and", items):
            return [t for i in items for t in failed_conditions(i, env)]
        case BoolOp(_, items):
            return [t for i in items for t in failed_conditions(i, env)]
        case Not(operand):
            return [f"niet ({_leaf_text(operand, env)})"]
    return [_leaf_text(node, env)]


def _leaf_text(node: Node, env: Mapping[str, Any]) -> str:
    def value_of(n: Node) -> str:
        return render(n, env) if isinstance(n, Name) else ""

    match node:
        case Compare(op, Name(path) as left, right):
            return f"{path} {_CMP_TEXT[op]} {render(right, {})} (is {value_of(left)})"
        case In(Name(path) as left, items, negated):
            listed = ", ".join(render(i, {}) for i in items)
            return f"{path} {'niet ' if negated else ''}in [{listed}] (is {value_of(left)})"
        case Name(path):
            return f"{path} (is {value_of(node)})"
    return "voorwaarde niet vervuld"
