"""The HTTP API: a thin face over the engine; no domain logic here.

`create_app` builds the app's state (settings, limits, the rules serving now, the job manager,
the caseload), adds the body limit and the error handlers once, and includes one router per
topic (api/routers/). Routes read that state through the dependencies in api/deps.py.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from api.current_rules import CurrentRules, RuleSync, RuleSyncMiddleware, SharedRuleStore
from api.errors import register_error_handlers
from api.job_store import JobStore
from api.jobs import JobManager
from api.limits import BodyLimit, Limits
from api.logging_setup import configure_logging
from api.routers import caseload, checks, jobs, regions, rule_versions, rules, trajectories
from api.routers.caseload import SharedCaseload
from api.security import install as install_security
from api.security.settings import SecuritySettings
from api.settings import Settings, load_settings
from engine.arrangement import Engine
from engine.errors import RulesError, SettingError
from engine.rulesets.registry import RuleBase, load_rulebase

log = logging.getLogger("arrangeur.server")


def create_app(
    rulebase: RuleBase | None = None,
    limits: Limits | None = None,
    rules_dir: Path | None = None,
    database_url: str | None = None,
    settings: Settings | None = None,
) -> FastAPI:
    """Build the app on a validated rule base; broken rules raise RulesError before it exists.

    `settings` default to the environment's (SettingError for a bad ARRANGEUR_* value); the
    other arguments override them: `limits`, `rules_dir` (the folder a reload reads, default:
    where `rulebase` was loaded from) and `database_url` (caseload and jobs)."""
    settings = settings or load_settings()
    configure_logging(settings.log_level)
    limits = limits or Limits.from_settings(settings)
    rules_dir = rules_dir or settings.rules
    database_url = database_url or settings.database_url
    engine = _engine_factory(settings)
    current = CurrentRules(rulebase or load_rulebase(rules_dir), rules_dir, engine)
    # the rules served = the shipped folder + the versions published in the rule store; every
    # worker follows the store's generation (first request, then at most once a second)
    current.published = SharedRuleStore(database_url, current.source)
    sync = RuleSync(current, current.published)
    manager = JobManager(
        limits.max_running_jobs,
        limits.max_queued_jobs,
        limits.abandon_after_s,
        limits.job_workers,
        JobStore(database_url),  # the caseload's database, opened on the first job
    )
    atexit.register(manager.shutdown)
    app = FastAPI(
        title="Arrangeur",
        version="0.1.0",
        description="Welke instrumenten passen bij een plaatsing, van welke instantie.",
        docs_url=None,  # served offline by api.web.add_web (no CDN)
        redoc_url=None,
        lifespan=_lifespan(current, manager, sync),
    )
    # added first, so the innermost middleware: the security middleware and the trusted
    # hosts (added next) stay around the checks it answers itself
    app.add_middleware(checks.FastChecks)
    # before any route: every route passes its guard
    install_security(app, database_url, SecuritySettings.from_settings(settings))
    app.state.settings, app.state.limits = settings, limits
    app.state.rules, app.state.jobs = current, manager
    app.state.rule_store, app.state.rule_sync = current.published, sync
    app.state.caseload = SharedCaseload(_Serving(current), database_url)  # API and pages
    app.add_middleware(BodyLimit, limit=limits.max_body_bytes)
    app.add_middleware(RuleSyncMiddleware, sync=sync)  # outermost: before the guard's snapshot
    register_error_handlers(app)
    for topic in (checks, trajectories, rules, rule_versions, regions, jobs):
        app.include_router(topic.router)
    from api.web import add_web

    add_web(app, lambda: current.now().engine, app.state.caseload)
    app.include_router(caseload.router)
    _document_limits(app, limits)
    return app


def _engine_factory(settings: Settings) -> Callable[[RuleBase], Engine]:
    """Engines with the settings' cache sizes (a reload builds a new one)."""
    return lambda rb: Engine(
        rb,
        network_cache=settings.network_cache,
        warm_states=settings.warm_states,
        outcomes=settings.outcome_cache,
    )


def _document_limits(app: FastAPI, limits: Limits) -> None:
    """The OpenAPI schema states this app's caps (they are settings, not constants)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = regions.document_limits(build(), limits)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _lifespan(
    current: CurrentRules, manager: JobManager, sync: RuleSync
) -> Callable[[FastAPI], contextlib.AbstractAsyncContextManager[None]]:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        # the published rule versions before the first request (a worker starting up)
        await loop.run_in_executor(None, sync.sync)
        with contextlib.suppress(ValueError, RuntimeError, NotImplementedError, AttributeError):
            # SIGHUP: reload the rules (in a thread: loading takes a second)
            loop.add_signal_handler(
                signal.SIGHUP, lambda: loop.run_in_executor(None, reload_quietly, current)
            )
        try:
            yield
        finally:
            manager.shutdown()  # SIGTERM: uvicorn ends the requests, then the sweeps stop here

    return lifespan


def reload_quietly(current: CurrentRules) -> None:
    """SIGHUP has no one to answer: log what happened (the old rules stay on a failure)."""
    try:
        snapshot, changed = current.reload()
        log.info("regels %s: %s", "herladen" if changed else "ongewijzigd", snapshot.rules_hash)
    except RulesError as exc:
        log.error("nieuwe regels geweigerd, de oude blijven:\n%s", exc)
    except (BlockingIOError, OSError) as exc:
        log.error("herladen niet gelukt: %s", exc)


class _Serving:
    """The engine that serves now, for the caseload: a reload swaps it for every face alike."""

    def __init__(self, rules: CurrentRules):
        self._rules = rules

    def __getattr__(self, name: str) -> Any:
        return getattr(self._rules.now().engine, name)


def app_from_environment() -> FastAPI:
    """For `uvicorn --factory` with several workers: the rules named by ARRANGEUR_RULES. A bad
    setting ends the worker with its Dutch message and exit code 2, not a traceback."""
    try:
        return create_app()
    except SettingError as exc:
        log.error("%s", exc)
        raise SystemExit(2) from None


def __getattr__(name: str) -> FastAPI:
    """`uvicorn api.app:app`: the module-level app, built on first use (importing this module
    for create_app does not load the rules)."""
    if name == "app":
        global app
        app = app_from_environment()
        return app
    raise AttributeError(name)
