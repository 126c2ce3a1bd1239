"""Safe by default: login (session cookie or bearer token), one access table (policy.py),
CSRF, trusted hosts, security headers and the audit. `install(app)` right after FastAPI(...)
and before any route: the dependency is added to the app's router, so every route, however it
is organised into routers later, passes through it. See docs/security.md."""

from __future__ import annotations

import threading
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.middleware.trustedhost import TrustedHostMiddleware

from api.pages.templating import environment, render
from api.security.guard import (
    LoginRequired,
    Refused,
    authorize,
    csrf_field,
    current_principal,
    is_api,
    login_redirect,
)
from api.security.middleware import SecurityMiddleware
from api.security.policy import POLICY, Rule, rule_for
from api.security.sessions import SessionCodec
from api.security.settings import SecuritySettings
from engine.accounts import Accounts

# every page can carry the form token and name who is logged in (also when rendered elsewhere)
environment().globals.update(csrf_field=csrf_field, current_user=current_principal)

__all__ = [
    "POLICY",
    "Rule",
    "SecuritySettings",
    "SharedAccounts",
    "current_principal",
    "install",
    "rule_for",
]


class SharedAccounts:
    """The accounts store, opened on first use (in the caseload's database)."""

    def __init__(self, database_url: str | None = None):
        self._url = database_url
        self._opened: Accounts | None = None
        self._lock = threading.Lock()

    def __call__(self) -> Accounts:
        with self._lock:
            if self._opened is None:
                self._opened = Accounts(self._url)
            return self._opened


async def _login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    if is_api(request.url.path):
        return JSONResponse(
            status_code=401,
            content={"detail": exc.message},
            headers={"www-authenticate": "Bearer"},
        )
    return RedirectResponse(login_redirect(request), status_code=303)


async def _refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Refused)
    if is_api(request.url.path):
        return JSONResponse(status_code=exc.status, content={"detail": exc.message})
    return HTMLResponse(render("error.html", message=exc.message), status_code=exc.status)


def install(
    app: FastAPI,
    database_url: str | None = None,
    settings: SecuritySettings | None = None,
) -> SecuritySettings:
    """Guard `app`: call before its routes are added."""
    settings = settings or SecuritySettings.from_environment()
    accounts = SharedAccounts(database_url)
    app.state.security = settings
    app.state.accounts = accounts
    app.router.dependencies.append(Depends(authorize))
    # added first, so inside: a refused Host still gets the security headers
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(settings.allowed_hosts))
    app.add_middleware(SecurityMiddleware, codec=SessionCodec(settings), accounts=accounts)
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(Refused, _refused)

    from api.security.oidc import oidc_router
    from api.security.routes import security_router

    app.include_router(security_router())
    app.include_router(oidc_router())
    return settings


def all_routes(app: FastAPI) -> list[tuple[str, str, Any]]:
    """Every (method, path template, route) the app answers, also in included routers."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # FastAPI before lazy included routers: the routes are flat
        contexts = [(r, getattr(r, "path_format", getattr(r, "path", ""))) for r in app.routes]
    else:
        contexts = [(c.original_route, c.path_format) for c in iter_route_contexts(app.routes)]
    out = []
    for route, path in contexts:
        for method in sorted(getattr(route, "methods", None) or []):
            if method != "HEAD":
                out.append((method, path, route))
        if not getattr(route, "methods", None):
            out.append(("*", path, route))  # mounts: static files
    return out
