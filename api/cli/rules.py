"""`arrangeur validate` and `arrangeur rulesets`: the rule base checked, and listed."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import date
from typing import Any

from api.cli.common import emit, fail
from api.render import register as register_view
from api.render import to_json
from engine.labels import PROVENANCE
from engine.rulesets.registry import coverage_gaps


def cmd_validate(args: argparse.Namespace) -> int:
    from engine.network_limits import network_limit_problems

    rb = args.load(args)
    too_big = network_limit_problems(rb)  # networks durable_rules could not build
    if too_big:
        lines = "".join(f"\n  {p}" for p in too_big)
        return fail(f"De regels bevatten {len(too_big)} fout(en):{lines}", 1)
    rules = sum(len(rs.rules) for rs in rb.rulesets)
    current = sum(g.exists_on(date.today()) for g in rb.geography.gemeenten)
    former = len(rb.geography.gemeenten) - current
    print(
        f"OK: {len(rb.rulesets)} regelsets, {rules} regels, {len(rb.catalogue.instruments)} "
        f"instrumenten, {len(rb.parameters.params)} parameters, "
        f"{current} gemeenten (en {former} opgeheven) in {rb.root}"
    )
    for gap in coverage_gaps(rb, date.today()):
        print(f"Let op: {gap}; daar gelden alleen de landelijke instrumenten")
    return 0


@dataclass(frozen=True)
class RulesetTable:
    """The rule sets as `arrangeur rulesets` lists them (one row per version)."""

    rows: list[dict[str, Any]]


def _table_text(t: RulesetTable, **_: Any) -> str:
    out = [f"{'id':28} {'authority':18} {'versie':8} {'geldig':25} {'herkomst':13} regels"]
    for r in t.rows:
        period = f"{r['valid_from']} t/m {r['valid_to'] or 'heden'}"
        out.append(
            f"{r['id']:28} {r['authority']:18} {r['version']:8} {period:25} "
            f"{PROVENANCE.get(r['provenance'], r['provenance']):13} {r['rules']}"
        )
    return "\n".join(out) + "\n"


register_view(RulesetTable, "text", _table_text)
register_view(RulesetTable, "json", lambda t, **_: to_json(t.rows))


def _citations(rs: Any) -> list[dict[str, Any]]:
    """Each rule's and derived fact's structured citation, with its Dutch text and link."""
    return [
        {"rule": item.id, "kind": kind, **item.source.model_dump(mode="json", exclude_none=True)}
        for kind, items in (("derived", rs.derived), ("rule", rs.rules))
        for item in items
    ]


def cmd_rulesets(args: argparse.Namespace) -> int:
    rows = [
        {
            "id": rs.id,
            "authority": rs.authority,
            "version": rs.version,
            "valid_from": rs.valid_from.isoformat(),
            "valid_to": rs.valid_to.isoformat() if rs.valid_to else None,
            "provenance": rs.provenance,
            "rules": len(rs.rules),
            "title": rs.title,
            "citations": _citations(rs),
        }
        for rs in args.load(args).rulesets
    ]
    emit(RulesetTable(rows), args.format)
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("validate", help="controleer alle regelsets")
    p.add_argument("path", nargs="?", help="map met regels (zelfde als --rules)")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("rulesets", help="lijst van regelsets en versies")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_rulesets)
