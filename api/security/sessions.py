"""The session cookie: signed (itsdangerous, HMAC-SHA1 over the app's secret key), holding the
user's id, the CSRF token and two times; nothing personal. HttpOnly, SameSite=Lax, Secure
behind TLS; ends after ARRANGEUR_SESSION_IDLE_MINUTES without a request and after
ARRANGEUR_SESSION_MAX_MINUTES in all. Logging out voids every session of the user
(engine.accounts: sessions issued before the logout are refused)."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer

from api.security.settings import SecuritySettings

COOKIE = "arrangeur_sessie"
# behind TLS the browser itself keeps the cookie to this exact host, https and path / only
SECURE_COOKIE = "__Host-arrangeur_sessie"
REFRESH_S = 60  # the idle clock is moved at most once a minute (one Set-Cookie a minute)


@dataclass
class Session:
    csrf: str
    issued: float
    seen: float
    user_id: int | None = None
    dirty: bool = False  # to be sent back (new, renewed or changed)
    oidc: dict[str, str] | None = None  # state, nonce, PKCE verifier while an OIDC login runs

    @classmethod
    def new(cls, user_id: int | None = None) -> Session:
        now = time.time()
        return cls(secrets.token_urlsafe(32), now, now, user_id, True)


class SessionCodec:
    def __init__(self, settings: SecuritySettings):
        self.settings = settings
        self._signer = URLSafeSerializer(settings.secret_key, salt="arrangeur-sessie")
        self.name = SECURE_COOKIE if settings.secure_cookies else COOKIE

    def decode(self, raw: str | None) -> Session | None:
        """The cookie's session, or None when absent, forged or expired."""
        if not raw:
            return None
        try:
            data: Any = self._signer.loads(raw)
            session = Session(str(data["c"]), float(data["i"]), float(data["s"]), data.get("u"))
            session.oidc = data.get("o")
        except (BadSignature, KeyError, TypeError, ValueError):
            return None
        now = time.time()
        if (
            now - session.seen > self.settings.idle_minutes * 60
            or now - session.issued > self.settings.absolute_minutes * 60
            or session.issued > now + 60
        ):
            return None
        if now - session.seen > REFRESH_S:
            session.seen, session.dirty = now, True
        return session

    def encode(self, session: Session) -> str:
        data = {"c": session.csrf, "i": session.issued, "s": session.seen, "u": session.user_id}
        if session.oidc:
            data["o"] = session.oidc
        return self._signer.dumps(data)

    def set_cookie_header(self, session: Session | None) -> bytes:
        """The Set-Cookie value; None clears the cookie."""
        cookie: SimpleCookie = SimpleCookie()
        cookie[self.name] = self.encode(session) if session else ""
        morsel = cookie[self.name]
        morsel["path"] = "/"
        morsel["httponly"] = True
        morsel["samesite"] = "Lax"
        if self.settings.secure_cookies:
            morsel["secure"] = True
        if session is None:
            morsel["max-age"] = 0
        else:  # the browser forgets it with the absolute timeout at the latest
            morsel["max-age"] = int(self.settings.absolute_minutes * 60)
        return morsel.OutputString().encode("latin-1")


def cookie_value(headers: list[tuple[bytes, bytes]], name: str = COOKIE) -> str | None:
    for header, value in headers:
        if header == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # noqa: BLE001 - a malformed Cookie header is no session
                return None
            if name in jar:
                return jar[name].value
    return None
