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
from engine.expressions.normal_form import negation_normal_form
from engine.format import format_number

_SYMBOL = {"*": "×", "/": "/", "+": "+", "-": "−"}
_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2}


def render(
    node: Node,
    env: Mapping[str, Any],
    parent: int = 0,
    expand: Mapping[str, Node] | None = None,
    _open: frozenset[str] = frozenset(),
) -> str:
    """The arithmetic of an amount with the values filled in, for the explanation.

    Names in `expand` (derived facts with one formula) are shown as their formula, so the
    explanation reaches the parameters and input facts; a formula is not expanded inside
    itself (`_open`: the formulas being expanded).
    """
    match node:
        case Lit(value):
            return format_number(value)
        case Name(path) if expand and path in expand and path not in _open:
            return render(expand[path], env, parent, expand, _open | {path})
        case Name(path):
            v = env.get(path, UNKNOWN)
            return "onbekend" if v is UNKNOWN else format_number(v)
        case Neg(operand):
            return "−" + render(operand, env, 3, expand, _open)
        case Arith(op, left, right):
            prec = _PRECEDENCE[op]
            left_text = render(left, env, prec, expand, _open)
            right_text = render(right, env, prec + 1, expand, _open)
            text = f"{left_text} {_SYMBOL[op]} {right_text}"
            return f"({text})" if prec < parent else text
        case Call(func, args):
            return f"{func}({', '.join(render(a, env, 0, expand, _open) for a in args)})"
    return "…"


_CMP_TEXT = {"==": "=", "!=": "≠", "<": "<", "<=": "≤", ">": ">", ">=": "≥"}


def failed_conditions(
    node: Node, env: Mapping[str, Any], labels: Mapping[str, str] | None = None
) -> list[str]:
    """The tests that make a false condition false, in words, with the actual values.

    `labels` names facts as people say them ("contractduur in maanden"); others are shown
    with their underscores as spaces.
    """
    if evaluate(node, env) is not False:
        return []
    node = negation_normal_form(node)
    match node:
        case BoolOp(_, items):
            out: list[str] = []
            for item in items:
                if evaluate(item, env) is not False:
                    continue
                for text in _failed(item, env, labels):
                    if text not in out:
                        out.append(text)
            return out
    return [leaf_text(node, env, labels or {})]


def _failed(node: Node, env: Mapping[str, Any], labels: Mapping[str, str] | None) -> list[str]:
    if isinstance(node, BoolOp):
        return failed_conditions(node, env, labels)
    return [leaf_text(node, env, labels or {})]


def _label(path: str, labels: Mapping[str, str]) -> str:
    return labels.get(path) or path.rsplit(".", 1)[-1].replace("_", " ")


def leaf_text(
    node: Node,
    env: Mapping[str, Any],
    labels: Mapping[str, str],
    values: Mapping[str, Mapping[str, str]] | None = None,
) -> str:
    """One test in words with the value found. `values` names the values of enumerations as
    people say them (uitkering `wia_wga` → "WIA – WGA")."""
    words = values or {}

    def shown(path: str, v: Any) -> str:
        if isinstance(v, str) and v in words.get(path, {}):
            return words[path][v]
        return format_number(v)

    def value_of(path: str) -> str:
        v = env.get(path, UNKNOWN)
        return "onbekend" if v is UNKNOWN else shown(path, v)

    def side(path: str, other: Node) -> str:
        return shown(path, other.value) if isinstance(other, Lit) else render(other, env)

    match node:
        case Compare(op, Name(path), right):
            return (
                f"{_label(path, labels)} {_CMP_TEXT[op]} {side(path, right)} (is {value_of(path)})"
            )
        case Compare(op, left, Name(path)):
            flipped = {"<": ">", "<=": "≥", ">": "<", ">=": "≤"}.get(op, _CMP_TEXT[op])
            return f"{_label(path, labels)} {flipped} {side(path, left)} (is {value_of(path)})"
        case In(Name(path), items, negated):
            listed = ", ".join(side(path, i) for i in items)
            which = "geen van" if negated else "een van"
            return f"{_label(path, labels)} is {which}: {listed} (is {value_of(path)})"
        case Name(path):
            return f"{_label(path, labels)}: {value_of(path)} (vereist: ja)"
        case Not(Name(path)):
            return f"{_label(path, labels)}: {value_of(path)} (vereist: nee)"
        case Call("known", (Name(path),)):
            return f"{_label(path, labels)}: niet opgegeven"
    return "voorwaarde niet vervuld"
