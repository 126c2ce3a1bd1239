"""API throughput and latency under concurrent load, on loopback only, bounded in time and count.

A real `arrangeur serve` in a second process on 127.0.0.1; N keep-alive connections on raw
sockets post sample placements for a fixed number of seconds (or until a fixed number of
requests), then stop by themselves. Errors are counted, not hidden; the server's RSS is read
before and after and its CPU (every process) from /proc, for requests per server CPU-second
against `engine.check`'s checks per CPU-second on the same placements here (issue 26); the same
load runs again while a harmonisation sweep job runs on the server, to show that checks stay
fast beside a sweep (the sweep has its own process), and on a server with 2 workers.
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


def _request(port: int, body: bytes) -> bytes:
    """One whole HTTP/1.1 request, built once: the generator only writes bytes."""
    head = (
        f"POST /v1/checks HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\n"
        f"content-type: application/json\r\ncontent-length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


class _Connection(asyncio.Protocol):
    """One keep-alive connection posting requests one after another. A light generator: on a
    2-core machine an HTTP client library costs about as much CPU per request as the server,
    which would leave the server less than its cores."""

    def __init__(self, requests: list[bytes], offset: int, step: int, run: _Run) -> None:
        self.requests, self.i, self.step, self.run = requests, offset, step, run
        self.buffer = bytearray()
        self.done = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None
        self.t0 = 0.0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self._send()

    def _send(self) -> None:
        run = self.run
        if run.sent >= run.max_requests or time.perf_counter() >= run.deadline:
            assert self.transport is not None
            self.transport.close()
            return
        run.sent += 1
        self.t0 = time.perf_counter()
        assert self.transport is not None
        self.transport.write(self.requests[self.i % len(self.requests)])
        self.i += self.step

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self.buffer[:end]).lower()
        length = 0
        for line in head.split(b"\r\n")[1:]:
            if line.startswith(b"content-length:"):
                length = int(line[15:])
        if len(self.buffer) < end + 4 + length:
            return
        status = head[9:12].decode()
        del self.buffer[: end + 4 + length]
        load = self.run.load
        load.latencies.append(time.perf_counter() - self.t0)
        if status != "200":
            load.errors[status] = load.errors.get(status, 0) + 1
        self._send()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done.done():
            self.done.set_result(None)


class _Run:
    def __init__(self, seconds: float, max_requests: int) -> None:
        self.deadline = time.perf_counter() + seconds
        self.max_requests = max_requests
        self.sent = 0
        self.load = Load()


async def _load(
    port: int, bodies: list[bytes], seconds: float, concurrency: int, max_requests: int
) -> Load:
    """`concurrency` keep-alive connections, each posting the next placement when its answer
    is in, until `seconds` have passed or `max_requests` were sent."""
    loop = asyncio.get_running_loop()
    requests = [_request(port, b) for b in bodies]
    run = _Run(seconds, max_requests)
    connections = []
    for k in range(concurrency):
        _, conn = await loop.create_connection(
            lambda k=k: _Connection(requests, k, concurrency, run), "127.0.0.1", port
        )
        connections.append(conn)
    try:
        await asyncio.wait_for(asyncio.gather(*(c.done for c in connections)), timeout=seconds + 30)
    except TimeoutError:
        run.load.errors["timeout"] = run.load.errors.get("timeout", 0) + 1
        for c in connections:
            if c.transport is not None:
                c.transport.abort()
    return run.load


def _server_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) of a process and its live descendants (uvicorn's workers),
    from /proc; 0.0 where /proc is not there."""
    tick = os.sysconf("SC_CLK_TCK")
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError, IndexError):
            continue
    return total


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


def _serve(rules: Path, port: int, workers: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
        + ["--workers", str(workers)],
        env={**env, "ARRANGEUR_RULES": str(rules)},
        cwd=Path(__file__).resolve().parents[1],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"  # loopback only
    for _ in range(300):  # wait up to 30 s for the server (and its workers) to answer
        try:
            if httpx.get(f"{url}/v1/instruments", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError(f"server did not start: {server.communicate()[1].decode()[:500]}")


def _stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _in_process(engine: Engine, placements: list[dict[str, Any]], passes: int = 3) -> float:
    """`engine.check` on the same placements in this process: checks per CPU second, the
    fastest of `passes` passes (the reference for `ratio_api_vs_check`)."""
    best = float("inf")
    for _ in range(passes):
        c0 = time.process_time()
        for p in placements:
            engine.check(p)
        best = min(best, time.process_time() - c0)
    return len(placements) / best


def _warm_up(port: int, bodies: list[bytes], concurrency: int, workers: int, passes: int) -> None:
    """Every placement `passes` times per worker (a worker compiles its own networks, about
    10 ms each, and which worker takes a request is the kernel's choice), at most 60 s."""
    asyncio.run(_load(port, bodies, 60.0, concurrency, passes * workers * len(bodies)))


def _timed_load(
    server: subprocess.Popen[bytes], port: int, bodies: list[bytes], seconds: float,
    concurrency: int, max_requests: int,
) -> dict[str, Any]:  # fmt: skip
    """One load run: requests, wall time, the server's CPU (all its processes) and this
    generator's own CPU."""
    s0, g0, t0 = _server_cpu_s(server.pid), time.process_time(), time.perf_counter()
    load = asyncio.run(_load(port, bodies, seconds, concurrency, max_requests))
    wall = time.perf_counter() - t0
    server_cpu, generator_cpu = _server_cpu_s(server.pid) - s0, time.process_time() - g0
    n = len(load.latencies)
    latencies = sorted(load.latencies) or [0.0]
    return {
        "load": load,
        "requests": n,
        "per_second": round(n / wall, 1),
        "server_cpu_s": round(server_cpu, 2),
        "per_server_cpu_second": round(n / server_cpu, 1) if server_cpu > 0 else None,
        "generator_cpu_s": round(generator_cpu, 2),
        "p50_ms": round(latencies[len(latencies) // 2] * 1000, 2),
        "p99_ms": round(latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000, 2),
    }


def measure_api(
    rules: Path,
    seconds: float = 5.0,
    concurrency: int = 8,
    workers: int = 1,
    max_requests: int = 50_000,
    sweep_profiles: int = 20_000,
    scale_to: int = 2,
) -> dict[str, Any]:
    """`workers` server processes loaded for `seconds`, then (when `scale_to` > `workers`)
    a second server with `scale_to` workers under the same load."""
    port = _free_port()
    # the checks open (ARRANGEUR_PUBLIC_CHECKS: the figures are the engine's and the server's,
    # not a login's); the sweep job needs a user: a token in a database of the run's own
    data = Path(tempfile.mkdtemp(prefix="arrangeur-bench-"))
    db_url = f"sqlite:///{data / 'bench.db'}"
    auth = {"Authorization": f"Bearer {_bench_token(db_url)}"}
    env = {**os.environ, "ARRANGEUR_PUBLIC_CHECKS": "1",
           "ARRANGEUR_DATABASE_URL": db_url, "XDG_DATA_HOME": str(data)}  # fmt: skip
    engine = Engine(load_rulebase(rules))
    placements = sample_placements(engine, 300, seed=21)
    bodies = [json.dumps(p).encode() for p in placements]
    url = f"http://127.0.0.1:{port}"
    passes = 3 if seconds >= 5 else 1  # a quick run's figures are not quoted: it only runs
    server = _serve(rules, port, workers, env)
    try:
        rss_before = _rss_kib(server.pid)
        _in_process(engine, placements, 1)  # warm up: compile networks, here and there
        _warm_up(port, bodies, concurrency, workers, passes)
        checks_per_cpu = _in_process(engine, placements)
        idle = _timed_load(server, port, bodies, seconds, concurrency, max_requests)
        checks_per_cpu = max(checks_per_cpu, _in_process(engine, placements))
        rss_after = _rss_kib(server.pid)
        busy_rate = None
        job = _start_sweep(url, sweep_profiles, auth) if workers == 1 else None
        if job is not None:
            busy = _timed_load(server, port, bodies, seconds, concurrency, max_requests)
            busy_rate = busy["per_second"]
            still = httpx.get(f"{url}/v1/jobs/{job}", timeout=10, headers=auth).json()["state"]
            httpx.delete(f"{url}/v1/jobs/{job}", timeout=30, headers=auth)
            if still != "running":  # the sweep ended early: the figure is not "during a sweep"
                busy_rate = None
            for status, n in busy["load"].errors.items():
                idle["load"].errors[f"during sweep {status}"] = n
    finally:
        _stop(server)
    scaled = None
    if scale_to > workers:
        server = _serve(rules, port, scale_to, env)
        try:
            _warm_up(port, bodies, concurrency, scale_to, passes)
            scaled = _timed_load(server, port, bodies, seconds, concurrency, max_requests)
        finally:
            _stop(server)
    shutil.rmtree(data, ignore_errors=True)
    per_cpu = idle["per_server_cpu_second"]
    figures: dict[str, Any] = {
        "api_workers": workers,
        "api_concurrency": concurrency,
        "api_requests": idle["requests"],
        "api_errors": sum(idle["load"].errors.values()),
        "api_error_kinds": idle["load"].errors,
        "api_requests_per_second": idle["per_second"],
        "api_p50_ms": idle["p50_ms"],
        "api_p99_ms": idle["p99_ms"],
        "api_server_cpu_s": idle["server_cpu_s"],
        "api_requests_per_server_cpu_second": per_cpu,
        "api_in_process_checks_per_cpu_second": round(checks_per_cpu, 1),
        "ratio_api_vs_check": round(per_cpu / checks_per_cpu, 3) if per_cpu else None,
        "api_load_generator_cpu_s": idle["generator_cpu_s"],
        "api_server_rss_kib_before": rss_before,
        "api_server_rss_kib_after": rss_after,
        "api_checks_per_second_during_sweep": busy_rate,
    }
    if scaled is not None:
        figures.update({
            f"api_{scale_to}_workers_requests_per_second": scaled["per_second"],
            f"api_{scale_to}_workers_requests_per_server_cpu_second":
                scaled["per_server_cpu_second"],
            f"api_{scale_to}_workers_p99_ms": scaled["p99_ms"],
            f"api_{scale_to}_workers_errors": sum(scaled["load"].errors.values()),
            f"api_{scale_to}_workers_load_generator_cpu_s": scaled["generator_cpu_s"],
        })  # fmt: skip
    return figures
