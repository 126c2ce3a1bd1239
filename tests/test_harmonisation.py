"""Harmonisation analysis on a hand-made rule base whose differences are known (see
tests/fixtures/harmonie/README.md), on the shipped rules, and across executors."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.analysis import Options, harmonisation
from engine.analysis.outcomes import in_words
from engine.analysis.profiles import GRID_SIZE, grid_profiles, sweep_profiles
from engine.analysis.summary import Q40_ANSWERS
from engine.analysis.sweep import outcomes
from engine.arrangement import Engine
from engine.errors import PlacementError
from engine.rulesets.registry import load_rulebase
from tests.rulebases import rule_base

FIXTURE = rule_base("harmonie")  # mini's catalogue and parameters + tests/fixtures/harmonie
REGIE_GEMEENTE = {"bijstand", "ioaw", "ioaz", "anw", "geen"}
PEIL = date(2025, 3, 1)
N = 700  # the whole grid (576) plus generated profiles


@pytest.fixture(scope="module")
def h_engine() -> Engine:
    return Engine(load_rulebase(FIXTURE))


@pytest.fixture(scope="module")
def oost(h_engine):
    return harmonisation(h_engine, "oost", PEIL, Options(profiles=N, executor="serial"))


def _cell(report, instrument, authority):
    return next(c for c in report.matrix if c.instrument == instrument and c.authority == authority)


def test_matrix_shows_what_each_gemeente_offers_and_through_whom(oost):
    delden, fijnaart = (
        _cell(oost, "proefplaatsing", "GM0011"),
        _cell(oost, "proefplaatsing", "GM0013"),
    )
    assert (delden.offered, delden.params, delden.via) == (
        True, {"duur_maanden": 2}, "regionale regels (regio Oost)",
    )  # fmt: skip
    assert (fijnaart.params, fijnaart.via) == ({"duur_maanden": 3}, "eigen regels")
    assert _cell(oost, "proefplaatsing", "regio:oost").params == {"duur_maanden": 2}
    assert _cell(oost, "proefplaatsing", "uwv").doelgroep == ["regie uwv"]
    lks = _cell(oost, "loonkostensubsidie", "GM0012")
    assert lks.via == "landelijk kader, uitgevoerd door de gemeente" and lks.amounts
    assert _cell(oost, "jobcoaching", "GM0013").params == {"max_uren": 100}


def test_rule_differences_are_typed(oost):
    found = {(d.type, d.instrument, tuple(d.gemeenten)) for d in oost.rule_differences}
    assert ("local_exception", "proefplaatsing", ("GM0013",)) in found
    assert ("parameter_mismatch", "proefplaatsing", ("GM0013",)) in found
    assert (
        "statutory_non_harmonisable",
        "loondispensatie",
        ("GM0011", "GM0012", "GM0013"),
    ) in found
    assert not any(d.instrument == "jobcoaching" for d in oost.rule_differences)


def test_outcome_differences_counted_from_the_profiles(oost):
    profiles = sweep_profiles(N)
    regie_gemeente = sum(p.uitkering in REGIE_GEMEENTE for p in profiles)
    statutory = sum(
        p.loonwaarde_pct is not None
        and p.loonwaarde_pct < 100
        and (p.uitkering in REGIE_GEMEENTE or p.uitkering == "wajong")
        for p in profiles
    )
    got = {(d.instrument, d.type): d for d in oost.outcome_differences}
    assert set(got) == {
        ("proefplaatsing", "local_exception"),
        ("loondispensatie", "statutory_non_harmonisable"),
    }
    proef = got[("proefplaatsing", "local_exception")]
    assert proef.gemeenten == ["GM0013"]
    assert proef.profiles_affected == regie_gemeente
    assert [g["gemeenten"] for g in proef.groups] == [["GM0011", "GM0012"], ["GM0013"]]
    assert got[("loondispensatie", "statutory_non_harmonisable")].profiles_affected == statutory
    assert oost.heatmap["proefplaatsing"]["GM0013"] == round(regie_gemeente / N, 4)
    assert oost.heatmap["proefplaatsing"]["GM0011"] == 0.0


def test_examples_reproduce_with_check(h_engine, oost):
    """Every example placement, run through `check`, gives the outcome the report shows."""
    for d in oost.outcome_differences:
        assert d.examples
        for ex in d.examples:
            for code, placement in ex.placements.items():
                got = outcomes(h_engine.check(placement))[ex.instrument or d.instrument]
                text = in_words(got)
                assert ex.outcomes[code].endswith(text), (d.instrument, code, ex.outcomes[code])


def test_summary_answers_q40_q42_and_index(h_engine, oost):
    s = oost.summary
    assert s.q40.answer == Q40_ANSWERS[1]  # Delden and Eefde have all their instruments equal
    assert s.q40.also_true == [Q40_ANSWERS[2], Q40_ANSWERS[3]]  # jobcoaching everywhere
    assert s.q40.harmonised_groups == [["GM0011", "GM0012"]]
    assert s.q40.harmonised_instruments == ["jobcoaching"]
    assert s.q40.uniform_by_law == ["loonkostensubsidie"]
    assert s.q42.answer == "Ja"
    assert s.q42.aligned == [
        {
            "instrument": "proefplaatsing",
            "gemeenten": ["GM0011", "GM0012"],
            "terms": ["duur_maanden"],
        }
    ]
    assert s.index_per_instrument["jobcoaching"] == 1.0
    assert 0 < s.index_per_instrument["proefplaatsing"] < 1
    assert s.shopping.profiles_exposed == 0  # same instruments and amounts, only a duration differs
    west = harmonisation(h_engine, "west", PEIL, Options(profiles=N, executor="serial"))
    assert west.summary.q40.answer == Q40_ANSWERS[0]
    assert west.summary.index == 1.0
    assert [d.type for d in west.outcome_differences] == ["statutory_non_harmonisable"]


def test_compare_dates_shows_what_the_new_verordening_changed(h_engine):
    r = harmonisation(
        h_engine,
        "oost",
        PEIL,
        Options(profiles=N, executor="serial"),
        compare_date=date(2024, 6, 1),
    )
    c = r.compare_date
    assert [(m["instrument"], m["authority"]) for m in c.matrix_changes] == [
        ("proefplaatsing", "GM0013")
    ]
    profiles = sweep_profiles(N)
    regie_gemeente = sum(p.uitkering in REGIE_GEMEENTE for p in profiles)
    # the test minimum wage goes from 10 to 12 an hour on 2025-01-01: every LKS amount changes
    lks = sum(
        p.uitkering in REGIE_GEMEENTE and p.loonwaarde_pct is not None and p.loonwaarde_pct < 100
        for p in profiles
    )
    changes = {(o["instrument"], o["gemeente"]): o["profiles_affected"] for o in c.outcome_changes}
    assert changes == {
        ("proefplaatsing", "GM0013"): regie_gemeente,
        ("loonkostensubsidie", "GM0011"): lks,
        ("loonkostensubsidie", "GM0012"): lks,
        ("loonkostensubsidie", "GM0013"): lks,
    }
    assert c.index_after == 1.0 and c.index_before < 1.0  # 2024: all three followed the region


def test_compare_regions(h_engine):
    r = harmonisation(h_engine, "oost", PEIL, Options(profiles=N, executor="serial"),
                      compare_region="west")  # fmt: skip
    assert r.compare_region.index["west"] == 1.0 > r.compare_region.index["oost"]
    assert r.compare_region.differences == {"oost": 1, "west": 0}
    assert r.other_region.region == "west"


def test_local_and_dask_runs_equal_the_serial_run(h_engine, oost, tmp_path):
    distributed = pytest.importorskip("distributed")
    import dask

    dask.config.set({"temporary-directory": str(tmp_path)})  # no scratch space left behind
    options = Options(profiles=N, executor="local", workers=2)
    local = harmonisation(h_engine, "oost", PEIL, options)
    assert local.model_dump() == oost.model_dump()
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        local_directory=str(tmp_path),
    )
    with cluster:
        address = "dask://" + cluster.scheduler_address.split("://", 1)[1]
        dask = harmonisation(h_engine, "oost", PEIL, Options(profiles=N, executor=address))
    assert dask.model_dump() == oost.model_dump()


def test_progress_is_reported_up_to_every_check(h_engine):
    seen: list[tuple[int, int]] = []
    harmonisation(h_engine, "west", PEIL, Options(profiles=600, executor="serial"),
                  progress=lambda done, total: seen.append((done, total)))  # fmt: skip
    assert seen[-1] == (1200, 1200)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_bad_input_names_the_field(h_engine):
    with pytest.raises(PlacementError, match="onbekende arbeidsmarktregio 'noordpool'"):
        harmonisation(h_engine, "noordpool", PEIL, Options(profiles=10, executor="serial"))
    with pytest.raises(ValueError, match="onbekende executor"):
        harmonisation(h_engine, "oost", PEIL, Options(profiles=10, executor="spark://x"))


def test_profiles_are_deterministic_and_count_as_asked():
    assert sweep_profiles(10_000) == sweep_profiles(10_000)
    assert len(sweep_profiles(10_000)) == 10_000
    assert len(grid_profiles()) == GRID_SIZE
    few = sweep_profiles(100)
    assert len(few) == 100 and {p.uitkering for p in few} == {
        p.uitkering for p in sweep_profiles(576)
    }
    assert sweep_profiles(1000, seed=1) != sweep_profiles(1000, seed=2)


# ------------------------------------------------------------------------ the shipped rules


def test_haaglanden_shows_real_differences_that_reproduce(engine):
    r = harmonisation(
        engine, "haaglanden", date(2025, 4, 1), Options(profiles=600, executor="serial")
    )
    assert {g.code for g in r.gemeenten} == {"GM0518", "GM0503", "GM0603", "GM1783", "GM1842"}
    local = [d for d in r.outcome_differences if d.type != "statutory_non_harmonisable"]
    assert local, "the Haaglanden gemeenten differ (jobcoaching in Westland, for one)"
    assert any(d.type == "statutory_non_harmonisable" for d in r.rule_differences)
    assert any(d.type == "statutory_non_harmonisable" for d in r.outcome_differences)
    for d in local:
        for ex in d.examples[:1]:
            for code, placement in ex.placements.items():
                got = in_words(outcomes(engine.check(placement))[d.instrument])
                assert ex.outcomes[code].endswith(got)
    assert r.illustrative and any("illustratief" in n for n in r.notices)


def test_drechtsteden_is_harmonised_by_construction(engine):
    r = harmonisation(
        engine, "drechtsteden", date(2025, 4, 1), Options(profiles=600, executor="serial")
    )
    assert len(r.gemeenten) == 7
    assert [d.type for d in r.outcome_differences] == ["statutory_non_harmonisable"]
    assert r.summary.q40.answer == Q40_ANSWERS[0]
    assert r.summary.index == 1.0
    assert json.loads(r.model_dump_json())["summary"]["q40"]["answer"] == Q40_ANSWERS[0]


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(order=st.permutations(["Delden", "Eefde", "Fijnaart"]))
def test_the_order_of_gemeenten_does_not_change_the_findings(h_engine, order):
    def findings(report):
        return (
            sorted(
                (d.instrument, d.type, tuple(sorted(d.gemeenten)), d.profiles_affected)
                for d in report.outcome_differences
            ),
            report.summary.q40.answer,
            report.summary.index,
            {i: dict(sorted(h.items())) for i, h in report.heatmap.items()},
        )

    options = Options(profiles=120, executor="serial")
    base = harmonisation(h_engine, "oost", PEIL, options)
    shuffled = harmonisation(h_engine, "oost", PEIL, replace(options, gemeenten=tuple(order)))
    assert findings(shuffled) == findings(base)


def test_a_rule_difference_never_reads_as_two_equal_offers(engine):
    # Haaglanden 2025: beschut werk "op beoordeling" on both sides, under other conditions
    from engine.analysis.matrix import build_matrix

    when = date(2025, 6, 1)
    geo = engine.rulebase.geography
    members = [g for g in geo.gemeenten if g.regio == "haaglanden" and g.exists_on(when)]
    _, differences = build_matrix(engine, members, when)
    for d in differences:
        if "verschilt tussen gemeenten" not in d.explanation:
            continue
        said = d.explanation.split(". ", 1)[1].rstrip(".")
        offers = [part.split(": ", 1)[1] for part in said.split("; gemeente ")]
        assert len(set(offers)) == len(offers), d.explanation
    beschut = next(d for d in differences if d.instrument == "beschut_werk")
    own = "op beoordeling (eigen regels; als begeleiding door is de gemeente"
    assert own in beschut.explanation
