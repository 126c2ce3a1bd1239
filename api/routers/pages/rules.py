"""The rules for reading: /regels (rule sets per authority on a date), /regels/{id} (one
version, each condition in Dutch with its source) and /regels/{id}/verschil (two versions)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.pages.deps import EngineDep
from api.pages.responses import error_page, page, parse_day
from api.pages.rules import authority_groups, rule_rows, ruleset_diff
from engine.arrangement import authority_label

router = APIRouter(include_in_schema=False)


def _unknown(ruleset_id: str) -> HTMLResponse:
    return error_page(f"onbekende regelset {ruleset_id!r}", 404)


def _no_version(ruleset_id: str, asked: str, versions: list[str]) -> HTMLResponse:
    """A version asked for that the rule set does not have: said, not swapped for another."""
    return error_page(f"{ruleset_id} heeft geen versie {asked!r} (wel: {', '.join(versions)})", 404)


def _shown_file(file: str, root: Path) -> str:
    """The rule file as it sits in the rule base ("gemeenten/delft.yaml"): never the server's
    own folders (a running server reads the rules from a private temporary copy)."""
    path = Path(file)
    return str(path.relative_to(root)) if path.is_relative_to(root) else path.name


@router.get("/regels", response_class=HTMLResponse)
def rules(request: Request, engine: EngineDep) -> HTMLResponse:
    text = request.query_params.get("datum") or date.today().isoformat()
    try:
        when, error = parse_day(text), ""
    except ValueError:
        when, error = date.today(), "datum: geen geldige datum (dd-mm-jjjj)"
    who = request.query_params.get("instantie", "")
    rb = engine.rulebase
    return page(
        "rules.html",
        422 if error else 200,
        nav="regels",
        when=when,
        who=who,
        groups=authority_groups(rb, when, who),
        authorities=authority_groups(rb, None, ""),
        error=error,
    )


@router.get("/regels/{ruleset_id}", response_class=HTMLResponse)
def ruleset(request: Request, ruleset_id: str, engine: EngineDep) -> HTMLResponse:
    versions = engine.rulebase.versions(ruleset_id)
    if not versions:
        return _unknown(ruleset_id)
    wanted = request.query_params.get("versie")
    rs = next((v for v in versions if v.version == wanted), None) if wanted else versions[-1]
    if rs is None:
        return _no_version(ruleset_id, wanted or "", [v.version for v in versions])
    return page(
        "ruleset.html",
        nav="regels",
        rs=rs,
        file=_shown_file(rs.file, engine.rulebase.root),
        versions=versions,
        rows=rule_rows(rs),
        instrument_names={k: v.naam for k, v in engine.rulebase.catalogue.instruments.items()},
        authority=authority_label(rs.authority, engine.rulebase),
    )


@router.get("/regels/{ruleset_id}/verschil", response_class=HTMLResponse)
def ruleset_changes(request: Request, ruleset_id: str, engine: EngineDep) -> HTMLResponse:
    versions = {v.version: v for v in engine.rulebase.versions(ruleset_id)}
    if not versions:
        return _unknown(ruleset_id)
    order = list(versions)
    asked = {k: request.query_params.get(k) for k in ("van", "naar")}
    for version in asked.values():
        if version and version not in versions:
            return _no_version(ruleset_id, version, order)
    old = versions[asked["van"] or order[0]]
    new = versions[asked["naar"] or order[-1]]
    return page(
        "ruleset_diff.html",
        nav="regels",
        old=old,
        new=new,
        versions=order,
        changes=ruleset_diff(old, new),
    )
