"""The region tools: harmonisation (while you wait, or started as a job), coverage and the
landelijk overzicht. Logic in engine/analysis/; a sweep runs as a job (api/jobs.py)."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse
from pydantic import ValidationError

from api.current_rules import Snapshot
from api.deps import EngineDep, JobsDep, LimitsDep, SnapshotDep
from api.errors import InputProblem
from api.jobs import FINISHED, Job, JobManager, SweepRequest, job_status
from api.limits import Limits, unprocessable
from api.schemas import (
    BUSY,
    FIRST_DAY,
    INVALID,
    LAST_DAY,
    TOO_LARGE,
    UNKNOWN_REGION,
    JobStatus,
    Message,
    SweepParameters,
)
from engine.analysis import DEFAULT_PROFILES, HarmonisationReport, Options, resolve_region
from engine.analysis.coverage import Coverage, coverage
from engine.analysis.national import NationalOverview, national_overview
from engine.errors import NotFound
from engine.model import Datum, Placement

router = APIRouter()
Format = Literal["json", "html", "csv"]


# ------------------------------------------------------------- one harmonisation request


def sweep_query(
    date_: Annotated[Datum | None, Query(alias="date", description="peildatum")] = None,
    compare_date: Datum | None = None,
    compare_region: Annotated[str | None, Query(max_length=100)] = None,
    gemeenten: Annotated[
        str | None, Query(max_length=2000, description="komma-gescheiden selectie")
    ] = None,
    employer: Annotated[
        str | None, Query(max_length=100, description="vestigingsgemeente werkgever")
    ] = None,
) -> dict[str, Any]:
    """The query parameters both harmonisation endpoints take (a dependency)."""
    return {
        "date": date_,
        "compare_date": compare_date,
        "compare_region": compare_region,
        "gemeenten": gemeenten.split(",") if gemeenten else None,
        "employer": employer,
    }


SweepQuery = Annotated[dict[str, Any], Depends(sweep_query)]
# the caps depend on the app's limits: create_app writes them into the OpenAPI schema
SYNC_PROFILES_DOC = "ten hoogste de limiet van de server; meer via de taak-endpoint"
JOB_PROFILES_DOC = "standaard 10.000"


def sweep_parameters(where: str, values: dict[str, Any]) -> SweepParameters:
    """`values` as SweepParameters; a bad one is a 422 like any other (api/errors.py)."""
    try:
        return SweepParameters(**values)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": (where, *e["loc"])} for e in exc.errors()]
        ) from None


def sweep_request(
    snapshot: Snapshot,
    region: str,
    p: SweepParameters,
    limits: Limits,
    job: bool,
    where: str = "query",
) -> SweepRequest:
    """The sweep asked for, checked before anything is queued: NotFound (404) for an unknown
    region, InputProblem (422) for too many profiles or an unknown compare_region."""
    resolve_region(snapshot.engine, region)
    if p.compare_region is not None:
        try:
            resolve_region(snapshot.engine, p.compare_region)
        except NotFound as exc:  # the region in the path is 404; this one is a bad parameter
            raise InputProblem([where, "compare_region"], exc.message[:300]) from None
    max_profiles = limits.max_job_profiles if job else limits.max_sync_profiles
    profiles = p.profiles or min(DEFAULT_PROFILES, max_profiles)
    if profiles > max_profiles:
        hint = (
            f"; gebruik POST /v1/regions/{{regio}}/harmonisation/jobs voor tot "
            f"{limits.max_job_profiles} profielen"
            if max_profiles < limits.max_job_profiles
            else ""
        )
        raise InputProblem(
            [where, "profiles"], f"profiles: ten hoogste {max_profiles} profielen{hint}"
        )
    options = Options(
        profiles=profiles,
        seed=p.seed if p.seed is not None else Options().seed,
        vestigingsgemeente=p.employer,
        gemeenten=tuple(g.strip() for g in p.gemeenten or () if g.strip()),
    )
    return SweepRequest(region, p.date_ or date.today(), p.compare_date, p.compare_region, options)


def submit(
    jobs: JobManager,
    snapshot: Snapshot,
    region: str,
    params: SweepParameters,
    limits: Limits,
    job: bool,
) -> Job:
    """The one way a harmonisation request becomes a job (JobsFull: 503)."""
    return jobs.submit(sweep_request(snapshot, region, params, limits, job), snapshot.bundle)


async def render(report: HarmonisationReport, format: Format) -> Any:  # noqa: A002
    from api.harmonisation_views import to_csv, to_html

    if format == "html":
        return HTMLResponse(await run_in_threadpool(to_html, report))
    if format == "csv":
        return PlainTextResponse(await run_in_threadpool(to_csv, report), media_type="text/csv")
    return report


def failed(job: Job) -> JSONResponse:
    """What a caller who waited for `job` answers when it did not finish."""
    if job.state == "failed" and job.error_status in (404, 422):
        return unprocessable(job.error_loc or ["query"], job.error or "", job.error_status)
    status = 500 if job.error_status == 500 else 409
    return JSONResponse(status_code=status, content={"detail": job.error or job.state})


async def wait_for(request: Request, jobs: JobManager, job: Job) -> Job:
    """The job once finished (or as it was when the caller went away)."""
    if not job.local:  # computing on another worker: read its row until it is finished
        while job.state not in FINISHED and not await request.is_disconnected():
            await asyncio.sleep(0.25)
            job = await run_in_threadpool(jobs.refresh, job)
        return job
    job.waiters += 1
    try:
        while job.state not in FINISHED:
            if await request.is_disconnected():
                break
            await asyncio.sleep(0.05)
    finally:  # no await here: a cancelled request must still let go of its job
        jobs.release(job)
    return job


# ----------------------------------------------------------------------------- the routes


@router.get(
    "/v1/regions/{region}/harmonisation",
    response_model=HarmonisationReport,
    responses={
        200: {"content": {"text/html": {}, "text/csv": {}}},
        **UNKNOWN_REGION,
        409: {"model": Message, "description": "de berekening is geannuleerd"},
        **INVALID,
        **BUSY,
    },
)
async def get_harmonisation(
    request: Request,
    region: str,
    snapshot: SnapshotDep,
    limits: LimitsDep,
    jobs: JobsDep,
    query: SweepQuery,
    profiles: Annotated[int | None, Query(ge=1, description=SYNC_PROFILES_DOC)] = None,
    seed: Annotated[int, Query(ge=0, le=2**31 - 1)] = 2026,
    format: Format = "json",  # noqa: A002
) -> Any:
    """The harmonisation report, computed while you wait (at most a few thousand profiles;
    larger sweeps go through POST /v1/regions/{region}/harmonisation/jobs). Runs as a job
    in its own process; the same request later comes from the cache."""
    params = sweep_parameters("query", {**query, "profiles": profiles, "seed": seed})
    job = await run_in_threadpool(submit, jobs, snapshot, region, params, limits, False)
    job = await wait_for(request, jobs, job)
    if job.state != "done" or job.result is None:
        return failed(job)
    return await render(job.result, format)


@router.post(
    "/v1/regions/{region}/harmonisation/jobs",
    status_code=202,
    response_model=JobStatus,
    responses={**UNKNOWN_REGION, **TOO_LARGE, **INVALID, **BUSY},
)
def post_harmonisation_job(
    region: str,
    response: Response,
    snapshot: SnapshotDep,
    limits: LimitsDep,
    jobs: JobsDep,
    query: SweepQuery,
    body: Annotated[SweepParameters | None, Body()] = None,
    profiles: Annotated[int | None, Query(ge=1, description=JOB_PROFILES_DOC)] = None,
    seed: Annotated[int | None, Query(ge=0, le=2**31 - 1)] = None,
) -> Any:
    """Start a harmonisation sweep in the background (parameters as query or JSON body;
    the body wins). Answers 202 with the job's id, status_url and result_url; the same
    request on the same rules returns the job that already has (or is computing) it."""
    params = sweep_parameters("query", {**query, "profiles": profiles, "seed": seed})
    if body is not None:
        params = params.model_copy(update=body.model_dump(exclude_unset=True))
    job = submit(jobs, snapshot, region, params, limits, True)
    response.headers["location"] = f"/v1/jobs/{job.id}"
    return job_status(job)


def document_limits(schema: dict[str, Any], limits: Limits) -> dict[str, Any]:
    """The harmonisation endpoints' `profiles` as this app caps it (default and maximum)."""
    paths = schema.get("paths", {})
    caps = {
        ("/v1/regions/{region}/harmonisation", "get"): (
            min(DEFAULT_PROFILES, limits.max_sync_profiles),
            limits.max_sync_profiles,
            f"ten hoogste {limits.max_sync_profiles}; meer via de taak-endpoint",
        ),
        ("/v1/regions/{region}/harmonisation/jobs", "post"): (
            None,
            limits.max_job_profiles,
            JOB_PROFILES_DOC,
        ),
    }
    for (path, method), (default, maximum, text) in caps.items():
        for param in paths.get(path, {}).get(method, {}).get("parameters", []):
            if param.get("name") != "profiles":
                continue
            param["description"] = text
            if default is None:  # optional: the cap on the integer branch
                param["schema"]["anyOf"][0]["maximum"] = maximum
                continue
            param["schema"] = {"type": "integer", "minimum": 1, "maximum": maximum}
            param["schema"].update(default=default, description=text, title="Profiles")
    return schema


# ------------------------------------------------------------------ coverage and national


@router.get(
    "/v1/coverage",
    response_model=Coverage,
    responses={200: {"content": {"text/html": {}}}},
)
def get_coverage(
    engine: EngineDep,
    date_: Annotated[
        str | None,
        Query(alias="date", pattern=r"^\d{4}-\d{2}-\d{2}$", description="peildatum JJJJ-MM-DD"),
    ] = None,
    format: Literal["json", "html"] = "json",  # noqa: A002
) -> Any:
    """Per arbeidsmarktregio and gemeente: which rule sets exist, verified or illustrative,
    valid from when, with which sources; and the totals."""
    try:
        when = date.fromisoformat(date_) if date_ else date.today()
    except ValueError:
        when = None
    if when is None or not FIRST_DAY <= when <= LAST_DAY:
        raise InputProblem(
            ["query", "date"], f"geen geldige peildatum tussen {FIRST_DAY} en {LAST_DAY}"
        )
    result = coverage(engine.rulebase, when)
    if format == "html":
        from api.coverage_views import to_html

        return HTMLResponse(to_html(result))
    return result


@router.post(
    "/v1/national",
    response_model=NationalOverview,
    responses={200: {"content": {"text/html": {}, "text/csv": {}}}},
)
async def post_national(
    request: Request,
    placement: Placement,
    engine: EngineDep,
    format: Format = "json",  # noqa: A002
) -> Any:
    """The same placement with candidate and employer in each gemeente in turn."""
    from api.national_views import overview_csv, overview_html

    try:  # strict, as the schema says: no 0 for false, no number for a date
        Placement.model_validate_json(await request.body(), strict=True)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in exc.errors()[:1]]
        ) from None
    result = national_overview(engine, placement.model_dump(mode="json", exclude_none=True))
    if format == "html":
        return HTMLResponse(overview_html(result))
    if format == "csv":
        return PlainTextResponse(overview_csv(result), media_type="text/csv")
    return result
