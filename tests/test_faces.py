"""The CLI and the HTTP API: exit codes, field paths, endpoints."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from api.app import create_app
from api.cli import main
from engine.errors import RulesError
from engine.rulesets.registry import load_rulebase
from tests.conftest import MINI, ROOT
from tests.security_helpers import signed_in

SAMPLE = ROOT / "samples" / "delft-bijstand.yaml"


def test_cli_check_prints_dutch_text(capsys):
    assert main(["check", str(SAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "Komt in aanmerking" in out and "Loonkostensubsidie — gemeente Delft" in out
    assert "Bron:" in out


def test_cli_check_json_has_the_interface_fields(capsys):
    assert main(["check", str(SAMPLE), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"instruments", "conflicts", "rulesets", "missing_facts"} <= set(data)
    entry = next(e for e in data["instruments"] if e["instrument"] == "loonkostensubsidie")
    assert {
        "instrument",
        "authority",
        "status",
        "params",
        "amounts",
        "explanation",
        "sources",
    } <= set(entry)
    assert entry["authority"] == "gemeente:GM0503"
    assert {"period", "eur", "basis"} <= set(entry["amounts"][0])
    assert {"id", "version", "content_hash", "provenance"} <= set(data["rulesets"][0])


def test_cli_date_overrides_peildatum(capsys):
    assert main(["check", str(SAMPLE), "--format", "json", "--date", "2025-07-01"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["peildatum"] == "2025-07-01"


def _sample_with(tmp_path: Path, part: str, field: str, value: object) -> Path:
    data = yaml.safe_load(SAMPLE.read_text())
    data[part][field] = value
    file = tmp_path / "placement.yaml"
    file.write_text(yaml.safe_dump(data))
    return file


def test_cli_invalid_placement_exits_2_with_field_path(tmp_path, capsys):
    file = _sample_with(tmp_path, "candidate", "uitkering", "pensioen")
    assert main(["check", str(file)]) == 2
    assert "candidate.uitkering" in capsys.readouterr().err


def test_cli_unknown_gemeente_exits_2(tmp_path, capsys):
    file = _sample_with(tmp_path, "candidate", "woongemeente", "Delf")
    assert main(["check", str(file)]) == 2
    err = capsys.readouterr().err
    assert "candidate.woongemeente" in err and "Delft" in err


def test_cli_broken_yaml_placement_names_the_line(tmp_path, capsys):
    file = tmp_path / "bad.yaml"
    file.write_text("candidate:\n  woongemeente: [Delft\n")
    assert main(["check", str(file)]) == 2
    assert f"{file}:" in capsys.readouterr().err


@pytest.fixture()
def broken_rules(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(MINI, target)
    file = target / "gemeenten" / "beestad.yaml"
    file.write_text(file.read_text().replace("instrument: loonkostensubsidie", "instrument: nope"))
    return target


def test_cli_validate_ok_and_broken(broken_rules, capsys):
    assert main(["validate", str(MINI)]) == 0
    assert main(["validate", str(broken_rules)]) == 1
    assert "beestad.yaml:" in capsys.readouterr().err


def test_serve_refuses_to_start_on_broken_rules(broken_rules, capsys):
    assert main(["--rules", str(broken_rules), "serve", "--port", "8124"]) == 1
    with pytest.raises(RulesError):
        create_app(load_rulebase(broken_rules))


def test_cli_rulesets_lists_versions_with_provenance(capsys):
    assert main(["rulesets", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    wtl = [r for r in rows if r["id"] == "rijk-wtl"]
    assert len(wtl) == 3 and all(r["provenance"] == "verified" for r in wtl)
    assert any(r["provenance"] == "illustrative" for r in rows)


@pytest.fixture(scope="module")
def client() -> TestClient:
    return signed_in(create_app(load_rulebase(ROOT / "rules")))


def test_api_check(client):
    body = yaml.safe_load(SAMPLE.read_text())
    body = json.loads(json.dumps(body, default=str))
    response = client.post("/v1/checks", json=body)
    assert response.status_code == 200
    data = response.json()
    assert any(
        e["instrument"] == "loonkostensubsidie" and e["status"] == "eligible"
        for e in data["instruments"]
    )


def test_api_invalid_placement_is_422_with_field_path(client):
    body = json.loads(json.dumps(yaml.safe_load(SAMPLE.read_text()), default=str))
    body["job"]["uren_per_week"] = "veel"
    response = client.post("/v1/checks", json=body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "job", "uren_per_week"]
    body["job"]["uren_per_week"] = 32
    body["employer"]["vestigingsgemeente"] = "Atlantis"
    response = client.post("/v1/checks", json=body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "employer", "vestigingsgemeente"]


def test_api_rulesets_instruments_and_openapi(client):
    rows = client.get("/v1/rulesets").json()
    assert {"rijk-wtl", "uwv-instrumenten", "delft"} <= {r["id"] for r in rows}
    one = client.get("/v1/rulesets/rijk-wtl").json()
    assert [v["version"] for v in one["versions"]] == ["2023.1", "2025.1", "2026.1"]
    assert client.get("/v1/rulesets/nope").status_code == 404
    instruments = client.get("/v1/instruments").json()
    assert "lkv_oudere_werknemer" in {i["id"] for i in instruments["instruments"]}
    spec = client.get("/openapi.json").json()
    assert "/v1/checks" in spec["paths"]
