"""The web pages: the result page (het arrangement) for a sample placement, served by one app
in-process through the ASGI stack (TestClient: routing, check, template, no network), and the
page weight the browser loads (HTML + CSS + JS of the form and the result page).

Targets (issue 14): result page p95 <= 50 ms on one worker; HTML+CSS+JS <= 100 KB per page.
"""

from __future__ import annotations

import dataclasses
import statistics
import time
from pathlib import Path
from typing import Any

import yaml

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "delft-bijstand.yaml"


def measure_pages(rules: Path, quick: bool = False) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.pages import placement_form as pf
    from engine.rulesets.registry import load_rulebase

    app = create_app(load_rulebase(rules))
    # the pages measured hold no personal data: open, as with ARRANGEUR_PUBLIC_CHECKS=1
    app.state.security = dataclasses.replace(app.state.security, public_checks=True)
    # one event loop throughout; a host the server answers by default
    with TestClient(app, base_url="http://localhost") as client:
        return _measure(client, pf.query(pf.flatten(yaml.safe_load(SAMPLE.read_text()))), quick)


def _measure(client: Any, query: str, quick: bool) -> dict[str, Any]:
    url = "/arrangement?" + query
    for _ in range(5):  # compile the network and the templates once
        assert client.get(url).status_code == 200
    times = []
    for _ in range(50 if quick else 400):
        t0 = time.perf_counter()
        r = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200
    times.sort()
    assets = sum(len(client.get(a).content) for a in ("/static/app.css", "/static/app.js"))
    weight = {
        name: round((len(client.get(path).content) + assets) / 1000, 1)
        for name, path in (("form", "/"), ("result", url))
    }
    return {
        "page_result_p50_ms": round(statistics.median(times), 2),
        "page_result_p95_ms": round(times[int(len(times) * 0.95) - 1], 2),
        "page_weight_kb": weight,  # HTML + CSS + JS, uncompressed
        "page_targets": {"p95_ms": 50, "weight_kb": 100},
    }
