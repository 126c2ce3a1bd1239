"""The region tools on a hand-made rule base (tests/fixtures/regions/README.md) and on the shipped
rules: coverage, menukaart round trip and bad rows, diff, national overview and sweep, and the
harmonisation index of a region without municipal rule sets."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from api.cli import main
from engine.analysis import Options, harmonisation
from engine.analysis.coverage import coverage, totals_line
from engine.analysis.diff import diff_dates, diff_regions, diff_versions, find_version
from engine.analysis.menukaart import MenukaartError, export_menukaart, import_menukaart
from engine.analysis.national import national_overview, national_sweep, scope_groups
from engine.analysis.profiles import sweep_profiles
from engine.analysis.sweep import SweepSpec, run_profiles
from engine.arrangement import Engine
from engine.rulesets.registry import DEFAULT_RULES, load_rulebase
from tests.rulebases import rule_base
from tests.security_helpers import signed_in

FIXTURE = rule_base("regions")  # the harmonie rule base + tests/fixtures/regions
PEIL = date(2025, 6, 1)
REGIE_GEMEENTE = {"bijstand", "ioaw", "ioaz", "anw", "geen"}
OOST = ["GM0011", "GM0012", "GM0013"]  # Delden, Eefde, Fijnaart


@pytest.fixture(scope="module")
def r_engine() -> Engine:
    return Engine(load_rulebase(FIXTURE))


def _rows(engine: Engine, codes: list[str], when: date, count: int = 150) -> list:
    return run_profiles(engine, SweepSpec(tuple(codes), None, when), sweep_profiles(count))


# ----------------------------------------------------------------------------- coverage


def test_coverage_counts_regions_gemeenten_and_rules(r_engine):
    c = coverage(r_engine.rulebase, PEIL)
    t = c.totals
    # by hand from the fixture files: oost and west have a regional set, zuid none; 5 of 7
    # gemeenten have a rule set; uwv 2 + rijk 1 + oost v2 3 + west 2 + fijnaart 1 rules
    assert (t.regions, t.regions_with_regional_ruleset) == (3, 2)
    assert (t.gemeenten, t.gemeenten_with_ruleset) == (7, 5)
    assert (t.rulesets_in_force, t.rules, t.verified_rules, t.verified_share) == (9, 9, 0, 0.0)
    oost = next(r for r in c.regions if r.id == "oost")
    assert [(rs.version, rs.in_force) for rs in oost.regional_rulesets] == [
        ("1", False),
        ("2", True),
    ]
    assert oost.regional_rulesets[1].sources[0].url == "https://example.org/oost"
    fijnaart = next(g for g in oost.gemeenten if g.naam == "Fijnaart")
    assert [rs.valid_from for rs in fijnaart.rulesets] == [date(2020, 1, 1), date(2025, 1, 1)]
    assert fijnaart.adopts == ["regio-oost"]
    zuid = next(r for r in c.regions if r.id == "zuid")
    assert not zuid.has_regional_ruleset and zuid.gemeenten_with_ruleset == 0
    assert "2 van 3 arbeidsmarktregio's" in totals_line(c)


def test_coverage_of_the_shipped_rules_lists_all_35_regions(capsys):
    assert main(["coverage", "--format", "json", "--date", "2026-01-01"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["regions"]) == 35
    assert sum(len(r["gemeenten"]) for r in data["regions"]) == data["totals"]["gemeenten"] == 342
    with_sets = {r["id"] for r in data["regions"] if r["has_regional_ruleset"]}
    assert data["totals"]["regions_with_regional_ruleset"] == len(with_sets)
    assert "haaglanden" in with_sets


# ------------------------------------------------------------------- harmonisation index


def test_region_without_municipal_rules_has_an_unknown_index(r_engine):
    from api.harmonisation_views import to_text

    report = harmonisation(r_engine, "zuid", PEIL, Options(profiles=40, executor="serial"))
    assert report.summary.index is None
    assert "geen van de 2 gemeenten" in report.summary.index_reason
    text = to_text(report)
    assert "Harmonisatie-index regio: onbekend" in text
    assert "100,0 %" not in text
    # a region whose gemeenten have rules still gets a number
    oost = harmonisation(r_engine, "oost", PEIL, Options(profiles=40, executor="serial"))
    assert oost.summary.index is not None and oost.summary.index_reason is None


# ------------------------------------------------------------------------------- diff


def test_diff_between_two_versions_names_rules_and_placements(r_engine):
    rb = r_engine.rulebase
    d = diff_versions(
        r_engine, find_version(rb, "regio-oost@1"), find_version(rb, "regio-oost@2"), profiles=300
    )
    changes = {(c.rule, c.change): c for c in d.rule_changes}
    assert set(changes) == {("jobcoaching", "gewijzigd"), ("lkv-regio", "toegevoegd")}
    assert changes[("jobcoaching", "gewijzigd")].fields == ["parameters"]
    profiles = sweep_profiles(300)
    gemeente = [p for p in profiles if p.uitkering in REGIE_GEMEENTE]
    by_instrument = {c.instrument: c for c in d.outcome_changes}
    assert set(by_instrument) == {"jobcoaching", "lkv_a"}
    # jobcoaching: 100 → 150 hours for everyone the region coaches (register, gemeente regie)
    assert by_instrument["jobcoaching"].profiles_affected == sum(
        p.doelgroepregister is True for p in gemeente
    )
    assert "ten hoogste uren 100" in by_instrument["jobcoaching"].before
    assert "ten hoogste uren 150" in by_instrument["jobcoaching"].after
    # the new premium: gemeente regie and an arbeidsbeperking
    assert by_instrument["lkv_a"].profiles_affected == sum(
        p.arbeidsbeperking is True for p in gemeente
    )
    assert d.gemeenten == ["GM0011"]  # Delden adopts the regional set


def test_diff_between_two_dates_and_two_regions(r_engine, capsys):
    d = diff_dates(r_engine, "oost", date(2024, 6, 1), PEIL, profiles=100)
    assert ("fijnaart", "proefplaatsing", "toegevoegd") in {
        (c.ruleset, c.rule, c.change) for c in d.rule_changes
    }
    fijnaart = [c for c in d.outcome_changes if c.instrument == "proefplaatsing"]
    assert [c.gemeente for c in fijnaart] == ["GM0013"]  # only Fijnaart's duration changed
    assert "duur in maanden 3" in fijnaart[0].after

    r = diff_regions(r_engine, "oost", "west", PEIL, profiles=100)
    kinds = {(c.rule, c.change) for c in r.rule_changes}
    assert kinds == {("jobcoaching", "gewijzigd"), ("lkv-regio", "verwijderd")}
    assert {c.instrument for c in r.outcome_changes} == {"jobcoaching", "lkv_a"}

    code = main(["--rules", str(FIXTURE), "diff", "regio-oost@1", "regio-oost@2",
                 "--profiles", "50"])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0 and "Verschil tussen twee versies" in out and "+ regio-oost/lkv-regio" in out
    assert main(["--rules", str(FIXTURE), "diff", "regio-oost@9", "regio-oost@2"]) == 2
    assert "geen versie '9'" in capsys.readouterr().err


# -------------------------------------------------------------------------- menukaart


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "rules"
    shutil.copytree(FIXTURE, root)
    return root


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.yaml"))}


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_menukaart_round_trip_gives_the_same_answers(r_engine, tmp_path, fmt):
    sheet = tmp_path / f"oost.{fmt}"
    export_menukaart(r_engine, "oost", PEIL, sheet, fmt)
    root = _copy(tmp_path)
    # the unchanged menukaart changes nothing
    before = _snapshot(root)
    report = import_menukaart(Engine(load_rulebase(root)), sheet)
    assert "Geen wijzigingen" in report and _snapshot(root) == before
    # remove the region's rule sets and bring them back from the menukaart alone
    for name in ("regio/oost.yaml", "regio/oost-2025.yaml", "gemeenten/delden.yaml",
                 "gemeenten/eefde.yaml", "gemeenten/fijnaart-2020.yaml",
                 "gemeenten/fijnaart-2025.yaml"):  # fmt: skip
        (root / name).unlink()
    (root / "gemeenten" / "fijnaart-2020.yaml").write_bytes(before["gemeenten/fijnaart-2020.yaml"])
    (root / "regio" / "oost.yaml").write_bytes(before["regio/oost.yaml"])
    report = import_menukaart(Engine(load_rulebase(root)), sheet)
    assert "regio-oost: nieuwe versie" in report
    rebuilt = Engine(load_rulebase(root))
    assert _rows(rebuilt, OOST, PEIL) == _rows(r_engine, OOST, PEIL)


def test_the_shipped_haaglanden_menukaart_reads_back_unchanged(engine, tmp_path, capsys):
    # its sources include ones known only by their CVDR id (no url), as rule files allow
    sheet = tmp_path / "haaglanden.xlsx"
    export_menukaart(engine, "haaglanden", PEIL, sheet, "xlsx")
    root = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES, root)
    before = _snapshot(root)
    report = import_menukaart(Engine(load_rulebase(root)), sheet)
    assert "Geen wijzigingen" in report and _snapshot(root) == before
    # a source with neither a url nor a BWB or CVDR id is still refused, by its cell
    wb = load_workbook(sheet)
    ws = wb["Bronnen"]
    header = [c.value for c in ws[1]]
    for column in ("url", "bwb", "cvdr"):
        ws.cell(row=2, column=header.index(column) + 1).value = None
    wb.save(sheet)
    out = tmp_path / "nieuw"
    code = main(["--rules", str(root), "menukaart", "import", str(sheet), "-o", str(out)])
    assert code == 2
    assert "blad 'Bronnen', rij 2, kolom 'url': is leeg: geef een webadres" in (
        capsys.readouterr().err
    )
    assert not out.exists()  # the copy made for the import is gone again


def test_menukaart_import_of_a_change_makes_a_new_version(r_engine, tmp_path, capsys):
    sheet = tmp_path / "oost.xlsx"
    export_menukaart(r_engine, "oost", PEIL, sheet, "xlsx")
    wb = load_workbook(sheet)
    ws = wb["Regels"]
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "regio-oost" and row[1].value == "proefplaatsing":
            row[header.index("duur (maanden)")].value = 4
    wb.save(sheet)
    root = _copy(tmp_path)
    code = main(["--rules", str(root), "menukaart", "import", str(sheet),
                 "--valid-from", "2026-01-01"])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert "regio-oost: nieuwe versie 2026.1" in out and "loopt nu t/m 31-12-2025" in out
    assert "~ regio-oost/proefplaatsing: parameters gewijzigd" in out
    new = Engine(load_rulebase(root))
    assert new.rulebase.by_id("regio-oost", date(2025, 12, 31)).version == "2"
    assert new.rulebase.by_id("regio-oost", date(2026, 1, 1)).version == "2026.1"
    d = diff_versions(
        new,
        find_version(new.rulebase, "regio-oost@2"),
        find_version(new.rulebase, "regio-oost@2026.1"),
        profiles=100,
    )
    assert {c.instrument for c in d.outcome_changes} == {"proefplaatsing"}
    assert all("duur in maanden 4" in c.after for c in d.outcome_changes)


def test_menukaart_bad_rows_are_named_by_sheet_row_and_column(r_engine, tmp_path, capsys):
    sheet = tmp_path / "oost.xlsx"
    export_menukaart(r_engine, "oost", PEIL, sheet, "xlsx")
    wb = load_workbook(sheet)
    ws = wb["Regels"]
    header = [c.value for c in ws[1]]
    ws.cell(row=3, column=header.index("instrument") + 1).value = "vliegtuig"
    ws.cell(row=4, column=header.index("uitkomst") + 1).value = "misschien"
    wb["Regelsets"].cell(row=2, column=5).value = "31-02-2025"  # geldig vanaf
    wb["Regelsets"].cell(row=3, column=1).value = "../../buiten"  # would name a file elsewhere
    wb.save(sheet)
    root = _copy(tmp_path)
    before = _snapshot(root)
    assert main(["--rules", str(root), "menukaart", "import", str(sheet)]) == 2
    err = capsys.readouterr().err
    assert "blad 'Regels', rij 3, kolom 'instrument': onbekend instrument 'vliegtuig'" in err
    assert "blad 'Regels', rij 4, kolom 'uitkomst': 'misschien' is geen geldige waarde" in err
    assert "blad 'Regelsets', rij 2, kolom 'geldig vanaf': '31-02-2025' is geen datum" in err
    assert "blad 'Regelsets', rij 3, kolom 'regelset': '../../buiten': alleen kleine letters" in err
    assert "Traceback" not in err
    assert _snapshot(root) == before  # nothing half-applied

    # a condition that parses but names an unknown fact is refused by the rule base's own checks,
    # and still points at its cell
    export_menukaart(r_engine, "oost", PEIL, sheet, "xlsx")
    wb = load_workbook(sheet)
    ws = wb["Regels"]
    ws.cell(row=2, column=header.index("voorwaarde") + 1).value = "candidate.schoenmaat > 40"
    wb.save(sheet)
    with pytest.raises(MenukaartError) as exc:
        import_menukaart(Engine(load_rulebase(root)), sheet, date(2026, 1, 1))
    assert exc.value.lines[0].startswith("blad 'Regels', rij 2, kolom 'voorwaarde'")
    assert "candidate.schoenmaat" in exc.value.lines[0]
    assert _snapshot(root) == before


def test_menukaart_cells_are_read_without_yaml_aliases(r_engine, tmp_path, capsys):
    """A cell is YAML from a spreadsheet made elsewhere: an alias bomb of a few hundred bytes
    is refused as the cell's error, not expanded (issue 22)."""
    sheet = tmp_path / "oost.xlsx"
    export_menukaart(r_engine, "oost", PEIL, sheet, "xlsx")
    wb = load_workbook(sheet)
    ws = wb["Regels"]
    header = [c.value for c in ws[1]]
    bomb = "{a: &a [x, x, x, x, x, x, x, x, x], b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]}"
    ws.cell(row=2, column=header.index("parameters") + 1).value = bomb
    wb.save(sheet)
    root = _copy(tmp_path)
    assert main(["--rules", str(root), "menukaart", "import", str(sheet)]) == 2
    err = capsys.readouterr().err
    assert "blad 'Regels', rij 2, kolom 'parameters'" in err and "is geen mapping" in err


# ---------------------------------------------------------------------------- national


def test_national_overview_shares_a_computation_between_equal_gemeenten(r_engine, capsys):
    placement = {
        "candidate": {"woongemeente": "Delden", "geboortedatum": "1970-01-01",
                      "uitkering": "bijstand", "doelgroepregister": True, "loonwaarde_pct": 50,
                      "arbeidsbeperking": True},
        "employer": {"vestigingsgemeente": "Delden"},
        "job": {"startdatum": "2025-06-01", "uren_per_week": 32, "contract_maanden": 12},
    }  # fmt: skip
    o = national_overview(r_engine, placement)
    by_name = {g.naam: g for g in o.gemeenten}
    assert len(by_name) == 7 and o.computations == 6  # Jipsingboek and Kollum share one
    assert by_name["Jipsingboek"].group == by_name["Kollum"].group
    assert "duur in maanden 3" in by_name["Fijnaart"].instruments["proefplaatsing"]
    assert "duur in maanden 2" in by_name["Delden"].instruments["proefplaatsing"]
    assert "proefplaatsing" not in by_name["Kollum"].instruments  # no regional set in zuid
    # loonkostensubsidie by hand: 12.00 × 32 × 52 / 12 × (100 − 50) / 100 = 832 per month
    assert by_name["Kollum"].yearly_eur == 832 * 12
    assert by_name["Delden"].yearly_eur == 832 * 12 + 500  # + the regional premium
    zuid = next(r for r in o.regions if r.id == "zuid")
    assert zuid.distinct_outcomes == 1
    from api.national_views import overview_csv, overview_html

    assert overview_csv(o).count("\n") == 8
    assert overview_html(o).count("<rect") == 7


def test_national_sweep_dedup_equals_no_dedup(r_engine, engine):
    a = national_sweep(r_engine, PEIL, 60, executor="serial", dedup=True)
    b = national_sweep(r_engine, PEIL, 60, executor="serial", dedup=False)
    assert (a.computations, b.computations) == (6, 7)
    assert a.digests == b.digests
    assert a.index_per_instrument == b.index_per_instrument and a.index == b.index
    assert a.deviation == b.deviation
    assert a.digests["GM0031"] == a.digests["GM0032"]
    assert a.digests["GM0011"] != a.digests["GM0013"]  # Fijnaart's own proefplaatsing
    # on the shipped rules: a sample of gemeenten with and without rule sets of their own
    geo = engine.rulebase.geography
    names = ["Delft", "Den Haag", "Dordrecht", "Zwijndrecht", "Groningen", "Midden-Groningen",
             "Utrecht", "Amersfoort", "Maastricht", "Heerlen"]  # fmt: skip
    sample = [geo.resolve(n, PEIL, "gemeente") for n in names]
    groups = scope_groups(engine, sample, PEIL)
    assert len(groups) < len(sample)
    a = national_sweep(engine, PEIL, 12, executor="serial", gemeenten=sample)
    b = national_sweep(engine, PEIL, 12, executor="serial", gemeenten=sample, dedup=False)
    assert a.digests == b.digests and a.deviation == b.deviation
    assert a.index_per_instrument == b.index_per_instrument


def test_national_commands(tmp_path, capsys):
    placement = tmp_path / "p.yaml"
    placement.write_text(
        "candidate: {woongemeente: Delden, geboortedatum: 1970-01-01, uitkering: bijstand}\n"
        "employer: {vestigingsgemeente: Delden}\n"
        "job: {startdatum: 2025-06-01, uren_per_week: 32}\n",
        encoding="utf-8",
    )
    assert main(["--rules", str(FIXTURE), "national", str(placement), "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("code,gemeente,regio,groep,")
    code = main(["--rules", str(FIXTURE), "national-sweep", "--profiles", "10", "--executor",
                 "serial", "--date", "2025-06-01", "--format", "json"])  # fmt: skip
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["computations"] == 6 and data["checks"] == 60


def test_coverage_and_national_over_http(r_engine):

    from api.app import create_app

    client = signed_in(create_app(r_engine.rulebase))
    r = client.get("/v1/coverage", params={"date": "2025-06-01"})
    assert r.status_code == 200
    assert r.json()["totals"]["gemeenten_with_ruleset"] == 5
    assert [x["id"] for x in r.json()["regions"]] == ["oost", "west", "zuid"]
    body = {
        "candidate": {"woongemeente": "Delden", "geboortedatum": "1970-01-01",
                      "uitkering": "bijstand"},
        "employer": {"vestigingsgemeente": "Delden"},
        "job": {"startdatum": "2025-06-01", "uren_per_week": 32},
    }  # fmt: skip
    r = client.post("/v1/national", json=body)
    assert r.status_code == 200 and r.json()["computations"] == 6
    body["candidate"]["uitkering"] = "pensioen"
    r = client.post("/v1/national", json=body)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"][:3] == ["body", "candidate", "uitkering"]
