"""`arrangeur menukaart export|import`: a region's menukaart as a spreadsheet, and back as new
rule-set versions."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from datetime import date
from pathlib import Path
from typing import Any

from api.cli.common import fail
from engine.arrangement import Engine
from engine.errors import PlacementError
from engine.model import parse_day
from engine.rulesets.registry import DEFAULT_RULES


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


def user_rules_dir() -> Path:
    """Where an import goes when the rules in use are the shipped ones: the user's data folder
    ($XDG_DATA_HOME/arrangeur/regels, by default ~/.local/share/arrangeur/regels)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "arrangeur" / "regels"


def _shipped(path: Path) -> bool:
    """The rules that come with Arrangeur (also inside an installed package): never written."""
    shipped, path = DEFAULT_RULES.resolve(), path.resolve()
    return path == shipped or shipped in path.parents


def _target(args: argparse.Namespace, rules: Path) -> tuple[Path, str]:
    """The folder an import writes to, and a note for the user; raises ValueError (Dutch).
    A new or empty folder first gets a copy of the rules in use, so it is a whole rule base."""
    if args.output:
        target = Path(args.output)
    elif not _shipped(rules):
        return rules, ""  # the user's own rules (--rules or ARRANGEUR_RULES): updated in place
    else:
        target = user_rules_dir()
        if target.exists() and any(target.iterdir()):
            raise ValueError(
                f"de meegeleverde regels worden niet overschreven, en {target} bestaat al: geef "
                f"--rules {target} om die regels bij te werken, of --output MAP"
            )
    if _shipped(target):
        raise ValueError(
            f"--output {target}: de meegeleverde regels worden niet overschreven; kies een "
            "andere map"
        )
    if target.exists() and not target.is_dir():
        raise ValueError(f"--output {target}: geen map")
    if target.exists() and any(target.iterdir()):
        return target, ""
    shutil.copytree(rules, target, dirs_exist_ok=True)
    return target, f"Kopie van de regels gemaakt in {target}; gebruik daarna --rules {target}.\n"


def cmd_menukaart_import(args: argparse.Namespace) -> int:
    from engine.analysis.menukaart import MenukaartError, import_menukaart

    engine = Engine(args.load(args))
    # whether the folder a copy would go to is there already (a failed import leaves it as it was)
    existed = Path(args.output or user_rules_dir()).exists()
    try:
        target, note = _target(args, engine.rulebase.root)
    except ValueError as exc:
        return fail(f"menukaart import: {exc}")
    try:
        report = import_menukaart(engine, Path(args.file), args.valid_from, target)
    except MenukaartError as exc:
        if note:  # the copy made for this import: nothing written after all
            shutil.rmtree(target)
            if existed:
                target.mkdir()
        lines = "".join(f"\n  {line}" for line in exc.lines)
        return fail(f"{args.file}: de menukaart is niet ingelezen:{lines}")
    print(note + report, end="")
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
    i.add_argument(
        "--output",
        "-o",
        help="map met regels om bij te werken; een nieuwe map krijgt eerst een kopie van de regels "
        "(standaard: de map van --rules, of bij de meegeleverde regels "
        "~/.local/share/arrangeur/regels: de meegeleverde regels worden nooit overschreven)",
    )
