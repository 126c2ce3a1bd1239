"""Jobs in the database: two apps on one database answer for each other's jobs, as the workers
of `serve --workers 2` do, and a finished report outlives the app that computed it."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from api.app import create_app
from api.limits import Limits
from engine.caseload.tables import JobRow
from engine.rulesets.registry import load_rulebase
from tests.security_helpers import local_token, signed_in
from tests.test_api_robustness import QUERY, _wait
from tests.test_harmonisation import FIXTURE

JOBS = "/v1/regions/oost/harmonisation/jobs"


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'shared.db'}"


def _worker(url: str, **limits) -> TestClient:
    app = create_app(load_rulebase(FIXTURE), Limits(**limits), rules_dir=FIXTURE, database_url=url)
    return signed_in(app)  # a beheerder; the accounts live in the shared database too


def test_a_job_started_through_one_worker_is_read_through_the_other(url):
    a, b = _worker(url), _worker(url)
    started = a.post(JOBS, params=QUERY)
    assert started.status_code == 202
    job_id = started.json()["id"]
    seen = b.get(f"/v1/jobs/{job_id}")  # b never saw this job: it reads the table
    assert seen.status_code == 200 and seen.json()["id"] == job_id
    assert seen.json()["rules_hash"] == started.json()["rules_hash"]
    assert _wait(b, job_id)["state"] == "done"
    through_b = b.get(f"/v1/jobs/{job_id}/result")
    through_a = a.get(f"/v1/jobs/{job_id}/result")
    assert through_b.status_code == 200 and through_b.json() == through_a.json()
    assert through_b.json()["profiles"]["count"] == 60
    assert "<html" in b.get(f"/v1/jobs/{job_id}/result", params={"format": "html"}).text.lower()
    # the same request on the same rules is the same job, whichever worker is asked
    again = b.post(JOBS, params=QUERY)
    assert again.status_code == 202 and again.json()["id"] == job_id
    assert b.get(f"/v1/jobs/{job_id}x").status_code == 404
    for client in (a, b):
        client.app.state.jobs.shutdown()


def test_a_finished_report_survives_a_restart(url):
    first = _worker(url)
    job_id = first.post(JOBS, params=QUERY).json()["id"]
    assert _wait(first, job_id)["state"] == "done"
    report = first.get(f"/v1/jobs/{job_id}/result").json()
    first.app.state.jobs.shutdown()
    del first

    restarted = _worker(url)  # a new process on the same database
    assert restarted.get(f"/v1/jobs/{job_id}").json()["state"] == "done"
    assert restarted.get(f"/v1/jobs/{job_id}/result").json() == report
    # the synchronous endpoint answers the same request from the table, without a new sweep
    sync = restarted.get("/v1/regions/oost/harmonisation", params=QUERY)
    assert sync.status_code == 200 and sync.json() == report
    assert restarted.app.state.jobs.counts()["running"] == 0
    restarted.app.state.jobs.shutdown()


def test_a_cancel_through_another_worker_stops_the_owner(url):
    owner, other = _worker(url), _worker(url)
    # long enough to be running when cancelled (the most a job may take: sweeps got faster)
    params = {**QUERY, "profiles": 20_000, "seed": 5}
    job_id = owner.post(JOBS, params=params).json()["id"]
    cancelled = other.delete(f"/v1/jobs/{job_id}")
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    local = owner.app.state.jobs.get(job_id, touch=False)
    end = time.monotonic() + 15
    while local.state != "cancelled" and time.monotonic() < end:
        time.sleep(0.1)
    assert local.state == "cancelled" and local.process is None  # its process has ended
    assert owner.get(f"/v1/jobs/{job_id}").json()["state"] == "cancelled"
    assert other.get(f"/v1/jobs/{job_id}/result").status_code == 409
    for client in (owner, other):
        client.app.state.jobs.shutdown()


def test_a_job_whose_worker_vanished_is_failed_not_running_forever(url):
    worker = _worker(url, max_running_jobs=1, max_queued_jobs=3)
    job_id = worker.post(JOBS, params={**QUERY, "seed": 21}).json()["id"]
    manager = worker.app.state.jobs
    with manager._lock:  # the worker dies: its monitor stops, the row is left as it was
        manager._stopping = True
    manager._wake.set()
    manager._thread.join(timeout=10)
    assert not manager._thread.is_alive()
    store = manager.store
    with store._session() as s, s.begin():
        old = datetime.now(UTC) - timedelta(minutes=5)
        s.execute(update(JobRow).where(JobRow.id == job_id).values(updated_at=old, state="running"))
    other = _worker(url)
    status = other.get(f"/v1/jobs/{job_id}").json()
    assert status["state"] == "failed" and "gestopt" in status["error"]
    # and a new request for the same sweep is a new job, not the dead one
    assert other.post(JOBS, params={**QUERY, "seed": 21}).json()["id"] != job_id
    manager._stopping = False
    for client in (worker, other):
        client.app.state.jobs.shutdown()


def _serve(port: int, workers: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "--rules", str(FIXTURE), "serve"]
        + ["--port", str(port), "--workers", str(workers)],
        cwd=Path(__file__).resolve().parents[1],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    for _ in range(600):  # a bound against hanging, not a speed test
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.1)
    server.kill()
    raise AssertionError(server.stderr.read().decode() if server.stderr else "no server")


def _stop(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()


def test_serve_with_two_workers_answers_every_poll_and_a_restart_keeps_the_report():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    auth = {"Authorization": f"Bearer {local_token()}"}  # the servers' default database
    server = _serve(port, 2)
    try:
        job = httpx.post(f"{url}{JOBS}", params=QUERY, headers=auth, timeout=30).json()
        states = []
        for _ in range(600):  # each poll a new connection: either worker may take it
            r = httpx.get(f"{url}/v1/jobs/{job['id']}", headers=auth, timeout=10)
            assert r.status_code == 200, r.text
            states.append(r.json()["state"])
            if states[-1] in ("done", "failed", "cancelled"):
                break
            time.sleep(0.1)
        assert states[-1] == "done"
        results = [
            httpx.get(f"{url}/v1/jobs/{job['id']}/result", headers=auth, timeout=30)
            for _ in range(6)
        ]
        assert {r.status_code for r in results} == {200}
        report = results[0].json()
        assert all(r.json() == report for r in results)
    finally:
        _stop(server)
    server = _serve(port, 1)  # restarted
    try:
        again = httpx.get(f"{url}/v1/jobs/{job['id']}/result", headers=auth, timeout=30)
        assert again.json() == report
    finally:
        _stop(server)


def test_the_synchronous_report_waits_for_the_same_sweep_on_another_worker(url):
    a, b = _worker(url), _worker(url)
    params = {**QUERY, "seed": 33}
    job_id = a.post(JOBS, params=params).json()["id"]
    waited = b.get("/v1/regions/oost/harmonisation", params=params)  # no second sweep in b
    assert waited.status_code == 200
    assert b.app.state.jobs.counts() == dict.fromkeys(
        ("queued", "running", "done", "failed", "cancelled"), 0
    )
    assert waited.json() == a.get(f"/v1/jobs/{job_id}/result").json()
    for client in (a, b):
        client.app.state.jobs.shutdown()
