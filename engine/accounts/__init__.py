"""Accounts: organisations, users with roles, API tokens and the append-only audit, kept in
the caseload's database (engine.storage.database). See docs/security.md."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.accounts.errors import AccountError
from engine.accounts.principal import CLI, RANK, ROLES, Principal
from engine.accounts.store import (
    LOCKOUT,
    MAX_FAILURES,
    Accounts,
    LoginResult,
    Organisation,
    Token,
    User,
)
from engine.accounts.tables import KINDS

__all__ = [
    "CLI",
    "KINDS",
    "LOCKOUT",
    "MAX_FAILURES",
    "RANK",
    "ROLES",
    "AccountError",
    "Accounts",
    "LoginResult",
    "Organisation",
    "Principal",
    "Token",
    "User",
    "audit",
]


def audit(
    who: Any,
    action: str,
    target_kind: str | None = None,
    target_id: str | None = None,
    detail: Mapping[str, Any] | None = None,
    accounts: Accounts | None = None,
) -> None:
    """Write an audit row for `who`: a Principal, or a request whose app holds the accounts
    (`request.app.state.accounts`) and whose state holds the principal."""
    principal = who if isinstance(who, Principal) or who is None else None
    if principal is None:
        principal = getattr(getattr(who, "state", None), "principal", None)
        if accounts is None:
            accounts = getattr(who.app.state, "accounts", None)
            accounts = accounts() if callable(accounts) else accounts
    if accounts is None:
        raise AccountError("audit: geen accountsopslag")
    accounts.audit(principal, action, target_kind, target_id, detail)
