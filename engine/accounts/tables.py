"""The accounts' tables, in the caseload's database (one Alembic history, one version table).

Migration 0003_accounts creates them; this mapping must match it. The audit table is
append-only: the application has no update or delete for it, and the database refuses both
(a SQLite trigger, a PostgreSQL trigger function), see the migration.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.storage.base import Base

KINDS = ("gemeente", "uwv", "wsp", "adviseur")


class OrganisationRow(Base):
    __tablename__ = "accounts_organisations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    # the authorities whose rule sets it speaks for: gemeente:GM0153, regio:twente, uwv
    authorities: Mapped[list[str]] = mapped_column(JSON(), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class UserRow(Base):
    __tablename__ = "accounts_users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(128), unique=True, nullable=False)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("accounts_organisations.id"), nullable=False, index=True
    )
    roles: Mapped[list[str]] = mapped_column(JSON(), nullable=False)
    password_hash: Mapped[str | None] = mapped_column(Text)  # None: login via OIDC or token only
    failed_logins: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # sessions issued before this moment are void (logout, password or role change)
    sessions_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class TokenRow(Base):
    __tablename__ = "accounts_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("accounts_users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    prefix: Mapped[str] = mapped_column(String(16), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    last_used: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditRow(Base):
    """Who did what to which target, when. Names, not foreign keys: a row outlives the user,
    the organisation and the caseload entry it is about. No personal data in `detail`."""

    __tablename__ = "accounts_audit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, index=True)
    username: Mapped[str | None] = mapped_column(String(128))
    organisation: Mapped[str | None] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(64), nullable=False)
    target_kind: Mapped[str | None] = mapped_column(String(32))
    target_id: Mapped[str | None] = mapped_column(String(200))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON(), nullable=False)
