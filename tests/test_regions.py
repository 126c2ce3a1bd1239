"""Every gemeente of Haaglanden (the issue's nine, in two arbeidsmarktregio's) and Drechtsteden."""

from __future__ import annotations

import pytest

HAAGLANDEN_NINE = [
    "Den Haag", "Delft", "Leidschendam-Voorburg", "Midden-Delfland", "Pijnacker-Nootdorp",
    "Rijswijk", "Wassenaar", "Westland", "Zoetermeer",
]  # fmt: skip
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
    assert lks.amounts[0].eur == pytest.approx(
        1300.22
    )  # see tests/scenarios/rijk-participatiewet.yaml
    assert all(e.sources for e in a.instruments)
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
