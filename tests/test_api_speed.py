"""POST /v1/checks costs little more than the check (issue 26): answered below FastAPI's routing
(api.routers.checks.FastChecks) with the same answers, errors and headers as FastAPI's route;
the answer serialised once, byte for byte the check's own; a bearer token resolved once per few
seconds, not per request."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

import api.routers.checks as checks
from api.app import create_app
from api.routers.checks import FastChecks
from api.security import token_cache
from benchmarks.placements import sample_placements
from tests.security_helpers import csrf, logged_in, token


@pytest.fixture(scope="module")
def app(engine, tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    db = tmp_path_factory.mktemp("speed") / "c.db"
    return create_app(engine.rulebase, database_url=f"sqlite:///{db}")


@pytest.fixture(scope="module")
def plain(engine, app: FastAPI) -> FastAPI:
    """The same app without FastChecks (its stack is built on the first request): every check
    through FastAPI's route, as before issue 26. Same database, so the same tokens."""
    other = create_app(engine.rulebase, database_url=app.state.caseload._url)
    other.user_middleware = [m for m in other.user_middleware if m.cls is not FastChecks]
    return other


@pytest.fixture
def fast_path_calls(monkeypatch) -> list[str]:
    """Counts the checks FastChecks answered itself (FastAPI's route calls the guard directly)."""
    calls: list[str] = []
    guard = checks.authorize_route

    async def counting(request: Any, template: str | None) -> None:
        calls.append(template or "")
        await guard(request, template)

    monkeypatch.setattr(checks, "authorize_route", counting)
    return calls


def _same(a, b) -> None:
    """Same status, body and headers (a session cookie, signed at another moment, aside)."""
    assert (a.status_code, a.content) == (b.status_code, b.content)
    skip = {"set-cookie", "date", "server"}
    assert {k: v for k, v in a.headers.items() if k not in skip} == {
        k: v for k, v in b.headers.items() if k not in skip
    }


def test_the_answer_is_the_checks_own_byte_for_byte(app, engine, fast_path_calls):
    client = TestClient(app, headers={"Authorization": f"Bearer {token(app, 'raadpleger')}"})
    placements = sample_placements(engine, 12, seed=5)
    for placement in placements:
        r = client.post("/v1/checks", json=placement)
        assert r.status_code == 200 and r.headers["content-type"] == "application/json"
        assert r.content == engine.check(placement).model_dump_json().encode()
        assert r.json() == engine.check(placement).model_dump(mode="json")
    assert len(fast_path_calls) == len(placements)  # all answered by FastChecks


def test_fast_and_plain_app_answer_alike(app, plain, engine, fast_path_calls):
    headers = {"Authorization": f"Bearer {token(app, 'raadpleger')}"}
    fast, slow = TestClient(app, headers=headers), TestClient(plain, headers=headers)
    good = sample_placements(engine, 4, seed=11)
    unknown_gemeente = copy.deepcopy(good[0])
    unknown_gemeente["candidate"]["woongemeente"] = "Atlantis"  # the engine refuses it
    wrong_order = copy.deepcopy(good[0])
    wrong_order["candidate"]["geboortedatum"] = "2090-01-01"  # the model refuses it
    extra = {**good[1], "opmerking": "x"}
    requests: list[dict[str, Any]] = [{"json": p} for p in good] + [
        {"json": unknown_gemeente},
        {"json": wrong_order},
        {"json": extra},
        {"json": {"candidate": {}}},
        {"json": [good[0]]},
        {"json": {**good[2], "job": {**good[2]["job"], "uren_per_week": "veel"}}},
        {"content": b'{"candidate": ', "headers": {"content-type": "application/json"}},
        {"content": b"", "headers": {"content-type": "application/json"}},
        {"content": b"\xff\xfe", "headers": {"content-type": "application/json"}},
        {"json": good[3], "headers": {"content-type": "text/plain"}},
        {"json": good[3], "headers": {"content-type": "application/json; charset=utf-8"}},
        {"json": good[3], "headers": {"Authorization": "Bearer arr_onbekend"}},
        {"json": good[3], "headers": {"Authorization": ""}},  # no login
        {"json": {"candidate": {}}, "headers": {"Authorization": ""}},  # 401 before 422
    ]
    for kwargs in requests:
        _same(fast.post("/v1/checks", **kwargs), slow.post("/v1/checks", **kwargs))
    # the valid placements, the one the engine refuses, the charset one, the unknown token and
    # the missing login went through FastChecks; the rest through FastAPI's route
    assert len(fast_path_calls) == len(good) + 4


def test_a_session_needs_its_csrf_token_on_the_fast_path_too(app, plain, engine):
    placement = sample_placements(engine, 1, seed=3)[0]
    for guarded in (app, plain):
        client = logged_in(guarded, "raadpleger")
        r = client.post("/v1/checks", json=placement)
        assert r.status_code == 403 and "formulier verlopen" in r.json()["detail"]
        form = csrf(client.get("/").text)
        r = client.post("/v1/checks", json=placement, headers={"x-csrf-token": form})
        assert (
            r.status_code == 200 and r.content == engine.check(placement).model_dump_json().encode()
        )
        assert r.headers["cache-control"] == "no-store"  # a principal: personal
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


def test_the_host_is_checked_before_the_fast_path(app, plain, engine):
    placement = sample_placements(engine, 1, seed=3)[0]
    headers = {"Authorization": f"Bearer {token(app, 'raadpleger')}", "host": "evil.example"}
    r = TestClient(app).post("/v1/checks", json=placement, headers=headers)
    assert r.status_code == 400 and r.text == "Invalid host header"
    _same(r, TestClient(plain).post("/v1/checks", json=placement, headers=headers))


def test_bad_input_is_still_422(app):
    client = TestClient(app, headers={"Authorization": f"Bearer {token(app, 'raadpleger')}"})
    r = client.post("/v1/checks", json={"candidate": {}})
    assert r.status_code == 422


def test_a_token_is_looked_up_once_within_the_window(app, monkeypatch):
    secret = token(app, "raadpleger", "gemeente-c")
    accounts = app.state.accounts()
    calls = []
    looked_up = type(accounts).token_principal

    def counting(self, value):
        calls.append(value)
        return looked_up(self, value)

    monkeypatch.setattr(type(accounts), "token_principal", counting)
    client = TestClient(app, headers={"Authorization": f"Bearer {secret}"})
    for _ in range(3):
        assert client.get("/v1/instruments").status_code == 200
    assert len(calls) == 1
    later = token_cache._clock() + token_cache.TOKEN_CACHE_SECONDS + 0.1
    monkeypatch.setattr(token_cache, "_clock", lambda: later)
    assert client.get("/v1/instruments").status_code == 200
    assert len(calls) == 2  # the window passed: asked again


def test_an_unknown_token_is_never_kept(app):
    client = TestClient(app, headers={"Authorization": "Bearer arr_onbekend"})
    assert client.get("/v1/instruments").status_code == 401
    assert client.get("/v1/instruments").status_code == 401
