"""FastAPI dependencies: what a route needs, read from the app's state (set by create_app).

They are `async def` so they run on the event loop: a check stays without a thread hop."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.current_rules import CurrentRules, Snapshot
from api.jobs import JobManager
from api.limits import Limits
from api.settings import Settings, get_settings
from engine.arrangement import Engine
from engine.caseload import Caseload


async def get_limits(request: Request) -> Limits:
    limits: Limits = request.app.state.limits
    return limits


async def current_rules(request: Request) -> CurrentRules:
    rules: CurrentRules = request.app.state.rules
    return rules


async def current_snapshot(request: Request) -> Snapshot:
    """The rule base serving now; one request sees one snapshot throughout."""
    rules: CurrentRules = request.app.state.rules
    return rules.now()


async def current_engine(snapshot: Annotated[Snapshot, Depends(current_snapshot)]) -> Engine:
    return snapshot.engine


async def get_jobs(request: Request) -> JobManager:
    jobs: JobManager = request.app.state.jobs
    return jobs


def get_caseload(request: Request) -> Caseload:
    """The app's caseload, opened on first use (a plain def: opening may touch the disk)."""
    caseload: Caseload = request.app.state.caseload()
    return caseload


SettingsDep = Annotated[Settings, Depends(get_settings)]
LimitsDep = Annotated[Limits, Depends(get_limits)]
RulesDep = Annotated[CurrentRules, Depends(current_rules)]
SnapshotDep = Annotated[Snapshot, Depends(current_snapshot)]
EngineDep = Annotated[Engine, Depends(current_engine)]
JobsDep = Annotated[JobManager, Depends(get_jobs)]
CaseloadDep = Annotated[Caseload, Depends(get_caseload)]
