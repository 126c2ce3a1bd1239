"""A rule's condition in Dutch words, for people who read rules rather than expressions.

`regie == 'gemeente' and job.contract_maanden >= 6` becomes
"regie is gemeente en contractduur in maanden is minstens 6".
"""

from __future__ import annotations

from engine.expressions import (
    Arith,
    BoolOp,
    Call,
    Compare,
    In,
    ListExpr,
    Lit,
    Name,
    Neg,
    Node,
    Not,
    format_number,
)
from engine.labels import call_text, or_list, value_label
from engine.labels import fact_label as _fact_label

_CMP = {
    "==": "is",
    "!=": "is niet",
    "<": "is minder dan",
    "<=": "is hoogstens",
    ">": "is meer dan",
    ">=": "is minstens",
}
_ARITH = {"+": "+", "-": "−", "*": "×", "/": "/"}


def fact_label(path: str) -> str:
    """A fact as people say it (engine/labels.py: one table for every face)."""
    return _fact_label(path)


def _literal(value: object) -> str:
    if isinstance(value, str):
        return value_label(value)
    return format_number(value)


def dutch(node: Node, nested: bool = False) -> str:
    """The condition as a Dutch sentence fragment; nested and/or get parentheses."""
    match node:
        case Lit(value):
            return _literal(value)
        case Name(path):
            return fact_label(path)
        case ListExpr(items):
            return ", ".join(dutch(i, True) for i in items)
        case Not(operand):
            return f"niet {dutch(operand, True)}"
        case Neg(operand):
            return f"−{dutch(operand, True)}"
        case BoolOp("or", items) if len(items) > 1:
            parts = [dutch(i, True) for i in items]
            text = f"één van: {'; '.join(parts[:-1])} of {parts[-1]}"
            return f"({text})" if nested else text
        case BoolOp(op, items):
            word = " en " if op == "and" else " of "
            text = word.join(dutch(i, True) for i in items)
            return f"({text})" if nested else text
        case Compare(op, Name("regie"), Lit(value)) if op in ("==", "!="):
            who = value_label(str(value))
            return f"de regie ligt {'niet ' if op == '!=' else ''}bij {who}"
        case Compare(op, Name(path), Lit(value)) if isinstance(value, bool) and op in ("==", "!="):
            yes = value if op == "==" else not value
            return fact_label(path) if yes else f"niet {fact_label(path)}"
        case Arith(op, left, right):
            return f"{dutch(left, True)} {_ARITH[op]} {dutch(right, True)}"
        case Compare(op, left, right):
            return f"{dutch(left, True)} {_CMP[op]} {dutch(right, True)}"
        case In(left, items, negated):
            listed = or_list([dutch(i, True) for i in items])
            return f"{dutch(left, True)} is {'geen' if negated else 'één'} van: {listed}"
        case Call("known", (Name(path),)):
            return f"{fact_label(path)} is bekend"
        case Call(func, args):
            return call_text(func, [dutch(a, True) for a in args])
    return "…"
