"""Fuzzing the rule loader and the expression language: no exception but the project's own.

Mutated rule files must load or raise RulesError; random expressions must parse or raise
ExpressionError, and what parses must type-check, compile and evaluate or raise ExpressionError
(EvaluationFailure at run time). Each input runs under a time and memory bound that only a hang
or an explosion (an alias bomb, a quadratic tokenizer) can reach, so the tests do not depend on
the machine's speed. Counts for docs/reliability.md: FUZZ_COUNTS below.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import threading
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import TypeVar

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.arrangement import parse_placement
from engine.errors import ExpressionError, RulesError
from engine.expressions import parse
from engine.expressions.evaluate import evaluate
from engine.expressions.functions import FUNCTIONS
from engine.expressions.normal_form import condition_problem
from engine.expressions.types import check as type_check
from engine.facts import INPUT_FACTS, placement_facts
from engine.rulesets.registry import load_rulebase
from engine.rulesets.typecheck import type_env
from tests.conftest import MINI

T = TypeVar("T")

SECONDS = 10  # per input; a normal one takes milliseconds
MEGABYTES = 300  # growth of the process per input; the alias bomb of issue 12 took 5.9 GB

# Inputs per test in CI (~25 s on two cores); ARRANGEUR_FUZZ_SCALE=20 for a long run.
SCALE = int(os.environ.get("ARRANGEUR_FUZZ_SCALE", "1"))
FUZZ_COUNTS = {
    kind: n * SCALE
    for kind, n in {"bytes": 150, "data": 150, "expressions": 2000, "conditions": 500}.items()
}


def fuzz(kind: str) -> settings:
    return settings(
        max_examples=FUZZ_COUNTS[kind], deadline=None, suppress_health_check=list(HealthCheck)
    )


def counted(kind: str, what: str) -> Callable[[T], T]:
    """Collect the test as `test_<what>_fuzz_<count>_cases`: the report shows how many
    inputs ran (also under ARRANGEUR_FUZZ_SCALE)."""

    def register(test: T) -> T:
        name = f"test_{what}_fuzz_{FUZZ_COUNTS[kind]}_cases"
        globals()[name] = test
        return test

    return register


class BoundExceeded(BaseException):  # not an Exception: no `except` in the code under test eats it
    pass


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@contextlib.contextmanager
def bounded() -> Iterator[None]:
    """Stop the input (fail, not hang) past SECONDS, or once the process has grown by MEGABYTES:
    a watcher thread samples the resident size every 10 ms and fires the alarm early."""
    why: list[str] = []

    def expire(*_: object) -> None:
        raise BoundExceeded(why[0] if why else f"input took more than {SECONDS} s")

    base, done = _rss(), threading.Event()

    def watch() -> None:
        while not done.wait(0.01):
            if _rss() - base > MEGABYTES * 2**20:
                why.append(f"input grew the process by more than {MEGABYTES} MB")
                signal.setitimer(signal.ITIMER_REAL, 0.001)
                return

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, SECONDS)
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_the_bounds_stop_a_hang_and_an_explosion(monkeypatch):
    """The bounds are real: the old loader's way with an alias bomb (expanding every alias,
    as the line walk did) is stopped at MEGABYTES, an endless loop at SECONDS."""
    bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 10)
    )

    def expand(node: object) -> object:  # every leaf a new 1 KB text, as a copy would make
        return [expand(i) for i in node] if isinstance(node, list) else f"{node:>1024}"

    tree = yaml.safe_load(bomb)  # shared references: small until expanded
    with pytest.raises(BoundExceeded, match="MB"), bounded():
        expand(tree["a9"])
    monkeypatch.setattr(__import__(__name__), "SECONDS", 0.2)
    with pytest.raises(BoundExceeded, match="more than 0.2 s"), bounded():
        while True:
            pass


# ---------------------------------------------------------------- rule files


@pytest.fixture(scope="module")
def rules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("fuzz") / "rules"
    shutil.copytree(MINI, target)
    return target


def nested_and_or(levels: int) -> str:
    """Issue 22's shape: and/or nested so that the alternatives multiply (2^7, squared, …)."""
    text = " and ".join(["(candidate.loonwaarde_pct == 1 or job.uren_per_week == 1)"] * 7)
    for _ in range(levels):
        text = f"(({text}) or ({text})) and (({text}) or ({text}))"
        if len(text) > 4_000:
            break
    return text


NESTED = nested_and_or(1)


FILES = [
    "uwv/uwv.yaml",
    "gemeenten/beestad.yaml",
    "regio/noord.yaml",
    "rijk/parameters/test.yaml",
    "catalogus.yaml",
    "geografie.yaml",
]
PIECES = [
    b"&a ", b"*a", b"<<: ", b"- ", b": ", b"\n", b"\n  ", b"    ", b"\t", b"[", b"]", b"{", b"}",
    b"'", b'"', b"#", b"? ", b"|", b">", b"---\n", b"...\n", b"%YAML 1.1\n", b"!!binary ",
    b"!!python/object/apply:os.system ['true']", b"!!set ", b"\xff", b"\xc3", b"\x00",
    b"\xef\xbb\xbf",
    b"2023-02-30", b"2020-01-01", b"1e999", b".nan", b"-.inf", b"9" * 60, b"null", b"true",
    b"valid_from: 2020-01-01\n", b"valid_to: 2019-01-01\n", b"id: x\n", b"authority: rijk\n",
    b"(" * 60, b"[" * 60, b"not not ", b" and ", b" or ", b"candidate.", b"job.startdatum",
    b"param.", b"add_months(", b"date('9999-12-31')", b"/ 0", b"regie", b"leeftijd",
    # issue 22: tags that cannot be built on a key, 28+ digits, week dates, dates far out
    b"!!timestamp x: 1\n", b"? !!timestamp x\n", b"!!timestamp ", b"!!int ", b"!!float ",
    b"1234567890123456789012345678.1", b"2025-W14-2", b"20250401", b"9999-12-31",
]  # fmt: skip


@st.composite
def byte_mutations(draw) -> tuple[str, bytes]:
    name = draw(st.sampled_from(FILES))
    data = bytearray((MINI / name).read_bytes())
    for _ in range(draw(st.integers(1, 4))):
        pos = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(["insert", "delete", "replace", "repeat_line"]))
        if op == "insert":
            data[pos:pos] = draw(st.sampled_from(PIECES) | st.binary(max_size=8))
        elif op == "delete":
            del data[pos : pos + draw(st.integers(1, 40))]
        elif op == "replace":
            data[pos : pos + draw(st.integers(1, 8))] = draw(st.sampled_from(PIECES))
        else:
            start = data.rfind(b"\n", 0, pos) + 1
            end = data.find(b"\n", pos)
            line = bytes(data[start : end + 1 if end >= 0 else len(data)])
            data[start:start] = line * draw(st.integers(1, 3))
    return name, bytes(data)


VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**30), 10**30)
    | st.floats()
    | st.sampled_from(["2023-02-30", "2020-01-01", "9999-12-31", "rijk", "gemeente:GM0001",
                       "regie == 'uwv'", "candidate.loonwaarde_pct < 100", "(" * 80, "x" * 300,
                       "add_months(job.startdatum, 1000000000)", "1 / 0", "param.wml_uur * 2",
                       "candidate.uitkering_sinds < 1234567890123456789012345678.1",
                       "2025-W14-2", "20250401", "0001-01-01", NESTED])
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)  # fmt: skip


def _paths(node: object, path: tuple = ()) -> list[tuple]:
    out = [path]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*path, i))
    return out


@st.composite
def data_mutations(draw) -> tuple[str, bytes]:
    """Well-formed YAML with wrong content: the schema, the semantics and the types must cope."""
    name = draw(st.sampled_from(FILES))
    data = yaml.safe_load((MINI / name).read_text(encoding="utf-8"))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(data)[1:]))
        parent = data
        for key in path[:-1]:
            parent = parent[key]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(VALUES)
        if not isinstance(data, dict | list):
            break
    return name, yaml.safe_dump(data, allow_unicode=True).encode()


def _load_mutated(rules: Path, name: str, content: bytes) -> None:
    file = rules / name
    original = (MINI / name).read_bytes()
    file.write_bytes(content)
    try:
        with bounded():
            try:
                load_rulebase(rules)
            except RulesError as exc:
                assert exc.problems and all(p.file for p in exc.problems)
    finally:
        file.write_bytes(original)


@counted("bytes", "rule_file_bytes")
@fuzz("bytes")
@given(byte_mutations())
def _mutated_rule_files_load_or_name_their_problems(rules, mutation):
    _load_mutated(rules, *mutation)


@counted("data", "rule_file_content")
@fuzz("data")
@given(data_mutations())
def _rule_files_with_wrong_content_load_or_name_their_problems(rules, mutation):
    _load_mutated(rules, *mutation)


# ---------------------------------------------------------------- expressions

_FACTS = sorted(INPUT_FACTS) + ["leeftijd", "regie", "param.wml_uur", "onbekend.feit"]
TOKENS = st.sampled_from(
    [*_FACTS, *FUNCTIONS, "(", ")", "[", "]", ",", "+", "-", "*", "/", "==", "!=", "<", "<=", ">",
     ">=", "and", "or", "not", "in", "true", "false", "0", "1", "2.5", "100", "9" * 40, "'ww'",
     "'2025-01-01'", '"x"', "'", "date('2025-02-28')", "date('2023-02-30')", "1000000000", "@",
     "$", "#", ".", "é", "\n", "\t", "known(job.contract_maanden)",
     # issue 22: 28+ digits (decimal.InvalidOperation in messages), ISO week dates
     "1234567890123456789012345678.1", "12345678901234567890", "0.5", "100000000",
     "date('2025-W14-2')", "date('20250401')"]
)  # fmt: skip
EXPRESSIONS = st.one_of(
    st.lists(TOKENS, max_size=30).map(" ".join),
    st.lists(TOKENS, max_size=30).map("".join),
    st.text(max_size=60),
    st.integers(0, 300).map(lambda n: "(" * n + "1" + ")" * n),
    st.integers(0, 300).map(lambda n: " + ".join(["job.uren_per_week"] * (n + 1))),
    st.integers(1, 4).map(nested_and_or),
)


@pytest.fixture(scope="module")
def env(engine) -> dict:
    """Every input fact known (the sample placement), parameters on its date, derived facts."""
    placement = parse_placement(
        {
            "peildatum": "2025-04-01",
            "candidate": {
                "woongemeente": "Delft",
                "geboortedatum": "1990-05-01",
                "uitkering": "bijstand",
                "uitkering_sinds": "2023-01-15",
                "doelgroepregister": True,
                "loonwaarde_pct": 50,
                "eerder_in_dienst_bij_werkgever": False,
                "arbeidsbeperking": True,
                "doelgroepverklaring_aangevraagd": "2025-04-02",
            },
            "employer": {"vestigingsgemeente": "Den Haag", "naam": "X"},
            "job": {"startdatum": "2025-04-01", "uren_per_week": 32, "contract_maanden": 12,
                    "brutoloon_per_maand": 2400},
        }
    )  # fmt: skip
    facts = placement_facts(placement, "GM0503", "GM0518")
    params = engine.rulebase.parameters.at(date(2025, 4, 1))
    return {**params, **facts, "leeftijd": 34, "regie": "gemeente"}


@pytest.fixture(scope="module")
def types(engine) -> dict:
    return type_env(list(engine.rulebase.rulesets), engine.rulebase.parameters)


@counted("expressions", "expressions")
@fuzz("expressions")
@given(EXPRESSIONS)
def _random_expressions_parse_check_and_evaluate_or_say_why(env, types, text):
    with bounded():
        try:
            node = parse(text)
        except ExpressionError:
            return
        assert isinstance(type_check(node, types), list)
        for facts in (env, {}):  # all facts known, and none (UNKNOWN everywhere)
            with contextlib.suppress(ExpressionError):
                evaluate(node, facts)


@counted("conditions", "conditions")
@fuzz("conditions")
@given(EXPRESSIONS)
def _random_conditions_compile_for_the_network_or_say_why(env, text):
    with bounded():
        try:
            node = parse(text)
        except ExpressionError:
            return
        params = {k: v for k, v in env.items() if k.startswith("param.")}
        problem = condition_problem(node, params)
        assert problem is None or isinstance(problem, str)
