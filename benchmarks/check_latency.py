"""Check latency (p50, p99), checks per second and compile time on the shipped rules.

Run: `arrangeur bench [--quick] [--format text|json]`. Prints figures; asserts nothing.
"""

from __future__ import annotations

import gc
import json
import multiprocessing
import os
import random
import statistics
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from engine.arrangement import Engine, parse_placement
from engine.facts import INPUT_FACTS
from engine.rulesets.registry import load_rulebase
from engine.runtime import PythonBackend


def sample_placements(engine: Engine, n: int, seed: int = 7) -> list[dict[str, Any]]:
    """Varied placements over the gemeenten that have rule sets (and a few that have none)."""
    rng = random.Random(seed)
    rb = engine.rulebase
    with_rules = sorted(
        {rs.authority[9:] for rs in rb.rulesets if rs.authority.startswith("gemeente:")}
    )
    others = [g.code for g in rb.geography.gemeenten if g.code not in with_rules][:5]
    codes = (with_rules or others) * 4 + others
    uitkeringen = INPUT_FACTS["candidate.uitkering"].values
    out = []
    for _ in range(n):
        start = date(2025, 1, 1) + timedelta(days=rng.randrange(0, 540))
        out.append(
            {
                "candidate": {
                    "woongemeente": rng.choice(codes),
                    "geboortedatum": (
                        start - timedelta(days=rng.randrange(18 * 365, 66 * 365))
                    ).isoformat(),
                    "uitkering": rng.choice(uitkeringen),
                    "uitkering_sinds": (start - timedelta(days=rng.randrange(0, 2000))).isoformat(),
                    "doelgroepregister": rng.random() < 0.4,
                    "loonwaarde_pct": rng.choice([None, 30, 50, 70, 90, 100]),
                    "eerder_in_dienst_bij_werkgever": rng.random() < 0.1,
                },
                "employer": {"vestigingsgemeente": rng.choice(codes)},
                "job": {
                    "startdatum": start.isoformat(),
                    "uren_per_week": rng.choice([12, 20, 24, 32, 36, 40]),
                    "contract_maanden": rng.choice([3, 5, 6, 12, 24]),
                    "brutoloon_per_maand": rng.choice([None, 2100, 2400, 3000]),
                },
            }
        )
    for p in out:
        p["candidate"] = {k: v for k, v in p["candidate"].items() if v is not None}
        p["job"] = {k: v for k, v in p["job"].items() if v is not None}
    return out


def _clips_backend() -> Any:
    """The CLIPS peer needs clipspy, a test extra: without it the peer is skipped, not fatal."""
    try:
        from benchmarks.clips_backend import ClipsBackend
    except ImportError:
        return None
    return ClipsBackend


def _peer_rate(
    rb: Any, backend: Any, placements: list[dict], reference: Engine, rate: float
) -> dict[str, float]:
    """The same compiled rules on another engine: checked equal first, then timed."""
    peer = Engine(rb, backend=backend)
    for p in placements:
        if peer.check(p) != reference.check(p):
            raise AssertionError(f"{backend.__name__} disagrees with the network on {p}")
    t0 = time.perf_counter()
    for p in placements:
        peer.check(p)
    peer_rate = len(placements) / (time.perf_counter() - t0)
    return {"checks_per_second": round(peer_rate, 1), "ratio": round(peer_rate / rate, 2)}


def measure(rules: Path, quick: bool) -> dict[str, Any]:
    t0 = time.perf_counter()
    rb = load_rulebase(rules)
    load_s = time.perf_counter() - t0
    engine = Engine(rb)
    placements = sample_placements(engine, 300 if quick else 5000)
    # Compile: each scope (rule-set versions + parameter values) gets its network once.
    compile_times = []
    for p in placements:
        scope = engine.scope(parse_placement(p))
        params = rb.parameters.at(scope.peildatum)
        before = len(engine._compiled)  # noqa: SLF001 - a benchmark may look inside
        t0 = time.perf_counter()
        engine.compiled(scope.rulesets, params)
        if len(engine._compiled) > before:  # noqa: SLF001
            compile_times.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    for p in placements:
        engine.check(p)
    warm_s = time.perf_counter() - t0
    latencies = []
    t_all = time.perf_counter()
    for p in placements:
        t = time.perf_counter()
        engine.check(p)
        latencies.append((time.perf_counter() - t) * 1000)
    total = time.perf_counter() - t_all
    latencies.sort()
    rate = len(placements) / total
    peers = {
        name: _peer_rate(rb, backend, placements, engine, rate)
        for name, backend in (("python", PythonBackend), ("clips", _clips_backend()))
        if backend is not None
    }
    if "clips" not in peers:
        peers["clips"] = {"skipped": "clipspy is not installed (pip install -e '.[test]')"}
    return {
        "checks": len(placements),
        "load_rules_s": round(load_s, 3),
        "networks_compiled": len(compile_times),
        "compile_network_s_mean": round(statistics.mean(compile_times), 4),
        "compile_network_s_max": round(max(compile_times), 4),
        "warm_up_pass_s": round(warm_s, 3),
        "check_p50_ms": round(statistics.median(latencies), 3),
        "check_p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 3),
        "checks_per_second_one_core": round(rate, 1),
        "peers": peers,
    }


_ENGINE: Engine | None = None


def _init_worker(rules: str) -> None:
    global _ENGINE
    _ENGINE = Engine(load_rulebase(Path(rules)))


def _worker(args: tuple[int, int]) -> tuple[int, float]:
    """One process with its own engine (durable_rules hosts live per process): n timed checks."""
    n, seed = args
    assert _ENGINE is not None
    placements = sample_placements(_ENGINE, n, seed=seed)
    for p in placements[:100]:  # compile this worker's networks before timing
        _ENGINE.check(p)
    t0 = time.perf_counter()
    for p in placements:
        _ENGINE.check(p)
    return len(placements), time.perf_counter() - t0


def all_cores(rules: Path, per_process: int) -> dict[str, Any]:
    """Checks per second with one process per core, all checking at the same time."""
    processes = os.cpu_count() or 1
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(processes, initializer=_init_worker, initargs=(str(rules),)) as pool:
        results = pool.map(_worker, [(per_process, 200 + i) for i in range(processes)])
    done = sum(n for n, _ in results)
    elapsed = max(t for _, t in results)
    return {"processes": processes, "checks_per_second_all_cores": round(done / elapsed, 1)}


def memory_growth(rules: Path, checks: int) -> dict[str, Any]:
    """Memory held after many checks on one engine: sessions must be returned.

    Resident memory over all checks; the Python heap (tracemalloc, which slows Python down a
    lot) over the first 2,000 only.
    """
    from benchmarks.synthetic import rss_kib

    engine = Engine(load_rulebase(rules))
    placements = sample_placements(engine, 500, seed=3)
    for p in placements:
        engine.check(p)
    gc.collect()
    rss_before = rss_kib()
    traced = min(checks, 2000)
    tracemalloc.start()
    start_current, _ = tracemalloc.get_traced_memory()
    for i in range(traced):
        engine.check(placements[i % len(placements)])
    gc.collect()
    end_current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    for i in range(traced, checks):
        engine.check(placements[i % len(placements)])
    gc.collect()
    return {
        "memory_checks": checks,
        "python_heap_growth_kib_first_2000": round((end_current - start_current) / 1024, 1),
        "rss_growth_kib": rss_kib() - rss_before,
    }


def main(rules: Path, quick: bool = False, fmt: str = "text") -> int:
    from benchmarks.synthetic import region_network_memory_fresh, region_network_size, scale

    figures = measure(rules, quick)
    rb = load_rulebase(rules)
    figures["compile_region_s"] = round(
        region_network_size(rb, "haaglanden", date(2025, 6, 1))[0], 4
    )
    figures["compiled_region_memory_kib"] = region_network_memory_fresh(
        rules, "haaglanden", date(2025, 6, 1)
    )
    figures.update(all_cores(rules, 200 if quick else 3000))
    figures.update(memory_growth(rules, 1000 if quick else 100_000))
    from benchmarks.api_load import measure_api  # a server in a second process, loopback only

    figures.update(measure_api(rules, seconds=2 if quick else 10))
    from benchmarks.sweep import measure_sweep  # issue 4: 10,000 profiles × one region

    figures.update(measure_sweep(rules, 300 if quick else 10_000))
    from benchmarks.pages import measure_pages  # issue 14: the result page and page weight

    figures.update(measure_pages(rules, quick))
    figures["scale"] = scale((10,) if quick else (10, 100, 342), checks=50 if quick else 300)
    if fmt == "json":
        print(json.dumps(figures, indent=2))
    else:
        for key, value in figures.items():
            if key == "scale":
                print("scale (synthetic rule base):")
                for row in value:
                    print("  " + ", ".join(f"{k} {v}" for k, v in row.items()))
            elif isinstance(value, dict):
                inner = "; ".join(f"{k}: {json.dumps(v)}" for k, v in value.items())
                print(f"{key:32} {inner}")
            else:
                print(f"{key:32} {value}")
    return 0
