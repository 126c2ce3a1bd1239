"""Precedence and conflicts where offers meet, on small edits of the mini rule base.

Each test would fail on a plausible slip: the regie preference reversed, the eligibility
mismatch not detected, the catalogue's statutory relation ignored, a negative amount not
clamped, half-even instead of half-up rounding.
"""

from __future__ import annotations

from datetime import date

from engine.amounts import compute
from engine.arrangement import Engine
from engine.expressions import parse
from engine.rulesets.loader import AmountSpec
from engine.rulesets.registry import load_rulebase
from tests.conftest import placement
from tests.test_validation import edit


def _engine(root) -> Engine:
    return Engine(load_rulebase(root))


def _entry(arrangement, instrument):
    return next(e for e in arrangement.instruments if e.instrument == instrument)


def test_the_regie_decides_between_two_eligible_offers(rules):  # noqa: F811
    # UWV and Aadorp both admit any proefplaatsing: the authority with the regie provides it.
    edit(
        rules / "uwv" / "uwv.yaml",
        "when: regie == 'uwv' and job.contract_maanden >= 6",
        "when: job.contract_maanden >= 6",
    )
    edit(
        rules / "gemeenten" / "aadorp-2025.yaml",
        "    when: regie == 'gemeente'\n",
        "    when: true\n",
    )
    engine = _engine(rules)
    bijstand = _entry(engine.check(placement()), "proefplaatsing")
    assert (bijstand.authority, bijstand.params) == ("gemeente:GM0001", {"max_duur_maanden": 3})
    assert [(s.authority, s.reason) for s in bijstand.set_aside] == [
        ("uwv", "de regie ligt bij gemeente Aadorp")
    ]
    ww = _entry(engine.check(placement(candidate__uitkering="ww")), "proefplaatsing")
    assert (ww.authority, ww.params) == ("uwv", {"max_duur_maanden": 2})


def test_one_authority_admits_what_another_excludes(rules):  # noqa: F811
    # UWV admits loonkostensubsidie for a Wajonger, Aadorp's exception rule excludes it.
    text = (rules / "uwv" / "uwv.yaml").read_text()
    (rules / "uwv" / "uwv.yaml").write_text(
        text
        + """  - id: lks-wajong
    instrument: loonkostensubsidie
    when: candidate.uitkering == 'wajong'
    then: eligible
    explanation: LKS voor Wajongers.
    source: {ref: t, article: art. 9, text_date: 2025-01-01}
"""
    )
    a = _engine(rules).check(placement(candidate__uitkering="wajong", candidate__loonwaarde_pct=40))
    found = {(c.type, c.instrument): c for c in a.conflicts}
    mismatch = found[("eligibility_mismatch", "loonkostensubsidie")]
    assert mismatch.authorities == ["uwv", "gemeente:GM0001"]
    assert "Geen LKS voor Wajongers" in mismatch.explanation
    # and the catalogue: loondispensatie and loonkostensubsidie may not both be used; the regie
    # (UWV, Wajong) keeps loondispensatie
    statutory = found[("statutory_non_harmonisable", "loondispensatie")]
    assert "Twee wettelijke regelingen" in statutory.explanation
    assert _entry(a, "loondispensatie").status == "eligible"
    # each conflict cites the texts it rests on: both rules that meet, the catalogue relation
    assert {(s.title, s.article) for s in mismatch.sources} == {
        ("Testwet", "art. 9"),
        ("Verordening Aadorp", "2"),
    }
    assert [(s.title, s.article) for s in statutory.sources] == [("Testwet", "art. 2")]
    assert _entry(a, "loonkostensubsidie").status == "not_eligible"


def _amount(text: str) -> float:
    spec = AmountSpec(period="month", eur=parse(text), eur_text=text, basis="test")
    result = compute(spec, {}, date(2025, 1, 1), {})
    assert result is not None
    return result.eur


def test_a_negative_amount_is_clamped_to_zero():
    assert _amount("100 - 250") == 0.0


def test_amounts_round_half_up_to_cents():
    assert _amount("0.125") == 0.13  # half-even would give 0.12
    assert _amount("1 / 8") == 0.13
    assert _amount("2.675") == 2.68
