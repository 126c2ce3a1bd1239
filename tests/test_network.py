"""The durable_rules network must agree with the expression language's own (Kleene) evaluator."""

from __future__ import annotations

import json
import random
import threading
from datetime import date
from decimal import Decimal

import durable_rules_engine
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.compiler import compile_network
from engine.expressions import evaluate, parse
from engine.model import Source
from engine.rulesets.loader import Rule, RuleSet
from engine.runtime import SESSION, DurableBackend, WarmStates

FACTS = [
    "candidate.loonwaarde_pct",
    "job.uren_per_week",
    "candidate.doelgroepregister",
    "candidate.uitkering",
]


def _leaf(rng: random.Random) -> str:
    kind = rng.randrange(4)
    if kind == 0:
        op = rng.choice(["<", "<=", ">", ">=", "==", "!="])
        return f"candidate.loonwaarde_pct {op} {rng.randrange(0, 101, 10)}"
    if kind == 1:
        return f"{rng.randrange(10, 41, 10)} <= job.uren_per_week"
    if kind == 2:
        return "candidate.doelgroepregister"
    items = ", ".join(repr(u) for u in rng.sample(["ww", "bijstand", "wajong", "geen"], 2))
    return f"candidate.uitkering {rng.choice(['in', 'not in'])} [{items}]"


def _condition(rng: random.Random, depth: int) -> str:
    if depth == 0 or rng.random() < 0.3:
        return _leaf(rng)
    op = rng.choice(["and", "or", "not"])
    if op == "not":
        return f"not ({_condition(rng, depth - 1)})"
    return f"({_condition(rng, depth - 1)}) {op} ({_condition(rng, depth - 1)})"


def _ruleset(conditions: list[str]) -> RuleSet:
    src = Source(title="t", article="1", url="https://example.org")
    rules = tuple(
        Rule(f"r{i}", f"gen/r{i}", "jobcoaching", parse(c), "eligible", {}, (), c, src, None)
        for i, c in enumerate(conditions)
    )
    return RuleSet(
        id="gen",
        authority="uwv",
        version="1",
        title="gen",
        valid_from=date(2020, 1, 1),
        valid_to=None,
        provenance="illustrative",
        provenance_note="",
        sources={},
        adopts=(),
        carried_out_by=None,
        derived=(),
        rules=rules,
        file="gen",
        content_hash="h",
    )


RNG = random.Random(20251123)
CONDITIONS = [_condition(RNG, 3) for _ in range(150)]
BACKEND = DurableBackend(compile_network([_ruleset(CONDITIONS)], {}), None, WarmStates(cap=1))

facts_strategy = st.fixed_dictionaries(
    {},
    optional={
        "candidate.loonwaarde_pct": st.integers(0, 100).map(Decimal),
        "job.uren_per_week": st.integers(1, 40).map(Decimal),
        "candidate.doelgroepregister": st.booleans(),
        "candidate.uitkering": st.sampled_from(["ww", "bijstand", "wajong", "geen"]),
    },
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(facts_strategy)
def test_network_fires_exactly_the_rules_the_evaluator_finds_true(facts):
    facts = {"peildatum": date(2025, 1, 1), **facts}
    fired = set(BACKEND.run(facts, {}).fired)
    expected = {f"gen/r{i}" for i, c in enumerate(CONDITIONS) if evaluate(parse(c), facts) is True}
    assert fired == expected


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(facts_strategy)
def test_network_refutes_exactly_the_rules_the_evaluator_finds_false(facts):
    """One pass: the refusal and its reasons come from the network, not a second evaluation."""
    facts = {"peildatum": date(2025, 1, 1), **facts}
    refuted = BACKEND.run(facts, {}).refuted
    expected = {f"gen/r{i}" for i, c in enumerate(CONDITIONS) if evaluate(parse(c), facts) is False}
    assert set(refuted) == expected
    for actions in refuted.values():  # the tests that refute a rule hold, and so refute it
        for action in actions:
            assert all(evaluate(test, facts) is True for test in action.refuted_by or ())


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(facts_strategy, st.randoms(use_true_random=False))
def test_fact_order_does_not_matter(facts, rnd):
    facts = {"peildatum": date(2025, 1, 1), **facts}
    items = list(facts.items())
    rnd.shuffle(items)
    assert sorted(BACKEND.run(dict(items), {}).fired) == sorted(BACKEND.run(facts, {}).fired)


def test_sessions_leave_no_state_behind():
    facts = {"peildatum": date(2025, 1, 1), "candidate.loonwaarde_pct": Decimal(40)}
    first = sorted(BACKEND.run(facts, {}).fired)
    for _ in range(200):
        assert sorted(BACKEND.run(facts, {}).fired) == first
    # the one session state is kept, emptied of every check's facts (inputs and derived)
    assert json.loads(durable_rules_engine.get_facts(BACKEND._handle, SESSION)) == []


def test_concurrent_sessions_on_one_network_do_not_mix():
    cases = [
        {
            "peildatum": date(2025, 1, 1),
            "candidate.loonwaarde_pct": Decimal(v),
            "candidate.uitkering": u,
        }
        for v in range(0, 101, 20)
        for u in ("ww", "bijstand", "wajong")
    ]
    expected = [sorted(BACKEND.run(c, {}).fired) for c in cases]
    results: dict[int, list] = {}

    def worker(offset: int) -> None:
        for i in range(len(cases)):
            j = (i + offset) % len(cases)
            results.setdefault(j, []).append(sorted(BACKEND.run(cases[j], {}).fired))

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for j, runs in results.items():
        assert all(r == expected[j] for r in runs)


def test_negation_as_failure_is_refused():

    from engine.expressions.normal_form import condition_problem

    assert "not known" in condition_problem(parse("not known(candidate.loonwaarde_pct)"), {})
    assert (
        condition_problem(parse("known(candidate.loonwaarde_pct) or job.uren_per_week > 3"), {})
        is None
    )


def test_a_network_beyond_durable_rules_limit_is_refused_with_a_clear_error():
    from engine.compiler import MAX_ACTIONS
    from engine.errors import ExpressionError

    # distinct conditions: identical ones are one network rule (4,096 rules and 128 refutations)
    too_many = [
        f"job.uren_per_week > {a} and candidate.loonwaarde_pct > {b}"
        for a in range(64)
        for b in range(MAX_ACTIONS // 64)
    ]
    with pytest.raises(ExpressionError, match="at most 4096"):
        compile_network([_ruleset(too_many)], {})


def test_rules_with_the_same_condition_share_one_network_rule():
    # 121 copies of one rule: one condition and one refutation in the network, and each copy
    # still concluded (issue 10's example; durable refused that network before)
    copies = ["job.uren_per_week > 30"] * 121
    network = compile_network([_ruleset(copies)], {})
    assert len(network.definition) == 2
    backend = DurableBackend(network)
    facts = {"peildatum": date(2025, 1, 1)}
    held = backend.run({**facts, "job.uren_per_week": Decimal(32)}, {})
    assert sorted(held.fired) == sorted(f"gen/r{i}" for i in range(121))
    refused = backend.run({**facts, "job.uren_per_week": Decimal(20)}, {})
    assert held.refuted == {} and len(refused.refuted) == 121 and refused.fired == []
    backend.close()


def test_only_the_most_recently_used_networks_keep_their_session_state():
    # durable_rules builds a state with memory for every node: the warm ones are bounded
    warm = WarmStates(cap=1)
    a, b = (DurableBackend(compile_network([_ruleset(CONDITIONS)], {}), None, warm) for _ in "ab")
    facts = {"peildatum": date(2025, 1, 1), "candidate.uitkering": "ww"}
    a.run(facts, {})
    assert len(warm) == 1 and durable_rules_engine.get_state(a._handle, SESSION)
    b.run(facts, {})  # b is now the one kept warm: a's state is deleted
    with pytest.raises(durable_rules_engine.error, match="309"):
        durable_rules_engine.get_state(a._handle, SESSION)
    assert durable_rules_engine.get_state(b._handle, SESSION)
    assert sorted(a.run(facts, {}).fired) == sorted(b.run(facts, {}).fired)
    cold = DurableBackend(compile_network([_ruleset(CONDITIONS)], {}), None, WarmStates(cap=0))
    cold.run(facts, {})
    with pytest.raises(durable_rules_engine.error, match="309"):
        durable_rules_engine.get_state(cold._handle, SESSION)
    for backend in (a, b, cold):
        backend.close()
    assert len(warm) == 0


def test_a_state_cooled_while_its_check_ran_is_deleted_after_that_check():
    # WarmStates cools the least recently used network from another thread's check; if that
    # network is checking, its own check deletes the state when it ends (not kept after all)
    warm = WarmStates(cap=4)
    backend = DurableBackend(compile_network([_ruleset(CONDITIONS)], {}), None, warm)
    facts = {"peildatum": date(2025, 1, 1), "candidate.uitkering": "ww"}
    backend.run(facts, {})
    assert durable_rules_engine.get_state(backend._handle, SESSION)  # kept warm
    with backend._lock:  # as while a check runs here
        backend.cool()  # cannot wait for the lock: asks the running check instead
    fired = backend.run(facts, {}).fired
    with pytest.raises(durable_rules_engine.error, match="309"):
        durable_rules_engine.get_state(backend._handle, SESSION)
    assert sorted(backend.run(facts, {}).fired) == sorted(fired)  # and warm again after
    assert durable_rules_engine.get_state(backend._handle, SESSION)
    backend.close()
