"""Harmonisation sweep throughput: profiles × gemeenten through the public check, one core and
all cores, with the wall time of the whole report (matrix, sweep, analysis); and the region
report as users get it with its defaults (issue 26: at most 10 s on two cores)."""

from __future__ import annotations

import os
import resource
import time
from datetime import date
from pathlib import Path

from engine.analysis import Options, harmonisation
from engine.arrangement import Engine
from engine.rulesets.registry import load_rulebase


def children_cpu() -> float:
    """CPU seconds of this process's ended children (spawned sweep workers, once joined)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def measure_sweep(
    rules: Path, profiles: int, region: str = "haaglanden", defaults: bool | None = None
) -> dict[str, object]:
    """`defaults` (the full run: `profiles` ≥ 1,000 unless told): also the report with
    `Options()` as they are, 10,000 profiles on all cores, as `arrangeur harmonisation` runs it."""
    engine = Engine(load_rulebase(rules))
    when = date(2025, 6, 1)
    figures: dict[str, object] = {"sweep_profiles": profiles, "sweep_region": region}
    cores = os.cpu_count() or 1
    runs = [
        ("one_core", Options(profiles=profiles, executor="serial")),
        (f"all_cores_{cores}", Options(profiles=profiles, executor="local", workers=cores)),
    ]
    if defaults if defaults is not None else profiles >= 1_000:
        runs.append(("region_report_defaults", Options()))
    for label, options in runs:
        start, cpu, child = time.perf_counter(), time.process_time(), children_cpu()
        report = harmonisation(engine, region, when, options)
        wall = time.perf_counter() - start
        cpu, child = time.process_time() - cpu, children_cpu() - child
        figures[f"sweep_{label}"] = {
            "profiles": options.profiles,
            "executor": options.executor,
            "wall_s": round(wall, 2),
            "cpu_s": round(cpu + child, 2),  # this process and its sweep workers
            "cpu_workers_s": round(child, 2),
            "checks": report.profiles.checks,
            "checks_per_s": round(report.profiles.checks / wall),
            "checks_per_cpu_s": round(report.profiles.checks / max(cpu + child, 1e-9)),
        }
    return figures
