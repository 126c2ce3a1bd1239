"""Where the caseload lives: a SQLite file by default, any SQLAlchemy URL by choice.

`ARRANGEUR_DATABASE_URL` picks the database (postgresql+psycopg://user:pw@host/db, or
sqlite:///path.db); without it the caseload is a SQLite file in the user's data directory
($XDG_DATA_HOME/arrangeur/caseload.db, by default ~/.local/share/arrangeur/caseload.db), so it
needs no set-up and does not depend on the directory a command is run from.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

ENV_URL = "ARRANGEUR_DATABASE_URL"


class DatabaseUrlError(ValueError):
    """The database URL names no database Arrangeur can use; the Dutch message says why and
    never shows the password. Like a bad setting: the CLI exits with 2, a server does not
    start."""


def default_path() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "arrangeur" / "caseload.db"


def database_url(url: str | None = None) -> str:
    """The URL given, else the environment's, else the default SQLite file."""
    chosen = url or os.environ.get(ENV_URL)
    if chosen:
        # a bare postgresql:// URL means psycopg 3 here (SQLAlchemy would pick psycopg2)
        if chosen.startswith("postgresql://") or chosen.startswith("postgres://"):
            chosen = "postgresql+psycopg://" + chosen.split("://", 1)[1]
        return chosen
    return f"sqlite:///{default_path()}"


def _parsed(url: str | None) -> URL:
    """The database URL, or a DatabaseUrlError that names what is wrong."""
    try:
        resolved = make_url(database_url(url))
    except ArgumentError:
        raise DatabaseUrlError(
            "de database-URL is niet te lezen: gebruik sqlite:///pad/naar/bestand.db of "
            "postgresql://gebruiker:wachtwoord@host/database"
        ) from None
    try:
        resolved.get_dialect().import_dbapi()  # what create_engine would import
    except NoSuchModuleError:
        raise DatabaseUrlError(
            f"onbekend databasetype {resolved.drivername!r} in de database-URL: gebruik "
            "sqlite:/// of postgresql://"
        ) from None
    except ImportError as exc:
        raise DatabaseUrlError(
            f"het stuurprogramma voor {resolved.drivername!r} is niet geïnstalleerd "
            f"({exc.name or exc}): Arrangeur werkt met SQLite en PostgreSQL (psycopg)"
        ) from None
    return resolved


def connect(url: str | None = None) -> Engine:
    """An SQLAlchemy engine; a SQLite file's folder is created, and its foreign keys enforced."""
    resolved = _parsed(url)
    if resolved.get_backend_name() == "sqlite":
        db = resolved.database
        if db and db != ":memory:":
            path = Path(db).expanduser()
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            path.touch(mode=0o600, exist_ok=True)  # personal data: readable by its owner only
        engine = create_engine(resolved)

        @event.listens_for(engine, "connect")
        def _foreign_keys(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            # WAL with synchronous=NORMAL: a commit no longer waits for the disk (a power cut may
            # lose the last commits, never corrupt the file); readers do not block the writer
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_engine(resolved, pool_pre_ping=True)


def describe(engine: Engine) -> str:
    """The database for messages, without a password."""
    return engine.url.render_as_string(hide_password=True)
