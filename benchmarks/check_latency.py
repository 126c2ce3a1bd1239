"""Check latency (p50, p99), checks per second and compile time on the shipped rules.

Run: `arrangeur bench [--quick] [--format text|json]`. Prints figures; asserts nothing.
"""

from __future__ import annotations

import gc
import json
import multiprocessing
import os
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks.placements import sample_placements
from engine.arrangement import Engine, parse_placement
from engine.rulesets.registry import load_rulebase
from engine.runtime import PythonBackend


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
    t0, c0 = time.perf_counter(), time.thread_time()
    for p in placements:
        peer.check(p)
    peer_rate = len(placements) / (time.perf_counter() - t0)
    peer_cpu_rate = len(placements) / (time.thread_time() - c0)
    return {
        "checks_per_second": round(peer_rate, 1),
        "checks_per_cpu_second": round(peer_cpu_rate, 1),
        "ratio": round(peer_cpu_rate / rate, 2),  # peer / product, CPU time
    }


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
        before = engine._compiled.inserts  # noqa: SLF001 - a benchmark may look inside
        t0 = time.perf_counter()
        engine.compiled(scope.rulesets, params)
        if engine._compiled.inserts > before:  # noqa: SLF001
            compile_times.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    for p in placements:
        engine.check(p)
    warm_s = time.perf_counter() - t0
    # Wall and CPU time of this thread per check: on a loaded machine the wall time includes
    # waiting for a core, the CPU time does not; ratios are taken on CPU time.
    latencies, cpu_latencies = [], []
    t_all, c_all = time.perf_counter(), time.thread_time()
    for p in placements:
        t, c = time.perf_counter(), time.thread_time()
        engine.check(p)
        latencies.append((time.perf_counter() - t) * 1000)
        cpu_latencies.append((time.thread_time() - c) * 1000)
    total, cpu_total = time.perf_counter() - t_all, time.thread_time() - c_all
    latencies.sort()
    cpu_latencies.sort()
    rate, cpu_rate = len(placements) / total, len(placements) / cpu_total
    # CLIPS slows down over a long run (docs/performance.md): 1,000 placements are enough.
    peers = {
        name: _peer_rate(rb, backend, placements[:n], engine, cpu_rate)
        for name, backend, n in (
            ("python", PythonBackend, len(placements)),
            ("clips", _clips_backend(), 1000),
        )
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
        "check_cpu_p50_ms": round(statistics.median(cpu_latencies), 3),
        "check_cpu_p99_ms": round(cpu_latencies[int(len(cpu_latencies) * 0.99) - 1], 3),
        "checks_per_cpu_second": round(cpu_rate, 1),
        "peers": peers,
        # issue 11: the product against the plain-Python evaluation of the same rules (>= 1)
        "ratio_check_vs_python": round(cpu_rate / peers["python"]["checks_per_cpu_second"], 2),
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
    for p in placements:  # a warm-up pass, as for one core: compare like with like
        _ENGINE.check(p)
    t0 = time.perf_counter()
    for p in placements:
        _ENGINE.check(p)
    return len(placements), time.perf_counter() - t0


def all_cores(rules: Path, per_process: int) -> dict[str, Any]:
    """Checks per second with one process per core, all checking at the same time."""
    processes = os.cpu_count() or 1
    # concurrent.futures, not multiprocessing.Pool: a worker that dies (out of memory, a crash
    # in C) raises BrokenProcessPool here instead of leaving the bench waiting forever
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        processes, mp_context=ctx, initializer=_init_worker, initargs=(str(rules),)
    ) as pool:
        results = list(pool.map(_worker, [(per_process, 200 + i) for i in range(processes)]))
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


def _cpu() -> float:
    """CPU seconds of this process and of its children that have ended."""
    used = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return sum(r.ru_utime + r.ru_stime for r in used)


def _show(figures: dict[str, Any], out: Any) -> None:
    for key, value in figures.items():
        if key == "scale":
            print("scale (synthetic rule base):", file=out)
            for row in value:
                print("  " + ", ".join(f"{k} {v}" for k, v in row.items()), file=out)
        elif isinstance(value, dict):
            inner = "; ".join(f"{k}: {json.dumps(v)}" for k, v in value.items())
            print(f"{key:32} {inner}", file=out)
        else:
            print(f"{key:32} {value}", file=out)
    out.flush()


def main(rules: Path, quick: bool = False, fmt: str = "text") -> int:
    """Every stage is printed as soon as it completes (text: stdout; json: stderr, then the whole
    document on stdout), so a failing stage loses no earlier figure; the others still run."""
    from benchmarks.api_load import measure_api  # a server in a second process, loopback only
    from benchmarks.baseline import measure_baseline
    from benchmarks.caseload import measure_caseload
    from benchmarks.durable_shape import measure_shapes  # issue 26: what durable's joins cost
    from benchmarks.national import measure_national
    from benchmarks.network_memory import random_pairs
    from benchmarks.pages import measure_pages
    from benchmarks.sweep import measure_sweep  # issue 4: profiles × one region
    from benchmarks.synthetic import region_network_memory_fresh, region_network_size, scale

    when = date(2025, 6, 1)
    figures: dict[str, Any] = {}
    progress = sys.stdout if fmt == "text" else sys.stderr

    def checks() -> dict[str, Any]:
        return measure(rules, quick)

    def baseline() -> dict[str, Any]:
        rb = load_rulebase(rules)
        placements = sample_placements(Engine(rb), 300 if quick else 3000)
        found = measure_baseline(rules, placements)
        return {
            "baseline": found,
            "ratio_check_vs_baseline": found.get("speedup"),
            "ratio_check_lean_vs_baseline": found.get("speedup_lean"),
            "ratio_check_vs_baseline_same_rules": found.get("speedup_same_rules"),
        }

    def region() -> dict[str, Any]:
        rb = load_rulebase(rules)
        return {
            "compile_region_s": round(region_network_size(rb, "haaglanden", when)[0], 4),
            "compiled_region_memory_kib": region_network_memory_fresh(rules, "haaglanden", when),
        }

    # Sizes keep the full run under 10 minutes on 2 cores (issue 11); every figure is a rate,
    # so a larger run only narrows its spread.
    stages: list[tuple[str, Callable[[], dict[str, Any]]]] = [
        ("checks", checks),
        ("baseline", baseline),
        ("durable_shape", lambda: measure_shapes(checks=200 if quick else 2000)),
        ("region", region),
        # quick: a small cap, so that the smoke run evicts; full: the configured cap
        (
            "random_pairs",
            lambda: {"random_pairs": random_pairs(*((200, 64) if quick else (10_000,)))},
        ),
        ("all_cores", lambda: all_cores(rules, 200 if quick else 3000)),
        ("memory", lambda: memory_growth(rules, 1000 if quick else 10_000)),
        ("api", lambda: measure_api(rules, seconds=2 if quick else 10)),
        ("sweep", lambda: measure_sweep(rules, 300 if quick else 4_000)),
        ("pages", lambda: measure_pages(rules, quick)),  # issue 14: result page and its weight
        # issue 16: re-check a stored caseload
        ("caseload", lambda: measure_caseload(rules, 200 if quick else 10_000)),
        # issue 15: 342 gemeenten, de-duplicated (full: 500 profiles on all cores; the
        # 10,000-profile time is extrapolated from it)
        (
            "national",
            lambda: measure_national(rules, *((10, 5, "serial") if quick else (500, 50, "local"))),
        ),
        (
            "scale",
            lambda: {"scale": scale((10,) if quick else (10, 100, 342), 50 if quick else 300)},
        ),
    ]
    failed = []
    seconds: dict[str, float] = {}
    cpu_seconds: dict[str, float] = {}
    started = time.perf_counter()
    for name, run in stages:
        t0, c0 = time.perf_counter(), _cpu()
        try:
            found = run()
        except Exception as exc:  # noqa: BLE001 - report it, keep the other stages' figures
            found = {f"{name}_failed": f"{type(exc).__name__}: {exc}"}
            failed.append(name)
        seconds[name] = round(time.perf_counter() - t0, 1)
        cpu_seconds[name] = round(_cpu() - c0, 1)
        figures.update(found)
        _show(found, progress)
    done = {
        "stage_seconds": seconds,
        # CPU of this process and its finished children: the wall time depends on the load
        "stage_cpu_seconds": cpu_seconds,
        "bench_wall_s": round(time.perf_counter() - started, 1),
        "bench_cpu_s": round(sum(cpu_seconds.values()), 1),
    }
    figures.update(done)
    _show(done, progress)
    if fmt == "json":
        print(json.dumps(figures, indent=2))
    if failed:
        print(f"bench: mislukt in {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0
