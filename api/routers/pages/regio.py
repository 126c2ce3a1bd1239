"""The region's harmonisation report as a background job: /regio (the form), a job page that
follows its progress (JavaScript polls /v1/jobs/{id}; without it the page refreshes) and the
finished report as a page. The jobs are the app's JobManager, the same the job API uses."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.jobs import Job, JobsFull, SweepRequest, job_status
from api.limits import Limits, shorten
from api.pages.deps import EngineDep, JobsDep, SnapshotDep
from api.pages.responses import error_page, page, parse_day, query_values
from api.render import render
from engine.analysis import Options
from engine.arrangement import Engine

router = APIRouter(include_in_schema=False)

MAX_FORM_PROFILES = 200_000  # what the form accepts; the server's job limit may be lower


def _max_job_profiles(request: Request) -> int:
    """The job limit of this server (create_app keeps its limits on app.state)."""
    limits: Limits = request.app.state.limits
    return limits.max_job_profiles


def regio_form(
    engine: Engine, values: dict[str, str], errors: dict[str, str], status: int = 200
) -> HTMLResponse:
    return page(
        "regio_form.html",
        status,
        nav="regio",
        regios=sorted(engine.rulebase.geography.regios, key=lambda r: r.naam),
        values=values,
        errors=errors,
    )


def sweep_request(
    engine: Engine, values: dict[str, str], max_profiles: int
) -> tuple[SweepRequest | None, dict[str, str]]:
    """The job's parameters from the form, or the errors per field (all of them at once)."""
    errors: dict[str, str] = {}
    if engine.rulebase.geography.regio(values["region"]) is None:
        errors["region"] = "arbeidsmarktregio: kies een regio uit de lijst"
    try:
        when = parse_day(values["date"])
    except ValueError:
        errors["date"] = "peildatum: geen geldige datum (dd-mm-jjjj)"
    profiles = values["profiles"].strip()
    most = min(max_profiles, MAX_FORM_PROFILES)
    if not profiles.isdigit() or not 1 <= int(profiles) <= most:
        # the limit that holds here: this server's, written as people write numbers
        errors["profiles"] = f"profielen: een geheel getal van 1 tot en met {most:,}".replace(
            ",", "."
        )
    if errors:
        return None, errors
    options = Options(profiles=int(profiles), seed=Options().seed)
    return SweepRequest(values["region"], when, None, None, options), {}


@router.get("/regio", response_class=HTMLResponse)
async def regio(request: Request, engine: EngineDep) -> HTMLResponse:
    values = {"date": date.today().isoformat(), "profiles": "300"} | query_values(request)
    return regio_form(engine, values, {})


@router.post("/regio", response_class=HTMLResponse)
def regio_start(
    request: Request,
    snapshot: SnapshotDep,
    jobs: JobsDep,
    region: str = Form(""),
    when: str = Form("", alias="date"),
    profiles: str = Form("300"),
) -> Response:
    """Start the sweep (or find the same one already computed) and follow it on its page.
    A plain `def`: submitting takes the job table's lock, not a thing for the event loop."""
    values = {"region": region, "date": when, "profiles": profiles}
    sweep, errors = sweep_request(snapshot.engine, values, _max_job_profiles(request))
    if sweep is None:
        return regio_form(snapshot.engine, values, errors, 422)
    try:
        job = jobs.submit(sweep, snapshot.bundle)
    except JobsFull as exc:
        return regio_form(snapshot.engine, values, {"": str(exc)}, 422)
    return RedirectResponse(f"/regio/taken/{job.id}", status_code=303)


def _unknown(job_id: str) -> HTMLResponse:
    return error_page(f"onbekende taak {shorten(job_id)!r}", 404, nav="regio")


@router.get("/regio/taken/{job_id}", response_class=HTMLResponse)
def regio_job(job_id: str, jobs: JobsDep) -> HTMLResponse:
    job = jobs.get(job_id)  # asking keeps the job alive, as GET /v1/jobs/{id} does
    if job is None:
        return _unknown(job_id)
    return page(
        "regio_job.html",
        nav="regio",
        job=job_status(job),
        status_url=f"/v1/jobs/{job_id}",
        report_url=f"/regio/taken/{job_id}/rapport",
    )


def not_ready(job: Job) -> str:
    """Why a job has no report (yet), in Dutch."""
    why = {
        "queued": "de taak wacht nog",
        "running": f"de taak loopt nog ({job.progress:.0%})",
    }.get(job.state, f"de taak is {'mislukt' if job.state == 'failed' else 'geannuleerd'}")
    return f"{why}: {job.error}" if job.error else why


@router.get("/regio/taken/{job_id}/rapport", response_class=HTMLResponse)
def regio_report(job_id: str, jobs: JobsDep) -> HTMLResponse:
    """The finished report as a page; its example placements open in the form."""
    job = jobs.get(job_id)
    if job is None:
        return _unknown(job_id)
    if job.state != "done" or job.result is None:
        return error_page(not_ready(job), 409, nav="regio")
    body, _ = render(job.result, "html", form_url="/")
    return HTMLResponse(body)
