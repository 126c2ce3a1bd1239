"""Rule-set versions kept by their owners, over HTTP: /v1/rule-versions. A face only; the
workflow (concept → ter_beoordeling → goedgekeurd → gepubliceerd / afgewezen, ingetrokken),
ownership and the four eyes are engine.rulesets.store's, the preview engine.analysis.preview's.

Roles come from the access table (api/security/policy.py): reading needs a login, every step
of the workflow `regelbeheerder`; the store then checks that the user's organisation owns the
rule set's authority and that no author reviews their own version. The store's errors are
answered once, in api/errors.py (403, 404, 409, 422 with every problem: file, line, rule).
Publishing reloads this worker's rules at once; the other workers follow the store's
generation counter within a second (api/current_rules.py RuleSync).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, Field

from api.current_rules import RuleSync
from api.deps import SnapshotDep
from api.schemas import FIRST_DAY, LAST_DAY, Message, Problems
from api.security.guard import current_principal
from engine.accounts import Principal
from engine.analysis.preview import Preview, preview_version
from engine.errors import Problem
from engine.rulesets.store import (
    PUBLISHED,
    STATUS_LABELS,
    Invalid,
    NotFound,
    RuleSetVersion,
    RuleStore,
    strip_publication,
)
from engine.yamlio import RuleFileError

router = APIRouter(prefix="/v1/rule-versions", tags=["regelbeheer"])
# a version's number as the database keeps it (a larger one is a 422, not a database error)
VersionId = Annotated[int, Path(ge=1, le=2**31 - 1, description="versienummer")]

_YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain")
_ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"model": Message, "description": "niet de rol, niet de instantie, of de eigen versie"},
    404: {"model": Message, "description": "versie bestaat niet (of is niet zichtbaar)"},
    409: {"model": Message, "description": "verkeerde status, of een andere publicatie ging voor"},
    422: {"model": Problems, "description": "de regelset klopt niet: bestand, regel, regel-id"},
}
_YAML_BODY: dict[str, Any] = {
    "requestBody": {
        "content": {
            # any YAML document: what is wrong with it comes back as problems with their lines
            "application/yaml": {"schema": {"description": "de regelset (YAML)"}},
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "yaml": {"type": "string"},
                        "based_on": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
                    },
                    "required": ["yaml"],
                }
            },
        },
        "required": True,
    }
}


# ------------------------------------------------------------------------------ shapes


class Review(BaseModel):
    approve: bool = Field(description="true: goedkeuren, false: afwijzen")
    comment: str = Field("", max_length=5000, description="toelichting (verplicht bij afwijzen)")
    sources_verified: bool = Field(
        False, description="ik heb elke regel tegen de bron gecontroleerd (provenance: verified)"
    )


class Publish(BaseModel):
    expected_generation: int | None = Field(
        None,
        ge=0,
        description="de generatie van de voorvertoning; anders die van nu. Was er intussen een "
        "andere publicatie: 409",
    )


class Withdraw(BaseModel):
    reason: str = Field(min_length=1, max_length=5000, description="waarom")
    expected_generation: int | None = Field(None, ge=0)


def store_of(request: Request) -> RuleStore:
    store: RuleStore = request.app.state.rule_store()
    return store


def principal_of(request: Request) -> Principal:
    found = current_principal()
    assert found is not None, "the access table lets no anonymous user reach the rule store"
    return found


def visible(v: RuleSetVersion, p: Principal) -> bool:
    """Published (and withdrawn) versions are public record; a concept or a version under
    review only for a regelbeheerder of its organisation or of one owning its authority."""
    if v.status in (PUBLISHED, "ingetrokken"):
        return True
    return p.has("regelbeheerder") and (
        v.organisation == p.organisation or v.authority in p.authorities
    )


def version_json(v: RuleSetVersion, text: bool = True) -> dict[str, Any]:
    out = {
        k: (val.isoformat() if isinstance(val, datetime) else val)
        for k, val in asdict(v).items()
        if text or k not in ("yaml_text", "published_text")
    }
    return out | {"status_label": v.status_label, "file": v.file}


def problem_json(p: Problem) -> dict[str, Any]:
    return {"file": p.file, "line": p.line, "rule": p.rule, "message": p.message, "text": str(p)}


def visible_version(store: RuleStore, version_id: int, p: Principal) -> RuleSetVersion:
    """The version, or NotFound when it is not the user's to see (as if it did not exist)."""
    v = store.get(version_id)
    if not visible(v, p):
        raise NotFound(f"regelsetversie {version_id} bestaat niet")
    return v


def listing(store: RuleStore, p: Principal, status: str | None = None) -> list[RuleSetVersion]:
    """The versions the user may see, newest first."""
    return [v for v in store.versions(status=status) if visible(v, p)]


async def yaml_body(request: Request) -> tuple[str, int | None]:
    """The rule set's YAML: the body itself (YAML) or JSON {yaml, based_on}."""
    raw = await request.body()
    if not raw.strip():
        missing = Problem("body", None, None, "de regelset ontbreekt: stuur de YAML als body")
        raise Invalid("de regelset ontbreekt", [missing])
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    where = "regelset"
    if kind == "application/json":
        try:
            data = json.loads(raw)
        except ValueError:
            bad = Problem("body", None, None, "geen geldige JSON")
            raise Invalid("geen geldige JSON", [bad]) from None
        if not isinstance(data, dict) or not isinstance(data.get("yaml"), str):
            raise Invalid(
                "yaml ontbreekt",
                [Problem("body", None, None, 'verwacht JSON {"yaml": "<de regelset>"}')],
            )
        based_on = data.get("based_on")
        if based_on is not None and (not isinstance(based_on, int) or isinstance(based_on, bool)):
            raise Invalid("based_on", [Problem("body", None, None, "based_on: een versienummer")])
        return data["yaml"], based_on
    if kind and kind not in _YAML_TYPES:
        raise Invalid(
            "verkeerd type",
            [Problem("body", None, None, f"stuur YAML (application/yaml) of JSON, niet {kind}")],
        )
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        bad = Problem(where, line, None, "de tekst is geen UTF-8")
        raise Invalid("geen UTF-8", [bad]) from None


def without_publication(text: str) -> str:
    """An exported (published) text drafted again: its publication block is the store's to
    write, so it is left out (as `RuleStore.import_yaml` does); unreadable YAML stays as it is
    for the store to name its line."""
    try:
        return strip_publication(text)
    except RuleFileError:
        return text


def reload_here(request: Request) -> None:
    """After a publish or withdrawal: this worker's rules at once (the others within a second)."""
    sync: RuleSync = request.app.state.rule_sync
    sync.sync(force=True)


def placements_of(request: Request) -> dict[str, dict[str, Any]]:
    """The caller's organisation's caseload placements (by reference), for the preview."""
    factory = getattr(request.app.state, "caseload", None)
    if factory is None:
        return {}
    return {s.ref: s.facts for s in factory().list()}


def audit_target(request: Request, version_id: int) -> None:
    """The audit row of a create names the version made (known only after it)."""
    entry = getattr(request.state, "audit", None)
    if entry:
        action, kind, _, detail = entry
        request.state.audit = (action, kind, str(version_id), detail)


# ------------------------------------------------------------------------------ routes


@router.get("", responses=_ERRORS)
def list_versions(
    request: Request,
    status: Annotated[str | None, Query(description=", ".join(STATUS_LABELS))] = None,
) -> list[dict[str, Any]]:
    """Your organisation's versions (and those of the authorities it owns), plus every published
    one; newest first, without their text."""
    p = principal_of(request)
    return [version_json(v, text=False) for v in listing(store_of(request), p, status)]


@router.post("", status_code=201, responses=_ERRORS, openapi_extra=_YAML_BODY)
async def create(request: Request) -> dict[str, Any]:
    """A new concept: the YAML as the body (application/yaml) or JSON {yaml, based_on}."""
    p = principal_of(request)
    text, based_on = await yaml_body(request)
    store = store_of(request)
    text = without_publication(text)
    v = await run_in_threadpool(
        store.draft, p.username, p.organisation, p.authorities, text, based_on
    )
    audit_target(request, v.id)
    return version_json(v)


@router.post("/validate", responses=_ERRORS, openapi_extra=_YAML_BODY)
async def validate_text(request: Request) -> dict[str, Any]:
    """Check a text in context without storing it (validation as you type)."""
    text, _ = await yaml_body(request)
    problems, _ = await run_in_threadpool(store_of(request).validate_text, text)
    return {"valid": not problems, "problems": [problem_json(x) for x in problems]}


@router.get("/{version_id}", responses=_ERRORS)
def get_version(version_id: VersionId, request: Request) -> dict[str, Any]:
    return version_json(visible_version(store_of(request), version_id, principal_of(request)))


@router.put("/{version_id}", responses=_ERRORS, openapi_extra=_YAML_BODY)
async def update(version_id: VersionId, request: Request) -> dict[str, Any]:
    """Replace a concept's text (same rule set and authority)."""
    p = principal_of(request)
    text, _ = await yaml_body(request)
    store = store_of(request)
    await run_in_threadpool(visible_version, store, version_id, p)
    return version_json(
        await run_in_threadpool(store.update, version_id, p.username, p.authorities, text)
    )


@router.post("/{version_id}/validate", responses=_ERRORS)
def validate(version_id: VersionId, request: Request) -> dict[str, Any]:
    """The version's problems in context (shipped rules and published versions), as
    `arrangeur validate` names them: file, line, rule id, message."""
    store = store_of(request)
    visible_version(store, version_id, principal_of(request))
    problems = store.validate(version_id)
    return {"valid": not problems, "problems": [problem_json(x) for x in problems]}


@router.post("/{version_id}/submit", responses=_ERRORS)
def submit(version_id: VersionId, request: Request) -> dict[str, Any]:
    """Concept → ter beoordeling (only without problems; the text is then fixed)."""
    p = principal_of(request)
    store = store_of(request)
    visible_version(store, version_id, p)
    return version_json(store.submit(version_id, p.username, p.authorities))


def _day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise Invalid(
            "peildatum", [Problem("peildatum", None, None, "peildatum: JJJJ-MM-DD")]
        ) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise Invalid(
            "peildatum",
            [Problem("peildatum", None, None, f"peildatum: tussen {FIRST_DAY} en {LAST_DAY}")],
        )
    return day


def run_preview(
    store: RuleStore,
    version_id: int,
    snapshot_engine: Any,
    placements: Mapping[str, Any],
    region: str | None,
    peildatum: date | None,
) -> tuple[Preview, int]:
    """The preview against the rules this worker serves, and the generation it was made on
    (pass it to publish: a publish in between makes that a 409)."""
    generation = store.generation()
    shown = preview_version(
        store,
        version_id,
        peildatum=peildatum,
        region=region,
        placements=placements,
        before=snapshot_engine,
    )
    return shown, generation


@router.get("/{version_id}/preview", responses=_ERRORS)
def preview(
    version_id: VersionId,
    request: Request,
    snapshot: SnapshotDep,
    region: Annotated[str | None, Query(max_length=100, description="standaard: die van de versie")]
    = None,
    peildatum: Annotated[str | None, Query(description="JJJJ-MM-DD; standaard: vandaag of de "
                                           "eerste dag van de versie")] = None,
) -> dict[str, Any]:  # fmt: skip
    """The effect before review: rule changes against what is in force, outcome changes in the
    region (before/after), and your organisation's caseload placements whose answer changes."""
    store = store_of(request)
    v = visible_version(store, version_id, principal_of(request))
    shown, generation = run_preview(
        store, v.id, snapshot.engine, placements_of(request), region, _day(peildatum)
    )
    return {"version": v.id, "generation": generation, **shown.model_dump(mode="json")}


@router.post("/{version_id}/review", responses=_ERRORS)
def review(version_id: VersionId, body: Review, request: Request) -> dict[str, Any]:
    """Four eyes: approve or reject, with a comment; never the author."""
    p = principal_of(request)
    store = store_of(request)
    visible_version(store, version_id, p)
    v = store.review(
        version_id,
        p.username,
        p.authorities,
        body.approve,
        body.comment,
        sources_verified=body.sources_verified,
        reviewer_organisation=p.organisation,
    )
    return version_json(v)


@router.post("/{version_id}/publish", responses=_ERRORS)
def publish(version_id: VersionId, request: Request, body: Publish | None = None) -> dict[str, Any]:
    """Goedgekeurd → gepubliceerd: in force in every worker, without a restart."""
    p = principal_of(request)
    store = store_of(request)
    visible_version(store, version_id, p)
    expected = body.expected_generation if body and body.expected_generation is not None else None
    v = store.publish(
        version_id,
        store.generation() if expected is None else expected,
        publisher=p.username,
        org_authorities=p.authorities,
    )
    reload_here(request)
    return version_json(v)


@router.post("/{version_id}/withdraw", responses=_ERRORS)
def withdraw(version_id: VersionId, body: Withdraw, request: Request) -> dict[str, Any]:
    """Gepubliceerd → ingetrokken (kept, never edited); the previous version counts again."""
    p = principal_of(request)
    store = store_of(request)
    visible_version(store, version_id, p)
    v = store.withdraw(version_id, p.username, p.authorities, body.reason, body.expected_generation)
    reload_here(request)
    return version_json(v)


@router.get(
    "/{version_id}/export",
    responses={**_ERRORS, 200: {"content": {"application/yaml": {}}}},
    response_class=Response,
)
def export(version_id: VersionId, request: Request) -> Response:
    """The YAML as it is (or would be) in force; import it again with POST /v1/rule-versions."""
    store = store_of(request)
    v = visible_version(store, version_id, principal_of(request))
    name = v.file.rsplit("/", 1)[-1]
    return Response(
        store.export_yaml(version_id),
        media_type="application/yaml; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )
