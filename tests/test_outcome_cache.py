"""The answer after the network kept per outcome (issue 26): the same answers with the cache as
without, on sample placements, repeats, other days of the same network and random placements."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.placements import sample_placements
from engine.arrange import outcome
from engine.arrange.outcome import OutcomeCache, Tally, Traced, values_key
from engine.arrangement import Engine
from engine.rulesets.registry import load_rulebase
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def engines() -> tuple[Engine, Engine]:
    rb = load_rulebase(ROOT / "rules")
    cached = Engine(rb, outcomes=True)
    cached._tally = _always()  # before any network is compiled: they all share it
    return cached, Engine(rb, outcomes=False)


class _Always(Tally):
    """Keeps every answer: the cache is what is tested, not when it pays."""

    def skip(self) -> bool:
        return False


def _always() -> Tally:
    return _Always()


def _hits(engine: Engine) -> int:
    return sum(c.outcomes.hits for c in engine._compiled._items.values())


def _moved(placement: dict, days: int) -> dict:
    """The same placement with every date `days` later (the same network as a rule)."""
    out = {k: dict(v) for k, v in placement.items()}
    for part, field in (
        ("candidate", "geboortedatum"),
        ("candidate", "uitkering_sinds"),
        ("job", "startdatum"),
    ):
        if field in out[part]:
            day = date.fromisoformat(out[part][field]) + timedelta(days=days)
            out[part][field] = day.isoformat()
    return out


def test_sample_placements_same_answers_with_and_without(engines):
    cached, plain = engines
    samples = sample_placements(plain, 300)
    # twice each, then on another day: repeats hit, and a hit on another peildatum must still
    # carry its own peildatum, amounts' month and parameter notices
    for placement in [*samples, *samples, *(_moved(p, 1) for p in samples)]:
        assert cached.check(placement).model_dump() == plain.check(placement).model_dump()
    assert _hits(cached) >= 300  # the second pass came from the cache


def test_a_kept_answer_is_not_changed_by_the_next_check(engines):
    cached, plain = engines
    placement = sample_placements(plain, 1, seed=3)[0]
    first = cached.check(placement)
    first.notices.append("changed by a caller")
    first.derivation.clear()
    again = cached.check(placement)
    assert again.model_dump() == plain.check(placement).model_dump()


uitkeringen = st.sampled_from(["bijstand", "ww", "wajong", "wia_wga", "geen"])
gemeenten = st.sampled_from(["Delft", "Den Haag", "Rijswijk", "Dordrecht", "GM0014"])


@st.composite
def placements(draw):
    # a coarse grid, so that outcomes and their values repeat and the cache answers
    start = date(2024, 1, 1) + timedelta(days=draw(st.sampled_from([0, 1, 31, 200, 400, 700])))
    candidate = {
        "woongemeente": draw(gemeenten),
        "geboortedatum": (
            start - timedelta(days=365 * draw(st.sampled_from([20, 30, 56, 64])))
        ).isoformat(),
        "uitkering": draw(uitkeringen),
        "uitkering_sinds": (start - timedelta(days=draw(st.sampled_from([30, 400])))).isoformat(),
        "doelgroepregister": draw(st.booleans()),
    }
    if draw(st.booleans()):
        candidate["loonwaarde_pct"] = draw(st.sampled_from([30, 50, 100]))
    job = {"startdatum": start.isoformat(), "uren_per_week": draw(st.sampled_from([20, 36]))}
    if draw(st.booleans()):
        job["brutoloon_per_maand"] = draw(st.sampled_from([2100, 3000]))
    return {"candidate": candidate, "employer": {"vestigingsgemeente": draw(gemeenten)}, "job": job}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(placements())
def test_random_placements_same_answers_with_and_without(engines, placement):
    cached, plain = engines
    assert cached.check(placement).model_dump() == plain.check(placement).model_dump()


def test_values_key_tells_equal_numbers_of_other_types_apart():
    env = {"a": 1, "b": Decimal("1.0")}
    keys = {
        values_key(env, ("a", "b")),
        values_key({"a": 1.0, "b": Decimal("1.0")}, ("a", "b")),
        values_key({"a": True, "b": Decimal("1.0")}, ("a", "b")),
        values_key({"a": 1, "b": Decimal("1")}, ("a", "b")),
        values_key({"a": 1}, ("a", "b")),  # b unknown
    }
    assert len(keys) == 5
    assert values_key(env, (), ("a", "c")) == (True, False)


def test_traced_records_values_and_presence_apart():
    traced = Traced({"a": 1, "b": 2})
    assert traced.get("a") == 1 and "b" in traced and "c" not in traced
    assert traced.names == {"a"} and traced.present == {"b", "c"} and not traced.listed
    list(traced)
    assert traced.listed


def test_a_new_path_through_the_code_grows_the_outcome_and_stays_correct():
    cache: OutcomeCache[str] = OutcomeCache(_always())

    def build(env):  # reads b only when a is true: two paths through the code
        return f"{env['a']}-{env.get('b')}" if env["a"] else "no"

    assert cache.answer("o", {"a": False, "b": 1}, build) == ("no", False)
    assert cache.answer("o", {"a": False, "b": 2}, build) == ("no", True)
    assert cache.answer("o", {"a": True, "b": 1}, build) == ("True-1", False)
    assert cache.answer("o", {"a": True, "b": 2}, build) == ("True-2", False)
    assert cache.answer("o", {"a": True, "b": 2}, build) == ("True-2", True)


def test_listing_the_values_is_never_kept():
    cache: OutcomeCache[int] = OutcomeCache(_always())
    assert cache.answer("o", {"a": 1}, len) == (1, False)
    assert cache.answer("o", {"a": 1}, len) == (1, False)


def test_a_workload_without_repeats_stops_tracing_then_tries_again(monkeypatch):
    monkeypatch.setattr(outcome, "TRIAL", 4)
    monkeypatch.setattr(outcome, "RETRY", 3)
    tally = Tally()
    cache: OutcomeCache[int] = OutcomeCache(tally)
    for i in range(5):  # every value new: misses
        cache.answer("o", {"a": i}, lambda env: env["a"])
    assert tally.misses == 5 and tally.skip()
    assert cache.answer("o", {"a": 0}, lambda env: env["a"]) == (0, False)  # built, not kept
    tally.skip()  # the third skipped check starts a new trial with empty caches
    assert tally.misses == 0 and tally.generation == 1
    assert cache.answer("o", {"a": 0}, lambda env: env["a"]) == (0, False)
    assert cache.answer("o", {"a": 0}, lambda env: env["a"]) == (0, True)
