"""Sessions on a durable_rules host: assert the facts, let the rules chain, collect, clean up.

The backend is kept behind `Backend` so another Rete engine could replace durable_rules
(2.0.28 does not import on Python 3.13). One host per compiled network; its C engine is not
thread-safe, so each host serialises its sessions with a lock, and every session's state is
deleted after the check, also when a rule fails.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
from dataclasses import dataclass, field
from typing import Any, Protocol

from durable.engine import Host, MessageNotHandledException

from engine.compiler import Action, Network
from engine.errors import EvaluationError
from engine.expressions import UNKNOWN, evaluate
from engine.facts import to_network


@dataclass
class Session:
    """What one check derived: its facts (Python values) and the rules that fired."""

    facts: dict[str, Any]
    fired: list[str] = field(default_factory=list)
    refuted: dict[str, Action] = field(default_factory=dict)  # rule -> the first refutation
    derived_by: dict[str, Action] = field(default_factory=dict)  # fact -> the rule that set it
    error: BaseException | None = None

    def conclude(self, action: Action) -> None:
        """Record an instrument rule that holds, or that is refuted (the first refutation)."""
        assert action.rule is not None
        rule_id = action.rule.qualified_id
        if action.refuted_by is not None:
            self.refuted.setdefault(rule_id, action)
        elif rule_id not in self.fired:  # one action per disjunct
            self.fired.append(rule_id)

    def derive(self, action: Action, params: dict[str, Any]) -> Any:
        """Evaluate a derived fact and record it; its value if new, else UNKNOWN."""
        d = action.derived
        assert d is not None
        value = evaluate(d.value, {**params, **self.facts})
        if value is UNKNOWN:
            return UNKNOWN
        if d.id in self.facts:
            if self.facts[d.id] != value:
                setter = self.derived_by.get(d.id)
                first = f"{setter.ruleset.id}/{d.id}" if setter else "invoer"
                raise EvaluationError(
                    f"derived fact {d.id!r} has two values: {self.facts[d.id]!r} "
                    f"({first}) and {value!r} ({action.ruleset.id}/{d.id})"
                )
            return UNKNOWN
        self.facts[d.id] = value
        self.derived_by[d.id] = action
        return value


class Backend(Protocol):
    """Runs one check on a compiled network: facts in, derived facts and fired rules out."""

    def __init__(self, network: Network) -> None: ...

    def run(self, facts: dict[str, Any], params: dict[str, Any]) -> Session: ...


class _QuietHost(Host):
    """A durable_rules host without its timer threads: every check runs synchronously."""

    def __init__(self, runtime: DurableBackend, definition: dict[str, Any]):
        self._runtime = runtime
        super().__init__(definition)

    def _run(self) -> None:  # no background dispatch: we never use timers or queues
        return None

    def get_action(self, action_name: str):  # noqa: ANN201 - durable inspects the arity
        runtime = self._runtime
        return lambda c: runtime.on_action(action_name, c)


class DurableBackend:
    """A compiled network on its own durable_rules host."""

    def __init__(self, network: Network):
        self.network = network
        self._lock = threading.Lock()
        self._sessions: dict[str, tuple[Session, dict[str, Any]]] = {}
        self._ids = itertools.count(1)
        self._host = _QuietHost(self, {network.name: network.definition})

    def run(self, facts: dict[str, Any], params: dict[str, Any]) -> Session:
        session = Session(dict(facts))
        with self._lock:
            sid = str(next(self._ids))
            self._sessions[sid] = (session, params)
            stored = False
            try:
                # One fact at a time: durable_rules rejects a whole batch (and runs none of its
                # actions) when one fact matches no pattern, which is normal here.
                for name, value in facts.items():
                    if name not in self.network.fact_names:
                        continue
                    fact = {"sid": sid, "t": "f", "n": name, "v": to_network(value)}
                    try:
                        self._host.assert_fact(self.network.name, fact)
                        stored = True
                    except MessageNotHandledException:
                        pass
                    if session.error is not None:
                        raise session.error
            finally:
                del self._sessions[sid]
                if stored:  # deleting a session that holds no state crashes durable_rules 2.0.28
                    self._host.delete_state(self.network.name, sid)
        return session

    def on_action(self, action_name: str, c: Any) -> None:
        session, params = self._sessions[c.s.sid]
        action = self.network.actions[action_name]
        if session.error is not None:
            return
        try:
            if action.derived is None:
                session.conclude(action)
                return
            value = session.derive(action, params)
            if value is UNKNOWN:
                return
            fact = {"sid": c.s.sid, "t": "f", "n": action.derived.id, "v": to_network(value)}
            with contextlib.suppress(MessageNotHandledException):  # no rule reads this fact
                c.assert_fact(fact)

        except BaseException as exc:  # noqa: BLE001 - re-raised in run() with the rule named
            session.error = exc


class PythonBackend:
    """The same network evaluated by plain Python (a fixpoint over the expression evaluator).

    Not the product's path: a reference to check the durable_rules network against, and a
    baseline for benchmarks.
    """

    def __init__(self, network: Network):
        self.network = network
        seen: set[int] = set()
        self._derived: list[Action] = []
        self._rules: list[Action] = []
        self._refutations: list[Action] = []
        for action in network.actions.values():  # one action per disjunct: keep each rule once
            if action.refuted_by is not None:
                self._refutations.append(action)
                continue
            target = action.derived if action.derived is not None else action.rule
            if id(target) in seen:
                continue
            seen.add(id(target))
            (self._derived if action.derived is not None else self._rules).append(action)

    def run(self, facts: dict[str, Any], params: dict[str, Any]) -> Session:
        session = Session(dict(facts))
        changed = True
        while changed:
            changed = False
            for action in self._derived:
                d = action.derived
                assert d is not None
                if d.when is not None and evaluate(d.when, {**params, **session.facts}) is not True:
                    continue
                if session.derive(action, params) is not UNKNOWN:
                    changed = True
        env = {**params, **session.facts}
        for action in self._rules:
            assert action.rule is not None
            if evaluate(action.rule.when, env) is True:
                session.conclude(action)
        for action in self._refutations:
            assert action.refuted_by is not None
            if all(evaluate(test, env) is True for test in action.refuted_by):
                session.conclude(action)
        return session
