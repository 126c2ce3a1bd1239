"""The type checker: a rule that would answer wrongly or crash a check is refused by validate."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine.expressions import parse
from engine.expressions.types import Type, check
from tests.conftest import problems
from tests.test_validation import edit

ENV = {
    "d": Type("date"),
    "n": Type("number", "maanden"),
    "m": Type("money", "EUR per maand"),
    "b": Type("bool"),
    "e": Type("enum", values=("uwv", "gemeente")),
    "pct": Type("number", "procent", low=Decimal(0), high=Decimal(100)),
}


@pytest.mark.parametrize(
    ("text", "expect", "message"),
    [
        ("d > 5", "bool", "niet te ordenen"),
        ("d < 5", "bool", "niet te ordenen"),
        ("d * 2", None, "rekenen (*) met d, een datum"),
        ("d + 30", None, "add_days"),
        ("e == 'gemeenten'", "bool", "e is nooit 'gemeenten'"),
        ("e in ['uwv', 'gemeenten']", "bool", "nooit 'gemeenten'"),
        ("e != 'gemeenten'", "bool", "altijd waar"),
        ("pct > 100", "bool", "kan nooit waar zijn"),
        ("pct < 0", "bool", "kan nooit waar zijn"),
        ("b + 1", None, "rekenen"),
        ("n and b", "bool", "geen ja/nee-waarde"),
        ("not n", "bool", "geen ja/nee-waarde"),
        ("add_months(n, d)", None, "argument 1"),
        ("years_between(d, 5)", None, "argument 2"),
        ("min(d, n)", None, "alleen getallen of alleen datums"),
        ("b == 1", "bool", "wordt vergeleken met"),
        ("n + m", "bool", "verwacht: ja/nee"),
        ("d", "numeric", "verwacht: getal"),
    ],
)
def test_wrong_expressions_are_refused(text, expect, message):
    found = check(parse(text), ENV, expect)
    assert any(message in m for m in found), found


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        ("d > date('2024-01-01') and e == 'uwv'", "bool"),
        ("e in ['uwv', 'gemeente'] or not b", "bool"),
        ("pct <= 100 and pct >= 0", "bool"),
        ("m * 3 / (13 * n)", "numeric"),
        ("min(m * 12, 6000)", "numeric"),
        ("max(d, add_months(d, n))", None),
        ("round(m / 3, 2)", "numeric"),
        ("known(n)", "bool"),
    ],
)
def test_well_typed_expressions_pass(text, expect):
    assert check(parse(text), ENV, expect) == []


def test_money_stays_money_through_arithmetic():
    from engine.expressions.types import infer

    t, problems_found = infer(parse("m * 3 / (13 * n)"), ENV)
    assert problems_found == [] and t.kind == "money"
    t, _ = infer(parse("years_between(d, d)"), ENV)
    assert (t.kind, t.unit) == ("number", "jaren")


# --- the examples of the issue, on a rule base: validate names file, line and rule -----------


def _line(file, needle: str) -> int:
    return next(i for i, t in enumerate(file.read_text().splitlines(), 1) if needle in t)


@pytest.mark.parametrize("op", [">", "<"])
def test_date_compared_with_a_number_is_refused(rules, op):  # noqa: F811
    file = rules / "gemeenten" / "beestad.yaml"
    edit(file, "candidate.loonwaarde_pct < 100", f"candidate.geboortedatum {op} 5")
    (msg,) = problems(rules)
    assert msg.startswith(f"{file}:{_line(file, 'id: lks')} [beestad/lks]: type:")
    assert "candidate.geboortedatum" in msg


def test_arithmetic_on_a_date_in_a_param_is_refused(rules):  # noqa: F811
    file = rules / "gemeenten" / "beestad.yaml"
    edit(file, "params: {max_duur_jaren: 3}", "params: {einde: {expr: 'job.startdatum * 2'}}")
    (msg,) = problems(rules)
    assert "[beestad/lks]: type: parameter einde: rekenen (*) met job.startdatum" in msg


def test_unknown_value_of_a_derived_enumeration_is_refused(rules):  # noqa: F811
    file = rules / "gemeenten" / "beestad.yaml"
    edit(file, "regie == 'gemeente'", "regie == 'gemeenten'")
    (msg,) = problems(rules)
    assert "[beestad/lks]: type: regie is nooit 'gemeenten' (waarden: uwv, gemeente)" in msg


def test_derived_fact_without_type_is_refused(rules):  # noqa: F811
    file = rules / "uwv" / "uwv.yaml"
    edit(file, "    type: number\n    unit: jaren\n", "")
    (msg,) = problems(rules)
    assert "[uwv-test/leeftijd]: type: leeftijd heeft geen type" in msg


def test_derived_value_must_match_its_declared_type(rules):  # noqa: F811
    file = rules / "uwv" / "uwv.yaml"
    edit(file, "value: \"'gemeente'\"", "value: \"'gemeenten'\"")
    (msg,) = problems(rules)
    assert "waarde 'gemeenten' staat niet in values (uwv, gemeente)" in msg


def test_amount_must_be_a_number(rules):  # noqa: F811
    file = rules / "uwv" / "uwv.yaml"
    edit(file, 'eur: "param.lkv_b_uur * job.uren_per_week * 52"', 'eur: "job.startdatum"')
    (msg,) = problems(rules)
    assert "[uwv-test/lkv-b]: type: bedrag:" in msg and "verwacht: getal" in msg
