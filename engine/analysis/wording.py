"""A rule's condition in Dutch words, for people who keep a menukaart rather than read
expressions: `candidate.uitkering in ['ww', 'wia_wga']` → "uitkering is een van: ww, wia_wga"."""

from __future__ import annotations

from engine import labels
from engine.analysis.model import Shopping
from engine.expressions import (
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
    render,
)
from engine.facts import INPUT_FACTS
from engine.format import eur, format_number

_SYMBOL = {"+": "+", "-": "−", "*": "×", "/": "/"}
_OPS = {"==": "is", "!=": "is niet", "<": "is kleiner dan", "<=": "is ten hoogste",
        ">": "is groter dan", ">=": "is ten minste"}  # fmt: skip


def label(name: str) -> str:
    spec = INPUT_FACTS.get(name)
    if spec:
        return spec.label
    return labels.fact_label(name)


def _value(node: Node) -> str:
    if isinstance(node, Lit):
        if isinstance(node.value, str):
            return labels.value_label(node.value)
        return format_number(node.value)
    if isinstance(node, Name):
        return label(node.path)
    return render(node, {})


def condition_in_words(node: Node, nested: bool = False) -> str:
    match node:
        case Lit(True):
            return "altijd"
        case Lit(False):
            return "nooit"
        case BoolOp(op, items):
            text = (" en " if op == "and" else " of ").join(
                condition_in_words(i, True) for i in items
            )
            return f"({text})" if nested and len(items) > 1 else text
        case Not(operand):
            return f"niet {condition_in_words(operand, True)}"
        case Compare(op, left, right):
            return f"{_value(left)} {_OPS[op]} {_value(right)}"
        case In(left, items, negated):
            listed = ", ".join(_value(i) for i in items)
            return f"{_value(left)} is {'geen' if negated else 'een'} van: {listed}"
        case Name(path):
            return label(path)
        case Call("known", (arg,)):
            return f"{_value(arg)} is bekend"
        case Call(func, args):
            return labels.call_text(func, [condition_in_words(a, True) for a in args])
        case Arith(op, left, right):
            text = (
                f"{condition_in_words(left, True)} {_SYMBOL[op]} {condition_in_words(right, True)}"
            )
            return f"({text})" if nested else text
        case Neg(operand):
            return f"−{condition_in_words(operand, True)}"
        case Lit(_):
            return _value(node)
    return render(node, {})


# The terms a rule gives an instrument, as a reader of the region report knows them: one table
# for every face, engine/labels.py.
PARAM_LABELS = labels.PARAMETERS
param_label = labels.parameter_label


def shopping_text(s: Shopping, total: int, differing: list[str]) -> str:
    """Whether an employer gains by choosing a candidate from one gemeente over another, in
    words that do not contradict themselves: shopping is about money; profiles that differ only
    in instruments without an amount are named as such, with the instruments (`differing`)."""
    other = s.profiles_exposed - s.profiles_with_money_gap
    what = f" ({', '.join(differing)})" if differing else ""
    only = (
        f"bij {other} profielen ({_pct(other, total)}) verschillen alleen instrumenten zonder "
        f"bedrag{what}"
    )
    if s.profiles_with_money_gap:
        money = s.profiles_with_money_gap
        text = (
            f"ja: bij {money} profielen ({_pct(money, total)}) "
            f"hangt het indicatieve jaarbedrag af van de woongemeente, grootste verschil "
            f"{eur(s.max_gap_eur)} per jaar (gemiddeld {eur(s.mean_gap_eur)})"
        )
        return text + (f"; {only}" if other else "")
    if other:
        return f"niet in geld: geen verschil in bedragen; {only}"
    return "nee: voor elk profiel krijgt de werkgever in elke gemeente hetzelfde"


def _pct(n: int, total: int) -> str:
    return f"{n / total * 100:.1f} %".replace(".", ",") if total else "—"
