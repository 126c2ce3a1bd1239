"""Probes of issue 22's "every cost bounded": the input that stalled or exploded, now refused.

Each probe asserts the behaviour (refused, the message names the file, line and limit) and,
where the issue states a bound (1 s and 50 MB for the upload, 2 s for the nested condition,
10 s and 300 MB for a 2 MB rule file), that bound. The bounds are far above what the refusal
takes (milliseconds); they only fail when the work is done before the limit is checked.
"""

from __future__ import annotations

import shutil
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.cli import main
from engine.expressions import parse
from engine.expressions.normal_form import MAX_DISJUNCTS, condition_problem
from tests.conftest import MINI

# The 494-byte file: nine levels of nine aliases, 9^9 "lol"s once expanded.
BILLION_LAUGHS = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(
        f"{c}: &{c} [{','.join([f'*{p}'] * 9)}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    + "candidate: *i\n"
).encode()


def measured(work: Callable[[], Any]) -> tuple[Any, float, int]:
    """The result, seconds taken and peak bytes allocated by Python (in every thread)."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        result = work()
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return result, seconds, peak


# ------------------------------------------------------------------ the placement upload


@pytest.fixture(scope="module")
def client() -> TestClient:
    c = TestClient(create_app())
    c.get("/")  # the rules load once, outside the measurement
    return c


def test_the_billion_laughs_upload_is_refused_at_once_in_dutch(client):
    assert len(BILLION_LAUGHS) < 600
    r, seconds, peak = measured(
        lambda: client.post("/plaatsing", files={"bestand": ("bom.yaml", BILLION_LAUGHS)})
    )
    assert r.status_code == 422
    assert "bom.yaml:1: YAML-ankers (&amp;a) zijn niet toegestaan" in r.text
    assert seconds < 1.0, f"{seconds:.2f} s"
    assert peak < 50 * 2**20, f"{peak / 2**20:.0f} MB"


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("diep.yaml", b"candidate: " + b"[" * 60 + b"]" * 60, "diep.yaml:1: meer dan 40 niveaus"),
        ("diep.json", b'{"candidate": ' + b"[" * 5000 + b"]" * 5000 + b"}", "diep.json"),
        ("dubbel.yaml", b"job: {}\njob: {}\n", "dubbel.yaml:2: sleutel &#39;job&#39; staat er"),
        ("lijst.yaml", b"- candidate\n", "lijst.yaml: verwacht een plaatsing"),
    ],
)
def test_an_upload_is_read_with_the_limits_of_rule_files(client, name, content, expected):
    r = client.post("/plaatsing", files={"bestand": (name, content)})
    assert r.status_code == 422 and expected in r.text


# ------------------------------------------------------------------ rule files


@pytest.fixture()
def rules(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(MINI, target)
    return target


def validate(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, float, int]:
    """`arrangeur validate` on `root`: exit code, what it printed, seconds, peak bytes."""
    code, seconds, peak = measured(lambda: main(["validate", str(root)]))
    out = capsys.readouterr()
    return code, out.out + out.err, seconds, peak


def with_rule(root: Path, when: str, rule_id: str = "groot") -> tuple[Path, int]:
    """A rule appended to the UWV test set; the file and the rule's line."""
    file = root / "uwv" / "uwv.yaml"
    text = file.read_text(encoding="utf-8")
    line = text.count("\n") + 1
    file.write_text(
        text
        + f"  - id: {rule_id}\n    instrument: jobcoaching\n    when: {when!r}\n"
        + "    then: eligible\n    explanation: x\n    source: {ref: t, article: art. 1}\n",
        encoding="utf-8",
    )
    return file, line


PAIR = "(candidate.loonwaarde_pct == 1 or job.uren_per_week == 1)"  # two facts: not one test
INNER = " and ".join([PAIR] * 7)  # 2^7 = 128 alternatives
NESTED = " and ".join([f"(({INNER}) or ({INNER}))"] * 2)  # 256 x 256 = 65,536, and deeper


def test_a_nested_condition_is_counted_before_it_is_expanded(rules, capsys):
    """Issue 22: 1.5 KB of nested and/or hung validate for over 110 s (64^k expanded first)."""
    assert 1_000 < len(NESTED) < 2_000
    problem, seconds, _ = measured(lambda: condition_problem(parse(NESTED), {}))
    assert problem == (
        f"de voorwaarde valt uiteen in 65.536 alternatieven; de grens is {MAX_DISJUNCTS} "
        "per regel: splits de regel"
    )
    assert seconds < 2.0
    file, line = with_rule(rules, NESTED)
    code, out, seconds, _ = validate(rules, capsys)
    assert code == 1 and f"{file}:{line} [uwv-test/groot]: de voorwaarde valt uiteen in" in out
    assert seconds < 2.0, f"{seconds:.1f} s"
    deeper = " or ".join([f"({NESTED})"] * 4)  # (4 x 2^16)^2 alternatives: still arithmetic
    problem = condition_problem(parse(f"({deeper}) and ({deeper})"), {})
    assert problem and "in meer dan 1.000.000.000 alternatieven" in problem
