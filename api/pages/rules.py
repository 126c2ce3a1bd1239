"""Rule sets for reading: per authority and date, each rule's condition in Dutch, and what
changed between two versions of a rule set (rule by rule)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from api.pages.conditions import dutch
from engine.arrangement import authority_label
from engine.format import format_number
from engine.labels import parameter_label
from engine.rulesets.loader import Rule, RuleSet
from engine.rulesets.registry import RuleBase

THEN_NL = {
    "eligible": "komt in aanmerking",
    "excluded": "uitgesloten",
    "needs_assessment": "nog te beoordelen",
}
_KIND_ORDER = {"rijk": 0, "uwv": 1, "regio": 2, "gemeente": 3}


@dataclass(frozen=True)
class AuthorityGroup:
    authority: str
    label: str
    rulesets: list[RuleSet]


def authority_groups(rb: RuleBase, when: date | None, authority: str) -> list[AuthorityGroup]:
    """Rule sets grouped per authority (Rijk, UWV, regio's, gemeenten); with `when`, only the
    versions in force on that date; with `authority`, only that authority."""
    by: dict[str, list[RuleSet]] = {}
    for rs in rb.rulesets:
        if (when is None or rs.in_force(when)) and authority in ("", rs.authority):
            by.setdefault(rs.authority, []).append(rs)
    groups = [
        AuthorityGroup(a, authority_label(a, rb), sorted(v, key=lambda r: (r.id, r.valid_from)))
        for a, v in by.items()
    ]
    return sorted(groups, key=lambda g: (_KIND_ORDER.get(g.authority.split(":")[0], 9), g.label))


@dataclass(frozen=True)
class RuleRow:
    id: str
    instrument: str
    then: str
    condition: str
    condition_text: str
    params: dict[str, Any]
    amounts: list[str]
    explanation: str
    source: Any
    line: int | None


def _params(rule: Rule) -> dict[str, Any]:
    return {
        parameter_label(k): (v if not hasattr(v, "__dataclass_fields__") else dutch(v))
        for k, v in rule.params.items()
    }


def rule_rows(rs: RuleSet) -> list[RuleRow]:
    return [
        RuleRow(
            id=r.id,
            instrument=r.instrument,
            then=THEN_NL.get(r.then, r.then),
            condition=dutch(r.when),
            condition_text=r.when_text,
            params=_params(r),
            amounts=[
                f"per {'maand' if a.period == 'month' else 'jaar'}: {dutch(a.eur)}"
                for a in r.amounts
            ],  # fmt: skip
            explanation=r.explanation,
            source=r.source,
            line=r.line,
        )
        for r in rs.rules
    ]


@dataclass(frozen=True)
class RuleChange:
    rule: str
    kind: str  # nieuw | vervallen | gewijzigd
    what: list[tuple[str, str, str]]  # (aspect, before, after)


def ruleset_diff(old: RuleSet, new: RuleSet) -> list[RuleChange]:
    """Rule by rule, matched on rule id: added, removed, and changed aspects in Dutch."""
    before = {r.id: r for r in rule_rows(old)}
    after = {r.id: r for r in rule_rows(new)}
    changes: list[RuleChange] = []
    for rid, r in after.items():
        if rid not in before:
            changes.append(RuleChange(rid, "nieuw", [("voorwaarde", "", r.condition)]))
            continue
        b = before[rid]
        what = [
            (aspect, str(x), str(y))
            for aspect, x, y in (
                ("instrument", b.instrument, r.instrument),
                ("uitkomst", b.then, r.then),
                ("voorwaarde", b.condition, r.condition),
                ("parameters", _kv(b.params), _kv(r.params)),
                ("bedragen", "; ".join(b.amounts), "; ".join(r.amounts)),
                ("uitleg", b.explanation, r.explanation),
                ("bron", _source(b.source), _source(r.source)),
            )
            if x != y
        ]
        if what:
            changes.append(RuleChange(rid, "gewijzigd", what))
    changes += [
        RuleChange(rid, "vervallen", [("voorwaarde", b.condition, "")])
        for rid, b in before.items()
        if rid not in after
    ]
    return changes


def _kv(params: dict[str, Any]) -> str:
    """Parameters in Dutch (ja/nee, 1.234,5), as the ruleset page shows them."""
    return ", ".join(f"{k}: {format_number(v)}" for k, v in sorted(params.items()))


def _source(s: Any) -> str:
    return f"{s.citation} {s.href}"
