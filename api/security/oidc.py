"""Login through an organisation's identity provider: OpenID Connect, authorization code flow
with PKCE, through authlib. The provider says who someone is (username and organisation
claims); Arrangeur decides what they may (the user must exist here, with its roles).

Configured by ARRANGEUR_OIDC_ISSUER, _CLIENT_ID, _CLIENT_SECRET, _ORGANISATION_CLAIM,
_USERNAME_CLAIM (docs/security.md). `app.state.oidc_transport` may hold an httpx transport
(the tests' stub provider)."""

from __future__ import annotations

import secrets
import time
from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.pages.templating import render
from api.security.guard import accounts_of
from api.security.sessions import Session
from api.security.settings import OidcSettings

DISCOVERY_TTL_S = 3600


def _authlib() -> Any:
    """authlib, imported when an OIDC login happens (not on every start). authlib 1.x warns
    that its httpx integration and `authlib.jose` move (to httpx2 and joserfc) in 2.0; both
    work until then (pyproject pins authlib < 2), so those notices are not shown to users."""
    import types
    import warnings

    with warnings.catch_warnings():
        import authlib.deprecate  # noqa: F401 - it sets "always" for its notices: ours come after

        warnings.filterwarnings("ignore", message=".*(httpx2|joserfc).*")
        from authlib.integrations.httpx_client import AsyncOAuth2Client
        from authlib.jose import JsonWebKey, jwt
        from authlib.jose.errors import BadSignatureError, JoseError
        from authlib.oauth2 import OAuth2Error
    return types.SimpleNamespace(
        AsyncOAuth2Client=AsyncOAuth2Client,
        JsonWebKey=JsonWebKey,
        jwt=jwt,
        BadSignatureError=BadSignatureError,
        JoseError=JoseError,
        OAuth2Error=OAuth2Error,
    )


def _client(request: Request, oidc: OidcSettings, **extra: Any) -> Any:
    transport = getattr(request.app.state, "oidc_transport", None)
    return _authlib().AsyncOAuth2Client(
        oidc.client_id,
        oidc.client_secret,
        scope="openid profile email",
        redirect_uri=str(request.url_for("oidc_callback")),
        code_challenge_method="S256",
        timeout=10,
        **({"transport": transport} if transport else {}),
        **extra,
    )


async def _provider(
    request: Request, oidc: OidcSettings, fresh: bool = False
) -> tuple[dict[str, Any], Any]:
    """The provider's metadata and signing keys (kept an hour by the app; `fresh` after a
    signature the kept keys do not know: the provider may have rotated them)."""
    state = request.app.state
    cached = getattr(state, "oidc_discovered", None)
    if cached and not fresh and time.monotonic() - cached[0] < DISCOVERY_TTL_S:
        return cached[1], _authlib().JsonWebKey.import_key_set(cached[2])
    transport = getattr(request.app.state, "oidc_transport", None)
    async with httpx.AsyncClient(timeout=10, transport=transport) as client:
        meta = (await client.get(f"{oidc.issuer}/.well-known/openid-configuration")).json()
        if meta.get("issuer", "").rstrip("/") != oidc.issuer:
            raise ValueError("issuer in de metadata wijkt af")
        keys = (await client.get(meta["jwks_uri"])).json()
    state.oidc_discovered = (time.monotonic(), meta, keys)
    return meta, _authlib().JsonWebKey.import_key_set(keys)


def _refused(message: str, status: int = 403) -> HTMLResponse:
    return HTMLResponse(render("error.html", message=message), status_code=status)


router = APIRouter(include_in_schema=False)


@router.get("/login/oidc")
async def oidc_start(request: Request, next: str = "/") -> Response:  # noqa: A002
    from api.security.routes import _next

    oidc: OidcSettings | None = request.app.state.security.oidc
    if oidc is None:
        return _refused("Inloggen via een identiteitsprovider is niet ingesteld.", 404)
    try:
        meta, _ = await _provider(request, oidc)
    except (OSError, ValueError, KeyError) as exc:
        return _refused(f"De identiteitsprovider is niet bereikbaar: {exc}", 502)
    state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    verifier = secrets.token_urlsafe(48)
    async with _client(request, oidc) as client:
        url, _ = client.create_authorization_url(
            meta["authorization_endpoint"], state=state, code_verifier=verifier, nonce=nonce
        )
    session: Session = request.state.session or Session.new()
    session.oidc = {"state": state, "nonce": nonce, "verifier": verifier, "next": _next(next)}
    session.dirty = True
    request.state.session = session
    return RedirectResponse(url, status_code=303)


@router.get("/login/oidc/callback", name="oidc_callback")
async def oidc_callback(request: Request, code: str = "", state: str = "") -> Response:
    oidc: OidcSettings | None = request.app.state.security.oidc
    session: Session | None = request.state.session
    if oidc is None:
        return _refused("Inloggen via een identiteitsprovider is niet ingesteld.", 404)
    pending = session.oidc if session else None
    if not pending or not code or not secrets.compare_digest(state, pending["state"]):
        return _refused("Het inloggen is verlopen of niet hier begonnen: probeer opnieuw.")
    accounts = accounts_of(request)
    lib = _authlib()
    try:
        meta, keys = await _provider(request, oidc)
        async with _client(request, oidc) as client:
            token = await client.fetch_token(
                meta["token_endpoint"], code=code, code_verifier=pending["verifier"]
            )
        options = {
            "iss": {"essential": True, "value": oidc.issuer},
            "aud": {"essential": True, "value": oidc.client_id},
            "nonce": {"essential": True, "value": pending["nonce"]},
            "exp": {"essential": True},
        }
        try:
            claims = lib.jwt.decode(token["id_token"], keys, claims_options=options)
        except (lib.BadSignatureError, ValueError):  # unknown key: fetch the keys once more
            _, keys = await _provider(request, oidc, fresh=True)
            claims = lib.jwt.decode(token["id_token"], keys, claims_options=options)
        claims.validate(leeway=60)
    except (lib.OAuth2Error, lib.JoseError, OSError, ValueError, KeyError) as exc:
        await run_in_threadpool(accounts.audit, None, "login.failed", "user", None,
                                {"via": "oidc", "reason": type(exc).__name__})  # fmt: skip
        return _refused("De identiteitsprovider gaf geen geldig antwoord.")
    username = str(claims.get(oidc.username_claim) or "")
    organisation = str(claims.get(oidc.organisation_claim) or "")
    result = await run_in_threadpool(accounts.external_login, username, organisation)
    if result.principal is None:
        await run_in_threadpool(accounts.audit, None, "login.failed", "user", username[:128],
                                {"via": "oidc", "reason": result.reason})  # fmt: skip
        return _refused(
            "U bent bij uw organisatie ingelogd, maar hebt (bij deze organisatie) geen "
            "account in Arrangeur: vraag het uw beheerder."
        )
    await run_in_threadpool(accounts.audit, result.principal, "login.ok", "user",
                            result.principal.username, {"via": "oidc"})  # fmt: skip
    request.state.principal = result.principal
    request.state.session = Session.new(result.principal.user_id)  # a new session
    return RedirectResponse(pending["next"], status_code=303)


def oidc_router() -> APIRouter:
    """The routes above (module level; kept as a call for install)."""
    return router
