"""The API under heavy and hostile requests: body limit, caps, background sweeps, one rule base
swapped only by valid rules, and rule bundles that workers verify."""

from __future__ import annotations

import pickle
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from datetime import date
from multiprocessing import get_context
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.limits import Limits
from engine.analysis import Options, harmonisation
from engine.arrangement import Engine
from engine.errors import ExpressionError, PlacementError, Problem, RulesError
from engine.rulesets.bundle import load_bundle, read_bundle
from engine.rulesets.registry import load_rulebase
from tests.security_helpers import local_token, signed_in
from tests.test_harmonisation import FIXTURE

PLACEMENT = {
    "peildatum": "2025-03-01",
    "candidate": {
        "woongemeente": "Delden",
        "geboortedatum": "1990-05-01",
        "uitkering": "bijstand",
        "uitkering_sinds": "2023-01-15",
        "doelgroepregister": True,
        "loonwaarde_pct": 50,
        "eerder_in_dienst_bij_werkgever": False,
    },
    "employer": {"vestigingsgemeente": "Delden"},
    "job": {
        "startdatum": "2025-03-01",
        "uren_per_week": 32,
        "contract_maanden": 12,
        "brutoloon_per_maand": 2400,
    },
}
QUERY = {"date": "2025-03-01", "profiles": 60}
PEIL = date(2025, 3, 1)


def _client(root: Path = FIXTURE, **limits) -> TestClient:
    return signed_in(create_app(load_rulebase(root), Limits(**limits), rules_dir=root))


def _wait(client: TestClient, job_id: str, bound_s: float = 120) -> dict:
    """Poll like the web page does, until the job is finished (bounded, not a timing test)."""
    end = time.monotonic() + bound_s
    while time.monotonic() < end:
        status = client.get(f"/v1/jobs/{job_id}").json()
        if status["state"] in ("done", "failed", "cancelled"):
            return status
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish: {status}")


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    root = tmp_path / "rules"
    shutil.copytree(FIXTURE, root)
    return root


# ----------------------------------------------------------------------------- bounds


def test_body_over_the_limit_is_413_in_dutch_before_it_is_read():
    client = _client(max_body_bytes=10_000)
    r = client.post("/v1/checks", content=b"{" + b" " * 20_000 + b"}")
    assert r.status_code == 413 and "te groot" in r.json()["detail"]
    r = client.post("/v1/checks", json=PLACEMENT)  # a normal body still passes
    assert r.status_code == 200


def test_a_huge_unknown_field_is_named_not_echoed():
    client = _client()
    body = {**PLACEMENT, "opmerking": "x" * 500_000}
    r = client.post("/v1/checks", json=body)
    assert r.status_code == 422 and len(r.content) < 1_000
    (item,) = r.json()["detail"]
    assert item["loc"] == ["body", "opmerking"] and item["msg"] == "opmerking: onbekend veld"
    body = {**PLACEMENT, "job": {**PLACEMENT["job"], "uren_per_week": "y" * 500_000}}
    r = client.post("/v1/checks", json=body)
    assert r.status_code == 422 and len(r.content) < 1_000
    assert r.json()["detail"][0]["msg"] == "job.uren_per_week: moet een getal zijn"


def test_caps_on_months_and_profiles_name_the_field_in_dutch():
    client = _client(max_sync_profiles=100, max_job_profiles=500)
    r = client.post("/v1/trajectories", json={"placement": PLACEMENT, "maanden": 100_000})
    assert r.status_code == 422
    assert r.json()["detail"][0]["msg"] == "maanden: mag niet groter zijn dan 120"
    r = client.get("/v1/regions/oost/harmonisation", params={"profiles": 101})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "profiles"]
    assert "ten hoogste 100 profielen" in r.json()["detail"][0]["msg"]
    assert "/harmonisation/jobs" in r.json()["detail"][0]["msg"]  # where larger sweeps go
    r = client.post("/v1/regions/oost/harmonisation/jobs", json={"profiles": 501})
    assert r.status_code == 422 and "ten hoogste 500 profielen" in r.json()["detail"][0]["msg"]
    r = client.post("/v1/regions/noordpool/harmonisation/jobs")
    assert r.status_code == 404 and "onbekende arbeidsmarktregio" in r.json()["detail"][0]["msg"]
    r = client.get("/v1/regions/oost/harmonisation", params={"date": "9999-12-31"})
    assert r.status_code == 422  # not a crash in the sweep
    assert r.json()["detail"][0]["msg"] == "date: datum 9999-12-31 ligt buiten 1900 t/m 2100"
    r = client.post("/v1/regions/oost/harmonisation/jobs", params={"gemeenten": "Delden," * 101})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "gemeenten"]


# ------------------------------------------------------------------------------- jobs


def test_a_sweep_job_runs_in_the_background_and_its_result_is_cached():
    client = _client()
    r = client.post("/v1/regions/oost/harmonisation/jobs", params=QUERY)
    assert r.status_code == 202
    job = r.json()
    assert job["status_url"] == f"/v1/jobs/{job['id']}"
    assert job["result_url"] == f"/v1/jobs/{job['id']}/result"
    status = _wait(client, job["id"])
    assert status["state"] == "done" and status["progress"] == 1.0 and status["error"] is None
    assert status["done"] == status["total"] > 0
    report = client.get(job["result_url"]).json()
    direct = harmonisation(
        Engine(load_rulebase(FIXTURE)),
        "oost",
        PEIL,
        Options(profiles=60, executor="serial"),
    )
    assert report["summary"]["index"] == direct.summary.index
    assert report["profiles"]["count"] == 60
    assert {(rs["id"], rs["content_hash"]) for rs in report["rulesets"]} == {
        (rs.id, rs.content_hash) for rs in direct.rulesets
    } and report["rulesets"]
    assert (
        client.get(job["result_url"], params={"format": "csv"})
        .headers["content-type"]
        .startswith("text/csv")
    )
    # the same request on the same rules: the same job, already done (the cache)
    again = client.post("/v1/regions/oost/harmonisation/jobs", json=QUERY)
    assert again.json()["id"] == job["id"] and again.json()["state"] == "done"
    # the synchronous endpoint answers from the same cache
    sync = client.get("/v1/regions/oost/harmonisation", params=QUERY)
    assert sync.status_code == 200 and sync.json()["summary"] == report["summary"]


def test_jobs_are_bounded_queued_cancelled_and_refused_when_full():
    client = _client(max_running_jobs=1, max_queued_jobs=1)
    first = client.post("/v1/regions/oost/harmonisation/jobs", params={**QUERY, "seed": 1})
    second = client.post("/v1/regions/oost/harmonisation/jobs", params={**QUERY, "seed": 2})
    assert first.status_code == second.status_code == 202
    full = client.post("/v1/regions/oost/harmonisation/jobs", params={**QUERY, "seed": 3})
    assert full.status_code == 503 and "probeer het later opnieuw" in full.json()["detail"]
    waiting = client.get(f"/v1/jobs/{second.json()['id']}").json()
    assert waiting["state"] == "queued"
    assert client.get(waiting["result_url"]).status_code == 409
    cancelled = client.delete(f"/v1/jobs/{second.json()['id']}").json()
    assert cancelled["state"] == "cancelled" and "geannuleerd" in cancelled["error"]
    assert client.get(f"/v1/jobs/{first.json()['id']}").json()["state"] in ("queued", "running")
    client.delete(f"/v1/jobs/{first.json()['id']}")
    assert client.get("/v1/jobs/onbekend").status_code == 404
    assert client.delete("/v1/jobs/onbekend").status_code == 404
    client.app.state.jobs.shutdown()


def test_a_job_nobody_asks_about_is_cancelled():
    client = _client(abandon_after_s=0.2)
    # a sweep long enough (2,000 profiles) that it cannot finish before nobody has asked for 0.2 s
    params = {**QUERY, "profiles": 2000, "seed": 9}
    job = client.post("/v1/regions/oost/harmonisation/jobs", params=params).json()
    end = time.monotonic() + 30
    while time.monotonic() < end:
        state = client.app.state.jobs.get(job["id"], touch=False).state
        if state == "cancelled":
            break
        time.sleep(0.1)
    status = client.get(f"/v1/jobs/{job['id']}").json()
    assert status["state"] == "cancelled" and "niemand vroeg" in status["error"]


def test_shutdown_stops_running_jobs():
    client = _client()
    job = client.post("/v1/regions/oost/harmonisation/jobs", params={**QUERY, "seed": 11}).json()
    manager = client.app.state.jobs
    manager.shutdown()
    assert manager.get(job["id"]).state == "cancelled"
    assert manager.get(job["id"]).process is None  # its process has ended
    r = client.post("/v1/regions/oost/harmonisation/jobs", params={**QUERY, "seed": 12})
    assert r.status_code == 503


# ----------------------------------------------------------------------------- reload


def _edit_version(root: Path, old: str, new: str) -> None:
    path = root / "gemeenten" / "delden.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


def test_reload_swaps_only_valid_rules_and_every_answer_names_them(rules_copy: Path):
    client = _client(rules_copy)
    before = client.post("/v1/checks", json=PLACEMENT).json()["rulesets"]
    delden = next(rs for rs in before if rs["authority"].startswith("gemeente:"))
    assert client.post("/v1/admin/reload").json()["changed"] is False

    path = rules_copy / "gemeenten" / "delden.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# herzien\n", encoding="utf-8")
    reloaded = client.post("/v1/admin/reload").json()
    assert reloaded["changed"] is True and reloaded["rules_hash"] != reloaded["previous_hash"]
    after = client.post("/v1/checks", json=PLACEMENT).json()["rulesets"]
    new_hash = next(rs["content_hash"] for rs in after if rs["id"] == delden["id"])
    assert new_hash != delden["content_hash"]
    trajectory = client.post("/v1/trajectories", json={"placement": PLACEMENT, "maanden": 3})
    assert new_hash in {rs["content_hash"] for rs in trajectory.json()["rulesets"]}

    path.write_text(path.read_text(encoding="utf-8") + "\n  : [kapot\n", encoding="utf-8")
    broken = client.post("/v1/admin/reload")
    assert broken.status_code == 422
    assert any("delden.yaml" in str(item["loc"]) for item in broken.json()["detail"])
    still = client.post("/v1/checks", json=PLACEMENT).json()["rulesets"]
    assert new_hash in {rs["content_hash"] for rs in still}  # the good rules keep serving
    # a sweep started now uses the rules that serve the checks, not the broken files on disk
    job = client.post("/v1/regions/oost/harmonisation/jobs", params=QUERY).json()
    assert job["rules_hash"] == reloaded["rules_hash"]
    status = _wait(client, job["id"])
    assert status["state"] == "done", status
    report = client.get(job["result_url"]).json()
    assert new_hash in {rs["content_hash"] for rs in report["rulesets"]}


# ----------------------------------------------------------------------------- bundles


def test_the_project_errors_survive_pickling():
    e = pickle.loads(pickle.dumps(RulesError([Problem("a.yaml", 3, "r1", "kapot")])))
    assert e.problems == [Problem("a.yaml", 3, "r1", "kapot")]
    p = pickle.loads(pickle.dumps(PlacementError("job.startdatum", "ongeldig")))
    assert (p.field, p.message) == ("job.startdatum", "ongeldig")
    x = pickle.loads(pickle.dumps(ExpressionError("onbekend", "a +", 2)))
    assert (x.text, x.position, str(x)) == ("a +", 2, str(ExpressionError("onbekend", "a +", 2)))


def test_a_worker_refuses_a_tampered_bundle_and_its_error_arrives_whole(rules_copy: Path):
    bundle = read_bundle(rules_copy)
    files = dict(bundle.files)
    files["gemeenten/delden.yaml"] += b"\n# ander\n"
    tampered = replace(bundle, files=tuple(sorted(files.items())))
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        with pytest.raises(RulesError) as caught:
            pool.submit(load_bundle, tampered, bundle.digest).result()
        assert "klopt niet met de hash" in str(caught.value)
        (rules_copy / "gemeenten" / "delden.yaml").write_text("id: [", encoding="utf-8")
        with pytest.raises(RulesError) as caught:  # a broken rule file: a RulesError, whole
            pool.submit(load_bundle, read_bundle(rules_copy)).result()
        assert any(p.file.endswith("delden.yaml") for p in caught.value.problems)


def test_a_planted_staging_folder_is_not_trusted(rules_copy: Path):
    engine = Engine(load_rulebase(FIXTURE))
    digest = read_bundle(FIXTURE).digest
    planted = Path(tempfile.gettempdir()) / f"arrangeur-rules-{digest}"
    shutil.copytree(rules_copy, planted, dirs_exist_ok=True)
    try:
        for f in (planted / "gemeenten").glob("*.yaml"):  # an attacker's rules: nobody gets it
            f.write_text(f.read_text(encoding="utf-8").replace("eligible", "not_eligible"))
        options = Options(profiles=40, executor="local", workers=2)
        pooled = harmonisation(engine, "oost", PEIL, options)
        serial = harmonisation(engine, "oost", PEIL, replace(options, executor="serial"))
        assert pooled.model_dump() == serial.model_dump()
    finally:
        shutil.rmtree(planted, ignore_errors=True)


def _children(pid: int) -> set[int]:
    out = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.add(int(stat.parent.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_sigterm_while_sweeping_ends_the_server_and_its_sweep():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "--rules", str(FIXTURE), "serve"]
        + ["--host", "127.0.0.1", "--port", str(port)],
        cwd=Path(__file__).resolve().parents[1],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    auth = {"Authorization": f"Bearer {local_token()}"}
    try:
        for _ in range(600):  # a bound against hanging, not a speed test
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        job = httpx.post(
            f"{url}/v1/regions/oost/harmonisation/jobs",
            json={"profiles": 20_000},
            timeout=30,
            headers=auth,
        ).json()
        for _ in range(600):
            if httpx.get(f"{url}/v1/jobs/{job['id']}", timeout=10, headers=auth).json()["done"]:
                break
            time.sleep(0.1)
        sweeping = _children(server.pid)
        assert sweeping  # the job's process
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=60) is not None
        for _ in range(100):
            if not any(_alive(pid) for pid in sweeping):
                break
            time.sleep(0.1)
        assert not any(_alive(pid) for pid in sweeping)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
