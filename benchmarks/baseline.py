"""The same placements checked by an earlier version of Arrangeur, in the same benchmark run.

Issue 11 asks `engine.check` to be twice as fast as main was when the issue was filed. That
version (BASELINE_COMMIT, or ARRANGEUR_BENCH_BASELINE) is taken from git into a temporary
folder and timed in a child process on the same interpreter, rules and placements; the ratio
is product / baseline. Without git or the commit (a shallow clone) the stage is skipped.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

BASELINE_COMMIT = "6bddf2729f9874da6efadbb21165da3b8105b614"  # main on the day issue 11 was filed
ROOT = Path(__file__).resolve().parents[1]

_TIMER = """
import json, statistics, sys, time
from pathlib import Path
root, rules, placements = sys.argv[1], Path(sys.argv[2]), json.loads(Path(sys.argv[3]).read_text())
sys.path.insert(0, root)
from engine.arrangement import Engine
from engine.rulesets.registry import load_rulebase
try:
    engine, used = Engine(load_rulebase(rules)), "current"
except Exception:  # an older loader may not read today's rules: then its own
    engine, used = Engine(load_rulebase(Path(root) / "rules")), "its own"
for p in placements:
    engine.check(p)
latencies = []
start, cpu = time.perf_counter(), time.thread_time()
for p in placements:
    t = time.perf_counter()
    engine.check(p)
    latencies.append((time.perf_counter() - t) * 1000)
total, cpu = time.perf_counter() - start, time.thread_time() - cpu
latencies.sort()
print(json.dumps({
    "rules": used,
    "checks_per_second": round(len(placements) / total, 1),
    "checks_per_cpu_second": round(len(placements) / cpu, 1),
    "check_p50_ms": round(statistics.median(latencies), 3),
    "check_p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 3),
}))
"""


def measure_baseline(
    rules: Path, placements: list[dict[str, Any]], cpu_rate: float
) -> dict[str, Any]:
    """`cpu_rate`: the product's checks per CPU second on the same placements."""
    commit = os.environ.get("ARRANGEUR_BENCH_BASELINE", BASELINE_COMMIT)
    known = subprocess.run(
        ["git", "-C", str(ROOT), "cat-file", "-e", f"{commit}^{{commit}}"], capture_output=True
    )
    if known.returncode != 0:
        return {"skipped": f"commit {commit[:12]} is not in this clone"}
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", commit], capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        data = Path(tmp) / "placements.json"
        data.write_text(json.dumps(placements))
        out = subprocess.run(
            [sys.executable, "-c", _TIMER, tmp, str(Path(rules).resolve()), str(data)],
            capture_output=True,
            text=True,
            cwd=tmp,
            env={**os.environ, "PYTHONPATH": tmp},
        )
    if out.returncode != 0:
        return {"skipped": f"baseline failed: {out.stderr.strip().splitlines()[-1:]}"}
    figures = json.loads(out.stdout)
    return {
        "commit": commit[:12],
        **figures,
        "speedup": round(cpu_rate / figures["checks_per_cpu_second"], 2),  # product / baseline
    }
