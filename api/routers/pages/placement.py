"""The placement: / (the form), /arrangement (the answer, a shareable GET), the placement as a
file (/plaatsing.yaml, /plaatsing.json) and the upload that fills the form from one."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.pages import placement_form as pf
from api.pages.deps import EngineDep, HasCaseloadDep
from api.pages.local_notice import no_local_rules
from api.pages.responses import field_error, form_page, page, query_values
from api.render import render
from engine.arrangement import Engine
from engine.errors import EvaluationError, PlacementError
from engine.model import Arrangement

router = APIRouter(include_in_schema=False)

GROUPS = (
    ("eligible", "Komt in aanmerking"),
    ("needs_assessment", "Nog te beoordelen"),
    ("not_eligible", "Komt niet in aanmerking"),
)
MAX_UPLOAD = 200_000  # bytes of an uploaded placement file that are read


def checked(
    engine: Engine, values: dict[str, str]
) -> tuple[dict[str, Any], Arrangement | None, dict[str, str]]:
    """(the placement, its arrangement or None, the errors per field in Dutch)."""
    data, errors = pf.parse(values)
    errors |= pf.problems(data, errors, engine.rulebase.geography)  # all at once, not one a submit
    if errors:
        return data, None, errors
    try:
        return data, engine.check(data), {}
    except EvaluationError as exc:  # the rules contradict themselves: not the user's error
        return data, None, {"": f"De regels spreken elkaar tegen voor deze plaatsing: {exc}"}
    except PlacementError as exc:
        return data, None, field_error(exc)


def arrangement_page(
    engine: Engine,
    values: dict[str, str],
    with_caseload: bool,
    save: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The arrangement, or the form with its errors; `save` keeps the caseload form's
    reference and its error (the caseload pages render this page again)."""
    data, result, errors = checked(engine, values)
    if result is None:
        return form_page(engine, values, errors, 422)
    canonical = pf.flatten(data)
    no_local, notices = no_local_rules(result, engine.rulebase)
    return page(
        "arrangement.html",
        status,
        nav="invoer",
        save=save or {},
        caseload=with_caseload,
        a=result,
        groups=[
            (status, title, [e for e in result.instruments if e.status == status])
            for status, title in GROUPS
        ],
        query=pf.query(canonical),
        values=canonical,
        fields=pf.FIELDS,
        questions=[pf.FIELDS[m] for m in result.missing_facts if m in pf.FIELDS],
        asked_by={
            m: [e.name for e in result.instruments if m in e.missing_facts]
            for m in result.missing_facts
        },
        peildatum_chosen="peildatum" in data,
        trajectory_possible=data["job"].get("startdatum", "").endswith("-01"),
        no_local=no_local,
        notices=notices,
        instrument_names={k: v.naam for k, v in engine.rulebase.catalogue.instruments.items()},
        pays=any(
            m.eur > 0 for e in result.instruments if e.status == "eligible" for m in e.amounts
        ),
        pending=any(e.status == "needs_assessment" for e in result.instruments),
    )


@router.get("/", response_class=HTMLResponse)
async def form(request: Request, engine: EngineDep) -> HTMLResponse:
    values = query_values(request)
    if not values:
        # no peildatum: the model reads an absent one as job.startdatum (placements are mostly
        # entered before they start; today would judge them on the wrong year)
        values = {"job.lks_zonder_loonwaarde": "nee"}
    return form_page(engine, values, {})


@router.get("/arrangement", response_class=HTMLResponse)
async def arrangement(
    request: Request, engine: EngineDep, with_caseload: HasCaseloadDep
) -> HTMLResponse:
    # a few milliseconds of CPU, like POST /v1/checks: cheaper on the loop than a thread hop
    return arrangement_page(engine, query_values(request), with_caseload)


@router.get("/plaatsing.{ext}")
def download(request: Request, ext: str, engine: EngineDep) -> Response:
    """The placement as the file `arrangeur check` reads (YAML or JSON)."""
    values = query_values(request)
    _, errors = pf.parse(values)
    if errors or ext not in ("yaml", "json"):
        return form_page(engine, values, errors or {"": "onbekend bestandstype"}, 422)
    body, media = render(pf.placement_dict(values), ext)
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="plaatsing.{ext}"'},
    )


@router.post("/plaatsing", response_class=HTMLResponse)
async def upload(engine: EngineDep, bestand: UploadFile | None = File(None)) -> Response:  # noqa: B008
    """A placement file fills the form (its fields in the query string)."""
    if bestand is None:  # "Laden" without a file chosen: the form again, saying so
        return form_page(engine, {}, {"": "kies eerst een bestand om te laden"}, 422)
    name = bestand.filename or "plaatsing.yaml"
    raw = await bestand.read(MAX_UPLOAD + 1)
    if len(raw) > MAX_UPLOAD:  # cut off, the rest of the file could read as something else
        return form_page(engine, {}, {"": f"{name}: groter dan 200 KB"}, 413)
    try:  # off the event loop: reading is bounded, but not free
        data = await run_in_threadpool(pf.load_file, raw.decode("utf-8"), name)
    except UnicodeDecodeError:
        return form_page(engine, {}, {"": f"{name}: geen tekstbestand (UTF-8)"}, 422)
    except ValueError as exc:
        return form_page(engine, {}, {"": str(exc)}, 422)
    return RedirectResponse("/?" + pf.query(pf.flatten(data)), status_code=303)
