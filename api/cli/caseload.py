"""`arrangeur caseload ...`: placements kept in a database, re-checked, with their deadlines.

A face only: the caseload itself is engine.caseload. Exit codes: 0 ok, 1 broken rules or a failed
re-check (nothing saved), 2 bad input (unknown or duplicate reference, invalid placement).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from api.cli.common import emit, non_negative_int, read_placement
from api.render import register as register_view
from api.render import to_json
from engine.caseload import Caseload, CaseloadError, InvalidInput, RecheckFailed, Stored
from engine.caseload import to_csv as deadlines_csv
from engine.caseload import to_ics as deadlines_ics
from engine.caseload.changes import STATUS_NL
from engine.format import eur
from engine.model import Arrangement, Placement, parse_day
from engine.storage.migrate import upgrade


class _LazyEngine:
    """Loads the rule base on the first check: list, show and export do not need it."""

    def __init__(self, load: Callable[[], Any]):
        self._load, self._engine = load, None

    def check(self, placement: Placement) -> Arrangement:
        if self._engine is None:
            from engine import Engine

            self._engine = Engine(self._load())
        return self._engine.check(placement)


# ------------------------------------------------------------------------------ the views


@dataclass(frozen=True)
class Listing:
    """Every stored placement, and where they are stored."""

    stored: list[Stored]
    location: str


@dataclass(frozen=True)
class Deadlines:
    rows: list[dict[str, Any]]
    today: date | None = None  # --today: what "verlopen" is measured against


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


def _deadlines_text(rows: list[dict[str, Any]], with_ref: bool, on: date | None = None) -> str:
    if not rows:
        return "  termijnen: geen\n"
    out = [] if with_ref else ["  termijnen:"]
    today = (on or date.today()).isoformat()
    for d in rows:
        who = f"{d['ref']:20} " if with_ref else "    "
        past = " (verlopen)" if d["due"] < today else ""  # before today: no longer to be met
        out.append(f"{who}{d['due']}{past}  {d['label']}  [{d['source']}]")
    return "\n".join(out) + "\n"


def _listing_text(listing: Listing, **_: Any) -> str:
    if not listing.stored:
        return f"De caseload is leeg ({listing.location}).\n"
    lines = []
    for s in listing.stored:
        names = ", ".join(s.answer["instruments"][i]["name"] for i in _eligible(s)) or "geen"
        lines.append(f"{s.ref:24} peildatum {s.peildatum.isoformat()}  in aanmerking: {names}")
    return "\n".join(lines) + "\n"


def _listing_json(listing: Listing, **_: Any) -> str:
    return to_json(
        [
            {
                "ref": s.ref,
                "peildatum": s.peildatum.isoformat(),
                "eligible": _eligible(s),
                "deadlines": len(s.deadlines),
            }
            for s in listing.stored
        ]  # fmt: skip
    )


def _stored_text(s: Stored, **_: Any) -> str:
    job, cand = s.facts["job"], s.facts["candidate"]
    rulesets = ", ".join(f"{k} {v['version']}" for k, v in sorted(s.rulesets.items()))
    return (
        f"Plaatsing {s.ref}\n"
        f"  toegevoegd {s.added_at:%Y-%m-%d}, beoordeeld {s.checked_at:%Y-%m-%d}, "
        f"bevestigd {s.confirmed_at:%Y-%m-%d}, peildatum {s.peildatum.isoformat()}\n"
        f"  {cand['uitkering']}, woongemeente {cand['woongemeente']}, werkgever in "
        f"{s.facts['employer']['vestigingsgemeente']}, start {job['startdatum']}\n"
        + _instruments_text(s)
        + _deadlines_text(s.deadlines, with_ref=False)
        + f"  regelsets: {rulesets}\n  opgeslagen antwoorden: {s.checks}\n"
    )


def _deadlines_view(d: Deadlines, **_: Any) -> str:
    return _deadlines_text(d.rows, with_ref=True, on=d.today) if d.rows else "Geen termijnen.\n"


register_view(Listing, "text", _listing_text)
register_view(Listing, "json", _listing_json)
register_view(Stored, "text", _stored_text)
register_view(Stored, "json", lambda s, **_: to_json(s.as_dict()))  # everything stored
register_view(Deadlines, "text", _deadlines_view)
register_view(Deadlines, "json", lambda d, **_: to_json(d.rows))
register_view(Deadlines, "csv", lambda d, **_: deadlines_csv(d.rows))
register_view(Deadlines, "ics", lambda d, **_: deadlines_ics(d.rows))


# --------------------------------------------------------------------------- the commands


def _run(args: argparse.Namespace) -> int:
    try:
        if args.action is cmd_migrate:
            return cmd_migrate(args, None)
        caseload = Caseload(_LazyEngine(lambda: args.load(args)), args.db)
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
    from engine.storage.database import connect, describe

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
    ref = args.ref or Path(args.file).stem
    data = read_placement(args.file)
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
    emit(Listing(caseload.list(), str(caseload.location)), args.format)
    return 0


def cmd_show(args: argparse.Namespace, caseload: Caseload) -> int:
    emit(caseload.get(args.ref), args.format)
    return 0


def cmd_recheck(args: argparse.Namespace, caseload: Caseload) -> int:
    emit(caseload.recheck(args.date, dry_run=args.dry_run), args.format)
    return 0


def cmd_deadlines(args: argparse.Namespace, caseload: Caseload) -> int:
    emit(Deadlines(caseload.deadlines(args.within, args.today), args.today), args.format)
    return 0


def cmd_export(args: argparse.Namespace, caseload: Caseload) -> int:
    rows = caseload.deadlines(ref=args.ref)
    emit(Deadlines(rows), args.format, args.output, f"{len(rows)} termijn(en) geschreven naar")
    return 0


def cmd_remove(args: argparse.Namespace, caseload: Caseload) -> int:
    caseload.remove(args.ref)
    print(f"Verwijderd: {args.ref} (plaatsing, antwoorden en termijnen)")
    return 0


def register(sub: Any) -> None:
    """Add `caseload` and its subcommands to the main parser's subcommands."""
    p = sub.add_parser("caseload", help="plaatsingen bewaren, herbeoordelen, termijnen")
    p.add_argument(
        "--db",
        help="database-URL (standaard ARRANGEUR_DATABASE_URL, anders een SQLite-bestand in "
        "~/.local/share/arrangeur/caseload.db)",
    )
    p.set_defaults(func=_run)
    cs = p.add_subparsers(
        dest="caseload_command", required=True, title="opdrachten", metavar="OPDRACHT"
    )

    def add(name: str, action: Callable, help_text: str, fmt: bool = False) -> Any:
        c = cs.add_parser(name, help=help_text)
        c.set_defaults(action=action)
        if fmt:
            c.add_argument("--format", choices=["text", "json"], default="text")
        return c

    add("migrate", cmd_migrate, "maak of werk de database bij")
    c = add("add", cmd_add, "voeg een plaatsing (YAML) toe en beoordeel haar")
    c.add_argument("file", help="plaatsing als YAML-bestand")
    c.add_argument("--ref", help="eigen kenmerk (standaard: de bestandsnaam); geen naam of BSN")
    add("list", cmd_list, "alle plaatsingen", fmt=True)
    c = add("show", cmd_show, "alles wat over één plaatsing is opgeslagen", fmt=True)
    c.add_argument("ref")
    c = add("recheck", cmd_recheck, "beoordeel alle plaatsingen opnieuw en toon wat veranderde",
            fmt=True)  # fmt: skip
    c.add_argument("--date", type=parse_day, help="peildatum JJJJ-MM-DD")
    c.add_argument("--dry-run", action="store_true", help="toon de verschillen, sla niets op")
    c = add("deadlines", cmd_deadlines, "termijnen van alle plaatsingen, op datum", fmt=True)
    c.add_argument("--within", type=non_negative_int, help="alleen de komende DAYS dagen")
    c.add_argument("--today", type=parse_day, help="rekenen vanaf deze dag")
    c = add("export", cmd_export, "termijnen als CSV of iCalendar (.ics)")
    c.add_argument("--format", choices=["csv", "ics"], required=True)
    c.add_argument("-o", "--output", required=True, help="bestand")
    c.add_argument("--ref", help="alleen deze plaatsing")
    c = add("remove", cmd_remove, "verwijder een plaatsing met alles wat erbij hoort")
    c.add_argument("ref")
