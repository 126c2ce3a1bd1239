"""Every gemeente of Haaglanden (the issue's nine, in two arbeidsmarktregio's) and Drechtsteden."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from api.cli import main
from tests.rulebases import rule_base

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


# ------------------------------------------------------------------ honest coverage (issue 23)

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = rule_base("regions")  # harmonie with tests/fixtures/regions laid over it


def _coverage_json(capsys, *args: str) -> dict:
    assert main(["coverage", "--format", "json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_no_region_counts_as_covered_without_a_rule(capsys):
    data = _coverage_json(capsys, "--date", "2026-12-06")
    statuses = {r["id"]: r["status"] for r in data["regions"]}
    assert set(statuses.values()) <= {"regels", "niets_gevonden", "geen_regelset"}
    for r in data["regions"]:
        assert r["rules_published"] == r["verified"] + r["illustrative"]
        assert (r["status"] == "regels") == (r["rules_published"] > 0), r["id"]
        # an empty rule set is never shipped: every regional set in force holds a rule
        assert all(rs["rules"] > 0 for rs in r["regional_rulesets"] if rs["in_force"]), r["id"]
        for g in r["gemeenten"]:
            assert g["status"] in {"regels", "niets_gevonden", "geen_regelset"}
            assert (g["status"] == "regels") == (g["rules_published"] > 0), g["naam"]
    t = data["totals"]
    assert t["regions_with_rules"] == sum(s == "regels" for s in statuses.values())
    assert t["regions_with_rules"] + t["regions_niets_gevonden"] + t["regions_geen_regelset"] == 35
    # where they looked is kept for every region that has no rules
    twente = next(r for r in data["regions"] if r["id"] == "twente")
    assert twente["status"] == "niets_gevonden" and twente["rules_published"] == 0
    assert twente["searched"]["searched"][0]["date"] == "2026-11-29"
    assert twente["searched"]["searched"][0]["where"]
    assert len(twente["not_comparable"]) == len(twente["gemeenten"])
    # the Drechtsteden gemeenten follow the regional beleidsregels but have none of their own
    drecht = next(r for r in data["regions"] if r["id"] == "drechtsteden")
    assert drecht["status"] == "regels" and drecht["not_comparable"] == []
    alblasserdam = next(g for g in drecht["gemeenten"] if g["naam"] == "Alblasserdam")
    assert alblasserdam["status"] == "niets_gevonden" and alblasserdam["comparable"]
    assert alblasserdam["regional_rules"] == 2 and alblasserdam["has_ruleset"]


def test_coverage_first_line_counts_only_rules_in_force(capsys):
    assert main(["coverage", "--date", "2026-12-06"]) == 0
    text = capsys.readouterr().out
    first = text.splitlines()[0]
    # a region without rules says where the rule authors looked
    assert "Twente (AM05): gezocht, niets gevonden" in text
    assert "    gezocht op 29-11-2026 in corpus pages en docs: " in text
    data = _coverage_json(capsys, "--date", "2026-12-06")
    t = data["totals"]
    assert f"{t['regions_with_rules']} van 35 arbeidsmarktregio's met eigen regels" in first
    assert f"{35 - t['regions_with_rules']} zonder: {t['regions_niets_gevonden']} gezocht" in first


def test_readme_coverage_line_is_the_commands_first_line(capsys):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    line = next(x.strip() for x in readme.splitlines() if x.strip().startswith("Dekking op "))
    day, month, year = line.removeprefix("Dekking op ").split(":")[0].split("-")
    assert main(["coverage", "--date", f"{year}-{month}-{day}"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == line, "run scripts/readme_coverage.py"


def test_dekking_entries_are_validated_with_file_and_line(tmp_path):
    import shutil

    from engine.errors import RulesError
    from engine.rulesets.registry import load_rulebase

    target = tmp_path / "rules"
    shutil.copytree(FIXTURE, target)
    (target / "dekking.yaml").write_text(
        "entries:\n"
        "  - authority: regio:zuid\n"
        "    status: niets_gevonden\n"
        "    searched: [{what: wsp Zuid, where: corpus pages, date: 2026-11-29}]\n"
        "    found: niets\n"
        "  - authority: regio:noordpool\n"
        "    status: niets_gevonden\n"
        "    searched: [{what: x, where: y, date: 2026-11-29}]\n"
        "    found: niets\n"
        "  - authority: gemeente:GM0031\n"
        "    status: gevonden\n"
        "    searched: []\n"
        "    found: niets\n",
        encoding="utf-8",
    )
    with pytest.raises(RulesError) as err:
        load_rulebase(target)
    text = str(err.value)
    assert "dekking.yaml:11 [gemeente:GM0031]" in text  # status not in the enum
    assert "dekking.yaml:12 [gemeente:GM0031]: entries/2/searched" in text

    # fix the schema errors: the unknown region is then named with its line
    (target / "dekking.yaml").write_text(
        (target / "dekking.yaml").read_text(encoding="utf-8").split("  - authority: gemeente")[0],
        encoding="utf-8",
    )
    with pytest.raises(RulesError) as err:
        load_rulebase(target)
    assert "dekking.yaml:6" in str(err.value) and "onbekende arbeidsmarktregio 'noordpool'" in str(
        err.value
    )


def test_fixture_region_with_a_search_note_reports_niets_gevonden(tmp_path):
    import shutil

    from engine.analysis.coverage import coverage
    from engine.rulesets.registry import load_rulebase

    target = tmp_path / "rules"
    shutil.copytree(FIXTURE, target)
    (target / "dekking.yaml").write_text(
        "entries:\n  - authority: regio:zuid\n    status: niets_gevonden\n"
        "    searched: [{what: wsp Zuid, where: corpus pages, date: 2026-11-29}]\n"
        "    found: alleen een nieuwsbericht\n",
        encoding="utf-8",
    )
    from datetime import date

    c = coverage(load_rulebase(target), date(2025, 6, 1))
    status = {r.id: (r.status, r.rules_published) for r in c.regions}
    assert status["zuid"] == ("niets_gevonden", 0) and status["oost"][0] == "regels"
    zuid = next(r for r in c.regions if r.id == "zuid")
    assert zuid.not_comparable == ["Jipsingboek", "Kollum"]
    assert zuid.searched is not None and zuid.searched.found == "alleen een nieuwsbericht"


def test_region_report_names_the_gemeenten_that_cannot_be_compared():
    from datetime import date

    from engine.analysis import Options, harmonisation
    from engine.arrangement import Engine
    from engine.rulesets.registry import load_rulebase

    engine = Engine(load_rulebase(FIXTURE))
    report = harmonisation(
        engine, "zuid", date(2025, 6, 1), Options(profiles=20, executor="serial")
    )
    assert [p.naam for p in report.not_comparable] == ["Jipsingboek", "Kollum"]
    assert any(
        n.startswith("Niet te vergelijken: 2 van de 2 gemeenten") and "Jipsingboek, Kollum" in n
        for n in report.notices
    )
    oost = harmonisation(engine, "oost", date(2025, 6, 1), Options(profiles=20, executor="serial"))
    assert oost.not_comparable == []
