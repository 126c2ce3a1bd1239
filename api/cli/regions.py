"""The region tools' overviews: `arrangeur coverage` (which rule sets exist where), `national`
(one placement in every gemeente) and `national-sweep` (harmonisation across the country).
Faces only: the logic is in engine/analysis/."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from api.cli.common import ProgressBar, emit, fail, positive_int, read_placement
from engine.arrangement import Engine
from engine.errors import PlacementError
from engine.model import parse_day


def cmd_coverage(args: argparse.Namespace) -> int:
    from engine.analysis.coverage import coverage

    emit(coverage(args.load(args), args.date or date.today()), args.format, args.output)
    return 0


def cmd_national(args: argparse.Namespace) -> int:
    from engine.analysis.national import national_overview

    data = read_placement(args.placement)
    engine = Engine(args.load(args))
    try:
        result = national_overview(engine, data, args.date)
    except PlacementError as exc:
        return fail(f"{args.placement}: ongeldige plaatsing: {exc.field}: {exc.message}")
    emit(result, args.format, args.output)
    return 0


def cmd_national_sweep(args: argparse.Namespace) -> int:
    from engine.analysis.national import national_sweep

    engine = Engine(args.load(args))
    try:
        result = national_sweep(
            engine,
            args.date or date.today(),
            args.profiles,
            args.seed,
            args.executor,
            args.workers,
            dedup=not args.no_dedup,
            progress=ProgressBar("landelijk"),
        )
    except ValueError as exc:  # an unknown executor
        return fail(f"ongeldige invoer: {exc}")
    rb = engine.rulebase
    # the names people read: gemeenten by CBS code, instruments by catalogue id
    naam = {g.code: g.naam for g in rb.geography.gemeenten}
    naam |= {i: spec.naam for i, spec in rb.catalogue.instruments.items()}
    emit(result, args.format, args.output, naam=naam)
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("coverage", help="welke regelsets er zijn per regio en gemeente")
    p.set_defaults(func=cmd_coverage)
    p.add_argument("--date", type=parse_day, help="peildatum (standaard: vandaag)")
    p.add_argument("--format", choices=["text", "json", "html"], default="text")
    p.add_argument("--output", "-o", help="schrijf naar dit bestand")


def register_national(sub: Any) -> None:
    p = sub.add_parser("national", help="landelijk overzicht: één plaatsing in elke gemeente")
    p.set_defaults(func=cmd_national)
    p.add_argument("placement", help="plaatsing als YAML; woon- en werkgemeente variëren")
    p.add_argument("--date", type=parse_day, help="peildatum")
    p.add_argument("--format", choices=["text", "csv", "json", "html"], default="text")
    p.add_argument("--output", "-o", help="schrijf naar dit bestand")

    p = sub.add_parser("national-sweep", help="landelijke harmonisatie: alle gemeenten")
    p.set_defaults(func=cmd_national_sweep)
    p.add_argument("--date", type=parse_day, help="peildatum (standaard: vandaag)")
    p.add_argument("--profiles", type=positive_int, default=10_000, help="aantal profielen (10000)")
    p.add_argument("--seed", type=int, default=2026, help="zaad voor de gegenereerde profielen")
    p.add_argument("--executor", default="local", help="serial, local of dask://HOST:PORT")
    p.add_argument("--workers", type=positive_int, help="aantal processen voor local")
    p.add_argument("--no-dedup", action="store_true", help="elke gemeente apart berekenen")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--output", "-o", help="schrijf naar dit bestand")
