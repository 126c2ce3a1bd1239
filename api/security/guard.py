"""The global dependency: who is asking (bearer token or session cookie), may they (the
policy table), and is a state-changing request with a cookie really from our own pages (CSRF
token and Origin). Independent of how routes are organised: it reads the route FastAPI matched.
"""

from __future__ import annotations

import json
import secrets
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from markupsafe import Markup, escape

from api.security.policy import PUBLIC, PUBLIC_CHECKS, Rule, rule_for
from api.security.sessions import Session
from api.security.token_cache import tokens
from engine.accounts import Accounts, Principal

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")

_csrf: ContextVar[str] = ContextVar("arrangeur_csrf", default="")
_principal: ContextVar[Principal | None] = ContextVar("arrangeur_principal", default=None)


class LoginRequired(Exception):
    def __init__(self, message: str = "inloggen vereist"):
        super().__init__(message)
        self.message = message


class Refused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def csrf_field() -> Markup:
    """The hidden field every state-changing form carries (a Jinja2 global)."""
    return Markup('<input type="hidden" name="%s" value="%s">') % (CSRF_FIELD, escape(_csrf.get()))


def current_principal() -> Principal | None:
    """The user of the request being answered (None: nobody logged in)."""
    return _principal.get()


def set_csrf(token: str) -> Any:
    return _csrf.set(token)


def reset_csrf(mark: Any) -> None:
    _csrf.reset(mark)


def route_template(scope: dict[str, Any]) -> str | None:
    """The matched route's path template with its router's prefix, as FastAPI registered it."""
    context = scope.get("fastapi", {}).get("effective_route_context")
    path = getattr(context, "path_format", None)
    if path:
        return path
    route = scope.get("route")
    return getattr(route, "path_format", None)


def is_api(path: str) -> bool:
    return path.startswith("/v1/")


def accounts_of(request: Request) -> Accounts:
    return request.app.state.accounts()


def bearer(request: Request) -> str | None:
    value = request.headers.get("authorization", "")
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def resolve(request: Request) -> tuple[Principal | None, str]:
    """The principal, or None with why (for the 401)."""
    token = bearer(request)
    if token is not None:
        accounts = accounts_of(request)
        kept = tokens.get(accounts, token)  # resolved in the last seconds: no database trip
        if kept is not None:
            return kept, ""
        principal, fresh = await run_in_threadpool(accounts.token_principal, token)
        if principal is None:
            return None, "token onbekend of ingetrokken"
        tokens.keep(accounts, token, principal)
        if fresh:
            await run_in_threadpool(
                accounts_of(request).audit, principal, "token.use", "token",
                principal.token_prefix, {}
            )  # fmt: skip
        return principal, ""
    session: Session | None = request.state.session
    if session is not None and session.user_id is not None:
        issued = datetime.fromtimestamp(session.issued, UTC)
        principal = await run_in_threadpool(
            accounts_of(request).session_principal, session.user_id, issued
        )
        if principal is None:
            return None, "sessie verlopen"
        return principal, ""
    return None, "inloggen vereist"


def _same_origin(request: Request) -> bool:
    """Origin (else Referer), when the browser sends one, names this server's host."""
    host = request.headers.get("host", "")
    for header in ("origin", "referer"):
        value = request.headers.get(header)
        if value:
            return value != "null" and urlsplit(value).netloc == host
    return True  # neither sent (privacy settings): the token alone decides


async def check_csrf(request: Request) -> None:
    """A state-changing request that carries the session cookie must come from our own page:
    same Origin and the session's CSRF token (form field or X-CSRF-Token). Bearer requests
    carry no ambient credential and are exempt."""
    if request.method not in UNSAFE or bearer(request) is not None:
        return
    if not request.state.had_session_cookie:
        return
    if not _same_origin(request):
        raise Refused(403, "verzoek van een andere website geweigerd (Origin)")
    session: Session | None = request.state.session
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(FORMS):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if session is None or not sent or not secrets.compare_digest(sent, session.csrf):
        raise Refused(403, "formulier verlopen of niet van deze website: laad de pagina opnieuw")


async def _target(request: Request, rule: Rule) -> str | None:
    if rule.target is None:
        return None
    if not rule.target.startswith("body:"):
        value = request.path_params.get(rule.target)
        return None if value is None else str(value)
    field = rule.target.removeprefix("body:")
    try:
        if request.headers.get("content-type", "").startswith(FORMS):
            value = (await request.form()).get(field)
        else:
            value = json.loads(await request.body()).get(field)
    except (ValueError, AttributeError):
        return None
    return value.strip()[:200] if isinstance(value, str) else None


async def authorize(request: Request) -> None:
    """The global dependency (FastAPI(dependencies=[Depends(authorize)]))."""
    await authorize_route(request, route_template(request.scope))


async def authorize_route(request: Request, template: str | None) -> None:
    """The guard for a request to the route `template`: also called by a path that answers
    without FastAPI's routing (api/routers/checks.py), so both pass the same checks."""
    method = request.method
    rule = rule_for(method, template or "")
    settings = request.app.state.security
    if rule is None:  # a route nobody decided about: closed (and the matrix test fails)
        raise Refused(403, f"geen toegangsregel voor {method} {template}")
    request.state.csp = rule.csp
    principal, why = await resolve(request)
    request.state.principal = principal
    _principal.set(principal)
    need = rule.need
    if need == PUBLIC_CHECKS:
        need = PUBLIC if settings.public_checks else "raadpleger"
    if need != PUBLIC and principal is None:
        raise LoginRequired(why)
    await check_csrf(request)  # before anything is done in the user's name
    if need != PUBLIC and principal is not None and not principal.has(need):
        if rule.audit:
            request.state.audit = ("access.denied", rule.target_kind, None, {
                "route": f"{method} {template}", "needs": need})  # fmt: skip
        raise Refused(403, f"hiervoor is de rol {need} nodig")
    if rule.audit:
        detail: dict[str, Any] = {"route": f"{method} {template}"}
        if principal is not None and principal.via == "token":
            detail["token"] = principal.token_prefix
        fmt = request.query_params.get("format")
        if fmt:
            detail["format"] = fmt[:10]
        request.state.audit = (rule.audit, rule.target_kind, await _target(request, rule), detail)


def login_redirect(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/login?next=" + quote(target, safe="")
