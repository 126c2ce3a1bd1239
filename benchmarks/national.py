"""The national harmonisation sweep: every gemeente × many profiles through the public check, with
gemeenten whose rule sets in scope are identical sharing one computation; the measured speed-up
of that de-duplication (the same sweep with every gemeente on its own); in the full run the
sweep of issue 26's size (10,000 profiles on all cores) and the CPU time of the same serial
sweep against main at 32f809b (the commit issue 26 was measured on), interleaved."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks.baseline import checkout, run_timer
from benchmarks.sweep import children_cpu
from engine.analysis.national import national_sweep
from engine.arrangement import Engine
from engine.rulesets.registry import load_rulebase

ROOT = Path(__file__).resolve().parents[1]
BASELINE_COMMIT = "32f809b3acedd645fbe099f2368ed4dfb3ed4b6a"  # main when issue 26 was filed
TARGET_PROFILES = 10_000  # issue 26: at most 3 minutes on two cores
BASELINE_PROFILES = 1_000  # the serial A/B against the baseline (the 57 CPU s figure)
BASELINE_ROUNDS = 2  # each engine this often, alternating; the fastest counts

# Times one serial national sweep in a child process on the Arrangeur at argv[1] (its own rules):
# the same code for the product and the baseline.
_TIMER = """
import json, sys, time
from datetime import date
from pathlib import Path
root, profiles = sys.argv[1], int(sys.argv[2])
sys.path.insert(0, root)
from engine.analysis.national import national_sweep
from engine.arrangement import Engine
from engine.rulesets.registry import load_rulebase
engine = Engine(load_rulebase(Path(root) / "rules"))
cpu = time.process_time()
result = national_sweep(engine, date(2025, 6, 1), profiles, executor="serial")
print(json.dumps({"cpu_s": round(time.process_time() - cpu, 2), "checks": result.checks,
                  "computations": result.computations}))
"""


def measure_national(
    rules: Path,
    profiles: int,
    compare_profiles: int,
    executor: str = "local",
    target: bool | None = None,
) -> dict[str, object]:
    """`profiles` for the timed national sweep (all cores, or `serial` for a smoke run);
    `compare_profiles` for the serial runs with and without de-duplication, whose results are
    checked equal. `target` (default: when `executor` is local, the full run): also the sweep of
    TARGET_PROFILES on all cores and the serial A/B against BASELINE_COMMIT."""
    engine = Engine(load_rulebase(rules))
    when = date(2025, 6, 1)
    cores = os.cpu_count() or 1
    figures: dict[str, object] = {}
    runs = [("national_sweep", profiles)]
    if target if target is not None else executor == "local":
        runs.append((f"national_sweep_{TARGET_PROFILES}", TARGET_PROFILES))
    for label, count in runs:
        start, cpu, child = time.perf_counter(), time.process_time(), children_cpu()
        result = national_sweep(engine, when, count, executor=executor, workers=cores)
        wall = time.perf_counter() - start
        cpu, child = time.process_time() - cpu, children_cpu() - child
        figures[label] = {
            "gemeenten": result.gemeenten,
            "profiles": result.profiles,
            "computations": result.computations,
            "checks": result.checks,
            "wall_s": round(wall, 2),
            "checks_per_s": round(result.checks / wall),
            # this process and its sweep workers: on a shared, loaded machine it says more than
            # the wall time
            "cpu_s": round(cpu + child, 2),
            "executor": executor,
            "cores": cores if executor == "local" else 1,
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
    if target if target is not None else executor == "local":
        figures["national_vs_baseline"] = national_vs_baseline(BASELINE_PROFILES)
    return figures


def national_vs_baseline(
    profiles: int, rounds: int = BASELINE_ROUNDS, commit: str = BASELINE_COMMIT
) -> dict[str, Any]:
    """The same serial national sweep (same profiles, same peildatum, each on its own rules) by
    the product and by `commit` taken from git, in child processes on this interpreter,
    alternating; the fastest CPU time of `rounds` each. Skipped without the commit."""
    known = subprocess.run(
        ["git", "-C", str(ROOT), "cat-file", "-e", f"{commit}^{{commit}}"], capture_output=True
    )
    if known.returncode != 0:
        return {"skipped": f"commit {commit[:12]} is not in this clone"}
    best: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = checkout(commit, Path(tmp) / "baseline")
        for _ in range(rounds):
            for name, root in (("baseline", folder), ("product", ROOT)):
                found = _time_national(root, profiles)
                if name not in best or found["cpu_s"] < best[name]["cpu_s"]:
                    best[name] = found
    return {
        "commit": commit[:12],
        "profiles": profiles,
        "rounds": rounds,
        "baseline": best["baseline"],
        "product": best["product"],
        # issue 26: at most 0.5
        "cpu_ratio_product_vs_baseline": round(
            best["product"]["cpu_s"] / best["baseline"]["cpu_s"], 3
        ),
    }


def _time_national(root: Path, profiles: int) -> dict[str, Any]:
    return run_timer(_TIMER, root, [str(root), str(profiles)])
