"""Behaviour of check() on small hand-made rule sets (tests/fixtures/mini) with known answers."""

import pytest

from engine.errors import PlacementError
from tests.conftest import placement


def entry(arrangement, instrument):
    return next(e for e in arrangement.instruments if e.instrument == instrument)


def conflict_types(arrangement):
    return {(c.type, c.instrument) for c in arrangement.conflicts}


def test_bijstand_candidate_gets_loonkostensubsidie_from_woongemeente(mini_engine):
    a = mini_engine.check(placement())
    lks = entry(a, "loonkostensubsidie")
    assert (lks.status, lks.authority) == ("eligible", "gemeente:GM0001")
    # 12 (wml 2025) × 32 × 52 / 12 × 50 / 100 = 832
    assert [(m.period, m.eur) for m in lks.amounts] == [("2025-03", 832.0)]
    assert "12 × 32 × 52 / 12" in lks.amounts[0].basis
    assert a.regie == "gemeente:GM0001"


def test_woonplaatsbeginsel_employer_gemeente_does_not_decide(mini_engine):
    # Beestad (employer) offers LKS with other parameters; Aadorp (woongemeente) decides.
    a = mini_engine.check(placement())
    lks = entry(a, "loonkostensubsidie")
    assert lks.authority == "gemeente:GM0001"
    assert any(
        s.authority == "gemeente:GM0002" and "woonplaatsbeginsel" in s.reason for s in lks.set_aside
    )
    assert ("parameter_mismatch", "loonkostensubsidie") in conflict_types(a)
    swapped = mini_engine.check(
        placement(candidate__woongemeente="Beestad", employer__vestigingsgemeente="Aadorp")
    )
    assert entry(swapped, "loonkostensubsidie").authority == "gemeente:GM0002"
    assert entry(swapped, "loonkostensubsidie").params == {"max_duur_jaren": 3}


def test_wajong_candidate_gets_loondispensatie_not_loonkostensubsidie(mini_engine):
    a = mini_engine.check(placement(candidate__uitkering="wajong"))
    assert entry(a, "loondispensatie").status == "eligible"
    assert entry(a, "loonkostensubsidie").status == "not_eligible"
    assert a.regie == "uwv"


def test_one_lkv_the_highest_counts(mini_engine):
    a = mini_engine.check(placement())
    # LKV A: min(1 × 32 × 52, 1000) = 1000; LKV B: 2 × 32 × 52 = 3328 → B is kept.
    assert entry(a, "lkv_b").status == "eligible"
    assert entry(a, "lkv_b").amounts[0].eur == 3328.0
    assert entry(a, "lkv_a").status == "not_eligible"
    assert "niet te combineren" in entry(a, "lkv_a").explanation
    assert ("stacking", "lkv_b") in conflict_types(a)


def test_parameter_that_ended_makes_amount_unknown_not_zero(mini_engine):
    a = mini_engine.check(placement(job__startdatum="2026-02-01"))
    lkv_b = entry(a, "lkv_b")
    assert lkv_b.amounts == []
    assert "param.lkv_b_uur" in lkv_b.missing_facts


def test_local_exception_gemeente_rule_prevails_over_adopted_regional_rule(mini_engine):
    a = mini_engine.check(placement())
    jc = entry(a, "jobcoaching")
    assert (jc.authority, jc.params) == ("gemeente:GM0001", {"max_uren": 50})
    assert ("local_exception", "jobcoaching") in conflict_types(a)


def test_adopted_regional_rule_applies_where_gemeente_has_none(mini_engine):
    a = mini_engine.check(placement(job__startdatum="2024-06-01"))
    jc = entry(a, "jobcoaching")
    assert (jc.authority, jc.params) == ("regio:noord", {"max_uren": 100})


def test_version_in_force_on_peildatum(mini_engine):
    old = mini_engine.check(placement(job__startdatum="2024-06-01"))
    new = mini_engine.check(placement(job__startdatum="2025-06-01"))
    assert entry(old, "proefplaatsing").params == {"max_duur_maanden": 2}
    assert entry(new, "proefplaatsing").params == {"max_duur_maanden": 3}
    assert {r.version for r in old.rulesets if r.id == "aadorp"} == {"2020"}
    assert {r.version for r in new.rulesets if r.id == "aadorp"} == {"2025"}
    # an explicit peildatum overrides the start date
    pinned = mini_engine.check(
        {**placement(job__startdatum="2025-06-01"), "peildatum": "2024-06-01"}
    )
    assert entry(pinned, "proefplaatsing").params == {"max_duur_maanden": 2}


def test_missing_fact_gives_needs_assessment_with_the_fact_named(mini_engine):
    a = mini_engine.check(placement(candidate__loonwaarde_pct=None))
    lks = entry(a, "loonkostensubsidie")
    assert lks.status == "needs_assessment"
    assert lks.missing_facts == ["candidate.loonwaarde_pct"]
    assert "candidate.loonwaarde_pct" in a.missing_facts


def test_missing_fact_does_not_hide_a_definite_no(mini_engine):
    # Loondispensatie needs Wajong AND loonwaarde < 100: a bijstand candidate is simply not.
    a = mini_engine.check(placement(candidate__loonwaarde_pct=None))
    assert entry(a, "loondispensatie").status == "not_eligible"


def test_cross_region_is_flagged(mini_engine):
    a = mini_engine.check(placement(employer__vestigingsgemeente="Ceedam"))
    assert ("cross_region", None) in conflict_types(a)
    assert ("cross_region", None) not in conflict_types(mini_engine.check(placement()))
    # the woonplaatsbeginsel it applies is the one the rule deriving the regie cites
    cross = next(c for c in a.conflicts if c.type == "cross_region")
    regie = next(d for d in a.derivation if d.fact == "regie")
    assert cross.sources == [regie.source]


def test_a_refusal_names_the_conditions_not_met_with_their_values(mini_engine):
    lks = entry(mini_engine.check(placement(candidate__loonwaarde_pct=100)), "loonkostensubsidie")
    assert lks.status == "not_eligible"
    assert "Niet vervuld: loonwaarde" in lks.explanation and "< 100 (is 100)" in lks.explanation
    assert "LKS Aadorp" in lks.reasons[0].explanation  # the rule's own text stays in the reason


def test_gemeente_without_rules_gets_national_instruments_and_a_notice(mini_engine):
    a = mini_engine.check(placement(candidate__woongemeente="Ceedam", candidate__uitkering="ww"))
    assert entry(a, "proefplaatsing").authority == "uwv"
    # The local layer names the gemeente, says its instruments are not encoded, and where to ask.
    notice = next(n for n in a.notices if "Ceedam" in n)
    assert "niet gecodeerd" in notice and "werkgeversservicepunt van arbeidsmarktregio" in notice


def test_unknown_gemeente_names_the_field_and_suggests(mini_engine):
    with pytest.raises(PlacementError) as err:
        mini_engine.check(placement(candidate__woongemeente="Aadrop"))
    assert err.value.field == "candidate.woongemeente"
    assert "Aadorp" in err.value.message


def test_gemeente_that_no_longer_existed_on_peildatum(mini_engine):
    with pytest.raises(
        PlacementError, match=r"Oudgem \(GM0004\) bestaat sinds 01-01-2020 niet meer"
    ):
        mini_engine.check(placement(employer__vestigingsgemeente="Oudgem"))


def test_invalid_placement_names_the_field_path(mini_engine):
    with pytest.raises(PlacementError) as err:
        mini_engine.check(placement(candidate__uitkering="pensioen"))
    assert err.value.field == "candidate.uitkering"
    with pytest.raises(PlacementError) as err:
        mini_engine.check(placement(job__uren_per_week=-3))
    assert err.value.field == "job.uren_per_week"


def test_aliases_and_codes_resolve(mini_engine):
    by_alias = mini_engine.check(placement(candidate__woongemeente="aa"))
    by_code = mini_engine.check(placement(candidate__woongemeente="GM0001"))
    assert by_alias == by_code
    assert by_code.woongemeente.naam == "Aadorp"


def test_rulesets_used_carry_version_hash_and_provenance(mini_engine):
    a = mini_engine.check(placement())
    used = {r.id: r for r in a.rulesets}
    assert set(used) == {"aadorp", "beestad", "regio-noord", "uwv-test"}
    assert all(len(r.content_hash) == 16 and r.provenance == "illustrative" for r in used.values())
    assert a.illustrative is True
