"""Trajectories computed by hand, to the cent, on the shipped rules.

Rounding as documented in engine/trajectory/money.py: each monthly figure is rounded half-up to
cents once; years and totals are sums of months. Constants used below (rules/rijk/parameters):
vakantiebijslag 8 %, werkgeverslasten 23,5 % → wage factor 1,08 × 1,235 = 1,3338; minimumloon
per uur 14,06 (2025-01-01), 14,40 (2025-07-01), 14,71 (2026-01-01).
"""

from __future__ import annotations

import shutil
from decimal import Decimal

import pytest

from engine.arrangement import Engine
from engine.errors import PlacementError
from engine.rulesets.registry import load_rulebase
from engine.trajectory import build_trajectory
from engine.trajectory.model import Trajectory
from tests.conftest import ROOT


def month(t: Trajectory, key: str):
    return next(m for m in t.months if m.month == key)


def eur_of(t: Trajectory, key: str, instrument: str) -> float | None:
    return next((x.eur for x in month(t, key).instruments if x.instrument == instrument), None)


def year(t: Trajectory, key: str):
    return next(y for y in t.years if y.period == key)


def instrument_total(period, instrument: str) -> float:
    return sum(i.eur for i in period.instruments if i.instrument == instrument)


# --------------------------------------------------------------------------- bijstand, 50 %

BIJSTAND = {
    "placement": {
        "candidate": {
            "woongemeente": "Delft",
            "geboortedatum": "1990-05-01",
            "uitkering": "bijstand",
            "uitkering_sinds": "2023-01-15",
            "doelgroepregister": True,
            "loonwaarde_pct": 50,
            "eerder_in_dienst_bij_werkgever": False,
        },
        "employer": {"vestigingsgemeente": "Den Haag"},
        "job": {
            "startdatum": "2025-04-01",
            "uren_per_week": 32,
            "contract_maanden": 12,
            "brutoloon_per_maand": 2400,
        },
    },
    "proefplaatsing": False,
}


@pytest.fixture(scope="module")
def bijstand(engine) -> Trajectory:
    return build_trajectory(BIJSTAND, engine)


def test_bijstand_wage_cost_and_loonkostensubsidie_across_minimum_wage_changes(bijstand):
    t = bijstand
    assert [m.month for m in t.months][:2] == ["2025-04", "2025-05"] and len(t.months) == 36
    assert t.months[-1].month == "2028-03"
    # wage: 2400 × 1,08 × 1,235 = 3.201,12 every month
    assert {m.employer_wage_cost_eur for m in t.months} == {3201.12}
    # LKS = min(100 − 50, 70) % × (minimumloon per maand × 32 / 36 × 1,08) × 1,235 (changed on
    # purpose, issue 24: Participatiewet art. 2 and 10d lid 4 read the monthly amount)
    # 2025-04: 2.191,80 × 32 / 36 = 1.948,267 × 1,08 = 2.104,128 × 0,5 × 1,235 = 1.299,30
    assert eur_of(t, "2025-04", "loonkostensubsidie") == 1299.30
    assert eur_of(t, "2025-06", "loonkostensubsidie") == 1299.30
    # 2025-07: the July minimum wage does not change a running subsidy; it is re-set with effect
    # from 1 January only (Participatiewet art. 10d lid 7, tekst 2025-01-01; changed on purpose)
    assert eur_of(t, "2025-07", "loonkostensubsidie") == 1299.30
    # 2026-01: 2.294,40 × 32 / 36 = 2.039,467 × 1,08 × 0,5 × 1,235 = 1.360,12
    assert eur_of(t, "2026-01", "loonkostensubsidie") == 1360.12
    # 2027-01: the amount of 1 July 2026 counts from 1 January 2027 (lid 7), the last known one:
    # 2.337,00 × 32 / 36 = 2.077,333 × 1,08 × 0,5 × 1,235 = 1.385,37
    assert eur_of(t, "2027-01", "loonkostensubsidie") == 1385.37
    assert eur_of(t, "2028-03", "loonkostensubsidie") == 1385.37


def test_bijstand_lkv_banenafspraak_accrues_by_verloonde_uren(bijstand):
    t = bijstand
    # 2025-04: 32 × 30 / 7 = 137,142857 uur × 1,01 = 138,51
    assert eur_of(t, "2025-04", "lkv_banenafspraak") == 138.51
    # 2025-05 cumulative: 32 × 61 / 7 = 278,857 × 1,01 = 281,65 − 138,51 = 143,14
    assert eur_of(t, "2025-05", "lkv_banenafspraak") == 143.14
    # year 2025 (275 days): 32 × 275 / 7 = 1.257,142857 × 1,01 = 1.269,71 (< max 2.000)
    assert instrument_total(year(t, "2025"), "lkv_banenafspraak") == 1269.71
    # 2026 and 2027 (365 days): 1.668,571 × 1,01 = 1.685,26
    assert instrument_total(year(t, "2026"), "lkv_banenafspraak") == 1685.26
    assert instrument_total(year(t, "2027"), "lkv_banenafspraak") == 1685.26
    # 2028-01..03 (91 days): 32 × 91 / 7 = 416 × 1,01 = 420,16
    assert instrument_total(year(t, "2028"), "lkv_banenafspraak") == 420.16


def test_bijstand_years_and_total(bijstand):
    t = bijstand
    # 2025: wage 9 × 3.201,12 = 28.810,08; LKS 9 × 1.299,30 = 11.693,70 (lid 7: no July change);
    # LKV 1.269,71 → net 28.810,08 − 11.693,70 − 1.269,71 = 15.846,67
    y = year(t, "2025")
    assert (y.employer_wage_cost_eur, y.employer_net_cost_eur) == (28810.08, 15846.67)
    assert instrument_total(y, "loonkostensubsidie") == 11693.70
    # 2026: 38.413,44 − 12 × 1.360,12 (16.321,44) − 1.685,26 = 20.406,74
    assert year(t, "2026").employer_net_cost_eur == 20406.74
    # 2027: 38.413,44 − 12 × 1.385,37 (16.624,44) − 1.685,26 = 20.103,74
    assert year(t, "2027").employer_net_cost_eur == 20103.74
    # 2028: 9.603,36 − 3 × 1.385,37 (4.156,11) − 420,16 = 5.027,09
    assert year(t, "2028").employer_net_cost_eur == 5027.09
    # total: 15.846,67 + 20.406,74 + 20.103,74 + 5.027,09
    assert t.total.employer_net_cost_eur == 61384.24
    # per funder: the gemeente pays the LKS, the Belastingdienst the LKV
    assert year(t, "2026").funders == {"belastingdienst": 1685.26, "gemeente:GM0503": 16321.44}


def test_bijstand_no_riskpolis_is_insurance_without_euros(bijstand):
    for m in bijstand.months:
        nrp = [x for x in m.instruments if x.instrument == "no_riskpolis"]
        assert len(nrp) == 1 and nrp[0].eur == 0 and nrp[0].kind == "verzekering"


def test_bijstand_obligations_with_dates(bijstand):
    got = {(o.date.isoformat(), o.instrument) for o in bijstand.obligations}
    assert ("2025-07-01", "lkv_banenafspraak") in got  # doelgroepverklaring: start + 3 months
    assert ("2026-04-01", "loonkostensubsidie") in got  # loonwaarde review, assumed yearly
    assert ("2027-04-01", "loonkostensubsidie") in got
    assert ("2026-03-31", None) in got  # end of the 12-month contract


def test_bijstand_cost_gap_above_loonwaarde(bijstand):
    # bears 50 % × 3.201,12 = 1.600,56; 2025-04 net 3.201,12 − 1.299,30 − 138,51 = 1.763,31
    gap = next(g for g in bijstand.gaps if g.kind == "kosten")
    assert gap.months[0] == "2025-04" and len(gap.months) == 36
    assert "1.763,31" in gap.what and "1.600,56" in gap.what
    expected = sum(
        Decimal(str(m.employer_net_cost_eur)) - Decimal("1600.56") for m in bijstand.months
    )
    assert Decimal(str(gap.eur)) == expected


def test_proefplaatsing_first_then_contract(engine):
    # Regio Haaglanden 2023.2 gives the proefplaatsing as needs_assessment (2023.1 gave an assumed
    # 2 months as eligible): unasked, the trajectory starts with the contract; asked, it plans the
    # proefplaatsing under reserve for the default 2 months (engine/trajectory/phases.py).
    unasked = build_trajectory({**BIJSTAND, "proefplaatsing": None}, engine)
    assert [p.phase for p in unasked.phases] == ["contract", "verlenging"]
    t = build_trajectory({**BIJSTAND, "proefplaatsing": True}, engine)
    assert any("onder voorbehoud" in n for n in t.notices)
    assert [p.phase for p in t.phases] == ["proefplaatsing", "contract", "verlenging"]
    # job.startdatum is the start of the dienstbetrekking; the proefplaatsing precedes it, so the
    # trajectory begins two months earlier (changed on purpose: the proefplaatsing used to push
    # the contract two months later)
    assert t.contract_start.isoformat() == "2025-04-01" and t.start.isoformat() == "2025-02-01"
    pp = month(t, "2025-02")
    assert pp.phase == "proefplaatsing" and pp.employer_wage_cost_eur == 0
    assert [x.instrument for x in pp.instruments] == ["proefplaatsing"]
    assert pp.instruments[0].funder == "gemeente:GM0503"  # the bijstand continues
    assert month(t, "2025-03").phase == "proefplaatsing"
    # the LKV counts from the dienstbetrekking: 2025-04, 30 days → 138,51
    assert eur_of(t, "2025-04", "lkv_banenafspraak") == 138.51
    deadlines = {o.date.isoformat() for o in t.obligations if o.instrument == "lkv_banenafspraak"}
    assert "2025-07-01" in deadlines
    options = {a.option: a for a in t.alternatives if a.choice == "proefplaatsing"}
    # two months without wages: with the trial placement the employer pays less
    assert options["proefplaatsing via regio Haaglanden"].best
    assert options["direct een contract"].employer_net_cost_eur == 61384.24
    assert "Dat scheelt" in options["proefplaatsing via regio Haaglanden"].explanation


def test_proefplaatsing_refused_when_not_possible(engine):
    # HWwerkt! (Hoeksche Waard, from 2026-11-29) refuses a proefplaats where the candidate worked
    # before; Haaglanden no longer assumes that condition, so the case moved there.
    data = {**BIJSTAND, "proefplaatsing": True}
    data["placement"] = {
        "candidate": {
            **BIJSTAND["placement"]["candidate"],
            "woongemeente": "Hoeksche Waard",
            "eerder_in_dienst_bij_werkgever": True,
        },
        "employer": {"vestigingsgemeente": "Hoeksche Waard"},
        "job": {**BIJSTAND["placement"]["job"], "startdatum": "2027-01-01"},
    }
    with pytest.raises(PlacementError) as exc:
        build_trajectory(data, engine)
    assert exc.value.field == "proefplaatsing"


def test_start_must_be_first_of_month(engine):
    data = {**BIJSTAND}
    data["placement"] = {
        **BIJSTAND["placement"],
        "job": {**BIJSTAND["placement"]["job"], "startdatum": "2025-04-15"},
    }
    with pytest.raises(PlacementError) as exc:
        build_trajectory(data, engine)
    assert exc.value.field == "placement.job.startdatum"


def test_unknown_needed_instrument_is_named(engine):
    with pytest.raises(PlacementError) as exc:
        build_trajectory({**BIJSTAND, "nodig": ["jobcoach"]}, engine)
    assert exc.value.field == "nodig.0" and "jobcoach" in exc.value.message


# ------------------------------------------------------------- 58-year-old from the WW, 2023

OUDERE_WW = {
    "placement": {
        "candidate": {
            "woongemeente": "Delft",
            "geboortedatum": "1965-01-01",  # 58 on the start date
            "uitkering": "ww",
            "uitkering_sinds": "2022-06-01",
            "doelgroepregister": False,
            "eerder_in_dienst_bij_werkgever": False,
        },
        "employer": {"vestigingsgemeente": "Delft"},
        "job": {
            "startdatum": "2023-01-01",
            "uren_per_week": 40,
            "contract_maanden": 12,
            "brutoloon_per_maand": 3000,
        },
    },
    "maanden": 40,
    "proefplaatsing": False,
}


@pytest.fixture(scope="module")
def oudere(engine) -> Trajectory:
    return build_trajectory(OUDERE_WW, engine)


def test_oudere_ww_lkv_capped_per_year_and_ends_after_its_term(oudere):
    t = oudere
    # wage 3000 × 1,3338 = 4.001,40; no loonkostensubsidie (regie UWV)
    assert {m.employer_wage_cost_eur for m in t.months} == {4001.40}
    # 2023: € 3,05 per uur, max € 6.000. January 40 × 31 / 7 = 177,142857 uur → 540,29
    assert eur_of(t, "2023-01", "lkv_oudere_werknemer") == 540.29
    # February 40 × 28 / 7 = 160 uur → 488,00
    assert eur_of(t, "2023-02", "lkv_oudere_werknemer") == 488.00
    # cumulative to November (334 days) 1.908,571 uur × 3,05 = 5.821,14; December up to the cap
    assert eur_of(t, "2023-12", "lkv_oudere_werknemer") == 178.86
    # 2024 (leap year): to November 335 days → 5.838,57; December 6.000 − 5.838,57 = 161,43
    assert eur_of(t, "2024-12", "lkv_oudere_werknemer") == 161.43
    # 2025: employment begun before 2024 keeps € 3,05 / € 6.000 (Wtl art. 6.2a lid 1, texts
    # 2025-01-01 and 2026-01-01; changed on purpose: the 2025 reduction to € 1,35 / € 2.600 applied
    # before). To November 1.908,571 uur × 3,05 = 5.821,14; December 178,86 (as in 2023)
    assert eur_of(t, "2025-12", "lkv_oudere_werknemer") == 178.86
    assert [
        instrument_total(year(t, y), "lkv_oudere_werknemer") for y in ("2023", "2024", "2025")
    ] == [
        6000.0,
        6000.0,
        6000.0,
    ]
    # the three-year term ends it: nothing from 2026-01
    for key in ("2026-01", "2026-02", "2026-03", "2026-04"):
        assert month(t, key).instruments == [] and month(t, key).employer_net_cost_eur == 4001.40
    # 40 × 4.001,40 = 160.056,00 − 18.000 = 142.056,00
    assert t.total.employer_net_cost_eur == 142056.00
    ends = [o for o in t.obligations if o.instrument == "lkv_oudere_werknemer"]
    assert {o.date.isoformat() for o in ends} == {"2023-04-01", "2025-12-31"}


def test_lkv_arbeidsgehandicapte_stops_after_three_years(engine):
    data = {
        "placement": {
            "candidate": {
                "woongemeente": "Delft",
                "geboortedatum": "1980-01-01",
                "uitkering": "wia_wga",
                "eerder_in_dienst_bij_werkgever": False,
            },
            "employer": {"vestigingsgemeente": "Delft"},
            "job": {
                "startdatum": "2024-01-01",
                "uren_per_week": 20,
                "contract_maanden": 12,
                "brutoloon_per_maand": 1800,
            },
        },
        "maanden": 48,
        "proefplaatsing": False,
    }
    t = build_trajectory(data, engine)
    # December 2026: 20 × 31 / 7 = 88,571 uur × 3,05 = 270,14 — the last month of the term
    assert eur_of(t, "2026-12", "lkv_arbeidsgehandicapte_werknemer") == 270.14
    assert eur_of(t, "2027-01", "lkv_arbeidsgehandicapte_werknemer") is None
    # 2024 (366 days): 20 × 366 / 7 = 1.045,714 × 3,05 = 3.189,43
    assert instrument_total(year(t, "2024"), "lkv_arbeidsgehandicapte_werknemer") == 3189.43
    # the no-riskpolis (five years for WIA) runs on
    assert eur_of(t, "2027-12", "no_riskpolis") == 0
    assert any(o.date.isoformat() == "2026-12-31" for o in t.obligations)


# --------------------------------------------------------------------- Wajong, loondispensatie

WAJONG = {
    "placement": {
        "candidate": {
            "woongemeente": "Zoetermeer",
            "geboortedatum": "2001-09-12",
            "uitkering": "wajong",
            "uitkering_sinds": "2019-09-12",
            "doelgroepregister": True,
            "loonwaarde_pct": 45,
            "eerder_in_dienst_bij_werkgever": False,
        },
        "employer": {"vestigingsgemeente": "Zoetermeer"},
        "job": {"startdatum": "2025-06-01", "uren_per_week": 24, "contract_maanden": 12},
    },
    "proefplaatsing": False,
}


def test_wajong_loondispensatie_never_loonkostensubsidie(engine):
    t = build_trajectory(WAJONG, engine)
    assert all(x.instrument != "loonkostensubsidie" for m in t.months for x in m.instruments)
    # no brutoloon: assumed minimumloon × 24 × 52 / 12; 2025-06: 14,06 → 1.462,24
    # full 1.462,24 × 1,3338 = 1.950,34; paid × 45 % = 877,65; reduction 1.072,69
    june = month(t, "2025-06")
    assert june.wage_assumed and june.employer_wage_cost_eur == 877.65
    assert eur_of(t, "2025-06", "loondispensatie") == 1072.69
    # 2025-07: 14,40 → 1.497,60; full 1.997,50; paid 898,87; reduction 1.098,63
    assert month(t, "2025-07").employer_wage_cost_eur == 898.87
    assert eur_of(t, "2025-07", "loondispensatie") == 1098.63
    # 2026-01: 14,71 → 1.529,84; full 2.040,50; paid 918,23; reduction 1.122,27
    assert month(t, "2026-01").employer_wage_cost_eur == 918.23
    assert eur_of(t, "2026-01", "loondispensatie") == 1122.27
    # the wage reduction is already in the lower wage: net = paid wage − LKV only
    # LKV 2025-06: 24 × 30 / 7 = 102,857 × 1,01 = 103,89 → net 877,65 − 103,89 = 773,76
    assert june.employer_net_cost_eur == 773.76
    line = next(x for x in june.instruments if x.instrument == "loondispensatie")
    assert line.kind == "loonreductie" and line.funder == "uwv"
    assert any("minimumloon" in a for a in t.assumptions)


# ------------------------------------------------------------------------------ which LKV


def test_which_lkv_compares_the_options(engine):
    data = {
        "placement": {
            "candidate": {
                "woongemeente": "Delft",
                "geboortedatum": "1967-01-01",
                "uitkering": "bijstand",
                "doelgroepregister": True,
                "loonwaarde_pct": 80,
                "eerder_in_dienst_bij_werkgever": False,
            },
            "employer": {"vestigingsgemeente": "Delft"},
            "job": {
                "startdatum": "2025-01-01",
                "uren_per_week": 32,
                "contract_maanden": 12,
                "brutoloon_per_maand": 2500,
            },
        },
        "maanden": 24,
        "proefplaatsing": False,
    }
    t = build_trajectory(data, engine)
    # 2025: oudere 1.668,571 uur × 1,35 = 2.252,57 beats banenafspraak × 1,01 = 1.685,26;
    # 2026: LKV oudere is repealed, banenafspraak 1.685,26
    assert instrument_total(year(t, "2025"), "lkv_oudere_werknemer") == 2252.57
    assert instrument_total(year(t, "2025"), "lkv_banenafspraak") == 0
    assert instrument_total(year(t, "2026"), "lkv_banenafspraak") == 1685.26
    lkv = {a.option: a for a in t.alternatives if a.choice == "lkv"}
    assert lkv["LKV oudere werknemer"].subsidies_eur == 2252.57
    # banenafspraak both years: 2 × 1.685,26
    assert lkv["LKV doelgroep banenafspraak en scholingsbelemmerden"].subsidies_eur == 3370.52
    mix = next(a for a in lkv.values() if a.best)
    assert mix.subsidies_eur == 2252.57 + 1685.26 and "4.1 lid 3" in mix.explanation


def test_needed_instrument_without_funder_is_a_gap(engine):
    t = build_trajectory({**WAJONG, "nodig": ["scholing", "jobcoaching"]}, engine)
    kinds = {(g.instrument, g.kind) for g in t.gaps}
    assert ("scholing", "geen_financier") in kinds  # no rule set concludes on scholing
    assert ("jobcoaching", "te_beoordelen") in kinds  # UWV assesses
    jc = next(g for g in t.gaps if g.instrument == "jobcoaching")
    assert [s.authority for s in jc.streams] == ["uwv"]


# ------------------------------------------------- a temporary regional fund (test rules only)

FUND = """\
id: regio-haaglanden-fonds
authority: regio:haaglanden
version: "2025.1"
title: Tijdelijk regionaal plaatsingsfonds (testregels, geen echte regeling)
valid_from: 2025-01-01
valid_to: 2025-12-31
provenance: illustrative
provenance_note: Testgegevens voor de trajectberekening; geen bestaande regeling.
sources:
  t: {title: Testregeling, url: "https://example.org/test"}
rules:
  - id: premie
    instrument: plaatsingspremie
    when: regie == 'gemeente'
    then: eligible
    amounts:
      - {period: month, eur: "150", basis: vast bedrag per maand}
    explanation: Tijdelijke premie per maand.
    source: {ref: t, article: "1", text_date: 2025-01-01}
  - id: scholing
    instrument: scholing
    when: regie == 'gemeente'
    then: needs_assessment
    amounts:
      - {period: month, eur: "100", basis: vast bedrag per maand na beoordeling}
    explanation: Scholingsbudget na beoordeling door het werkgeversservicepunt.
    source: {ref: t, article: "2", text_date: 2025-01-01}
"""


def test_a_temporary_regional_fund_stops_at_its_end_date_and_is_named_for_a_gap(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    (rules / "regio" / "fonds.yaml").write_text(FUND, encoding="utf-8")
    delft = rules / "gemeenten" / "delft-2023.yaml"
    delft.write_text(
        delft.read_text(encoding="utf-8").replace(
            "adopts: [regio-haaglanden]", "adopts: [regio-haaglanden, regio-haaglanden-fonds]"
        ),
        encoding="utf-8",
    )
    t = build_trajectory({**BIJSTAND, "maanden": 12}, Engine(load_rulebase(rules)))
    # the fund pays € 150 a month in 2025 (April to December) and nothing after its end date
    assert eur_of(t, "2025-12", "plaatsingspremie") == 150
    assert eur_of(t, "2026-01", "plaatsingspremie") is None
    assert instrument_total(year(t, "2025"), "plaatsingspremie") == 9 * 150
    assert year(t, "2025").funders["regio:haaglanden"] == 1350
    # 2025-04 net 1.763,31 − 150 = 1.613,31, still above 1.600,56: the cost gap names the
    # regional scholing budget that is still to be assessed
    gap = next(g for g in t.gaps if g.kind == "kosten")
    assert gap.months[0] == "2025-04"
    assert [(s.instrument, s.authority) for s in gap.streams] == [("scholing", "regio:haaglanden")]


def test_loonkostensubsidie_without_an_amount_before_2024_is_said_not_guessed(engine):
    data = {
        "placement": {
            "candidate": {
                "woongemeente": "Delft",
                "geboortedatum": "1990-01-01",
                "uitkering": "bijstand",
                "doelgroepregister": False,
                "loonwaarde_pct": 60,
                "eerder_in_dienst_bij_werkgever": False,
            },
            "employer": {"vestigingsgemeente": "Delft"},
            "job": {
                "startdatum": "2023-07-01",
                "uren_per_week": 32,
                "normale_arbeidsduur": 38,
                "contract_maanden": 12,
                "brutoloon_per_maand": 2500,
            },
        },
        "maanden": 7,
        "proefplaatsing": False,
    }
    t = build_trajectory(data, engine)
    # 2023 (changed on purpose): the monthly minimum wage of 1 July 2023 pro rata for 32 of the
    # employer's 38 hours (WML art. 12 lid 1): 1.995,00 × 32 / 38 = 1.680,00 × 1,08 = 1.814,40
    # × 40 % = 725,76 × 1,235 = 896,31
    assert eur_of(t, "2023-07", "loonkostensubsidie") == 896.31
    # 2024-01: 2.069,40 × 32 / 36 = 1.839,467 × 1,08 = 1.986,624 × 40 % × 1,235 = 981,39
    assert eur_of(t, "2024-01", "loonkostensubsidie") == 981.39
    # 2022: no minimum wage encoded, so no amount, and the trajectory says so (not a silent € 0)
    early = build_trajectory(
        {
            **data,
            "placement": {
                **data["placement"],
                "job": {**data["placement"]["job"], "startdatum": "2022-10-01"},
            },
            "maanden": 4,
        },
        engine,
    )
    assert eur_of(early, "2022-10", "loonkostensubsidie") == 0
    assert any("param.minimumloon_per_maand" in n for n in early.notices)
    # 1.934,40 × 32 / 38 = 1.628,968 × 1,08 = 1.759,286 × 40 % = 703,714 × 1,235 = 869,09
    assert eur_of(early, "2023-01", "loonkostensubsidie") == 869.09
    # Without the employer's normale arbeidsduur the 2023 amount cannot be worked out: € 0 is
    # counted, but the month says why and the notice names the missing fact in Dutch.
    job = {k: v for k, v in data["placement"]["job"].items() if k != "normale_arbeidsduur"}
    unknown = build_trajectory({**data, "placement": {**data["placement"], "job": job}}, engine)
    july = next(
        x
        for m in unknown.months
        if m.month == "2023-07"
        for x in m.instruments
        if x.instrument == "loonkostensubsidie"
    )
    assert july.eur == 0 and "normale arbeidsduur per week bij de werkgever" in july.basis
    assert any(
        "normale arbeidsduur per week bij de werkgever" in n and "te laag" in n
        for n in unknown.notices
    )
    # from 2024 the cap is the employer's full-time week, and 32 hours are within 36 (issue 24)
    assert eur_of(unknown, "2024-01", "loonkostensubsidie") == 981.39


def test_lkv_oudere_werknemer_ends_at_the_aow_age(engine):
    # Wtl art. 2.2 lid 2 onder a; AOW art. 7a lid 1 (tekst 2025-01-01): 67 in 2025.
    # Born 1958-06-10: 67 on 2025-06-10, so the LKV stops; employment from 2024-10-01 (2025
    # rate 1,35 per uur, art. 2.5 tekst 2025-01-01). June: 1-9 June = 9 days,
    # 40 × 9 / 7 = 51,43 uur × 1,35 = 69,43; July nothing.
    data = {
        **OUDERE_WW,
        "placement": {
            **OUDERE_WW["placement"],
            "candidate": {**OUDERE_WW["placement"]["candidate"], "geboortedatum": "1958-06-10"},
            "job": {**OUDERE_WW["placement"]["job"], "startdatum": "2024-10-01"},
        },
        "maanden": 10,
    }
    t = build_trajectory(data, engine)
    assert eur_of(t, "2025-05", "lkv_oudere_werknemer") > 0
    assert eur_of(t, "2025-06", "lkv_oudere_werknemer") == 69.43
    assert not eur_of(t, "2025-07", "lkv_oudere_werknemer")
    ends = [
        o for o in t.obligations if o.instrument == "lkv_oudere_werknemer" and "Laatste" in o.what
    ]
    assert [o.date.isoformat() for o in ends] == ["2025-06-09"]  # the day before the AOW age


def test_lkv_oudere_werknemer_begun_in_2025_ends_with_2025_not_after_three_years(engine):
    # Wtl art. 2.4 lid 1 (tekst 2025-01-01): three years at most, "met dien verstande dat het
    # loonkostenvoordeel oudere werknemer niet wordt verstrekt over periodes gelegen na
    # 31 december 2025"; the text of 2026-01-01 has no LKV oudere werknemer (art. 2.1), and the
    # transitional law (art. 6.2a) covers only employment begun before 2024.
    data = {
        **OUDERE_WW,
        "placement": {
            **OUDERE_WW["placement"],
            "candidate": {**OUDERE_WW["placement"]["candidate"], "uitkering_sinds": "2024-06-01"},
            "job": {**OUDERE_WW["placement"]["job"], "startdatum": "2025-01-01"},
        },
        "maanden": 37,  # the three-year term (to 2027-12-31) lies inside the horizon
    }
    t = build_trajectory(data, engine)
    # 2025: 40 × 365 / 7 = 2.085,71 uur × 1,35 = 2.815,71 → maximum € 2.600
    assert instrument_total(year(t, "2025"), "lkv_oudere_werknemer") == 2600.0
    assert not any(
        x.instrument == "lkv_oudere_werknemer" for m in t.months[12:] for x in m.instruments
    )
    ends = [
        o
        for o in t.obligations
        if o.instrument == "lkv_oudere_werknemer" and "Doelgroepverklaring" not in o.what
    ]
    assert [o.date.isoformat() for o in ends] == ["2025-12-31"]
    assert "3 jaar" not in ends[0].what and "Laatste dag" in ends[0].what
