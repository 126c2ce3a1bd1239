"""`arrangeur diff`: what changed between two rule-set versions, two peildata or two regions."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from api.cli.common import emit, fail, positive_int
from engine.arrangement import Engine
from engine.dates import iso_date
from engine.errors import PlacementError
from engine.model import parse_day


def _diff(engine: Engine, args: argparse.Namespace) -> Any:
    """The comparison the two arguments ask for; None when two dates lack --region."""
    from engine.analysis.diff import diff_dates, diff_regions, diff_versions, find_version

    rb = engine.rulebase
    a, b = args.left, args.right
    first, second = iso_date(a), iso_date(b)
    if first is not None and second is not None:
        if not args.region:
            return None
        return diff_dates(engine, args.region, first, second, args.profiles, args.executor)
    if "@" in a or "@" in b or rb.versions(a):
        return diff_versions(engine, find_version(rb, a), find_version(rb, b), args.date,
                             args.profiles, args.executor)  # fmt: skip
    return diff_regions(engine, a, b, args.date or date.today(), args.profiles, args.executor)


def cmd_diff(args: argparse.Namespace) -> int:
    engine = Engine(args.load(args))
    try:
        result = _diff(engine, args)
    except PlacementError as exc:
        return fail(f"ongeldige invoer: {exc.field}: {exc.message}")
    except ValueError as exc:
        return fail(f"ongeldige invoer: {exc}")
    if result is None:
        return fail("twee peildata vergelijken vraagt --region REGIO")
    naam = {g.code: g.naam for g in engine.rulebase.geography.gemeenten}
    emit(result, args.format, args.output, naam=naam)
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("diff", help="wat veranderde: twee versies, twee peildata of twee regio's")
    p.set_defaults(func=cmd_diff)
    p.add_argument("left", help="regelset@versie, peildatum of regio")
    p.add_argument("right", help="regelset@versie, peildatum of regio")
    p.add_argument("--region", help="de regio, bij twee peildata")
    p.add_argument("--date", type=parse_day, help="peildatum (versies, regio's)")
    p.add_argument("--profiles", type=positive_int, default=1_000, help="aantal profielen (1000)")
    p.add_argument("--executor", default="serial", help="serial, local of dask://HOST:PORT")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--output", "-o", help="schrijf naar dit bestand")
