"""Every route × (no login, each role, another organisation) against the one access table
(api/security/policy.py). A route without an entry fails here, and is refused when served."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.security import all_routes, rule_for
from api.security.policy import PUBLIC, PUBLIC_CHECKS
from engine.accounts import RANK, ROLES
from engine.rulesets.registry import load_rulebase
from tests.conftest import MINI
from tests.security_helpers import signed_in


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    db = tmp_path_factory.mktemp("matrix") / "c.db"
    return create_app(load_rulebase(MINI), rules_dir=MINI, database_url=f"sqlite:///{db}")


def unruled(app: FastAPI) -> list[tuple[str, str]]:
    return [(m, p) for m, p, _ in all_routes(app) if rule_for(m, p) is None]


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x", path)


def requests(app: FastAPI) -> list[tuple[str, str, str]]:
    """(method, template, a concrete path) for every route that is not a static mount."""
    return [(m, p, concrete(p)) for m, p, _ in all_routes(app) if m != "*"]


def test_every_route_has_an_entry_in_the_access_table(app):
    assert unruled(app) == []
    assert len(requests(app)) >= 45  # the table is not empty by accident


def test_a_new_route_without_an_entry_fails_the_matrix_and_is_refused(app, tmp_path):
    fresh = create_app(load_rulebase(MINI), database_url=f"sqlite:///{tmp_path / 'c.db'}")

    @fresh.get("/v1/nieuw")
    def nieuw() -> dict[str, str]:
        return {"geheim": "ja"}

    assert unruled(fresh) == [("GET", "/v1/nieuw")]
    r = signed_in(fresh, "beheerder").get("/v1/nieuw")  # even a beheerder
    assert r.status_code == 403 and "geen toegangsregel" in r.json()["detail"]


def _refused_for_anonymous(r, path: str) -> bool:
    if path.startswith("/v1/"):
        return r.status_code == 401
    return r.status_code == 303 and r.headers["location"].startswith("/login")


def test_no_login(app):
    client = TestClient(app)
    for method, template, path in requests(app):
        need = rule_for(method, template).need
        r = client.request(method, path, follow_redirects=False)
        if need == PUBLIC:
            # (POST /login and /logout without the form's token are 403: CSRF, not a login)
            assert not _refused_for_anonymous(r, path) and r.status_code != 401, (method, path)
        else:  # public_checks is off by default: a login like any role
            assert _refused_for_anonymous(r, path), (method, path, r.status_code)


@pytest.mark.parametrize("role", ROLES)
def test_each_role(app, role):
    client = signed_in(app, role, "matrix")
    for method, template, path in requests(app):
        if (method, template) == ("POST", "/login"):
            continue  # a password form, not a route a token uses (its own test: test_security)
        need = rule_for(method, template).need
        r = client.request(method, path, follow_redirects=False)
        allowed = need in (PUBLIC, PUBLIC_CHECKS) or RANK[role] >= RANK[need]
        if allowed:
            assert r.status_code not in (401, 403), (role, method, path, r.status_code, r.text)
        else:
            assert r.status_code == 403, (role, method, path, r.status_code)


def test_another_organisation(app):
    """Every route that names a caseload entry: another organisation's entry is 404 for it."""
    placement = {
        "candidate": {"woongemeente": "Aadorp", "geboortedatum": "1965-01-01",
                      "uitkering": "bijstand", "doelgroepregister": True, "loonwaarde_pct": 50,
                      "eerder_in_dienst_bij_werkgever": False},
        "employer": {"vestigingsgemeente": "Beestad"},
        "job": {"startdatum": "2025-03-01", "uren_per_week": 32, "contract_maanden": 12},
    }  # fmt: skip
    owner = signed_in(app, "beheerder", "eigenaar")
    r = owner.post("/v1/caseload/placements", json={"ref": "van-a", "placement": placement})
    assert r.status_code == 201, r.text
    other = signed_in(app, "beheerder", "ander")  # the highest role: the organisation decides
    named = [(m, t) for m, t, _ in requests(app) if "{ref}" in t]
    assert len(named) >= 4
    for method, template in named:
        r = other.request(method, template.replace("{ref}", "van-a"))
        assert r.status_code == 404, (method, template, r.status_code)
    r = other.get("/v1/caseload/deadlines", params={"ref": "van-a"})
    assert r.status_code == 404
    assert owner.get("/v1/caseload/placements/van-a").status_code == 200
