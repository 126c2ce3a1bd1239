"""Clients of a guarded app (api.security): a user of an organisation with a role, by token
or by a real login; used by the tests that are about something else than login."""

from __future__ import annotations

import contextlib
import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from engine.accounts import AccountError, Accounts

PASSWORD = "een-lang-test-wachtwoord"


def user(
    app: FastAPI, role: str = "beheerder", organisation: str = "test", username: str | None = None
) -> str:
    """Make (or find) the organisation and a user with `role`; returns the username."""
    accounts: Accounts = app.state.accounts()
    if organisation not in {o.slug for o in accounts.organisations()}:
        accounts.add_organisation(organisation, organisation.title(), "wsp", ["uwv"])
    name = username or f"{role}.{organisation}"
    with contextlib.suppress(AccountError):  # already there (a shared database)
        accounts.add_user(name, organisation, [role], PASSWORD)
    return name


def token(app: FastAPI, role: str = "beheerder", organisation: str = "test") -> str:
    return app.state.accounts().new_token(user(app, role, organisation), "tests")


def signed_in(app: FastAPI, role: str = "beheerder", organisation: str = "test") -> TestClient:
    """A TestClient carrying a bearer token of a `role` of `organisation`."""
    return TestClient(app, headers={"Authorization": f"Bearer {token(app, role, organisation)}"})


def csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def logged_in(app: FastAPI, role: str = "beheerder", organisation: str = "test") -> TestClient:
    """A TestClient with a session cookie, through the real login form."""
    client = TestClient(app)
    name = user(app, role, organisation)
    page = client.get("/login")
    r = client.post(
        "/login",
        data={"username": name, "password": PASSWORD, "csrf_token": csrf(page.text), "next": "/"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return client


def local_token(role: str = "beheerder", organisation: str = "test") -> str:
    """A token in the default database (ARRANGEUR_DATABASE_URL, else the data folder), for a
    server started in a child process with this environment."""
    accounts = Accounts()
    try:
        if organisation not in {o.slug for o in accounts.organisations()}:
            accounts.add_organisation(organisation, organisation.title(), "wsp", ["uwv"])
        name = f"{role}.{organisation}"
        with contextlib.suppress(AccountError):
            accounts.add_user(name, organisation, [role], PASSWORD)
        return accounts.new_token(name, "tests")
    finally:
        accounts.close()
