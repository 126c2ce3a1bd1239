"""Memory over checks of random (woongemeente, vestigingsgemeente) pairs: the network cache's cap.

On a synthetic rule base with rule sets in every gemeente (benchmarks/synthetic.py) nearly every
pair has its own network, so without a bound the cache would grow by about a megabyte per check.
Run in a fresh process: resident memory before and after belongs to this stage alone.
"""

from __future__ import annotations

import gc
import multiprocessing
import random
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from engine.arrangement import Engine
from engine.rulesets.registry import load_rulebase


def _random_pairs(args: tuple[int, int | None, int]) -> dict[str, Any]:
    from benchmarks.placements import existing_gemeenten, placement_dates, sample_placements
    from benchmarks.synthetic import build, rss_kib

    checks, cap, gemeenten = args
    with tempfile.TemporaryDirectory() as tmp:
        rb = load_rulebase(build(Path(tmp) / "rules", gemeenten))
    engine = Engine(rb, network_cache=cap)
    codes = existing_gemeenten(rb, *placement_dates())
    rng = random.Random(11)
    placements = sample_placements(engine, checks, seed=11)
    for p in placements:
        p["candidate"]["woongemeente"] = rng.choice(codes)
        p["employer"]["vestigingsgemeente"] = rng.choice(codes)
    engine.check(placements[0])
    gc.collect()
    before = rss_kib()
    largest = 0
    rss_at_half = 0
    start, cpu = time.perf_counter(), time.process_time()
    for i, p in enumerate(placements):
        engine.check(p)
        largest = max(largest, len(engine._compiled))  # noqa: SLF001 - a benchmark may look
        if i == checks // 2:
            rss_at_half = rss_kib()
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    gc.collect()
    after = rss_kib()
    cache = engine._compiled  # noqa: SLF001
    return {
        "checks": checks,
        "gemeenten": len(codes),
        "checks_per_s": round(checks / wall, 1),
        "checks_per_cpu_s": round(checks / cpu, 1),  # each a compile, mostly
        "network_cache_cap": cache.cap,
        "network_cache_size": len(cache),
        "network_cache_largest": largest,
        "networks_compiled": cache.inserts,
        "networks_evicted": cache.evictions,
        "rss_before_kib": before,
        "rss_half_kib": rss_at_half,
        "rss_after_kib": after,
        "rss_growth_kib": after - before,
    }


def random_pairs(checks: int, cap: int | None = None, gemeenten: int = 342) -> dict[str, Any]:
    """`checks` checks over random pairs of existing gemeenten, in a fresh process."""
    # a dying child raises BrokenProcessPool instead of hanging the bench (multiprocessing.Pool)
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_random_pairs, (checks, cap, gemeenten)).result()
