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
from engine.arrangement import Engine, parse_placement
from engine.expressions import Node, names
from engine.heap import batch_heap
from engine.model import Arrangement, Placement
from engine.rulesets.bundle import RulesBundle, bundle_of, load_bundle
from engine.rulesets.loader import RuleSet

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
    """The core loop: every profile in every gemeente, through the public `check`.

    Without explanations (`explain=False`: the same statuses, authorities, terms and amounts,
    which is all an `Outcome` holds), and each profile validated once: only the gemeenten differ
    between its placements. Equal outcome dicts are shared (`Interner`), so a chunk's rows pickle
    small and the analysis can key on identity."""
    rows: list[ProfileRow] = []
    intern = Interner()
    first = spec.gemeenten[0] if spec.gemeenten else None
    for profile in profiles:
        if first is None:
            rows.append(())
            continue
        vest = spec.vestigingsgemeente
        base = parse_placement(placement_for(profile, first, vest or first, spec.peildatum))
        rows.append(
            tuple(
                intern(outcomes(engine.check(_moved(base, woon, vest or woon), explain=False)))
                for woon in spec.gemeenten
            )
        )
    return rows


def _moved(placement: Placement, woon: str, vest: str) -> Placement:
    """The same validated placement with other gemeenten: a gemeente is a plain text field (a
    CBS code here, already within its length), so validating again would give the same model."""
    candidate, employer = placement.candidate, placement.employer
    if candidate.woongemeente == woon and employer.vestigingsgemeente == vest:
        return placement
    update: dict[str, Any] = {}
    if candidate.woongemeente != woon:
        update["candidate"] = candidate.model_copy(update={"woongemeente": woon})
    if employer.vestigingsgemeente != vest:
        update["employer"] = employer.model_copy(update={"vestigingsgemeente": vest})
    return placement.model_copy(update=update)


class Interner:
    """One shared object per distinct outcome dict: a sweep's 50,000 dicts hold a few thousand
    distinct ones. Nothing changes the dicts after a sweep, so sharing them is safe."""

    def __init__(self) -> None:
        self._seen: dict[tuple[tuple[str, Outcome], ...], dict[str, Outcome]] = {}

    def __call__(self, found: dict[str, Outcome]) -> dict[str, Outcome]:
        return self._seen.setdefault(tuple(found.items()), found)


def intern_rows(rows: Sequence[ProfileRow]) -> list[ProfileRow]:
    """Rows whose equal outcome dicts are one object (rows gathered from several processes,
    each chunk already shared within itself: looked up by identity first)."""
    intern = Interner()
    by_id: dict[int, dict[str, Outcome]] = {}
    out = []
    for row in rows:
        shared = []
        for d in row:
            found = by_id.get(id(d))
            if found is None:
                found = by_id[id(d)] = intern(d)
            shared.append(found)
        out.append(tuple(shared))
    return out


# ------------------------------------------------------------------ gemeenten that share


GEMEENTE_FACTS = frozenset({"candidate.woongemeente", "employer.vestigingsgemeente"})
_READS_GEMEENTE: dict[tuple[str, str, str], bool] = {}


def reads_gemeente(rs: RuleSet) -> bool:
    """Whether any expression of the rule set (conditions, derived facts, terms, amounts)
    reads the candidate's or the employer's gemeente (once per rule-set version)."""
    key = (rs.id, rs.version, rs.content_hash)
    found = _READS_GEMEENTE.get(key)
    if found is None:
        nodes: list[Node] = [r.when for r in rs.rules]
        nodes += [n for d in rs.derived for n in (d.value, d.when) if n is not None]
        nodes += [a.eur for r in rs.rules for a in r.amounts]
        nodes += [v for r in rs.rules for v in r.params.values() if isinstance(v, Node)]
        found = _READS_GEMEENTE[key] = any(not GEMEENTE_FACTS.isdisjoint(names(n)) for n in nodes)
    return found


def probe(woon: str, vest: str, when: date) -> Placement:
    """A placement in these gemeenten on this date: enough for `Engine.scope`."""
    return parse_placement(
        {
            "peildatum": when.isoformat(),
            "candidate": {
                "woongemeente": woon,
                "geboortedatum": f"{when.year - 40}-01-01",  # 39 or 40: any plausible age
                "uitkering": "geen",
            },
            "employer": {"vestigingsgemeente": vest},
            "job": {"startdatum": when.isoformat(), "uren_per_week": 32},
        }
    )


def share_key(engine: Engine, woon: str, spec: SweepSpec) -> tuple[Any, ...]:
    """Woongemeenten with equal keys give equal outcomes for every profile: the same rule sets
    (by content) in the same roles, the woongemeente's own role written as "woon" (an outcome
    names it as "gemeente"). A gemeente is keyed on its code, so shares with none, when a rule
    set in its scope reads a gemeente, or when it is the employer's gemeente (its rules then
    count as the woongemeente's)."""
    vest = spec.vestigingsgemeente or woon
    scope = engine.scope(probe(woon, vest, spec.peildatum))
    if (spec.vestigingsgemeente is not None and woon == vest) or any(
        reads_gemeente(rs) for rs in scope.rulesets
    ):
        return (woon,)
    own = scope.woon_authority
    roles = sorted(("woon" if a == own else a, role) for a, role in scope.roles.items())
    return ("", tuple(sorted(rs.content_hash for rs in scope.rulesets)), tuple(roles))


def sweep_shared(
    engine: Engine,
    spec: SweepSpec,
    profiles: Sequence[Profile],
    executor: str = "local",
    workers: int | None = None,
    progress: Progress | None = None,
) -> list[ProfileRow]:
    """`sweep`, with the woongemeenten of one `share_key` checked once: the same rows (the
    outcome dicts of sharing gemeenten are one object), progress counted as if each was
    checked."""
    groups: dict[tuple[Any, ...], list[str]] = {}
    for code in spec.gemeenten:
        groups.setdefault(share_key(engine, code, spec), []).append(code)
    if len(groups) == len(spec.gemeenten):
        return sweep(engine, spec, profiles, executor, workers, progress)
    shared = [codes[0] for codes in groups.values()]
    where = {code: k for k, codes in enumerate(groups.values()) for code in codes}
    every, some = len(spec.gemeenten), len(shared)

    def scaled(done: int, total: int) -> None:
        assert progress is not None
        progress(done // some * every, total // some * every)

    rows = sweep(
        engine,
        SweepSpec(tuple(shared), spec.vestigingsgemeente, spec.peildatum),
        profiles,
        executor,
        workers,
        scaled if progress else None,
    )
    return [tuple(row[where[code]] for code in spec.gemeenten) for row in rows]


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
        with batch_heap():
            return _serial(engine, spec, profiles, progress, total)
    if executor == "local":
        with batch_heap():
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
    return intern_rows(rows)


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
    return intern_rows([row for i in sorted(parts) for row in parts[i]])


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


CHUNKS_PER_CORE = 32  # small: the last chunks decide how long a core waits for the other


def _local(engine, spec, profiles, workers, progress, total) -> list[ProfileRow]:
    """`workers` cores: this process (its networks are compiled already) and `workers - 1`
    spawned ones, started once per sweep, each loading the rules bundle once. Spawn, not fork:
    a forked durable_rules host would share the parent's native state. Every chunk is queued
    for the workers at once, in order; this process takes chunks from the back for as long as
    no worker has started them (a queued future can still be cancelled), so the workers never
    wait for this process to hand out work and this process never waits while work remains."""
    chunks = _chunks(profiles, workers * CHUNKS_PER_CORE)
    if len(chunks) <= 1:
        return _serial(engine, spec, profiles, progress, total)
    bundle = bundle_of(engine.rulebase)
    per = len(spec.gemeenten)
    parts: dict[int, list[ProfileRow]] = {}
    done = 0

    def finished(index: int, rows: list[ProfileRow]) -> None:
        nonlocal done
        parts[index] = rows
        done += len(rows) * per
        if progress:
            progress(done, total)

    with ProcessPoolExecutor(workers - 1, mp_context=get_context("spawn")) as pool:
        queued = [pool.submit(_chunk, bundle, bundle.digest, spec, chunk) for chunk in chunks]
        try:
            for index in range(len(chunks) - 1, -1, -1):
                if not queued[index].cancel():  # a worker has it, and all before it
                    break
                finished(index, run_profiles(engine, spec, chunks[index]))
            ours = set(parts)
            running = {f: i for i, f in enumerate(queued) if i not in ours}
            for future in as_completed(running):
                finished(running[future], future.result())
        except BaseException:
            for future in queued:  # a cancelled job or a failure: no worker starts more
                future.cancel()
            raise
    return intern_rows([row for i in sorted(parts) for row in parts[i]])


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
    try:
        client = Client(target, timeout="10s")
    except OSError:  # refused or timed out: the address is the caller's input
        raise ValueError(f"de Dask-scheduler op {target} is niet bereikbaar") from None
    with client:
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
