"""Rule-set versions owned by organisations, kept in the caseload's database beside the shipped
`rules/` folder (which stays read-only in a running server).

A version moves `concept` → `ter_beoordeling` → `goedgekeurd` → `gepubliceerd`, or from
`ter_beoordeling` to `afgewezen`; a published version can be `ingetrokken`. Its YAML is never
edited once submitted: a change is a new version. Per rule set the newest published version is
in force; it takes the place of the shipped versions of that rule set whose validity it overlaps.

Every change of what is in force (publish, withdraw) increments one generation counter with a
compare-and-set (`UPDATE ... SET generation = generation + 1 WHERE generation = :expected`), so
of two publishes at once one wins and the other gets a Conflict; a worker that sees another
generation reloads (`bundle_with_published`).

The store checks ownership (an organisation drafts, reviews and publishes only for the
authorities it owns) and the four eyes (the author never reviews); roles are the caller's.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, cast

import yaml
from sqlalchemy import DateTime, Integer, String, Text, select, update
from sqlalchemy import Engine as Database
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from engine.errors import Problem, RulesError
from engine.rulesets.bundle import RulesBundle, bundle_digest, load_bundle, read_bundle
from engine.rulesets.registry import DEFAULT_RULES, RuleBase
from engine.storage.base import Base
from engine.storage.database import connect, describe
from engine.storage.migrate import upgrade
from engine.yamlio import RuleFileError, load_data

# ---------------------------------------------------------------------------------- errors


class RuleStoreError(Exception):
    """A refused step, with a Dutch message and the HTTP status a face gives it."""

    status = 422

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Forbidden(RuleStoreError):
    status = 403


class NotFound(RuleStoreError):
    status = 404


class Conflict(RuleStoreError):
    status = 409


class Invalid(RuleStoreError):
    """The rule set does not validate; `problems` name file, line and rule as `validate` does."""

    status = 422

    def __init__(self, message: str, problems: Sequence[Problem]):
        super().__init__(message)
        self.problems = list(problems)


# ---------------------------------------------------------------------------------- tables

CONCEPT = "concept"
SUBMITTED = "ter_beoordeling"
APPROVED = "goedgekeurd"
PUBLISHED = "gepubliceerd"
REJECTED = "afgewezen"
WITHDRAWN = "ingetrokken"
STATUS_LABELS = {
    CONCEPT: "concept",
    SUBMITTED: "ter beoordeling",
    APPROVED: "goedgekeurd, nog niet gepubliceerd",
    PUBLISHED: "gepubliceerd",
    REJECTED: "afgewezen",
    WITHDRAWN: "ingetrokken",
}
MAX_YAML_BYTES = 512 * 1024  # a rule set is a few KB; the loader's own cap is 2 MB
_FOLDERS = {"uwv": "uwv", "rijk": "rijk", "gemeente": "gemeenten", "regio": "regio"}


class VersionRow(Base):
    __tablename__ = "ruleset_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ruleset_id: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    authority: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    organisation: Mapped[str] = mapped_column(String(100), nullable=False, index=True)
    yaml_text: Mapped[str] = mapped_column(Text, nullable=False)
    content_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    based_on: Mapped[int | None] = mapped_column(Integer)
    author: Mapped[str] = mapped_column(String(200), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    updated_by: Mapped[str | None] = mapped_column(String(200))
    submitted_by: Mapped[str | None] = mapped_column(String(200))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reviewer: Mapped[str | None] = mapped_column(String(200))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    review_comment: Mapped[str | None] = mapped_column(Text)
    verified_by: Mapped[str | None] = mapped_column(String(200))
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    published_by: Mapped[str | None] = mapped_column(String(200))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    published_text: Mapped[str | None] = mapped_column(Text)
    published_hash: Mapped[str | None] = mapped_column(String(64))
    generation: Mapped[int | None] = mapped_column(Integer)
    withdrawn_by: Mapped[str | None] = mapped_column(String(200))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdraw_reason: Mapped[str | None] = mapped_column(Text)


class GenerationRow(Base):
    """One row (id 1): how often what is in force has changed."""

    __tablename__ = "ruleset_generation"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, nullable=False)


@dataclass(frozen=True)
class RuleSetVersion:
    """One stored version, as the faces show it."""

    id: int
    ruleset_id: str
    authority: str
    organisation: str
    yaml_text: str
    content_hash: str
    status: str
    based_on: int | None
    author: str
    created_at: datetime
    updated_at: datetime
    updated_by: str | None
    submitted_by: str | None
    submitted_at: datetime | None
    reviewer: str | None
    reviewed_at: datetime | None
    review_comment: str | None
    verified_by: str | None
    verified_at: datetime | None
    published_by: str | None
    published_at: datetime | None
    published_text: str | None
    published_hash: str | None
    generation: int | None
    withdrawn_by: str | None
    withdrawn_at: datetime | None
    withdraw_reason: str | None
    in_force: bool = False  # the published version of its rule set that counts now

    @property
    def status_label(self) -> str:
        if self.status == PUBLISHED and not self.in_force:
            return "gepubliceerd, vervangen door een nieuwere versie"
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def file(self) -> str:
        """Its path in a rule bundle: the authority's folder, `db-<id>-<rule set>.yaml`."""
        return store_path(self.id, self.ruleset_id, self.authority)


def store_path(version_id: int | None, ruleset_id: str, authority: str) -> str:
    folder = _FOLDERS.get(authority.split(":", 1)[0], "regio")
    name = re.sub(r"[^a-z0-9_.-]", "-", ruleset_id.lower())[:100] or "regelset"
    return f"{folder}/db-{version_id if version_id is not None else 'nieuw'}-{name}.yaml"


def _aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every time here is UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _version(row: VersionRow, in_force: bool = False) -> RuleSetVersion:
    values = {c: getattr(row, c) for c in VersionRow.__table__.columns.keys()}  # noqa: SIM118
    values = {k: _aware(v) if isinstance(v, datetime) else v for k, v in values.items()}
    return RuleSetVersion(**values, in_force=in_force)


# ---------------------------------------------------------------------------------- header


@dataclass(frozen=True)
class _Header:
    ruleset_id: str
    authority: str
    valid_from: date | None
    valid_to: date | None
    has_publication: bool


def _header(yaml_text: str, where: str) -> _Header:
    """The id, authority and validity of a rule set's YAML; Invalid (with the line) when the
    text is no YAML mapping or names no id or authority."""
    if len(yaml_text.encode("utf-8")) > MAX_YAML_BYTES:
        raise Invalid(
            "regelset te groot",
            [Problem(where, None, None, f"regelset is groter dan {MAX_YAML_BYTES // 1024} KB")],
        )
    try:
        data = load_data(yaml_text, where)
    except RuleFileError as exc:
        raise Invalid(
            "de YAML is niet te lezen", [Problem(where, exc.line, None, exc.message)]
        ) from None
    if not isinstance(data, dict):
        raise Invalid(
            "de YAML is geen regelset",
            [Problem(where, 1, None, "een regelset is een mapping met id, authority, rules, …")],
        )
    missing = [k for k in ("id", "authority") if not isinstance(data.get(k), str)]
    if missing:
        raise Invalid(
            "id of authority ontbreekt",
            [Problem(where, 1, None, f"{' en '.join(missing)} ontbreekt of is geen tekst")],
        )
    return _Header(
        data["id"],
        data["authority"],
        _date(data.get("valid_from")),
        _date(data.get("valid_to")),
        "publication" in data,
    )


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _overlaps(a: _Header, b: _Header) -> bool:
    lo_a, lo_b = a.valid_from or date.min, b.valid_from or date.min
    hi_a, hi_b = a.valid_to or date.max, b.valid_to or date.max
    return lo_a <= hi_b and lo_b <= hi_a


def _owns(authority: str, org_authorities: Iterable[str], organisation: str, what: str) -> None:
    owned = set(org_authorities)
    if authority not in owned:
        shown = ", ".join(sorted(owned)) or "geen"
        raise Forbidden(
            f"organisatie {organisation!r} mag voor {authority} {what}: zij beheert alleen "
            f"de regels van {shown}"
        )


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ------------------------------------------------------------------------- composing bundles


@dataclass(frozen=True)
class StoredFile:
    path: str  # relative path in the rule bundle
    content: bytes
    header: _Header


def compose(shipped: RulesBundle, stored: Sequence[StoredFile]) -> RulesBundle:
    """The shipped rules plus stored versions; a stored version of rule set X takes the place of
    every shipped version of X whose validity it overlaps (the owner's version counts there);
    shipped versions of X for other periods stay."""
    by_id = {f.header.ruleset_id: f.header for f in stored}
    # a shipped file is replaced only by a version of the same rule set and authority: one of
    # another authority under the same id stays, and the loader refuses the pair
    kept = [(rel, content) for rel, content in shipped.files if not _replaced(rel, content, by_id)]
    files = tuple(sorted([*kept, *((f.path, f.content) for f in stored)]))
    return RulesBundle(shipped.name, files, bundle_digest(files))


def _replaced(rel: str, content: bytes, by_id: dict[str, _Header]) -> bool:
    folder = rel.split("/", 1)[0]
    if not rel.endswith(".yaml") or "/" not in rel or folder not in _FOLDERS.values():
        return False
    # only a file that mentions a stored rule set's id is parsed (most mention none)
    if not any(rs_id.encode("utf-8") in content for rs_id in by_id):
        return False
    try:
        head = _header(content.decode("utf-8"), rel)
    except (Invalid, UnicodeDecodeError):
        return False  # a broken shipped file is reported by the loader, not hidden
    mine = by_id.get(head.ruleset_id)
    return bool(mine and mine.authority == head.authority and _overlaps(head, mine))


def bundle_with_published(shipped_root: Path | None, store: RuleStore) -> RulesBundle:
    """The rule base a server serves: the shipped folder plus the versions published in the
    store (the newest per rule set). Load it with `load_bundle(bundle, origin=shipped_root)`."""
    return compose(read_bundle(shipped_root or DEFAULT_RULES), store.published_stored_files())


# ---------------------------------------------------------------------------------- publish


PUBLICATION_MARK = "# Vastgelegd bij publicatie door het regelbeheer; niet met de hand bewerken."
_PROVENANCE_LINE = re.compile(r"^provenance:[^\n]*$", re.MULTILINE)


def published_text(yaml_text: str, provenance: str, publication: dict[str, Any]) -> str:
    """The YAML that goes into force: the reviewed text with `provenance` set by the review and
    a `publication` block appended. Lines and comments stay as reviewed; a document written in
    another style (flow mapping) is written out again as plain YAML."""
    block = "\n".join(
        [
            "",
            PUBLICATION_MARK,
            "publication:",
            *(f"  {k}: {json.dumps(v, ensure_ascii=False)}" for k, v in publication.items()),
            "",
        ]
    )
    original = load_data(yaml_text, "regelset")
    want = {**original, "provenance": provenance, "publication": publication}
    if len(_PROVENANCE_LINE.findall(yaml_text)) == 1:
        text = _PROVENANCE_LINE.sub(f"provenance: {provenance}", yaml_text)
        text = (text if text.endswith("\n") else text + "\n") + block
        try:
            if load_data(text, "regelset") == want:
                return text
        except RuleFileError:
            pass
    return yaml.safe_dump(want, sort_keys=False, allow_unicode=True, width=100)


def strip_publication(yaml_text: str) -> str:
    """A published text made a draft again (export → import): without its publication block."""
    data = load_data(yaml_text, "regelset")
    if not isinstance(data, dict) or "publication" not in data:
        return yaml_text
    head, mark, _ = yaml_text.partition("\n" + PUBLICATION_MARK + "\n")
    if mark and load_data(head + "\n", "regelset") == {
        k: v for k, v in data.items() if k != "publication"
    }:
        return head + "\n"
    data.pop("publication")
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


# ------------------------------------------------------------------------------------ store


class RuleStore:
    """Rule-set versions in the database (the caseload's: `ARRANGEUR_DATABASE_URL`)."""

    def __init__(
        self, url: str | None = None, shipped_root: Path | None = None, migrate: bool = True
    ):
        self.db: Database = connect(url)
        if migrate:
            upgrade(self.db)
        self.shipped_root = (shipped_root or DEFAULT_RULES).resolve()
        self._sessions = sessionmaker(self.db, expire_on_commit=False)

    @property
    def location(self) -> str:
        return describe(self.db)

    def close(self) -> None:
        self.db.dispose()

    # ------------------------------------------------------------------ reading
    def generation(self) -> int:
        """How often what is in force changed; a worker reloads when it differs from its own."""
        with self._sessions() as s:
            return s.scalar(select(GenerationRow.generation).where(GenerationRow.id == 1)) or 0

    def get(self, version_id: int) -> RuleSetVersion:
        with self._sessions() as s:
            row = s.get(VersionRow, version_id)
            if row is None:
                raise NotFound(f"regelsetversie {version_id} bestaat niet")
            return _version(row, row.id in self._in_force_ids(s))

    def versions(
        self,
        organisation: str | None = None,
        ruleset_id: str | None = None,
        status: str | None = None,
    ) -> list[RuleSetVersion]:
        """Newest first, filtered by organisation, rule set and status."""
        query = select(VersionRow).order_by(VersionRow.id.desc())
        if organisation is not None:
            query = query.where(VersionRow.organisation == organisation)
        if ruleset_id is not None:
            query = query.where(VersionRow.ruleset_id == ruleset_id)
        if status is not None:
            query = query.where(VersionRow.status == status)
        with self._sessions() as s:
            live = self._in_force_ids(s)
            return [_version(r, r.id in live) for r in s.scalars(query)]

    def published(self) -> list[RuleSetVersion]:
        """The versions in force: per rule set the newest published one."""
        with self._sessions() as s:
            return [_version(r, True) for r in self._in_force_rows(s)]

    def published_files(self) -> list[tuple[str, bytes]]:
        """The YAML in force as (relative path, bytes) for a rule bundle."""
        return [(f.path, f.content) for f in self.published_stored_files()]

    def published_stored_files(self, leave_out: tuple[str, str] | None = None) -> list[StoredFile]:
        """The published versions in force; `leave_out` (rule set id, authority): the one a
        draft of that rule set would take the place of."""
        out = []
        for v in self.published():
            if (v.ruleset_id, v.authority) == leave_out or v.published_text is None:
                continue
            out.append(_stored_file(v.file, v.published_text))
        return out

    def export_yaml(self, version_id: int) -> str:
        """The text as it is (or would be) in force: a published or withdrawn version with its
        publication block, any other its draft text."""
        v = self.get(version_id)
        return v.published_text if v.published_text is not None else v.yaml_text

    @staticmethod
    def _in_force_rows(s: Session) -> list[VersionRow]:
        rows = s.scalars(
            select(VersionRow)
            .where(VersionRow.status == PUBLISHED)
            .order_by(VersionRow.ruleset_id, VersionRow.generation.desc())
        )
        newest: dict[str, VersionRow] = {}
        for row in rows:
            newest.setdefault(row.ruleset_id, row)
        return list(newest.values())

    def _in_force_ids(self, s: Session) -> set[int]:
        return {r.id for r in self._in_force_rows(s)}

    # ------------------------------------------------------------------ validation
    def shipped_bundle(self) -> RulesBundle:
        return read_bundle(self.shipped_root)

    def validate_text(
        self, yaml_text: str, version_id: int | None = None
    ) -> tuple[list[Problem], RuleBase | None]:
        """Problems of a rule set's YAML in context: the shipped rules, the published versions
        (this rule set's own published version left out: the draft takes its place) and the
        text. The same Problems, lines and rule ids as `arrangeur validate`; with no problems,
        also the rule base it makes (to build a preview engine from; `bundle_of` gives its
        bundle)."""
        where_rel = "regelset" if version_id is None else f"regelset {version_id}"
        try:
            head = _header(yaml_text, where_rel)
        except Invalid as exc:
            return exc.problems, None
        rel = store_path(version_id, head.ruleset_id, head.authority)
        shipped = self.shipped_bundle()
        where = f"{shipped.name}/{rel}"
        problems: list[Problem] = []
        if head.has_publication:
            problems.append(
                Problem(
                    where,
                    _line_of(yaml_text, "publication"),
                    head.ruleset_id,
                    "het blok 'publication' vult het regelbeheer in bij publicatie; verwijder het",
                )
            )
        draft = _stored_file(rel, yaml_text)
        problems += self._gaps(head, shipped, where, _line_of(yaml_text, "valid_from"))
        bundle = compose(
            shipped, [*self.published_stored_files((head.ruleset_id, head.authority)), draft]
        )
        rulebase = None
        try:
            rulebase = load_bundle(bundle, origin=Path(shipped.name))
        except RulesError as exc:
            problems.extend(exc.problems)
        return problems, (None if problems else rulebase)

    def _gaps(
        self, head: _Header, shipped: RulesBundle, where: str, line: int | None
    ) -> list[Problem]:
        """A published version replaces the rule set's version in force in the store, and the
        shipped versions it overlaps (`compose`), over their whole validity. One that starts
        later would leave the days in between without the rule set: refused until the store can
        keep the current version in force up to the day before (docs/rule-management.md)."""
        if head.valid_from is None:
            return []
        mine = (head.ruleset_id, head.authority)
        replaced = [
            f.header for f in self.published_stored_files() if f.header.ruleset_id == mine[0]
        ]
        for rel, content in shipped.files:
            if _replaced(rel, content, {head.ruleset_id: head}):
                replaced.append(_header(content.decode("utf-8"), rel))
        starts = [
            h.valid_from or date.min
            for h in replaced
            if (h.ruleset_id, h.authority) == mine and (h.valid_from or date.min) < head.valid_from
        ]
        if not starts:
            return []
        since = min(starts)
        shown = "het begin" if since == date.min else since.isoformat()
        return [
            Problem(
                where,
                line,
                head.ruleset_id,
                f"valid_from {head.valid_from.isoformat()} is later dan de versie die nu geldt "
                f"(vanaf {shown}): deze versie zou haar vanaf {shown} vervangen, zodat er tot "
                f"{head.valid_from.isoformat()} geen regels van {head.ruleset_id} gelden. Laat "
                f"de versie ingaan op {shown} of eerder; een versie die later ingaat naast de "
                "huidige zetten kan het regelbeheer nog niet",
            )
        ]

    def validate(self, version_id: int) -> list[Problem]:
        v = self.get(version_id)
        return self.validate_text(v.yaml_text, v.id)[0]

    def rulebase_with(self, version_id: int) -> RuleBase:
        """The rule base as it would be with this version in force (for a preview); Invalid
        when the version does not validate."""
        v = self.get(version_id)
        problems, rulebase = self.validate_text(v.yaml_text, v.id)
        if rulebase is None:
            raise Invalid(_invalid_message(problems), problems)
        return rulebase

    # ------------------------------------------------------------------ writes
    def draft(
        self,
        author: str,
        organisation: str,
        org_authorities: Iterable[str],
        yaml_text: str,
        based_on: int | None = None,
    ) -> RuleSetVersion:
        """A new concept. It may still have problems (`validate` lists them); its id and
        authority must be readable, and the authority one the organisation owns."""
        head = _header(yaml_text, "regelset")
        _owns(head.authority, org_authorities, organisation, "geen regels opstellen")
        for field, value, limit in (
            ("id", head.ruleset_id, 200),
            ("organisation", organisation, 100),
            ("author", author, 200),
        ):
            if len(value) > limit:  # the column's width: refused here, not by the database
                raise Invalid(
                    f"{field} is te lang",
                    [Problem("regelset", None, None, f"{field} is langer dan {limit} tekens")],
                )
        if based_on is not None:
            self.get(based_on)
        now = datetime.now(UTC)
        row = VersionRow(
            ruleset_id=head.ruleset_id,
            authority=head.authority,
            organisation=organisation,
            yaml_text=yaml_text,
            content_hash=_sha256(yaml_text),
            status=CONCEPT,
            based_on=based_on,
            author=author,
            created_at=now,
            updated_at=now,
        )
        with self._sessions() as s, s.begin():
            s.add(row)
        return self.get(row.id)

    def import_yaml(
        self,
        author: str,
        organisation: str,
        org_authorities: Iterable[str],
        content: str | bytes,
    ) -> RuleSetVersion:
        """A concept from an exported file (its publication block, if any, is left out)."""
        if isinstance(content, bytes):
            raw = content
            try:
                content = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                line = raw[: exc.start].count(b"\n") + 1
                raise Invalid(
                    "het bestand is geen UTF-8", [Problem("regelset", line, None, "geen UTF-8")]
                ) from None
        try:
            text = strip_publication(content)
        except RuleFileError as exc:
            raise Invalid(
                "de YAML is niet te lezen", [Problem("regelset", exc.line, None, exc.message)]
            ) from None
        return self.draft(author, organisation, org_authorities, text)

    def update(
        self, version_id: int, editor: str, org_authorities: Iterable[str], yaml_text: str
    ) -> RuleSetVersion:
        """Replace a concept's text; the rule set and authority stay those of the concept."""
        head = _header(yaml_text, "regelset")
        with self._sessions() as s, s.begin():
            row = self._row(s, version_id)
            _owns(row.authority, org_authorities, row.organisation, "geen regels wijzigen")
            if row.status != CONCEPT:
                raise Conflict(
                    f"versie {version_id} is {STATUS_LABELS[row.status]}: alleen een concept kan "
                    "worden gewijzigd; maak een nieuwe versie"
                )
            if (head.ruleset_id, head.authority) != (row.ruleset_id, row.authority):
                raise Invalid(
                    "andere regelset",
                    [
                        Problem(
                            "regelset",
                            _line_of(yaml_text, "id"),
                            head.ruleset_id,
                            f"deze versie hoort bij {row.ruleset_id} ({row.authority}); een "
                            "andere regelset is een nieuw concept",
                        )
                    ],
                )
            row.yaml_text = yaml_text
            row.content_hash = _sha256(yaml_text)
            row.updated_at = datetime.now(UTC)
            row.updated_by = editor
        return self.get(version_id)

    def submit(
        self, version_id: int, submitter: str, org_authorities: Iterable[str]
    ) -> RuleSetVersion:
        """Concept → ter beoordeling, only when it validates in context."""
        v = self.get(version_id)
        _owns(v.authority, org_authorities, v.organisation, "geen regels ter beoordeling geven")
        if v.status != CONCEPT:
            raise Conflict(f"versie {version_id} is {v.status_label}, geen concept")
        problems = self.validate(version_id)
        if problems:
            raise Invalid(_invalid_message(problems), problems)
        self._transition(
            version_id,
            CONCEPT,
            SUBMITTED,
            {"submitted_by": submitter, "submitted_at": datetime.now(UTC)},
            content_hash=v.content_hash,
        )
        return self.get(version_id)

    def review(
        self,
        version_id: int,
        reviewer: str,
        reviewer_org_authorities: Iterable[str],
        approve: bool,
        comment: str,
        sources_verified: bool = False,
        reviewer_organisation: str = "",
    ) -> RuleSetVersion:
        """The second pair of eyes: approve (→ goedgekeurd) or reject (→ afgewezen) with a
        comment. `sources_verified`: the reviewer compared each rule with its source, and the
        published version will say `provenance: verified`, by whom and when."""
        v = self.get(version_id)
        if reviewer == v.author:
            raise Forbidden(
                f"{reviewer} heeft versie {version_id} zelf opgesteld en mag haar niet beoordelen: "
                "een tweede regelbeheerder of beheerder beoordeelt"
            )
        _owns(
            v.authority,
            reviewer_org_authorities,
            reviewer_organisation or v.organisation,
            "geen regels beoordelen",
        )
        if v.status != SUBMITTED:
            raise Conflict(f"versie {version_id} is {v.status_label}, niet ter beoordeling")
        comment = (comment or "").strip()
        if not approve and not comment:
            raise Invalid(
                "een afwijzing vraagt een toelichting",
                [Problem("beoordeling", None, v.ruleset_id, "geef bij een afwijzing de reden")],
            )
        if sources_verified and not approve:
            sources_verified = False  # nothing of a rejected version is verified
        now = datetime.now(UTC)
        values: dict[str, Any] = {
            "reviewer": reviewer,
            "reviewed_at": now,
            "review_comment": comment,
        }
        if sources_verified:
            values |= {"verified_by": reviewer, "verified_at": now}
        self._transition(
            version_id, SUBMITTED, APPROVED if approve else REJECTED, values, v.content_hash
        )
        return self.get(version_id)

    def publish(
        self,
        version_id: int,
        expected_generation: int,
        publisher: str = "",
        org_authorities: Iterable[str] | None = None,
    ) -> RuleSetVersion:
        """Goedgekeurd → gepubliceerd, atomically with the generation counter: when another
        publish or withdrawal came first (the generation is no longer `expected_generation`),
        nothing changes and Conflict says so. The version is validated once more in the
        context it will be in force in."""
        v = self.get(version_id)
        if org_authorities is not None:
            _owns(v.authority, org_authorities, v.organisation, "geen regels publiceren")
        if v.status != APPROVED:
            raise Conflict(
                f"versie {version_id} is {v.status_label}: alleen een goedgekeurde versie wordt "
                "gepubliceerd"
            )
        now = datetime.now(UTC)
        publication: dict[str, Any] = {
            "store_version": v.id,
            "organisation": v.organisation,
            "author": v.author,
            "reviewed_by": v.reviewer or "",
            "reviewed_at": v.reviewed_at.isoformat() if v.reviewed_at else None,
            "verified_by": v.verified_by,
            "verified_at": v.verified_at.isoformat() if v.verified_at else None,
            "published_at": now.isoformat(timespec="seconds"),
        }
        publication = {k: val for k, val in publication.items() if val is not None}
        provenance = "verified" if v.verified_by else "illustrative"
        text = published_text(v.yaml_text, provenance, publication)
        problems = self._validate_published(text, v)
        if problems:
            raise Invalid(_invalid_message(problems), problems)
        with _busy_is_conflict(), self._sessions() as s, s.begin():
            new = self._advance(s, expected_generation)
            done = s.execute(
                update(VersionRow)
                .where(
                    VersionRow.id == version_id,
                    VersionRow.status == APPROVED,
                    VersionRow.content_hash == v.content_hash,
                )
                .values(
                    status=PUBLISHED,
                    published_by=publisher or None,
                    published_at=now,
                    published_text=text,
                    published_hash=_sha256(text),
                    generation=new,
                )
            )
            if cast(CursorResult, done).rowcount != 1:
                raise Conflict(
                    f"versie {version_id} is intussen gewijzigd; er is niets gepubliceerd"
                )
        return self.get(version_id)

    def withdraw(
        self,
        version_id: int,
        by: str,
        org_authorities: Iterable[str],
        reason: str,
        expected_generation: int | None = None,
    ) -> RuleSetVersion:
        """Gepubliceerd → ingetrokken. Its text stays as it was (never edited); the rule set
        falls back to its previous published version, or to the shipped one."""
        v = self.get(version_id)
        _owns(v.authority, org_authorities, v.organisation, "geen regels intrekken")
        if v.status != PUBLISHED:
            raise Conflict(f"versie {version_id} is {v.status_label}, niet gepubliceerd")
        if not (reason or "").strip():
            raise Invalid(
                "een intrekking vraagt een reden",
                [Problem("intrekking", None, v.ruleset_id, "geef de reden van de intrekking")],
            )
        expected = self.generation() if expected_generation is None else expected_generation
        # afterwards the newest other published version of the rule set is in force (or the
        # shipped one); what remains must still validate (a gemeente may adopt this set)
        remaining = self.published_stored_files((v.ruleset_id, v.authority))
        others = [
            p
            for p in self.versions(ruleset_id=v.ruleset_id, status=PUBLISHED)
            if p.id != v.id and p.authority == v.authority and p.published_text is not None
        ]
        if others:
            back = max(others, key=lambda p: p.generation or 0)
            remaining.append(_stored_file(back.file, back.published_text or ""))
        try:
            load_bundle(compose(self.shipped_bundle(), remaining))
        except RulesError as exc:
            raise Invalid(_invalid_message(exc.problems), exc.problems) from None
        with _busy_is_conflict(), self._sessions() as s, s.begin():
            new = self._advance(s, expected)
            s.execute(
                update(VersionRow)
                .where(VersionRow.id == version_id)
                .values(
                    status=WITHDRAWN,
                    withdrawn_by=by,
                    withdrawn_at=datetime.now(UTC),
                    withdraw_reason=reason.strip(),
                    generation=new,
                )
            )
        return self.get(version_id)

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def _row(s: Session, version_id: int) -> VersionRow:
        row = s.get(VersionRow, version_id)
        if row is None:
            raise NotFound(f"regelsetversie {version_id} bestaat niet")
        return row

    @staticmethod
    def _advance(s: Session, expected: int) -> int:
        """generation := generation + 1 only where it is still `expected`: one winner."""
        done = s.execute(
            update(GenerationRow)
            .where(GenerationRow.id == 1, GenerationRow.generation == expected)
            .values(generation=GenerationRow.generation + 1)
        )
        if cast(CursorResult, done).rowcount != 1:
            now = s.scalar(select(GenerationRow.generation).where(GenerationRow.id == 1))
            raise Conflict(
                f"de regels zijn intussen gewijzigd (generatie {now}, verwacht {expected}): een "
                "andere publicatie of intrekking ging voor; bekijk de voorvertoning opnieuw en "
                "publiceer dan"
            )
        return expected + 1

    def _transition(
        self, version_id: int, old: str, new: str, values: dict[str, Any], content_hash: str
    ) -> None:
        """A status change that holds only if nobody changed the version in between."""
        with self._sessions() as s, s.begin():
            done = s.execute(
                update(VersionRow)
                .where(
                    VersionRow.id == version_id,
                    VersionRow.status == old,
                    VersionRow.content_hash == content_hash,
                )
                .values(status=new, **values)
            )
            if cast(CursorResult, done).rowcount != 1:
                raise Conflict(f"versie {version_id} is intussen gewijzigd; probeer het opnieuw")

    def _validate_published(self, text: str, v: RuleSetVersion) -> list[Problem]:
        rel = v.file
        shipped = self.shipped_bundle()
        bundle = compose(
            shipped,
            [*self.published_stored_files((v.ruleset_id, v.authority)), _stored_file(rel, text)],
        )
        try:
            load_bundle(bundle, origin=Path(shipped.name))
        except RulesError as exc:
            return exc.problems
        return []


@contextmanager
def _busy_is_conflict() -> Iterator[None]:
    """A database too busy to take the write (SQLite's lock timeout) is another writer first."""
    try:
        yield
    except OperationalError as exc:
        raise Conflict(
            "de regels worden op dit moment door iemand anders gewijzigd; probeer het opnieuw"
        ) from exc


def _stored_file(rel: str, text: str) -> StoredFile:
    return StoredFile(rel, text.encode("utf-8"), _header(text, rel))


def _line_of(yaml_text: str, key: str) -> int | None:
    for number, line in enumerate(yaml_text.splitlines(), 1):
        if line.startswith(f"{key}:"):
            return number
    return None


def _invalid_message(problems: Sequence[Problem]) -> str:
    first = problems[0] if problems else None
    more = f" (en {len(problems) - 1} meer)" if len(problems) > 1 else ""
    return f"de regelset klopt niet: {first}{more}" if first else "de regelset klopt niet"
