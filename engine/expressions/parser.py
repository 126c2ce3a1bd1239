"""Text → syntax tree. Grammar in `engine.expressions`; errors carry the column."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from engine.errors import ExpressionError
from engine.expressions.ast import (
    COMPARISONS,
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
    children,
)
from engine.expressions.functions import FUNCTIONS

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<number>\d+(?:\.\d+)?)
      | (?P<string>'[^']*'|"[^"]*")
      | (?P<op>==|!=|<=|>=|<|>|\+|-|\*|/|\(|\)|\[|\]|,)
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
    )""",
    re.VERBOSE,
)
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_KEYWORDS = {"and", "or", "not", "in", "true", "false"}
_SPACE = re.compile(r"\s*")

# Bounds that keep parsing and every recursive walk over the tree (evaluation, types, the
# compiler) far from Python's recursion limit; the longest expression in rules/ is 150
# characters and nests 4 deep.
MAX_LENGTH = 20_000  # characters
MAX_NESTING = 40  # brackets, lists, calls, `not` and `-` inside each other
MAX_DEPTH = 100  # depth of the syntax tree, e.g. a chain a + b + c + ...
# What an expression or a rule's whole condition may contain: the shipped rules use at most 29
# nodes and lists of 12 (docs/reliability.md); the cost of checking grows with both.
MAX_NODES = 1_000  # nodes of one expression, and of a rule's condition (all/any/not) as a whole
MAX_ITEMS = 200  # items of one list: `x in [...]`, `all: [...]`, the arguments of a call
# digits of a number literal (the shipped rules use 4): past Decimal's 28 a literal is rounded,
# and showing it in a message failed (decimal.InvalidOperation)
MAX_DIGITS = 20


def _dutch(count: int) -> str:
    return f"{count:,}".replace(",", ".")


def _tokenize(text: str) -> list[tuple[str, str, int]]:
    """Linear in the text: every step starts where the last token ended (no slicing)."""
    tokens: list[tuple[str, str, int]] = []
    pos = _SPACE.match(text).end()  # type: ignore[union-attr]
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ExpressionError(f"onverwacht teken {text[pos]!r}", text, pos)
        kind = m.lastgroup or ""
        value = m.group(kind)
        start = m.start(kind)
        if kind == "name" and value in _KEYWORDS:
            kind = "kw"
        tokens.append((kind, value, start))
        pos = _SPACE.match(text, m.end()).end()  # type: ignore[union-attr]
    tokens.append(("end", "", len(text)))
    return tokens


def _size(node: Node) -> tuple[int, int]:
    """Depth and number of nodes of the tree."""
    deepest, count, stack = 0, 0, [(node, 1)]
    while stack:
        n, d = stack.pop()
        deepest, count = max(deepest, d), count + 1
        stack.extend((c, d + 1) for c in children(n))
    return deepest, count


def check_size(node: Node, text: str = "") -> Node:
    """Refuse a tree of more than MAX_NODES nodes (its cost in every later step)."""
    count = _size(node)[1]
    if count > MAX_NODES:
        raise ExpressionError(
            f"de expressie heeft {_dutch(count)} onderdelen; de grens is {_dutch(MAX_NODES)}", text
        )
    return node


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = _tokenize(text)
        self.i = 0
        self.nesting = 0

    def enter(self) -> None:
        """One level deeper; refused past MAX_NESTING (Python would run out of stack)."""
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            _, _, pos = self.peek()
            raise ExpressionError(f"meer dan {MAX_NESTING} niveaus diep genest", self.text, pos)

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
            found = "einde van de uitdrukking" if kind == "end" else repr(val)
            raise ExpressionError(f"verwacht {value!r}, gevonden: {found}", self.text, pos)

    def parse(self) -> Node:
        node = self.or_()
        kind, val, pos = self.peek()
        if kind != "end":
            raise ExpressionError(f"onverwacht {val!r}", self.text, pos)
        return node

    def or_(self) -> Node:
        self.enter()
        items = [self.and_()]
        while self.accept("or"):
            items.append(self.and_())
        self.nesting -= 1
        return items[0] if len(items) == 1 else BoolOp("or", tuple(items))

    def and_(self) -> Node:
        items = [self.not_()]
        while self.accept("and"):
            items.append(self.not_())
        return items[0] if len(items) == 1 else BoolOp("and", tuple(items))

    def not_(self) -> Node:
        if self.accept("not"):
            self.enter()
            node = Not(self.not_())
            self.nesting -= 1
            return node
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
                self.count(items)
            self.expect("]")
        return tuple(items)

    def count(self, items: list[Node]) -> None:
        if len(items) > MAX_ITEMS:
            _, _, pos = self.peek()
            raise ExpressionError(f"meer dan {MAX_ITEMS} elementen in één lijst", self.text, pos)

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
            self.enter()
            operand = self.unary()
            self.nesting -= 1
            if isinstance(operand, Lit) and isinstance(operand.value, Decimal):
                return Lit(-operand.value)
            return Neg(operand)
        return self.atom()

    def atom(self) -> Node:
        kind, val, pos = self.take()
        if kind == "number":
            if sum(c.isdigit() for c in val) > MAX_DIGITS:
                shown = val if len(val) <= 30 else f"{val[:30]}…"
                raise ExpressionError(
                    f"getal {shown} heeft meer dan {MAX_DIGITS} cijfers", self.text, pos
                )
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
                        f"onbekende functie {val!r} (bekend: {known})", self.text, pos
                    )
                args: list[Node] = []
                if not self.accept(")"):
                    args.append(self.or_())
                    while self.accept(","):
                        args.append(self.or_())
                        self.count(args)
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
        found = "einde van de uitdrukking" if kind == "end" else repr(val)
        raise ExpressionError(f"onverwacht {found}", self.text, pos)


def _make_call(func: str, args: tuple[Node, ...], text: str, pos: int) -> Node:
    arity = FUNCTIONS[func][0]
    if len(args) not in arity:
        raise ExpressionError(
            f"{func}() neemt {' of '.join(map(str, arity))} argument(en)", text, pos
        )
    if func == "known" and not isinstance(args[0], Name):
        raise ExpressionError("known() neemt de naam van een feit", text, pos)
    if func == "date":
        if not (isinstance(args[0], Lit) and isinstance(args[0].value, str)):
            raise ExpressionError("date() neemt een vaste datum 'JJJJ-MM-DD'", text, pos)
        try:
            if not _DAY.fullmatch(args[0].value):  # fromisoformat also reads 2025-W14-2
                raise ValueError(args[0].value)
            return Lit(date.fromisoformat(args[0].value))
        except ValueError:
            raise ExpressionError(
                f"ongeldige datum {args[0].value[:40]!r} (verwacht JJJJ-MM-DD)", text, pos
            ) from None
    return Call(func, args)


@lru_cache(maxsize=4096)
def parse(text: str) -> Node:
    """Parse an expression; raises ExpressionError with the column of the problem."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("lege uitdrukking", str(text))
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"langer dan {MAX_LENGTH} tekens", text)
    node = _Parser(text).parse()
    if _size(node)[0] > MAX_DEPTH:
        raise ExpressionError(f"meer dan {MAX_DEPTH} bewerkingen diep genest", text)
    return check_size(node, text)


def from_structure(value: Any) -> Node:
    """A condition written as YAML structure ({all: [...]}, {any: [...]}, {not: ...}) or text;
    at most MAX_NODES nodes in all (each text is bounded on its own, the whole as well)."""
    return check_size(_from_structure(value))


def _from_structure(value: Any) -> Node:
    if isinstance(value, bool):
        return Lit(value)
    if isinstance(value, str):
        return parse(value)
    if isinstance(value, dict) and len(value) == 1:
        ((key, inner),) = value.items()
        if key in ("all", "any") and isinstance(inner, list) and inner:
            if len(inner) > MAX_ITEMS:
                raise ExpressionError(f"meer dan {MAX_ITEMS} elementen in één {key}-lijst")
            op = "and" if key == "all" else "or"
            items = tuple(_from_structure(v) for v in inner)
            return items[0] if len(items) == 1 else BoolOp(op, items)
        if key == "not":
            return Not(_from_structure(inner))
    raise ExpressionError(
        "een voorwaarde is een uitdrukking, of een mapping met één sleutel: all, any of not"
    )
