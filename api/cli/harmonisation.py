"""`arrangeur harmonisation`: the gemeenten of a region compared with each other and UWV."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import Any

from api.cli.common import ProgressBar, emit, fail, positive_int
from engine.arrangement import Engine
from engine.errors import PlacementError
from engine.model import parse_day


def cmd_harmonisation(args: argparse.Namespace) -> int:
    from api.harmonisation_views import example_files
    from engine.analysis import Options, harmonisation

    engine = Engine(args.load(args))
    options = Options(
        profiles=args.profiles,
        seed=args.seed,
        executor=args.executor,
        workers=args.workers,
        vestigingsgemeente=args.employer,
        gemeenten=tuple(g.strip() for g in args.gemeenten.split(",")) if args.gemeenten else (),
    )
    try:
        report = harmonisation(
            engine,
            args.region,
            args.date or date.today(),
            options,
            progress=ProgressBar(f"regio {args.region}"),
            compare_date=args.compare_date,
            compare_region=args.compare_region,
        )
    except PlacementError as exc:
        return fail(f"ongeldige invoer: {exc.field}: {exc.message}")
    except ValueError as exc:  # e.g. an unknown executor
        return fail(f"ongeldige invoer: {exc}")
    examples = example_files(report, Path(args.examples)) if args.examples else None
    emit(report, args.format, args.output, "rapport geschreven naar", examples=examples)
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser(
        "harmonisation", help="vergelijk de gemeenten van een regio onderling en met UWV"
    )
    p.add_argument("region", help="arbeidsmarktregio: id (haaglanden), code (AM21) of naam")
    p.add_argument("--date", type=parse_day, help="peildatum (standaard: vandaag)")
    p.add_argument("--compare-date", type=parse_day, help="vergelijk met deze peildatum")
    p.add_argument("--compare-region", help="vergelijk met deze regio")
    p.add_argument(
        "--profiles", type=positive_int, default=10_000, help="aantal profielen (standaard 10000)"
    )
    p.add_argument("--seed", type=int, default=2026, help="zaad voor de gegenereerde profielen")
    p.add_argument(
        "--executor", default="local", help="serial, local (alle kernen) of dask://HOST:PORT"
    )
    p.add_argument(
        "--workers", type=positive_int, help="aantal processen voor local (standaard: alle)"
    )
    p.add_argument("--employer", help="vestigingsgemeente van de werkgever (standaard: de eerste)")
    p.add_argument("--gemeenten", help="vergelijk deze gemeenten (komma's) i.p.v. de regio")
    p.add_argument("--format", choices=["text", "json", "csv", "html"], default="text")
    p.add_argument("--output", "-o", help="schrijf het rapport naar dit bestand")
    p.add_argument("--examples", help="schrijf de voorbeeldplaatsingen als YAML in deze map")
    p.set_defaults(func=cmd_harmonisation)
