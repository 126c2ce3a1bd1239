"""Rule management in the browser: /regels/beheer (Dutch, server-rendered, works without
JavaScript). A face only: the store (engine.rulesets.store) does the workflow, ownership and
the four eyes; the routes are the same steps as /v1/rule-versions and share its helpers.

/regels/beheer                      versions of the organisation; new concept (from the rules in
                                    force, or from a menukaart upload: into the store, never
                                    into rules/)
/regels/beheer/{id}                 the YAML (editable as a concept), "Controleer", submit,
                                    review, publish, withdraw
/regels/beheer/{id}/voorvertoning   the effect: rule changes, outcomes, caseload placements
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.current_rules import Snapshot
from api.pages.deps import SnapshotDep
from api.pages.responses import page, parse_day
from api.routers.rule_versions import (
    VersionId,
    listing,
    placements_of,
    principal_of,
    problem_json,
    reload_here,
    run_preview,
    store_of,
    visible_version,
    without_publication,
)
from engine.accounts import Principal
from engine.analysis import menukaart as mk
from engine.errors import NotFound as UnknownRegion
from engine.errors import PlacementError, Problem
from engine.rulesets.store import (
    APPROVED,
    CONCEPT,
    PUBLISHED,
    SUBMITTED,
    Invalid,
    RuleSetVersion,
    RuleStore,
    RuleStoreError,
    strip_publication,
)

router = APIRouter(include_in_schema=False)
NAV = "regels"
BASE = "/regels/beheer"
MAX_MENUKAART = 2 * 1024 * 1024


# ------------------------------------------------------------------------------ helpers


def _problems(exc: RuleStoreError) -> list[dict[str, Any]]:
    if isinstance(exc, Invalid) and exc.problems:
        return [problem_json(p) for p in exc.problems]
    return [{"file": "", "line": None, "rule": None, "message": exc.message, "text": exc.message}]


def starting_text(snapshot: Snapshot, authority: str) -> str:
    """The rule set in force for `authority` (without a publication block), else a skeleton."""
    today = date.today()
    sets = [rs for rs in snapshot.rulebase.rulesets if rs.authority == authority]
    current = [rs for rs in sets if rs.in_force(today)] or sets
    if current:
        rs = max(current, key=lambda r: r.valid_from)
        for rel, content in snapshot.bundle.files:
            if rs.file.endswith("/" + rel) or rs.file == rel:
                return strip_publication(content.decode("utf-8"))
    kind, _, code = authority.partition(":")
    rs_id = f"{kind}-{code.lower()}" if code else kind
    applies = "applies_to: regio\n" if kind == "regio" else ""
    return (
        f'id: {rs_id}\nauthority: {authority}\nversion: "{today.year}.1"\n'
        f'title: "Werkgeversinstrumenten {authority}"\nvalid_from: {today.isoformat()}\n'
        f"{applies}provenance: illustrative\n"
        'sources:\n  bron: {title: "Titel van de regeling", url: "https://"}\n'
        "rules: []\n"
    )


def overview(
    request: Request,
    snapshot: Snapshot,
    status: int = 200,
    errors: list[str] | None = None,
    yaml_text: str | None = None,
) -> HTMLResponse:
    p = principal_of(request)
    store = store_of(request)
    mine = [v for v in listing(store, p) if v.organisation == p.organisation or v.status
            in (CONCEPT, SUBMITTED, APPROVED)]  # fmt: skip
    authority = request.query_params.get("instantie") or next(iter(p.authorities), "")
    return page(
        "rule_versions.html",
        status,
        nav=NAV,
        versions=mine,
        published=[v for v in store.published()],
        authorities=list(p.authorities),
        authority=authority,
        yaml_text=yaml_text if yaml_text is not None else starting_text(snapshot, authority),
        errors=errors or [],
    )


def version_page(
    request: Request,
    store: RuleStore,
    v: RuleSetVersion,
    status: int = 200,
    problems: list[dict[str, Any]] | None = None,
    checked: bool = False,
    text: str | None = None,
) -> HTMLResponse:
    p = principal_of(request)
    return page(
        "rule_version.html",
        status,
        nav=NAV,
        v=v,
        text=v.yaml_text if text is None else text,
        published_text=v.published_text,
        problems=problems or [],
        checked=checked,
        may_edit=v.status == CONCEPT,
        may_review=v.status == SUBMITTED and v.author != p.username,
        own_version=v.author == p.username,
        may_publish=v.status == APPROVED,
        may_withdraw=v.status == PUBLISHED,
        generation=store.generation(),
        base=f"{BASE}/{v.id}",
    )


def _refused(
    request: Request,
    store: RuleStore,
    version_id: int,
    exc: RuleStoreError,
    text: str | None = None,
) -> Response:
    """A refused step: the version's page with the store's Dutch message (or the error page);
    `text`: what the user typed, kept in the textarea."""
    try:
        v = visible_version(store, version_id, principal_of(request))
    except RuleStoreError:
        return page("error.html", exc.status, message=exc.message, nav=NAV)
    return version_page(request, store, v, exc.status, _problems(exc), text is not None, text)


# ------------------------------------------------------------------------------ overview


@router.get(BASE, response_class=HTMLResponse)
def rule_management(request: Request, snapshot: SnapshotDep) -> HTMLResponse:
    return overview(request, snapshot)


@router.post(BASE, response_class=HTMLResponse)
def new_concept(request: Request, snapshot: SnapshotDep, yaml: str = Form("")) -> Response:
    p = principal_of(request)
    try:
        text = without_publication(yaml)
        v = store_of(request).draft(p.username, p.organisation, p.authorities, text)
    except RuleStoreError as exc:
        errors = [x["text"] for x in _problems(exc)]
        return overview(request, snapshot, exc.status, errors, yaml)
    _audit_target(request, v.id)
    return RedirectResponse(f"{BASE}/{v.id}", status_code=303)


def _audit_target(request: Request, version_id: int) -> None:
    entry = getattr(request.state, "audit", None)
    if entry:
        action, kind, _, detail = entry
        request.state.audit = (action, kind, str(version_id), detail)


def menukaart_texts(snapshot: Snapshot, name: str, raw: bytes) -> list[str]:
    """The rule sets a menukaart spreadsheet (xlsx or csv) describes, as YAML texts; nothing is
    written into rules/. MenukaartError names sheet, row and column."""
    suffix = Path(name).suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise mk.MenukaartError([f"{name}: kies een menukaart als .xlsx of .csv"])
    with tempfile.TemporaryDirectory(prefix="arrangeur-menukaart-") as tmp:
        path = Path(tmp) / f"menukaart{suffix}"
        path.write_bytes(raw)
        sets, _ = mk._rulesets_from_rows(snapshot.rulebase, mk.read_tables(path))
    return [mk._dump(data) for data in sets.values()]


@router.post(f"{BASE}/menukaart", response_class=HTMLResponse)
async def from_menukaart(
    request: Request,
    snapshot: SnapshotDep,
    bestand: UploadFile = File(...),  # noqa: B008
) -> Response:
    """Each rule set of the menukaart becomes a concept of the organisation."""
    name = bestand.filename or "menukaart.xlsx"
    raw = await bestand.read(MAX_MENUKAART + 1)
    if len(raw) > MAX_MENUKAART:
        return overview(request, snapshot, 413, [f"{name}: groter dan 2 MB"])
    p = principal_of(request)
    store = store_of(request)
    try:
        texts = await run_in_threadpool(menukaart_texts, snapshot, name, raw)
        made = [
            await run_in_threadpool(store.draft, p.username, p.organisation, p.authorities, t)
            for t in texts
        ]
    except mk.MenukaartError as exc:
        return overview(request, snapshot, 422, [f"{name}: {line}" for line in exc.lines])
    except RuleStoreError as exc:
        return overview(request, snapshot, exc.status, [x["text"] for x in _problems(exc)])
    _audit_target(request, made[0].id)
    return RedirectResponse(f"{BASE}/{made[0].id}", status_code=303)


# ------------------------------------------------------------------------------ one version


@router.get(BASE + "/{version_id}", response_class=HTMLResponse)
def show(version_id: VersionId, request: Request) -> Response:
    store = store_of(request)
    try:
        v = visible_version(store, version_id, principal_of(request))
    except RuleStoreError as exc:
        return page("error.html", exc.status, message=exc.message, nav=NAV)
    return version_page(request, store, v)


@router.post(BASE + "/{version_id}", response_class=HTMLResponse)
def save_or_check(
    version_id: VersionId,
    request: Request,
    yaml: str = Form(""),
    actie: str = Form("controleer"),
) -> Response:
    """ "Controleer": the problems of the text in the textarea (nothing stored); "Opslaan": the
    concept's text replaced, then its problems shown."""
    p = principal_of(request)
    store = store_of(request)
    try:
        v = visible_version(store, version_id, p)
        if actie == "opslaan":
            v = store.update(version_id, p.username, p.authorities, yaml)
        problems, _ = store.validate_text(yaml, version_id)
    except RuleStoreError as exc:
        return _refused(request, store, version_id, exc, yaml)
    shown = [problem_json(x) for x in problems]
    return version_page(request, store, v, 422 if shown else 200, shown, True, yaml)


@router.post(BASE + "/{version_id}/indienen", response_class=HTMLResponse)
def submit(version_id: VersionId, request: Request) -> Response:
    p = principal_of(request)
    store = store_of(request)
    try:
        visible_version(store, version_id, p)
        store.submit(version_id, p.username, p.authorities)
    except RuleStoreError as exc:
        return _refused(request, store, version_id, exc)
    return RedirectResponse(f"{BASE}/{version_id}", status_code=303)


@router.post(BASE + "/{version_id}/beoordeling", response_class=HTMLResponse)
def review(
    version_id: VersionId,
    request: Request,
    besluit: str = Form(""),
    toelichting: str = Form(""),
    bronnen: str = Form(""),
) -> Response:
    p = principal_of(request)
    store = store_of(request)
    try:
        visible_version(store, version_id, p)
        if besluit not in ("goedkeuren", "afwijzen"):
            problem = Problem("beoordeling", None, None, "kies goedkeuren of afwijzen")
            raise Invalid("besluit ontbreekt", [problem])
        store.review(
            version_id,
            p.username,
            p.authorities,
            besluit == "goedkeuren",
            toelichting,
            sources_verified=bronnen == "ja",
            reviewer_organisation=p.organisation,
        )
    except RuleStoreError as exc:
        return _refused(request, store, version_id, exc)
    return RedirectResponse(f"{BASE}/{version_id}", status_code=303)


@router.post(BASE + "/{version_id}/publiceren", response_class=HTMLResponse)
def publish(version_id: VersionId, request: Request, generatie: str = Form("")) -> Response:
    p = principal_of(request)
    store = store_of(request)
    try:
        visible_version(store, version_id, p)
        expected = int(generatie) if generatie.isdigit() else store.generation()
        store.publish(version_id, expected, publisher=p.username, org_authorities=p.authorities)
    except RuleStoreError as exc:
        return _refused(request, store, version_id, exc)
    reload_here(request)
    return RedirectResponse(f"{BASE}/{version_id}", status_code=303)


@router.post(BASE + "/{version_id}/intrekken", response_class=HTMLResponse)
def withdraw(version_id: VersionId, request: Request, reden: str = Form("")) -> Response:
    p = principal_of(request)
    store = store_of(request)
    try:
        visible_version(store, version_id, p)
        store.withdraw(version_id, p.username, p.authorities, reden)
    except RuleStoreError as exc:
        return _refused(request, store, version_id, exc)
    reload_here(request)
    return RedirectResponse(f"{BASE}/{version_id}", status_code=303)


# ------------------------------------------------------------------------------ preview


@router.get(BASE + "/{version_id}/voorvertoning", response_class=HTMLResponse)
def preview(version_id: VersionId, request: Request, snapshot: SnapshotDep) -> Response:
    """The effect on one page: rule changes, outcomes before/after in the region, the
    organisation's caseload placements whose answer changes."""
    p: Principal = principal_of(request)
    store = store_of(request)
    region = request.query_params.get("regio", "").strip()[:100] or None
    text = request.query_params.get("peildatum", "").strip()
    try:
        when = parse_day(text) if text else None
    except ValueError:
        return page("error.html", 422, message="peildatum: geen geldige datum (dd-mm-jjjj)",
                    nav=NAV)  # fmt: skip
    try:
        v = visible_version(store, version_id, p)
        shown, generation = run_preview(
            store, v.id, snapshot.engine, placements_of(request), region, when
        )
    except RuleStoreError as exc:
        return _refused(request, store, version_id, exc)
    except (UnknownRegion, PlacementError) as exc:
        return page("error.html", 422, message=str(exc), nav=NAV)
    return page(
        "rule_preview.html",
        nav=NAV,
        v=v,
        p=shown,
        generation=generation,
        base=f"{BASE}/{v.id}",
        may_publish=v.status == APPROVED,
    )
