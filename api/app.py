"""The HTTP API: a thin face over engine.check; no domain logic here."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Body, FastAPI, Header, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.caseload_routes import SharedCaseload, caseload_router
from api.current_rules import CurrentRules, Snapshot
from api.jobs import FINISHED, Job, JobManager, JobsFull, SweepRequest, job_status
from api.limits import (
    MAX_GEMEENTEN,
    BodyLimit,
    Limits,
    dutch,
    error,
    http_error,
    shorten,
    unprocessable,
    validation_error,
)
from engine.analysis import DEFAULT_PROFILES, HarmonisationReport, Options, resolve_region
from engine.errors import EvaluationError, PlacementError, RulesError
from engine.model import Arrangement, Datum, Placement
from engine.rulesets.registry import RuleBase, load_rulebase
from engine.trajectory import Trajectory, TrajectoryRequest, build_trajectory


def _summary(rs: Any) -> dict[str, Any]:
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


# ------------------------------------------------------------------ documented error bodies


class ErrorItem(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class Problems(BaseModel):
    detail: list[ErrorItem]


class Message(BaseModel):
    detail: str


class JobStatus(BaseModel):
    """A background job as `GET /v1/jobs/{id}` answers it."""

    id: str
    state: Literal["queued", "running", "done", "failed", "cancelled"]
    progress: float = Field(ge=0, le=1)
    done: int = Field(description="checks gedaan")
    total: int = Field(description="checks in totaal (0 zolang onbekend)")
    status_url: str
    result_url: str
    error: str | None = Field(description="waarom de taak mislukte of geannuleerd is")
    rules_hash: str = Field(description="inhoudshash van de regels waarmee gerekend wordt")


class ReloadResult(BaseModel):
    changed: bool
    rules_hash: str
    previous_hash: str
    rulesets: list[dict[str, str]]


class SweepParameters(BaseModel):
    """The parameters of a harmonisation job (all optional, as in the synchronous endpoint)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    date_: Datum | None = Field(None, alias="date", description="peildatum (standaard: vandaag)")
    compare_date: Datum | None = None
    compare_region: str | None = Field(None, max_length=100)
    profiles: int | None = Field(None, ge=1)
    seed: int | None = Field(None, ge=0, le=2**31 - 1)
    gemeenten: list[str] | None = Field(None, max_length=MAX_GEMEENTEN)
    employer: str | None = Field(None, max_length=100, description="vestigingsgemeente")

    @field_validator("date_", "compare_date")
    @classmethod
    def _plausible(cls, value: date | None) -> date | None:
        if value is not None and not FIRST_DAY <= value <= LAST_DAY:
            raise ValueError(f"moet tussen {FIRST_DAY} en {LAST_DAY} liggen")
        return value


def sweep_parameters(where: str, **values: Any) -> SweepParameters | JSONResponse:
    """Query parameters as SweepParameters, or the Dutch 422 naming the first bad one."""
    try:
        return SweepParameters(**values)
    except ValidationError as exc:
        items = [dutch({**e, "loc": (where, *e["loc"])}) for e in exc.errors()]
        for item in items:  # the field's public name, not the Python one
            item["loc"] = [("date" if p == "date_" else p) for p in item["loc"]]
            item["msg"] = item["msg"].replace("date_:", "date:")
        return JSONResponse(status_code=422, content={"detail": items})


FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2100, 12, 31)  # peildata the rules can answer
NOT_FOUND = {404: {"model": Message, "description": "niet gevonden"}}
TOO_LARGE = {413: {"model": Message, "description": "verzoek te groot"}}
INVALID = {
    422: {"model": Problems, "description": "ongeldige invoer (welk veld, in het Nederlands)"}
}
BUSY = {503: {"model": Message, "description": "te veel berekeningen tegelijk; later opnieuw"}}
RULES_FAULT = {500: {"model": Message, "description": "de regels spreken zichzelf tegen"}}


def create_app(
    rulebase: RuleBase | None = None,
    limits: Limits | None = None,
    rules_dir: Path | None = None,
    database_url: str | None = None,
) -> FastAPI:
    """Build the app on a validated rule base; broken rules raise RulesError before it exists.

    `rules_dir` is the folder a reload reads (default: where `rulebase` was loaded from);
    `database_url` the caseload's (default: ARRANGEUR_DATABASE_URL, else the SQLite file)."""
    limits = limits or Limits.from_environment()
    rules = CurrentRules(rulebase or load_rulebase(rules_dir), rules_dir)
    jobs = JobManager(
        limits.max_running_jobs,
        limits.max_queued_jobs,
        limits.abandon_after_s,
        limits.job_workers,
    )
    atexit.register(jobs.shutdown)
    sync_profiles = min(DEFAULT_PROFILES, limits.max_sync_profiles)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        with contextlib.suppress(ValueError, RuntimeError, NotImplementedError, AttributeError):
            # SIGHUP: reload the rules (in a thread: loading takes a second)
            loop.add_signal_handler(
                signal.SIGHUP, lambda: loop.run_in_executor(None, _reload_quietly)
            )
        try:
            yield
        finally:
            jobs.shutdown()  # SIGTERM: uvicorn ends the requests, then the sweeps stop here

    def _reload_quietly() -> None:
        """SIGHUP has no one to answer: say on stderr what happened (the old rules stay)."""
        try:
            snapshot, changed = rules.reload()
            print(f"regels {'herladen' if changed else 'ongewijzigd'}: {snapshot.rules_hash}",
                  file=sys.stderr)  # fmt: skip
        except RulesError as exc:
            print(f"nieuwe regels geweigerd, de oude blijven:\n{exc}", file=sys.stderr)
        except (BlockingIOError, OSError) as exc:
            print(f"herladen niet gelukt: {exc}", file=sys.stderr)

    app = FastAPI(
        title="Arrangeur",
        version="0.1.0",
        description="Welke instrumenten passen bij een plaatsing, van welke instantie.",
        docs_url=None,  # served offline by api.web.add_web (no CDN)
        redoc_url=None,
        lifespan=lifespan,
    )
    app.add_middleware(BodyLimit, limit=limits.max_body_bytes)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.state.rules = rules
    app.state.jobs = jobs

    def placement_error(exc: PlacementError, prefix: str = "body") -> JSONResponse:
        loc: list[str | int] = [prefix, *exc.field.split(".")]
        return unprocessable(loc, shorten(exc.message, 300))

    @app.post(
        "/v1/checks", response_model=Arrangement, responses={**TOO_LARGE, **INVALID, **RULES_FAULT}
    )
    async def post_check(placement: Placement) -> Any:
        try:
            # A check is about a millisecond of CPU: running it on the event loop is cheaper
            # than a thread hop, and the GIL would serialise the threads anyway.
            return rules.now().engine.check(placement)
        except PlacementError as exc:
            return placement_error(exc)
        except EvaluationError as exc:  # the rules contradict themselves for this placement
            return JSONResponse(status_code=500, content={"detail": f"fout in de regels: {exc}"})

    @app.post(
        "/v1/trajectories",
        response_model=Trajectory,
        responses={
            200: {"content": {"text/html": {}, "application/pdf": {}}},
            **TOO_LARGE,
            **INVALID,
            **RULES_FAULT,
        },
    )
    def post_trajectory(
        request: TrajectoryRequest,
        format: str = Query("json", pattern="^(json|html|pdf)$"),  # noqa: A002
    ) -> Any:
        # ~36 checks: a plain (threadpool) endpoint, so it does not hold up the event loop
        try:
            trajectory = build_trajectory(request, rules.now().engine)
        except PlacementError as exc:
            return placement_error(exc)
        except EvaluationError as exc:
            return JSONResponse(status_code=500, content={"detail": f"fout in de regels: {exc}"})
        if format == "html":
            from api.pages.trajectory import render_html

            return HTMLResponse(render_html(trajectory))
        if format == "pdf":
            from api.pages.pdf import render_pdf

            return Response(render_pdf(trajectory), media_type="application/pdf")
        return trajectory

    @app.get("/v1/rulesets")
    def get_rulesets() -> list[dict[str, Any]]:
        return [_summary(rs) for rs in rules.now().rulebase.rulesets]

    @app.get("/v1/rulesets/{ruleset_id}", responses=NOT_FOUND)
    def get_ruleset(ruleset_id: str) -> dict[str, Any]:
        versions = rules.now().rulebase.versions(ruleset_id)
        if not versions:
            raise HTTPException(404, f"onbekende regelset {shorten(ruleset_id)!r}")
        return {
            "id": ruleset_id,
            "versions": [
                {
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
                for rs in versions
            ],
        }

    # -------------------------------------------------------------------- harmonisation

    def sweep_request(
        snapshot: Snapshot,
        region: str,
        p: SweepParameters,
        max_profiles: int,
        where: str = "query",
    ) -> SweepRequest | JSONResponse:
        """The job's parameters, checked before anything is queued (404 unknown region,
        422 too many profiles or an unknown compare_region)."""
        try:
            resolve_region(snapshot.engine, region)
        except PlacementError as exc:
            return unprocessable(["query", "region"], shorten(exc.message, 300), 404)
        if p.compare_region is not None:
            try:
                resolve_region(snapshot.engine, p.compare_region)
            except PlacementError as exc:
                return unprocessable([where, "compare_region"], shorten(exc.message, 300))
        profiles = p.profiles or min(DEFAULT_PROFILES, max_profiles)
        if profiles > max_profiles:
            hint = (
                f"; gebruik POST /v1/regions/{{regio}}/harmonisation/jobs voor tot "
                f"{limits.max_job_profiles} profielen"
                if max_profiles < limits.max_job_profiles
                else ""
            )
            return unprocessable(
                [where, "profiles"], f"profiles: ten hoogste {max_profiles} profielen{hint}"
            )
        options = Options(
            profiles=profiles,
            seed=p.seed if p.seed is not None else Options().seed,
            vestigingsgemeente=p.employer,
            gemeenten=tuple(g.strip() for g in p.gemeenten or () if g.strip()),
        )
        return SweepRequest(
            region, p.date_ or date.today(), p.compare_date, p.compare_region, options
        )

    def submit(snapshot: Snapshot, request: SweepRequest) -> Job | JSONResponse:
        try:
            return jobs.submit(request, snapshot.bundle)
        except JobsFull as exc:
            return JSONResponse(
                status_code=503, content={"detail": str(exc)}, headers={"retry-after": "10"}
            )

    async def render(report: HarmonisationReport, format: str) -> Any:  # noqa: A002
        from api.harmonisation_views import to_csv, to_html

        if format == "html":
            return HTMLResponse(await run_in_threadpool(to_html, report))
        if format == "csv":
            return PlainTextResponse(await run_in_threadpool(to_csv, report), media_type="text/csv")
        return report

    def failed(job: Job) -> JSONResponse:
        if job.state == "failed" and job.error_status in (404, 422):
            return unprocessable(job.error_loc or ["query"], job.error or "", job.error_status)
        status = 500 if job.error_status == 500 else 409
        return JSONResponse(status_code=status, content={"detail": job.error or job.state})

    @app.get(
        "/v1/regions/{region}/harmonisation",
        response_model=HarmonisationReport,
        responses={
            200: {"content": {"text/html": {}, "text/csv": {}}},
            404: {"model": Problems, "description": "onbekende regio"},
            409: {"model": Message, "description": "de berekening is geannuleerd"},
            **INVALID,
            **BUSY,
        },
    )
    async def get_harmonisation(
        request: Request,
        region: str,
        date_: Annotated[Datum | None, Query(alias="date", description="peildatum")] = None,
        compare_date: Datum | None = None,
        compare_region: Annotated[str | None, Query(max_length=100)] = None,
        profiles: int = Query(  # noqa: B008
            sync_profiles,
            ge=1,
            description=f"ten hoogste {limits.max_sync_profiles}; meer via de taak-endpoint",
            json_schema_extra={"maximum": limits.max_sync_profiles},
        ),
        seed: Annotated[int, Query(ge=0, le=2**31 - 1)] = 2026,
        gemeenten: Annotated[
            str | None, Query(max_length=2000, description="komma-gescheiden selectie")
        ] = None,
        employer: Annotated[
            str | None, Query(max_length=100, description="vestigingsgemeente werkgever")
        ] = None,
        format: Literal["json", "html", "csv"] = "json",  # noqa: A002
    ) -> Any:
        """The harmonisation report, computed while you wait (at most a few thousand profiles;
        larger sweeps go through POST /v1/regions/{region}/harmonisation/jobs). Runs as a job
        in its own process; the same request later comes from the cache."""
        snapshot = rules.now()
        params = sweep_parameters(
            "query",
            date=date_,
            compare_date=compare_date,
            compare_region=compare_region,
            profiles=profiles,
            seed=seed,
            gemeenten=gemeenten.split(",") if gemeenten else None,
            employer=employer,
        )
        if isinstance(params, JSONResponse):
            return params
        req = sweep_request(snapshot, region, params, limits.max_sync_profiles)
        if isinstance(req, JSONResponse):
            return req
        job = await run_in_threadpool(submit, snapshot, req)
        if isinstance(job, JSONResponse):
            return job
        job.waiters += 1
        try:
            while job.state not in FINISHED:
                if await request.is_disconnected():
                    break
                await asyncio.sleep(0.05)
        finally:  # no await here: a cancelled request must still let go of its job
            jobs.release(job)
        if job.state != "done" or job.result is None:
            return failed(job)
        return await render(job.result, format)

    @app.post(
        "/v1/regions/{region}/harmonisation/jobs",
        status_code=202,
        response_model=JobStatus,
        responses={
            404: {"model": Problems, "description": "onbekende regio"},
            **TOO_LARGE,
            **INVALID,
            **BUSY,
        },
    )
    def post_harmonisation_job(
        region: str,
        request: Request,
        response: Response,
        body: Annotated[SweepParameters | None, Body()] = None,
        date_: Annotated[Datum | None, Query(alias="date", description="peildatum")] = None,
        compare_date: Datum | None = None,
        compare_region: Annotated[str | None, Query(max_length=100)] = None,
        profiles: int | None = Query(  # noqa: B008
            None, ge=1, le=limits.max_job_profiles, description="standaard 10.000"
        ),
        seed: Annotated[int | None, Query(ge=0, le=2**31 - 1)] = None,
        gemeenten: Annotated[
            str | None, Query(max_length=2000, description="komma-gescheiden selectie")
        ] = None,
        employer: Annotated[str | None, Query(max_length=100)] = None,
    ) -> Any:
        """Start a harmonisation sweep in the background (parameters as query or JSON body;
        the body wins). Answers 202 with the job's id, status_url and result_url; the same
        request on the same rules returns the job that already has (or is computing) it."""
        snapshot = rules.now()
        query = sweep_parameters(
            "query",
            date=date_,
            compare_date=compare_date,
            compare_region=compare_region,
            profiles=profiles,
            seed=seed,
            gemeenten=gemeenten.split(",") if gemeenten else None,
            employer=employer,
        )
        if isinstance(query, JSONResponse):
            return query
        params = query.model_copy(update=body.model_dump(exclude_unset=True)) if body else query
        req = sweep_request(snapshot, region, params, limits.max_job_profiles, DEFAULT_PROFILES)
        if isinstance(req, JSONResponse):
            return req
        job = submit(snapshot, req)
        if isinstance(job, JSONResponse):
            return job
        response.headers["location"] = f"/v1/jobs/{job.id}"
        return job_status(job)

    def known(job_id: str, touch: bool = True) -> Job:
        job = jobs.get(job_id, touch)
        if job is None:
            raise HTTPException(404, f"onbekende taak {shorten(job_id)!r}")
        return job

    @app.get("/v1/jobs/{job_id}", response_model=JobStatus, responses=NOT_FOUND)
    def get_job(job_id: str) -> Any:
        """Where a job is: queued, running (progress 0..1), done, failed or cancelled. Asking
        keeps it alive: a job nobody asks about for a minute is cancelled."""
        return job_status(known(job_id))

    @app.get(
        "/v1/jobs/{job_id}/result",
        response_model=HarmonisationReport,
        responses={
            200: {"content": {"text/html": {}, "text/csv": {}}},
            **NOT_FOUND,
            409: {"model": Message, "description": "nog niet klaar, mislukt of geannuleerd"},
        },
    )
    async def get_job_result(
        job_id: str,
        format: Literal["json", "html", "csv"] = "json",  # noqa: A002
    ) -> Any:
        job = await run_in_threadpool(known, job_id)  # the job table's lock: not on the loop
        if job.state != "done" or job.result is None:
            why = {
                "queued": "de taak wacht nog",
                "running": f"de taak loopt nog ({job.progress:.0%})",
            }.get(job.state, f"de taak is {'mislukt' if job.state == 'failed' else 'geannuleerd'}")
            detail = f"{why}: {job.error}" if job.error else why
            return JSONResponse(status_code=409, content={"detail": detail})
        return await render(job.result, format)

    @app.delete("/v1/jobs/{job_id}", response_model=JobStatus, responses=NOT_FOUND)
    def delete_job(job_id: str) -> Any:
        """Cancel a job (its process stops); a finished job stays as it is."""
        known(job_id, touch=False)
        job = jobs.cancel(job_id)
        assert job is not None
        return job_status(job)

    # ------------------------------------------------------------------------------ admin

    @app.post(
        "/v1/admin/reload",
        response_model=ReloadResult,
        responses={
            403: {"model": Message, "description": "verkeerd of ontbrekend beheertoken"},
            409: {"model": Message, "description": "er wordt al herladen"},
            422: {"model": Problems, "description": "de nieuwe regels zijn fout; de oude blijven"},
        },
    )
    def post_reload(x_arrangeur_token: Annotated[str | None, Header()] = None) -> Any:
        """Load the rules folder again; only rules that validate replace the ones in use.
        With ARRANGEUR_ADMIN_TOKEN set, the header X-Arrangeur-Token must carry it."""
        token = os.environ.get("ARRANGEUR_ADMIN_TOKEN")
        if token and x_arrangeur_token != token:
            return JSONResponse(status_code=403, content={"detail": "onjuist beheertoken"})
        previous = rules.now().rules_hash
        try:
            snapshot, changed = rules.reload()
        except BlockingIOError:
            return JSONResponse(status_code=409, content={"detail": "er wordt al herladen"})
        except RulesError as exc:
            return JSONResponse(
                status_code=422,
                content={
                    "detail": [
                        error(
                            ["rules", p.file, *([p.line] if p.line else [])],
                            shorten(str(p), 500),
                            "rules_error",
                        )
                        for p in exc.problems[:200]
                    ]
                },
            )
        return {
            "changed": changed,
            "rules_hash": snapshot.rules_hash,
            "previous_hash": previous,
            "rulesets": [
                {"id": rs.id, "version": rs.version, "content_hash": rs.content_hash}
                for rs in snapshot.rulebase.rulesets
            ],
        }

    @app.get("/v1/instruments")
    def get_instruments() -> dict[str, Any]:
        rb = rules.now().rulebase
        return {
            "instruments": [
                {"id": k, **v.model_dump()} for k, v in rb.catalogue.instruments.items()
            ],
            "relations": [r.model_dump() for r in rb.catalogue.relations],
        }

    from api.web import add_web

    caseload = SharedCaseload(_Serving(rules), database_url)  # one store for API and pages
    add_web(app, lambda: rules.now().engine, caseload)
    app.include_router(caseload_router(store=caseload))

    from api.region_routes import region_router  # coverage, landelijk overzicht

    app.include_router(region_router(lambda: rules.now().engine))
    return app


class _Serving:
    """The engine that serves now, for the caseload: a reload swaps it for every face alike."""

    def __init__(self, rules: CurrentRules):
        self._rules = rules

    def __getattr__(self, name: str) -> Any:
        return getattr(self._rules.now().engine, name)


def app_from_environment() -> FastAPI:
    """For `uvicorn --factory` with several workers: the rules named by ARRANGEUR_RULES."""
    rules = os.environ.get("ARRANGEUR_RULES")
    return create_app(load_rulebase(Path(rules) if rules else None))


def __getattr__(name: str) -> FastAPI:
    """`uvicorn api.app:app`: the module-level app, built on first use (importing this module
    for create_app does not load the rules)."""
    if name == "app":
        global app
        app = app_from_environment()
        return app
    raise AttributeError(name)
