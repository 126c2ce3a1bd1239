"""The benchmark's copy of an older rule base: derived facts without `type:` get the type of
their value, so today's engine can time the baseline's own rules (issue 11)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from benchmarks.baseline import typed_rules
from engine.rulesets.registry import load_rulebase

RULES = Path(__file__).resolve().parents[1] / "rules"


def test_untyped_derived_facts_get_the_type_of_their_value(tmp_path: Path) -> None:
    old = tmp_path / "old"
    shutil.copytree(RULES, old)
    feiten = old / "rijk" / "rijk-feiten.yaml"
    text = feiten.read_text(encoding="utf-8")
    # as the rules were written before types were required
    untyped = re.sub(r"\n    type: \w+\n(    values: \[[^\]]*\]\n)?", "\n", text)
    assert untyped.count("type:") == 0 and untyped != text
    feiten.write_text(untyped, encoding="utf-8")

    typed = load_rulebase(typed_rules(old, tmp_path / "typed"))

    declared = {
        d.id: d.type
        for rs in load_rulebase(RULES).rulesets
        if rs.id == "rijk-feiten"
        for d in rs.derived
    }
    inferred = {d.id: d.type for rs in typed.rulesets if rs.id == "rijk-feiten" for d in rs.derived}
    assert set(inferred) == set(declared)
    for name, t in declared.items():
        assert t is not None and inferred[name] is not None
        if t.kind == "text":  # a text fact with literal values reads as an enum of them: fine
            assert inferred[name].kind in ("text", "enum"), name
            continue
        assert (inferred[name].kind, set(inferred[name].values)) == (t.kind, set(t.values)), name
