"""National law behaviour that scenario files cannot express: refusal texts and notices."""

from __future__ import annotations

from datetime import date


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
