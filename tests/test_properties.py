"""Properties users rely on: determinism, order independence, validity dates, concurrency."""

from __future__ import annotations

import random
import shutil
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.placements import sample_placements
from engine.arrangement import Engine
from engine.rulesets.registry import load_rulebase
from tests.conftest import ROOT

uitkeringen = st.sampled_from(["bijstand", "ww", "wajong", "wia_wga", "geen", "ioaw", "zw"])
gemeenten = st.sampled_from(["Delft", "Den Haag", "Rijswijk", "Dordrecht", "GM0014"])


@st.composite
def placements(draw):
    start = date(2023, 1, 1) + timedelta(days=draw(st.integers(0, 1400)))
    candidate = {
        "woongemeente": draw(gemeenten),
        "geboortedatum": (
            start - timedelta(days=draw(st.integers(18 * 365, 66 * 365)))
        ).isoformat(),
        "uitkering": draw(uitkeringen),
        "uitkering_sinds": (start - timedelta(days=draw(st.integers(0, 900)))).isoformat(),
        "doelgroepregister": draw(st.booleans()),
        "eerder_in_dienst_bij_werkgever": draw(st.booleans()),
    }
    if draw(st.booleans()):
        candidate["loonwaarde_pct"] = draw(st.integers(10, 100))
    job = {"startdatum": start.isoformat(), "uren_per_week": draw(st.integers(8, 40))}
    if draw(st.booleans()):
        job["contract_maanden"] = draw(st.sampled_from([3, 5, 6, 12]))
    if draw(st.booleans()):
        job["brutoloon_per_maand"] = draw(st.integers(1800, 4000))
    return {"candidate": candidate, "employer": {"vestigingsgemeente": draw(gemeenten)}, "job": job}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(placements())
def test_same_input_same_output(engine, placement):
    assert engine.check(placement) == engine.check(placement)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(placements())
def test_a_rule_set_never_applies_outside_its_validity(engine, placement):
    arrangement = engine.check(placement)
    peil = arrangement.peildatum
    for used in arrangement.rulesets:
        assert used.valid_from <= peil and (used.valid_to is None or peil <= used.valid_to)
    used_ids = {(r.id, r.version) for r in arrangement.rulesets}
    for rs in engine.rulebase.rulesets:
        if (rs.id, rs.version) in used_ids:
            assert rs.in_force(peil)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(placements())
def test_statutory_exclusive_pairs_never_both_eligible(engine, placement):
    eligible = {e.instrument for e in engine.check(placement).instruments if e.status == "eligible"}
    for rel in engine.rulebase.catalogue.relations:
        assert len(eligible & set(rel.instruments)) <= 1


def test_rule_file_order_does_not_change_answers(tmp_path: Path, engine):
    """The same rule sets under other file names (so loaded in another order) answer the same."""
    shuffled = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", shuffled)
    rng = random.Random(3)
    for folder in ("uwv", "rijk", "gemeenten", "regio"):
        for file in (shuffled / folder).glob("*.yaml"):
            file.rename(file.with_name(f"{rng.randrange(10**6):06d}-{file.name}"))
    other = Engine(load_rulebase(shuffled))
    for p in sample_placements(engine, 40, seed=11):
        a, b = engine.check(p), other.check(p)
        assert a.model_dump(exclude={"rulesets"}) == b.model_dump(exclude={"rulesets"})


def test_many_parallel_checks_equal_one_by_one(engine):
    cases = sample_placements(engine, 120, seed=5)
    expected = [engine.check(p) for p in cases]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(engine.check, cases * 3))
    assert results == expected * 3


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(placements())
def test_durable_network_and_plain_python_give_the_same_arrangement(
    engine, python_engine, placement
):
    assert engine.check(placement) == python_engine.check(placement)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(placements())
def test_clips_peer_gives_the_same_arrangement(engine, clips_engine, placement):
    assert clips_engine.check(placement) == engine.check(placement)
