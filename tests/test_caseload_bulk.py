"""The caseload's re-check in batches with answers compared by hash first gives what checking and
comparing every placement one by one gives: the same changed placements, the same lines, the
same stored answers afterwards; and the hash never hides a change."""

from __future__ import annotations

import copy
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

import engine.caseload.store as store
from benchmarks.placements import sample_placements
from engine import Engine
from engine.arrangement import parse_placement
from engine.caseload import Caseload, RecheckFailed
from engine.caseload.answer import answer_hash, summarize
from engine.caseload.changes import PlacementChange, Snapshot, compare
from engine.caseload.deadlines import derive
from engine.model import Arrangement, Placement
from engine.rulesets.registry import load_rulebase
from tests.caseload_db import BACKENDS, fresh_url
from tests.conftest import ROOT
from tests.test_caseload import FailingOn, caseload_placements, dump

WHEN = date(2026, 1, 15)  # the LKV oudere werknemer ends: many answers change, many do not


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_url(request.param, tmp_path)


@pytest.fixture()
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "BATCH", 7)  # many batches, and one that is not full


def filled(url: str, engine: Engine) -> Caseload:
    caseload = Caseload(engine, url)
    items = list(caseload_placements().items())
    items += [(f"s{i:03d}", p) for i, p in enumerate(sample_placements(engine, 60, seed=26))]
    caseload.add_many(items)
    return caseload


def one_by_one(caseload: Caseload, checker: Any, when: date | None) -> list[PlacementChange]:
    """The reference: every stored placement checked and compared on its own, no hash."""
    out = []
    for stored in caseload.list():
        data = dict(stored.facts)
        data["peildatum"] = (when or stored.peildatum).isoformat()
        answer, rulesets = summarize(checker.check(parse_placement(data)))
        deadlines = [d.as_dict() for d in derive(answer, stored.facts)]
        old = Snapshot(stored.answer, stored.rulesets, stored.deadlines)
        change = compare(stored.ref, old, Snapshot(answer, rulesets, deadlines))
        if change.changed:  # a change the compare sees always has another hash
            assert answer_hash(answer, rulesets, deadlines) != answer_hash(
                stored.answer, stored.rulesets, stored.deadlines
            )
        out.append(change)
    return out


def changes(report_changes: list[PlacementChange]) -> list[tuple]:
    return [
        (c.ref, c.peildatum_old, c.peildatum_new, c.lines, sorted(c.causes),
         [d.key() for d in c.rulesets_moved])
        for c in report_changes
    ]  # fmt: skip


def answers(caseload: Caseload) -> dict[str, tuple]:
    return {
        s.ref: (s.answer, s.rulesets, s.deadlines, s.peildatum, s.checks) for s in caseload.list()
    }


def changed_rules(tmp_path: Path) -> Engine:
    """The shipped rules with the LKV oudere werknemer's term and amount changed (same
    version, other content hash)."""
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    wtl = rules / "rijk" / "rijk-wtl-2025.yaml"
    old = 'max_duur_jaren: 3\n      per_uur_eur: {expr: "param.lkv_oudere_werknemer_per_uur"}'
    body = wtl.read_text(encoding="utf-8")
    assert body.count(old) == 1
    wtl.write_text(body.replace(old, "max_duur_jaren: 2\n      per_uur_eur: 1.35"), "utf-8")
    return Engine(load_rulebase(rules))


@pytest.mark.usefixtures("small_batches")
def test_a_bulk_recheck_finds_exactly_what_one_by_one_finds(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    caseload = filled(db_url, engine)
    # 1. other rules (same versions, other content): the reference first (it reads only)
    other = changed_rules(tmp_path)
    expected = one_by_one(caseload, other, None)
    rechecker = Caseload(other, db_url)
    report = rechecker.recheck()
    assert changes(report.changes) == changes(expected)
    assert {c.ref for c in report.changed} == {c.ref for c in expected if c.changed} != set()
    uses: dict[tuple, tuple[list[str], list[str]]] = {}
    for c in expected:  # per rule set that moved: the placements it gave, those it changed
        for delta in c.rulesets_moved:
            used_by, affected = uses.setdefault(delta.key(), ([], []))
            used_by.append(c.ref)
            if delta.key() in c.causes:
                affected.append(c.ref)
    assert uses and {u.delta.key(): (u.used_by, u.affected) for u in report.rulesets} == uses
    rechecker.close()

    # 2. the shipped rules again, on a later date
    expected = one_by_one(caseload, engine, WHEN)
    before = answers(caseload)
    report = caseload.recheck(WHEN)
    assert changes(report.changes) == changes(expected)
    changed = {c.ref for c in expected if c.changed}
    assert changed and len(changed) < len(expected)  # both kinds are in the test
    # saved: the changed ones have a new answer; the others keep theirs, with the rule-set
    # versions that gave it again noted
    after = answers(caseload)
    for c in expected:
        kept, now = before[c.ref], after[c.ref]
        if c.changed:
            assert now[3] == WHEN and now[4] == kept[4] + 1
            continue
        versions = {**kept[1], **{d.id: d.new for d in c.rulesets_moved if d.new}}
        versions = {k: v for k, v in versions.items() if k in now[1]}
        assert (now[0], now[2], now[3], now[4]) == (kept[0], kept[2], kept[3], kept[4])
        assert now[1] == versions
    again = caseload.recheck(WHEN)  # what changed now matches by hash: nothing changes
    assert again.changed == []
    assert changes(again.changes) == changes(one_by_one(caseload, engine, WHEN))
    hashes_are_the_stored_answers(caseload)
    caseload.close()


class Tweaked:
    """The real engine, except that one placement's answer names another provider for one of
    its instruments: a change only the answer's details show."""

    def __init__(self, engine: Engine, target: Placement):
        self.engine, self.target = engine, target

    def check(self, placement: Placement) -> Arrangement:
        answer = self.engine.check(placement)
        target = self.target
        if (placement.candidate, placement.job) == (target.candidate, target.job):
            answer = copy.deepcopy(answer)
            entry = next(e for e in answer.instruments if e.status == "eligible")
            entry.authority = "gemeente:0000"
        return answer


def test_the_hash_does_not_hide_a_change(db_url: str, engine: Engine) -> None:
    caseload = filled(db_url, engine)
    tweaked = Tweaked(engine, parse_placement(caseload.get("oudere-ww").facts))
    expected = one_by_one(caseload, tweaked, None)
    assert [c.ref for c in expected if c.changed] == ["oudere-ww"]
    rechecker = Caseload(tweaked, db_url)
    report = rechecker.recheck()
    assert changes(report.changes) == changes(expected)
    assert any("aanbieder" in line and "gemeente:0000" in line for line in report.changed[0].lines)
    rechecker.close()
    caseload.close()


def test_answers_stored_without_a_hash_are_compared_in_full_and_get_one(
    db_url: str, engine: Engine
) -> None:
    caseload = filled(db_url, engine)
    with caseload.db.begin() as conn:  # as stored before migration 0005
        conn.execute(text("UPDATE caseload_checks SET answer_hash = NULL"))
    expected = one_by_one(caseload, engine, None)
    assert not any(c.changed for c in expected)
    report = caseload.recheck()
    assert changes(report.changes) == changes(expected)
    with caseload.db.connect() as conn:
        stored = conn.execute(text("SELECT answer_hash FROM caseload_checks")).scalars().all()
    assert stored and None not in stored
    hashes_are_the_stored_answers(caseload)
    caseload.close()


def hashes_are_the_stored_answers(caseload: Caseload) -> None:
    """What a re-check relies on: a stored hash is that of the stored answer, rule-set
    versions and deadlines."""
    for s in caseload.list():
        assert caseload_hash(caseload, s.ref) == answer_hash(s.answer, s.rulesets, s.deadlines)


def caseload_hash(caseload: Caseload, ref: str) -> str:
    with caseload.db.connect() as conn:
        return conn.execute(
            text(
                "SELECT c.answer_hash FROM caseload_checks c JOIN caseload_placements p "
                "ON p.id = c.placement_id WHERE p.ref = :ref AND c.current"
            ),
            {"ref": ref},
        ).scalar_one()


def test_the_hash_covers_everything_a_compare_reads() -> None:
    answer: dict[str, Any] = {
        "peildatum": "2025-04-01",
        "regie": "uwv",
        "instruments": {
            "lkv": {
                "name": "LKV",
                "status": "eligible",
                "authority": "rijk",
                "params": {"max_duur_jaren": 3, "einde": "2025-12-31"},
                "amounts": [["2025", 6000.0]],
                "rules": ["rijk-wtl/lkv"],
                "rulesets": ["rijk-wtl"],
                "source": None,
            }
        },
        "missing_facts": [],
    }
    rulesets = {"rijk-wtl": {"version": "2025.1", "content_hash": "abc"}}
    deadlines = [{"kind": "einde", "instrument": "lkv", "due": "2025-12-31", "label": "x",
                  "rule": None, "source": "s", "source_url": None}]  # fmt: skip
    base = answer_hash(answer, rulesets, deadlines)
    # the same content in another key or deadline order: the same hash
    shuffled = dict(reversed(list(answer.items())))
    assert answer_hash(shuffled, rulesets, list(reversed(deadlines))) == base

    def changed(path: list[Any], value: Any) -> str:
        a = copy.deepcopy(answer)
        target = a
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        return answer_hash(a, rulesets, deadlines)

    lkv = ["instruments", "lkv"]
    variants = [
        changed(["peildatum"], "2025-04-02"),
        changed(["regie"], "gemeente:0503"),
        changed([*lkv, "status"], "needs_assessment"),
        changed([*lkv, "authority"], "gemeente:0503"),
        changed([*lkv, "params", "max_duur_jaren"], 2),
        changed([*lkv, "amounts"], [["2025", 6000.01]]),
        changed(["instruments"], {}),
        answer_hash(answer, {"rijk-wtl": {"version": "2025.1", "content_hash": "abd"}}, deadlines),
        answer_hash(answer, rulesets, [{**deadlines[0], "due": "2026-01-01"}]),
        answer_hash(answer, rulesets, []),
    ]
    assert base not in variants and len(set(variants)) == len(variants)


@pytest.mark.usefixtures("small_batches")
def test_a_check_failing_after_written_batches_leaves_every_stored_answer_as_it_was(
    db_url: str, engine: Engine
) -> None:
    caseload = filled(db_url, engine)
    before = dump(caseload)
    # "wajong" sorts last: the batches before it were checked, changed and written
    failing = Caseload(FailingOn(engine, date(2001, 9, 12)), db_url)
    with pytest.raises(RecheckFailed) as exc:
        failing.recheck(WHEN)
    assert exc.value.ref == "wajong"
    assert dump(caseload) == before
    failing.close()
    caseload.close()
