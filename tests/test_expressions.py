import re
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.errors import ExpressionError
from engine.expressions import UNKNOWN, evaluate, negation_normal_form, parse


def ev(text, **env):
    return evaluate(parse(text), {k.replace("__", "."): v for k, v in env.items()})


def test_comparison_and_membership():
    assert ev("candidate.uitkering in ['ww', 'wia_wga']", candidate__uitkering="ww") is True
    assert ev("candidate.uitkering not in ['ww']", candidate__uitkering="ww") is False
    assert ev("a >= 56 and b", a=Decimal(56), b=True) is True


def test_arithmetic_is_decimal_exact():
    assert ev("0.1 + 0.2") == Decimal("0.3")
    assert ev("round(13.68 * 32 * 52 / 12, 2)") == Decimal("1896.96")


def test_dates():
    assert ev("years_between(date('1968-05-01'), date('2025-04-30'))") == 56
    assert ev("years_between(date('1968-05-01'), date('2025-05-01'))") == 57
    assert ev("add_months(date('2025-01-31'), 1)") == date(2025, 2, 28)
    assert ev("months_between(date('2025-01-15'), date('2025-04-14'))") == 2


def test_unknown_facts_follow_kleene_logic():
    assert ev("x > 1") is UNKNOWN
    assert ev("x > 1 and false") is False
    assert ev("x > 1 or true") is True
    assert ev("not (x > 1)") is UNKNOWN
    assert ev("known(x)") is False
    assert ev("known(x)", x=1) is True


@pytest.mark.parametrize(
    "text, message",
    [
        ("a >", "onverwacht einde"),
        ("a = 1", "onverwacht teken '='"),
        ("__import__('os')", "onbekende functie"),
        ("open('x')", "onbekende functie"),
        ("a.b(1)", "onbekende functie"),
        ("date('2025-13-01')", "ongeldige datum"),
        ("(a", "verwacht ')'"),
    ],
)
def test_bad_expressions_are_refused_with_a_reason(text, message):
    with pytest.raises(ExpressionError, match=re.escape(message)):
        parse(text)


values = st.one_of(st.none(), st.integers(-5, 5), st.booleans())
names_ = st.sampled_from(["a", "b", "c"])


@st.composite
def conditions(draw, depth=3):
    if depth == 0 or draw(st.booleans()):
        name = draw(names_)
        op = draw(st.sampled_from(["<", "<=", ">", ">=", "==", "!="]))
        return f"{name} {op} {draw(st.integers(-5, 5))}"
    kind = draw(st.sampled_from(["and", "or", "not"]))
    if kind == "not":
        return f"not ({draw(conditions(depth - 1))})"
    return f"({draw(conditions(depth - 1))}) {kind} ({draw(conditions(depth - 1))})"


@given(conditions(), st.dictionaries(names_, st.integers(-5, 5)))
def test_negation_normal_form_keeps_the_meaning(text, env):
    node = parse(text)
    assert evaluate(negation_normal_form(node), env) == evaluate(node, env)


def test_a_refused_test_names_enumeration_values_as_people_say_them():
    from engine.arrange.wording import FACT_LABELS, VALUE_LABELS
    from engine.expressions.render import leaf_text

    env = {"candidate.uitkering": "ww"}
    text = leaf_text(
        parse("candidate.uitkering in ['wia_wga', 'wao']"), env, FACT_LABELS, VALUE_LABELS
    )
    assert text.endswith("is een van: WIA – WGA, WAO (is WW)")
    text = leaf_text(parse("candidate.uitkering == 'wajong'"), env, FACT_LABELS, VALUE_LABELS)
    assert text.endswith("= Wajong (is WW)")
