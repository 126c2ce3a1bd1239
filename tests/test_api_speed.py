"""POST /v1/checks costs little more than the check (issue 26): the answer serialised once,
equal to the check's own; a bearer token resolved once per few seconds, not per request."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.security import token_cache
from benchmarks.placements import sample_placements
from tests.security_helpers import token


@pytest.fixture(scope="module")
def app(engine, tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    db = tmp_path_factory.mktemp("speed") / "c.db"
    return create_app(engine.rulebase, database_url=f"sqlite:///{db}")


def test_the_answer_is_the_checks_own(app, engine):
    client = TestClient(app, headers={"Authorization": f"Bearer {token(app, 'raadpleger')}"})
    for placement in sample_placements(engine, 20, seed=5):
        r = client.post("/v1/checks", json=placement)
        assert r.status_code == 200 and r.headers["content-type"] == "application/json"
        assert r.json() == engine.check(placement).model_dump(mode="json")


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
