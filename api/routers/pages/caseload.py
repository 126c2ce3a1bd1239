"""The caseload in the web pages: /caseload (placements kept, deadlines within N days, the
calendar files of the API), storing from the arrangement page, re-check and deletion.

A face only: every answer comes from engine.caseload's store, the same one /v1/caseload uses.
Works without JavaScript: deletion asks for confirmation on a page of its own.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.pages import placement_form as pf
from api.pages.deps import CaseloadDep, EngineDep
from api.pages.responses import error_page, page, parse_day
from api.routers.pages.placement import arrangement_page
from engine.caseload import Caseload, CaseloadError, Stored
from engine.caseload.deadlines import mark_expired

router = APIRouter(include_in_schema=False)

DEFAULT_DAYS = 90


def _today() -> date:
    """The day a deadline is judged expired on (tests fix it)."""
    return date.today()


MAX_DAYS = 3660  # ten years: enough for every term the rules give
NAV = "caseload"


def _arrangement_link(s: Stored) -> str:
    """The placement's arrangement page, on the peildatum of its stored answer (left out when
    it is the model's own default, the startdatum, so the page says so)."""
    values = pf.flatten(s.facts)
    if s.peildatum.isoformat() != s.facts.get("peildatum", s.facts["job"]["startdatum"]):
        values["peildatum"] = s.peildatum.isoformat()
    return "/arrangement?" + pf.query(values)


def _row(s: Stored, start: date) -> dict[str, Any]:
    upcoming = mark_expired([d for d in s.deadlines if d["due"] >= start.isoformat()], _today())
    return {
        "ref": s.ref,
        "peildatum": s.peildatum,
        "eligible": [e["name"] for e in s.answer["instruments"].values()
                     if e["status"] == "eligible"],
        "next": upcoming[0] if upcoming else None,
        "link": _arrangement_link(s),
        "remove": f"/caseload/{quote(s.ref)}/verwijderen",
    }  # fmt: skip


def overview(
    store: Caseload,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
    **extra: Any,
) -> HTMLResponse:
    """The caseload page; a field in `errors` falls back to its default for the listing."""
    days = DEFAULT_DAYS if "dagen" in errors else int(values["dagen"])
    start = date.today() if "vanaf" in errors else parse_day(values["vanaf"])
    query = urlencode({"within": days, "today": start.isoformat()})
    return page(
        "caseload.html",
        status,
        nav=NAV,
        values=values,
        errors=errors,
        first_error=next((n for n in ("dagen", "vanaf", "datum") if n in errors), None),
        rows=[_row(s, start) for s in store.list()],
        deadlines=mark_expired(store.deadlines(days, start), _today()),
        today=_today(),
        days=days,
        start=start,
        ics=f"/v1/caseload/deadlines?format=ics&{query}",
        csv=f"/v1/caseload/deadlines?format=csv&{query}",
        **extra,
    )


def _selection(request: Request) -> tuple[dict[str, str], dict[str, str]]:
    """The overview's fields from the query string, and their errors."""
    values = {"dagen": str(DEFAULT_DAYS), "vanaf": date.today().isoformat(), "datum": ""} | {
        k: v.strip() for k, v in request.query_params.items() if k in ("dagen", "vanaf")
    }
    errors: dict[str, str] = {}
    if not values["dagen"].isdigit() or int(values["dagen"]) > MAX_DAYS:
        errors["dagen"] = f"dagen: een geheel getal van 0 tot en met {MAX_DAYS}"
    try:
        parse_day(values["vanaf"])
    except ValueError:
        errors["vanaf"] = "vanaf: geen geldige datum (dd-mm-jjjj)"
    return values, errors


@router.get("/caseload", response_class=HTMLResponse)
def caseload(request: Request, store: CaseloadDep) -> HTMLResponse:
    values, errors = _selection(request)
    removed = request.query_params.get("verwijderd", "")
    return overview(store, values, errors, 422 if errors else 200, removed=removed)


@router.post("/caseload", response_class=HTMLResponse)
async def save(request: Request, engine: EngineDep, store: CaseloadDep) -> Response:
    """Store the arrangement page's placement under a reference; errors go back to that page."""
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    ref = form.pop("ref", "").strip()
    data, errors = pf.parse(form)
    if errors:  # the hidden fields were changed by hand: show the form with its errors
        return arrangement_page(engine, form, True)
    try:  # a check and a write: off the event loop (PostgreSQL may be a network away)
        await run_in_threadpool(store.add, data, ref)
    except CaseloadError as exc:
        return arrangement_page(engine, form, True, {"ref": ref, "error": exc.message}, exc.status)
    return RedirectResponse("/caseload", status_code=303)


@router.post("/caseload/herbeoordelen", response_class=HTMLResponse)
def recheck(store: CaseloadDep, datum: str = Form("")) -> HTMLResponse:
    values = {"dagen": str(DEFAULT_DAYS), "vanaf": date.today().isoformat(), "datum": datum}
    when = None
    if datum.strip():
        try:
            when = parse_day(datum)
        except ValueError:
            error = "peildatum herbeoordeling: geen geldige datum (dd-mm-jjjj)"
            return overview(store, values, {"datum": error}, 422)
    try:
        report = store.recheck(when)
    except CaseloadError as exc:  # nothing was saved: the stored answers are as they were
        return overview(store, values, {"datum": exc.message}, exc.status)
    return page("caseload_recheck.html", nav=NAV, report=report)


@router.get("/caseload/{ref}/verwijderen", response_class=HTMLResponse)
def confirm_removal(ref: str, store: CaseloadDep) -> HTMLResponse:
    try:
        stored = store.get(ref)
    except CaseloadError as exc:
        return error_page(exc.message, exc.status, nav=NAV)
    return page(
        "caseload_remove.html", nav=NAV, s=stored, action=f"/caseload/{quote(ref)}/verwijderen"
    )


@router.post("/caseload/{ref}/verwijderen", response_class=HTMLResponse)
def remove(ref: str, store: CaseloadDep) -> Response:
    try:
        store.remove(ref)
    except CaseloadError as exc:
        return error_page(exc.message, exc.status, nav=NAV)
    return RedirectResponse("/caseload?" + urlencode({"verwijderd": ref}), status_code=303)
