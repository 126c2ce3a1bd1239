"""API throughput and latency under concurrent load, on loopback only, bounded in time and count.

A real `arrangeur serve` in a second process on 127.0.0.1; an async HTTP client with N concurrent
connections posts sample placements for a fixed number of seconds (or until a fixed number of
requests), then stops by itself. Errors are counted, not hidden; the server's RSS is read before
and after; and the same load runs again while a harmonisation sweep job runs on the server, to
show that checks stay fast beside a sweep (the sweep has its own process).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from benchmarks.placements import sample_placements
from engine.arrangement import Engine
from engine.rulesets.registry import load_rulebase


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Load:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.errors: dict[str, int] = {}


async def _load(
    url: str, bodies: list[bytes], seconds: float, concurrency: int, max_requests: int
) -> Load:
    load = Load()
    deadline = time.perf_counter() + seconds
    headers = {"content-type": "application/json"}
    limits = httpx.Limits(max_connections=concurrency)
    sent = 0
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=10) as client:

        async def worker(offset: int) -> None:
            nonlocal sent
            i = offset
            while time.perf_counter() < deadline and sent < max_requests:
                sent += 1
                t0 = time.perf_counter()
                try:
                    response = await client.post(
                        "/v1/checks", content=bodies[i % len(bodies)], headers=headers
                    )
                    status = str(response.status_code)
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                load.latencies.append(time.perf_counter() - t0)
                if status != "200":
                    load.errors[status] = load.errors.get(status, 0) + 1
                i += concurrency

        await asyncio.gather(*(worker(k) for k in range(concurrency)))
    return load


def _bench_token(db_url: str) -> str:
    from engine.accounts import Accounts

    accounts = Accounts(db_url)
    try:
        accounts.add_organisation("bench", "Benchmark", "wsp")
        accounts.add_user("bench", "bench", ["beheerder"])
        return accounts.new_token("bench", "bench")
    finally:
        accounts.close()


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return -1


def _start_sweep(url: str, profiles: int, auth: dict[str, str]) -> str | None:
    """A harmonisation job on the server; returns its id once it is computing."""
    r = httpx.post(
        f"{url}/v1/regions/haaglanden/harmonisation/jobs",
        json={"profiles": profiles, "date": "2025-06-01", "seed": int(time.time())},
        timeout=30,
        headers=auth,
    )
    if r.status_code != 202:
        return None
    job = r.json()["id"]
    for _ in range(300):  # up to 30 s for its process to start and begin checking
        status = httpx.get(f"{url}/v1/jobs/{job}", timeout=10, headers=auth).json()
        if status["state"] == "running" and status["done"] > 0:
            return job
        if status["state"] in ("done", "failed", "cancelled"):
            return None
        time.sleep(0.1)
    return job


def measure_api(
    rules: Path,
    seconds: float = 5.0,
    concurrency: int = 8,
    workers: int = 1,
    max_requests: int = 50_000,
    sweep_profiles: int = 20_000,
) -> dict[str, Any]:
    port = _free_port()
    # the checks open (ARRANGEUR_PUBLIC_CHECKS: the figures are the engine's and the server's,
    # not a login's); the sweep job needs a user: a token in a database of the run's own
    data = Path(tempfile.mkdtemp(prefix="arrangeur-bench-"))
    db_url = f"sqlite:///{data / 'bench.db'}"
    auth = {"Authorization": f"Bearer {_bench_token(db_url)}"}
    env = {**os.environ, "ARRANGEUR_RULES": str(rules), "ARRANGEUR_PUBLIC_CHECKS": "1",
           "ARRANGEUR_DATABASE_URL": db_url, "XDG_DATA_HOME": str(data)}  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
        + ["--workers", str(workers)],
        env=env,
        cwd=Path(__file__).resolve().parents[1],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"  # loopback only
    try:
        for _ in range(200):  # wait up to 20 s for the server to answer
            try:
                if httpx.get(f"{url}/v1/instruments", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"server did not start: {server.stderr.read().decode()[:500]}")
        engine = Engine(load_rulebase(rules))
        bodies = [json.dumps(p).encode() for p in sample_placements(engine, 300, seed=21)]
        rss_before = _rss_kib(server.pid)
        # warm up: compile networks
        asyncio.run(_load(url, bodies, min(1.0, seconds), concurrency, max_requests))
        t0 = time.perf_counter()
        idle = asyncio.run(_load(url, bodies, seconds, concurrency, max_requests))
        elapsed = time.perf_counter() - t0
        rss_after = _rss_kib(server.pid)
        busy_rate = None
        job = _start_sweep(url, sweep_profiles, auth) if workers == 1 else None
        if job is not None:
            t1 = time.perf_counter()
            busy = asyncio.run(_load(url, bodies, seconds, concurrency, max_requests))
            busy_rate = round(len(busy.latencies) / (time.perf_counter() - t1), 1)
            still = httpx.get(f"{url}/v1/jobs/{job}", timeout=10, headers=auth).json()["state"]
            httpx.delete(f"{url}/v1/jobs/{job}", timeout=30, headers=auth)
            if still != "running":  # the sweep ended early: the figure is not "during a sweep"
                busy_rate = None
            for status, n in busy.errors.items():
                idle.errors[f"during sweep {status}"] = n
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(data, ignore_errors=True)
    latencies = sorted(idle.latencies)
    return {
        "api_workers": workers,
        "api_concurrency": concurrency,
        "api_requests": len(latencies),
        "api_errors": sum(idle.errors.values()),
        "api_error_kinds": idle.errors,
        "api_requests_per_second": round(len(latencies) / elapsed, 1),
        "api_p50_ms": round(latencies[len(latencies) // 2] * 1000, 2),
        "api_p99_ms": round(latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000, 2),
        "api_server_rss_kib_before": rss_before,
        "api_server_rss_kib_after": rss_after,
        "api_checks_per_second_during_sweep": busy_rate,
    }
