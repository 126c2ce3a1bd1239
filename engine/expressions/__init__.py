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

from engine.dates import add_months
from engine.expressions.ast import (
    COMPARISONS,
    NEGATED,
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
    children,
    names,
    walk,
)
from engine.expressions.evaluate import evaluate
from engine.expressions.functions import FUNCTIONS
from engine.expressions.normal_form import negation_normal_form
from engine.expressions.parser import from_structure, parse
from engine.expressions.render import failed_conditions, render
from engine.format import format_number

__all__ = [
    "COMPARISONS",
    "FUNCTIONS",
    "NEGATED",
    "UNKNOWN",
    "Arith",
    "BoolOp",
    "Call",
    "Compare",
    "In",
    "ListExpr",
    "Lit",
    "Name",
    "Neg",
    "Node",
    "Not",
    "add_months",
    "children",
    "evaluate",
    "failed_conditions",
    "format_number",
    "from_structure",
    "names",
    "negation_normal_form",
    "parse",
    "render",
    "walk",
]
