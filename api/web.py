"""The accountmanager's web pages (Dutch, server-rendered, work without JavaScript).

/ (plaatsing invoeren) → /arrangement (het arrangement, shareable GET) → /traject and
/traject.pdf (month by month, the employer's one-pager); /caseload (placements kept, their
deadlines, re-check, deletion; the store the API uses); /regio (harmonisation as a background
job of the app's JobManager); /regels (rule sets, conditions in Dutch, differences between
versions); /docs and /redoc offline.

The routes live in api/routers/pages/, one module per topic; they call the engine, the caseload
store and the job manager directly, read from `app.state` through api/pages/deps.py. This module
is the one entry point the app calls.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.routers.pages import page_routers
from engine.arrangement import Engine
from engine.caseload import Caseload

STATIC = Path(__file__).parent / "static"


def add_web(
    app: FastAPI, current: Callable[[], Engine], caseload: Callable[[], Caseload] | None = None
) -> None:
    """The pages, their static files and offline /docs and /redoc.

    The pages read the rules serving now from `app.state.rules` (a CurrentRules, set by
    create_app), one snapshot per request; `current` gives the same engine and is kept only for
    the call shape. `caseload` (the store /v1/caseload uses) becomes `app.state.caseload`;
    without it there are no caseload pages."""
    from fastapi_offline.core import _STATIC_PATH

    if not hasattr(app.state, "rules"):
        raise RuntimeError("add_web: app.state.rules (a CurrentRules) is set by create_app first")
    if caseload is not None:
        app.state.caseload = caseload
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.mount("/static-docs", StaticFiles(directory=_STATIC_PATH), name="static-docs")
    for router in page_routers(with_caseload=caseload is not None):
        app.include_router(router)
