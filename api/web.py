"""The accountmanager's web pages (Dutch, server-rendered, work without JavaScript).

/ (plaatsing invoeren) → /arrangement (het arrangement, shareable GET) → /traject and
/traject.pdf (month by month, the employer's one-pager); /caseload (placements kept, their
deadlines, re-check, deletion; the store the API uses); /regio (harmonisation as a background
job through the job API); /regels (rule sets, conditions in Dutch, differences between
versions). A thin face: every answer comes from Engine.check, build_trajectory or the HTTP API.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import yaml
from fastapi import APIRouter, FastAPI, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from api.caseload_pages import add_caseload_pages
from api.pages import placement_form as pf
from api.pages.rules import authority_groups, rule_rows, ruleset_diff
from api.pages.templating import render
from engine.arrangement import Engine
from engine.caseload import Caseload
from engine.errors import EvaluationError, PlacementError
from engine.model import Arrangement
from engine.rulesets.registry import RuleBase
from engine.trajectory import TrajectoryRequest, build_trajectory
from engine.trajectory.model import Trajectory

STATIC = Path(__file__).parent / "static"
_GROUPS = (
    ("eligible", "Komt in aanmerking"),
    ("needs_assessment", "Nog te beoordelen"),
    ("not_eligible", "Komt niet in aanmerking"),
)
# the trajectory's own fields in the query string, next to the placement's
_TRAJECT = ("traject.maanden", "traject.proefplaatsing", "traject.contact")


def _page(template: str, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(render(template, **context), status_code=status)


def _values(request: Request) -> dict[str, str]:
    return {k: v for k, v in request.query_params.items()}


def web_router(
    current: Callable[[], Engine], caseload: Callable[[], Caseload] | None = None
) -> APIRouter:
    """The pages; each request reads the rule base that serves now (a reload swaps it).
    With `caseload` (the store the API uses) also /caseload."""

    def rb() -> RuleBase:
        return current().rulebase

    router = APIRouter(include_in_schema=False)

    suggestions: dict[int, list[tuple[str, str]]] = {}

    def gemeenten() -> list[tuple[str, str]]:
        key = id(rb())
        if key not in suggestions:
            suggestions.clear()
            suggestions[key] = _suggestions(rb())
        return suggestions[key]

    def _suggestions(rb_now: RuleBase) -> list[tuple[str, str]]:
        """Suggestions for the gemeente fields: every name with its code, regio and aliases;
        merged gemeenten say what they became (the geography resolves them by date)."""
        regios = {r.id: r.naam for r in rb_now.geography.regios}
        out = []
        for g in sorted(
            rb_now.geography.gemeenten, key=lambda g: (g.naam, g.valid_from or date.min)
        ):
            label = f"{g.code} · {regios.get(g.regio, g.regio)}"
            if g.aliases:
                label += " · ook: " + ", ".join(g.aliases)
            if g.valid_to:
                after = rb_now.geography.by_code(g.successor) if g.successor else None
                label += f" · tot {g.valid_to:%d-%m-%Y}" + (f", nu {after.naam}" if after else "")
            out.append((g.naam, label))
        return out

    def form_page(values: dict[str, str], errors: dict[str, str], status: int = 200, **extra):
        first = next((n for n in pf.FIELDS if n in errors), None)
        return _page(
            "form.html",
            status,
            nav="invoer",
            fieldsets=[("Peildatum", (pf.PEILDATUM,)), *pf.FIELDSETS],
            values=values,
            errors=errors,
            first_error=first,
            gemeenten=gemeenten(),
            fields_by_name=pf.FIELDS,
            **extra,
        )

    def checked(values: dict[str, str]) -> tuple[dict[str, Any], Arrangement | None, dict]:
        data, errors = pf.parse(values)
        if errors:
            return data, None, errors
        try:
            return data, current().check(data), {}
        except EvaluationError as exc:  # the rules contradict themselves: not the user's error
            return data, None, {"": f"De regels spreken elkaar tegen voor deze plaatsing: {exc}"}
        except PlacementError as exc:
            field = exc.field if exc.field in pf.FIELDS else None
            label = pf.FIELDS[field].label if field else exc.field
            return data, None, {field or "": f"{label}: {exc.message}"}

    @router.get("/", response_class=HTMLResponse)
    def form(request: Request) -> HTMLResponse:
        values = _values(request)
        if not values:
            values = {"peildatum": date.today().isoformat(), "job.lks_zonder_loonwaarde": "nee"}
        return form_page(values, {})

    @router.get("/arrangement", response_class=HTMLResponse)
    async def arrangement(request: Request) -> HTMLResponse:
        # a few milliseconds of CPU, like POST /v1/checks: cheaper on the loop than a thread hop
        return arrangement_page(_values(request))

    def arrangement_page(
        values: dict[str, str], save: dict[str, str] | None = None, status: int = 200
    ) -> HTMLResponse:
        """The arrangement; `save` keeps the caseload form's reference and its error."""
        data, result, errors = checked(values)
        if result is None:
            return form_page(values, errors, 422)
        canonical = pf.flatten(data)
        q = pf.query(canonical)
        groups = [
            (status, title, [e for e in result.instruments if e.status == status])
            for status, title in _GROUPS
        ]
        return _page(
            "arrangement.html",
            status,
            nav="invoer",
            save=save or {},
            caseload=caseload is not None,
            a=result,
            groups=groups,
            query=q,
            values=canonical,
            fields=pf.FIELDS,
            questions=[pf.FIELDS[m] for m in result.missing_facts if m in pf.FIELDS],
            asked_by={
                m: [e.name for e in result.instruments if m in e.missing_facts]
                for m in result.missing_facts
            },
            trajectory_possible=data["job"].get("startdatum", "").endswith("-01"),
        )

    if caseload is not None:
        add_caseload_pages(router, caseload, arrangement_page)

    @router.get("/plaatsing.{ext}")
    def download(request: Request, ext: str) -> Response:
        values = _values(request)
        data, errors = pf.parse(values)
        if errors or ext not in ("yaml", "json"):
            return form_page(values, errors or {"": "onbekend bestandstype"}, 422)
        placement = pf.placement_dict(values)
        if ext == "json":
            body, media = json.dumps(placement, indent=2, ensure_ascii=False), "application/json"
        else:
            body = yaml.safe_dump(placement, sort_keys=False, allow_unicode=True)
            media = "application/yaml"
        return Response(
            body + "\n" if not body.endswith("\n") else body,
            media_type=media,
            headers={"Content-Disposition": f'attachment; filename="plaatsing.{ext}"'},
        )

    @router.post("/plaatsing", response_class=HTMLResponse)
    async def upload(bestand: UploadFile = File(...)) -> Response:  # noqa: B008
        name = bestand.filename or "plaatsing.yaml"
        raw = await bestand.read(200_001)
        if len(raw) > 200_000:  # cut off, the rest of the file could read as something else
            return form_page({}, {"": f"{name}: groter dan 200 KB"}, 413)
        try:  # off the event loop: reading is bounded, but not free
            data = await run_in_threadpool(pf.load_file, raw.decode("utf-8"), name)
        except UnicodeDecodeError:
            return form_page({}, {"": f"{name}: geen tekstbestand (UTF-8)"}, 422)
        except ValueError as exc:
            return form_page({}, {"": str(exc)}, 422)
        return RedirectResponse("/?" + pf.query(pf.flatten(data)), status_code=303)

    def trajectory_of(values: dict[str, str]) -> tuple[Trajectory | None, dict[str, str]]:
        data, errors = pf.parse(values)
        if errors:
            return None, errors
        data.pop("peildatum", None)  # a trajectory checks every month on its first day
        request: dict[str, Any] = {"placement": data}
        try:
            request["maanden"] = int(values.get("traject.maanden") or 36)
        except ValueError:
            return None, {"traject.maanden": "maanden: geen geheel getal"}
        pp = values.get("traject.proefplaatsing", "")
        if pp in ("ja", "nee"):
            request["proefplaatsing"] = pp == "ja"
        contact = values.get("traject.contact", "").strip()
        if contact:
            request["contactpersoon"] = {"naam": contact}
        try:
            return build_trajectory(TrajectoryRequest.model_validate(request), current()), {}
        except PlacementError as exc:
            field = exc.field.removeprefix("placement.")
            label = pf.FIELDS[field].label if field in pf.FIELDS else field
            return None, {field: f"{label}: {exc.message}"}
        except ValueError:  # pydantic: the horizon is the only field left to refuse
            return None, {"traject.maanden": "maanden: een geheel getal van 1 tot en met 120"}

    @router.get("/traject", response_class=HTMLResponse)
    def trajectory(request: Request) -> HTMLResponse:
        values = _values(request)
        t, errors = trajectory_of(values)
        if t is None:
            return form_page(values, errors, 422, context="traject")
        keep = {k: values[k] for k in _TRAJECT if values.get(k)}
        q = pf.query(values)
        return _page(
            "trajectory.html",
            t=t,
            web=True,
            back="/arrangement?" + q,
            pdf="/traject.pdf?" + q + ("&" + urlencode(keep) if keep else ""),
            **trajectory_figures(t),
        )

    @router.get("/traject.pdf")
    def trajectory_pdf(request: Request) -> Response:
        from api.pages.pdf import render_pdf

        values = _values(request)
        t, errors = trajectory_of(values)
        if t is None:
            return form_page(values, errors, 422, context="traject")
        return Response(
            render_pdf(t),
            media_type="application/pdf",
            headers={"Content-Disposition": 'inline; filename="aanbod-werkgever.pdf"'},
        )

    # ------------------------------------------------------------------------ regio

    def regio_form(values: dict[str, str], errors: dict[str, str], status: int = 200):
        return _page(
            "regio_form.html",
            status,
            nav="regio",
            regios=sorted(rb().geography.regios, key=lambda r: r.naam),
            values=values,
            errors=errors,
        )

    @router.get("/regio", response_class=HTMLResponse)
    def regio(request: Request) -> HTMLResponse:
        values = {"date": date.today().isoformat(), "profiles": "300"} | _values(request)
        return regio_form(values, {})

    @router.post("/regio", response_class=HTMLResponse)
    async def regio_start(
        request: Request,
        region: str = Form(""),
        when: str = Form("", alias="date"),
        profiles: str = Form("300"),
    ) -> Response:
        values = {"region": region, "date": when, "profiles": profiles}
        errors: dict[str, str] = {}
        if rb().geography.regio(region) is None:
            errors["region"] = "arbeidsmarktregio: kies een regio uit de lijst"
        try:
            when_iso = pf._parse_date(when.strip()).isoformat()
        except ValueError:
            errors["date"] = "peildatum: geen geldige datum (dd-mm-jjjj)"
        if not profiles.strip().isdigit() or not 1 <= int(profiles) <= 200_000:
            errors["profiles"] = "profielen: een geheel getal van 1 tot en met 200.000"
        if errors:
            return regio_form(values, errors, 422)
        params = {"date": when_iso, "profiles": int(profiles)}
        async with _local(request) as client:
            r = await client.post(f"/v1/regions/{region}/harmonisation/jobs", params=params)
        if r.status_code != 202:
            return regio_form(values, {"": _api_error(r)}, 422)
        return RedirectResponse(f"/regio/taken/{r.json()['id']}", status_code=303)

    @router.get("/regio/taken/{job_id}", response_class=HTMLResponse)
    async def regio_job(request: Request, job_id: str) -> HTMLResponse:
        status = await _job_status(request, job_id)
        if status is None:
            return _page("error.html", 404, message=f"onbekende taak {job_id!r}", nav="regio")
        return _page(
            "regio_job.html",
            nav="regio",
            job=status,
            status_url=f"/v1/jobs/{job_id}",
            report_url=f"/regio/taken/{job_id}/rapport",
        )

    @router.get("/regio/taken/{job_id}/rapport", response_class=HTMLResponse)
    async def regio_report(request: Request, job_id: str) -> HTMLResponse:
        from api.harmonisation_views import to_html
        from engine.analysis import HarmonisationReport

        async with _local(request) as client:
            r = await client.get(f"/v1/jobs/{job_id}/result")
        if r.status_code != 200:
            return _page("error.html", r.status_code, message=_api_error(r), nav="regio")
        report = HarmonisationReport.model_validate(r.json())
        return HTMLResponse(to_html(report, form_url="/"))

    # ------------------------------------------------------------------------ regels

    @router.get("/regels", response_class=HTMLResponse)
    def rules(request: Request) -> HTMLResponse:
        text = request.query_params.get("datum") or date.today().isoformat()
        try:
            when = pf._parse_date(text)
            error = ""
        except ValueError:
            when, error = date.today(), "datum: geen geldige datum (dd-mm-jjjj)"
        who = request.query_params.get("instantie", "")
        groups = authority_groups(rb(), when, who)
        return _page(
            "rules.html",
            200 if not error else 422,
            nav="regels",
            when=when,
            who=who,
            groups=groups,
            authorities=authority_groups(rb(), None, ""),
            error=error,
        )

    @router.get("/regels/{ruleset_id}", response_class=HTMLResponse)
    def ruleset(request: Request, ruleset_id: str) -> HTMLResponse:
        versions = rb().versions(ruleset_id)
        if not versions:
            return _page("error.html", 404, message=f"onbekende regelset {ruleset_id!r}")
        wanted = request.query_params.get("versie")
        rs = next((v for v in versions if v.version == wanted), versions[-1])
        return _page(
            "ruleset.html",
            nav="regels",
            rs=rs,
            versions=versions,
            rows=rule_rows(rs),
            authority=_label(current(), rs.authority),
        )

    @router.get("/regels/{ruleset_id}/verschil", response_class=HTMLResponse)
    def ruleset_changes(request: Request, ruleset_id: str) -> HTMLResponse:
        versions = {v.version: v for v in rb().versions(ruleset_id)}
        if not versions:
            return _page("error.html", 404, message=f"onbekende regelset {ruleset_id!r}")
        order = list(versions)
        old = versions.get(request.query_params.get("van", ""), versions[order[0]])
        new = versions.get(request.query_params.get("naar", ""), versions[order[-1]])
        return _page(
            "ruleset_diff.html",
            nav="regels",
            old=old,
            new=new,
            versions=order,
            changes=ruleset_diff(old, new),
        )

    return router


def _label(engine: Engine, authority: str) -> str:
    from engine.arrangement import authority_label

    return authority_label(authority, engine.rulebase)


def trajectory_figures(t: Trajectory) -> dict[str, Any]:
    from api.pages.trajectory import figures

    return figures(t)


# ---------------------------------------------------------------- the job API, in-process


def _local(request: Request) -> httpx.AsyncClient:
    """The app's own HTTP API, called in-process: the pages rely on its contract only."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=request.app), base_url="http://arrangeur"
    )


def _api_error(r: httpx.Response) -> str:
    try:
        detail = r.json().get("detail")
    except ValueError:
        return f"fout {r.status_code}"
    if isinstance(detail, list) and detail:
        return str(detail[0].get("msg", detail[0]))
    return str(detail or f"fout {r.status_code}")


async def _job_status(request: Request, job_id: str) -> dict[str, Any] | None:
    async with _local(request) as client:
        r = await client.get(f"/v1/jobs/{job_id}")
    return r.json() if r.status_code == 200 else None


# ------------------------------------------------------------------------- the app's extras


def add_web(
    app: FastAPI, current: Callable[[], Engine], caseload: Callable[[], Caseload] | None = None
) -> None:
    """The pages, their static files and offline /docs and /redoc."""
    from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
    from fastapi_offline.core import _STATIC_PATH

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.mount("/static-docs", StaticFiles(directory=_STATIC_PATH), name="static-docs")
    app.include_router(web_router(current, caseload))

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="Arrangeur – API",
            swagger_js_url="/static-docs/swagger-ui-bundle.js",
            swagger_css_url="/static-docs/swagger-ui.css",
            swagger_favicon_url="/static-docs/favicon.png",
        )

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="Arrangeur – API",
            redoc_js_url="/static-docs/redoc.standalone.js",
            redoc_favicon_url="/static-docs/favicon.png",
            with_google_fonts=False,
        )
