"""The caseload: placements kept in a database, checked on add, re-checked on demand.

Every write is one transaction: an add stores the placement, its answer and its deadlines
together or not at all; a re-check of the whole caseload is saved whole or not at all (a check
that fails leaves every stored answer as it was). Nothing about a placement is logged.
"""

from __future__ import annotations

import builtins
import copy
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from engine.arrangement import parse_placement
from engine.caseload.answer import Answer, Rulesets, summarize
from engine.caseload.changes import Snapshot, compare
from engine.caseload.deadlines import Deadline, derive
from engine.caseload.errors import DuplicateRef, InvalidInput, RecheckFailed, UnknownRef
from engine.caseload.report import RecheckReport, RulesetUse
from engine.caseload.tables import REF_MAX, CheckRow, DeadlineRow, PlacementRow
from engine.errors import EvaluationError, PlacementError
from engine.model import Arrangement, Placement
from engine.storage.database import connect, describe
from engine.storage.migrate import upgrade

REF_PATTERN = re.compile(rf"^[A-Za-z0-9][A-Za-z0-9._-]{{0,{REF_MAX - 1}}}$")
CHUNK = 500  # ids per IN (...) list


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
        prepared: list[tuple[str, dict[str, Any], Answer, Rulesets, list[Deadline]]] = []
        seen: set[str] = set()
        for ref, data in items:
            check_ref(ref)
            if ref in seen or self._known(ref):  # before the check: a duplicate costs nothing
                raise DuplicateRef(ref)
            seen.add(ref)
            facts = minimal_facts(_parse(data))
            answer, rulesets = self._check(facts, None)
            prepared.append((ref, facts, answer, rulesets, derive(answer, facts)))
        now = datetime.now(UTC)
        try:
            with self._sessions() as s, s.begin():
                for ref, facts, answer, rulesets, deadlines in prepared:
                    row = PlacementRow(
                        ref=ref, facts=facts, added_at=now, organisation=self.organisation
                    )
                    s.add(row)
                    s.flush()
                    s.add(_check_row(row.id, answer, rulesets, now))
                    _insert_deadlines(s, [(row.id, d.as_dict()) for d in deadlines])
        except IntegrityError:  # the same ref added at the same moment elsewhere
            raise DuplicateRef(", ".join(r for r, *_ in prepared)) from None
        return len(prepared)

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
        that gave it again are noted); one that changed is stored on the re-check's date."""
        now = datetime.now(UTC)
        changes = []
        uses: dict[tuple[str, str, str], RulesetUse] = {}
        with self._sessions() as s, s.begin():
            current = s.execute(
                select(
                    PlacementRow.id, PlacementRow.ref, PlacementRow.facts, CheckRow.id,
                    CheckRow.peildatum, CheckRow.answer, CheckRow.rulesets,
                )
                .join(CheckRow, (CheckRow.placement_id == PlacementRow.id) & CheckRow.current)
                .where(self._mine())
                .order_by(PlacementRow.ref)
                # PostgreSQL: a second re-check at the same time waits instead of interleaving
                .with_for_update(of=PlacementRow)
            ).all()  # fmt: skip
            old_deadlines = _deadlines_by_placement(s, organisation=self.organisation)
            superseded: list[int] = []
            confirmed: list[int] = []
            new_checks: list[CheckRow] = []
            new_deadlines: list[tuple[int, dict[str, Any]]] = []
            moved: list[tuple[int, Rulesets]] = []
            for pid, ref, facts, cid, peil, answer, rulesets in current:
                new_answer, new_rulesets = self._check(facts, when or peil, ref)
                deadlines = [d.as_dict() for d in derive(new_answer, facts)]
                change = compare(
                    ref,
                    Snapshot(answer, rulesets, old_deadlines.get(pid, [])),
                    Snapshot(new_answer, new_rulesets, deadlines),
                )
                changes.append(change)
                for delta in change.rulesets_moved:
                    use = uses.setdefault(delta.key(), RulesetUse(delta))
                    use.used_by.append(ref)
                    if delta.key() in change.causes:
                        use.affected.append(ref)
                if change.changed:
                    superseded.append(cid)
                    new_checks.append(_check_row(pid, new_answer, new_rulesets, now))
                    new_deadlines.extend((pid, d) for d in deadlines)
                elif new_rulesets != rulesets:  # same answer from other versions: noted
                    moved.append((cid, new_rulesets))
                else:  # the same answer: kept with its own peildatum, not the re-check's date
                    confirmed.append(cid)
            if dry_run:
                s.rollback()
                return RecheckReport(when, False, changes, list(uses.values()))
            for ids in _chunks(confirmed):
                s.execute(update(CheckRow).where(CheckRow.id.in_(ids)).values(confirmed_at=now))
            for cid, versions in moved:
                s.execute(
                    update(CheckRow)
                    .where(CheckRow.id == cid)
                    .values(rulesets=versions, confirmed_at=now)
                )
            for ids in _chunks(superseded):
                s.execute(update(CheckRow).where(CheckRow.id.in_(ids)).values(current=False))
            changed_pids = [row.placement_id for row in new_checks]
            for ids in _chunks(changed_pids):
                s.execute(delete(DeadlineRow).where(DeadlineRow.placement_id.in_(ids)))
            s.add_all(new_checks)
            _insert_deadlines(s, new_deadlines)
        return RecheckReport(when, True, changes, list(uses.values()))

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

    def _known(self, ref: str) -> builtins.list[str]:
        # over every organisation: a reference is unique in the database (migration 0003)
        with self._sessions() as s:
            return list(s.scalars(select(PlacementRow.ref).where(PlacementRow.ref == ref)))

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


def _check_row(pid: int, answer: Answer, rulesets: Rulesets, now: datetime) -> CheckRow:
    return CheckRow(
        placement_id=pid,
        current=True,
        peildatum=date.fromisoformat(answer["peildatum"]),
        checked_at=now,
        confirmed_at=now,
        answer=answer,
        rulesets=rulesets,
    )


def _insert_deadlines(s: Session, rows: Iterable[tuple[int, dict[str, Any]]]) -> None:
    values = [{**d, "placement_id": pid, "due": date.fromisoformat(d["due"])} for pid, d in rows]
    if values:
        s.execute(insert(DeadlineRow), values)


def _deadline_dict(d: DeadlineRow) -> dict[str, Any]:
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
    s: Session, pid: int | None = None, organisation: str | None = None
) -> dict[int, list[dict]]:
    query = select(DeadlineRow).order_by(
        DeadlineRow.placement_id, DeadlineRow.due, DeadlineRow.kind
    )
    if pid is not None:
        query = query.where(DeadlineRow.placement_id == pid)
    if organisation is not None:
        query = query.join(PlacementRow, PlacementRow.id == DeadlineRow.placement_id).where(
            PlacementRow.organisation == organisation
        )
    out: dict[int, list[dict]] = {}
    for d in s.scalars(query):
        out.setdefault(d.placement_id, []).append(_deadline_dict(d))
    return out


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]
