"""CLIPS (through clipspy) running the same compiled network: a classic Rete engine in C, as a peer.

Each durable rule body (one conjunction per disjunct, see engine/compiler.py) becomes a CLIPS
defrule whose right-hand side calls back into Python; derived facts are computed by the same
`Session.derive` and asserted until nothing new fires. Not the product: a benchmark peer.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import clips

from engine.compiler import ABSENT, Network, per_fact
from engine.expressions import UNKNOWN
from engine.facts import to_network
from engine.runtime import Memo, Session

_OPS = {
    "$neq": ("neq", "<>"),
    "$lt": ("<",) * 2,
    "$lte": ("<=",) * 2,
    "$gt": (">",) * 2,
    "$gte": (">=",) * 2,
}


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return json.dumps(value)
    return repr(value)


def _test(constraint: dict[str, Any], var: str) -> str:
    ((key, inner),) = constraint.items()
    if key in ("$or", "$and"):
        parts = [_test(c, var) for c in inner]
        return parts[0] if len(parts) == 1 else f"({key[1:]} {' '.join(parts)})"
    if key == "v":
        if isinstance(inner, str) and "\x00" in inner:
            return "FALSE"  # an empty `in` list never holds
        numeric = isinstance(inner, int | float) and not isinstance(inner, bool)
        return f"({'=' if numeric else 'eq'} {var} {_literal(inner)})"
    symbolic, numeric_op = _OPS[key]
    value = inner["v"]
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    return f"({numeric_op if numeric else symbolic} {var} {_literal(value)})"


def _defrule(name: str, body: dict[str, Any]) -> str:
    lhs: list[str] = []
    tests: list[str] = []
    # one CLIPS pattern per fact: the durable input fact's tests split per input
    facts = [f for p in body["all"] for spec in p.values() for f in per_fact(spec["$and"])]
    for i, (kind, fact, constraints) in enumerate(facts):
        var = f"?a{i}"
        if kind == ABSENT:  # an input the placement left out
            lhs.append(f"(a (n {json.dumps(fact)}))")
            continue
        lhs.append(f"(f (n {json.dumps(fact)}) (v {var}))")
        tests += [_test(t, var) for t in constraints]
    if tests:
        lhs.append(f"(test {tests[0]})" if len(tests) == 1 else f"(test (and {' '.join(tests)}))")
    return f'(defrule {name} {" ".join(lhs)} => (fire "{name}"))'


class ClipsBackend:
    def __init__(self, network: Network, memo: Memo | None = None, warm: object = None):
        self.network = network
        self._memo = memo
        self._lock = threading.Lock()
        self._fired: list[str] = []
        self._env = clips.Environment()
        self._env.build("(deftemplate f (slot n) (slot v))")
        self._env.build("(deftemplate a (slot n))")
        self._env.define_function(self._fired.append, name="fire")
        for name, body in network.definition.items():
            self._env.build(_defrule(name, body))
        self._template = self._env.find_template("f")
        self._absent = self._env.find_template("a")

    def close(self) -> None:
        return None  # clipspy frees its environment when it is collected

    def _assert(self, name: str, value: Any) -> None:
        v = to_network(value)
        if isinstance(v, bool):
            v = clips.Symbol("TRUE" if v else "FALSE")
        self._template.assert_fact(n=name, v=v)

    def run(self, facts: dict[str, Any], params: dict[str, Any]) -> Session:
        session = Session(dict(facts), params)
        with self._lock:
            self._env.reset()
            self._fired.clear()
            for name in self.network.absent_names - facts.keys():
                self._absent.assert_fact(n=name)
            for name, value in facts.items():
                if name in self.network.fact_names:
                    self._assert(name, value)
            while True:
                self._env.run()
                if not self._fired:
                    break
                fired = list(self._fired)
                self._fired.clear()
                for action in (a for name in fired for a in self.network.actions[name]):
                    if action.rule is not None:
                        session.conclude(action)
                        continue
                    value = session.derive(action, self._memo)
                    if value is not UNKNOWN:
                        self._assert(action.derived.id, value)
        return session
