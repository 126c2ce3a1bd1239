"""durable_rules' real limits are known to the compiler: a network beyond them is refused with a
clear message naming the scope and the condition, never durable's `error code: 108` (or a hang)."""

from __future__ import annotations

import pytest

from engine.compiler import (
    MAX_RULES_PER_CONDITION,
    MAX_TESTS_AFTER_ONE_TEST,
    compile_network,
    network_limit_problem,
)
from engine.errors import ExpressionError
from engine.runtime import DurableBackend
from tests.test_network import _ruleset


def _sharing(n: int) -> list[str]:
    """n rules that all test `regie == 'gemeente'`, as every synthetic gemeente's rules do."""
    facts = ("job.uren_per_week", "job.contract_maanden")  # < 511 distinct tests after each
    return [f"regie == 'gemeente' and {facts[i % 2]} >= {i}" for i in range(n)]


def test_rules_sharing_one_condition_up_to_the_limit_compile_and_run():
    network = compile_network([_ruleset(_sharing(MAX_RULES_PER_CONDITION))], {})
    backend = DurableBackend(network)  # durable_rules accepts it
    session = backend.run({"regie": "gemeente", "peildatum": "x"}, {})  # builds and runs
    assert session.fired == []  # hours and contract unknown: no rule holds
    backend.close()


def test_one_rule_too_many_sharing_a_condition_is_refused_naming_scope_and_condition():
    with pytest.raises(ExpressionError) as refused:
        compile_network([_ruleset(_sharing(MAX_RULES_PER_CONDITION + 1))], {})
    message = str(refused.value)
    assert "gen@1" in message  # the scope
    assert '257 regels delen de voorwaarde regie == "gemeente"' in message
    assert "hoogstens 256" in message and "error code" not in message


def test_too_many_distinct_tests_on_one_fact_are_refused_before_durable_would_hang():
    # each rule is compiled as it holds (== i) and as it is refuted (!= i): two tests per rule
    half = MAX_TESTS_AFTER_ONE_TEST // 2
    conditions = [f"job.uren_per_week == {i}" for i in range(half + 1)]
    with pytest.raises(ExpressionError, match="verschillende tests na known\\(job.uren_per_week"):
        compile_network([_ruleset(conditions)], {})
    fitting = compile_network([_ruleset(conditions[:half])], {})
    assert network_limit_problem(fitting.definition) is None
    DurableBackend(fitting).close()


def test_validate_refuses_a_rule_base_whose_scope_would_not_fit(tmp_path, capsys):
    import shutil

    import yaml

    from api.cli import main
    from engine.network_limits import network_limit_problems
    from engine.rulesets.registry import DEFAULT_RULES, load_rulebase

    rules = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES, rules)
    big = {
        "id": "te-groot",
        "authority": "gemeente:GM0505",  # Dordrecht
        "title": "Te veel regels op één voorwaarde",
        "version": "1",
        "valid_from": "2025-01-01",
        "provenance": "illustrative",
        "provenance_note": "test: one condition shared by more rules than durable_rules allows",
        "sources": {"t": {"title": "test", "url": "https://example.org/test"}},
        "rules": [
            {
                "id": f"r{i}",
                "instrument": "jobcoaching",
                "when": condition,
                "then": "eligible",
                "explanation": "Test.",
                "source": {"ref": "t", "article": "art. 1", "text_date": "2025-01-01"},
            }
            for i, condition in enumerate(
                # distinct conditions (identical ones would be one network rule); hours: 0 to 60
                f"regie == 'gemeente' and job.uren_per_week >= {i % 40} "
                f"and job.contract_maanden >= {i // 40}"
                for i in range(MAX_RULES_PER_CONDITION + 1)
            )
        ],
    }
    (rules / "gemeenten" / "te-groot.yaml").write_text(yaml.safe_dump(big))
    problems = network_limit_problems(load_rulebase(rules))
    assert problems and all("GM0505" in p.message for p in problems)
    assert "regels delen de voorwaarde regie" in problems[0].message
    assert "te-groot.yaml" in problems[0].file
    assert main(["validate", str(rules)]) == 1
    err = capsys.readouterr().err
    assert "woongemeente GM0505" in err and "hoogstens 256" in err
    assert network_limit_problems(load_rulebase(DEFAULT_RULES)) == []
