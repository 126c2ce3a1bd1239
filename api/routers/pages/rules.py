"""The rules for reading: /regels (rule sets per authority on a date), /regels/{id} (one
version, each condition in Dutch with its source) and /regels/{id}/verschil (two versions)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.pages.deps import EngineDep
from api.pages.responses import error_page, page, parse_day
from api.pages.rules import authority_groups, rule_rows, ruleset_diff
from engine.arrangement import authority_label

router = APIRouter(include_in_schema=False)


def _unknown(ruleset_id: str) -> HTMLResponse:
    return error_page(f"onbekende regelset {ruleset_id!r}", 404)


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
    rs = next((v for v in versions if v.version == wanted), versions[-1])
    return page(
        "ruleset.html",
        nav="regels",
        rs=rs,
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
    old = versions.get(request.query_params.get("van", ""), versions[order[0]])
    new = versions.get(request.query_params.get("naar", ""), versions[order[-1]])
    return page(
        "ruleset_diff.html",
        nav="regels",
        old=old,
        new=new,
        versions=order,
        changes=ruleset_diff(old, new),
    )
