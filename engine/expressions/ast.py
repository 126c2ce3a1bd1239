"""The syntax tree of the rule language, with one walker and the analyses built on it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


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


def children(node: Node) -> Iterator[Node]:
    """The direct sub-expressions of a node: the one walker every analysis uses."""
    match node:
        case ListExpr(items) | BoolOp(_, items) | Call(_, items):
            yield from items
        case Not(operand) | Neg(operand):
            yield operand
        case Arith(_, left, right) | Compare(_, left, right):
            yield left
            yield right
        case In(left, items, _):
            yield left
            yield from items


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, depth first (iterative: deep trees do not exhaust the stack)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(tuple(children(current))))


def names(node: Node) -> set[str]:
    """Every fact or parameter name the expression reads."""
    return {n.path for n in walk(node) if isinstance(n, Name)}
