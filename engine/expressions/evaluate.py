"""Evaluation with Kleene logic: a name absent from the environment is UNKNOWN."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from engine.errors import ExpressionError
from engine.expressions.ast import (
    UNKNOWN,
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
)
from engine.expressions.functions import FUNCTIONS


def _kleene_and(values: list[Any]) -> Any:
    if any(v is False for v in values):
        return False
    if any(v is UNKNOWN for v in values):
        return UNKNOWN
    return True


def _kleene_or(values: list[Any]) -> Any:
    if any(v is True for v in values):
        return True
    if any(v is UNKNOWN for v in values):
        return UNKNOWN
    return False


def _compare(op: str, a: Any, b: Any) -> bool:
    if op == "==":
        return a == b
    if op == "!=":
        return a != b
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    return a >= b


def evaluate(node: Node, env: Mapping[str, Any]) -> Any:
    """Evaluate with Kleene logic; a name absent from `env` is UNKNOWN."""
    match node:
        case Lit(value):
            return value
        case Name(path):
            return env.get(path, UNKNOWN)
        case ListExpr(items):
            return [evaluate(i, env) for i in items]
        case Not(operand):
            v = evaluate(operand, env)
            return UNKNOWN if v is UNKNOWN else not v
        case Neg(operand):
            v = evaluate(operand, env)
            return UNKNOWN if v is UNKNOWN else -v
        case BoolOp("and", items):
            return _kleene_and([_as_bool(evaluate(i, env)) for i in items])
        case BoolOp(_, items):
            return _kleene_or([_as_bool(evaluate(i, env)) for i in items])
        case Arith(op, left, right):
            a, b = evaluate(left, env), evaluate(right, env)
            if a is UNKNOWN or b is UNKNOWN:
                return UNKNOWN
            if op == "+":
                return a + b
            if op == "-":
                return a - b
            if op == "*":
                return a * b
            if b == 0:
                raise ExpressionError("division by zero")
            return Decimal(a) / Decimal(b)
        case Compare(op, left, right):
            a, b = evaluate(left, env), evaluate(right, env)
            if a is UNKNOWN or b is UNKNOWN:
                return UNKNOWN
            return _compare(op, a, b)
        case In(left, items, negated):
            a = evaluate(left, env)
            if a is UNKNOWN:
                return UNKNOWN
            found = any(a == evaluate(i, env) for i in items)
            return found != negated
        case Call("known", (Name(path),)):
            return path in env
        case Call(func, args):
            values = [evaluate(a, env) for a in args]
            if any(v is UNKNOWN for v in values):
                return UNKNOWN
            impl = FUNCTIONS[func][1]
            assert impl is not None
            return impl(*values)
    raise ExpressionError(f"cannot evaluate {node!r}")


def _as_bool(value: Any) -> Any:
    return value if value is UNKNOWN else bool(value)
