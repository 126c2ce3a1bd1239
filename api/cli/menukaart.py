"""`arrangeur menukaart export|import`: a region's menukaart as a spreadsheet, and back as new
rule-set versions."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from api.cli.common import fail
from engine.arrangement import Engine
from engine.errors import PlacementError
from engine.model import parse_day


def cmd_menukaart_export(args: argparse.Namespace) -> int:
    from engine.analysis.menukaart import export_menukaart

    engine = Engine(args.load(args))
    try:
        export_menukaart(engine, args.region, args.date or date.today(), Path(args.output),
                         args.format)  # fmt: skip
    except PlacementError as exc:
        return fail(f"ongeldige invoer: {exc.field}: {exc.message}")
    print(f"menukaart geschreven naar {args.output}", file=sys.stderr)
    return 0


def cmd_menukaart_import(args: argparse.Namespace) -> int:
    from engine.analysis.menukaart import MenukaartError, import_menukaart

    engine = Engine(args.load(args))
    try:
        report = import_menukaart(
            engine, Path(args.file), args.valid_from, Path(args.output) if args.output else None
        )
    except MenukaartError as exc:
        lines = "".join(f"\n  {line}" for line in exc.lines)
        return fail(f"{args.file}: de menukaart is niet ingelezen:{lines}")
    print(report, end="")
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("menukaart", help="menukaart van een regio, in en uit")
    p.set_defaults(func=lambda a: a.menukaart_func(a))
    msub = p.add_subparsers(
        dest="menukaart_command", required=True, title="opdrachten", metavar="OPDRACHT"
    )
    e = msub.add_parser("export", help="schrijf de menukaart van een regio als spreadsheet")
    e.set_defaults(menukaart_func=cmd_menukaart_export)
    e.add_argument("region", help="arbeidsmarktregio: id, code of naam")
    e.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    e.add_argument("--output", "-o", required=True, help="het bestand")
    e.add_argument("--date", type=parse_day, help="peildatum (standaard: vandaag)")
    i = msub.add_parser("import", help="lees een menukaart in als nieuwe regelsetversies")
    i.set_defaults(menukaart_func=cmd_menukaart_import)
    i.add_argument("file", help="menukaart (.xlsx of .csv)")
    i.add_argument("--valid-from", type=parse_day, help="geldig vanaf (nieuwe versies)")
    i.add_argument("--output", "-o", help="map met regels om bij te werken (standaard: --rules)")
