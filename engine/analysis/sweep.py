"""Run profiles through the public `check` once per gemeente, on one core, all cores or Dask.

Each check is reduced to an outcome per instrument (status, who provides it, its terms and
amounts), so the results are small, picklable and comparable between gemeenten. The work is cut
into chunks that are evaluated independently and put back in profile order: the result is the
same whichever executor ran it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from multiprocessing import get_context
from typing import Any

from engine.analysis.profiles import Profile, placement_for
from engine.arrangement import Engine
from engine.model import Arrangement
from engine.rulesets.bundle import RulesBundle, bundle_of, load_bundle

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
    vestigingsgemeente: str  # the employer stays put: only where the candidate lives varies
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
                        placement_for(profile, woon, spec.vestigingsgemeente, spec.peildatum)
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


# One engine per worker process and rule bundle: compile once, check many.
_WORKER_ENGINES: dict[str, Engine] = {}


def _bundle_engine(bundle: RulesBundle, digest: str) -> Engine:
    """The worker's engine for these rules; the bundle is checked against the hash the parent
    sent and unpacked into a private folder (never a shared one)."""
    engine = _WORKER_ENGINES.get(digest)
    if engine is None:
        engine = _WORKER_ENGINES[digest] = Engine(load_bundle(bundle, digest))
    return engine


def _chunk(
    bundle: RulesBundle, digest: str, spec: SweepSpec, chunk: Sequence[Profile]
) -> list[ProfileRow]:
    return run_profiles(_bundle_engine(bundle, digest), spec, list(chunk))


def _local(engine, spec, profiles, workers, progress, total) -> list[ProfileRow]:
    bundle = bundle_of(engine.rulebase)
    # spawn, not fork: a forked durable_rules host would share the parent's native state
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        futures = {
            pool.submit(_chunk, bundle, bundle.digest, spec, chunk): i
            for i, chunk in enumerate(_chunks(profiles, workers * 8))
        }
        finished = ((futures[f], f.result()) for f in as_completed(futures))
        return _gather(finished, progress, total, len(spec.gemeenten))


# ------------------------------------------------------------------------------------ Dask


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
        bundle = bundle_of(engine.rulebase)
        digest = bundle.digest
        bundle = client.scatter(bundle, broadcast=True)
        workers = max(1, sum(client.nthreads().values()))
        futures = {
            client.submit(_chunk, bundle, digest, spec, list(chunk), pure=False): i
            for i, chunk in enumerate(_chunks(profiles, workers * 8))
        }
        finished = ((futures[f], f.result()) for f in dask_completed(list(futures)))
        return _gather(finished, progress, total, len(spec.gemeenten))
