"""The rule expression language: parsed by us, never by `eval`.

Grammar (Python-like, deliberately small)::

    expr  := or
    or    := and ("or" and)*
    and   := not ("and" not)*
    not   := "not" not | cmp
    cmp   := sum (("=="|"!="|"<"|"<="|">"|">=") sum | "not"? "in" list)?
    sum   := term (("+"|"-") term)*
    term  := unary (("*"|"/") unary)*
    unary := "-" unary | atom
    atom  := NUMBER | STRING | true | false | NAME("." NAME)* | NAME "(" args ")"
           | "(" expr ")" | list
    list  := "[" (expr ("," expr)*)? "]"

Names are facts (`candidate.uitkering`, `job.startdatum`, derived facts such as
`leeftijd_op_startdatum`) or parameters (`param.minimumloon_per_uur`). Evaluation uses Kleene
logic: a comparison on a fact that is not known is UNKNOWN, and an UNKNOWN condition never
fires -- the same semantics the Rete network has, where a missing fact matches no pattern.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from engine.errors import ExpressionError


class _Unknown:
    """A fact that is not known. Falsy, but distinct from False."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


UNKNOWN: Any = _Unknown()

COMPARISONS = ("==", "!=", "<", "<=", ">", ">=")
NEGATED = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}


# --------------------------------------------------------------------------- AST


@dataclass(frozen=True)
class Lit:
    value: Any


@dataclass(frozen=True)
class Name:
    path: str


@dataclass(frozen=True)
class ListExpr:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class Neg:
    operand: Node


@dataclass(frozen=True)
class BoolOp:
    op: str  # "and" | "or"
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Arith:
    op: str  # + - * /
    left: Node
    right: Node


@dataclass(frozen=True)
class Compare:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class In:
    left: Node
    items: tuple[Node, ...]
    negated: bool = False


@dataclass(frozen=True)
class Call:
    func: str
    args: tuple[Node, ...]


Node = Lit | Name | ListExpr | Not | Neg | BoolOp | Arith | Compare | In | Call


# ------------------------------------------------------------------------ parser

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<number>\d+(?:\.\d+)?)
      | (?P<string>'[^']*'|"[^"]*")
      | (?P<op>==|!=|<=|>=|<|>|\+|-|\*|/|\(|\)|\[|\]|,)
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
    )""",
    re.VERBOSE,
)
_KEYWORDS = {"and", "or", "not", "in", "true", "false"}


def _tokenize(text: str) -> list[tuple[str, str, int]]:
    tokens: list[tuple[str, str, int]] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            start = pos + (len(text[pos:]) - len(text[pos:].lstrip()))
            raise ExpressionError(f"unexpected character {text[start]!r}", text, start)
        kind = m.lastgroup or ""
        value = m.group(kind)
        start = m.start(kind)
        if kind == "name" and value in _KEYWORDS:
            kind = "kw"
        tokens.append((kind, value, start))
        pos = m.end()
    tokens.append(("end", "", len(text)))
    return tokens


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = _tokenize(text)
        self.i = 0

    def peek(self) -> tuple[str, str, int]:
        return self.tokens[self.i]

    def take(self) -> tuple[str, str, int]:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def accept(self, value: str) -> bool:
        kind, val, _ = self.peek()
        if kind in ("op", "kw") and val == value:
            self.i += 1
            return True
        return False

    def expect(self, value: str) -> None:
        if not self.accept(value):
            kind, val, pos = self.peek()
            found = "end of expression" if kind == "end" else repr(val)
            raise ExpressionError(f"expected {value!r}, found {found}", self.text, pos)

    def parse(self) -> Node:
        node = self.or_()
        kind, val, pos = self.peek()
        if kind != "end":
            raise ExpressionError(f"unexpected {val!r}", self.text, pos)
        return node

    def or_(self) -> Node:
        items = [self.and_()]
        while self.accept("or"):
            items.append(self.and_())
        return items[0] if len(items) == 1 else BoolOp("or", tuple(items))

    def and_(self) -> Node:
        items = [self.not_()]
        while self.accept("and"):
            items.append(self.not_())
        return items[0] if len(items) == 1 else BoolOp("and", tuple(items))

    def not_(self) -> Node:
        if self.accept("not"):
            return Not(self.not_())
        return self.cmp()

    def cmp(self) -> Node:
        left = self.sum()
        kind, val, _ = self.peek()
        if kind == "op" and val in COMPARISONS:
            self.take()
            return Compare(val, left, self.sum())
        if self.accept("in"):
            return In(left, self.list_items())
        if kind == "kw" and val == "not" and self.tokens[self.i + 1][1] == "in":
            self.i += 2
            return In(left, self.list_items(), negated=True)
        return left

    def list_items(self) -> tuple[Node, ...]:
        self.expect("[")
        items: list[Node] = []
        if not self.accept("]"):
            items.append(self.or_())
            while self.accept(","):
                items.append(self.or_())
            self.expect("]")
        return tuple(items)

    def sum(self) -> Node:
        node = self.term()
        while True:
            kind, val, _ = self.peek()
            if kind == "op" and val in "+-":
                self.take()
                node = Arith(val, node, self.term())
            else:
                return node

    def term(self) -> Node:
        node = self.unary()
        while True:
            kind, val, _ = self.peek()
            if kind == "op" and val in "*/":
                self.take()
                node = Arith(val, node, self.unary())
            else:
                return node

    def unary(self) -> Node:
        if self.accept("-"):
            operand = self.unary()
            if isinstance(operand, Lit) and isinstance(operand.value, Decimal):
                return Lit(-operand.value)
            return Neg(operand)
        return self.atom()

    def atom(self) -> Node:
        kind, val, pos = self.take()
        if kind == "number":
            return Lit(Decimal(val))
        if kind == "string":
            return Lit(val[1:-1])
        if kind == "kw" and val in ("true", "false"):
            return Lit(val == "true")
        if kind == "name":
            if self.accept("("):
                if val not in FUNCTIONS:
                    known = ", ".join(sorted(FUNCTIONS))
                    raise ExpressionError(
                        f"unknown function {val!r} (known: {known})", self.text, pos
                    )
                args: list[Node] = []
                if not self.accept(")"):
                    args.append(self.or_())
                    while self.accept(","):
                        args.append(self.or_())
                    self.expect(")")
                return _make_call(val, tuple(args), self.text, pos)
            return Name(val)
        if kind == "op" and val == "(":
            node = self.or_()
            self.expect(")")
            return node
        if kind == "op" and val == "[":
            self.i -= 1
            return ListExpr(self.list_items())
        found = "end of expression" if kind == "end" else repr(val)
        raise ExpressionError(f"unexpected {found}", self.text, pos)


def _make_call(func: str, args: tuple[Node, ...], text: str, pos: int) -> Node:
    arity = FUNCTIONS[func][0]
    if len(args) not in arity:
        raise ExpressionError(f"{func}() takes {'/'.join(map(str, arity))} arguments", text, pos)
    if func == "known" and not isinstance(args[0], Name):
        raise ExpressionError("known() takes a fact name", text, pos)
    if func == "date":
        if not (isinstance(args[0], Lit) and isinstance(args[0].value, str)):
            raise ExpressionError("date() takes a literal 'YYYY-MM-DD'", text, pos)
        try:
            return Lit(date.fromisoformat(args[0].value))
        except ValueError:
            raise ExpressionError(f"invalid date {args[0].value!r}", text, pos) from None
    return Call(func, args)


@lru_cache(maxsize=4096)
def parse(text: str) -> Node:
    """Parse an expression; raises ExpressionError with the column of the problem."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("empty expression", str(text))
    return _Parser(text).parse()


def from_structure(value: Any) -> Node:
    """A condition written as YAML structure ({all: [...]}, {any: [...]}, {not: ...}) or text."""
    if isinstance(value, bool):
        return Lit(value)
    if isinstance(value, str):
        return parse(value)
    if isinstance(value, dict) and len(value) == 1:
        ((key, inner),) = value.items()
        if key in ("all", "any") and isinstance(inner, list) and inner:
            op = "and" if key == "all" else "or"
            items = tuple(from_structure(v) for v in inner)
            return items[0] if len(items) == 1 else BoolOp(op, items)
        if key == "not":
            return Not(from_structure(inner))
    raise ExpressionError(
        "a condition is an expression, or a mapping with one key: all, any or not"
    )


# --------------------------------------------------------------------- analysis


def names(node: Node) -> set[str]:
    """Every fact or parameter name the expression reads."""
    out: set[str] = set()
    _walk_names(node, out)
    return out


def _walk_names(node: Node, out: set[str]) -> None:
    match node:
        case Name(path):
            out.add(path)
        case Lit():
            pass
        case ListExpr(items) | BoolOp(_, items) | Call(_, items):
            for item in items:
                _walk_names(item, out)
        case Not(operand) | Neg(operand):
            _walk_names(operand, out)
        case Arith(_, left, right) | Compare(_, left, right):
            _walk_names(left, out)
            _walk_names(right, out)
        case In(left, items, _):
            _walk_names(left, out)
            for item in items:
                _walk_names(item, out)


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


# ------------------------------------------------------------------- evaluation


def _years_between(start: date, end: date) -> Decimal:
    years = end.year - start.year - ((end.month, end.day) < (start.month, start.day))
    return Decimal(years)


def _months_between(start: date, end: date) -> Decimal:
    months = (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)
    return Decimal(months)


def add_months(d: date, n: Decimal | int) -> date:
    month0 = d.month - 1 + int(n)
    year, month = d.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def _round(x: Decimal, digits: Decimal | int = 2) -> Decimal:
    return x.quantize(Decimal(1).scaleb(-int(digits)), rounding=ROUND_HALF_UP)


def _add_days(d: date, n: Decimal | int) -> date:
    return date.fromordinal(d.toordinal() + int(n))


def _days_between(start: date, end: date) -> Decimal:
    return Decimal(end.toordinal() - start.toordinal())


def _year_start(d: date) -> date:
    return date(d.year, 1, 1)


def _year_end(d: date) -> date:
    return date(d.year, 12, 31)


# name -> (allowed arities, implementation). `known` and `date` are handled specially.
FUNCTIONS: dict[str, tuple[tuple[int, ...], Callable[..., Any] | None]] = {
    "date": ((1,), None),
    "known": ((1,), None),
    "years_between": ((2,), _years_between),
    "months_between": ((2,), _months_between),
    "add_months": ((2,), add_months),
    "add_days": ((2,), _add_days),
    "days_between": ((2,), _days_between),
    "year_start": ((1,), _year_start),
    "year_end": ((1,), _year_end),
    "min": ((2, 3, 4), min),
    "max": ((2, 3, 4), max),
    "round": ((1, 2), _round),
}


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


# ---------------------------------------------------------------------- rendering


def format_number(value: Any) -> str:
    """Dutch notation: 1.234,56; whole numbers without decimals."""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, int | float | Decimal):
        d = Decimal(str(value))
        if d == d.to_integral_value():
            return f"{int(d):,}".replace(",", ".")
        text = f"{_round(d, 2):,.2f}"
        return text.replace(",", "_").replace(".", ",").replace("_", ".")
    if isinstance(value, date):
        return value.strftime("%d-%m-%Y")
    return str(value)


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
            # A threshold that is a name (param.liv_uurloon_max) shows its value, never "?".
            limit = render(right, {})
            if isinstance(right, Name):
                limit = render(right, env) if right.path in env else f"{right.path} (onbekend)"
            return f"{path} {_CMP_TEXT[op]} {limit} (is {value_of(left)})"
        case In(Name(path) as left, items, negated):
            listed = ", ".join(render(i, {}) for i in items)
            return f"{path} {'niet ' if negated else ''}in [{listed}] (is {value_of(left)})"
        case Name(path):
            return f"{path} (is {value_of(node)})"
    return "voorwaarde niet vervuld"
