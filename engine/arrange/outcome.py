"""The answer after the network, built once per outcome (issue 26).

What follows the network (offers, precedence, entries, conflicts, their Dutch) is a function of
the scope, the network's outcome (the rules fired and refuted, and which rule derived each fact)
and the few values of the check that amounts, parameters, refusals and missing facts read. So
the answer is kept per outcome and reused for every check with that outcome and those values.

Which values: not a list kept by hand (other steps and fields are added over time), but traced.
The steps after the network read a check's values only through `env`; on a miss they read it
through `Traced`, which records every name they look up. The answer is stored under the values
of those names, and a later check with the same outcome and the same values for all of them
takes the same path through the same code, so gets the same answer. When a build reads a name
the outcome had not recorded yet (another path through the code), the outcome's names grow and
its stored answers are dropped: they were keyed on fewer names. A build that lists `env` (not
traceable) is not kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any, Generic, TypeVar

from engine.expressions import UNKNOWN

A = TypeVar("A")
OUTCOMES = 4_096  # outcomes kept per network; refilled when full
ANSWERS = 256  # answers kept per outcome (value combinations); refilled when full
# An engine whose answers hardly repeat (every placement new, as in a benchmark of distinct
# placements) stops tracing and keeping after this many misses while fewer than one in nine
# checks hit: a miss costs a traced build, and thousands of kept answers cost every garbage
# collection. After RETRY checks without it, it tries again with empty caches.
TRIAL = 256
RETRY = 4_096


class Tally:
    """Hits and misses of all of an engine's networks: whether keeping answers pays."""

    __slots__ = ("hits", "misses", "skipped", "generation")

    def __init__(self) -> None:
        self.hits = self.misses = self.skipped = 0
        self.generation = 0  # raised when a new trial starts: the caches empty themselves

    def skip(self) -> bool:
        """Whether to build without the cache (answers do not repeat enough)."""
        if self.hits * 8 + TRIAL >= self.misses:
            return False
        self.skipped += 1
        if self.skipped >= RETRY:
            self.hits = self.misses = self.skipped = 0
            self.generation += 1
        return True


class Traced(Mapping[str, Any]):
    """A check's values as the steps after the network read them: every name looked up is
    recorded (a lookup of an absent name too: its absence decides as much as a value)."""

    __slots__ = ("_env", "names", "present", "listed")

    def __init__(self, env: Mapping[str, Any]):
        self._env = env
        self.names: set[str] = set()  # values read
        self.present: set[str] = set()  # only asked whether they are known (missing facts)
        self.listed = False  # iterated or counted: what was read is not known

    def __getitem__(self, name: str) -> Any:
        self.names.add(name)
        return self._env[name]

    def get(self, name: str, default: Any = None) -> Any:
        self.names.add(name)
        return self._env.get(name, default)

    def __contains__(self, name: object) -> bool:
        if isinstance(name, str):
            self.present.add(name)
        return name in self._env

    def __iter__(self) -> Iterator[str]:
        self.listed = True
        return iter(self._env)

    def __len__(self) -> int:
        self.listed = True
        return len(self._env)


def values_key(
    env: Mapping[str, Any], names: tuple[str, ...], present: tuple[str, ...] = ()
) -> tuple[Any, ...]:
    """The values of `names` in `env`, with their types (1, 1.0 and True are equal in Python but
    read differently); floats and Decimals by their text (2400 and 2400.0, -0.0 and 0.0); then
    whether each of `present` is known."""
    get = env.get
    out: list[Any] = []
    for name in names:
        v = get(name, UNKNOWN)
        kind = type(v)
        out.append((kind, repr(v)) if kind is float or kind is Decimal else (kind, v))
    out += [name in env for name in present]
    return tuple(out)


class _Outcome(Generic[A]):
    __slots__ = ("names", "present", "answers")

    def __init__(self, names: tuple[str, ...], present: tuple[str, ...]):
        self.names = names  # values read
        self.present = present  # only whether known (a value read counts for both)
        self.answers: dict[tuple[Any, ...], A] = {}


class OutcomeCache(Generic[A]):
    """Answers per (outcome, values read). One per compiled network: it goes with the network
    (evicted together), so the identities of the network's actions in a key stay valid."""

    def __init__(
        self, tally: Tally | None = None, outcomes: int = OUTCOMES, answers: int = ANSWERS
    ):
        self._outcomes: dict[Any, _Outcome[A]] = {}
        self._cap, self._answers_cap = outcomes, answers
        self.tally = tally if tally is not None else Tally()
        self._generation = self.tally.generation
        self.hits = self.misses = 0

    def answer(
        self, outcome: Any, env: Mapping[str, Any], build: Callable[[Mapping[str, Any]], A]
    ) -> tuple[A, bool]:
        """The answer for `outcome` with the values in `env`, and whether it was kept before;
        `build(env)` makes it on a miss. The caller copies what a check may change."""
        tally = self.tally
        if tally.skip():
            return build(env), False
        if self._generation != tally.generation:
            self._outcomes.clear()
            self._generation = tally.generation
        found = self._outcomes.get(outcome)
        key: tuple[Any, ...] | None = None
        if found is not None:
            try:
                key = values_key(env, found.names, found.present)
                kept = found.answers.get(key)
            except TypeError:  # an unhashable value: build, do not keep
                return build(env), False
            if kept is not None:
                self.hits += 1
                tally.hits += 1
                return kept, True
        self.misses += 1
        tally.misses += 1
        traced = Traced(env)
        answer = build(traced)
        if traced.listed:
            return answer, False
        if (
            found is None
            or not traced.names.issubset(found.names)
            or not traced.present.issubset(found.present)
        ):
            names = traced.names.union(found.names if found is not None else ())
            present = traced.present.union(found.present if found is not None else ()) - names
            found = _Outcome(tuple(sorted(names)), tuple(sorted(present)))
            if outcome not in self._outcomes and len(self._outcomes) >= self._cap:
                self._outcomes.clear()
            self._outcomes[outcome] = found
            key = None
        try:
            if key is None:
                key = values_key(env, found.names, found.present)
            hash(key)
        except TypeError:
            return answer, False
        if len(found.answers) >= self._answers_cap:
            found.answers.clear()
        found.answers[key] = answer
        return answer, False

    def __len__(self) -> int:
        return len(self._outcomes)
