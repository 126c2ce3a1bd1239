"""The command line, one module per command group; `main` is the `arrangeur` entry point.

Every command reads the rule base through `args.load(args)`: main puts this module's `_load`
there (a test may replace it with rules it already loaded)."""

from __future__ import annotations

import argparse
import sys

from api.cli import (
    accounts,
    bench,
    caseload,
    check,
    diff,
    harmonisation,
    menukaart,
    regions,
    rules,
    serve,
    trajectory,
)
from api.cli.common import DutchParser
from api.cli.common import load as _load

DESCRIPTION = """\
Arrangeur: welke instrumenten passen bij een plaatsing, van welke instantie, en waar de
regels van gemeenten, UWV en regio verschillen. Elke opdracht leest de regels uit --rules
(standaard ARRANGEUR_RULES, anders de meegeleverde map rules/)."""

EPILOG = """\
Hulp per opdracht: arrangeur OPDRACHT --help. Afsluitcodes: 0 goed, 1 fout in de regels,
2 ongeldige invoer."""

# in the order `arrangeur --help` lists them: the accountmanager's, the rules', the server's,
# the caseload, then the region tools, then the accounts
GROUPS = (check, trajectory, harmonisation, rules, serve, bench, caseload, regions, menukaart,
          diff, accounts)  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    parser = DutchParser(
        prog="arrangeur",
        description=DESCRIPTION,
        epilog=EPILOG,
    )
    parser.add_argument(
        "--rules", metavar="MAP", help="map met regels (standaard: rules/ van dit project)"
    )
    sub = parser.add_subparsers(dest="command", required=True, title="opdrachten",
                                metavar="OPDRACHT")  # fmt: skip
    for group in GROUPS:
        group.register(sub)
    regions.register_national(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    args.load = _load  # looked up now: a test may have replaced it
    if getattr(args, "path", None):
        args.rules = args.path
    from sqlalchemy.exc import OperationalError

    from engine.errors import SettingError
    from engine.storage.database import DatabaseUrlError

    try:
        return args.func(args)
    except SystemExit as exc:  # our own exits carry the code (1: rules, 2: input)
        return int(exc.code or 0)
    except (SettingError, DatabaseUrlError) as exc:  # a setting or --db, like bad input
        print(f"arrangeur: {exc}", file=sys.stderr)
        return 2
    except OperationalError as exc:  # the database named by --db or the environment
        reason = str(exc.orig or exc).strip().splitlines()[0]
        print(f"arrangeur: de database is niet bereikbaar: {reason}", file=sys.stderr)
        return 2


__all__ = ["build_parser", "main"]
