"""The caseload: placements kept in a database (SQLite file by default, PostgreSQL by URL),
re-checked when rules or dates change, with the deadlines that follow from each answer.

A user of the public `check` only: it stores the answer's fields and compares answers, never
reaching into the compiler or runtime. See docs/caseload.md for what is stored and why.
"""

from engine.caseload.errors import (
    CaseloadError,
    DuplicateRef,
    InvalidInput,
    RecheckFailed,
    UnknownRef,
)
from engine.caseload.export import to_csv, to_ics
from engine.caseload.report import RecheckReport
from engine.caseload.store import Caseload, Stored, check_ref
from engine.storage.database import ENV_URL, database_url, default_path

__all__ = [
    "ENV_URL",
    "Caseload",
    "CaseloadError",
    "DuplicateRef",
    "InvalidInput",
    "RecheckFailed",
    "RecheckReport",
    "Stored",
    "UnknownRef",
    "check_ref",
    "database_url",
    "default_path",
    "to_csv",
    "to_ics",
]
