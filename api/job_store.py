"""The jobs table (engine/caseload/tables.py: JobRow), in the caseload's database.

The worker that runs a job writes its state, progress and report here; every worker answers
`GET /v1/jobs/{id}` and its result from here, so `serve --workers N` needs no sticky routing
and a finished report outlives a restart. Writes to a job that is no longer queued or running
change nothing: a cancel from another worker is never undone by the owner's next progress.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from api.jobs import Job, SweepRequest
from engine.analysis import HarmonisationReport, Options
from engine.caseload.tables import JobRow
from engine.storage.database import connect
from engine.storage.migrate import upgrade

ACTIVE = ("queued", "running")
STALE = timedelta(seconds=30)  # an owner silent this long (it beats every few seconds) is gone
KEEP_ROWS = 200  # finished jobs kept in the table, newest first


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite drops the zone


def request_json(request: SweepRequest) -> dict[str, Any]:
    options = asdict(request.options)
    options["gemeenten"] = list(options["gemeenten"])
    return {
        "region": request.region,
        "peildatum": request.peildatum.isoformat(),
        "compare_date": request.compare_date.isoformat() if request.compare_date else None,
        "compare_region": request.compare_region,
        "options": options,
    }


def request_from_json(data: dict[str, Any]) -> SweepRequest:
    options = dict(data["options"])
    options["gemeenten"] = tuple(options.get("gemeenten") or ())
    compare = data.get("compare_date")
    return SweepRequest(
        data["region"],
        date.fromisoformat(data["peildatum"]),
        date.fromisoformat(compare) if compare else None,
        data.get("compare_region"),
        Options(**options),
    )


def job_key(rules_hash: str, request: SweepRequest) -> str:
    """The cache key: same request on the same rules, same job."""
    text = json.dumps([rules_hash, request_json(request)], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


class JobStore:
    """The jobs table, opened (and migrated) on first use."""

    def __init__(self, url: str | None = None):
        self._url = url
        self._sessions: sessionmaker[Session] | None = None
        self._lock = threading.Lock()

    def _session(self) -> Session:
        with self._lock:
            if self._sessions is None:
                db = connect(self._url)
                upgrade(db)
                self._sessions = sessionmaker(db, expire_on_commit=False)
        return self._sessions()

    # ------------------------------------------------------------------ the owner's writes

    def insert(self, job: Job, owner: str) -> None:
        now = _now()
        row = JobRow(
            id=job.id,
            key=job_key(job.rules_hash, job.request),
            request=request_json(job.request),
            rules_hash=job.rules_hash,
            owner=owner,
            created_at=job.inserted_at,
            seen_at=job.inserted_at,
            **_progress(job, now),
        )
        with self._session() as s, s.begin():
            s.add(row)
            _prune(s)

    def write(self, job: Job) -> bool:
        """State and progress (and the report when done); False when the job was ended
        elsewhere (cancelled through another worker)."""
        values = _progress(job, _now())
        if job.state not in ACTIVE:
            values["finished_at"] = values["updated_at"]
            if job.result is not None:
                values["result"] = job.result.model_dump(mode="json")
        with self._session() as s, s.begin():
            changed = s.execute(
                update(JobRow).where(JobRow.id == job.id, JobRow.state.in_(ACTIVE)).values(**values)
            )
            return bool(changed.rowcount)  # type: ignore[attr-defined]

    def poll(self, ids: list[str]) -> dict[str, tuple[str, str | None, datetime]]:
        """For the owner: each job's state and when it was last asked about; also its beat."""
        if not ids:
            return {}
        with self._session() as s, s.begin():
            s.execute(
                update(JobRow)
                .where(JobRow.id.in_(ids), JobRow.state.in_(ACTIVE))
                .values(updated_at=_now())
            )
            rows = s.execute(
                select(JobRow.id, JobRow.state, JobRow.error, JobRow.seen_at).where(
                    JobRow.id.in_(ids)
                )
            )
            return {r.id: (r.state, r.error, _aware(r.seen_at)) for r in rows}

    # --------------------------------------------------------------------- any worker

    def find(self, rules_hash: str, request: SweepRequest) -> Job | None:
        """The newest job for this request on these rules that is done or still live."""
        key = job_key(rules_hash, request)
        with self._session() as s:
            rows = s.scalars(
                select(JobRow)
                .where(JobRow.key == key, JobRow.state.in_((*ACTIVE, "done")))
                .order_by(JobRow.created_at.desc())
            ).all()
        for row in rows:
            job = self._job(row)
            if job.state in ("done", *ACTIVE):
                return job
        return None

    def load(self, job_id: str, touch: bool = False) -> Job | None:
        with self._session() as s, s.begin():
            if touch:
                s.execute(update(JobRow).where(JobRow.id == job_id).values(seen_at=_now()))
            row = s.get(JobRow, job_id)
        return None if row is None else self._job(row)

    def cancel(self, job_id: str, reason: str) -> None:
        with self._session() as s, s.begin():
            s.execute(
                update(JobRow)
                .where(JobRow.id == job_id, JobRow.state.in_(ACTIVE))
                .values(state="cancelled", error=reason, finished_at=_now())
            )

    def _job(self, row: JobRow) -> Job:
        """A row as a Job (no process of this worker's); a live job whose owner went silent
        is recorded as failed."""
        if row.state in ACTIVE and _now() - _aware(row.updated_at) > STALE:
            row.state, row.error = "failed", "de server die de taak uitvoerde is gestopt"
            row.error_status = 409
            with self._session() as s, s.begin():
                s.execute(
                    update(JobRow)
                    .where(JobRow.id == row.id, JobRow.state.in_(ACTIVE))
                    .values(state=row.state, error=row.error, finished_at=_now())
                )
        job = Job(row.id, request_from_json(row.request), row.rules_hash, None)  # type: ignore[arg-type]
        job.state = row.state  # type: ignore[assignment]
        job.progress, job.done, job.total = row.progress, row.done, row.total
        job.error, job.error_status, job.error_loc = row.error, row.error_status, row.error_loc
        job.owner, job.local = row.owner, False
        if row.result is not None:
            job.result = HarmonisationReport.model_validate(row.result)
        return job


def _progress(job: Job, now: datetime) -> dict[str, Any]:
    return {
        "state": job.state,
        "progress": round(job.progress, 4),
        "done": job.done,
        "total": job.total,
        "error": job.error,
        "error_status": job.error_status,
        "error_loc": list(job.error_loc),
        "updated_at": now,
    }


def _prune(s: Session) -> None:
    old = (
        select(JobRow.id)
        .where(JobRow.state.not_in(ACTIVE))
        .order_by(JobRow.created_at.desc())
        .offset(KEEP_ROWS)
    )
    ids = list(s.scalars(old))
    if ids:
        s.execute(delete(JobRow).where(JobRow.id.in_(ids)))
