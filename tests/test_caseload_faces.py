"""`arrangeur caseload ...` and /v1/caseload/...: the newcomer's path, Dutch errors, exit codes
and HTTP statuses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from icalendar import Calendar

from api.app import create_app
from api.cli import main
from engine import Engine
from engine.storage.migrate import head
from tests.conftest import ROOT
from tests.security_helpers import signed_in

SAMPLES = ROOT / "samples"


def test_cli_newcomer_path_on_sqlite(
    tmp_path: Path, capsys: pytest.CaptureFixture, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the shipped rules, already loaded once for the session (each command would load them anew)
    monkeypatch.setattr("api.cli._load", lambda args: engine.rulebase)
    db = ["caseload", "--db", f"sqlite:///{tmp_path / 'c.db'}"]
    assert main([*db, "migrate"]) == 0
    assert f"bijgewerkt van revisie (leeg) naar {head()}" in capsys.readouterr().out
    assert main([*db, "add", str(SAMPLES / "oudere-ww.yaml")]) == 0
    out = capsys.readouterr().out
    assert "Toegevoegd: oudere-ww" in out and "LKV oudere werknemer: komt in aanmerking" in out
    assert main([*db, "add", str(SAMPLES / "wajong.yaml"), "--ref", "w-17"]) == 0
    capsys.readouterr()

    # errors: Dutch, exit 2, nothing changed
    assert main([*db, "add", str(SAMPLES / "wajong.yaml"), "--ref", "w-17"]) == 2
    assert "bestaat al" in capsys.readouterr().err
    assert main([*db, "show", "bestaat-niet"]) == 2
    assert "onbekende referentie 'bestaat-niet'" in capsys.readouterr().err
    assert main([*db, "remove", "bestaat-niet"]) == 2
    capsys.readouterr()
    bad = tmp_path / "kapot.yaml"
    bad.write_text((SAMPLES / "wajong.yaml").read_text().replace("wajong", "wajonk"))
    assert main([*db, "add", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "kapot.yaml: ongeldige plaatsing: candidate.uitkering" in err

    assert main([*db, "list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in listed] == ["oudere-ww", "w-17"]

    assert main([*db, "recheck", "--date", "2026-01-15"]) == 0
    out = capsys.readouterr().out
    assert "oudere-ww: gewijzigd (peildatum 2025-03-01 → 2026-01-15)" in out
    assert (
        "- LKV oudere werknemer: vervalt, nu komt niet in aanmerking (was: komt in aanmerking"
        in out
    )
    assert "regelset rijk-wtl 2025.1 → 2026.1" in out

    ics = tmp_path / "termijnen.ics"
    assert main([*db, "export", "--format", "ics", "-o", str(ics)]) == 0
    events = list(Calendar.from_ical(ics.read_bytes()).walk("VEVENT"))
    assert events and all(str(e["SUMMARY"]).startswith(("oudere-ww:", "w-17:")) for e in events)
    assert not any("LKV oudere werknemer" in str(e["SUMMARY"]) for e in events)

    assert main([*db, "show", "w-17", "--format", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["ref"] == "w-17" and shown["peildatum"] == "2026-01-15"
    assert main([*db, "remove", "w-17"]) == 0
    capsys.readouterr()
    assert main([*db, "deadlines", "--format", "json"]) == 0
    assert {d["ref"] for d in json.loads(capsys.readouterr().out)} == {"oudere-ww"}


def test_api_caseload(tmp_path: Path, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARRANGEUR_DATABASE_URL", f"sqlite:///{tmp_path / 'api.db'}")
    client = signed_in(create_app(engine.rulebase), "accountmanager")
    placement = json.loads(json.dumps(__import__("yaml").safe_load(
        (SAMPLES / "oudere-ww.yaml").read_text(encoding="utf-8")), default=str))  # fmt: skip
    r = client.post("/v1/caseload/placements", json={"ref": "a-1", "placement": placement})
    assert r.status_code == 201, r.text
    assert r.json()["answer"]["instruments"]["lkv_oudere_werknemer"]["status"] == "eligible"
    r = client.post("/v1/caseload/placements", json={"ref": "a-1", "placement": placement})
    assert r.status_code == 409 and "bestaat al" in r.json()["detail"]
    bad = {**placement, "candidate": {**placement["candidate"], "woongemeente": "Atlantis"}}
    r = client.post("/v1/caseload/placements", json={"ref": "a-2", "placement": bad})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "candidate", "woongemeente"]
    assert client.get("/v1/caseload/placements/nope").status_code == 404
    assert client.delete("/v1/caseload/placements/nope").status_code == 404
    assert [p["ref"] for p in client.get("/v1/caseload/placements").json()] == ["a-1"]

    r = client.post("/v1/caseload/recheck", params={"date": "2026-01-15"})
    assert r.status_code == 200
    (changed,) = r.json()["placements"]
    assert changed["changed"] and any(
        x.startswith("- LKV oudere werknemer") for x in changed["lines"]
    )
    r = client.get("/v1/caseload/deadlines", params={"format": "ics"})
    assert r.headers["content-type"].startswith("text/calendar")
    assert list(Calendar.from_ical(r.content).walk("VEVENT"))
    assert client.delete("/v1/caseload/placements/a-1").status_code == 204
    assert client.get("/v1/caseload/placements").json() == []
