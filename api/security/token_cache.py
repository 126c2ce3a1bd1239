"""Bearer tokens resolved in the last few seconds (issue 26): a request with a token otherwise
costs a database transaction and a thread hop before the check (about as much as the check).

Kept: the token's hash (never the token) -> the principal, for TOKEN_CACHE_SECONDS, at most
TOKEN_CACHE_SIZE entries, per accounts store. Only tokens that resolved are kept: an unknown
token asks the database every time. A revoked token, or a deactivated user, stops working
within TOKEN_CACHE_SECONDS in every process (docs/security.md); the first use in an hour is
still audited, by the lookup that was not cached.
"""

from __future__ import annotations

import threading
import time

from engine.accounts import Accounts, Principal
from engine.accounts.store import hash_token

TOKEN_CACHE_SECONDS = 5.0
TOKEN_CACHE_SIZE = 4_096


def _clock() -> float:
    return time.monotonic()


class TokenCache:
    def __init__(self, seconds: float = TOKEN_CACHE_SECONDS, size: int = TOKEN_CACHE_SIZE):
        self.seconds, self.size = seconds, size
        self._kept: dict[tuple[int, str], tuple[float, Principal]] = {}
        self._lock = threading.Lock()

    def get(self, accounts: Accounts, token: str) -> Principal | None:
        key = (id(accounts), hash_token(token))
        found = self._kept.get(key)
        if found is None:
            return None
        if _clock() >= found[0]:
            with self._lock:
                self._kept.pop(key, None)
            return None
        return found[1]

    def keep(self, accounts: Accounts, token: str, principal: Principal) -> None:
        with self._lock:
            if len(self._kept) >= self.size:
                self._kept.clear()  # bounded; refilled by the next lookups
            self._kept[(id(accounts), hash_token(token))] = (
                _clock() + self.seconds,
                principal,
            )

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


tokens = TokenCache()
