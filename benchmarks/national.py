"""The national harmonisation sweep: every gemeente × many profiles through the public check, with
gemeenten whose rule sets in scope are identical sharing one computation; and the measured
speed-up of that de-duplication (the same sweep with every gemeente on its own)."""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path

from engine.analysis.national import national_sweep
from engine.arrangement import Engine
from engine.rulesets.registry import load_rulebase


def measure_national(
    rules: Path, profiles: int, compare_profiles: int, executor: str = "local"
) -> dict[str, object]:
    """`profiles` for the timed national sweep (all cores, or `serial` for a smoke run);
    `compare_profiles` for the serial runs with and without de-duplication, whose results are
    checked equal."""
    engine = Engine(load_rulebase(rules))
    when = date(2025, 6, 1)
    cores = os.cpu_count() or 1
    start, cpu = time.perf_counter(), time.process_time()
    result = national_sweep(engine, when, profiles, executor=executor, workers=cores)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    figures: dict[str, object] = {
        "national_sweep": {
            "gemeenten": result.gemeenten,
            "profiles": result.profiles,
            "computations": result.computations,
            "checks": result.checks,
            "wall_s": round(wall, 2),
            "checks_per_s": round(result.checks / wall),
            # CPU time of this process: the whole sweep when serial; on a shared, loaded
            # machine it says more than the wall time
            **({"cpu_s": round(cpu, 2)} if executor == "serial" else {}),
            "executor": executor,
            "cores": cores if executor == "local" else 1,
        }
    }
    timings, cpus, results = {}, {}, {}
    for dedup in (True, False):
        start, cpu = time.perf_counter(), time.process_time()
        results[dedup] = national_sweep(
            engine, when, compare_profiles, executor="serial", dedup=dedup
        )
        timings[dedup] = time.perf_counter() - start
        cpus[dedup] = time.process_time() - cpu
    same = results[True].digests == results[False].digests
    figures["national_dedup"] = {
        "profiles": compare_profiles,
        "with_dedup_s": round(timings[True], 2),
        "without_dedup_s": round(timings[False], 2),
        "with_dedup_cpu_s": round(cpus[True], 2),
        "without_dedup_cpu_s": round(cpus[False], 2),
        "speedup": round(timings[False] / timings[True], 2),
        "speedup_cpu": round(cpus[False] / cpus[True], 2),
        "checks": [results[True].checks, results[False].checks],
        "same_results": same,
        # both sweeps with 10,000 profiles on one core, extrapolated from these serial runs
        "one_core_10000_estimate_cpu_s": {
            "with_dedup": round(cpus[True] / compare_profiles * 10_000),
            "without_dedup": round(cpus[False] / compare_profiles * 10_000),
        },
    }
    return figures
