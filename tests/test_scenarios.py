"""Scenario cases per rule set (tests/scenarios/*.yaml), OpenFisca-style, on the shipped rules.

Each file has `defaults` (a placement) and `cases`; a case deep-merges its `placement` over the
defaults and states what it expects: per instrument the status, authority, parameters (subset)
and amounts; conflicts by type and instrument; missing facts.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

SCENARIOS = Path(__file__).parent / "scenarios"
SCHEMA = json.loads((Path(__file__).parent / "scenario.schema.json").read_text(encoding="utf-8"))


def _merge(base: dict, over: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in (over or {}).items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        elif value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def _cases() -> list[Any]:
    params = []
    for file in sorted(SCENARIOS.glob("*.yaml")):
        doc = yaml.safe_load(file.read_text(encoding="utf-8"))
        for case in doc["cases"]:
            placement = _merge(doc.get("defaults", {}), case.get("placement", {}))
            params.append(
                pytest.param(placement, case["expect"], id=f"{file.stem}: {case['name']}")
            )
    return params


def scenario_problems(doc: Any, instruments: set[str]) -> list[str]:
    """Schema errors (a misspelt key is one) and instruments the catalogue does not know."""
    found = [
        f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
        for e in jsonschema.Draft202012Validator(SCHEMA).iter_errors(doc)
    ]
    for i, case in enumerate(doc.get("cases") or [] if isinstance(doc, dict) else []):
        wanted = ((case or {}).get("expect") or {}).get("instruments") or {}
        found += [f"cases/{i}: unknown instrument {k!r}" for k in wanted if k not in instruments]
    return found


@pytest.mark.parametrize("file", sorted(SCENARIOS.glob("*.yaml")), ids=lambda f: f.name)
def test_scenario_file_matches_the_schema(engine, file):
    doc = yaml.safe_load(file.read_text(encoding="utf-8"))
    assert scenario_problems(doc, set(engine.rulebase.catalogue.instruments)) == []


def test_a_misspelt_key_is_refused(engine):
    instruments = set(engine.rulebase.catalogue.instruments)
    case = {"name": "x", "expect": {"instruments": {"proefplaatsing": {"statuss": "eligible"}}}}
    assert scenario_problems({"cases": [case]}, instruments)
    case = {"name": "x", "expect": {"instrument": {"proefplaatsing": {"status": "eligible"}}}}
    assert scenario_problems({"cases": [case]}, instruments)
    case = {"name": "x", "expect": {"instruments": {"proefplaatsen": {"status": "eligible"}}}}
    assert scenario_problems({"cases": [case]}, instruments) == [
        "cases/0: unknown instrument 'proefplaatsen'"
    ]


def test_every_rule_set_has_at_least_five_scenarios(engine):
    counts = {
        f.stem: len(yaml.safe_load(f.read_text(encoding="utf-8"))["cases"])
        for f in SCENARIOS.glob("*.yaml")
    }
    for rs in engine.rulebase.rulesets:
        assert counts.get(rs.id, 0) >= 5, f"tests/scenarios/{rs.id}.yaml needs five cases or more"


@pytest.mark.parametrize("placement, expect", _cases())
def test_scenario(engine, placement, expect):
    arrangement = engine.check(placement)
    entries = {e.instrument: e for e in arrangement.instruments}
    for instrument, want in (expect.get("instruments") or {}).items():
        if want == "absent":
            assert instrument not in entries, f"{instrument} should not be considered"
            continue
        assert instrument in entries, f"{instrument} not in the arrangement"
        got = entries[instrument]
        if "status" in want:
            assert got.status == want["status"], f"{instrument}: {got.explanation}"
        if "authority" in want:
            assert got.authority == want["authority"], instrument
        for key, value in (want.get("params") or {}).items():
            assert got.params.get(key) == value, f"{instrument}.{key}: {got.params}"
        if "amounts" in want:
            amounts = [(a.period, a.eur) for a in got.amounts]
            expected = [(a["period"], a["eur"]) for a in want["amounts"]]
            assert [p for p, _ in amounts] == [p for p, _ in expected], f"{instrument}: {amounts}"
            for (_, eur), (_, want_eur) in zip(amounts, expected, strict=True):
                assert eur == pytest.approx(want_eur, abs=0.005), f"{instrument}: {got.amounts}"
        if "missing_facts" in want:
            assert got.missing_facts == want["missing_facts"], instrument
    conflicts = {(c.type, c.instrument) for c in arrangement.conflicts}
    for c in expect.get("conflicts") or []:
        assert (c["type"], c.get("instrument")) in conflicts, f"missing conflict {c}: {conflicts}"
    for c in expect.get("no_conflicts") or []:
        assert (c["type"], c.get("instrument")) not in conflicts, f"unexpected conflict {c}"
    if "regie" in expect:
        assert arrangement.regie == expect["regie"]
    derived = {d.fact: d.value for d in arrangement.derivation}
    for fact, value in (expect.get("derivation") or {}).items():
        assert derived.get(fact) == value, f"{fact}: {derived.get(fact)!r}"
    if "rulesets" in expect:
        used = {f"{r.id}@{r.version}" for r in arrangement.rulesets}
        assert set(expect["rulesets"]) <= used, used
    for fragment in expect.get("notices_contain") or []:
        assert any(fragment in n for n in arrangement.notices), arrangement.notices
