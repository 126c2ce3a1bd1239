"""One rule base per server process, swapped whole: checks, trajectories and sweeps all take
`CurrentRules.now()`, an immutable snapshot (engine + the bundle it was loaded from).

A reload reads the rules once into a bundle (the rules folder, plus the versions published in
the rule store when `published` is set), validates it, and only then swaps; a broken rule set
raises RulesError and the snapshot that was serving keeps serving.

`RuleSync` keeps a worker in step with the rule store: at most once a second (and on the first
request) it reads the store's generation counter, one indexed row, and reloads when it moved.
A publish in another worker therefore counts here within a second, without a restart.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from engine.arrangement import Engine
from engine.errors import RulesError
from engine.rulesets.bundle import RulesBundle, bundle_of, load_bundle, read_bundle
from engine.rulesets.registry import RuleBase
from engine.rulesets.store import RuleStore, bundle_with_published

log = logging.getLogger("arrangeur.rules")


@dataclass(frozen=True)
class Snapshot:
    engine: Engine
    bundle: RulesBundle
    loaded_at: datetime

    @property
    def rules_hash(self) -> str:
        return self.bundle.digest

    @property
    def rulebase(self) -> RuleBase:
        return self.engine.rulebase


class CurrentRules:
    def __init__(
        self,
        rulebase: RuleBase,
        source: Path | None = None,
        engine: Callable[[RuleBase], Engine] = Engine,
    ):
        self.source = (source or rulebase.root).resolve()
        self._engine = engine  # builds an Engine with the app's settings
        self._snapshot = Snapshot(engine(rulebase), bundle_of(rulebase), datetime.now(UTC))
        self._reloading = threading.Lock()
        # the rule store whose published versions are part of the rules (set by create_app)
        self.published: Callable[[], RuleStore] | None = None

    def bundle(self) -> RulesBundle:
        """What a reload without a given bundle loads."""
        if self.published is None:
            return read_bundle(self.source)
        return bundle_with_published(self.source, self.published())

    def now(self) -> Snapshot:
        return self._snapshot  # one attribute read: a request sees one rule base throughout

    def reload(self, bundle: RulesBundle | None = None) -> tuple[Snapshot, bool]:
        """Load the rules again: `bundle`, else the folder plus the rule store's published versions
        (engine.rulesets.store.bundle_with_published) when `published` is set, else the folder;
        (snapshot now serving, whether it changed).

        Raises RulesError (nothing swapped) or BlockingIOError when a reload is under way."""
        if not self._reloading.acquire(blocking=False):
            raise BlockingIOError("er wordt al herladen")
        try:
            bundle = bundle or self.bundle()
            if bundle.digest == self._snapshot.rules_hash:
                return self._snapshot, False
            engine = self._engine(load_bundle(bundle, origin=self.source))
            self._snapshot = Snapshot(engine, bundle, datetime.now(UTC))
            return self._snapshot, True
        finally:
            self._reloading.release()


class SharedRuleStore:
    """The rule store (in the caseload's database), opened on first use."""

    def __init__(self, database_url: str | None, shipped_root: Path):
        self._url = database_url
        self._root = shipped_root
        self._opened: RuleStore | None = None
        self._lock = threading.Lock()

    def __call__(self) -> RuleStore:
        with self._lock:
            if self._opened is None:
                self._opened = RuleStore(self._url, shipped_root=self._root)
            return self._opened


class RuleSync:
    """A worker's rules follow the store's generation counter (see the module's docstring)."""

    def __init__(self, rules: CurrentRules, store: Callable[[], RuleStore], every_s: float = 1.0):
        self.rules = rules
        self.store = store
        self.every_s = every_s
        self.generation: int | None = None  # the generation the serving rules were built at
        self._checked = -float("inf")
        self._busy = threading.Lock()

    def due(self) -> bool:
        return time.monotonic() - self._checked >= self.every_s

    def sync(self, force: bool = False) -> bool:
        """Reload when the generation moved (or `force`); whether the rules changed. Never
        raises: a failure is logged and the rules that were serving keep serving."""
        if not self._busy.acquire(blocking=False):
            return False  # another request of this worker is syncing: it serves the old rules
        generation: int | None = None
        try:
            self._checked = time.monotonic()
            store = self.store()
            generation = store.generation()
            if generation == self.generation and not force:
                return False
            # the bundle is read after the counter: a publish in between makes it newer, never
            # older, than `generation`, and the next check only finds an unchanged bundle
            snapshot, changed = self.rules.reload(bundle_with_published(self.rules.source, store))
            self.generation = generation
            if changed:
                log.info("regels herladen (generatie %s): %s", generation, snapshot.rules_hash)
            return changed
        except RulesError as exc:
            self.generation = generation  # retried at the next change, not every second
            log.error("gepubliceerde regels geweigerd, de oude blijven:\n%s", exc)
        except BlockingIOError:
            pass  # a reload (SIGHUP, admin) is under way; the next check looks again
        except (SQLAlchemyError, OSError) as exc:
            log.error("regelbeheer niet bereikbaar, de regels blijven zoals ze zijn: %s", exc)
        finally:
            self._busy.release()
        return False


class RuleSyncMiddleware:
    """Before a request is answered: the store's generation checked when due (in a thread: it
    reads the database, and a reload takes a second). The request then takes one snapshot."""

    def __init__(self, app: ASGIApp, sync: RuleSync):
        self.app = app
        self.sync = sync

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.sync.due():
            await run_in_threadpool(self.sync.sync)
        await self.app(scope, receive, send)
