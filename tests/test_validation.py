"""Broken rules are reported with file, line and rule id; nothing is skipped silently."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.rulesets.registry import load_rulebase
from tests.conftest import problems


def edit(file: Path, old: str, new: str) -> None:
    text = file.read_text()
    assert old in text, old
    file.write_text(text.replace(old, new, 1))


def test_fixture_is_valid(rules):
    assert len(load_rulebase(rules).rulesets) == 5


def test_yaml_syntax_error_names_file_and_line(rules):
    file = rules / "uwv" / "uwv.yaml"
    edit(file, "title: UWV test", "title: [UWV test")
    (msg,) = problems(rules)
    assert msg.startswith(f"{file}:")
    assert "YAML" in msg


def test_schema_error_names_line_and_rule(rules):
    file = rules / "uwv" / "uwv.yaml"
    edit(
        file,
        "    then: eligible\n    params: {max_duur_maanden: 2}",
        "    then: maybe\n    params: {max_duur_maanden: 2}",
    )
    (msg,) = problems(rules)
    line = next(i for i, t in enumerate(file.read_text().splitlines(), 1) if "then: maybe" in t)
    assert msg.startswith(f"{file}:{line} [uwv-test/proefplaatsing]")
    assert msg.endswith(
        'rules/0/then: "maybe" is geen toegestane waarde '
        '(kies uit: "eligible", "excluded", "needs_assessment")'
    )


def test_schema_errors_are_dutch_and_say_which_field(rules):
    # rule-set authors read these on Dutch pages (the rule store) and in `arrangeur validate`
    file = rules / "uwv" / "uwv.yaml"
    text = file.read_text(encoding="utf-8")
    title = next(t for t in text.splitlines() if t.startswith("title:"))
    edit(file, title, title.replace("title:", "titel:"))
    edit(file, "params: {max_duur_maanden: 2}", "params: {max_duur_maanden: 2}\n    extra: 1")
    found = "\n".join(problems(rules))
    assert "(bovenaan): onbekend veld: titel" in found
    assert "(bovenaan): verplicht veld ontbreekt: title" in found
    assert "rules/0: onbekend veld: extra" in found
    for english in ("is a required property", "Additional properties", "(top)", "is not one of"):
        assert english not in found


def test_unknown_instrument_fact_parameter_and_enum_value(rules):
    file = rules / "gemeenten" / "beestad.yaml"
    edit(file, "instrument: loonkostensubsidie", "instrument: loonkosten_subsidie")
    edit(
        file,
        "candidate.loonwaarde_pct < 100",
        "candidate.loonwaard < 100 and candidate.uitkering == 'pensioen' and param.wml > 1",
    )
    found = problems(rules)
    text = "\n".join(found)
    assert "[beestad/lks]: onbekend instrument 'loonkosten_subsidie'" in text
    assert "onbekend feit 'candidate.loonwaard'" in text
    assert "onbekende parameter 'param.wml'" in text
    assert "candidate.uitkering is nooit 'pensioen'" in text
    assert all(m.startswith(f"{file}:") for m in found)


def test_bad_expression_names_the_column(rules):
    file = rules / "gemeenten" / "beestad.yaml"
    edit(file, "candidate.loonwaarde_pct < 100", "candidate.loonwaarde_pct <> 100")
    (msg,) = problems(rules)
    assert "[beestad/lks]" in msg and "op kolom 51" in msg


def test_eval_and_python_are_not_expressions(rules):
    file = rules / "gemeenten" / "beestad.yaml"
    edit(file, "candidate.loonwaarde_pct < 100", "__import__('os').system('true')")
    (msg,) = problems(rules)
    assert "onbekende functie" in msg or "onverwacht" in msg


def test_condition_comparing_two_facts_is_refused(rules):
    file = rules / "gemeenten" / "beestad.yaml"
    edit(file, "candidate.loonwaarde_pct < 100", "candidate.loonwaarde_pct < job.uren_per_week")
    (msg,) = problems(rules)
    assert "afgeleid feit" in msg


def test_overlapping_versions_are_refused(rules):
    edit(rules / "gemeenten" / "aadorp-2020.yaml", "valid_to: 2024-12-31", "valid_to: 2025-06-30")
    (msg,) = problems(rules)
    assert "aadorp-2025.yaml" in msg and "overlapt met versie 2020" in msg


def test_unknown_source_reference(rules):
    edit(rules / "regio" / "noord.yaml", "source: {ref: r,", "source: {ref: nope,")
    (msg,) = problems(rules)
    assert "onbekende bron 'nope'" in msg and "[regio-noord/jobcoaching]" in msg


def test_rule_set_without_sources(rules):
    edit(
        rules / "regio" / "noord.yaml",
        "sources:\n  r: {title: Regionale afspraak, url: https://example.org/regio}",
        "sources: {}",
    )
    found = problems(rules)
    assert any("sources" in m for m in found)


def test_unknown_adopted_regional_rule_set(rules):
    edit(rules / "gemeenten" / "beestad.yaml", "adopts: [regio-noord]", "adopts: [regio-west]")
    (msg,) = problems(rules)
    assert "onbekende regionale regelset 'regio-west'" in msg


def test_authority_in_the_wrong_folder(rules):
    edit(rules / "regio" / "noord.yaml", "authority: regio:noord", "authority: uwv")
    found = problems(rules)
    assert any("hoort niet in rules/regio/" in m for m in found)


def test_every_problem_is_reported_not_just_the_first(rules):
    edit(rules / "regio" / "noord.yaml", "source: {ref: r,", "source: {ref: nope,")
    edit(rules / "gemeenten" / "beestad.yaml", "instrument: loonkostensubsidie", "instrument: x")
    assert len(problems(rules)) == 2


def test_negation_as_failure_is_refused_at_load(rules):
    edit(
        rules / "gemeenten" / "beestad.yaml",
        "candidate.loonwaarde_pct < 100",
        "not known(leeftijd)",  # a derived fact: its absence is only certain after the check
    )
    (msg,) = problems(rules)
    assert "not known" in msg


def test_two_values_for_one_derived_fact_name_both_rules(rules):
    from engine.arrangement import Engine
    from engine.errors import EvaluationError
    from engine.runtime import PythonBackend
    from tests.conftest import placement

    edit(
        rules / "uwv" / "uwv.yaml",
        "    when: candidate.uitkering in ['bijstand', 'ioaw', 'ioaz', 'geen']",
        "    when: candidate.uitkering in ['bijstand', 'ioaw', 'ioaz', 'geen', 'ww']",
    )
    for backend in (None, PythonBackend):
        engine = Engine(load_rulebase(rules), **({"backend": backend} if backend else {}))
        with pytest.raises(EvaluationError, match="'regie' has two values"):
            engine.check(placement(candidate__uitkering="ww"))
        # the engine is not left in a broken state: the next check works
        assert engine.check(placement()).regie == "gemeente:GM0001"
