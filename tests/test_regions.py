"""Every gemeente of Haaglanden (the issue's nine, in two arbeidsmarktregio's) and Drechtsteden."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from api.cli import main

HAAGLANDEN_NINE = [
    "Den Haag", "Delft", "Leidschendam-Voorburg", "Midden-Delfland", "Pijnacker-Nootdorp",
    "Rijswijk", "Wassenaar", "Westland", "Zoetermeer",
]  # fmt: skip
HAAGLANDEN_FIVE = ["Den Haag", "Delft", "Midden-Delfland", "Rijswijk", "Westland"]
DRECHTSTEDEN = [
    "Dordrecht", "Zwijndrecht", "Papendrecht", "Sliedrecht", "Hendrik-Ido-Ambacht",
    "Alblasserdam", "Hardinxveld-Giessendam",
]  # fmt: skip


def _placement(woon: str, vest: str, uitkering: str = "bijstand") -> dict:
    return {
        "candidate": {
            "woongemeente": woon,
            "geboortedatum": "1990-05-01",
            "uitkering": uitkering,
            "uitkering_sinds": "2023-01-01",
            "doelgroepregister": True,
            "loonwaarde_pct": 50,
            "eerder_in_dienst_bij_werkgever": False,
        },
        "employer": {"vestigingsgemeente": vest},
        "job": {"startdatum": "2025-04-01", "uren_per_week": 32, "contract_maanden": 12},
    }


@pytest.mark.parametrize("woon", HAAGLANDEN_NINE + DRECHTSTEDEN)
def test_loonkostensubsidie_comes_from_where_the_candidate_lives(engine, woon):
    vest = "Dordrecht" if woon in HAAGLANDEN_NINE else "Den Haag"
    a = engine.check(_placement(woon, vest))
    lks = next(e for e in a.instruments if e.instrument == "loonkostensubsidie")
    assert lks.status == "eligible"
    assert lks.authority == f"gemeente:{a.woongemeente.code}"
    # 2.191,80 × 32 / 36 × 1,08 × 0,50 × 1,235 (tests/scenarios/rijk-participatiewet.yaml)
    assert lks.amounts[0].eur == pytest.approx(1299.30)
    # An instrument only the employer's gemeente knows has no provider here, so no source.
    assert all(e.sources for e in a.instruments if e.authority)
    assert ("cross_region", None) in {(c.type, c.instrument) for c in a.conflicts}


@pytest.mark.parametrize("woon", HAAGLANDEN_NINE + DRECHTSTEDEN)
def test_wajong_candidate_gets_loondispensatie_not_loonkostensubsidie(engine, woon):
    a = engine.check(_placement(woon, woon, uitkering="wajong"))
    status = {e.instrument: e.status for e in a.instruments}
    assert status["loondispensatie"] == "eligible"
    assert status["loonkostensubsidie"] == "not_eligible"


def test_regions_as_cbs_has_them(engine):
    geo = engine.rulebase.geography
    region = {g.naam: g.regio for g in geo.gemeenten}
    assert {region[n] for n in DRECHTSTEDEN} == {"drechtsteden"}
    # Arbeidsmarktregio Haaglanden has five; four of the nine are in Zuid-Holland Centraal.
    assert sorted(n for n in HAAGLANDEN_NINE if region[n] == "haaglanden") == [
        "Delft", "Den Haag", "Midden-Delfland", "Rijswijk", "Westland",
    ]  # fmt: skip


def test_rulesets_lists_a_rule_set_of_its_own_for_each_of_the_nine(engine, capsys):
    assert main(["rulesets", "--format", "json"]) == 0
    listed = {r["authority"] for r in json.loads(capsys.readouterr().out)}
    code = {g.naam: g.code for g in engine.rulebase.geography.gemeenten}
    assert {f"gemeente:{code[n]}" for n in HAAGLANDEN_NINE} <= listed


@pytest.mark.parametrize("woon", HAAGLANDEN_NINE)
def test_check_in_each_of_the_nine_uses_its_own_rule_set_with_sources(woon, tmp_path, capsys):
    file = tmp_path / "plaatsing.yaml"
    file.write_text(yaml.safe_dump(_placement(woon, woon)), encoding="utf-8")
    assert main(["check", str(file), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    own = [
        r for r in out["rulesets"] if r["authority"] == f"gemeente:{out['woongemeente']['code']}"
    ]
    assert len(own) == 1 and Path(own[0]["file"]).parts[:2] == ("rules", "gemeenten")
    # None of the nine texts could be read in full: the output must say so, naming the rule set.
    assert own[0]["provenance"] == "illustrative" and out["illustrative"]
    assert any(f"regelset {own[0]['id']} versie" in n for n in out["notices"])
    assert not any("zijn niet gecodeerd" in n for n in out["notices"])
    for entry in out["instruments"]:
        if entry["authority"] == own[0]["authority"]:
            assert entry["sources"] and all(s["url"].startswith("http") for s in entry["sources"])


@pytest.mark.parametrize("woon", HAAGLANDEN_NINE)
def test_regional_rule_set_follows_what_the_gemeente_adopted(engine, woon):
    used = {
        r.id for r in engine.check(_placement(woon, woon)).rulesets if r.id.startswith("regio-")
    }
    if woon in HAAGLANDEN_FIVE:
        assert used == {"regio-haaglanden"}
    elif (
        woon == "Pijnacker-Nootdorp"
    ):  # its beleidsregels name the toolbox of Zuid-Holland Centraal
        assert used == {"regio-zuid-holland-centraal"}
    else:  # no text of Leidschendam-Voorburg, Wassenaar or Zoetermeer adopts a regional set
        assert used == set()
