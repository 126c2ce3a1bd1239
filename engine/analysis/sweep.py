"""Run profiles through the public `check` once per gemeente, on one core, all cores or Dask.

Each check is reduced to an outcome per instrument (status, who provides it, its terms and
amounts), so the results are small, picklable and comparable between gemeenten. The work is cut
into chunks that are evaluated independently and put back in profile order: the result is the
same whichever executor ran it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from engine.analysis.profiles import Profile, placement_for
from engine.arrangement import Engine
from engine.model import Arrangement
from engine.rulesets.registry import load_rulebase

Progress = Callable[[int, int], None]  # (checks done, checks in all)


@dataclass(frozen=True)
class Outcome:
    """What one gemeente's residents get for one instrument, comparable across gemeenten."""

    status: str
    provider: str  # "gemeente" (the woongemeente itself), "regio:<id>", "uwv", "rijk" or "-"
    params: tuple[tuple[str, Any], ...]
    amounts: tuple[tuple[str, float], ...]
    local_exception: bool  # the woongemeente's own rule set a regional standard aside

    def yearly_eur(self) -> float:
        """Indicative yearly amount: a month's amount × 12 plus yearly amounts."""
        if self.status != "eligible":
            return 0.0
        return sum(eur * 12 if len(period) == 7 else eur for period, eur in self.amounts)


_REFUSED = Outcome("not_eligible", "-", (), (), False)

# One row per profile: per gemeente (in the order asked), per instrument, the outcome.
ProfileRow = tuple[dict[str, Outcome], ...]


@dataclass(frozen=True)
class SweepSpec:
    gemeenten: tuple[str, ...]  # CBS codes, the woongemeenten to compare
    # the employer stays put (only where the candidate lives varies); None: the employer is in
    # the candidate's own gemeente (a landelijk opererende werkgever, national sweep)
    vestigingsgemeente: str | None
    peildatum: date


def outcomes(arrangement: Arrangement) -> dict[str, Outcome]:
    woon = f"gemeente:{arrangement.woongemeente.code}"
    exceptions = {c.instrument for c in arrangement.conflicts if c.type == "local_exception"}
    out = {}
    for e in arrangement.instruments:
        if e.status == "not_eligible":  # who refuses, and with which terms, makes no difference
            out[e.instrument] = _REFUSED
            continue
        provider = e.authority or "-"
        out[e.instrument] = Outcome(
            status=e.status,
            provider="gemeente" if provider == woon else provider,
            params=tuple(sorted((k, _plain(v)) for k, v in e.params.items())),
            amounts=tuple((a.period, a.eur) for a in e.amounts),
            local_exception=e.instrument in exceptions,
        )
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list):
        return tuple(value)
    return value


def run_profiles(engine: Engine, spec: SweepSpec, profiles: Sequence[Profile]) -> list[ProfileRow]:
    """The core loop: every profile in every gemeente, through the public `check`."""
    rows = []
    for profile in profiles:
        rows.append(
            tuple(
                outcomes(
                    engine.check(
                        placement_for(
                            profile, woon, spec.vestigingsgemeente or woon, spec.peildatum
                        )
                    )
                )
                for woon in spec.gemeenten
            )
        )
    return rows


# ------------------------------------------------------------------------------ executors


def sweep(
    engine: Engine,
    spec: SweepSpec,
    profiles: Sequence[Profile],
    executor: str = "local",
    workers: int | None = None,
    progress: Progress | None = None,
) -> list[ProfileRow]:
    """Evaluate all profiles; `executor` is `serial`, `local` (all cores) or `dask://HOST:PORT`."""
    total = len(profiles) * len(spec.gemeenten)
    if executor == "serial" or (executor == "local" and (workers or os.cpu_count() or 1) <= 1):
        return _serial(engine, spec, profiles, progress, total)
    if executor == "local":
        return _local(engine, spec, profiles, workers or os.cpu_count() or 1, progress, total)
    if executor.startswith(("dask://", "tcp://")):
        return _dask(engine, spec, profiles, executor, progress, total)
    raise ValueError(f"onbekende executor {executor!r}: kies serial, local of dask://HOST:PORT")


def _chunks(profiles: Sequence[Profile], parts: int) -> list[Sequence[Profile]]:
    size = max(25, -(-len(profiles) // max(1, parts)))
    return [profiles[i : i + size] for i in range(0, len(profiles), size)]


def _serial(engine, spec, profiles, progress, total) -> list[ProfileRow]:
    rows: list[ProfileRow] = []
    for chunk in _chunks(profiles, max(1, len(profiles) // 100)):
        rows.extend(run_profiles(engine, spec, chunk))
        if progress:
            progress(len(rows) * len(spec.gemeenten), total)
    return rows


def _gather(
    finished: Iterator[tuple[int, list[ProfileRow]]],
    progress: Progress | None,
    total: int,
    per: int,
) -> list[ProfileRow]:
    """Chunks arrive in any order; they are put back in profile order."""
    parts: dict[int, list[ProfileRow]] = {}
    done = 0
    for index, rows in finished:
        parts[index] = rows
        done += len(rows) * per
        if progress:
            progress(done, total)
    return [row for i in sorted(parts) for row in parts[i]]


# One engine per worker process, keyed by where its rules came from: compile once, check many.
_WORKER_ENGINES: dict[str, Engine] = {}


def _worker_engine(rules_root: str) -> Engine:
    engine = _WORKER_ENGINES.get(rules_root)
    if engine is None:
        engine = _WORKER_ENGINES[rules_root] = Engine(load_rulebase(Path(rules_root)))
    return engine


def _local_chunk(rules_root: str, spec: SweepSpec, chunk: Sequence[Profile]) -> list[ProfileRow]:
    return run_profiles(_worker_engine(rules_root), spec, chunk)


def _local(engine, spec, profiles, workers, progress, total) -> list[ProfileRow]:
    root = str(engine.rulebase.root)
    # spawn, not fork: a forked durable_rules host would share the parent's native state
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        futures = {
            pool.submit(_local_chunk, root, spec, chunk): i
            for i, chunk in enumerate(_chunks(profiles, workers * 8))
        }
        finished = ((futures[f], f.result()) for f in as_completed(futures))
        return _gather(finished, progress, total, len(spec.gemeenten))


# ------------------------------------------------------------------------------------ Dask


def rules_bundle(root: Path) -> dict[str, str]:
    """Every rules file as text, so workers on other machines need only the package, not a copy
    of the rules on disk."""
    return {
        str(p.relative_to(root)): p.read_text(encoding="utf-8")
        for p in sorted(root.rglob("*.yaml"))
    }


def _bundle_engine(bundle: dict[str, str]) -> Engine:
    digest = hashlib.sha256(repr(sorted(bundle.items())).encode()).hexdigest()[:16]
    key = f"bundle:{digest}"
    engine = _WORKER_ENGINES.get(key)
    if engine is None:
        folder = Path(tempfile.gettempdir()) / f"arrangeur-rules-{digest}"
        if not folder.exists():  # one copy per machine and rule version, shared by its workers
            staging = Path(tempfile.mkdtemp(prefix=f"arrangeur-rules-{digest}-"))
            for rel, text in bundle.items():
                target = staging / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
            try:
                staging.rename(folder)  # atomic: a worker never reads a half-written copy
            except OSError:  # another worker was first
                shutil.rmtree(staging, ignore_errors=True)
        engine = _WORKER_ENGINES[key] = Engine(load_rulebase(folder))
    return engine


def _dask_chunk(bundle: dict[str, str], spec: SweepSpec, chunk: list[Profile]) -> list[ProfileRow]:
    return run_profiles(_bundle_engine(bundle), spec, chunk)


def _dask(engine, spec, profiles, address, progress, total) -> list[ProfileRow]:
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise RuntimeError(
            "de Dask-executor vraagt het pakket 'distributed' (pip install 'arrangeur[dask]')"
        ) from exc
    target = "tcp://" + address.split("://", 1)[1]
    with Client(target) as client:
        bundle = client.scatter(rules_bundle(engine.rulebase.root), broadcast=True)
        workers = max(1, sum(client.nthreads().values()))
        futures = {
            client.submit(_dask_chunk, bundle, spec, list(chunk), pure=False): i
            for i, chunk in enumerate(_chunks(profiles, workers * 8))
        }
        finished = ((futures[f], f.result()) for f in dask_completed(list(futures)))
        return _gather(finished, progress, total, len(spec.gemeenten))
