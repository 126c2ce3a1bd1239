"""Harmonisation sweep throughput: profiles × gemeenten through the public check, one core and
all cores, with the wall time of the whole report (matrix, sweep, analysis)."""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path

from engine.analysis import Options, harmonisation
from engine.arrangement import Engine
from engine.rulesets.registry import load_rulebase


def measure_sweep(rules: Path, profiles: int, region: str = "haaglanden") -> dict[str, object]:
    engine = Engine(load_rulebase(rules))
    when = date(2025, 6, 1)
    figures: dict[str, object] = {"sweep_profiles": profiles, "sweep_region": region}
    cores = os.cpu_count() or 1
    for label, options in (
        ("one_core", Options(profiles=profiles, executor="serial")),
        (f"all_cores_{cores}", Options(profiles=profiles, executor="local", workers=cores)),
    ):
        start = time.perf_counter()
        report = harmonisation(engine, region, when, options)
        wall = time.perf_counter() - start
        figures[f"sweep_{label}"] = {
            "wall_s": round(wall, 2),
            "checks": report.profiles.checks,
            "checks_per_s": round(report.profiles.checks / wall),
        }
    return figures
