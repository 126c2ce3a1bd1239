"""Rule management over HTTP with tokens (issue 23's done-when): a regelbeheerder of Twente
drafts a regional rule, sees its problems with line and rule, previews the effect, a second
regelbeheerder of Twente approves it with the sources checked, it is published, and the next
check in Enschede uses it, without a restart or a reload by hand. Another region's
regelbeheerder cannot draft for Twente; a rejected draft changes no answer; of two publishes at
once one wins and the other gets 409; the audit has each step.

The Twente rule here is made up for the tests (its source says so); it encodes no real
Twentse regeling and is never shipped.
"""

from __future__ import annotations

import json
import re
import threading
import time
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from engine.rulesets.registry import DEFAULT_RULES, load_rulebase
from tests.security_helpers import PASSWORD, csrf
from tests.test_rule_store import DRAFT, ENSCHEDE  # the same made-up Twente rule

YAML = {"content-type": "application/yaml"}
RV = "/v1/rule-versions"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    db = tmp_path_factory.mktemp("rulemgmt") / "arrangeur.db"
    app = create_app(load_rulebase(DEFAULT_RULES), database_url=f"sqlite:///{db}")
    accounts = app.state.accounts()
    accounts.add_organisation("regio-twente", "Regio Twente", "wsp", ["regio:twente"])
    accounts.add_organisation("regio-zwolle", "Regio Zwolle", "wsp", ["regio:regio-zwolle"])
    accounts.add_organisation("beheer", "Beheer", "wsp", ["uwv"])
    for name, org, role in (
        ("anna", "regio-twente", "regelbeheerder"),
        ("bert", "regio-twente", "regelbeheerder"),
        ("rita", "regio-twente", "raadpleger"),
        ("zoe", "regio-zwolle", "regelbeheerder"),
        ("admin", "beheer", "beheerder"),
    ):
        accounts.add_user(name, org, [role], PASSWORD)
    return app


def client(app: FastAPI, name: str) -> TestClient:
    token = app.state.accounts().new_token(name, "tests")
    return TestClient(app, headers={"Authorization": f"Bearer {token}"})


def premie(answer: dict) -> dict | None:
    return next((i for i in answer["instruments"] if i["instrument"] == "plaatsingspremie"), None)


def check(c: TestClient) -> dict:
    r = c.post("/v1/checks", json=ENSCHEDE)
    assert r.status_code == 200, r.text
    return r.json()


def approved(anna: TestClient, bert: TestClient, text: str, verified: bool = True) -> int:
    r = anna.post(RV, content=text, headers=YAML)
    assert r.status_code == 201, r.text
    vid = r.json()["id"]
    assert anna.post(f"{RV}/{vid}/submit").status_code == 200
    r = bert.post(
        f"{RV}/{vid}/review",
        json={"approve": True, "comment": "bron gelezen", "sources_verified": verified},
    )
    assert r.status_code == 200, r.text
    return vid


def test_twente_drafts_previews_is_reviewed_publishes_and_enschede_sees_it(app):
    anna, bert, zoe = client(app, "anna"), client(app, "bert"), client(app, "zoe")
    before = premie(check(anna))
    assert before is None or before["status"] != "eligible"

    # another region's regelbeheerder cannot draft for Twente
    r = zoe.post(RV, content=DRAFT, headers=YAML)
    assert r.status_code == 403 and "regio:twente" in r.json()["detail"]
    # a raadpleger of Twente has not the role
    assert client(app, "rita").post(RV, content=DRAFT, headers=YAML).status_code == 403

    # a broken draft: stored as a concept, its problems name the line and the rule
    broken = DRAFT.replace("job.contract_maanden >= 6", "job.contract_jaren >= 1")
    r = anna.post(RV, json={"yaml": broken})
    assert r.status_code == 201, r.text
    vid = r.json()["id"]
    assert r.json()["status"] == "concept" and r.json()["author"] == "anna"
    r = anna.post(f"{RV}/{vid}/validate")
    assert r.status_code == 200 and r.json()["valid"] is False
    [problem] = r.json()["problems"]
    assert problem["rule"] == "regio-twente/plaatsingspremie"
    assert problem["line"] == broken.splitlines().index("  - id: plaatsingspremie") + 1
    assert "job.contract_jaren" in problem["message"]
    r = anna.post(f"{RV}/{vid}/submit")  # not with problems
    assert r.status_code == 422
    [item] = r.json()["detail"]
    assert (item["rule"], item["line"]) == (problem["rule"], problem["line"])
    # fixed in place
    r = anna.put(f"{RV}/{vid}", content=DRAFT, headers=YAML)
    assert r.status_code == 200 and r.json()["updated_by"] == "anna"
    assert anna.post(f"{RV}/{vid}/validate").json() == {"valid": True, "problems": []}

    # the caseload of Twente holds the Enschede placement: the preview names it
    r = anna.post("/v1/caseload/placements", json={"ref": "ens-1", "placement": ENSCHEDE})
    assert r.status_code == 201, r.text
    r = anna.get(f"{RV}/{vid}/preview", params={"peildatum": "2026-12-15"})
    assert r.status_code == 200, r.text
    shown = r.json()
    assert shown["region"] == "twente" and "GM0153" in shown["gemeenten"]
    assert [(c["change"], c["rule"]) for c in shown["rule_changes"]] == [
        ("toegevoegd", "plaatsingspremie")
    ]
    assert {c["instrument"] for c in shown["outcome_changes"]} == {"plaatsingspremie"}
    [placement] = shown["placement_changes"]
    assert (placement["ref"], placement["instrument"]) == ("ens-1", "plaatsingspremie")
    assert placement["before"] != placement["after"]
    generation = shown["generation"]

    # four eyes: submitted, the author's approval is refused, the second user approves
    assert anna.post(f"{RV}/{vid}/submit").json()["status"] == "ter_beoordeling"
    r = anna.post(f"{RV}/{vid}/review", json={"approve": True, "sources_verified": True})
    assert r.status_code == 403 and "zelf opgesteld" in r.json()["detail"]
    r = zoe.post(f"{RV}/{vid}/review", json={"approve": True})  # not Zwolle's to see
    assert r.status_code == 404
    r = bert.post(
        f"{RV}/{vid}/review",
        json={"approve": True, "comment": "art. 2 gelezen", "sources_verified": True},
    )
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["verified_by"]) == ("goedgekeurd", "bert")
    assert premie(check(anna)) == before  # approved is not yet in force

    r = bert.post(f"{RV}/{vid}/publish", json={"expected_generation": generation})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "gepubliceerd" and r.json()["in_force"]

    # the next check uses it: no restart, no reload by hand
    answer = check(client(app, "rita"))
    now = premie(answer)
    assert now is not None and now["status"] == "eligible"
    assert now["authority"] == "regio:twente" and now["provenance"] == "verified"
    assert [s["title"] for s in now["sources"]] == [
        "Testregeling plaatsingspremie Twente (fictief, alleen voor tests)"
    ]
    [used] = [rs for rs in answer["rulesets"] if rs["id"] == "regio-twente"]
    assert used["file"].endswith(f"regio/db-{vid}-regio-twente.yaml")
    assert used["publication"]["store_version"] == vid
    assert (used["publication"]["author"], used["publication"]["verified_by"]) == ("anna", "bert")

    # published versions are for every logged-in user to read and export
    listed = client(app, "rita").get(RV).json()
    assert [v["id"] for v in listed if v["status"] == "gepubliceerd"] == [vid]
    r = zoe.get(f"{RV}/{vid}/export")
    assert r.status_code == 200 and "publication:" in r.text and "verified_by" in r.text
    again = anna.post(RV, content=r.text, headers=YAML)  # export → a new concept
    assert again.status_code == 201 and "publication" not in again.json()["yaml_text"]
    assert anna.post(f"{RV}/{again.json()['id']}/validate").json()["valid"] is True

    # the audit has each step, with the version's number
    rows = client(app, "admin").get("/v1/audit", params={"limit": 500}).json()
    status = {row["id"]: (row["detail"] or {}).get("status", 0) for row in rows}
    steps = {(row["action"], row["target_id"]) for row in rows if status[row["id"]] < 400}
    for action in ("draft", "update", "validate", "preview", "submit", "review", "publish"):
        assert (f"rules.{action}", str(vid)) in steps, action
    refused = [r for r in rows if r["action"] == "rules.review" and status[r["id"]] == 403]
    assert refused and refused[0]["user"] == "anna"


def test_a_rejected_draft_never_changes_an_answer(app):
    anna, bert = client(app, "anna"), client(app, "bert")
    before = check(anna)
    excluded = DRAFT.replace("then: eligible", "then: excluded").replace('"2026.2"', '"2026.9"')
    r = anna.post(RV, content=excluded, headers=YAML)
    vid = r.json()["id"]
    assert anna.post(f"{RV}/{vid}/submit").status_code == 200
    r = bert.post(f"{RV}/{vid}/review", json={"approve": False, "comment": ""})
    assert r.status_code == 422  # a rejection says why
    r = bert.post(f"{RV}/{vid}/review", json={"approve": False, "comment": "bron zegt anders"})
    assert r.json()["status"] == "afgewezen"
    assert bert.post(f"{RV}/{vid}/publish").status_code == 409
    assert premie(check(anna)) == premie(before)
    assert check(anna)["rulesets"] == before["rulesets"]


def test_two_publishes_at_once_one_wins_the_other_gets_409(app):
    anna, bert = client(app, "anna"), client(app, "bert")
    first = approved(anna, bert, DRAFT.replace('"2026.2"', '"2026.3"'))
    second = approved(anna, bert, DRAFT.replace('"2026.2"', '"2026.4"'))
    generation = app.state.rule_store().generation()
    barrier = threading.Barrier(2)
    results: dict[int, int] = {}

    def publish(vid: int, c: TestClient) -> None:
        barrier.wait()
        r = c.post(f"{RV}/{vid}/publish", json={"expected_generation": generation})
        results[vid] = r.status_code
        if r.status_code == 409:
            assert "intussen" in r.json()["detail"]

    threads = [
        threading.Thread(target=publish, args=(first, client(app, "bert"))),
        threading.Thread(target=publish, args=(second, client(app, "anna"))),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results.values()) == [200, 409]
    assert app.state.rule_store().generation() == generation + 1
    [winner] = [vid for vid, status in results.items() if status == 200]
    [used] = [rs for rs in check(anna)["rulesets"] if rs["id"] == "regio-twente"]
    assert used["publication"]["store_version"] == winner


def test_bad_input_is_a_dutch_422_not_a_500(app):
    anna = client(app, "anna")
    for body, headers in (
        ("id: [", YAML),
        ("- een lijst", YAML),
        ('{"geen": "yaml"}', {"content-type": "application/json"}),
        ("{kapot", {"content-type": "application/json"}),
        ("x", {"content-type": "image/png"}),
    ):
        r = anna.post(RV, content=body, headers=headers)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["detail"][0]["msg"]
    assert anna.get(f"{RV}/999999").status_code == 404
    assert anna.get(f"{RV}/1/preview", params={"peildatum": "gisteren"}).status_code == 422
    assert Path(DEFAULT_RULES, "regio").is_dir()  # nothing written into the shipped rules
    assert not any(p.name.startswith("db-") for p in Path(DEFAULT_RULES).rglob("*.yaml"))


def login(app: FastAPI, name: str) -> TestClient:
    """A browser-like client with a session cookie, through the real login form."""
    c = TestClient(app)
    r = c.post(
        "/login",
        data={"username": name, "password": PASSWORD, "csrf_token": csrf(c.get("/login").text)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return c


def test_the_pages_go_draft_check_submit_review_preview_publish(app):
    anna, bert = login(app, "anna"), login(app, "bert")
    assert 'href="/regels/beheer"' in anna.get("/regels").text  # found from the rules page
    assert 'href="/regels/beheer"' not in login(app, "rita").get("/regels").text
    page = anna.get("/regels/beheer")
    assert page.status_code == 200 and "authority: regio:twente" in page.text  # prefilled
    assert 'name="csrf_token"' in page.text and '<label for="rb-yaml"' in page.text
    text = DRAFT.replace('"2026.2"', '"2026.5"').replace("max_eur: 2500", "max_eur: 3000")
    r = anna.post(
        "/regels/beheer",
        data={"yaml": text, "csrf_token": csrf(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    url = r.headers["location"]
    vid = int(url.rsplit("/", 1)[1])
    page = anna.get(url)
    broken = text.replace("job.contract_maanden >= 6", "job.contract_jaren >= 1")
    r = anna.post(url, data={"yaml": broken, "actie": "controleer", "csrf_token": csrf(page.text)})
    line = broken.splitlines().index("  - id: plaatsingspremie") + 1
    assert r.status_code == 422 and f"regel {line} [regio-twente/plaatsingspremie]" in r.text
    assert app.state.rule_store().get(vid).yaml_text == text  # "Controleer" stores nothing
    r = anna.post(url, data={"yaml": text, "actie": "opslaan", "csrf_token": csrf(page.text)})
    assert r.status_code == 200 and "Geen fouten gevonden" in r.text
    r = anna.post(f"{url}/indienen", data={"csrf_token": csrf(page.text)})
    assert r.status_code == 200 and "ter beoordeling" in r.text
    assert "U stelde deze versie zelf op" in r.text and 'name="besluit"' not in r.text
    # no form without its token
    assert bert.post(f"{url}/beoordeling", data={"besluit": "goedkeuren"}).status_code == 403

    page = bert.get(url)
    assert "Ik heb elke regel tegen de bron gecontroleerd" in page.text
    r = bert.post(
        f"{url}/beoordeling",
        data={"besluit": "goedkeuren", "bronnen": "ja", "toelichting": "art. 2 gelezen",
              "csrf_token": csrf(page.text)},
    )  # fmt: skip
    assert r.status_code == 200 and "Bronnen gecontroleerd door" in r.text
    page = bert.get(f"{url}/voorvertoning", params={"peildatum": "15-12-2026"})
    assert page.status_code == 200, page.text
    assert "plaatsingspremie" in page.text and "Gewijzigde regels" in page.text
    r = bert.post(f"{url}/publiceren", data={"csrf_token": csrf(page.text),
                                             "generatie": _generation(page.text)})  # fmt: skip
    assert r.status_code == 200 and "gepubliceerd" in r.text, r.text
    [used] = [rs for rs in check(client(app, "rita"))["rulesets"] if rs["id"] == "regio-twente"]
    assert used["publication"]["store_version"] == vid
    assert "max_eur" in json.dumps(premie(check(client(app, "rita"))))
    assert app.state.rule_store().get(vid).verified_by == "bert"


def _generation(html: str) -> str:
    found = re.search(r'name="generatie" value="(\d+)"', html)
    assert found
    return found.group(1)


def test_another_worker_follows_within_a_second(app, tmp_path):
    """A second app on the same database (another worker) serves a publish of the first one
    after at most a second, without any reload by hand."""
    other = create_app(
        load_rulebase(DEFAULT_RULES),
        database_url=str(app.state.rule_store().db.url),
    )
    rita = client(other, "rita")
    check(rita)  # the first request syncs this worker with the store
    anna, bert = client(app, "anna"), client(app, "bert")
    vid = approved(anna, bert, DRAFT.replace('"2026.2"', '"2026.6"'))
    assert bert.post(f"{RV}/{vid}/publish").status_code == 200
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        [used] = [rs for rs in check(rita)["rulesets"] if rs["id"] == "regio-twente"]
        if used["publication"]["store_version"] == vid:
            break
        time.sleep(0.3)
    assert used["publication"]["store_version"] == vid


class _Store:
    """A rule store that only counts generations (what RuleSync reads)."""

    def __init__(self) -> None:
        self.gen = 0

    def generation(self) -> int:
        return self.gen

    def published_stored_files(self) -> list:
        return []


def test_a_failed_reload_keeps_the_old_rules_and_is_logged(tmp_path, caplog):
    import shutil

    from api.current_rules import CurrentRules, RuleSync
    from tests.conftest import MINI

    root = tmp_path / "rules"
    shutil.copytree(MINI, root)
    current = CurrentRules(load_rulebase(root), root)
    store = _Store()
    sync = RuleSync(current, lambda: store)  # type: ignore[arg-type, return-value]
    serving = current.now()
    assert sync.sync() is False and sync.generation == 0  # nothing changed: no swap
    assert current.now() is serving
    broken = next(root.rglob("*.yaml"))
    broken.write_text(broken.read_text(encoding="utf-8") + "\n  : [kapot\n", encoding="utf-8")
    store.gen = 1
    with caplog.at_level("ERROR", logger="arrangeur.rules"):
        assert sync.sync() is False
    assert current.now() is serving  # the old rules keep serving
    assert "geweigerd" in caplog.text and broken.name in caplog.text
    assert sync.generation == 1 and not sync.due()  # not retried every request


def test_a_menukaart_upload_becomes_a_concept_in_the_store_not_in_rules(app):
    import csv
    import io

    from engine.analysis.menukaart import CSV_COLS

    row = dict.fromkeys(CSV_COLS, "") | {
        "regelset": "regio-twente",
        "instantie": "regio:twente",
        "versie": "2026.10",
        "titel": "Twente uit een menukaart (test)",
        "geldig vanaf": "2026-11-29",
        "herkomst": "illustratief",
        "toelichting herkomst": "Testregelset: verzonnen voor de tests van het regelbeheer.",
        "regel": "plaatsingspremie",
        "instrument": "plaatsingspremie",
        "voorwaarde": "regie == 'gemeente'",
        "uitkomst": "in aanmerking",
        "toelichting": "Testregel uit een menukaart.",
        "bron": "test",
        "artikel": "2",
        "tekstdatum": "2026-11-29",
        "brontitel": "Testregeling plaatsingspremie Twente (fictief, alleen voor tests)",
        "bronadres": "https://example.org/twente/plaatsingspremie",
    }
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLS)
    writer.writeheader()
    writer.writerow(row)
    anna = login(app, "anna")
    token = csrf(anna.get("/regels/beheer").text)
    r = anna.post(
        "/regels/beheer/menukaart",
        data={"csrf_token": token},
        files={"bestand": ("menukaart.csv", out.getvalue().encode(), "text/csv")},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    vid = int(r.headers["location"].rsplit("/", 1)[1])
    made = app.state.rule_store().get(vid)
    assert (made.status, made.ruleset_id, made.author) == ("concept", "regio-twente", "anna")
    assert "Twente uit een menukaart (test)" in made.yaml_text
    assert app.state.rule_store().validate(vid) == []
    assert not any("twente" in p.name for p in Path(DEFAULT_RULES, "regio").iterdir())

    r = anna.post(
        "/regels/beheer/menukaart",
        data={"csrf_token": token},
        files={"bestand": ("menukaart.csv", b"regelset,regel\nx,y\n", "text/csv")},
    )
    assert r.status_code == 422 and "kolom ontbreekt" in r.text


def test_a_refused_save_keeps_what_was_typed(app):
    anna = login(app, "anna")
    token = csrf(anna.get("/regels/beheer").text)
    r = anna.post("/regels/beheer", data={"yaml": DRAFT, "csrf_token": token})
    assert r.status_code == 200 and "Versie" in r.text  # followed to the version's page
    url = str(r.url)
    other = DRAFT.replace("id: regio-twente", "id: regio-twente-anders")
    r = anna.post(url, data={"yaml": other, "actie": "opslaan", "csrf_token": token})
    assert r.status_code == 422 and "een andere regelset is een nieuw concept" in r.text
    assert "id: regio-twente-anders" in r.text  # the textarea keeps the typed text
    r = anna.post("/regels/beheer", data={"yaml": "- geen regelset", "csrf_token": token})
    assert r.status_code == 422
    assert "een regelset is een mapping" in r.text and "- geen regelset" in r.text
