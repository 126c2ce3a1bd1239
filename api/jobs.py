"""Harmonisation sweeps as background jobs, each in a process of its own.

No domain logic: a job calls `engine.analysis.harmonisation` with an engine built from the rule
bundle of the snapshot that was serving when the job was asked for (checked against its hash),
so a job and the checks beside it use one rule base. The request handlers stay in the server
process; at most `max_running` sweeps run at a time, `max_queued` wait, the rest is refused.
A job nobody asks about for `abandon_after_s` is cancelled; shutdown stops every job.

With a JobStore (api/job_store.py) every job is also a row in the database: the worker that runs
it writes its state, progress and report there, any other worker reads it from there, and a
cancel through another worker reaches the owner through the row (the monitor looks each second).
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from multiprocessing import get_context
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, Literal, Protocol

from engine.analysis import HarmonisationReport, Options, harmonisation
from engine.arrangement import Engine
from engine.errors import NotFound, PlacementError, RulesError
from engine.rulesets.bundle import RulesBundle, load_bundle

State = Literal["queued", "running", "done", "failed", "cancelled"]
FINISHED = ("done", "failed", "cancelled")
KEEP_FINISHED = 16  # finished jobs remembered here (the database keeps more)
POLL_S = 1.0  # how often the owner looks at its jobs' rows (a cancel from another worker)
WRITE_S = 0.5  # at most one progress write per job this often
log = logging.getLogger("arrangeur.jobs")


@dataclass(frozen=True)
class SweepRequest:
    """What a job computes; with the rules hash it is the cache key."""

    region: str
    peildatum: date
    compare_date: date | None
    compare_region: str | None
    options: Options


@dataclass
class Job:
    id: str
    request: SweepRequest
    rules_hash: str
    bundle: RulesBundle
    state: State = "queued"
    done: int = 0
    total: int = 0
    progress: float = 0.0
    error: str | None = None
    error_status: int = 409  # what a synchronous caller answers when the job failed
    error_loc: list[str] = field(default_factory=list)
    result: HarmonisationReport | None = None
    seen: float = field(default_factory=time.monotonic)
    waiters: int = 0  # synchronous requests waiting for this job
    polled: bool = False  # someone asked for its status
    process: BaseProcess | None = None
    conn: Connection | None = None
    phase: int = 0  # a sweep has 1-3 parts (compare_date, compare_region), each 0..total
    phases: int = 1
    last: tuple[int, int] = (0, 0)  # (done, total) of the last progress message
    done_before: int = 0
    local: bool = True  # False: read from the database, run by another worker (or before)
    owner: str = ""
    written: float = 0.0  # when its progress was last written to the database
    inserted_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def key(self) -> tuple[str, SweepRequest]:
        return (self.rules_hash, self.request)


class JobStore(Protocol):
    """Where jobs are recorded for every worker (api/job_store.py: the database)."""

    def insert(self, job: Job, owner: str) -> None: ...
    def write(self, job: Job) -> bool: ...
    def poll(self, ids: list[str]) -> dict[str, tuple[str, str | None, datetime]]: ...
    def find(self, rules_hash: str, request: SweepRequest) -> Job | None: ...
    def load(self, job_id: str, touch: bool = False) -> Job | None: ...
    def cancel(self, job_id: str, reason: str) -> None: ...


class JobsFull(Exception):
    """No room for another job now (Dutch message for a 503)."""


class JobManager:
    def __init__(
        self,
        max_running: int = 1,
        max_queued: int = 3,
        abandon_after_s: float = 60.0,
        sweep_workers: int = 1,
        store: JobStore | None = None,
    ):
        self.max_running = max_running
        self.max_queued = max_queued
        self.abandon_after_s = abandon_after_s
        self.sweep_workers = sweep_workers
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.RLock()
        self._wake = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._context = get_context("spawn")  # never fork a process holding durable_rules
        self._counter = itertools.count(1)
        self.store = store
        self.owner = f"{os.getpid()}-{secrets.token_hex(4)}"
        self._polled = 0.0

    # ----------------------------------------------------------------------- the handlers' API

    def submit(self, request: SweepRequest, bundle: RulesBundle) -> Job:
        """The job for this request on these rules: a known one (queued, running or done, the
        cache) or a new one in the queue; JobsFull when there is no room."""
        with self._lock:
            if self._stopping:
                raise JobsFull("de server stopt; probeer het later opnieuw")
            for job in self._jobs.values():
                if job.key == (bundle.digest, request) and job.state not in ("failed", "cancelled"):
                    job.seen = time.monotonic()
                    return job
            if self.store is not None:  # done before, or computing on another worker
                found = self.store.find(bundle.digest, request)
                if found is not None:
                    return found
            busy = sum(j.state in ("queued", "running") for j in self._jobs.values())
            if busy >= self.max_running + self.max_queued:
                raise JobsFull(
                    f"er lopen al {busy} berekeningen (ten hoogste {self.max_running} tegelijk "
                    f"en {self.max_queued} in de wachtrij); probeer het later opnieuw"
                )
            job = Job(
                f"{next(self._counter)}-{secrets.token_hex(6)}", request, bundle.digest, bundle
            )
            job.phases = (
                1 + (request.compare_date is not None) + (request.compare_region is not None)
            )
            if self.store is not None:
                self.store.insert(job, self.owner)
            self._jobs[job.id] = job
            self._forget_old()
            self._start_thread()
        self._wake.set()
        return job

    def get(self, job_id: str, touch: bool = True) -> Job | None:
        """This worker's job, else the database's (`touch`: someone asked about it)."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is not None and touch:
                job.seen = time.monotonic()
                job.polled = True
            if job is not None or self.store is None:
                return job
        return self.store.load(job_id, touch)

    def refresh(self, job: Job) -> Job:
        """The job as it is now (a job of another worker is read again; the question keeps
        it alive for its owner, as a poll would)."""
        if job.local or self.store is None:
            return job
        return self.store.load(job.id, touch=True) or job

    def cancel(self, job_id: str, reason: str = "geannuleerd op verzoek") -> Job | None:
        with self._lock:
            job = self._jobs.get(job_id)
            if job is not None and job.state not in FINISHED:
                self._stop(job, "cancelled", reason)
            if job is not None or self.store is None:
                return job
        self.store.cancel(job_id, reason)  # its owner stops the process when it next looks
        return self.store.load(job_id)

    def release(self, job: Job) -> None:
        """A synchronous caller stopped waiting; nobody else asked for it → cancel it now."""
        if not job.local:
            return
        with self._lock:
            job.waiters -= 1
            if job.waiters <= 0 and not job.polled and job.state not in FINISHED:
                self._stop(job, "cancelled", "geannuleerd: de vrager is weggegaan")

    def counts(self) -> dict[str, int]:
        with self._lock:
            out = dict.fromkeys(("queued", "running", "done", "failed", "cancelled"), 0)
            for j in self._jobs.values():
                out[j.state] += 1
            return out

    def shutdown(self) -> None:
        """Stop every job (its process ends) and the monitor; called on SIGTERM/exit."""
        with self._lock:
            self._stopping = True
            for job in self._jobs.values():
                if job.state not in FINISHED:
                    self._stop(job, "cancelled", "geannuleerd: de server stopt")
        self._wake.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    # ------------------------------------------------------------------------- the monitor

    def _start_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(
                target=self._monitor, name="arrangeur-jobs", daemon=True
            )
            self._thread.start()

    def _monitor(self) -> None:
        while not self._stopping:
            self._wake.wait(0.1)
            self._wake.clear()
            rows = self._poll_rows()
            with self._lock:
                now = time.monotonic()
                for job in list(self._jobs.values()):
                    if job.state == "running":
                        self._read(job)
                    if job.id in rows:
                        self._apply_row(job, *rows[job.id])
                    if (
                        job.state in ("queued", "running")
                        and job.waiters <= 0
                        and now - job.seen > self.abandon_after_s
                    ):
                        self._stop(
                            job,
                            "cancelled",
                            f"geannuleerd: niemand vroeg {self.abandon_after_s:.0f} s naar "
                            "de voortgang",
                        )
                self._start_queued()

    def _start_queued(self) -> None:
        running = sum(j.state == "running" for j in self._jobs.values())
        for job in self._jobs.values():
            if running >= self.max_running:
                break
            if job.state == "queued":
                self._launch(job)
                running += 1

    def _poll_rows(self) -> dict[str, tuple[str, str | None, datetime]]:
        """Each second: the rows of this worker's live jobs (outside the lock: database I/O)."""
        if self.store is None or time.monotonic() - self._polled < POLL_S:
            return {}
        self._polled = time.monotonic()
        with self._lock:
            ids = [j.id for j in self._jobs.values() if j.state not in FINISHED]
        try:
            return self.store.poll(ids)
        except Exception as exc:  # noqa: BLE001 - the database may be away; the jobs go on
            log.warning("taken: database niet bereikbaar (%s)", type(exc).__name__)
            return {}

    def _apply_row(self, job: Job, state: str, error: str | None, seen_at: datetime) -> None:
        """What other workers did: a cancel stops the job, a question keeps it alive."""
        if state == "cancelled" and job.state not in FINISHED:
            self._stop(job, "cancelled", error or "geannuleerd op verzoek")
            return
        age = (datetime.now(UTC) - seen_at).total_seconds()
        if seen_at > job.inserted_at:  # asked about through another worker
            job.polled = True
            job.seen = max(job.seen, time.monotonic() - max(0.0, age))

    def _launch(self, job: Job) -> None:
        parent, child = self._context.Pipe(duplex=False)
        process = self._context.Process(
            target=_work,
            args=(child, job.bundle, job.request, self.sweep_workers, os.getpid()),
            name=f"arrangeur-job-{job.id}",
            daemon=False,  # a sweep with job_workers > 1 starts a pool of its own
        )
        process.start()
        child.close()
        job.process, job.conn, job.state = process, parent, "running"
        self._write(job)

    def _write(self, job: Job) -> None:
        """The job's row follows its state (a failed write is logged; the job goes on)."""
        if self.store is None:
            return
        job.written = time.monotonic()
        try:
            self.store.write(job)
        except Exception as exc:  # noqa: BLE001
            log.warning("taak %s: niet opgeslagen (%s)", job.id, type(exc).__name__)

    def _read(self, job: Job) -> None:
        assert job.conn is not None and job.process is not None
        try:
            while job.conn.poll():
                self._message(job, job.conn.recv())
                if job.state in FINISHED:
                    break
        except (EOFError, OSError):
            if job.state == "running":
                self._finish(job, "failed", "de berekening is onverwacht gestopt")
        if job.state == "running" and not job.process.is_alive() and not job.conn.poll():
            self._finish(job, "failed", "de berekening is onverwacht gestopt")

    def _message(self, job: Job, message: tuple) -> None:
        kind = message[0]
        if kind == "progress":
            done, total = message[1], message[2]
            if job.last[1] and job.last[0] >= job.last[1]:  # the previous part was complete
                job.phase = min(job.phase + 1, job.phases - 1)
                job.done_before += job.last[0]
            job.last = (done, total)
            job.done = job.done_before + done
            job.total = max(job.total, job.done_before + total)
            job.progress = min(0.99, (job.phase + (done / total if total else 0)) / job.phases)
            if time.monotonic() - job.written >= WRITE_S:
                self._write(job)
        elif kind == "done":
            job.result = message[1]
            job.done = job.total = max(job.total, job.done)
            job.progress = 1.0
            self._finish(job, "done", None)
        elif kind == "failed":
            job.error_status, job.error_loc = message[1], message[2]
            self._finish(job, "failed", message[3])

    def _finish(self, job: Job, state: State, error: str | None) -> None:
        job.state, job.error = state, error
        self._write(job)  # a job cancelled elsewhere keeps that row as it is
        job.bundle = None  # type: ignore[assignment]  # the rules are no longer needed
        if job.conn is not None:
            job.conn.close()
        if job.process is not None:
            job.process.join(timeout=2)
            if job.process.is_alive():
                job.process.kill()
            job.process = None

    def _stop(self, job: Job, state: State, reason: str) -> None:
        if job.process is not None and job.process.is_alive():
            job.process.terminate()
            job.process.join(timeout=2)
            if job.process.is_alive():
                job.process.kill()
                job.process.join(timeout=2)
        self._finish(job, state, reason)

    def _forget_old(self) -> None:
        finished = [j for j in self._jobs.values() if j.state in FINISHED]
        for job in finished[: max(0, len(finished) - KEEP_FINISHED)]:
            del self._jobs[job.id]


# ------------------------------------------------------------------------ in the job process


def _orphan_guard(parent_pid: int) -> None:
    """End this process when the server is gone (killed without a chance to stop its jobs)."""
    while True:
        time.sleep(1)
        if os.getppid() != parent_pid:
            os._exit(3)


def _work(
    conn: Connection,
    bundle: RulesBundle,
    request: SweepRequest,
    sweep_workers: int,
    parent_pid: int,
) -> None:
    threading.Thread(target=_orphan_guard, args=(parent_pid,), daemon=True).start()
    last = 0.0

    def progress(done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last > 0.2 or done >= total:
            last = now
            conn.send(("progress", done, total))

    try:
        engine = Engine(load_bundle(bundle, bundle.digest))
        executor = "serial" if sweep_workers <= 1 else "local"
        options = replace(request.options, executor=executor, workers=sweep_workers)
        report = harmonisation(
            engine,
            request.region,
            request.peildatum,
            options,
            progress,
            request.compare_date,
            request.compare_region,
        )
        conn.send(("done", report))
    except PlacementError as exc:
        status = 404 if isinstance(exc, NotFound) else 422
        field = {"vestigingsgemeente": "employer"}.get(exc.field, exc.field)
        conn.send(("failed", status, ["query", field], exc.message))
    except RulesError as exc:
        conn.send(("failed", 409, ["rules"], f"de regels zijn niet bruikbaar: {exc}"))
    except Exception as exc:  # noqa: BLE001 - reported as the job's error, never a traceback
        conn.send(("failed", 500, [], f"interne fout in de berekening ({type(exc).__name__})"))
    finally:
        with contextlib.suppress(OSError):
            conn.close()


def job_status(job: Job, base: str = "") -> dict[str, Any]:
    """The job as `GET /v1/jobs/{id}` answers it (the webapp polls this: keep it stable)."""
    return {
        "id": job.id,
        "state": job.state,
        "progress": round(job.progress, 4),
        "done": job.done,
        "total": job.total,
        "status_url": f"{base}/v1/jobs/{job.id}",
        "result_url": f"{base}/v1/jobs/{job.id}/result",
        "error": job.error,
        "rules_hash": job.rules_hash,
    }
