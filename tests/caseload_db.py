"""The databases the caseload tests run against: a SQLite file, and a real PostgreSQL server
when ARRANGEUR_TEST_POSTGRES_URL names one (scripts/deps/postgres.sh starts it; scripts/test.sh
passes it). In CI (CI=true) a missing PostgreSQL is a failure, not a skip."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

BACKENDS = ["sqlite", "postgresql"]


def fresh_url(backend: str, tmp_path: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'caseload.db'}"
    url = os.environ.get("ARRANGEUR_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but ARRANGEUR_TEST_POSTGRES_URL is not set: run scripts/test.sh")
        pytest.skip(
            "PostgreSQL not configured: set ARRANGEUR_TEST_POSTGRES_URL "
            "(bash scripts/deps/postgres.sh prints one)"
        )
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:  # an empty database for every test
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url
