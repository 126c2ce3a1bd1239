"""Evaluation with Kleene logic: a name absent from the environment is UNKNOWN."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from engine.errors import EvaluationFailure, ExpressionError
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


# add_months/add_days steps beyond this leave the calendar (year 1..9999) in any case; refusing
# them first spares building a million-digit integer from a huge Decimal.
_MAX_STEP = Decimal(4_000_000)


def evaluate(node: Node, env: Mapping[str, Any]) -> Any:
    """Evaluate with Kleene logic; a name absent from `env` is UNKNOWN.

    Values the expression cannot be evaluated on (a date past 9999, arithmetic on text, an
    overflow) raise EvaluationFailure, never a bare ValueError or OverflowError."""
    try:
        return _evaluate(node, env)
    except ExpressionError:
        raise
    except (
        ArithmeticError,
        ValueError,
        TypeError,
        AttributeError,
        LookupError,
        MemoryError,
    ) as exc:
        raise EvaluationFailure(f"cannot evaluate: {type(exc).__name__}: {exc}"[:300]) from None


def _number(value: Any) -> Any:
    """Arithmetic is on numbers only: 'x' * (true + true) must not build strings or lists."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int | float):
        raise EvaluationFailure(f"arithmetic on a value that is not a number: {value!r}"[:200])
    return value


def _evaluate(node: Node, env: Mapping[str, Any]) -> Any:
    match node:
        case Lit(value):
            return value
        case Name(path):
            return env.get(path, UNKNOWN)
        case ListExpr(items):
            return [_evaluate(i, env) for i in items]
        case Not(operand):
            v = _evaluate(operand, env)
            return UNKNOWN if v is UNKNOWN else not v
        case Neg(operand):
            v = _evaluate(operand, env)
            return UNKNOWN if v is UNKNOWN else -_number(v)
        case BoolOp("and", items):
            return _kleene_and([_as_bool(_evaluate(i, env)) for i in items])
        case BoolOp(_, items):
            return _kleene_or([_as_bool(_evaluate(i, env)) for i in items])
        case Arith(op, left, right):
            a, b = _evaluate(left, env), _evaluate(right, env)
            if a is UNKNOWN or b is UNKNOWN:
                return UNKNOWN
            return _arith(op, _number(a), _number(b))
        case Compare(op, left, right):
            a, b = _evaluate(left, env), _evaluate(right, env)
            if a is UNKNOWN or b is UNKNOWN:
                return UNKNOWN
            return _compare(op, a, b)
        case In(left, items, negated):
            return _member(_evaluate(left, env), items, negated, env)
        case Call("known", (Name(path),)):
            return path in env
        case Call(func, args):
            return _call(func, [_evaluate(a, env) for a in args])
    raise EvaluationFailure(f"cannot evaluate {node!r}"[:200])


def _arith(op: str, a: Any, b: Any) -> Any:
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if b == 0:
        raise EvaluationFailure("division by zero")
    return Decimal(a) / Decimal(b)


def _member(value: Any, items: tuple[Node, ...], negated: bool, env: Mapping[str, Any]) -> Any:
    if value is UNKNOWN:
        return UNKNOWN
    found = any(value == _evaluate(i, env) for i in items)
    return found != negated


def _call(func: str, values: list[Any]) -> Any:
    """A function of the language; UNKNOWN when an argument is."""
    if any(v is UNKNOWN for v in values):
        return UNKNOWN
    impl = FUNCTIONS[func][1]
    assert impl is not None
    if func in ("add_months", "add_days") and abs(_number(values[1])) > _MAX_STEP:
        raise EvaluationFailure(f"{func}: {values[1]} is beyond the calendar")
    return impl(*values)


def _as_bool(value: Any) -> Any:
    return value if value is UNKNOWN else bool(value)
