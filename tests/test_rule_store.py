"""Rule sets kept by their owners (engine/rulesets/store.py): draft, validate in context,
preview, four-eyes review, publish with a generation compare-and-set, withdraw; on SQLite and,
when ARRANGEUR_TEST_POSTGRES_URL names one, on PostgreSQL.

The Twente rule in these tests is made up for the tests (its source says so); it encodes no
real Twentse regeling and is never shipped.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from api.current_rules import CurrentRules
from engine import Engine
from engine.analysis.preview import preview_version
from engine.rulesets.bundle import load_bundle, read_bundle
from engine.rulesets.registry import DEFAULT_RULES
from engine.rulesets.store import (
    APPROVED,
    PUBLISHED,
    REJECTED,
    SUBMITTED,
    WITHDRAWN,
    Conflict,
    Forbidden,
    Invalid,
    RuleStore,
    bundle_with_published,
)
from tests.caseload_db import BACKENDS, fresh_url

TWENTE = {"regio:twente"}
HENGELO = {"gemeente:GM0164"}  # a gemeente in Twente: it does not own the region's rules
ORG = "regio-twente"

DRAFT = """\
id: regio-twente
authority: regio:twente
version: "2026.2"
title: "Werkgeversinstrumenten arbeidsmarktregio Twente (testversie van het regelbeheer)"
valid_from: 2026-11-29
applies_to: regio
provenance: illustrative
provenance_note: >-
  Testregelset: de regeling is verzonnen voor de tests van het regelbeheer.
sources:
  test: {title: "Testregeling plaatsingspremie Twente (fictief, alleen voor tests)", url: "https://example.org/twente/plaatsingspremie"}
rules:
  - id: plaatsingspremie
    instrument: plaatsingspremie
    when: "regie == 'gemeente' and job.contract_maanden >= 6"
    then: eligible
    params: {regeling: "plaatsingspremie Twente (test)", max_eur: 2500}
    explanation: >-
      Plaatsingspremie van ten hoogste EUR 2.500 voor een werkgever die een kandidaat met een
      gemeentelijke uitkering minstens 6 maanden in dienst neemt (testregel).
    source: {ref: test, article: "2", text_date: 2025-01-01}
"""

ENSCHEDE = {
    "peildatum": "2026-12-15",
    "candidate": {
        "woongemeente": "Enschede",
        "geboortedatum": "1980-01-01",
        "uitkering": "bijstand",
        "uitkering_sinds": "2025-01-01",
    },
    "employer": {"vestigingsgemeente": "Enschede"},
    "job": {"startdatum": "2026-12-15", "uren_per_week": 32, "contract_maanden": 12},
}


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path: Path):
    s = RuleStore(fresh_url(request.param, tmp_path))
    yield s
    s.close()


@pytest.fixture
def sqlite_store(tmp_path: Path):
    s = RuleStore(fresh_url("sqlite", tmp_path))
    yield s
    s.close()


def _premie(engine: Engine):
    answer = engine.check(ENSCHEDE)
    return answer, next((e for e in answer.instruments if e.instrument == "plaatsingspremie"), None)


def _approved(store: RuleStore, text: str = DRAFT, verified: bool = True) -> int:
    v = store.draft("anna", ORG, TWENTE, text)
    store.submit(v.id, "anna", TWENTE)
    store.review(v.id, "bert", TWENTE, True, "bron gelezen", sources_verified=verified)
    return v.id


def test_twente_drafts_previews_is_reviewed_publishes_and_the_answer_shows_it(store: RuleStore):
    shipped = Engine(load_bundle(read_bundle(DEFAULT_RULES)))
    _, before = _premie(shipped)
    assert before is None or before.status == "not_eligible"

    v = store.draft("anna", ORG, TWENTE, DRAFT)
    assert (v.status, v.ruleset_id, v.authority) == ("concept", "regio-twente", "regio:twente")
    assert store.validate(v.id) == []

    shown = preview_version(store, v.id, placements={"ens-1": ENSCHEDE}, before=shipped)
    assert shown.region == "twente" and "GM0153" in shown.gemeenten
    assert [(c.change, c.rule) for c in shown.rule_changes] == [("toegevoegd", "plaatsingspremie")]
    changed = {c.instrument for c in shown.outcome_changes}
    assert changed == {"plaatsingspremie"}
    [placement] = shown.placement_changes
    assert (placement.ref, placement.instrument) == ("ens-1", "plaatsingspremie")
    assert placement.before == "niet in aanmerking"
    assert placement.after.startswith("in aanmerking via regio:twente")

    store.submit(v.id, "anna", TWENTE)
    with pytest.raises(Forbidden, match="zelf opgesteld"):
        store.review(v.id, "anna", TWENTE, True, "", sources_verified=True)
    with pytest.raises(Forbidden, match="beheert alleen"):  # a reviewer outside the region
        store.review(v.id, "henk", HENGELO, True, "", reviewer_organisation="gemeente-hengelo")
    assert store.get(v.id).status == SUBMITTED

    reviewed = store.review(v.id, "bert", TWENTE, True, "art. 2 gelezen", sources_verified=True)
    assert (reviewed.status, reviewed.reviewer, reviewed.verified_by) == (APPROVED, "bert", "bert")
    assert store.published_files() == []  # approved is not yet in force

    generation = store.generation()
    published = store.publish(v.id, generation, publisher="bert", org_authorities=TWENTE)
    assert published.status == PUBLISHED and published.in_force
    assert store.generation() == generation + 1
    assert [p for p, _ in store.published_files()] == [f"regio/db-{v.id}-regio-twente.yaml"]

    # a worker's reload (api/current_rules.py) swaps in the published version, no restart
    current = CurrentRules(shipped.rulebase)
    snapshot, changed = current.reload(bundle_with_published(DEFAULT_RULES, store))
    assert changed and current.now() is snapshot
    assert current.reload(bundle_with_published(DEFAULT_RULES, store))[1] is False
    answer, premie = _premie(snapshot.engine)
    assert premie is not None and premie.status == "eligible"
    assert premie.authority == "regio:twente" and premie.provenance == "verified"
    assert [s.title for s in premie.sources] == [
        "Testregeling plaatsingspremie Twente (fictief, alleen voor tests)"
    ]
    [used] = [rs for rs in answer.rulesets if rs.id == "regio-twente"]
    assert used.file.endswith(f"regio/db-{v.id}-regio-twente.yaml")
    assert used.content_hash == published.published_hash[:16]
    assert used.provenance == "verified"
    assert used.publication is not None
    assert used.publication.store_version == v.id
    assert (used.publication.author, used.publication.verified_by) == ("anna", "bert")
    assert used.publication.verified_at


def test_problems_name_the_line_and_the_rule(sqlite_store: RuleStore):
    unknown_fact = DRAFT.replace("job.contract_maanden >= 6", "job.contract_jaren >= 1")
    v = sqlite_store.draft("anna", ORG, TWENTE, unknown_fact)
    [problem] = sqlite_store.validate(v.id)
    assert problem.rule == "regio-twente/plaatsingspremie"
    assert problem.line == unknown_fact.splitlines().index("  - id: plaatsingspremie") + 1
    assert problem.file.endswith(f"regio/db-{v.id}-regio-twente.yaml")
    assert "job.contract_jaren" in problem.message
    with pytest.raises(Invalid) as refused:
        sqlite_store.submit(v.id, "anna", TWENTE)
    assert refused.value.problems == [problem]
    assert sqlite_store.get(v.id).status == "concept"

    broken = DRAFT.replace("    then: eligible", "    then: [eligible")
    problems, rulebase = sqlite_store.validate_text(broken)
    assert rulebase is None
    assert [p.line for p in problems] == [broken.splitlines().index("    then: [eligible") + 2]

    # the concept may be fixed in place; then it validates
    fixed = sqlite_store.update(v.id, "anna", TWENTE, DRAFT)
    assert fixed.updated_by == "anna" and sqlite_store.validate(v.id) == []


def test_a_draft_for_an_authority_the_organisation_does_not_own_is_refused(
    sqlite_store: RuleStore,
):
    with pytest.raises(Forbidden) as refused:
        sqlite_store.draft("henk", "gemeente-hengelo", HENGELO, DRAFT)
    assert "regio:twente" in refused.value.message and refused.value.status == 403
    assert sqlite_store.versions() == []
    # nor can it take over Twente's published rule set under its own authority: the loader
    # refuses the pair (Twente ships no rule set of its own, so one is published first)
    sqlite_store.publish(_approved(sqlite_store), sqlite_store.generation())
    disguised = DRAFT.replace("authority: regio:twente", "authority: gemeente:GM0164")
    v = sqlite_store.draft("henk", "gemeente-hengelo", HENGELO, disguised)
    assert any("verschillende instanties" in p.message for p in sqlite_store.validate(v.id))


def test_a_rejected_or_invalid_draft_never_changes_an_answer(sqlite_store: RuleStore):
    shipped = read_bundle(DEFAULT_RULES)
    rejected = sqlite_store.draft("anna", ORG, TWENTE, DRAFT)
    sqlite_store.submit(rejected.id, "anna", TWENTE)
    with pytest.raises(Invalid):  # a rejection says why
        sqlite_store.review(rejected.id, "bert", TWENTE, False, " ")
    assert sqlite_store.review(rejected.id, "bert", TWENTE, False, "bron zegt iets anders").status
    assert sqlite_store.get(rejected.id).status == REJECTED
    with pytest.raises(Conflict):
        sqlite_store.publish(rejected.id, sqlite_store.generation())
    invalid = sqlite_store.draft("anna", ORG, TWENTE, DRAFT.replace("plaatsingspremie\n", "x\n"))
    with pytest.raises(Invalid):
        sqlite_store.submit(invalid.id, "anna", TWENTE)
    with pytest.raises(Conflict):  # neither reviewed nor approved: no way to publish
        sqlite_store.publish(invalid.id, sqlite_store.generation())
    assert sqlite_store.published_files() == [] and sqlite_store.generation() == 0
    assert bundle_with_published(DEFAULT_RULES, sqlite_store).digest == shipped.digest


def test_two_publishes_at_once_leave_one_winner_and_a_conflict(store: RuleStore):
    first = _approved(store)
    second = _approved(store, DRAFT.replace('"2026.2"', '"2026.3"'))
    generation = store.generation()
    url = store.db.url.render_as_string(hide_password=False)
    barrier = threading.Barrier(2)
    results: dict[int, object] = {}

    def publish(version_id: int) -> None:
        own = RuleStore(url, migrate=False)  # another worker: its own connections
        try:
            barrier.wait()
            results[version_id] = own.publish(version_id, generation).status
        except Conflict as exc:
            results[version_id] = exc
        finally:
            own.close()

    threads = [threading.Thread(target=publish, args=(v,)) for v in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    outcomes = sorted(results.values(), key=lambda r: isinstance(r, Conflict))
    assert outcomes[0] == PUBLISHED
    assert isinstance(outcomes[1], Conflict) and "intussen gewijzigd" in outcomes[1].message
    assert store.generation() == generation + 1
    assert len(store.published()) == 1


def test_withdraw_falls_back_and_unverified_sources_publish_as_illustrative(
    sqlite_store: RuleStore,
):
    store = sqlite_store
    first = _approved(store, verified=False)
    published = store.publish(first, store.generation())
    assert "provenance: illustrative" in published.published_text
    assert "verified_by" not in published.published_text
    second = _approved(store, DRAFT.replace('"2026.2"', '"2026.3"'))
    store.publish(second, store.generation())
    assert [v.id for v in store.published()] == [second]
    assert "vervangen" in store.get(first).status_label  # succeeded, not edited
    with pytest.raises(Forbidden):
        store.withdraw(second, "henk", HENGELO, "fout")
    withdrawn = store.withdraw(second, "bert", TWENTE, "bron verkeerd gelezen")
    assert withdrawn.status == WITHDRAWN and withdrawn.published_text  # kept, never edited
    assert [v.id for v in store.published()] == [first]
    store.withdraw(first, "bert", TWENTE, "regeling vervallen")
    assert bundle_with_published(DEFAULT_RULES, store).digest == read_bundle(DEFAULT_RULES).digest
    assert store.generation() == 4


def test_export_import_and_no_self_made_publication(sqlite_store: RuleStore):
    store = sqlite_store
    v = _approved(store)
    store.publish(v, store.generation())
    exported = store.export_yaml(v)
    assert "publication:" in exported and "provenance: verified" in exported
    copy = store.import_yaml("anna", ORG, TWENTE, exported.encode())
    assert "publication" not in copy.yaml_text and copy.status == "concept"
    assert store.validate(copy.id) == []
    forged = store.draft("anna", ORG, TWENTE, exported)  # claims a review that never happened
    assert any("publication" in p.message for p in store.validate(forged.id))
    with pytest.raises(Invalid):
        store.submit(forged.id, "anna", TWENTE)


def test_a_version_that_starts_later_than_the_one_in_force_is_refused_not_a_gap(
    sqlite_store: RuleStore,
):
    # a published version replaces the one in force over its whole validity: one that starts
    # later would leave the days in between without the rule set (a region losing its rules)
    first = _approved(sqlite_store)
    sqlite_store.publish(first, sqlite_store.generation(), publisher="bert", org_authorities=TWENTE)
    later = DRAFT.replace('"2026.2"', '"2027.1"').replace("2026-11-29", "2027-01-01")
    v = sqlite_store.draft("anna", ORG, TWENTE, later)
    [problem] = sqlite_store.validate(v.id)
    assert (problem.rule, problem.line) == ("regio-twente", 5)
    assert "valid_from 2027-01-01 is later dan de versie die nu geldt (vanaf 2026-11-29)" in str(
        problem
    )
    same_day = sqlite_store.draft("anna", ORG, TWENTE, DRAFT.replace('"2026.2"', '"2027.1"'))
    assert sqlite_store.validate(same_day.id) == []

    # the same for a shipped version: Haaglanden's regional rules hold from 2023-07-01
    haaglanden = {"regio:haaglanden"}
    shipped = (DEFAULT_RULES / "regio" / "haaglanden.yaml").read_text(encoding="utf-8")
    assert "valid_from: 2023-07-01" in shipped
    text = shipped.replace('version: "2023.2"', 'version: "2027.1"')
    later_text = text.replace("valid_from: 2023-07-01", "valid_from: 2027-01-01")
    late = sqlite_store.draft("anna", "wsp-haaglanden", haaglanden, later_text)
    [problem] = sqlite_store.validate(late.id)
    assert "nu geldt (vanaf 2023-07-01)" in str(problem) and problem.rule == "regio-haaglanden"
    on_time = sqlite_store.draft("anna", "wsp-haaglanden", haaglanden, text)
    assert sqlite_store.validate(on_time.id) == []
