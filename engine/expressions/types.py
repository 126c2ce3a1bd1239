"""The type checker: every expression of a rule base is held to the declared types of its names.

A rule base that passes it cannot raise a type error in a check: operands of arithmetic are
numbers, comparisons compare like with like, conditions are booleans, functions get the arguments
they take. It also refuses what can never be true (an enumeration value that does not exist, a
bound outside an input's range), because such a rule silently never fires.

Messages are Dutch: rule authors (regions, gemeenten) read them in `arrangeur validate`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from engine.expressions.ast import (
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
from engine.format import format_number

Kind = Literal["number", "money", "date", "bool", "enum", "text", "list", "any"]
NUMERIC = ("number", "money")
KIND_LABEL = {
    "number": "getal",
    "money": "bedrag",
    "date": "datum",
    "bool": "ja/nee",
    "enum": "keuzewaarde",
    "text": "tekst",
    "list": "lijst",
    "any": "onbekend type",
}


@dataclass(frozen=True)
class Type:
    kind: Kind
    unit: str | None = None
    values: tuple[str, ...] = ()  # enum: every value the fact can take
    low: Decimal | None = None  # input numbers: the range validation guarantees
    high: Decimal | None = None
    literal: object = None  # a constant's value, to check it against an enum or a range

    def label(self) -> str:
        base = KIND_LABEL[self.kind]
        if self.kind in NUMERIC and self.unit:
            return f"{base} ({self.unit})"
        if self.kind == "enum":
            return f"{base} ({', '.join(self.values)})"
        return base


ANY = Type("any")
BOOL = Type("bool")
NUMBER = Type("number")
DATE = Type("date")

# Function signatures: argument kinds (a tuple per arity) → result. "same" = the arguments' kind.
_SIGNATURES: dict[str, tuple[tuple[tuple[str, ...], ...], str]] = {
    "years_between": ((("date", "date"),), "number:jaren"),
    "months_between": ((("date", "date"),), "number:maanden"),
    "days_between": ((("date", "date"),), "number:dagen"),
    "add_months": ((("date", "numeric"),), "date"),
    "add_days": ((("date", "numeric"),), "date"),
    "year_start": ((("date",),), "date"),
    "year_end": ((("date",),), "date"),
    "round": ((("numeric",), ("numeric", "numeric")), "same"),
    "min": ((), "same"),
    "max": ((), "same"),
}


class TypeProblems(Exception):
    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("; ".join(messages))


def _fits(t: Type, want: str) -> bool:
    if t.kind == "any":
        return True
    if want == "numeric":
        return t.kind in NUMERIC
    return t.kind == want


def _show(node: Node) -> str:
    match node:
        case Name(path):
            return path
        case Lit(value) if isinstance(value, str):
            return repr(value)
        case Lit(value):
            return format_number(value)
    return "de uitdrukking"


class Checker:
    """Infers the type of an expression; collects every problem instead of stopping at one."""

    def __init__(self, env: Mapping[str, Type]):
        self.env = env
        self.problems: list[str] = []

    def fail(self, message: str) -> Type:
        self.problems.append(message)
        return ANY

    def infer(self, node: Node) -> Type:
        match node:
            case Lit(value):
                return _literal(value)
            case Name(path):
                return self.env.get(path, ANY)  # unknown names are reported by the registry
            case ListExpr(items):
                for item in items:
                    self.infer(item)
                return Type("list")
            case Not(operand):
                self.want_bool(operand, "'niet'")
                return BOOL
            case BoolOp(op, items):
                for item in items:
                    self.want_bool(item, f"'{'en' if op == 'and' else 'of'}'")
                return BOOL
            case Neg(operand):
                t = self.infer(operand)
                if not _fits(t, "numeric"):
                    return self.fail(f"min-teken voor {_show(operand)}, een {t.label()}")
                return t
            case Arith(op, left, right):
                return self._arith(op, left, right)
            case Compare(op, left, right):
                return self._compare(op, left, right)
            case In(left, items, negated):
                return self._in(left, items, negated)
            case Call(func, args):
                return self._call(func, args)
        return self.fail(f"onbekende uitdrukking {node!r}")

    def want_bool(self, node: Node, where: str) -> None:
        t = self.infer(node)
        if not _fits(t, "bool"):
            self.fail(f"{_show(node)} is een {t.label()}, geen ja/nee-waarde, in {where}")

    def _arith(self, op: str, left: Node, right: Node) -> Type:
        a, b = self.infer(left), self.infer(right)
        for node, t in ((left, a), (right, b)):
            if not _fits(t, "numeric"):
                hint = " (gebruik add_days, add_months of days_between)" if t.kind == "date" else ""
                return self.fail(f"rekenen ({op}) met {_show(node)}, een {t.label()}{hint}")
        if "any" in (a.kind, b.kind):
            return ANY
        if a.kind == "money" and b.kind == "money" and op in "*/":
            return Type("number") if op == "/" else Type("money")
        money = a if a.kind == "money" else b if b.kind == "money" else None
        if money is not None:
            return Type("money", money.unit)
        unit = a.unit if a.unit == b.unit else None
        return Type("number", unit)

    def _compare(self, op: str, left: Node, right: Node) -> Type:
        a, b = self.infer(left), self.infer(right)
        if "any" in (a.kind, b.kind):
            return BOOL
        if op not in ("==", "!=") and not (
            (a.kind in NUMERIC and b.kind in NUMERIC) or (a.kind == b.kind == "date")
        ):
            return self.fail(
                f"{_show(left)} ({a.label()}) en {_show(right)} ({b.label()}) "
                f"zijn niet te ordenen met {op}"
            )
        if not _comparable(a, b):
            return self.fail(
                f"{_show(left)} ({a.label()}) wordt vergeleken met {_show(right)} ({b.label()})"
            )
        for name_node, fact, const in ((left, a, b), (right, b, a)):
            if isinstance(name_node, Name):
                self._never(name_node.path, fact, const, op if name_node is left else _FLIP[op])
        return BOOL

    def _never(self, path: str, fact: Type, const: Type, op: str) -> None:
        """A comparison with a constant that no value of the fact can satisfy."""
        value = const.literal
        if value is None:
            return
        if fact.kind == "enum" and isinstance(value, str) and value not in fact.values:
            if op == "==":
                self.fail(f"{path} is nooit {value!r} (waarden: {', '.join(fact.values)})")
            else:
                self.fail(f"{path} is nooit {value!r}: de voorwaarde is altijd waar")
        if fact.kind in NUMERIC and isinstance(value, Decimal):
            low, high = fact.low, fact.high
            never = (
                (op in (">", ">=", "==") and high is not None and value > high)
                or (op == ">" and high is not None and value == high)
                or (op in ("<", "<=", "==") and low is not None and value < low)
                or (op == "<" and low is not None and value == low)
            )
            if never:
                span = f"{format_number(low) if low is not None else '…'} tot en met "
                span += format_number(high) if high is not None else "…"
                self.fail(f"{path} {op} {format_number(value)} kan nooit waar zijn ({span})")

    def _in(self, left: Node, items: tuple[Node, ...], negated: bool) -> Type:
        a = self.infer(left)
        for item in items:
            t = self.infer(item)
            if a.kind == "any" or t.kind == "any":
                continue
            if not _comparable(a, t):
                self.fail(f"{_show(item)} ({t.label()}) in een lijst voor {_show(left)}")
            elif isinstance(left, Name):
                self._never(left.path, a, t, "!=" if negated else "==")
        return BOOL

    def _call(self, func: str, args: tuple[Node, ...]) -> Type:
        if func == "known":
            return BOOL
        types = [self.infer(a) for a in args]
        shapes, result = _SIGNATURES.get(func, ((), "any"))
        if func in ("min", "max"):
            kinds = {t.kind for t in types if t.kind != "any"}
            ok = len(kinds) <= 1 or kinds <= set(NUMERIC)
            if not ok or kinds - {"number", "money", "date"}:
                labels = ", ".join(t.label() for t in types)
                return self.fail(f"{func}() vergelijkt alleen getallen of alleen datums: {labels}")
            return _join(types)
        shape = next((s for s in shapes if len(s) == len(types)), None)
        if shape is None:
            return self.fail(f"{func}() krijgt {len(types)} argumenten")
        for i, (t, want) in enumerate(zip(types, shape, strict=True)):
            if not _fits(t, want):
                wanted = "getal" if want == "numeric" else KIND_LABEL[want]
                self.fail(
                    f"{func}(): argument {i + 1} ({_show(args[i])}) is een {t.label()}, "
                    f"verwacht: {wanted}"
                )
        if result == "same":
            return _join(types)
        kind, _, unit = result.partition(":")
        return Type(kind, unit or None)  # type: ignore[arg-type]


_FLIP = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


def _literal(value: object) -> Type:
    if isinstance(value, bool):
        return Type("bool", literal=value)
    if isinstance(value, Decimal | int | float):
        return Type("number", literal=Decimal(str(value)))
    if isinstance(value, date):
        return Type("date", literal=value)
    if isinstance(value, str):
        return Type("text", literal=value)
    return ANY


def _comparable(a: Type, b: Type) -> bool:
    if a.kind in NUMERIC and b.kind in NUMERIC:
        return True
    if {a.kind, b.kind} <= {"enum", "text"}:
        if a.kind == b.kind == "enum":
            return bool(set(a.values) & set(b.values))
        return True
    return a.kind == b.kind


def _join(types: list[Type]) -> Type:
    real = [t for t in types if t.kind != "any"]
    if not real:
        return ANY
    if any(t.kind == "money" for t in real):
        return Type("money", next(t.unit for t in real if t.kind == "money"))
    first = real[0]
    return Type(first.kind, first.unit if all(t.unit == first.unit for t in real) else None)


def infer(node: Node, env: Mapping[str, Type]) -> tuple[Type, list[str]]:
    """The type of an expression and the problems found in it."""
    checker = Checker(env)
    return checker.infer(node), checker.problems


def check(node: Node, env: Mapping[str, Type], expect: str | None = None) -> list[str]:
    """Problems of an expression that must have kind `expect` ("bool", "numeric", ...)."""
    t, problems = infer(node, env)
    if expect and not _fits(t, expect) and not problems:
        wanted = "getal of bedrag" if expect == "numeric" else KIND_LABEL[expect]
        problems.append(f"de uitdrukking is een {t.label()}, verwacht: {wanted}")
    return problems
