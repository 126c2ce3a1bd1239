"""Type-check every expression of a rule base against the declared types of its names.

Input facts take their types from the placement model (`engine.facts`), parameters from their
unit, derived facts from the `type:` they declare. Conditions must be ja/nee, amounts numbers,
a derived fact's value its declared type.
"""

from __future__ import annotations

from collections.abc import Mapping

from engine.errors import Problem
from engine.expressions import Node
from engine.expressions.types import NUMERIC, Type, check, infer
from engine.facts import INPUT_FACTS
from engine.parameters import Parameters
from engine.rulesets.loader import DerivedFact, RuleSet

TYPE_HINT = "geef het afgeleide feit een type: number, money, date, bool, enum (met values) of text"


def parameter_type(unit: str) -> Type:
    return Type("money" if unit.startswith("EUR") else "number", unit)


def type_env(rulesets: list[RuleSet], parameters: Parameters) -> dict[str, Type]:
    """Every name a rule may read, with its type (derived facts: the first declaration)."""
    env = {name: spec.as_type() for name, spec in INPUT_FACTS.items()}
    env |= {f"param.{n}": parameter_type(p.unit) for n, p in parameters.params.items()}
    for rs in rulesets:
        for d in rs.derived:
            if d.type is not None:
                env.setdefault(d.id, d.type)
    return env


def check_rulebase_types(
    rulesets: list[RuleSet], parameters: Parameters, problems: list[Problem]
) -> None:
    env = type_env(rulesets, parameters)
    for rs in rulesets:

        def report(messages: list[str], line: int | None, rid: str, rs: RuleSet = rs) -> None:
            problems.extend(Problem(rs.file, line, rid, f"type: {m}") for m in messages)

        for d in rs.derived:
            rid = f"{rs.id}/{d.id}"
            if d.type is None:
                report([f"{d.id} heeft geen type; {TYPE_HINT}"], d.line, rid)
            elif (env[d.id].kind, env[d.id].values) != (d.type.kind, d.type.values):
                # (units may differ between versions: a minimum wage per month, later per hour)
                report([f"{d.id} is elders gedeclareerd als {env[d.id].label()}"], d.line, rid)
            else:
                report(_value_problems(d, env), d.line, rid)
            if d.when is not None:
                report(check(d.when, env, "bool"), d.line, rid)
        for r in rs.rules:
            rid = r.qualified_id
            report(check(r.when, env, "bool"), r.line, rid)
            for a in r.amounts:
                report([f"bedrag: {m}" for m in check(a.eur, env, "numeric")], r.line, rid)
            for key, value in r.params.items():
                if not isinstance(value, str | int | float | bool):  # {expr: ...}: a Node
                    messages = _param_problems(value, env)
                    report([f"parameter {key}: {m}" for m in messages], r.line, rid)


def _value_problems(d: DerivedFact, env: Mapping[str, Type]) -> list[str]:
    declared = d.type
    assert declared is not None
    t, problems = infer(d.value, env)
    if problems or t.kind == "any":
        return problems
    if declared.kind == "enum":
        if t.kind == "text" and t.literal not in declared.values:
            return [f"waarde {t.literal!r} staat niet in values ({', '.join(declared.values)})"]
        if t.kind == "enum" and not set(t.values) <= set(declared.values):
            return [f"waarden {', '.join(t.values)} passen niet in {declared.label()}"]
        return [] if t.kind in ("text", "enum") else [f"waarde is een {t.label()}, geen keuze"]
    if declared.kind in NUMERIC and t.kind in NUMERIC:
        return []
    if declared.kind != t.kind:
        return [f"waarde is een {t.label()}, gedeclareerd: {declared.label()}"]
    return []


def _param_problems(node: Node, env: Mapping[str, Type]) -> list[str]:
    t, problems = infer(node, env)
    if not problems and t.kind == "list":
        problems.append("een lijst kan geen parameter zijn")
    return problems
