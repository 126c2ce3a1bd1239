"""Checks on durable_rules' C engine: assert the facts, let the rules chain, collect, clean up.

The backend is kept behind `Backend` so another Rete engine could replace durable_rules.
`DurableBackend` drives the C engine directly (`durable_rules_engine`), without durable's Python
host. One ruleset per compiled network; its C engine is not thread-safe, so each network
serialises its checks with a lock. Each network has one session state: kept for the next check
(emptied of the facts this check asserted) while it is among the most recently used
(`WarmStates`), deleted otherwise and after a failure.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Protocol

import durable_rules_engine

from engine.compiler import FACT, INPUT, Action, Network
from engine.errors import EvaluationError, SettingError
from engine.expressions import UNKNOWN, evaluate
from engine.facts import INPUT_FACTS, to_network

Memo = dict[tuple[int, tuple[Any, ...]], Any]  # (id(derived fact), values it reads) -> value
MEMO_SIZE = 65_536  # derived values kept per engine (a few MiB); refilled when full


@dataclass
class Session:
    """What one check derived: its facts (Python values) and the rules that fired."""

    facts: dict[str, Any]
    params: dict[str, Any] = field(default_factory=dict)
    fired: list[str] = field(default_factory=list)
    refuted: dict[str, list[Action]] = field(default_factory=dict)  # rule -> its refutations
    derived_by: dict[str, Action] = field(default_factory=dict)  # fact -> the rule that set it
    env: dict[str, Any] = field(init=False)  # parameters and facts: what expressions read
    _fired: set[str] = field(init=False, default_factory=set)

    def __post_init__(self) -> None:
        self.env = {**self.params, **self.facts}

    def conclude(self, action: Action) -> None:
        """Record an instrument rule that holds, or a refutation of one (there may be several)."""
        assert action.rule is not None
        rule_id = action.rule.qualified_id
        if action.refuted_by is not None:
            found = self.refuted.get(rule_id)
            if found is None:
                self.refuted[rule_id] = [action]
            else:
                found.append(action)
        elif rule_id not in self._fired:  # one action per disjunct
            self._fired.add(rule_id)
            self.fired.append(rule_id)

    def derive(self, action: Action, memo: Memo | None = None) -> Any:
        """Evaluate a derived fact and record it; its value if new, else UNKNOWN. A value is a
        function of the facts and parameters it reads: `memo` keeps it for the next check."""
        d = action.derived
        assert d is not None
        env = self.env
        if memo is None:
            value = evaluate(d.value, env)
        else:
            key = (id(d), tuple([env.get(n, UNKNOWN) for n in action.reads]))
            value = memo.get(key, memo)
            if value is memo:
                value = evaluate(d.value, env)
                if len(memo) >= MEMO_SIZE:
                    memo.clear()
                memo[key] = value
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
        self.facts[d.id] = env[d.id] = value
        self.derived_by[d.id] = action
        return value


class Backend(Protocol):
    """Runs one check on a compiled network: facts in, derived facts and fired rules out."""

    def __init__(
        self, network: Network, memo: Memo | None = None, warm: WarmStates | None = None
    ) -> None: ...

    def run(self, facts: dict[str, Any], params: dict[str, Any]) -> Session: ...

    def close(self) -> None: ...


SESSION = "s"  # one session per network, used by one check at a time (the lock)


def warm_states_from_environment() -> int:
    """ARRANGEUR_WARM_STATES (a whole number, 0 or more), else 512; SettingError otherwise."""
    raw = os.environ.get("ARRANGEUR_WARM_STATES", "").strip()
    if not raw:
        return 512
    if not raw.isdigit():
        raise SettingError(
            f"ARRANGEUR_WARM_STATES={raw[:80]!r}: verwacht een geheel getal van 0 of meer"
        )
    return int(raw)


class WarmStates:
    """The networks that keep their durable session state between checks.

    durable_rules builds a session state with memory for every join and action of the network
    (about 0.6 MiB with scripts/setup.sh's build, 2 to 4 MiB with the stock one); building it
    costs about as much as asserting a check's facts. So the most recently used networks keep
    theirs, emptied after each check, and the least recently used beyond the cap delete it. The
    cap: the argument, else ARRANGEUR_WARM_STATES, else 512 (the network cache's default); 0
    keeps none.
    """

    def __init__(self, cap: int | None = None):
        self.cap = cap if cap is not None else warm_states_from_environment()
        # weak: a backend refers to this pool, so a strong reference back would be a cycle
        # that keeps dropped engines, and durable's C memory behind them, until a gc run
        self._lru: OrderedDict[int, weakref.ref[DurableBackend]] = OrderedDict()
        self._lock = threading.Lock()

    def keep(self, backend: DurableBackend) -> bool:
        """Whether `backend` keeps its state; the least recently used beyond the cap cool."""
        if self.cap <= 0:
            return False
        with self._lock:
            self._lru[id(backend)] = weakref.ref(backend)
            self._lru.move_to_end(id(backend))
            cooled = [self._lru.popitem(last=False)[1]() for _ in range(len(self._lru) - self.cap)]
        for other in cooled:
            if other is not None:
                other.cool()
        return True

    def forget(self, backend: DurableBackend) -> None:
        with self._lock:
            self._lru.pop(id(backend), None)

    def __len__(self) -> int:
        return len(self._lru)


class DurableBackend:
    """A compiled network as one ruleset of durable_rules' C engine, driven directly.

    durable's Python host wraps every action in closures, re-serialises the session state
    after each one and asserts facts one by one (it rejects a batch in which one fact matches no
    pattern, which is normal here). Arrangeur needs none of that: it asserts all facts of a
    check in one batch, then takes the fired actions one after another from the C engine,
    reading only the action's name from its message.
    """

    def __init__(self, network: Network, memo: Memo | None = None, warm: WarmStates | None = None):
        self.network = network
        self._memo = memo
        self._warm = warm
        # the network rules that only refute, with the rule each refutes: taken without a call
        # per action (about 40 of a check's 50 actions)
        self._refutes = {
            name: tuple((a.rule.qualified_id, a) for a in found if a.rule is not None)
            for name, found in network.actions.items()
            if all(a.refuted_by is not None for a in found)
        }
        self._lock = threading.Lock()
        self._has_state = False
        self._cool_later = False  # cooled while a check ran: delete the state after it
        self._handle: int | None = self._create()

    def _create(self) -> int:
        return durable_rules_engine.create_ruleset(self.network.name, self.network.patterns_json)

    def close(self) -> None:
        """Free the C ruleset (memory and one of durable's 131,072 handles). A check that still
        holds this backend creates a new one."""
        if self._warm is not None:
            self._warm.forget(self)
        with self._lock:
            self._free()

    def cool(self) -> None:
        """Delete the kept session state (WarmStates). Called by another network's check, so
        never waits for this one's lock: if a check runs here, that check deletes it."""
        if not self._lock.acquire(blocking=False):
            self._cool_later = True
            return
        try:
            self._drop_state()
        finally:
            self._lock.release()

    def _drop_state(self) -> None:
        if self._has_state and self._handle is not None:
            durable_rules_engine.delete_state(self._handle, SESSION)
        self._has_state = False

    def _free(self) -> None:
        handle, self._handle = self._handle, None
        if handle is not None:
            if self._has_state:  # delete_ruleset leaves the session state's memory behind
                durable_rules_engine.delete_state(handle, SESSION)
            durable_rules_engine.delete_ruleset(handle)

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # also at interpreter exit
            self._free()

    def run(self, facts: dict[str, Any], params: dict[str, Any]) -> Session:
        session = Session(dict(facts), params)
        network = self.network
        with self._lock:
            handle = self._handle
            if handle is None:  # closed (evicted from the cache) while a check held it
                handle = self._handle = self._create()
                self._has_state = False
            # The inputs in one fact, a property each (an input not given has none); the
            # other facts (the caller's own, derived ones later) one durable fact each. A
            # fact no pattern takes is "not handled" (result 1): normal, the others count.
            inputs = {n: to_network(v) for n, v in facts.items() if n in INPUT_FACTS}
            text = _input_json(inputs)
            known = [
                _fact_json(n, v)
                for n, v in facts.items()
                if n not in INPUT_FACTS and n in network.fact_names
            ]
            if known:
                text = f"[{text[1:-1]},{','.join(known)}]"
            state = durable_rules_engine.assert_facts(handle, text)[1]
            self._has_state = True
            asserted: list[str] = []  # derived facts, as asserted (JSON)
            error: Exception | None = None
            clean = False  # every action taken, none failed: the state may be kept
            try:
                # Every queued action is taken and completed, also after a failing one:
                # durable_rules may corrupt its heap when a state is left with actions queued.
                # Derived facts are asserted in rounds, one batch per round (facts are never
                # retracted during a check, so the rules reach the same conclusions in any order).
                pending: list[str] = []
                started = durable_rules_engine.start_action_for_state(handle, state)
                message = started[1] if started else None
                while message is not None:
                    if error is None:
                        try:
                            self._act(session, message, pending)
                        except Exception as exc:  # noqa: BLE001 - raised below, state cleaned
                            error = exc
                    message = durable_rules_engine.complete_and_start_action(handle, state)
                    if message is None and pending and error is None:
                        asserted += pending
                        durable_rules_engine.assert_facts(handle, f"[{','.join(pending)}]")
                        pending = []
                        started = durable_rules_engine.start_action_for_state(handle, state)
                        message = started[1] if started else None
                clean = error is None and not pending
            finally:
                # a cool asked for while this check ran (WarmStates dropped it): honour it
                cool_later, self._cool_later = self._cool_later, False
                warm = self._warm
                if clean and not cool_later and warm is not None and warm.keep(self):
                    # kept warm for the next check, emptied of exactly this check's facts
                    derived = ",".join(asserted)
                    every = f"{text[:-1]},{derived}]" if derived else text
                    durable_rules_engine.retract_facts(handle, every)
                else:
                    self._drop_state()
            if error is not None:
                raise error
        return session

    def _act(self, session: Session, msg: str, pending: list[str]) -> None:
        # the message is {"<rule name>":{}} (patch 5): only the name is needed
        name = msg[2 : msg.index('"', 2)]
        refutes = self._refutes.get(name)
        if refutes is not None:  # most actions: a rule refuted (several rules may share one)
            refuted = session.refuted
            for rule_id, action in refutes:
                found = refuted.get(rule_id)
                if found is None:
                    refuted[rule_id] = [action]
                else:
                    found.append(action)
            return
        fact_names = self.network.fact_names
        for action in self.network.actions[name]:
            if action.derived is None:
                session.conclude(action)
                continue
            value = session.derive(action, self._memo)
            if value is not UNKNOWN and action.derived.id in fact_names:
                pending.append(_fact_json(action.derived.id, value))


def _input_json(inputs: dict[str, Any]) -> str:
    """The batch with the input fact: `[{"sid":…,"t":"i",<input>:<value>,…}]`."""
    return json.dumps([{"sid": SESSION, "t": INPUT, **inputs}], ensure_ascii=False)


_FACT_PREFIX: dict[str, str] = {}  # fact name -> its durable fact's JSON up to the value


def _fact_json(name: str, value: Any) -> str:
    """A known fact as durable JSON: `{"sid":…,"t":"f","n":name,"v":value}`, the prefix
    serialised once per name (a check asserts dozens)."""
    prefix = _FACT_PREFIX.get(name)
    if prefix is None:
        prefix = _FACT_PREFIX[name] = json.dumps({"sid": SESSION, "t": FACT, "n": name})[:-1]
    return f'{prefix}, "v": {_value_json(to_network(value))}}}'


_encode = json.JSONEncoder(ensure_ascii=False).encode


def _value_json(v: Any) -> str:
    """A network value (JSON scalar) as JSON; the common types without the encoder's setup."""
    kind = type(v)
    if kind is bool:
        return "true" if v else "false"
    if kind is int:
        return int.__repr__(v)
    if kind is float and math.isfinite(v):
        return float.__repr__(v)
    return _encode(v)


class PythonBackend:
    """The same network evaluated by plain Python (a fixpoint over the expression evaluator).

    Not the product's path: a reference to check the durable_rules network against, and a
    baseline for benchmarks.
    """

    def __init__(self, network: Network, memo: Memo | None = None, warm: WarmStates | None = None):
        self.network = network
        self._memo = memo  # `warm`: durable's session states, nothing to keep here
        seen: set[int] = set()
        self._derived: list[Action] = []
        self._rules: list[Action] = []
        self._refutations: list[Action] = []
        for action in (a for found in network.actions.values() for a in found):
            # one network rule per disjunct: keep each rule once
            if action.refuted_by is not None:
                self._refutations.append(action)
                continue
            target = action.derived if action.derived is not None else action.rule
            if id(target) in seen:
                continue
            seen.add(id(target))
            (self._derived if action.derived is not None else self._rules).append(action)

    def close(self) -> None:
        return None  # holds nothing outside Python

    def run(self, facts: dict[str, Any], params: dict[str, Any]) -> Session:
        session = Session(dict(facts), params)
        env = session.env
        changed = True
        while changed:
            changed = False
            for action in self._derived:
                d = action.derived
                assert d is not None
                if d.when is not None and evaluate(d.when, env) is not True:
                    continue
                if session.derive(action, self._memo) is not UNKNOWN:
                    changed = True
        for action in self._rules:
            assert action.rule is not None
            if evaluate(action.rule.when, env) is True:
                session.conclude(action)
        for action in self._refutations:
            assert action.refuted_by is not None
            if all(evaluate(test, env) is True for test in action.refuted_by):
                session.conclude(action)
        return session
