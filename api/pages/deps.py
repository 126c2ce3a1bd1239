"""What a page reads from the app it serves in, as FastAPI dependencies: the rules serving now
(`app.state.rules`, a CurrentRules: a reload swaps them between two requests, never during
one), the caseload store (`app.state.caseload`) and the harmonisation jobs (`app.state.jobs`).

The dependencies that only read an attribute are `async def` on purpose: FastAPI runs a plain
`def` dependency in a thread, which costs more than the read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from api.current_rules import Snapshot
from api.jobs import JobManager
from engine.arrangement import Engine
from engine.caseload import Caseload


async def current_snapshot(request: Request) -> Snapshot:
    return request.app.state.rules.now()


async def current_engine(snapshot: Annotated[Snapshot, Depends(current_snapshot)]) -> Engine:
    return snapshot.engine


def caseload_store(request: Request) -> Caseload:
    """The caseload the API uses too. A plain `def` (so in a thread): the first call opens
    the database."""
    store: Callable[[], Caseload] = request.app.state.caseload
    return store()


async def has_caseload(request: Request) -> bool:
    """Whether the app keeps a caseload (without opening its database)."""
    return getattr(request.app.state, "caseload", None) is not None


async def job_manager(request: Request) -> JobManager:
    return request.app.state.jobs


SnapshotDep = Annotated[Snapshot, Depends(current_snapshot)]
EngineDep = Annotated[Engine, Depends(current_engine)]
CaseloadDep = Annotated[Caseload, Depends(caseload_store)]
HasCaseloadDep = Annotated[bool, Depends(has_caseload)]
JobsDep = Annotated[JobManager, Depends(job_manager)]
