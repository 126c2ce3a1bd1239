"""Background jobs: GET /v1/jobs/{id}, its result, and DELETE to cancel it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from api.deps import JobsDep
from api.jobs import Job, JobManager, job_status
from api.limits import shorten
from api.routers.regions import Format, render
from api.schemas import NOT_FOUND, JobStatus, Message
from engine.analysis import HarmonisationReport

router = APIRouter()


def known(jobs: JobManager, job_id: str, touch: bool = True) -> Job:
    job = jobs.get(job_id, touch)
    if job is None:
        raise HTTPException(404, f"onbekende taak {shorten(job_id)!r}")
    return job


@router.get("/v1/jobs/{job_id}", response_model=JobStatus, responses=NOT_FOUND)
def get_job(job_id: str, jobs: JobsDep) -> Any:
    """Where a job is: queued, running (progress 0..1), done, failed or cancelled. Asking
    keeps it alive: a job nobody asks about for a minute is cancelled."""
    return job_status(known(jobs, job_id))


@router.get(
    "/v1/jobs/{job_id}/result",
    response_model=HarmonisationReport,
    responses={
        200: {"content": {"text/html": {}, "text/csv": {}}},
        **NOT_FOUND,
        409: {"model": Message, "description": "nog niet klaar, mislukt of geannuleerd"},
    },
)
async def get_job_result(job_id: str, jobs: JobsDep, format: Format = "json") -> Any:  # noqa: A002
    job = await run_in_threadpool(known, jobs, job_id)  # the job table's lock: not on the loop
    if job.state != "done" or job.result is None:
        why = {
            "queued": "de taak wacht nog",
            "running": f"de taak loopt nog ({job.progress:.0%})",
        }.get(job.state, f"de taak is {'mislukt' if job.state == 'failed' else 'geannuleerd'}")
        detail = f"{why}: {job.error}" if job.error else why
        return JSONResponse(status_code=409, content={"detail": detail})
    return await render(job.result, format)


@router.delete("/v1/jobs/{job_id}", response_model=JobStatus, responses=NOT_FOUND)
def delete_job(job_id: str, jobs: JobsDep) -> Any:
    """Cancel a job (its process stops); a finished job stays as it is."""
    known(jobs, job_id, touch=False)
    job = jobs.cancel(job_id)
    assert job is not None
    return job_status(job)
