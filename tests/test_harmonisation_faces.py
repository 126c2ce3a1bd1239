"""`arrangeur harmonisation` and GET /v1/regions/{region}/harmonisation on the hand-made rules."""

from __future__ import annotations

import csv
import io
import json
import re

from api.app import create_app
from api.cli import main
from engine.rulesets.registry import load_rulebase
from tests.security_helpers import signed_in
from tests.test_harmonisation import FIXTURE

ARGS = ["--rules", str(FIXTURE), "harmonisation", "oost", "--date", "2025-03-01",
        "--profiles", "600", "--executor", "serial"]  # fmt: skip


def test_cli_json_has_the_interface_fields(capsys):
    assert main([*ARGS, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"region", "peildatum", "matrix", "outcome_differences", "summary"} <= set(data)
    assert {"q40", "q42", "index"} <= set(data["summary"])
    assert {"instrument", "authority", "offered"} <= set(data["matrix"][0])
    diff = next(d for d in data["outcome_differences"] if d["instrument"] == "proefplaatsing")
    assert {"instrument", "type", "gemeenten", "profiles_affected", "examples"} <= set(diff)
    assert diff["type"] == "local_exception" and diff["gemeenten"] == ["GM0013"]


def test_cli_text_examples_rerun_with_check(tmp_path, capsys):
    assert main([*ARGS, "--examples", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Vraag 40" in out and "lokale uitzondering op de regionale afspraak" in out
    example = next(p for p in sorted(tmp_path.glob("proefplaatsing-*-GM0013.yaml")))
    assert f"arrangeur check {tmp_path}" in out
    assert main(["--rules", str(FIXTURE), "check", str(example), "--format", "json"]) == 0
    entry = next(
        e for e in json.loads(capsys.readouterr().out)["instruments"]
        if e["instrument"] == "proefplaatsing"
    )  # fmt: skip
    assert entry["params"] == {"duur_maanden": 3} and entry["authority"] == "gemeente:GM0013"


def test_cli_csv_is_the_menukaart(capsys):
    assert main([*ARGS, "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("\ufeffregio;peildatum;")  # Dutch Excel: BOM and ";" (issue 25)
    rows = list(csv.DictReader(io.StringIO(out.removeprefix("\ufeff")), delimiter=";"))
    fijnaart = next(
        r for r in rows if r["instrument"] == "proefplaatsing" and r["instantie"] == "GM0013"
    )
    assert fijnaart["via"] == "eigen regels" and fijnaart["aangeboden"] == "ja"
    assert float(fijnaart["afwijkende_uitkomsten_pct"].replace(",", ".")) > 0  # Dutch decimal


def test_cli_html_is_self_contained_dutch_heatmap(tmp_path, capsys):
    out = tmp_path / "rapport.html"
    assert main([*ARGS, "--format", "html", "--output", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert '<html lang="nl">' in page and "Heatmap: instrument × gemeente" in page
    assert "Fijnaart" in page and "Vraag 40" in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # nothing loaded from the net


def test_cli_unknown_region_exits_2(capsys):
    assert main(["--rules", str(FIXTURE), "harmonisation", "noordpool", "--profiles", "10"]) == 2
    assert "onbekende arbeidsmarktregio 'noordpool'" in capsys.readouterr().err


def test_api_harmonisation():
    client = signed_in(create_app(load_rulebase(FIXTURE)))
    query = "date=2025-03-01&profiles=600&compare_region=west"
    r = client.get(f"/v1/regions/oost/harmonisation?{query}")
    assert r.status_code == 200
    data = r.json()
    assert data["region"] == "oost" and data["compare_region"]["index"]["west"] == 1.0
    assert any(d["type"] == "local_exception" for d in data["outcome_differences"])
    page = client.get(f"/v1/regions/oost/harmonisation?{query}&format=html")
    assert page.headers["content-type"].startswith("text/html") and "Heatmap" in page.text
    missing = client.get("/v1/regions/noordpool/harmonisation?profiles=10")
    assert missing.status_code == 404 and missing.json()["detail"][0]["loc"] == ["query", "region"]
    # a date the profiles cannot be placed on names the date, not a generated birth date
    early = client.get("/v1/regions/oost/harmonisation?date=1950-01-01&profiles=10")
    assert early.status_code == 422
    [problem] = early.json()["detail"]
    assert problem["loc"] == ["query", "date"] and "passen vanaf 1966-04-01" in problem["msg"]
