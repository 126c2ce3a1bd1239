"""Issue 25, the accountmanager's day: a future start date, advice never dated in the past,
every input error in one submit, re-checks that report only real changes, an honest region
report, and the export/PDF/CLI details."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
from fastapi.testclient import TestClient

from api.app import create_app

FUTURE_WAJONG = {
    "candidate.woongemeente": "Zoetermeer",
    "candidate.geboortedatum": "12-09-2001",
    "candidate.uitkering": "wajong",
    "candidate.doelgroepregister": "ja",
    "candidate.loonwaarde_pct": "45",
    "employer.vestigingsgemeente": "Zoetermeer",
    "job.startdatum": "01-02-2027",
    "job.uren_per_week": "24",
    "job.contract_maanden": "12",
}


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app())


def _yearly(html: str) -> dict[str, str]:
    found = re.findall(r"per jaar \((\d{4})\)</dt><dd><strong>([^<]*)<", html)
    return {year: unescape(eur) for year, eur in found}


# ------------------------------------------------------------ 1. the peildatum default


def test_the_form_leaves_the_peildatum_empty(client):
    page = client.get("/").text
    assert 'name="peildatum" value=""' in page


def test_a_future_placement_without_peildatum_is_judged_on_its_startdatum(client):
    r = client.get("/arrangement", params=FUTURE_WAJONG)
    assert r.status_code == 200
    yearly = _yearly(r.text)
    assert "2026" not in yearly and yearly.get("2027", "€ 0") != "€ 0"  # the LKV's first year
    assert "01-02-2027" in r.text
    assert "de startdatum van de baan: er is geen peildatum ingevuld" in unescape(r.text)


def test_a_chosen_peildatum_is_used_and_said_to_be_chosen(client):
    r = client.get("/arrangement", params=FUTURE_WAJONG | {"peildatum": "01-03-2027"})
    assert r.status_code == 200
    assert "01-03-2027" in r.text and "door u gekozen" in r.text


# ------------------------------------------------------------ 3. every error in one submit

THREE_WRONG = FUTURE_WAJONG | {
    "candidate.woongemeente": "Zoetermeerr",
    "candidate.geboortedatum": "01-01-2030",
    "employer.vestigingsgemeente": "Delfd",
}


def _errors_by_field(html: str) -> dict[str, str]:
    found = re.findall(r'class="msg" id="f-([a-z_-]+)-fout"[^>]*>([^<]*)<', html)
    return {field: unescape(text) for field, text in found}


@pytest.mark.parametrize("path", ["/arrangement", "/traject"])
def test_three_wrong_fields_give_three_messages_in_one_submit(client, path):
    r = client.get(path, params=THREE_WRONG)
    assert r.status_code == 422
    errors = _errors_by_field(r.text)
    assert set(errors) == {
        "candidate-woongemeente",
        "candidate-geboortedatum",
        "employer-vestigingsgemeente",
    }
    assert "bedoelt u Zoetermeer" in errors["candidate-woongemeente"]
    assert "bedoelt u Delft" in errors["employer-vestigingsgemeente"]
    # the form's notation, not ISO
    assert "01-01-2030" in errors["candidate-geboortedatum"]
    assert "2030-01-01" not in r.text


def test_the_model_returns_every_field_error_at_once():
    from engine.arrangement import parse_placement
    from engine.model import PlacementErrors

    data = {
        "candidate": {"woongemeente": "Delft", "geboortedatum": "1990-01-01", "uitkering": "x"},
        "employer": {"vestigingsgemeente": ""},
        "job": {"startdatum": "2026-01-01", "uren_per_week": 99},
    }
    with pytest.raises(PlacementErrors) as caught:
        parse_placement(data)
    fields = [f for f, _ in caught.value.problems]
    assert fields == ["candidate.uitkering", "employer.vestigingsgemeente", "job.uren_per_week"]
    assert caught.value.field == "candidate.uitkering"  # the first, for faces that show one


# ------------------------------------------------- 4. re-checks report only real changes


def _same_answer(old: dict, new: dict) -> bool:
    """What a user acts on is the same, written independently of engine.caseload.changes: per
    instrument that is not refused its status, provider, amounts to the cent, and parameters
    equal (numbers to the cent) or, for dates, in the same place relative to the peildatum; the
    regie."""
    from datetime import date

    from engine.dates import add_months

    def rel(v: str, peildatum: str) -> tuple[int, int]:
        d, p = date.fromisoformat(v), date.fromisoformat(peildatum)
        months = (d.year - p.year) * 12 + d.month - p.month - (d.day < p.day)
        return months, (d - add_months(p, months)).days

    def same(a: object, b: object) -> bool:
        if a == b:
            return True
        if all(isinstance(x, float | int) and not isinstance(x, bool) for x in (a, b)):
            return round(a * 100) == round(b * 100)
        iso = r"\d{4}-\d{2}-\d{2}"
        if all(isinstance(x, str) and re.fullmatch(iso, x) for x in (a, b)):
            return rel(a, old["peildatum"]) == rel(b, new["peildatum"])
        return False

    def kept(answer: dict) -> dict:
        return {k: e for k, e in answer["instruments"].items() if e["status"] != "not_eligible"}

    o, n = kept(old), kept(new)
    if old["regie"] != new["regie"] or set(o) != set(n):
        return False
    for key, a in o.items():
        b = n[key]
        if (a["status"], a["authority"]) != (b["status"], b["authority"]):
            return False
        if [round(v * 100) for _, v in a["amounts"]] != [round(v * 100) for _, v in b["amounts"]]:
            return False
        for p in set(a["params"]) | set(b["params"]):
            if p.endswith("_uiterlijk"):
                continue  # a deadline: compared with the deadlines, which the facts fix
            if not same(a["params"].get(p), b["params"].get(p)):
                return False
    return True


def test_recheck_of_unchanged_rules_on_a_later_date_reports_only_real_changes(tmp_path, engine):
    from datetime import timedelta

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from engine.caseload import Caseload
    from engine.caseload.answer import summarize
    from tests.test_caseload_properties import placements

    caseload = Caseload(engine, f"sqlite:///{tmp_path / 'c.db'}")
    counter = iter(range(1_000_000))

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(placement=placements(), later=st.integers(1, 500))
    def prop(placement: dict, later: int) -> None:
        ref = f"p{next(counter)}"
        for old in caseload.refs():  # an earlier example that failed left its placement
            caseload.remove(old)
        stored = caseload.add(placement, ref)
        when = stored.peildatum + timedelta(days=later)
        new = summarize(engine.check(placement | {"peildatum": when.isoformat()}))[0]
        report = caseload.recheck(when)
        (change,) = report.changes
        for line in change.lines:  # nothing reported as changed into itself
            m = re.match(r"~ .*?: (?:bedrag|\w+) (.+) → (.+)$", line)
            assert not (m and m[1] == m[2]), line
        if not change.rulesets_moved:  # unchanged rules
            same = _same_answer(stored.answer, new)
            assert change.changed != same, report.text()
            if same:  # the stored answer keeps its own peildatum
                assert caseload.get(ref).peildatum == stored.peildatum
        caseload.remove(ref)

    prop()
    caseload.close()


def test_recheck_still_reports_the_lkv_oudere_werknemer_lapsing(tmp_path, engine):
    from datetime import date

    from engine.caseload import Caseload
    from tests.test_caseload import caseload_placements

    caseload = Caseload(engine, f"sqlite:///{tmp_path / 'c.db'}")
    for ref, data in caseload_placements().items():
        caseload.add(data, ref)
    quiet = caseload.recheck(date(2025, 12, 31))  # same rules, later date
    assert quiet.changed == [], quiet.text()
    assert caseload.get("oudere-ww").peildatum == date(2025, 3, 1)  # kept, not overwritten
    report = caseload.recheck(date(2026, 1, 15))  # rijk-wtl 2026.1: closed for new employment
    oud = next(c for c in report.changes if c.ref == "oudere-ww")
    assert oud.lines[0].startswith("- LKV oudere werknemer: vervalt"), oud.lines
    for c in report.changes:
        for line in c.lines:
            assert not re.search(r"(€ [\d.,]+) \(\d{4}(?:-\d\d)?\) → \1 ", line), line
    caseload.close()


# ------------------------------------------------------- 2. no advice dated in the past

TODAY = date(2026, 12, 6)  # the day the advice is made


def _request(start: str, proefplaatsing: bool | None = True, months: int = 24) -> dict:
    from tests.test_trajectory import BIJSTAND

    placement = {**BIJSTAND["placement"], "job": {**BIJSTAND["placement"]["job"]}}
    placement["job"]["startdatum"] = start
    return {"placement": placement, "proefplaatsing": proefplaatsing, "maanden": months}


def test_a_proefplaatsing_that_would_start_in_the_past_is_refused_with_a_later_startdatum(engine):
    from engine.errors import PlacementError
    from engine.trajectory import build_trajectory

    with pytest.raises(PlacementError) as caught:
        build_trajectory(_request("2027-01-01"), engine, today=TODAY)
    assert caught.value.field == "proefplaatsing"
    message = caught.value.message
    assert "01-11-2026" in message and "06-12-2026" in message  # when and why
    assert "startdatum vanaf 01-03-2027" in message  # what to do instead


def test_a_proefplaatsing_is_shortened_to_the_months_left_and_the_startdatum_stays(engine):
    from engine.trajectory import build_trajectory

    t = build_trajectory(_request("2027-02-01"), engine, today=TODAY)
    assert t.contract_start.isoformat() == "2027-02-01"  # the date the user entered
    assert t.start.isoformat() == "2027-01-01" and t.phases[0].phase == "proefplaatsing"
    assert any("ingekort tot 1 maand" in n for n in t.notices), t.notices
    assert t.made_on == TODAY


def test_an_automatic_proefplaatsing_in_the_past_is_left_out_and_said(engine):
    from engine.trajectory import build_trajectory

    t = build_trajectory(_request("2027-01-01", proefplaatsing=None), engine, today=TODAY)
    assert [p.phase for p in t.phases][0] == "contract"
    assert t.start.isoformat() == t.contract_start.isoformat() == "2027-01-01"
    assert any("niet ingepland" in n for n in t.notices), t.notices


@pytest.mark.parametrize("start", ["2026-07-01", "2027-01-01", "2027-02-01", "2027-06-01"])
@pytest.mark.parametrize("proefplaatsing", [None, False])
def test_no_action_is_dated_before_the_day_the_advice_is_made(engine, start, proefplaatsing):
    from api.pages.summary import HEADINGS, summary
    from engine.trajectory import build_trajectory

    t = build_trajectory(_request(start, proefplaatsing), engine, today=TODAY)
    assert t.contract_start.isoformat() == start
    assert all(p.start >= TODAY for p in t.phases if p.phase == "proefplaatsing")
    todo = [o for o in t.obligations if not o.expired]
    assert all(o.date >= TODAY for o in todo)
    assert all(o.date < TODAY for o in t.obligations if o.expired)
    steps = summary(t).sections[HEADINGS[1]]
    dated = [s for s in steps if re.match(r"\d\d-\d\d-\d{4}:", s)]
    for step in dated:
        d, m, y = step[:10].split("-")
        assert (int(y), int(m), int(d)) >= (TODAY.year, TODAY.month, TODAY.day), step


def test_the_employer_pdf_says_who_made_it_when_and_how_the_lkv_is_paid(engine):
    from io import BytesIO

    from pypdf import PdfReader

    from api.pages.pdf import render_pdf
    from engine.trajectory import build_trajectory

    request = _request("2027-03-01", proefplaatsing=None)
    request["placement"]["candidate"]["geboortedatum"] = "1964-02-01"  # LKV-eligible: 56+
    t = build_trajectory(request, engine, today=TODAY, issuer="WSP Haaglanden, J. Jansen")
    text = " ".join(p.extract_text() for p in PdfReader(BytesIO(render_pdf(t))).pages).replace(
        "\n", " "
    )
    assert "Opgesteld door WSP Haaglanden, J. Jansen op 06-12-2026" in text
    lkv = [x.name for x in t.total.instruments if x.funder == "belastingdienst"]
    assert lkv, "the placement must have a yearly LKV for this test"
    for name in lkv:
        said = text.split(name + ":", 1)[1][:300]
        assert "eerste maand" not in said.split("•")[0]
        assert "na afloop van het jaar in één bedrag uit" in said.split("•")[0]
    default = build_trajectory(request, engine, today=TODAY)
    assert default.issuer == "Werkgeversservicepunt"


def test_the_trajectory_page_lists_no_action_before_today(client, monkeypatch):
    from engine.trajectory import phases

    monkeypatch.setattr(phases, "advice_day", lambda: TODAY)
    params = {
        "candidate.woongemeente": "Delft",
        "candidate.geboortedatum": "01-05-1990",
        "candidate.uitkering": "bijstand",
        "candidate.doelgroepregister": "ja",
        "candidate.loonwaarde_pct": "50",
        "employer.vestigingsgemeente": "Den Haag",
        "job.startdatum": "01-02-2027",
        "job.uren_per_week": "32",
        "job.contract_maanden": "12",
        "traject.proefplaatsing": "ja",
    }
    r = client.get("/traject", params=params)
    assert r.status_code == 200
    listed = re.search(r'<ul id="termijnen">(.*?)</ul>', r.text, re.S)[1]
    first = re.search(r"<li>(\d\d)-(\d\d)-(\d{4}):", listed)
    assert (int(first[3]), int(first[2]), int(first[1])) >= (2026, 12, 6)
    assert "ingekort tot 1 maand" in unescape(r.text)


def test_the_caseload_marks_past_deadlines_as_verlopen(tmp_path, engine, monkeypatch):
    import yaml

    from api.routers.pages import caseload as caseload_page
    from tests.conftest import ROOT

    monkeypatch.setenv("ARRANGEUR_DATABASE_URL", f"sqlite:///{tmp_path / 'c.db'}")
    monkeypatch.setattr(caseload_page, "_today", lambda: date(2025, 6, 15))
    web = TestClient(create_app(engine.rulebase))
    data = yaml.safe_load((ROOT / "samples" / "oudere-ww.yaml").read_text(encoding="utf-8"))
    data = __import__("json").loads(__import__("json").dumps(data, default=str))
    assert web.post("/v1/caseload/placements", json={"ref": "k-1", "placement": data}).is_success
    page = web.get("/caseload", params={"vanaf": "01-01-2025", "dagen": "3000"}).text
    rows = re.findall(
        r"<tr><td>(\d\d)-(\d\d)-(\d{4})( <strong[^>]*>\(verlopen\)</strong>)?</td>", page
    )
    assert rows, page
    for d, m, y, mark in rows:
        assert bool(mark) == ((int(y), int(m), int(d)) < (2025, 6, 15)), (d, m, y, mark)
    assert any(mark for *_, mark in rows) and not all(mark for *_, mark in rows)


# ------------------------------------------------------------------ 6. the smaller points


def test_caseload_csv_is_semicolon_separated_with_a_bom(tmp_path, engine, monkeypatch):
    import yaml

    from tests.conftest import ROOT

    monkeypatch.setenv("ARRANGEUR_DATABASE_URL", f"sqlite:///{tmp_path / 'c.db'}")
    web = TestClient(create_app(engine.rulebase))
    data = yaml.safe_load((ROOT / "samples" / "oudere-ww.yaml").read_text(encoding="utf-8"))
    data = __import__("json").loads(__import__("json").dumps(data, default=str))
    assert web.post("/v1/caseload/placements", json={"ref": "k-1", "placement": data}).is_success
    body = web.get("/v1/caseload/deadlines", params={"format": "csv"}).content
    assert body.startswith(b"\xef\xbb\xbfref;datum;omschrijving;")


# ------------------------------------------------------- 5. an honest region report


@pytest.mark.parametrize("region", ["rijnmond", "achterhoek"])
def test_q42_without_gemeente_rules_is_unknown_not_yes_or_no(engine, region):
    from engine.analysis import Options, harmonisation

    r = harmonisation(engine, region, TODAY, Options(profiles=60, executor="serial"))
    assert r.summary.q40.gemeenten == []  # no gemeente has rules of its own
    assert r.summary.q42.answer == "Onbekend: geen gemeentelijke regels"
    assert r.summary.q42.aligned == []


def test_shopping_without_a_money_difference_is_not_called_shopping_with_eur_0(engine):
    from api.harmonisation_views import to_html, to_text
    from engine.analysis import Options, harmonisation

    r = harmonisation(engine, "haaglanden", TODAY, Options(profiles=300, executor="serial"))
    s = r.summary.shopping
    assert s.profiles_exposed > 0 and s.profiles_with_money_gap == 0  # the case
    text = to_text(r)
    line = next(x for x in text.splitlines() if "shoppen" in x)
    assert "€ 0,00" not in line and "niet in geld" in line
    assert "Jobcoaching" in line  # what differs, by name
    html = unescape(to_html(r))
    assert "€ 0,00" not in html and "niet in geld" in html


def test_the_region_report_labels_instruments_and_terms_in_dutch(engine):
    from api.harmonisation_views import to_html, to_text
    from engine.analysis import Options, harmonisation

    r = harmonisation(engine, "haaglanden", TODAY, Options(profiles=60, executor="serial"))
    text = to_text(r)
    summary = text.split("Verschillen in de regels")[0]
    assert "behoud van uitkering, duur in maanden" in summary  # q42's terms
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", summary), summary  # no raw keys
    assert "[statutory_non_harmonisable" not in text
    html = to_html(r)
    heat = re.findall(r"<tr><th>([^<]*)</th>", html)
    assert "Proefplaatsing" in heat and "proefplaatsing" not in heat


def test_shopping_text_in_each_case():
    from engine.analysis.model import Shopping
    from engine.analysis.wording import shopping_text

    none = Shopping(profiles_exposed=0, share=0, mean_gap_eur=0, max_gap_eur=0)
    assert shopping_text(none, 300, []).startswith("nee")
    money = Shopping(
        profiles_exposed=80, share=0.27, profiles_with_money_gap=50, mean_gap_eur=400,
        max_gap_eur=1200.5,
    )  # fmt: skip
    said = shopping_text(money, 300, ["Jobcoaching"])
    assert said.startswith("ja: bij 50 profielen (16,7 %)") and "€ 1.200,50" in said
    assert "bij 30 profielen (10,0 %) verschillen alleen instrumenten zonder bedrag" in said


def test_menukaart_import_never_writes_into_the_shipped_rules(tmp_path, monkeypatch, capsys):
    import shutil

    from openpyxl import load_workbook

    from api.cli import main
    from api.cli import menukaart as cli
    from engine.analysis.menukaart import export_menukaart
    from engine.arrangement import Engine
    from engine.rulesets.registry import load_rulebase
    from tests.conftest import ROOT

    shipped = tmp_path / "shipped"  # stands in for the rules that come with Arrangeur
    shutil.copytree(ROOT / "tests" / "fixtures" / "harmonie", shipped)
    monkeypatch.setattr(cli, "DEFAULT_RULES", shipped)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    before = {p: p.read_bytes() for p in shipped.rglob("*.yaml")}

    sheet = tmp_path / "oost.xlsx"
    export_menukaart(Engine(load_rulebase(shipped)), "oost", date(2025, 6, 1), sheet, "xlsx")
    wb = load_workbook(sheet)
    ws = wb["Regels"]
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "regio-oost" and row[1].value == "proefplaatsing":
            row[header.index("duur (maanden)")].value = 4
    wb.save(sheet)

    args = ["--rules", str(shipped), "menukaart", "import", str(sheet), "--valid-from"]
    assert main([*args, "2026-01-01", "--output", str(shipped)]) == 2
    assert "niet overschreven" in capsys.readouterr().err
    assert main([*args, "2026-01-01"]) == 0
    out = capsys.readouterr().out
    copy = tmp_path / "data" / "arrangeur" / "regels"
    assert f"--rules {copy}" in out
    assert {p: p.read_bytes() for p in shipped.rglob("*.yaml")} == before  # untouched
    assert load_rulebase(copy).by_id("regio-oost", date(2026, 1, 1)).version == "2026.1"
    # a second import does not overwrite that folder silently either
    assert main([*args, "2026-02-01"]) == 2
    assert f"--rules {copy}" in capsys.readouterr().err


def _demo_copy(tmp_path, setup_exit: int):
    """scripts/demo.sh in a folder with a stand-in setup.sh (warnings on stderr) and arrangeur."""
    import shutil

    from tests.conftest import ROOT

    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "demo.sh", tmp_path / "scripts" / "demo.sh")
    (tmp_path / "scripts" / "setup.sh").write_text(
        "echo 'BuildBackendWarning: Package would be ignored' >&2\n"
        f"echo 'pip says hello'\nexit {setup_exit}\n"
    )
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    fake = tmp_path / ".venv" / "bin" / "arrangeur"
    fake.write_text('#!/bin/sh\necho "arrangeur $*"\n')
    fake.chmod(0o755)
    return tmp_path / "scripts" / "demo.sh"


def test_demo_keeps_setuptools_warnings_off_the_first_screen(tmp_path):
    import subprocess

    demo = _demo_copy(tmp_path, 0)
    run = subprocess.run(["bash", str(demo)], capture_output=True, text=True, check=True)
    shown = run.stdout + run.stderr
    assert "BuildBackendWarning" not in shown and "pip says hello" not in shown
    assert "arrangeur validate" in shown and "arrangeur check samples/delft-bijstand.yaml" in shown
    assert "BuildBackendWarning" in (tmp_path / ".cache" / "setup.log").read_text()


def test_demo_shows_the_install_log_when_the_install_fails(tmp_path):
    import subprocess

    demo = _demo_copy(tmp_path, 3)
    run = subprocess.run(["bash", str(demo)], capture_output=True, text=True)
    assert run.returncode != 0
    assert "BuildBackendWarning" in run.stderr and "installatie is mislukt" in run.stderr
    assert "arrangeur validate" not in run.stdout


def test_a_field_the_form_refuses_does_not_hide_the_checks_across_fields(client):
    r = client.get("/arrangement", params=THREE_WRONG | {"job.uren_per_week": "70"})
    errors = _errors_by_field(r.text)
    assert set(errors) == {
        "candidate-woongemeente",
        "candidate-geboortedatum",
        "employer-vestigingsgemeente",
        "job-uren_per_week",
    }, errors


def test_cli_deadlines_mark_the_ones_before_today(tmp_path, capsys):
    from api.cli import main
    from tests.conftest import ROOT

    db = ["caseload", "--db", f"sqlite:///{tmp_path / 'c.db'}"]
    assert main([*db, "add", str(ROOT / "samples" / "oudere-ww.yaml")]) == 0
    capsys.readouterr()
    assert main([*db, "deadlines"]) == 0
    lines = [x for x in capsys.readouterr().out.splitlines() if x.startswith("oudere-ww")]
    today = date.today().isoformat()
    assert lines
    for line in lines:
        due = line.split()[1]
        assert ("(verlopen)" in line) == (due < today), line
