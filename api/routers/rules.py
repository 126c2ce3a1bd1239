"""The rule sets in use (GET /v1/rulesets...) and their reload (POST /v1/admin/reload)."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException
from fastapi.responses import JSONResponse

from api.deps import RulesDep, SettingsDep, SnapshotDep
from api.limits import shorten
from api.schemas import NOT_FOUND, Message, Problems, ReloadResult
from engine.rulesets.loader import RuleSet

router = APIRouter()


def _summary(rs: RuleSet) -> dict[str, Any]:
    return {
        "id": rs.id,
        "authority": rs.authority,
        "version": rs.version,
        "title": rs.title,
        "valid_from": rs.valid_from,
        "valid_to": rs.valid_to,
        "provenance": rs.provenance,
        "content_hash": rs.content_hash,
        "rules": len(rs.rules),
    }


def _detail(rs: RuleSet) -> dict[str, Any]:
    return {
        **_summary(rs),
        "sources": {k: s.model_dump() for k, s in rs.sources.items()},
        "adopts": list(rs.adopts),
        "rules": [
            {
                "id": r.id,
                "instrument": r.instrument,
                "then": r.then,
                "params": r.params,
                "explanation": r.explanation,
                "source": r.source.model_dump(),
            }
            for r in rs.rules
        ],
    }


@router.get("/v1/rulesets")
def get_rulesets(snapshot: SnapshotDep) -> list[dict[str, Any]]:
    return [_summary(rs) for rs in snapshot.rulebase.rulesets]


@router.get("/v1/rulesets/{ruleset_id}", responses=NOT_FOUND)
def get_ruleset(ruleset_id: str, snapshot: SnapshotDep) -> dict[str, Any]:
    versions = snapshot.rulebase.versions(ruleset_id)
    if not versions:
        raise HTTPException(404, f"onbekende regelset {shorten(ruleset_id)!r}")
    return {"id": ruleset_id, "versions": [_detail(rs) for rs in versions]}


@router.post(
    "/v1/admin/reload",
    response_model=ReloadResult,
    responses={
        403: {"model": Message, "description": "verkeerd of ontbrekend beheertoken"},
        409: {"model": Message, "description": "er wordt al herladen"},
        422: {"model": Problems, "description": "de nieuwe regels zijn fout; de oude blijven"},
    },
)
def post_reload(
    rules: RulesDep,
    settings: SettingsDep,
    x_arrangeur_token: Annotated[str | None, Header()] = None,
) -> Any:
    """Load the rules folder again; only rules that validate replace the ones in use.
    With ARRANGEUR_ADMIN_TOKEN set, the header X-Arrangeur-Token must carry it."""
    token = settings.admin_token
    if token and not hmac.compare_digest((x_arrangeur_token or "").encode(), token.encode()):
        return JSONResponse(status_code=403, content={"detail": "onjuist beheertoken"})
    previous = rules.now().rules_hash
    try:
        snapshot, changed = rules.reload()  # RulesError: 422 with every problem (api/errors.py)
    except BlockingIOError:
        return JSONResponse(status_code=409, content={"detail": "er wordt al herladen"})
    return {
        "changed": changed,
        "rules_hash": snapshot.rules_hash,
        "previous_hash": previous,
        "rulesets": [
            {"id": rs.id, "version": rs.version, "content_hash": rs.content_hash}
            for rs in snapshot.rulebase.rulesets
        ],
    }
