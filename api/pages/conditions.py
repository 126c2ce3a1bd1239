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
from engine.facts import INPUT_FACTS

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
    spec = INPUT_FACTS.get(path)
    if spec is not None:
        return spec.label
    if path.startswith("param."):
        return "parameter " + path[6:].replace("_", " ")
    return path.replace("_", " ")


def _literal(value: object) -> str:
    if isinstance(value, str):
        return value
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
        case BoolOp(op, items):
            word = " en " if op == "and" else " of "
            text = word.join(dutch(i, True) for i in items)
            return f"({text})" if nested else text
        case Arith(op, left, right):
            return f"{dutch(left, True)} {_ARITH[op]} {dutch(right, True)}"
        case Compare(op, left, right):
            return f"{dutch(left, True)} {_CMP[op]} {dutch(right, True)}"
        case In(left, items, negated):
            listed = ", ".join(dutch(i, True) for i in items)
            return f"{dutch(left, True)} is {'geen' if negated else 'een'} van: {listed}"
        case Call(func, args):
            return f"{func.replace('_', ' ')}({', '.join(dutch(a) for a in args)})"
    return "…"
