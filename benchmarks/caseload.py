"""Caseload: time to add placements and to re-check the whole stored caseload (10,000 placements
in the full bench), on a SQLite file; on PostgreSQL too when ARRANGEUR_BENCH_POSTGRES_URL names an
empty database. Prints figures; asserts nothing.

Each step is given in wall and CPU seconds, with the CPU split into the engine's checks, the
comparing of answers, and the rest (database, JSON, the answers' summaries, hashes, deadlines).
Issue 26's target: a re-check of 10,000 stored placements in at most 30 s on SQLite."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select

import engine.caseload.store as store
from benchmarks.placements import sample_placements
from engine import Engine
from engine.caseload import Caseload
from engine.caseload.tables import CheckRow, DeadlineRow, PlacementRow
from engine.model import Arrangement, Placement
from engine.rulesets.registry import load_rulebase

WARM = 2_000  # placements checked first: they compile nearly every network the sample uses


class _Timed:
    """The engine, with the CPU time its checks take counted."""

    def __init__(self, engine: Engine):
        self.engine, self.cpu = engine, 0.0

    def check(self, placement: Placement) -> Arrangement:
        t0 = time.process_time()
        try:
            return self.engine.check(placement)
        finally:
            self.cpu += time.process_time() - t0


@contextmanager
def _compares_timed() -> Iterator[list[float]]:
    """The CPU time of the caseload's compare(), counted while the block runs."""
    spent = [0.0]
    original = store.compare

    def timed(*args: Any) -> Any:
        t0 = time.process_time()
        try:
            return original(*args)
        finally:
            spent[0] += time.process_time() - t0

    store.compare = timed
    try:
        yield spent
    finally:
        store.compare = original


def _step(checker: _Timed, n: int, run: Callable[[], Any]) -> tuple[Any, dict[str, Any]]:
    checker.cpu = 0.0
    with _compares_timed() as compared:
        t0, c0 = time.perf_counter(), time.process_time()
        result = run()
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return result, {
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "per_wall_s": round(n / wall),
        "per_cpu_s": round(n / cpu),
        "checks_cpu_s": round(checker.cpu, 2),
        "compare_cpu_s": round(compared[0], 2),
        "rest_cpu_s": round(cpu - checker.cpu - compared[0], 2),  # database, JSON, summaries
    }


def _run(engine: Engine, url: str, placements: list[dict[str, Any]]) -> dict[str, Any]:
    checker = _Timed(engine)
    caseload = Caseload(checker, url)
    n = len(placements)
    refs = [f"b{i:06d}" for i in range(n)]
    try:
        _, added = _step(checker, n, lambda: caseload.add_many(zip(refs, placements, strict=True)))
        # unchanged rules: reads, checks, finds the same hash, confirms
        same, unchanged = _step(checker, n, caseload.recheck)
        # every answer re-dated: compared in full; about half of them change and are written
        moved, redated = _step(checker, n, lambda: caseload.recheck(date(2026, 7, 1)))
        if url.startswith("postgresql"):  # leave a PostgreSQL database as it was found
            _remove(caseload, refs)
    finally:
        caseload.close()
    return {
        "placements": n,
        "add_many": added,
        "recheck_unchanged": {**unchanged, "changed": len(same.changed)},
        "recheck_moved_date": {**redated, "changed": len(moved.changed)},
    }


def _remove(caseload: Caseload, refs: list[str]) -> None:
    with caseload.db.begin() as conn:
        for i in range(0, len(refs), 500):
            ids = select(PlacementRow.id).where(PlacementRow.ref.in_(refs[i : i + 500]))
            conn.execute(delete(DeadlineRow).where(DeadlineRow.placement_id.in_(ids)))
            conn.execute(delete(CheckRow).where(CheckRow.placement_id.in_(ids)))
            conn.execute(delete(PlacementRow).where(PlacementRow.ref.in_(refs[i : i + 500])))


def measure_caseload(rules: Path, n: int) -> dict[str, Any]:
    engine = Engine(load_rulebase(rules))
    placements = sample_placements(engine, n, seed=16)
    for p in placements[:WARM]:  # warm the compiled networks: the figures are the caseload's own
        engine.check(p)
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        figures["caseload_sqlite"] = _run(engine, f"sqlite:///{tmp}/bench.db", placements)
    pg = os.environ.get("ARRANGEUR_BENCH_POSTGRES_URL")
    if pg:
        figures["caseload_postgresql"] = _run(engine, pg, placements)
    return figures
