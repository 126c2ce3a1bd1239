"""Login, logout, health and the audit (API and page for beheerders)."""

from __future__ import annotations

import secrets
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.pages.templating import render
from api.security.guard import CSRF_FIELD, accounts_of
from api.security.sessions import Session
from engine.accounts import LOCKOUT

FAILED = (
    "Onjuiste gebruikersnaam of wachtwoord, of het account is tijdelijk geblokkeerd na te veel "
    f"mislukte pogingen (dan {int(LOCKOUT.total_seconds() // 60)} minuten wachten)."
)


def _next(value: str | None) -> str:
    """Only a path on this server: never an open redirect."""
    if value and value.startswith("/") and not value.startswith(("//", "/\\")):
        return value
    return "/"


router = APIRouter()


@router.get("/healthz", include_in_schema=False)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


def login_page(
    request: Request, next_: str, error: str = "", status: int = 200, username: str = ""
) -> Any:
    oidc = request.app.state.security.oidc
    oidc_label = oidc.label if oidc else ""
    return HTMLResponse(
        render(
            "login.html",
            nav="login",
            next=next_,
            error=error,
            username=username,
            oidc=oidc_label,
            oidc_url="/login/oidc?" + urlencode({"next": next_}),
        ),
        status_code=status,
    )


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_form(request: Request, next: str | None = None) -> Any:  # noqa: A002
    return login_page(request, _next(next))


@router.post("/login", response_class=HTMLResponse, include_in_schema=False)
async def login(
    request: Request,
    username: Annotated[str, Form(max_length=128)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",  # noqa: A002
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD, max_length=200)] = "",
) -> Any:
    session: Session | None = request.state.session
    # the login form too carries the token (login CSRF): without the cookie, refused
    if (
        not request.state.had_session_cookie
        or session is None
        or not secrets.compare_digest(csrf_token, session.csrf)
    ):
        return login_page(
            request, _next(next), "Het formulier is verlopen: probeer het opnieuw.", 403
        )
    accounts = accounts_of(request)
    result = await run_in_threadpool(accounts.login, username.strip(), password)
    if result.principal is None:
        await run_in_threadpool(
            accounts.audit, None, "login.failed", "user", username.strip()[:128],
            {"reason": result.reason},
        )  # fmt: skip
        return login_page(request, _next(next), FAILED, 401, username.strip())
    request.state.principal = result.principal
    await run_in_threadpool(accounts.audit, result.principal, "login.ok", "user",
                            result.principal.username, {})  # fmt: skip
    # a new session (new CSRF token) on login: a session fixed before it is worthless
    request.state.session = Session.new(result.principal.user_id)
    return RedirectResponse(_next(next), status_code=303)


@router.post("/logout", include_in_schema=False)
async def logout(request: Request) -> Response:
    session: Session | None = request.state.session
    principal = request.state.principal
    if principal is not None and principal.via == "session" and session is not None:
        accounts = accounts_of(request)
        await run_in_threadpool(accounts.end_sessions, session.user_id)
        await run_in_threadpool(accounts.audit, principal, "logout", "user",
                                principal.username, {})  # fmt: skip
    request.state.session = None
    request.state.clear_session = True
    return RedirectResponse("/login", status_code=303)


def rows(request: Request, limit: int, before: int | None, organisation: str | None) -> Any:
    return accounts_of(request).audit_rows(limit, before, organisation)


@router.get("/v1/audit", tags=["beheer"])
async def get_audit(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    before: Annotated[int | None, Query(ge=1, description="id: oudere regels")] = None,
    organisation: Annotated[str | None, Query(max_length=64)] = None,
) -> list[dict[str, Any]]:
    """The audit, newest first (beheerder). Append-only: there is no way to change it."""
    return await run_in_threadpool(rows, request, limit, before, organisation)


@router.get("/beheer/audit", response_class=HTMLResponse, include_in_schema=False)
async def audit_page(
    request: Request,
    before: Annotated[int | None, Query(ge=1)] = None,
    organisation: Annotated[str | None, Query(max_length=64)] = None,
) -> Any:
    found = await run_in_threadpool(rows, request, 200, before, organisation)
    older = found[-1]["id"] if len(found) == 200 else None
    return HTMLResponse(render("beheer_audit.html", nav="beheer", rows=found, older=older,
                               organisation=organisation or ""))  # fmt: skip


def security_router() -> APIRouter:
    """The routes above (module level: one router per app is enough; kept as a call for install)."""
    return router
