"""Organisations, users, API tokens and the audit, in the caseload's database.

Passwords are hashed with argon2id (argon2-cffi, its default parameters); API tokens are 256
random bits, shown once, stored as their SHA-256 (a token is high-entropy: a slow hash adds
nothing). Five failed logins lock an account for 15 minutes.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from engine.accounts.errors import AccountError
from engine.accounts.principal import ROLES, Principal
from engine.accounts.tables import KINDS, AuditRow, OrganisationRow, TokenRow, UserRow
from engine.storage.database import connect
from engine.storage.migrate import upgrade

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
TOKEN_PREFIX = "arr_"
TOKEN_USE_AUDIT = timedelta(hours=1)  # a token's use is audited at most once an hour
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$")
AUTHORITY = re.compile(r"^(uwv|rijk|gemeente:GM[0-9]{4}|regio:[a-z0-9-]{1,64})$")
_HASHER = PasswordHasher()
# verified against when the user is unknown, so an unknown name costs as long as a wrong password
_DUMMY = _HASHER.hash(secrets.token_hex(16))


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes back: they were stored in UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Organisation:
    slug: str
    name: str
    kind: str
    authorities: tuple[str, ...]


@dataclass(frozen=True)
class User:
    id: int
    username: str
    organisation: str
    roles: tuple[str, ...]
    active: bool
    locked_until: datetime | None
    tokens: int


@dataclass(frozen=True)
class Token:
    prefix: str
    name: str
    created_at: datetime
    last_used: datetime | None
    revoked: bool


@dataclass(frozen=True)
class LoginResult:
    principal: Principal | None
    reason: str  # ok | unknown | wrong_password | locked | inactive | no_password


def check_roles(roles: Iterable[str]) -> list[str]:
    chosen = sorted(set(roles), key=ROLES.index) if set(roles) <= set(ROLES) else None
    if not chosen:
        raise AccountError(f"rol: kies uit {', '.join(ROLES)} (gegeven: {', '.join(roles)})")
    return chosen


class Accounts:
    def __init__(self, url: str | None = None, migrate: bool = True):
        self.db = connect(url)
        if migrate:
            upgrade(self.db)
        self._sessions = sessionmaker(self.db, expire_on_commit=False)

    def close(self) -> None:
        self.db.dispose()

    # ------------------------------------------------------------- organisations
    def add_organisation(
        self, slug: str, name: str, kind: str, authorities: Iterable[str] = ()
    ) -> Organisation:
        if not SLUG.match(slug):
            raise AccountError(
                f"organisatie {slug!r}: kleine letters, cijfers en -, ten hoogste 64 tekens"
            )
        if kind not in KINDS:
            raise AccountError(f"soort {kind!r}: kies uit {', '.join(KINDS)}")
        auths = list(dict.fromkeys(authorities))
        for a in auths:
            if not AUTHORITY.match(a):
                raise AccountError(
                    f"instantie {a!r}: uwv, rijk, gemeente:GM0153 of regio:twente verwacht"
                )
        try:
            with self._sessions() as s, s.begin():
                s.add(
                    OrganisationRow(
                        slug=slug, name=name, kind=kind, authorities=auths, created_at=_now()
                    )
                )
        except IntegrityError:
            raise AccountError(f"organisatie {slug!r} bestaat al") from None
        return Organisation(slug, name, kind, tuple(auths))

    def organisations(self) -> list[Organisation]:
        with self._sessions() as s:
            rows = s.scalars(select(OrganisationRow).order_by(OrganisationRow.slug)).all()
            return [Organisation(o.slug, o.name, o.kind, tuple(o.authorities)) for o in rows]

    def _organisation(self, s: Any, slug: str) -> OrganisationRow:
        row = s.scalar(select(OrganisationRow).where(OrganisationRow.slug == slug))
        if row is None:
            raise AccountError(
                f"onbekende organisatie {slug!r} (arrangeur organisations add {slug} ...)"
            )
        return row

    # --------------------------------------------------------------------- users
    def add_user(
        self,
        username: str,
        organisation: str,
        roles: Iterable[str],
        password: str | None = None,
    ) -> User:
        if not USERNAME.match(username):
            raise AccountError(
                f"gebruikersnaam {username!r}: letters, cijfers, . _ @ -, ten hoogste 128 tekens"
            )
        chosen = check_roles(roles)
        if password is not None and len(password) < 12:
            raise AccountError("wachtwoord: ten minste 12 tekens")
        try:
            with self._sessions() as s, s.begin():
                org = self._organisation(s, organisation)
                s.add(
                    UserRow(
                        username=username,
                        organisation_id=org.id,
                        roles=chosen,
                        password_hash=_HASHER.hash(password) if password else None,
                        failed_logins=0,
                        active=True,
                        created_at=_now(),
                    )
                )
        except IntegrityError:
            raise AccountError(f"gebruiker {username!r} bestaat al") from None
        return self.user(username)

    def user(self, username: str) -> User:
        found = [u for u in self.users() if u.username == username]
        if not found:
            raise AccountError(f"onbekende gebruiker {username!r}")
        return found[0]

    def users(self, organisation: str | None = None) -> list[User]:
        query = (
            select(UserRow, OrganisationRow.slug)
            .join(OrganisationRow, OrganisationRow.id == UserRow.organisation_id)
            .order_by(UserRow.username)
        )
        if organisation is not None:
            query = query.where(OrganisationRow.slug == organisation)
        live = (
            select(TokenRow.user_id, func.count())
            .where(TokenRow.revoked_at.is_(None))
            .group_by(TokenRow.user_id)
        )
        with self._sessions() as s:
            counts = dict(s.execute(live).all())
            return [
                User(u.id, u.username, slug, tuple(u.roles), u.active,
                     _aware(u.locked_until), counts.get(u.id, 0))
                for u, slug in s.execute(query).all()
            ]  # fmt: skip

    def remove_user(self, username: str) -> None:
        """The user and their tokens go; the audit keeps what they did (by name)."""
        with self._sessions() as s, s.begin():
            row = s.scalar(select(UserRow).where(UserRow.username == username))
            if row is None:
                raise AccountError(f"onbekende gebruiker {username!r}")
            for token in s.scalars(select(TokenRow).where(TokenRow.user_id == row.id)):
                s.delete(token)
            s.delete(row)

    def set_roles(self, username: str, roles: Iterable[str]) -> User:
        chosen = check_roles(roles)
        with self._sessions() as s, s.begin():
            row = self._user_row(s, username)
            row.roles = chosen
            row.sessions_since = _now()  # a role change ends the user's sessions
        return self.user(username)

    def set_password(self, username: str, password: str) -> None:
        if len(password) < 12:
            raise AccountError("wachtwoord: ten minste 12 tekens")
        with self._sessions() as s, s.begin():
            row = self._user_row(s, username)
            row.password_hash = _HASHER.hash(password)
            row.failed_logins, row.locked_until, row.sessions_since = 0, None, _now()

    def _user_row(self, s: Any, username: str) -> UserRow:
        row = s.scalar(select(UserRow).where(UserRow.username == username))
        if row is None:
            raise AccountError(f"onbekende gebruiker {username!r}")
        return row

    def _principal(self, s: Any, user: UserRow, via: str, prefix: str | None = None) -> Principal:
        org = s.get(OrganisationRow, user.organisation_id)
        return Principal(
            user.username,
            org.slug,
            frozenset(user.roles),
            user.id,
            tuple(org.authorities),
            via,
            prefix,
        )

    # --------------------------------------------------------------------- login
    def login(self, username: str, password: str) -> LoginResult:
        """Check a password (argon2, constant time); count failures, lock after five."""
        now = _now()
        with self._sessions() as s, s.begin():
            row = s.scalar(select(UserRow).where(UserRow.username == username))
            if row is None or not row.password_hash:
                _verify(_DUMMY, password)
                return LoginResult(None, "unknown" if row is None else "no_password")
            locked = _aware(row.locked_until)
            if locked and locked > now:
                _verify(_DUMMY, password)
                return LoginResult(None, "locked")
            if not _verify(row.password_hash, password):
                row.failed_logins += 1
                if row.failed_logins >= MAX_FAILURES:
                    row.locked_until, row.failed_logins = now + LOCKOUT, 0
                return LoginResult(None, "wrong_password")
            if not row.active:
                return LoginResult(None, "inactive")
            row.failed_logins, row.locked_until = 0, None
            if _HASHER.check_needs_rehash(row.password_hash):
                row.password_hash = _HASHER.hash(password)
            return LoginResult(self._principal(s, row, "session"), "ok")

    def external_login(self, username: str, organisation: str) -> LoginResult:
        """A login an identity provider vouched for: the user must exist here, be active, not
        locked and belong to the organisation the provider names. Roles stay Arrangeur's."""
        with self._sessions() as s, s.begin():
            row = s.scalar(select(UserRow).where(UserRow.username == username))
            if row is None:
                return LoginResult(None, "unknown")
            locked = _aware(row.locked_until)
            if locked and locked > _now():
                return LoginResult(None, "locked")
            if not row.active:
                return LoginResult(None, "inactive")
            principal = self._principal(s, row, "oidc")
            if principal.organisation != organisation:
                return LoginResult(None, "wrong_organisation")
            return LoginResult(principal, "ok")

    def session_principal(self, user_id: int, issued_at: datetime) -> Principal | None:
        """The user of a session cookie, while active and the session not voided since."""
        with self._sessions() as s:
            row = s.get(UserRow, user_id)
            if row is None or not row.active:
                return None
            since = _aware(row.sessions_since)
            if since and issued_at < since:
                return None
            return self._principal(s, row, "session")

    def end_sessions(self, user_id: int) -> None:
        """Logout: every session of the user issued before now is void."""
        with self._sessions() as s, s.begin():
            row = s.get(UserRow, user_id)
            if row is not None:
                row.sessions_since = _now()

    # -------------------------------------------------------------------- tokens
    def new_token(self, username: str, name: str = "token") -> str:
        """A new API token for the user; the only time it is shown."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self._sessions() as s, s.begin():
            row = self._user_row(s, username)
            s.add(
                TokenRow(
                    user_id=row.id,
                    name=name[:100],
                    prefix=token[: len(TOKEN_PREFIX) + 6],
                    token_hash=hash_token(token),
                    created_at=_now(),
                )
            )
        return token

    def tokens(self, username: str) -> list[Token]:
        with self._sessions() as s:
            row = self._user_row(s, username)
            query = select(TokenRow).where(TokenRow.user_id == row.id).order_by(TokenRow.id)
            return [
                Token(
                    t.prefix,
                    t.name,
                    t.created_at.replace(tzinfo=t.created_at.tzinfo or UTC),
                    _aware(t.last_used),
                    t.revoked_at is not None,
                )
                for t in s.scalars(query)
            ]

    def revoke_token(self, username: str, prefix: str) -> int:
        """Revoke the user's tokens starting with `prefix`; returns how many."""
        with self._sessions() as s, s.begin():
            row = self._user_row(s, username)
            found = s.scalars(
                select(TokenRow).where(
                    TokenRow.user_id == row.id,
                    TokenRow.prefix.startswith(prefix[: len(TOKEN_PREFIX) + 6]),
                    TokenRow.revoked_at.is_(None),
                )
            ).all()
            for t in found:
                t.revoked_at = _now()
            return len(found)

    def token_principal(self, token: str) -> tuple[Principal | None, bool]:
        """The user of a bearer token (None: unknown, revoked or inactive user) and whether
        this use should be audited (the first use in TOKEN_USE_AUDIT)."""
        if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None, False
        now = _now()
        with self._sessions() as s, s.begin():
            row = s.scalar(select(TokenRow).where(TokenRow.token_hash == hash_token(token)))
            if row is None or row.revoked_at is not None:
                return None, False
            user = s.get(UserRow, row.user_id)
            if user is None or not user.active:
                return None, False
            last = _aware(row.last_used)
            fresh = last is None or now - last >= TOKEN_USE_AUDIT
            if fresh:
                row.last_used = now
            return self._principal(s, user, "token", row.prefix), fresh

    # --------------------------------------------------------------------- audit
    def audit(
        self,
        who: Principal | None,
        action: str,
        target_kind: str | None = None,
        target_id: str | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        """Append one audit row. Never personal data: references, actions, outcomes."""
        with self._sessions() as s, s.begin():
            s.execute(
                insert(AuditRow).values(
                    at=_now(),
                    username=who.username if who else None,
                    organisation=who.organisation if who else None,
                    action=action,
                    target_kind=target_kind,
                    target_id=None if target_id is None else str(target_id)[:200],
                    detail=dict(detail or {}),
                )
            )

    def audit_rows(
        self, limit: int = 200, before: int | None = None, organisation: str | None = None
    ) -> list[dict[str, Any]]:
        """Newest first; `before` an id to page back from."""
        query = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
        if before is not None:
            query = query.where(AuditRow.id < before)
        if organisation is not None:
            query = query.where(AuditRow.organisation == organisation)
        with self._sessions() as s:
            return [
                {
                    "id": r.id,
                    "at": _aware(r.at).isoformat(),  # type: ignore[union-attr]
                    "user": r.username,
                    "organisation": r.organisation,
                    "action": r.action,
                    "target_kind": r.target_kind,
                    "target_id": r.target_id,
                    "detail": r.detail,
                }
                for r in s.scalars(query)
            ]


def _verify(hashed: str, password: str) -> bool:
    try:
        return _HASHER.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False
