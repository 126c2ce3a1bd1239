"""One rule base per server process, swapped whole: checks, trajectories and sweeps all take
`CurrentRules.now()`, an immutable snapshot (engine + the bundle it was loaded from).

A reload reads the rules folder once into a bundle, validates it, and only then swaps; a broken
rule set raises RulesError and the snapshot that was serving keeps serving.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from engine.arrangement import Engine
from engine.rulesets.bundle import RulesBundle, bundle_of, load_bundle, read_bundle
from engine.rulesets.registry import RuleBase


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

    def now(self) -> Snapshot:
        return self._snapshot  # one attribute read: a request sees one rule base throughout

    def reload(self, bundle: RulesBundle | None = None) -> tuple[Snapshot, bool]:
        """Load the rules folder again, or `bundle` (the folder plus the rule store's published
        versions: engine.rulesets.store.bundle_with_published); (snapshot now serving, whether
        it changed).

        Raises RulesError (nothing swapped) or BlockingIOError when a reload is under way."""
        if not self._reloading.acquire(blocking=False):
            raise BlockingIOError("er wordt al herladen")
        try:
            bundle = bundle or read_bundle(self.source)
            if bundle.digest == self._snapshot.rules_hash:
                return self._snapshot, False
            engine = self._engine(load_bundle(bundle, origin=self.source))
            self._snapshot = Snapshot(engine, bundle, datetime.now(UTC))
            return self._snapshot, True
        finally:
            self._reloading.release()
