"""API throughput and latency under concurrent load, on loopback only, bounded in time.

A real `arrangeur serve` in a second process; an async HTTP client with N concurrent connections
posts sample placements for a fixed number of seconds, then stops by itself.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from benchmarks.check_latency import sample_placements
from engine.arrangement import Engine
from engine.rulesets.registry import load_rulebase


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _load(url: str, bodies: list[bytes], seconds: float, concurrency: int) -> list[float]:
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    headers = {"content-type": "application/json"}
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=10) as client:

        async def worker(offset: int) -> None:
            i = offset
            while time.perf_counter() < deadline:
                t0 = time.perf_counter()
                response = await client.post(
                    "/v1/checks", content=bodies[i % len(bodies)], headers=headers
                )
                latencies.append(time.perf_counter() - t0)
                if response.status_code != 200:
                    raise RuntimeError(
                        f"API answered {response.status_code}: {response.text[:200]}"
                    )
                i += concurrency

        await asyncio.gather(*(worker(k) for k in range(concurrency)))
    return latencies


def measure_api(
    rules: Path, seconds: float = 5.0, concurrency: int = 8, workers: int = 1
) -> dict[str, Any]:
    port = _free_port()
    env = {**os.environ, "ARRANGEUR_RULES": str(rules)}
    server = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
        + ["--workers", str(workers)],
        env=env,
        cwd=Path(__file__).resolve().parents[1],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
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
        asyncio.run(_load(url, bodies, min(1.0, seconds), concurrency))  # warm up: compile networks
        t0 = time.perf_counter()
        latencies = sorted(asyncio.run(_load(url, bodies, seconds, concurrency)))
        elapsed = time.perf_counter() - t0
    finally:
        server.terminate()
        server.wait(timeout=10)
    return {
        "api_workers": workers,
        "api_concurrency": concurrency,
        "api_requests_per_second": round(len(latencies) / elapsed, 1),
        "api_p50_ms": round(latencies[len(latencies) // 2] * 1000, 2),
        "api_p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 2),
    }
