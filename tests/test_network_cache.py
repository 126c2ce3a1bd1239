"""The compiled-network cache is bounded (LRU), releases what it evicts, and rebuilds on demand."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from engine.arrangement import Engine, parse_placement
from engine.errors import PlacementError
from engine.facts import placement_facts
from engine.network_cache import DEFAULT_CAP, ENV_VAR, NetworkCache, configured_cap
from engine.runtime import DurableBackend

PAIRS = list(
    itertools.product(
        ["Delft", "Den Haag", "Dordrecht", "Zoetermeer", "Westland", "Sliedrecht"],
        ["Rijswijk", "Papendrecht", "Wassenaar"],
    )
)


def _placement(woon: str, vest: str) -> dict:
    return {
        "candidate": {
            "woongemeente": woon,
            "geboortedatum": "1985-03-01",
            "uitkering": "bijstand",
            "uitkering_sinds": "2023-06-01",
            "doelgroepregister": True,
            "loonwaarde_pct": 60,
            "eerder_in_dienst_bij_werkgever": False,
        },
        "employer": {"vestigingsgemeente": vest},
        "job": {"startdatum": "2025-05-01", "uren_per_week": 32, "contract_maanden": 12},
    }


def test_lru_never_exceeds_its_cap_and_releases_the_least_recently_used():
    released: list[str] = []
    cache: NetworkCache[str] = NetworkCache(3, released.append)
    for key in "abc":
        cache[key] = key.upper()
    assert cache.get("a") == "A"  # a is now the most recently used
    cache["d"] = "D"
    assert released == ["B"] and "b" not in cache and "a" in cache
    for i in range(20):
        cache[f"k{i}"] = f"K{i}"
        assert len(cache) <= 3
    assert len(released) == 21 and cache.evictions == 21 and cache.inserts == 24


def test_cap_comes_from_the_argument_then_the_environment(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert configured_cap() == DEFAULT_CAP
    monkeypatch.setenv(ENV_VAR, "5")
    assert configured_cap() == 5
    assert configured_cap(2) == 2
    monkeypatch.setenv(ENV_VAR, "veel")
    with pytest.raises(ValueError, match=ENV_VAR):
        configured_cap()
    with pytest.raises(ValueError, match="minstens 1"):
        configured_cap(0)


def test_a_bad_cache_setting_is_a_clear_error_not_a_traceback(monkeypatch, capsys):
    from api.cli import main

    monkeypatch.setenv(ENV_VAR, "veel")
    root = Path(__file__).resolve().parents[1]
    sample = root / "samples" / "delft-bijstand.yaml"
    assert main(["--rules", str(root / "tests" / "fixtures" / "mini"), "check", str(sample)]) == 2
    err = capsys.readouterr().err
    assert "ARRANGEUR_NETWORK_CACHE='veel'" in err and "geheel getal" in err
    assert "Traceback" not in err


def test_evicted_networks_are_released_and_rebuilt_with_the_same_answers(engine):
    small = Engine(engine.rulebase, network_cache=2)
    first = small.check(_placement(*PAIRS[0]))
    scope = small.scope(parse_placement(_placement(*PAIRS[0])))
    params = engine.rulebase.parameters.at(scope.peildatum)
    evicted_backend = small.compiled(scope.rulesets, params).backend
    for woon, vest in PAIRS:
        assert small.check(_placement(woon, vest)) == engine.check(_placement(woon, vest))
        assert len(small._compiled) <= 2
    assert small._compiled.evictions > 0
    assert isinstance(evicted_backend, DurableBackend)
    assert evicted_backend._handle is None  # its C ruleset was freed on eviction
    assert small.check(_placement(*PAIRS[0])) == first  # compiled again, same arrangement


def test_a_check_holding_an_evicted_backend_still_runs(engine):
    small = Engine(engine.rulebase, network_cache=1)
    small.check(_placement("Delft", "Rijswijk"))
    (held,) = small._compiled._items.values()
    small.check(_placement("Dordrecht", "Papendrecht"))  # evicts and closes `held`
    assert held.backend._handle is None
    placement = parse_placement(_placement("Delft", "Rijswijk"))
    scope = small.scope(placement)
    params = engine.rulebase.parameters.at(scope.peildatum)
    facts = placement_facts(placement, scope.woon.code, scope.vest.code)
    reference = engine.compiled(scope.rulesets, params).backend.run(facts, params)
    session = held.backend.run(facts, params)
    assert session.fired == reference.fired and session.facts == reference.facts
    held.backend.close()


def test_a_dropped_engine_frees_its_networks_at_once(engine):
    # durable's C memory is invisible to Python's gc: nothing may keep a dropped engine's
    # networks (and their warm session states) alive until a gc run happens to come
    import gc
    import weakref

    own = Engine(engine.rulebase)
    own.check(_placement("Delft", "Rijswijk"))
    (compiled,) = list(own._compiled._items.values())
    backend = weakref.ref(compiled.backend)
    del compiled
    gc.disable()
    try:
        del own
        assert backend() is None
    finally:
        gc.enable()


def test_a_plan_is_kept_per_gemeente_pair_and_date_but_a_refused_gemeente_is_not(engine):
    """The scope, parameters and network of a gemeente pair and peildatum are worked out once;
    a gemeente that does not exist on the date is refused on every check, never cached."""
    fresh = Engine(engine.rulebase)
    first = parse_placement(_placement("Delft", "Rijswijk"))
    older = dict(_placement("Delft", "Rijswijk"))
    older["candidate"] = {**older["candidate"], "geboortedatum": "1960-01-01"}
    a, b = fresh.check(first), fresh.check(older)
    assert len(fresh._plans) == 1  # noqa: SLF001 - the cache is what is tested
    assert a.model_dump() == engine.check(first).model_dump()  # same as an engine without it
    assert b.model_dump() == Engine(engine.rulebase).check(older).model_dump()
    gone = _placement("Strijen", "Rijswijk")  # merged into Hoeksche Waard on 1-1-2019
    for _ in range(2):
        with pytest.raises(PlacementError, match="Strijen"):
            fresh.check(gone)
    assert len(fresh._plans) == 1  # noqa: SLF001
