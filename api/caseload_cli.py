"""`arrangeur caseload ...`: placements kept in a database, re-checked, with their deadlines.

A face only: the caseload itself is engine.caseload. Exit codes: 0 ok, 1 broken rules or a failed
re-check (nothing saved), 2 bad input (unknown or duplicate reference, invalid placement).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from engine.caseload import (
    Caseload,
    CaseloadError,
    InvalidInput,
    RecheckFailed,
    Stored,
    to_csv,
    to_ics,
)
from engine.caseload.changes import STATUS_NL
from engine.caseload.migrate import upgrade
from engine.format import eur
from engine.model import Arrangement, Placement


class _LazyEngine:
    """Loads the rule base on the first check: list, show and export do not need it."""

    def __init__(self, load: Callable[[], Any]):
        self._load, self._engine = load, None

    def check(self, placement: Placement) -> Arrangement:
        if self._engine is None:
            from engine import Engine

            self._engine = Engine(self._load())
        return self._engine.check(placement)


def register(sub: Any, load_rulebase: Callable[[argparse.Namespace], Any]) -> None:
    """Add `caseload` to the main parser's subcommands."""
    p = sub.add_parser("caseload", help="plaatsingen bewaren, herbeoordelen, termijnen")
    p.add_argument(
        "--db",
        help="database-URL (standaard ARRANGEUR_DATABASE_URL, anders een SQLite-bestand in "
        "~/.local/share/arrangeur/caseload.db)",
    )
    p.set_defaults(func=lambda args: _run(args, load_rulebase))
    cs = p.add_subparsers(dest="caseload_command", required=True)

    c = cs.add_parser("migrate", help="maak of werk de database bij")
    c.set_defaults(action=cmd_migrate)

    c = cs.add_parser("add", help="voeg een plaatsing (YAML) toe en beoordeel haar")
    c.add_argument("file", help="plaatsing als YAML-bestand")
    c.add_argument("--ref", help="eigen kenmerk (standaard: de bestandsnaam); geen naam of BSN")
    c.set_defaults(action=cmd_add)

    c = cs.add_parser("list", help="alle plaatsingen")
    c.add_argument("--format", choices=["text", "json"], default="text")
    c.set_defaults(action=cmd_list)

    c = cs.add_parser("show", help="alles wat over één plaatsing is opgeslagen")
    c.add_argument("ref")
    c.add_argument("--format", choices=["text", "json"], default="text")
    c.set_defaults(action=cmd_show)

    c = cs.add_parser("recheck", help="beoordeel alle plaatsingen opnieuw en toon wat veranderde")
    c.add_argument("--date", type=date.fromisoformat, help="peildatum JJJJ-MM-DD")
    c.add_argument("--dry-run", action="store_true", help="toon de verschillen, sla niets op")
    c.add_argument("--format", choices=["text", "json"], default="text")
    c.set_defaults(action=cmd_recheck)

    c = cs.add_parser("deadlines", help="termijnen van alle plaatsingen, op datum")
    c.add_argument("--within", type=int, help="alleen de komende DAYS dagen")
    c.add_argument("--today", type=date.fromisoformat, help="rekenen vanaf deze dag")
    c.add_argument("--format", choices=["text", "json"], default="text")
    c.set_defaults(action=cmd_deadlines)

    c = cs.add_parser("export", help="termijnen als CSV of iCalendar (.ics)")
    c.add_argument("--format", choices=["csv", "ics"], required=True)
    c.add_argument("-o", "--output", required=True, help="bestand")
    c.add_argument("--ref", help="alleen deze plaatsing")
    c.set_defaults(action=cmd_export)

    c = cs.add_parser("remove", help="verwijder een plaatsing met alles wat erbij hoort")
    c.add_argument("ref")
    c.set_defaults(action=cmd_remove)


def _run(args: argparse.Namespace, load_rulebase: Callable[[argparse.Namespace], Any]) -> int:
    try:
        if args.action is cmd_migrate:
            return cmd_migrate(args, None)
        caseload = Caseload(_LazyEngine(lambda: load_rulebase(args)), args.db)
        try:
            return args.action(args, caseload)
        finally:
            caseload.close()
    except RecheckFailed as exc:
        print(exc.message, file=sys.stderr)
        return 2 if exc.status == 422 else 1
    except CaseloadError as exc:
        print(exc.message, file=sys.stderr)
        return 2


def cmd_migrate(args: argparse.Namespace, _: Caseload | None) -> int:
    from engine.caseload.database import connect, describe

    db = connect(args.db)
    try:
        before, after = upgrade(db)
        if before == after:
            print(f"{describe(db)}: al bij (revisie {after})")
        else:
            print(f"{describe(db)}: bijgewerkt van revisie {before or '(leeg)'} naar {after}")
    finally:
        db.dispose()
    return 0


def cmd_add(args: argparse.Namespace, caseload: Caseload) -> int:
    from api.cli import _read_placement

    ref = args.ref or Path(args.file).stem
    data = _read_placement(args.file)
    if data.pop("traject", None) is not None:  # a trajectory request: keep its placement only
        print(f"{args.file}: blok traject: niet opgeslagen (alleen de plaatsing)", file=sys.stderr)
    if isinstance(data.get("employer"), dict) and data["employer"].get("naam"):
        print("employer.naam wordt niet opgeslagen (geen regel leest het)", file=sys.stderr)
    try:
        stored = caseload.add(data, ref)
    except InvalidInput as exc:
        exc.message = f"{args.file}: {exc.message}"
        raise
    print(f"Toegevoegd: {stored.ref} (peildatum {stored.peildatum.isoformat()})")
    print(_instruments_text(stored), end="")
    print(_deadlines_text(stored.deadlines, with_ref=False), end="")
    print(f"Opgeslagen in {caseload.location}", file=sys.stderr)
    return 0


def cmd_list(args: argparse.Namespace, caseload: Caseload) -> int:
    stored = caseload.list()
    if args.format == "json":
        rows = [
            {"ref": s.ref, "peildatum": s.peildatum.isoformat(), "eligible": _eligible(s),
             "deadlines": len(s.deadlines)}
            for s in stored
        ]  # fmt: skip
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    if not stored:
        print(f"De caseload is leeg ({caseload.location}).")
        return 0
    for s in stored:
        names = ", ".join(s.answer["instruments"][i]["name"] for i in _eligible(s)) or "geen"
        print(f"{s.ref:24} peildatum {s.peildatum.isoformat()}  in aanmerking: {names}")
    return 0


def cmd_show(args: argparse.Namespace, caseload: Caseload) -> int:
    s = caseload.get(args.ref)
    if args.format == "json":  # everything stored about this placement: its export
        print(json.dumps(s.as_dict(), indent=2, ensure_ascii=False))
        return 0
    job, cand = s.facts["job"], s.facts["candidate"]
    print(f"Plaatsing {s.ref}")
    print(f"  toegevoegd {s.added_at:%Y-%m-%d}, beoordeeld {s.checked_at:%Y-%m-%d}, "
          f"bevestigd {s.confirmed_at:%Y-%m-%d}, peildatum {s.peildatum.isoformat()}")  # fmt: skip
    print(f"  {cand['uitkering']}, woongemeente {cand['woongemeente']}, werkgever in "
          f"{s.facts['employer']['vestigingsgemeente']}, start {job['startdatum']}")  # fmt: skip
    print(_instruments_text(s), end="")
    print(_deadlines_text(s.deadlines, with_ref=False), end="")
    rulesets = ", ".join(f"{k} {v['version']}" for k, v in sorted(s.rulesets.items()))
    print(f"  regelsets: {rulesets}")
    print(f"  opgeslagen antwoorden: {s.checks}")
    return 0


def cmd_recheck(args: argparse.Namespace, caseload: Caseload) -> int:
    report = caseload.recheck(args.date, dry_run=args.dry_run)
    if args.format == "json":
        print(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    else:
        print(report.text(), end="")
    return 0


def cmd_deadlines(args: argparse.Namespace, caseload: Caseload) -> int:
    rows = caseload.deadlines(args.within, args.today)
    if args.format == "json":
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    if not rows:
        print("Geen termijnen.")
        return 0
    print(_deadlines_text(rows, with_ref=True), end="")
    return 0


def cmd_export(args: argparse.Namespace, caseload: Caseload) -> int:
    rows = caseload.deadlines(ref=args.ref)
    if args.format == "csv":
        Path(args.output).write_text(to_csv(rows), encoding="utf-8")
    else:
        Path(args.output).write_bytes(to_ics(rows))
    print(f"{len(rows)} termijn(en) geschreven naar {args.output}", file=sys.stderr)
    return 0


def cmd_remove(args: argparse.Namespace, caseload: Caseload) -> int:
    caseload.remove(args.ref)
    print(f"Verwijderd: {args.ref} (plaatsing, antwoorden en termijnen)")
    return 0


def _eligible(s: Stored) -> list[str]:
    return [i for i, e in s.answer["instruments"].items() if e["status"] == "eligible"]


def _instruments_text(s: Stored) -> str:
    out = ["  instrumenten:"]
    for e in s.answer["instruments"].values():
        if e["status"] == "not_eligible":
            continue
        money = ", ".join(f"{eur(value)} ({p})" for p, value in e["amounts"][:2])
        out.append(f"    {e['name']}: {STATUS_NL[e['status']]}" + (f", {money}" if money else ""))
    return "\n".join(out) + "\n"


def _deadlines_text(rows: list[dict[str, Any]], with_ref: bool) -> str:
    if not rows:
        return "  termijnen: geen\n"
    out = [] if with_ref else ["  termijnen:"]
    for d in rows:
        who = f"{d['ref']:20} " if with_ref else "    "
        out.append(f"{who}{d['due']}  {d['label']}  [{d['source']}]")
    return "\n".join(out) + "\n"
