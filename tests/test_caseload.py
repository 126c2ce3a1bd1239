"""The caseload against SQLite and a real PostgreSQL: migrations, add/show/remove, re-checks that
report what changed and why, deadlines, exports, and all-or-nothing writes."""

from __future__ import annotations

import copy
import csv
import io
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from icalendar import Calendar
from sqlalchemy import inspect, text

import engine.accounts.tables  # noqa: F401  (every table is in the one metadata)
import engine.rulesets.store  # noqa: F401
from engine import Engine
from engine.caseload import (
    Caseload,
    DuplicateRef,
    InvalidInput,
    RecheckFailed,
    UnknownRef,
    to_csv,
    to_ics,
)
from engine.errors import EvaluationError
from engine.model import Arrangement, Placement
from engine.rulesets.registry import load_rulebase
from engine.storage.base import Base
from engine.storage.database import connect
from engine.storage.migrate import VERSION_TABLE, current, head, upgrade
from tests.caseload_db import BACKENDS, fresh_url
from tests.conftest import ROOT

TABLES = ["caseload_placements", "caseload_checks", "caseload_deadlines"]
LKV_OUD = "LKV oudere werknemer"


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_url(request.param, tmp_path)


def sample(name: str, **changes: Any) -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "samples" / f"{name}.yaml").read_text(encoding="utf-8"))
    for dotted, value in changes.items():
        part, field = dotted.split("__")
        data[part][field] = value
    return data


def caseload_placements() -> dict[str, dict[str, Any]]:
    """Three placements with the LKV oudere werknemer (two eligible, one to be assessed) and
    three without it."""
    return {
        "oudere-ww": sample("oudere-ww"),
        "oudere-bijstand": sample(
            "delft-bijstand",
            candidate__geboortedatum="1964-02-01",
            candidate__doelgroepregister=False,
        ),
        "oudere-eerder-in-dienst": sample(
            "oudere-ww", candidate__eerder_in_dienst_bij_werkgever=True
        ),
        "jonger-ww": sample("oudere-ww", candidate__geboortedatum="1975-01-01"),
        "delft-bijstand": sample("delft-bijstand"),
        "wajong": sample("wajong"),
    }


def filled(url: str, engine: Engine) -> Caseload:
    caseload = Caseload(engine, url)
    for ref, data in caseload_placements().items():
        caseload.add(data, ref)
    return caseload


def dump(caseload: Caseload) -> dict[str, list[tuple]]:
    with caseload.db.connect() as conn:
        return {t: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {t} ORDER BY id"))]
                for t in TABLES}  # fmt: skip


# ------------------------------------------------------------------------------ migrations


def test_migration_from_an_empty_database(db_url: str) -> None:
    db = connect(db_url)
    try:
        assert current(db) is None
        assert not set(TABLES) & set(inspect(db).get_table_names())
        assert upgrade(db) == (None, head())
        assert current(db) == head()
        assert set(TABLES) | {VERSION_TABLE} <= set(inspect(db).get_table_names())
        # the mapping the code uses is exactly what the migrations built
        with db.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
            # one database, one migration chain: the rule store's tables are in it too
            assert compare_metadata(ctx, Base.metadata) == []
        assert upgrade(db) == (head(), head())  # a second run changes nothing
    finally:
        db.dispose()


# ------------------------------------------------------------------------- add, show, remove


def test_add_keeps_the_answer_with_rule_set_hashes_and_its_deadlines(
    db_url: str, engine: Engine
) -> None:
    caseload = Caseload(engine, db_url)
    data = sample("oudere-ww")
    data["employer"]["naam"] = "Voorbeeld BV"
    stored = caseload.add(data, "k-001")
    expected = engine.check(data)
    assert stored.rulesets == {
        rs.id: {"version": rs.version, "content_hash": rs.content_hash} for rs in expected.rulesets
    }
    assert stored.answer["instruments"]["lkv_oudere_werknemer"]["status"] == "eligible"
    assert "naam" not in stored.facts["employer"]  # minimal data: the employer's name is dropped
    due = {(d["kind"], d["instrument"]): d["due"] for d in stored.deadlines}
    # Wtl art. 2.3 lid 1: within three months of the start (2025-04-01)
    assert due[("doelgroepverklaring_uiterlijk", "lkv_oudere_werknemer")] == "2025-07-01"
    # three years from the start, its last day; the contract of 12 months
    # Wtl art. 2.4 lid 1 (2025): nothing after 31-12-2025, so the term ends there, not in 2028
    assert due[("einde_termijn", "lkv_oudere_werknemer")] == "2025-12-31"
    # but not paid over periods after 31 December 2025 (Wtl art. 2.4 lid 1, text 2025-01-01)
    assert due[("einde_uiterlijk", "lkv_oudere_werknemer")] == "2025-12-31"
    assert due[("einde_contract", None)] == "2026-03-31"
    # the proefplaatsing (2 months) precedes the dienstbetrekking that starts on 2025-04-01
    assert due[("begin_duur", "proefplaatsing")] == "2025-02-01"
    assert due[("einde_duur", "proefplaatsing")] == "2025-03-31"
    assert ("einde_verlenging", "proefplaatsing") not in due
    dgv = next(d for d in stored.deadlines if d["kind"] == "doelgroepverklaring_uiterlijk")
    assert dgv["rule"] == "rijk-wtl/lkv-oudere-werknemer"
    assert "Wet tegemoetkomingen loondomein" in dgv["source"] and dgv["source_url"]

    with pytest.raises(DuplicateRef):
        caseload.add(sample("wajong"), "k-001")
    with pytest.raises(InvalidInput):
        caseload.add(sample("wajong"), "Jan de Vries")  # a name is not a reference
    with pytest.raises(InvalidInput) as bad:
        caseload.add(sample("wajong", candidate__woongemeente="Atlantis"), "k-002")
    assert bad.value.field == "candidate.woongemeente"
    assert caseload.refs() == ["k-001"]  # nothing half-applied

    caseload.remove("k-001")
    assert all(rows == [] for rows in dump(caseload).values())  # nothing stays behind
    with pytest.raises(UnknownRef):
        caseload.remove("k-001")
    with pytest.raises(UnknownRef):
        caseload.get("k-001")
    caseload.close()


# ------------------------------------------------------------------------------- re-checks


def lost(report: Any, name: str) -> set[str]:
    return {c.ref for c in report.changes for line in c.lines if line.startswith(f"- {name}:")}


def test_the_end_of_the_lkv_oudere_werknemer_is_reported_for_exactly_the_placements_it_affects(
    db_url: str, engine: Engine
) -> None:
    caseload = filled(db_url, engine)
    status = {s.ref: s.answer["instruments"]["lkv_oudere_werknemer"]["status"]
              for s in caseload.list()}  # fmt: skip
    assert status == {
        "oudere-ww": "eligible",
        "oudere-bijstand": "eligible",
        "oudere-eerder-in-dienst": "needs_assessment",
        "jonger-ww": "not_eligible",
        "delft-bijstand": "not_eligible",
        "wajong": "not_eligible",
    }
    # the last day of 2025: still the 2025 text, nothing about the LKV oudere werknemer
    before = caseload.recheck(date(2025, 12, 31))
    assert lost(before, LKV_OUD) == set()

    report = caseload.recheck(date(2026, 1, 15))
    assert lost(report, LKV_OUD) == {"oudere-ww", "oudere-bijstand"}
    # Wtl art. 6.2a keeps the LKV for employment begun before 2024 in the 2026 text, so the
    # instrument is still assessed there: the placement to be assessed is now refused instead
    third = next(c for c in report.changes if c.ref == "oudere-eerder-in-dienst")
    assert f"~ {LKV_OUD}: te beoordelen → komt niet in aanmerking" in third.lines
    assert {c.ref for c in report.changes if any(LKV_OUD in x for x in c.lines)} == {
        "oudere-ww",
        "oudere-bijstand",
        "oudere-eerder-in-dienst",
    }
    change = next(c for c in report.changes if c.ref == "oudere-ww")
    why = change.lines[change.lines.index(next(x for x in change.lines if LKV_OUD in x)) + 1]
    assert "regelset rijk-wtl 2025.1 → 2026.1" in why
    assert "regel rijk-wtl/lkv-oudere-werknemer" in why  # the rule that now decides
    # the label also says where to apply (the rule set's aanvraag, Wtl art. 2.1 and 2.3)
    gone = [x for x in change.lines if x.startswith("- termijn vervalt: Doelgroepverklaring")]
    assert len(gone) == 1 and gone[0].endswith(" (2025-07-01)")
    assert "LKV oudere werknemer. Via de loonaangifte" in gone[0]
    wtl = next(u for u in report.rulesets if u.delta.id == "rijk-wtl")
    assert sorted(wtl.used_by) == sorted(caseload_placements())
    assert {"oudere-ww", "oudere-bijstand", "oudere-eerder-in-dienst"} <= set(wtl.affected)
    # saved: the LKV's deadlines are gone, and the same date again reports nothing
    assert not [d for d in caseload.deadlines() if d["instrument"] == "lkv_oudere_werknemer"]
    # add and 2026-01-15; the unchanged answer of 2025-12-31 kept its own peildatum (issue 25)
    assert caseload.get("oudere-ww").checks == 2
    again = caseload.recheck(date(2026, 1, 15))
    assert again.changed == [] and again.rulesets == []
    caseload.close()


def test_a_recheck_reports_no_moving_aow_date_for_a_young_employee(
    db_url: str, engine: Engine
) -> None:
    # Issue 24 punt 6: the AOW age of someone born in 2002 is not fixed by law (AOW art. 7a), so
    # the answer holds no date that moves with the peildatum, and a later re-check within the
    # same rule sets reports nothing for it.
    caseload = Caseload(engine, db_url)
    data = sample(
        "oudere-ww",
        candidate__geboortedatum="2002-03-01",
        candidate__uitkering="wia_wga",
        candidate__eerder_in_dienst_bij_werkgever=True,
        job__startdatum="2026-02-02",
    )
    data["peildatum"] = "2026-02-02"
    caseload.add(data, "jong-herplaatst")
    params = caseload.get("jong-herplaatst").answer["instruments"]["lkv_herplaatsing"]["params"]
    assert params["aow_leeftijd"] == "nog niet bij wet vastgesteld"
    assert "aow_leeftijd_op" not in params
    report = caseload.recheck(date(2026, 2, 20))
    assert not [line for c in report.changes for line in c.lines if "aow" in line.lower()]
    caseload.close()


def test_a_rule_base_with_other_hashes_names_the_rule_set_and_rule(
    tmp_path: Path, engine: Engine
) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    filled(url, engine).close()
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    wtl = rules / "rijk" / "rijk-wtl-2025.yaml"
    old = 'max_duur_jaren: 3\n      per_uur_eur: {expr: "param.lkv_oudere_werknemer_per_uur"}'
    assert wtl.read_text(encoding="utf-8").count(old) == 1  # the LKV oudere werknemer's rule
    wtl.write_text(
        wtl.read_text(encoding="utf-8").replace(old, "max_duur_jaren: 2\n      per_uur_eur: 1.35"),
        encoding="utf-8",
    )
    changed = Caseload(Engine(load_rulebase(rules)), url)
    report = changed.recheck()
    assert {c.ref for c in report.changed} == {"oudere-ww", "oudere-bijstand"}
    lines = next(c for c in report.changes if c.ref == "oudere-ww").lines
    assert f"~ {LKV_OUD}: max_duur_jaren 3 → 2" in lines
    assert any(
        "regelset rijk-wtl 2025.1: inhoud gewijzigd" in x and "rijk-wtl/lkv-oudere-werknemer" in x
        for x in lines
    )
    # two years from 2025 still run past 31-12-2025, where the law ends it: the term's last
    # day does not move, so no termijn change is reported
    assert not any(x.startswith(f"~ termijn Laatste dag {LKV_OUD}") for x in lines)
    (use,) = report.rulesets
    assert use.delta.id == "rijk-wtl" and use.delta.old["version"] == use.delta.new["version"]
    assert sorted(use.affected) == ["oudere-bijstand", "oudere-ww"]
    assert len(use.used_by) == 6  # every placement used it; two changed by it
    assert "rijk-wtl 2025.1: inhoud gewijzigd" in report.text()
    changed.close()


class FailingOn:
    """The real engine, except for one placement: a check that fails half-way a re-check."""

    def __init__(self, engine: Engine, geboortedatum: date):
        self.engine, self.geboortedatum = engine, geboortedatum

    def check(self, placement: Placement) -> Arrangement:
        if placement.candidate.geboortedatum == self.geboortedatum:
            raise EvaluationError("deling door nul (voorbeeld)")
        return self.engine.check(placement)


def test_a_failed_recheck_leaves_every_stored_answer_as_it_was(db_url: str, engine: Engine) -> None:
    caseload = filled(db_url, engine)
    before = dump(caseload)
    # "wajong" sorts last: every other placement was re-checked (and changed) before it fails
    failing = Caseload(FailingOn(engine, date(2001, 9, 12)), db_url)
    with pytest.raises(RecheckFailed) as exc:
        failing.recheck(date(2026, 1, 15))
    assert exc.value.ref == "wajong" and "niets opgeslagen" in exc.value.message
    assert dump(caseload) == before
    # a dry run reports the change and stores nothing either
    dry = caseload.recheck(date(2026, 1, 15), dry_run=True)
    assert lost(dry, LKV_OUD) and not dry.saved
    assert dump(caseload) == before
    caseload.close()
    failing.close()


# -------------------------------------------------------------------------- deadlines, export


def test_deadlines_within_days_and_the_exports_parse(tmp_path: Path, engine: Engine) -> None:
    caseload = filled(f"sqlite:///{tmp_path / 'c.db'}", engine)
    every = caseload.deadlines()
    assert [d["due"] for d in every] == sorted(d["due"] for d in every)
    soon = caseload.deadlines(within=60, today=date(2025, 5, 1))
    assert soon and all("2025-05-01" <= d["due"] <= "2025-06-30" for d in soon)
    assert {d["ref"] for d in caseload.deadlines(ref="wajong")} == {"wajong"}

    cal = Calendar.from_ical(to_ics(every))
    events = list(cal.walk("VEVENT"))
    assert len(events) == len(every)
    assert len({str(e["UID"]) for e in events}) == len(events)
    by_summary = {str(e["SUMMARY"]): e for e in events}
    # the summary also says where to apply (the aanvraag of the rule set, Wtl art. 2.1 and 2.3)
    prefix = "oudere-ww: Doelgroepverklaring aanvragen (uiterlijk): LKV oudere werknemer. Via de"
    dgv = next(e for s, e in by_summary.items() if s.startswith(prefix))
    assert dgv.decoded("DTSTART") == date(2025, 7, 1)
    assert dgv.decoded("DTEND") == date(2025, 7, 2)
    assert "Wet tegemoetkomingen loondomein, art. 2.3 lid 1" in str(dgv["DESCRIPTION"])
    raw = to_ics(every)
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))  # RFC 5545 3.1: folded lines

    text = to_csv(every)
    assert text.startswith("\ufeffref;datum;")  # Dutch Excel: BOM and ";" (issue 25)
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert len(rows) == len(every)
    assert rows[0].keys() >= {"ref", "datum", "omschrijving", "bron"}
    caseload.close()


def test_the_export_of_one_placement_holds_everything_stored_and_nothing_more(
    tmp_path: Path, engine: Engine
) -> None:
    caseload = Caseload(engine, f"sqlite:///{tmp_path / 'c.db'}")
    data = sample("wajong")
    caseload.add(copy.deepcopy(data), "w-1")
    exported = caseload.get("w-1").as_dict()
    assert exported["facts"] == {**data, "job": {**data["job"], "startdatum": "2025-06-01",
                                                 "lks_zonder_loonwaarde": False},
                                 "candidate": {**data["candidate"],
                                               "geboortedatum": "2001-09-12",
                                               "uitkering_sinds": "2019-09-12"}}  # fmt: skip
    assert set(exported) == {
        *("ref", "facts", "added_at", "peildatum", "checked_at", "confirmed_at"),
        *("answer", "rulesets", "deadlines", "checks"),
    }
    caseload.close()
