"""National law behaviour that scenario files cannot express: refusal texts and notices."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.conftest import ROOT


def _placement(**job):
    return {
        "candidate": {
            "woongemeente": "Delft",
            "geboortedatum": date(1990, 1, 1),
            "uitkering": "ww",
            "uitkering_sinds": date(2023, 1, 1),
        },
        "employer": {"vestigingsgemeente": "Delft"},
        "job": {"startdatum": date(2024, 1, 1), "uren_per_week": 36, **job},
    }


def test_liv_refusal_names_the_threshold_not_a_question_mark(engine):
    # 2250 × 12 × 1,08 / (52 × 36) = 15,58 > 14,91 (Wtl art. 3.1 lid 1 onder a, tekst 2024-01-01)
    a = engine.check(_placement(brutoloon_per_maand=2250))
    liv = next(e for e in a.instruments if e.instrument == "liv")
    assert liv.status == "not_eligible"
    assert "uurloon ≤ 14,91 (is 15,58)" in liv.explanation
    assert "?" not in liv.explanation


def test_check_past_the_last_known_minimum_wage_says_so(engine):
    # Changed on purpose (issue 24): the minimum wage of 1 July 2026 is encoded (illustrative,
    # Stcrt. 2026, 16505), and LKS reads the monthly amount (Participatiewet art. 2), known to
    # 2026-12-31 (rules/rijk/parameters/minimumloon.yaml).
    p = _placement(startdatum=date(2027, 2, 1))
    p["candidate"].update(uitkering="bijstand", loonwaarde_pct=60)
    a = engine.check(p)
    assert any(
        "minimumloon per maand" in n and "vanaf 1-1-2027 nog niet bekend" in n for n in a.notices
    )
    # the value it goes on with, as people write money (it read "2337,0 EUR per maand")
    assert any("laatst bekende waarde (€ 2.337 per maand)" in n for n in a.notices)
    before = engine.check({**p, "job": {**p["job"], "startdatum": date(2026, 9, 1)}})
    assert not any("nog niet bekend" in n and "minimumloon" in n for n in before.notices)


def test_aow_age_after_the_read_text_is_flagged_only_when_it_matters(engine):
    # AOW art. 7a lid 1 read up to 2025: a 62-year-old in 2026 reads the age, a 35-year-old not.
    old = _placement(startdatum=date(2026, 3, 1))
    old["candidate"]["geboortedatum"] = date(1964, 1, 1)
    assert any("pensioengerechtigde leeftijd" in n for n in engine.check(old).notices)
    young = _placement(startdatum=date(2026, 3, 1))
    assert not any("pensioengerechtigde leeftijd" in n for n in engine.check(young).notices)


def test_gemeente_without_rule_set_names_its_region(engine):
    p = _placement()
    p["candidate"]["woongemeente"] = "Groningen"
    p["employer"]["vestigingsgemeente"] = "Groningen"
    notices = [n for n in engine.check(p).notices if "Groningen (GM0014)" in n]
    assert len(notices) == 1
    assert "niet gecodeerd" in notices[0] and "arbeidsmarktregio Groningen" in notices[0]


def test_illustrative_minimum_wage_is_said_in_the_output(engine):
    p = _placement(startdatum=date(2025, 4, 1))
    p["candidate"].update(uitkering="bijstand", loonwaarde_pct=60)
    notices = engine.check(p).notices
    # LKS reads the monthly minimum wage (Participatiewet art. 2), not the hourly one
    assert any("illustratief" in n and "minimumloon per maand" in n for n in notices)


def test_minimum_wage_of_1_july_2026_is_encoded_as_illustrative_with_its_citation(engine):
    # Issue 24 punt 4: € 14,99 an hour and € 2.337,00 a month from 1 July 2026, per the note in
    # the WML text 2026-07-01 of regelrecht-corpus citing Stcrt. 2026, 16505 (not read itself).
    params = engine.rulebase.parameters.params
    per_uur, per_maand = params["minimumloon_per_uur"], params["minimumloon_per_maand"]
    assert per_uur.at(date(2026, 6, 30)) == Decimal("14.71")
    assert per_uur.at(date(2026, 7, 1)) == Decimal("14.99")
    assert per_maand.at(date(2026, 7, 1)) == Decimal("2337.00")
    assert per_uur.provenance == per_maand.provenance == "illustrative"
    text = (ROOT / "rules" / "rijk" / "parameters" / "minimumloon.yaml").read_text("utf-8")
    assert "Stcrt. 2026, 16505" in text
    # 1 January 2023, read in the Besluit of 3 October 2022 (Stb. 2022, 381), art. I onder 1
    assert per_maand.at(date(2023, 1, 1)) == Decimal("1934.40") and "Stb. 2022, 381" in text
    # the LKS re-set on 1 January 2027 takes the July amount (Participatiewet art. 10d lid 7)
    jan = params["minimumloon_per_maand_1_januari"]
    assert jan.at(date(2026, 12, 31)) == Decimal("2294.40")
    assert jan.at(date(2027, 1, 1)) == Decimal("2337.00")
