"""Login through an identity provider (OpenID Connect), against a stub provider in-process:
discovery, authorization with PKCE, the token endpoint, a signed ID token."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.security.oidc import _authlib
from engine.rulesets.registry import load_rulebase
from tests.conftest import MINI
from tests.security_helpers import user

JsonWebKey, jwt = _authlib().JsonWebKey, _authlib().jwt  # without authlib's 2.0 notices
ISSUER = "https://idp.gemeente.example"
CLIENT = "arrangeur"


class StubProvider:
    """Discovery, JWKS and a token endpoint that checks the code and the PKCE verifier."""

    def __init__(self) -> None:
        self.key = JsonWebKey.generate_key("RSA", 2048, is_private=True, options={"kid": "k1"})
        self.codes: dict[str, dict] = {}  # code -> the claims the user logs in with
        self.challenges: dict[str, str] = {}

    def authorize(self, url: str, claims: dict, nonce: str | None = None) -> str:
        """The user logs in at the provider; returns the callback path with code and state."""
        q = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        assert q["code_challenge_method"] == "S256" and q["client_id"] == CLIENT
        code = f"code-{len(self.codes)}"
        self.codes[code] = {**claims, "nonce": nonce or q["nonce"]}
        self.challenges[code] = q["code_challenge"]
        return f"{urlsplit(q['redirect_uri']).path}?code={code}&state={q['state']}"

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/.well-known/openid-configuration":
            return httpx.Response(200, json={
                "issuer": ISSUER, "authorization_endpoint": f"{ISSUER}/auth",
                "token_endpoint": f"{ISSUER}/token", "jwks_uri": f"{ISSUER}/jwks"})  # fmt: skip
        if path == "/jwks":
            return httpx.Response(200, json={"keys": [self.key.as_dict(is_private=False)]})
        if path == "/token":
            form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
            code = form.get("code", "")
            verifier = form.get("code_verifier", "").encode()
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=")
            if code not in self.codes or challenge.decode() != self.challenges[code]:
                return httpx.Response(400, json={"error": "invalid_grant"})
            now = int(time.time())
            claims = {"iss": ISSUER, "aud": CLIENT, "sub": "s-1", "iat": now, "exp": now + 300,
                      **self.codes.pop(code)}  # fmt: skip
            id_token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, self.key).decode()
            return httpx.Response(200, json={
                "access_token": "a", "token_type": "Bearer", "id_token": id_token})  # fmt: skip
        return httpx.Response(404)


@pytest.fixture
def idp(tmp_path, monkeypatch) -> tuple[FastAPI, StubProvider]:
    monkeypatch.setenv("ARRANGEUR_OIDC_ISSUER", ISSUER)
    monkeypatch.setenv("ARRANGEUR_OIDC_CLIENT_ID", CLIENT)
    monkeypatch.setenv("ARRANGEUR_OIDC_CLIENT_SECRET", "geheim")
    app = create_app(load_rulebase(MINI), database_url=f"sqlite:///{tmp_path / 'c.db'}")
    provider = StubProvider()
    app.state.oidc_transport = httpx.MockTransport(provider.handle)
    return app, provider


def start(client: TestClient, next_: str = "/caseload") -> str:
    r = client.get("/login/oidc", params={"next": next_}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith(f"{ISSUER}/auth?")
    return r.headers["location"]


def test_a_user_of_the_organisation_logs_in_through_its_provider(idp):
    app, provider = idp
    user(app, "accountmanager", "delft", "j.jansen")
    client = TestClient(app)
    assert "Inloggen via uw organisatie" in client.get("/login").text
    callback = provider.authorize(
        start(client), {"preferred_username": "j.jansen", "organisation": "delft"}
    )
    r = client.get(callback, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/caseload"
    page = client.get("/caseload")
    assert page.status_code == 200 and "j.jansen" in page.text
    ok = [r for r in app.state.accounts().audit_rows() if r["action"] == "login.ok"]
    assert ok[0]["detail"] == {"via": "oidc"} and ok[0]["organisation"] == "delft"


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"preferred_username": "onbekend", "organisation": "delft"}, "unknown"),
        ({"preferred_username": "p.pietersen", "organisation": "leiden"}, "wrong_organisation"),
    ],
)
def test_the_provider_cannot_make_users_or_move_them(idp, claims, reason):
    app, provider = idp
    user(app, "beheerder", "delft", "p.pietersen")
    client = TestClient(app)
    r = client.get(provider.authorize(start(client), claims), follow_redirects=False)
    assert r.status_code == 403
    assert client.get("/caseload", follow_redirects=False).status_code == 303
    failed = [r for r in app.state.accounts().audit_rows() if r["action"] == "login.failed"]
    assert failed[0]["detail"] == {"via": "oidc", "reason": reason}


def test_a_callback_not_begun_here_a_wrong_state_or_nonce_is_refused(idp):
    app, provider = idp
    user(app, "accountmanager", "delft", "k.klaassen")
    claims = {"preferred_username": "k.klaassen", "organisation": "delft"}
    victim = TestClient(app)
    # an attacker's own login, finished in the victim's browser (login CSRF): no state there
    attacker = TestClient(app)
    callback = provider.authorize(start(attacker), claims)
    assert victim.get(callback, follow_redirects=False).status_code == 403
    # the state altered
    callback = provider.authorize(start(victim), claims)
    forged = callback.replace("state=", "state=x")
    assert victim.get(forged, follow_redirects=False).status_code == 403
    # an ID token with another nonce (replayed)
    callback = provider.authorize(start(victim), claims, nonce="oud")
    assert victim.get(callback, follow_redirects=False).status_code == 403
    assert victim.get("/caseload", follow_redirects=False).status_code == 303


def test_without_a_provider_the_routes_say_so(tmp_path):
    app = create_app(load_rulebase(MINI), database_url=f"sqlite:///{tmp_path / 'c.db'}")
    client = TestClient(app)
    assert client.get("/login/oidc").status_code == 404
    assert "Inloggen via uw organisatie" not in client.get("/login").text
    assert json.dumps(app.state.security.oidc) == "null"
