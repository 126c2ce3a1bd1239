"""The web pages through the ASGI app (no browser): form, arrangement, questions, files,
trajectory and PDF, regio, rules, offline docs. Browser tests are in tests/browser/."""

from __future__ import annotations

import io
import re
import time
from datetime import date
from html import unescape
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import yaml
from fastapi.testclient import TestClient
from pypdf import PdfReader

from api.app import create_app
from api.pages import placement_form as pf
from engine.arrangement import parse_placement
from engine.expressions import format_number
from tests.security_helpers import signed_in

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted(p for p in (ROOT / "samples").glob("*.yaml") if not p.name.startswith("traject"))


@pytest.fixture(scope="module")
def client() -> TestClient:
    return signed_in(create_app())


def _query(sample: Path, **drop: bool) -> str:
    values = pf.flatten(yaml.safe_load(sample.read_text()))
    return pf.query({k: v for k, v in values.items() if k not in drop})


def _messages(html: str) -> list[str]:
    return [unescape(m) for m in re.findall(r'class="msg"[^>]*>([^<]*)<', html)]


def test_form_asks_every_placement_field_with_labels_and_gemeente_suggestions(client):
    page = client.get("/").text
    for name, field in pf.FIELDS.items():
        assert f'name="{name}"' in page and f'<label for="{field.id}">' in page
    assert "<fieldset>" in page and "<legend>Kandidaat</legend>" in page
    assert 'list="gemeenten"' in page
    assert '<option value="Delft" label="GM0503 · Haaglanden' in page  # name, CBS code, regio
    assert re.search(
        r'value="Heerhugowaard" label="GM0398[^"]*tot 31-12-2021, nu Dijk en Waard', page
    )
    assert "bijstand (Participatiewet)" in page and "Ziektewet" in page  # the uitkering list
    # no default peildatum: the model reads an absent one as the startdatum (issue 25)
    assert 'name="peildatum" value=""' in page


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
def test_arrangement_page_shows_every_instrument_grouped_as_the_cli(client, engine, sample):
    expected = engine.check(parse_placement(yaml.safe_load(sample.read_text())))
    r = client.get("/arrangement?" + _query(sample))
    assert r.status_code == 200
    page = " ".join(unescape(r.text).split())
    assert page.count('<article class="card') == len(expected.instruments)
    for status, title in (
        ("eligible", "Komt in aanmerking"),
        ("not_eligible", "Komt niet in aanmerking"),
    ):
        n = sum(e.status == status for e in expected.instruments)
        assert (f"{title} ({n})" in page) == (n > 0)
    for e in expected.instruments:
        assert e.name in page
        for s in e.sources:
            assert f'href="{s.href}"' in page  # the deep link to the article
            assert s.citation in page
        for amount in e.amounts:
            assert f"€ {format_number(amount.eur)}" in page
    for rs in expected.rulesets:
        assert f"/regels/{rs.id}?versie={rs.version}" in page
    for c in expected.conflicts:
        assert c.explanation in page and all(f'href="{s.url}"' in page for s in c.sources)
    assert ("illustratief" in page) == any(
        rs.provenance == "illustrative" for rs in expected.rulesets
    )
    assert f"peildatum <strong>{expected.peildatum:%d-%m-%Y}</strong>" in page


def test_a_conflict_shows_the_text_it_rests_on(client):
    sample = ROOT / "samples" / "delft-bijstand.yaml"
    q = _query(sample) + "&employer.vestigingsgemeente=Rotterdam"  # another region
    page = unescape(client.get("/arrangement?" + q).text)
    section = page[page.index('id="conflicten"') :]
    assert "Participatiewet, art. 7" in section[: section.index("</section>")]


def test_a_missing_fact_becomes_a_question_that_updates_the_answer(client):
    sample = ROOT / "samples" / "delft-bijstand.yaml"
    page = client.get("/arrangement?" + _query(sample, **{"candidate.loonwaarde_pct": True})).text
    assert "Nog te beantwoorden" in page
    forms = re.findall(r'<form method="get" action="/arrangement">(.*?)</form>', page, re.S)
    form = next(f for f in forms if 'name="candidate.loonwaarde_pct"' in f)
    hidden = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form))
    assert hidden["candidate.woongemeente"] == "Delft" and "candidate.loonwaarde_pct" not in hidden
    assert "€ 1.299,30" not in page  # without the loonwaarde no LKS amount
    answered = client.get("/arrangement", params={**hidden, "candidate.loonwaarde_pct": "50"}).text
    assert 'id="f-candidate-loonwaarde_pct"' not in answered  # no longer asked
    assert "€ 1.299,30" in answered  # the LKS per month of the sample (loonwaarde 50)


def test_errors_name_the_field_keep_the_form_and_focus_the_first(client):
    r = client.get("/arrangement", params={
        "candidate.woongemeente": "Delft", "candidate.geboortedatum": "31-02-1990",
        "candidate.uitkering": "ww", "employer.vestigingsgemeente": "Den Haag",
        "job.startdatum": "2025-04-01", "job.uren_per_week": "70"})  # fmt: skip
    assert r.status_code == 422
    assert _messages(r.text) == [
        "geboortedatum: geen geldige datum (dd-mm-jjjj)",
        "uren per week: mag hoogstens 60 zijn",
    ]
    assert re.search(r'id="f-candidate-geboortedatum"[^>]*autofocus', r.text)
    assert r.text.count("autofocus") == 1
    assert 'value="Den Haag"' in r.text and 'value="01-04-2025"' in r.text  # kept
    assert '<option value="ww" selected>' in r.text


def test_an_unknown_gemeente_is_named_with_suggestions_and_escaped(client, engine):
    sample = ROOT / "samples" / "oudere-ww.yaml"
    q = _query(sample).replace("candidate.woongemeente=Delft", "candidate.woongemeente=Delf")
    r = client.get("/arrangement?" + q)
    assert r.status_code == 422
    assert _messages(r.text)[0].startswith(
        "woongemeente (naam of CBS-code): onbekende gemeente 'Delf'"
    )
    assert "Delft" in _messages(r.text)[0]
    evil = q.replace("Delf", "%3Cscript%3Ealert(1)%3C/script%3E")
    r = client.get("/arrangement?" + evil)
    assert "<script>alert" not in r.text and "&lt;script&gt;alert(1)" in r.text


def test_download_is_the_file_the_cli_reads_and_upload_prefills_the_form(client, tmp_path):
    from api.cli import main

    sample = ROOT / "samples" / "wajong.yaml"
    r = client.get("/plaatsing.yaml?" + _query(sample))
    assert r.headers["content-disposition"] == 'attachment; filename="plaatsing.yaml"'
    assert parse_placement(yaml.safe_load(r.text)) == parse_placement(
        yaml.safe_load(sample.read_text())
    )
    (tmp_path / "p.yaml").write_text(r.text)
    assert main(["check", str(tmp_path / "p.yaml")]) == 0
    j = client.get("/plaatsing.json?" + _query(sample)).json()
    assert j["candidate"]["uitkering"] == "wajong" and j["job"]["uren_per_week"] == 24
    up = client.post("/plaatsing", files={"bestand": ("w.yaml", sample.read_bytes())},
                     follow_redirects=False)  # fmt: skip
    assert up.status_code == 303
    values = dict(parse_qsl(urlsplit(up.headers["location"]).query))
    assert values["candidate.woongemeente"] == "Zoetermeer" and values["job.uren_per_week"] == "24"
    form = client.get(up.headers["location"]).text
    assert 'value="Zoetermeer"' in form and 'value="12-09-2001"' in form


def test_a_broken_upload_names_the_file_and_line(client):
    r = client.post("/plaatsing", files={"bestand": ("kapot.yaml", b"candidate:\n  a: [\n")})
    assert r.status_code == 422 and "kapot.yaml:" in r.text and "geen geldige YAML" in r.text
    r = client.post("/plaatsing", files={"bestand": ("x.yaml", b"candidate: {schoenmaat: 42}\n")})
    assert r.status_code == 422 and "onbekend veld &#39;candidate.schoenmaat&#39;" in r.text


def test_laden_without_a_file_shows_the_form_again_saying_so(client):
    r = client.post("/plaatsing", files={"bestand": ("", b"")})  # what a browser sends
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    assert "kies eerst een bestand om te laden" in r.text and 'name="bestand"' in r.text
    assert 'accept=".yaml,.yml,.json" required' in client.get("/").text


def test_a_browser_gets_a_dutch_page_for_an_address_that_is_not_there(client):
    page = {"accept": "text/html,application/xhtml+xml"}
    r = client.get("/bestaat-niet", headers=page)
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "Deze pagina bestaat niet" in r.text and 'href="/"' in r.text
    r = client.get("/logout", headers=page)  # logging out is a button (POST with a token)
    assert r.status_code == 405 and "Deze pagina is er niet voor deze handeling" in r.text
    assert "POST" in r.headers["allow"]
    # programs keep FastAPI's JSON, and the API its own
    assert client.get("/bestaat-niet").json() == {"detail": "Not Found"}
    assert client.get("/v1/bestaat-niet", headers=page).json() == {"detail": "Not Found"}


def test_trajectory_page_and_employer_pdf_with_a_real_euro_sign(client):
    q = _query(ROOT / "samples" / "delft-bijstand.yaml")
    page = client.get("/arrangement?" + q).text
    assert 'action="/traject"' in page and f'href="/traject.pdf?{q.replace("&", "&amp;")}"' in page
    t = client.get("/traject?" + q + "&traject.maanden=12&traject.contact=A.+de+Vries")
    assert t.status_code == 200 and "Uw aanbod op één pagina" in t.text
    assert t.text.count("<svg") == 2 and "A. de Vries" in t.text
    pdf_href = unescape(re.search(r'href="([^"]+)" id="pdf-link"', t.text)[1])
    r = client.get(pdf_href)
    assert r.headers["content-type"] == "application/pdf" and r.content.startswith(b"%PDF")
    text = PdfReader(io.BytesIO(r.content)).pages[0].extract_text()
    assert "€ " in text and "EUR" not in text and "A. de Vries" in text


def test_trajectory_needs_the_first_of_a_month(client):
    q = _query(ROOT / "samples" / "oudere-ww.yaml").replace("2025-04-01", "2025-04-02")
    assert "zet de startdatum op de 1e" in client.get("/arrangement?" + q).text
    r = client.get("/traject?" + q)
    assert r.status_code == 422 and _messages(r.text)[0].startswith("startdatum:")


def test_regio_job_page_and_report_with_examples_that_open_in_the_form(client):
    r = client.post("/regio", data={"region": "haaglanden", "date": "01-06-2025", "profiles": "40"},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    job = client.get(r.headers["location"]).text
    report_url = re.search(r'data-report-url="([^"]+)"', job)[1]
    assert "voortgang" in job and 'data-status-url="/v1/jobs/' in job
    job_id = r.headers["location"].rsplit("/", 1)[1]
    for _ in range(600):  # the real job API: a sweep in a process of its own (bounded wait)
        state = client.get(f"/v1/jobs/{job_id}").json()["state"]
        if state not in ("queued", "running"):
            break
        time.sleep(0.2)
    assert state == "done"
    report = client.get(report_url).text
    assert "Heatmap: instrument × gemeente" in report
    links = re.findall(r'<a href="(/\?[^"]+)">Open als plaatsing', report)
    assert links
    form = client.get(unescape(links[0])).text
    assert 'name="candidate.woongemeente" value="' in form and 'value=""' not in form.split(
        'name="candidate.woongemeente"')[1][:20]  # fmt: skip


def test_regio_form_errors_name_the_field(client):
    r = client.post("/regio", data={"region": "atlantis", "date": "1-13-2025", "profiles": "0"})
    assert r.status_code == 422
    assert (
        "arbeidsmarktregio: kies een regio" in r.text and "peildatum: geen geldige datum" in r.text
    )
    assert "profielen: een geheel getal" in r.text


def test_rules_browser_renders_conditions_in_dutch_with_sources_and_changes(client, engine):
    page = unescape(client.get("/regels?datum=01-06-2025").text)
    assert "UWV" in page and "gemeente Delft" in page and "/regels/rijk-wtl?versie=2025.1" in page
    rs = engine.rulebase.by_id("rijk-wtl", date(2025, 6, 1))
    detail = unescape(client.get("/regels/rijk-wtl?versie=2025.1").text)
    for rule in rs.rules:
        assert f'href="{rule.source.url}"' in detail
    assert "is minstens" in detail or "is een van" in detail  # Dutch, not `>=` / `in [...]`
    assert rs.provenance_note[:40] in detail
    diff = unescape(client.get("/regels/rijk-wtl/verschil?van=2023.1&naar=2025.1").text)
    assert "Van versie 2023.1" in diff and ("gewijzigd" in diff or "nieuw" in diff)
    assert client.get("/regels/bestaat-niet").status_code == 404


def test_docs_and_redoc_work_offline(client):
    for path in ("/docs", "/redoc"):
        html = client.get(path).text
        assert "cdn" not in html.lower() and "fonts.googleapis" not in html
        for asset in re.findall(r'(?:src|href)="(/static-docs/[^"]+)"', html):
            assert client.get(asset).status_code == 200


def test_module_level_app_for_uvicorn():
    import api.app

    assert api.app.app.title == "Arrangeur"
    assert "Plaatsing invoeren" in signed_in(api.app.app).get("/").text


def test_serve_prints_the_url(monkeypatch, capsys):
    import uvicorn

    from api.cli import main

    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: None)
    assert main(["serve", "--port", "8123"]) == 0
    assert "http://127.0.0.1:8123/" in capsys.readouterr().out


def test_page_weight_stays_within_the_budget(client):
    """HTML + CSS + JS of the form and of a result page under 100 KB (issue 14)."""
    assets = sum(len(client.get(a).content) for a in ("/static/app.css", "/static/app.js"))
    for path in ("/", "/arrangement?" + _query(ROOT / "samples" / "delft-bijstand.yaml")):
        assert len(client.get(path).content) + assets <= 100_000, path


# ------------------------------------------------------------------------------- caseload


@pytest.fixture()
def caseload_client(engine, tmp_path) -> TestClient:
    """An app on its own SQLite caseload (never the user's default file)."""
    app = create_app(engine.rulebase, database_url=f"sqlite:///{tmp_path / 'c.db'}")
    return signed_in(app, "accountmanager")


def _oudere_ww() -> dict[str, str]:
    return pf.flatten(yaml.safe_load((ROOT / "samples" / "oudere-ww.yaml").read_text()))


def _text(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def test_caseload_store_list_deadlines_recheck_and_delete(caseload_client):
    c = caseload_client
    values = _oudere_ww()
    page = c.get("/arrangement?" + pf.query(values)).text
    assert 'action="/caseload"' in page and '<label for="c-ref">' in page
    assert 'href="/caseload"' in page  # the nav entry
    form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))
    r = c.post("/caseload", data=form | {"ref": "ow-1"}, follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/caseload")
    # the API sees what the page stored: one store
    assert [p["ref"] for p in c.get("/v1/caseload/placements").json()] == ["ow-1"]

    listed = c.get("/caseload").text
    row = _text(re.search(r"<tr><td[^>]*><a[^>]*>ow-1</a>.*?</tr>", listed, re.S).group(0))
    assert "01-03-2025" in row and "LKV oudere werknemer" in row
    link = unescape(re.search(r'<a href="(/arrangement\?[^"]+)">ow-1</a>', listed).group(1))
    # the stored facts (with the model's defaults filled in) open the same placement
    assert (
        dict(parse_qsl(urlsplit(link).query)).items()
        >= {k: v for k, v in values.items() if v}.items()
    )
    assert c.get(link).status_code == 200

    # deadlines within N days from a date: the doelgroepverklaring (start + 3 months) on
    # 01-07-2025 is 91 days after 01-04-2025
    shown = _text(c.get("/caseload?dagen=91&vanaf=01-04-2025").text)
    # (verlopen): a date before today is marked (issue 25)
    assert "01-07-2025 (verlopen) ow-1 Doelgroepverklaring aanvragen (uiterlijk)" in shown
    shown = _text(c.get("/caseload?dagen=90&vanaf=01-04-2025").text)
    assert "Termijnen binnen 90 dagen vanaf 01-04-2025 (0)" in shown
    # the proefplaatsing (2 months) precedes the dienstbetrekking that starts on 01-04-2025
    shown = _text(c.get("/caseload?dagen=30&vanaf=01-03-2025").text)
    assert "31-03-2025 (verlopen) ow-1 Laatste dag Proefplaatsing" in shown
    assert "01-07-2025 ow-1 Doelgroepverklaring" not in shown
    ics = re.search(
        r'href="([^"]+)" id="ics-link"', c.get("/caseload?dagen=91&vanaf=01-04-2025").text
    )
    calendar = c.get(unescape(ics.group(1)))
    assert calendar.headers["content-type"].startswith("text/calendar")
    assert "ow-1: Doelgroepverklaring aanvragen" in calendar.text.replace("\r\n ", "")

    # re-check after 01-01-2026: the LKV oudere werknemer ends, in Dutch, with its cause
    report = _text(c.post("/caseload/herbeoordelen", data={"datum": "15-01-2026"}).text)
    assert "ow-1: gewijzigd (peildatum 01-03-2025 → 15-01-2026)" in report
    assert "LKV oudere werknemer: vervalt, nu komt niet in aanmerking" in report
    assert "regelset rijk-wtl 2025.1 → 2026.1" in report
    assert "LKV oudere werknemer" not in _text(
        re.search(r"<tr><td[^>]*><a[^>]*>ow-1</a>.*?</tr>", c.get("/caseload").text, re.S).group(0)
    )

    # delete: a confirmation page (a form, no JavaScript), then gone from page and API
    confirm = c.get("/caseload/ow-1/verwijderen")
    assert confirm.status_code == 200 and 'method="post"' in confirm.text
    assert [p["ref"] for p in c.get("/v1/caseload/placements").json()] == ["ow-1"]
    r = c.post("/caseload/ow-1/verwijderen")
    assert r.status_code == 200 and "Plaatsing ow-1 is verwijderd" in r.text
    assert c.get("/v1/caseload/placements").json() == []
    assert c.post("/caseload/ow-1/verwijderen").status_code == 404


def test_caseload_errors_are_dutch_name_the_field_and_keep_the_form(caseload_client):
    c = caseload_client
    values = _oudere_ww()
    r = c.post("/caseload", data=values | {"ref": "Jan de Vries"})
    assert r.status_code == 422
    assert _messages(r.text) == [
        "ongeldige referentie 'Jan de Vries': 1 tot 64 tekens, letters, cijfers, . _ of - "
        "(gebruik een eigen kenmerk, geen naam of BSN)"
    ]
    assert 'name="ref" value="Jan de Vries"' in r.text  # kept, focused, the placement too
    assert re.search(r'id="c-ref"[^>]*aria-invalid="true" autofocus', r.text)
    assert 'name="candidate.woongemeente" value="Delft"' in r.text
    assert c.get("/v1/caseload/placements").json() == []  # nothing stored

    assert c.post("/caseload", data=values | {"ref": "ow-1"}).status_code == 200
    r = c.post("/caseload", data=values | {"ref": "ow-1"})
    assert r.status_code == 409 and "referentie 'ow-1' bestaat al" in _messages(r.text)[0]

    r = c.get("/caseload?dagen=veel&vanaf=31-02-2025")
    assert r.status_code == 422
    assert _messages(r.text) == [
        "dagen: een geheel getal van 0 tot en met 3660",
        "vanaf: geen geldige datum (dd-mm-jjjj)",
    ]
    assert re.search(r'id="c-dagen"[^>]*autofocus', r.text) and 'value="veel"' in r.text
    r = c.post("/caseload/herbeoordelen", data={"datum": "morgen"})
    assert r.status_code == 422 and _messages(r.text) == [
        "peildatum herbeoordeling: geen geldige datum (dd-mm-jjjj)"
    ]
    assert c.get("/caseload/bestaat-niet/verwijderen").status_code == 404


def test_a_rule_set_page_says_when_a_version_does_not_exist_and_hides_server_paths(client):
    r = client.get("/regels/delft?versie=9.9")
    assert r.status_code == 404 and "delft heeft geen versie &#39;9.9&#39;" in r.text
    assert "2016.2" in r.text and "2023.1" in r.text  # the versions it does have
    r = client.get("/regels/delft/verschil?van=1&naar=2023.1")
    assert r.status_code == 404 and "geen versie &#39;1&#39;" in r.text
    page = client.get("/regels/delft?versie=2023.1").text
    assert "<code>gemeenten/delft" in page and "/tmp/" not in page and "/rules/" not in page
