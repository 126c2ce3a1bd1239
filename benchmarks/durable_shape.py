"""What durable_rules' joins cost (issue 26): the same rules on facts of two shapes.

One durable fact per name (`{"n": name, "v": value}`) makes a rule with k conditions a k-way
join in durable's beta network; one durable fact with a property per name makes the same
conditions alpha tests on one fact. Measured on synthetic rules of the product's shape
(conditions `>=` a constant over a dozen facts). This measurement led the compiler to the
second shape for the input facts (`engine/compiler.py`, `t: i`); derived facts are still one
durable fact each, so rules that read them still join."""

from __future__ import annotations

import json
import time
from typing import Any

import durable_rules_engine as durable

NAMES = [f"x{i}" for i in range(12)]


def _rules(rules: int, conditions: int, joined: bool) -> str:
    out: dict[str, Any] = {}
    for r in range(rules):
        tests = [(NAMES[(r + j) % len(NAMES)], (r * 7 + j) % 50) for j in range(conditions)]
        if joined:
            out[f"r{r}"] = {
                "all": [
                    {f"m{j}": {"$and": [{"t": "f"}, {"n": n}, {"$gte": {"v": v}}]}}
                    for j, (n, v) in enumerate(tests)
                ]
            }
        else:
            alpha = [{"t": "i"}] + [{"$gte": {n: v}} for n, v in tests]
            out[f"r{r}"] = {"all": [{"m": {"$and": alpha}}]}
    return json.dumps(out)


def _check(handle: int, facts: str) -> int:
    """Assert, take every action, retract: one check's work in durable. Returns the actions."""
    state = durable.assert_facts(handle, facts)[1]
    started = durable.start_action_for_state(handle, state)
    message, taken = (started[1] if started else None), 0
    while message is not None:
        taken += 1
        message = durable.complete_and_start_action(handle, state)
    durable.retract_facts(handle, facts)
    return taken


def measure_shapes(rules: int = 100, conditions: int = 5, checks: int = 2000) -> dict[str, Any]:
    values = {n: 30 for n in NAMES}
    shapes = {
        "fact_per_name": (
            _rules(rules, conditions, True),
            json.dumps([{"sid": "s", "t": "f", "n": n, "v": v} for n, v in values.items()]),
        ),
        "one_fact": (
            _rules(rules, conditions, False),
            json.dumps([{"sid": "s", "t": "i", **values}]),
        ),
    }
    figures: dict[str, Any] = {"rules": rules, "conditions_per_rule": conditions}
    for name, (definition, facts) in shapes.items():
        handle = durable.create_ruleset(f"shape_{name}", definition)
        try:
            actions = _check(handle, facts)
            cpu = time.process_time()
            for _ in range(checks):
                _check(handle, facts)
            cpu = time.process_time() - cpu
        finally:
            durable.delete_state(handle, "s")
            durable.delete_ruleset(handle)
        figures[name] = {"us_per_check": round(cpu / checks * 1e6, 1), "actions": actions}
    figures["ratio_one_fact_vs_fact_per_name"] = round(
        figures["fact_per_name"]["us_per_check"] / figures["one_fact"]["us_per_check"], 2
    )
    return {"durable_shape": figures}
