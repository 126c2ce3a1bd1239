"""Caseload: time to add placements and to re-check the whole stored caseload (10,000 placements
in the full bench), on a SQLite file; on PostgreSQL too when ARRANGEUR_BENCH_POSTGRES_URL names an
empty database. Prints figures; asserts nothing."""

from __future__ import annotations

import os
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks.placements import sample_placements
from engine import Engine
from engine.caseload import Caseload
from engine.rulesets.registry import load_rulebase


def _run(engine: Engine, url: str, placements: list[dict[str, Any]]) -> dict[str, Any]:
    caseload = Caseload(engine, url)
    try:
        t0 = time.perf_counter()
        caseload.add_many((f"b{i:06d}", p) for i, p in enumerate(placements))
        added = time.perf_counter() - t0
        t0 = time.perf_counter()
        same = caseload.recheck()  # unchanged rules: reads, checks, compares, confirms
        unchanged = time.perf_counter() - t0
        t0 = time.perf_counter()
        moved = caseload.recheck(date(2026, 7, 1))  # every answer re-dated: writes them all
        moved_s = time.perf_counter() - t0
        for ref in caseload.refs():  # leave a PostgreSQL database as it was found
            if url.startswith("postgresql"):
                caseload.remove(ref)
    finally:
        caseload.close()
    n = len(placements)
    return {
        "placements": n,
        "add_many_s": round(added, 2),
        "recheck_unchanged_s": round(unchanged, 2),
        "recheck_unchanged_per_s": round(n / unchanged),
        "recheck_changed": len(same.changed),
        "recheck_moved_date_s": round(moved_s, 2),
        "recheck_moved_date_changed": len(moved.changed),
    }


def measure_caseload(rules: Path, n: int) -> dict[str, Any]:
    engine = Engine(load_rulebase(rules))
    placements = sample_placements(engine, n, seed=16)
    for p in placements:  # warm the compiled networks, so the figures are the caseload's own
        engine.check(p)
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        figures["caseload_sqlite"] = _run(engine, f"sqlite:///{tmp}/bench.db", placements)
    pg = os.environ.get("ARRANGEUR_BENCH_POSTGRES_URL")
    if pg:
        figures["caseload_postgresql"] = _run(engine, pg, placements)
    return figures
