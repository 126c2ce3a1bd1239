"""The caseload: placements kept in a database, checked on add, re-checked on demand.

Every write is one transaction: an add stores the placement, its answer and its deadlines
together or not at all; a re-check of the whole caseload is saved whole or not at all (a check
that fails leaves every stored answer as it was). Nothing about a placement is logged.
"""

from __future__ import annotations

import builtins
import copy
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol, TypeVar

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from engine.arrangement import parse_placement
from engine.caseload.answer import Answer, Rulesets, answer_hash, summarize
from engine.caseload.changes import PlacementChange, Snapshot, compare
from engine.caseload.deadlines import derive
from engine.caseload.errors import DuplicateRef, InvalidInput, RecheckFailed, UnknownRef
from engine.caseload.report import RecheckReport, RulesetUse
from engine.caseload.tables import REF_MAX, CheckRow, DeadlineRow, PlacementRow
from engine.errors import EvaluationError, PlacementError
from engine.heap import batch_heap
from engine.model import Arrangement, Placement
from engine.storage.database import connect, describe
from engine.storage.migrate import upgrade

REF_PATTERN = re.compile(rf"^[A-Za-z0-9][A-Za-z0-9._-]{{0,{REF_MAX - 1}}}$")
CHUNK = 500  # ids per IN (...) list, rows per multi-row insert
BATCH = 500  # placements a re-check reads, checks, compares and writes at a time
T = TypeVar("T")


class Checker(Protocol):
    def check(self, placement: Placement) -> Arrangement: ...


@dataclass(frozen=True)
class Stored:
    """All the caseload holds about one placement (also its export)."""

    ref: str
    facts: dict[str, Any]
    added_at: datetime
    peildatum: date
    checked_at: datetime
    confirmed_at: datetime
    answer: Answer
    rulesets: Rulesets
    deadlines: list[dict[str, Any]]
    checks: int  # answers kept: the current one and earlier ones that differed

    def as_dict(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "facts": self.facts,
            "added_at": self.added_at.isoformat(),
            "peildatum": self.peildatum.isoformat(),
            "checked_at": self.checked_at.isoformat(),
            "confirmed_at": self.confirmed_at.isoformat(),
            "answer": self.answer,
            "rulesets": self.rulesets,
            "deadlines": self.deadlines,
            "checks": self.checks,
        }


def minimal_facts(placement: Placement) -> dict[str, Any]:
    """The facts the rules read, nothing more: the employer's name is not kept."""
    facts = placement.model_dump(mode="json", exclude_none=True)
    facts["employer"].pop("naam", None)
    return facts


def check_ref(ref: str) -> str:
    if not REF_PATTERN.match(ref or ""):
        raise InvalidInput(
            f"ongeldige referentie {ref!r}: 1 tot {REF_MAX} tekens, letters, cijfers, . _ of - "
            "(gebruik een eigen kenmerk, geen naam of BSN)",
            "ref",
        )
    return ref


LOCAL = "lokaal"  # the CLI's organisation: local and trusted, no login


class Caseload:
    """One organisation's view of the caseload: every read and write is scoped to
    `organisation`; another organisation's entry is unknown here (404 in the faces)."""

    def __init__(
        self,
        checker: Checker,
        url: str | None = None,
        migrate: bool = True,
        organisation: str = LOCAL,
    ):
        self.checker = checker
        self.organisation = organisation
        self.db = connect(url)
        if migrate:
            upgrade(self.db)
        self._sessions = sessionmaker(self.db, expire_on_commit=False)

    def for_organisation(self, organisation: str) -> Caseload:
        """The same database and checker, scoped to another organisation (no new connection)."""
        other = copy.copy(self)
        other.organisation = organisation
        return other

    def _mine(self) -> Any:
        return PlacementRow.organisation == self.organisation

    @property
    def location(self) -> str:
        return describe(self.db)

    def close(self) -> None:
        self.db.dispose()

    # ------------------------------------------------------------------ writes
    def add(self, data: Mapping[str, Any], ref: str) -> Stored:
        self.add_many([(ref, data)])
        return self.get(ref)

    def add_many(self, items: Iterable[tuple[str, Mapping[str, Any]]]) -> int:
        """Add placements in one transaction: all of them, or (on the first error) none."""
        items = builtins.list(items)
        with batch_heap():  # a bulk import: thousands of checks (engine/heap.py)
            return self._add_many(items)

    def _add_many(self, items: builtins.list[tuple[str, Mapping[str, Any]]]) -> int:
        known = self._known_of([ref for ref, _ in items])  # one query per CHUNK refs
        prepared: builtins.list[_Prepared] = []
        seen: set[str] = set()
        for ref, data in items:
            check_ref(ref)
            if ref in seen or ref in known:  # before the check: a duplicate costs nothing
                raise DuplicateRef(ref)
            seen.add(ref)
            facts = minimal_facts(_parse(data))
            answer, rulesets = self._check(facts, None)
            deadlines = [d.as_dict() for d in derive(answer, facts)]
            prepared.append(_Prepared(ref, facts, answer, rulesets, deadlines))
        now = datetime.now(UTC)
        try:
            with self._sessions() as s, s.begin():
                for part in _chunks(prepared):
                    self._insert(s, part, now)
        except IntegrityError:  # the same ref added at the same moment elsewhere
            raise DuplicateRef(", ".join(p.ref for p in prepared)) from None
        return len(prepared)

    def _insert(self, s: Session, part: builtins.list[_Prepared], now: datetime) -> None:
        """Placements, their answers and deadlines as three multi-row inserts."""
        placements = [
            {"ref": p.ref, "facts": p.facts, "added_at": now, "organisation": self.organisation}
            for p in part
        ]
        ids = s.scalars(
            insert(PlacementRow).returning(PlacementRow.id, sort_by_parameter_order=True),
            placements,
        ).all()
        s.execute(
            insert(CheckRow),
            [
                _check_values(pid, p.answer, p.rulesets, p.deadlines, now)
                for pid, p in zip(ids, part, strict=True)
            ],
        )
        _insert_deadlines(
            s, [(pid, d) for pid, p in zip(ids, part, strict=True) for d in p.deadlines]
        )

    def remove(self, ref: str) -> None:
        with self._sessions() as s, s.begin():
            pid = s.scalar(select(PlacementRow.id).where(PlacementRow.ref == ref, self._mine()))
            if pid is None:
                raise UnknownRef(ref)
            # explicit, not only ON DELETE CASCADE: nothing of the placement may stay behind
            s.execute(delete(DeadlineRow).where(DeadlineRow.placement_id == pid))
            s.execute(delete(CheckRow).where(CheckRow.placement_id == pid))
            s.execute(delete(PlacementRow).where(PlacementRow.id == pid))

    def recheck(self, when: date | None = None, dry_run: bool = False) -> RecheckReport:
        """Check every placement again (on `when`, else on its stored answer's peildatum). An
        answer that did not change is kept with its own peildatum (only the rule-set versions
        that gave it again are noted); one that changed is stored on the re-check's date.

        In batches of BATCH placements, in ref order: read, check, compare, write. A new answer
        whose hash is the stored one is the same answer: nothing more is read or compared for
        it. The whole re-check is still one transaction (saved whole or not at all)."""
        now = datetime.now(UTC)
        run = _Run(when)
        # thousands of checks: what exists before them is left out of full collections
        with batch_heap(), self._sessions() as s, s.begin():
            # PostgreSQL: a second re-check at the same time waits instead of interleaving
            s.execute(select(PlacementRow.id).where(self._mine()).with_for_update())
            for rows in self._batches(s):
                batch = self._recheck_batch(s, rows, run)
                if not dry_run:
                    batch.write(s, now)
            if dry_run:
                s.rollback()
        return RecheckReport(when, not dry_run, run.changes, builtins.list(run.uses.values()))

    def _batches(self, s: Session) -> Iterator[Sequence[Any]]:
        """The current answers' keys, BATCH placements at a time (keyset on ref: each batch is
        a query of its own, so nothing stays open while a batch is written)."""
        query = (
            select(
                PlacementRow.id, PlacementRow.ref, PlacementRow.facts, CheckRow.id,
                CheckRow.peildatum, CheckRow.answer_hash,
            )
            .join(CheckRow, (CheckRow.placement_id == PlacementRow.id) & CheckRow.current)
            .where(self._mine())
            .order_by(PlacementRow.ref)
            .limit(BATCH)
        )  # fmt: skip
        rows = s.execute(query).all()
        while rows:
            yield rows
            rows = s.execute(query.where(PlacementRow.ref > rows[-1][1])).all()

    def _recheck_batch(self, s: Session, rows: Sequence[Any], run: _Run) -> _Batch:
        batch = _Batch()
        fresh: builtins.list[tuple[_Current, _Fresh]] = []
        for pid, ref, facts, cid, peil, stored_hash in rows:
            answer, rulesets = self._check(facts, run.when or peil, ref)
            deadlines = [d.as_dict() for d in derive(answer, facts)]
            new = _Fresh(answer, rulesets, deadlines, answer_hash(answer, rulesets, deadlines))
            fresh.append((_Current(pid, ref, cid, peil, stored_hash), new))
        # only the answers whose hash differs (or was never stored) are read and compared
        differ = [cur for cur, new in fresh if cur.stored_hash != new.hash]
        old = _old_snapshots(s, differ)
        for cur, new in fresh:
            if cur.stored_hash == new.hash:
                run.changes.append(PlacementChange(cur.ref, cur.peildatum, cur.peildatum))
                batch.confirmed.append(cur.cid)
                continue
            before = old[cur.cid]
            change = compare(cur.ref, before, Snapshot(new.answer, new.rulesets, new.deadlines))
            run.note(change)
            if change.changed:
                batch.superseded.append(cur.cid)
                batch.new_checks.append((cur.pid, new))
            elif cur.stored_hash is not None and new.rulesets == before.rulesets:
                batch.confirmed.append(cur.cid)  # e.g. the same answer on another peildatum
            else:  # kept with its own peildatum, not the re-check's date; the rule-set
                # versions that gave it again are noted, its hash filled in
                stored = answer_hash(before.answer, new.rulesets, before.deadlines)
                kept = {"id": cur.cid, "rulesets": new.rulesets, "answer_hash": stored}
                batch.kept.append(kept)
        return batch

    # ------------------------------------------------------------------- reads
    def get(self, ref: str) -> Stored:
        found = self._stored(PlacementRow.ref == ref)
        if not found:
            raise UnknownRef(ref)
        return found[0]

    # from here on `list` in this class body is the method below: annotations say builtins.list
    def list(self) -> list[Stored]:
        return self._stored(None)

    def _stored(self, where: Any) -> builtins.list[Stored]:
        """Placements with their current answer, deadlines and number of answers kept: a few
        queries for the whole caseload, not a few per placement."""
        query = (
            select(PlacementRow, CheckRow)
            .join(CheckRow, (CheckRow.placement_id == PlacementRow.id) & CheckRow.current)
            .where(self._mine())
            .order_by(PlacementRow.ref)
        )
        counts = (
            select(CheckRow.placement_id, func.count())
            .join(PlacementRow, PlacementRow.id == CheckRow.placement_id)
            .where(self._mine())
            .group_by(CheckRow.placement_id)
        )
        with self._sessions() as s:
            rows = s.execute(query if where is None else query.where(where)).all()
            if len(rows) == 1:
                pid = rows[0][0].id
                deadlines = _deadlines_by_placement(s, pid)
                checks = dict(s.execute(counts.where(CheckRow.placement_id == pid)).all())
            else:
                deadlines = _deadlines_by_placement(s, organisation=self.organisation)
                checks = dict(s.execute(counts).all())
        return [
            Stored(
                p.ref,
                p.facts,
                p.added_at,
                c.peildatum,
                c.checked_at,
                c.confirmed_at,
                c.answer,
                c.rulesets,
                deadlines.get(p.id, []),
                checks.get(p.id, 0),
            )  # fmt: skip
            for p, c in rows
        ]

    def _known_of(self, refs: builtins.list[str]) -> set[str]:
        """Which of these refs are taken, over every organisation: a reference is unique in
        the database (migration 0003)."""
        known: set[str] = set()
        with self._sessions() as s:
            for part in _chunks(sorted(set(refs))):
                known.update(s.scalars(select(PlacementRow.ref).where(PlacementRow.ref.in_(part))))
        return known

    def refs(self) -> builtins.list[str]:
        with self._sessions() as s:
            query = select(PlacementRow.ref).where(self._mine()).order_by(PlacementRow.ref)
            return list(s.scalars(query).all())

    def deadlines(
        self, within: int | None = None, today: date | None = None, ref: str | None = None
    ) -> builtins.list[dict[str, Any]]:
        """Deadlines by date, with the placement's ref; `within` days from `today` if given."""
        query = (
            select(PlacementRow.ref, DeadlineRow)
            .join(PlacementRow, PlacementRow.id == DeadlineRow.placement_id)
            .where(self._mine())
        )
        if within is not None:
            start = today or date.today()
            query = query.where(
                DeadlineRow.due >= start, DeadlineRow.due <= start + timedelta(within)
            )
        if ref is not None:
            self.get(ref)  # unknown ref: an error, not an empty list
            query = query.where(PlacementRow.ref == ref)
        query = query.order_by(DeadlineRow.due, PlacementRow.ref, DeadlineRow.kind)
        with self._sessions() as s:
            return [{"ref": r, **_deadline_dict(d)} for r, d in s.execute(query).all()]

    # ---------------------------------------------------------------- checking
    def _check(
        self, facts: Mapping[str, Any], when: date | None, ref: str | None = None
    ) -> tuple[Answer, Rulesets]:
        data = dict(facts)
        if when is not None:
            data["peildatum"] = when.isoformat()
        try:
            return summarize(self.checker.check(parse_placement(data)))
        except PlacementError as exc:
            if ref is not None:  # stored facts the current rules no longer accept
                raise RecheckFailed(ref, f"{exc.field}: {exc.message}", bad_input=True) from None
            raise InvalidInput(
                f"ongeldige plaatsing: {exc.field}: {exc.message}", exc.field
            ) from None
        except EvaluationError as exc:
            if ref is not None:
                raise RecheckFailed(ref, f"fout in de regels: {exc}") from None
            raise InvalidInput(f"fout in de regels bij deze plaatsing: {exc}") from None


def _parse(data: Mapping[str, Any]) -> Placement:
    try:
        return parse_placement(data)
    except PlacementError as exc:
        raise InvalidInput(f"ongeldige plaatsing: {exc.field}: {exc.message}", exc.field) from None


def _check_values(
    pid: int,
    answer: Answer,
    rulesets: Rulesets,
    deadlines: list[dict[str, Any]],
    now: datetime,
    digest: str | None = None,
) -> dict[str, Any]:
    """A new current answer as the values of one row of caseload_checks."""
    return {
        "placement_id": pid,
        "current": True,
        "peildatum": date.fromisoformat(answer["peildatum"]),
        "checked_at": now,
        "confirmed_at": now,
        "answer": answer,
        "rulesets": rulesets,
        "answer_hash": digest or answer_hash(answer, rulesets, deadlines),
    }


def _insert_deadlines(s: Session, rows: Iterable[tuple[int, dict[str, Any]]]) -> None:
    values = [{**d, "placement_id": pid, "due": date.fromisoformat(d["due"])} for pid, d in rows]
    if values:
        s.execute(insert(DeadlineRow), values)


_DEADLINE_COLUMNS = (
    DeadlineRow.kind,
    DeadlineRow.instrument,
    DeadlineRow.due,
    DeadlineRow.label,
    DeadlineRow.rule,
    DeadlineRow.source,
    DeadlineRow.source_url,
)


def _deadline_dict(d: Any) -> dict[str, Any]:
    """A deadline row (or a row of _DEADLINE_COLUMNS) as the caseload shows it."""
    return {
        "kind": d.kind,
        "instrument": d.instrument,
        "due": d.due.isoformat(),
        "label": d.label,
        "rule": d.rule,
        "source": d.source,
        "source_url": d.source_url,
    }


def _deadlines_by_placement(
    s: Session,
    pid: int | None = None,
    organisation: str | None = None,
    pids: Sequence[int] | None = None,
) -> dict[int, list[dict]]:
    """Deadlines per placement: of one (`pid`), of some (`pids`) or of an organisation's."""
    query = select(DeadlineRow.placement_id, *_DEADLINE_COLUMNS).order_by(
        DeadlineRow.placement_id, DeadlineRow.due, DeadlineRow.kind
    )
    if pid is not None:
        query = query.where(DeadlineRow.placement_id == pid)
    if pids is not None:
        query = query.where(DeadlineRow.placement_id.in_(pids))
    if organisation is not None:
        query = query.join(PlacementRow, PlacementRow.id == DeadlineRow.placement_id).where(
            PlacementRow.organisation == organisation
        )
    out: dict[int, list[dict]] = {}
    for d in s.execute(query):  # plain rows, not mapped objects: a caseload has many
        out.setdefault(d.placement_id, []).append(_deadline_dict(d))
    return out


def _old_snapshots(s: Session, current: list[_Current]) -> dict[int, Snapshot]:
    """The stored answers, rule-set versions and deadlines of these checks, by check id."""
    if not current:
        return {}
    rows = s.execute(
        select(CheckRow.id, CheckRow.answer, CheckRow.rulesets).where(
            CheckRow.id.in_([c.cid for c in current])
        )
    ).all()
    deadlines = _deadlines_by_placement(s, pids=[c.pid for c in current])
    pid_of = {c.cid: c.pid for c in current}
    return {
        cid: Snapshot(answer, rulesets, deadlines.get(pid_of[cid], []))
        for cid, answer, rulesets in rows
    }


@dataclass(frozen=True)
class _Prepared:
    """A placement checked by add_many, to be stored."""

    ref: str
    facts: dict[str, Any]
    answer: Answer
    rulesets: Rulesets
    deadlines: list[dict[str, Any]]


@dataclass(frozen=True)
class _Current:
    """A stored placement's keys and its current answer's hash (not the answer itself)."""

    pid: int
    ref: str
    cid: int
    peildatum: date
    stored_hash: str | None


@dataclass(frozen=True)
class _Fresh:
    """A re-check's new answer, with its deadlines and hash."""

    answer: Answer
    rulesets: Rulesets
    deadlines: list[dict[str, Any]]
    hash: str


@dataclass
class _Run:
    """A re-check's report as it is built, batch by batch."""

    when: date | None
    changes: list[PlacementChange] = field(default_factory=list)
    uses: dict[tuple[str, str, str], RulesetUse] = field(default_factory=dict)

    def note(self, change: PlacementChange) -> None:
        self.changes.append(change)
        for delta in change.rulesets_moved:
            use = self.uses.setdefault(delta.key(), RulesetUse(delta))
            use.used_by.append(change.ref)
            if delta.key() in change.causes:
                use.affected.append(change.ref)


@dataclass
class _Batch:
    """What one batch of a re-check writes."""

    confirmed: list[int] = field(default_factory=list)  # same hash: only confirmed_at
    kept: list[dict[str, Any]] = field(default_factory=list)  # unchanged after comparing
    superseded: list[int] = field(default_factory=list)  # changed: old check ids ...
    new_checks: list[tuple[int, _Fresh]] = field(default_factory=list)  # ... and new answers

    def write(self, s: Session, now: datetime) -> None:
        if self.confirmed:
            s.execute(
                update(CheckRow).where(CheckRow.id.in_(self.confirmed)).values(confirmed_at=now)
            )
        if self.kept:  # one executemany, by primary key
            s.execute(update(CheckRow), [{**k, "confirmed_at": now} for k in self.kept])
        if not self.new_checks:
            return
        s.execute(update(CheckRow).where(CheckRow.id.in_(self.superseded)).values(current=False))
        pids = [pid for pid, _ in self.new_checks]
        s.execute(delete(DeadlineRow).where(DeadlineRow.placement_id.in_(pids)))
        s.execute(
            insert(CheckRow),
            [
                _check_values(pid, new.answer, new.rulesets, new.deadlines, now, new.hash)
                for pid, new in self.new_checks
            ],
        )
        _insert_deadlines(s, [(pid, d) for pid, new in self.new_checks for d in new.deadlines])


def _chunks(items: list[T]) -> Iterator[list[T]]:
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]
