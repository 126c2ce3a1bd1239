"""The caseload's tables. Migrations (migrations/versions) create them; this module is the
mapping the code reads and writes through, and must match the latest migration."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from engine.storage.base import Base, Json

REF_MAX = 64


class PlacementRow(Base):
    """A placement: the reference the user chose and the facts the rules read. Nothing else."""

    __tablename__ = "caseload_placements"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(REF_MAX), unique=True, nullable=False)
    # the organisation it belongs to: every query of engine.caseload.store is scoped by it
    organisation: Mapped[str] = mapped_column(String(64), nullable=False, default="lokaal")

    __table_args__ = (Index("ix_caseload_placements_organisation_ref", "organisation", "ref"),)
    facts: Mapped[dict[str, Any]] = mapped_column(Json, nullable=False)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class CheckRow(Base):
    """One answer of the engine for a placement, with the rule-set versions and hashes it used.

    A re-check that changes nothing only moves `confirmed_at`; a changed answer becomes a new
    row and the previous one stays as history (current = false) until the placement is removed.
    """

    __tablename__ = "caseload_checks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    placement_id: Mapped[int] = mapped_column(
        ForeignKey("caseload_placements.id", ondelete="CASCADE"), nullable=False
    )
    current: Mapped[bool] = mapped_column(Boolean, nullable=False)
    peildatum: Mapped[date] = mapped_column(Date, nullable=False)
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    confirmed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    answer: Mapped[dict[str, Any]] = mapped_column(Json, nullable=False)
    rulesets: Mapped[dict[str, Any]] = mapped_column(Json, nullable=False)
    # answer.answer_hash of (answer, rulesets, deadlines): a re-check whose new answer has the
    # same hash reads and compares nothing more. NULL for rows stored before migration 0005.
    answer_hash: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (Index("ix_caseload_checks_placement_current", "placement_id", "current"),)


class DeadlineRow(Base):
    """A date that follows from the current answer, with the rule and text it comes from."""

    __tablename__ = "caseload_deadlines"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    placement_id: Mapped[int] = mapped_column(
        ForeignKey("caseload_placements.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(64), nullable=False)
    instrument: Mapped[str | None] = mapped_column(String(64))
    due: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    label: Mapped[str] = mapped_column(Text, nullable=False)
    rule: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(Text, nullable=False)
    source_url: Mapped[str | None] = mapped_column(Text)


class JobRow(Base):
    """A harmonisation job (api/jobs.py): any server worker answers for it from this row.

    `owner` is the worker that runs it; it writes state, progress and the report here. Another
    worker cancels by setting the state, which the owner sees when it next looks. `seen_at` is
    when someone last asked about it (a job nobody asks about is cancelled); `updated_at` the
    owner's last sign of life (a queued or running job whose owner went silent has failed)."""

    __tablename__ = "arrangeur_jobs"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    request: Mapped[dict[str, Any]] = mapped_column(Json, nullable=False)
    rules_hash: Mapped[str] = mapped_column(String(128), nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    progress: Mapped[float] = mapped_column(Float, nullable=False)
    done: Mapped[int] = mapped_column(Integer, nullable=False)
    total: Mapped[int] = mapped_column(Integer, nullable=False)
    error: Mapped[str | None] = mapped_column(Text)
    error_status: Mapped[int] = mapped_column(Integer, nullable=False)
    error_loc: Mapped[list[str]] = mapped_column(Json, nullable=False)
    result: Mapped[dict[str, Any] | None] = mapped_column(Json)
    owner: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
