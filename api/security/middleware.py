"""Every response's security headers, the session cookie in and out, and the audit row of an
audited request written after its response (with the status it got)."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.security.guard import reset_csrf, set_csrf
from api.security.sessions import Session, SessionCodec, cookie_value
from engine.accounts import Accounts

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
REPORT_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
HEADERS = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}
_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.S)
DOCS_MAX = 64 * 1024  # the generated docs pages are about 1 KB


def docs_csp(body: bytes) -> str:
    """The docs pages' CSP: their inline scripts allowed by hash, nothing else inline."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s).digest()).decode() + "'"
        for s in _INLINE_SCRIPT.findall(body)
    )
    return REPORT_CSP.replace("script-src 'self'", f"script-src 'self' {hashes}".rstrip())


class SecurityMiddleware:
    def __init__(self, app: ASGIApp, codec: SessionCodec, accounts: Callable[[], Accounts]):
        self.app = app
        self.codec = codec
        self.accounts = accounts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw = cookie_value(scope["headers"], self.codec.name)
        session = self.codec.decode(raw)
        path: str = scope["path"]
        if session is None and not path.startswith(("/v1/", "/static")):
            session = Session.new()  # anonymous: carries the CSRF token of the login form
        state: dict[str, Any] = scope.setdefault("state", {})
        state.update(session=session, had_session_cookie=raw is not None, clear_session=False)
        mark = set_csrf(session.csrf if session else "")
        status = 500
        held: list[Message] = []

        async def send_wrapped(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                self._headers(message, state)
                if state.get("csp") == "docs" and status == 200:
                    held.append(message)  # the CSP needs the body's inline scripts
                    return
            elif held:
                held.append(message)
                size = sum(len(m.get("body", b"")) for m in held[1:])
                if message.get("more_body") and size <= DOCS_MAX:
                    return
                body = b"".join(m.get("body", b"") for m in held[1:])
                start = held[0]
                MutableHeaders(scope=start)["content-security-policy"] = docs_csp(body)
                held.clear()
                await send(start)
                await send({"type": "http.response.body", "body": body,
                            "more_body": message.get("more_body", False)})  # fmt: skip
                return
            await send(message)

        try:
            await self.app(scope, receive, send_wrapped)
        finally:
            reset_csrf(mark)
            entry = state.get("audit")
            if entry:
                action, kind, target, detail = entry
                await run_in_threadpool(
                    self.accounts().audit, state.get("principal"), action, kind, target,
                    {**detail, "status": status},
                )  # fmt: skip

    def _headers(self, message: Message, state: dict[str, Any]) -> None:
        headers = MutableHeaders(scope=message)
        csp = REPORT_CSP if state.get("csp") in ("report", "docs") else CSP
        headers["content-security-policy"] = csp
        for name, value in HEADERS.items():
            headers[name] = value
        if state.get("principal") is not None and "cache-control" not in headers:
            headers["cache-control"] = "no-store"  # personal pages stay out of shared caches
        session: Session | None = state.get("session")
        if state.get("clear_session"):
            headers.append("set-cookie", self.codec.set_cookie_header(None).decode("latin-1"))
        elif session is not None and session.dirty:
            headers.append("set-cookie", self.codec.set_cookie_header(session).decode("latin-1"))
