"""Probes of issue 22's "every cost bounded": the input that stalled or exploded, now refused.

Each probe asserts the behaviour (refused, the message names the file, line and limit) and,
where the issue states a bound (1 s and 50 MB for the upload, 2 s for the nested condition,
10 s and 300 MB for a 2 MB rule file), that bound. The bounds are far above what the refusal
takes (milliseconds); they only fail when the work is done before the limit is checked.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app

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
