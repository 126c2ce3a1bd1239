"""The region tools on the command line: coverage | menukaart export/import | diff | national |
national-sweep. Faces only: the logic is in engine/analysis/."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

from engine.arrangement import Engine
from engine.dates import iso_date
from engine.errors import PlacementError

Loader = Callable[[argparse.Namespace], object]  # api.cli._load: the validated rule base


def _write(text: str, output: str | None) -> None:
    if output:
        Path(output).write_text(text, encoding="utf-8")
        print(f"geschreven naar {output}", file=sys.stderr)
    else:
        sys.stdout.write(text)


def _json(model) -> str:
    return json.dumps(model.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


def cmd_coverage(args: argparse.Namespace) -> int:
    from api.coverage_views import to_html, to_text
    from engine.analysis.coverage import coverage

    result = coverage(args.load(args), args.date or date.today())
    text = {"json": _json, "html": to_html, "text": to_text}[args.format](result)
    _write(text, args.output)
    return 0


def cmd_national(args: argparse.Namespace) -> int:
    from api.cli import _read_placement
    from api.national_views import overview_csv, overview_html, overview_text
    from engine.analysis.national import national_overview

    data = _read_placement(args.placement)
    engine = Engine(args.load(args))
    try:
        result = national_overview(engine, data, args.date)
    except PlacementError as exc:
        print(f"{args.placement}: ongeldige plaatsing: {exc.field}: {exc.message}", file=sys.stderr)
        return 2
    render = {"json": _json, "csv": overview_csv, "html": overview_html, "text": overview_text}
    _write(render[args.format](result), args.output)
    return 0


def cmd_national_sweep(args: argparse.Namespace) -> int:
    from api.cli import _ProgressBar
    from api.national_views import sweep_text
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
            progress=_ProgressBar("landelijk"),
        )
    except ValueError as exc:  # an unknown executor
        print(f"ongeldige invoer: {exc}", file=sys.stderr)
        return 2
    naam = {g.code: g.naam for g in engine.rulebase.geography.gemeenten}
    _write(_json(result) if args.format == "json" else sweep_text(result, naam), args.output)
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    from engine.analysis.diff import (
        diff_dates,
        diff_regions,
        diff_text,
        diff_versions,
        find_version,
    )

    engine = Engine(args.load(args))
    rb = engine.rulebase
    a, b = args.left, args.right
    try:
        first, second = iso_date(a), iso_date(b)
        if first is not None and second is not None:
            if not args.region:
                print("twee peildata vergelijken vraagt --region REGIO", file=sys.stderr)
                return 2
            result = diff_dates(engine, args.region, first, second, args.profiles,
                                args.executor)  # fmt: skip
        elif "@" in a or "@" in b or rb.versions(a):
            result = diff_versions(engine, find_version(rb, a), find_version(rb, b), args.date,
                                   args.profiles, args.executor)  # fmt: skip
        else:
            result = diff_regions(engine, a, b, args.date or date.today(), args.profiles,
                                  args.executor)  # fmt: skip
    except PlacementError as exc:
        print(f"ongeldige invoer: {exc.field}: {exc.message}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"ongeldige invoer: {exc}", file=sys.stderr)
        return 2
    naam = {g.code: g.naam for g in rb.geography.gemeenten}
    _write(_json(result) if args.format == "json" else diff_text(result, naam), args.output)
    return 0


def cmd_menukaart_export(args: argparse.Namespace) -> int:
    from engine.analysis.menukaart import export_menukaart

    engine = Engine(args.load(args))
    try:
        export_menukaart(engine, args.region, args.date or date.today(), Path(args.output),
                         args.format)  # fmt: skip
    except PlacementError as exc:
        print(f"ongeldige invoer: {exc.field}: {exc.message}", file=sys.stderr)
        return 2
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
        print(f"{args.file}: de menukaart is niet ingelezen:", file=sys.stderr)
        for line in exc.lines:
            print(f"  {line}", file=sys.stderr)
        return 2
    print(report, end="")
    return 0


def register(sub: argparse._SubParsersAction, load: Loader) -> None:
    """Add the region tools' subcommands to the `arrangeur` parser."""

    def add(name: str, func: Callable, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text)
        p.set_defaults(func=func, load=load)
        return p

    p = add("coverage", cmd_coverage, "welke regelsets er zijn per regio en gemeente")
    p.add_argument("--date", type=date.fromisoformat, help="peildatum (standaard: vandaag)")
    p.add_argument("--format", choices=["text", "json", "html"], default="text")
    p.add_argument("--output", "-o", help="schrijf naar dit bestand")

    p = add("menukaart", lambda a: a.menukaart_func(a), "menukaart van een regio, in en uit")
    msub = p.add_subparsers(dest="menukaart_command", required=True)
    e = msub.add_parser("export", help="schrijf de menukaart van een regio als spreadsheet")
    e.set_defaults(menukaart_func=cmd_menukaart_export)
    e.add_argument("region", help="arbeidsmarktregio: id, code of naam")
    e.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    e.add_argument("--output", "-o", required=True, help="het bestand")
    e.add_argument("--date", type=date.fromisoformat, help="peildatum (standaard: vandaag)")
    i = msub.add_parser("import", help="lees een menukaart in als nieuwe regelsetversies")
    i.set_defaults(menukaart_func=cmd_menukaart_import)
    i.add_argument("file", help="menukaart (.xlsx of .csv)")
    i.add_argument("--valid-from", type=date.fromisoformat, help="geldig vanaf (nieuwe versies)")
    i.add_argument("--output", "-o", help="map met regels om bij te werken (standaard: --rules)")

    p = add("diff", cmd_diff, "wat veranderde: twee versies, twee peildata of twee regio's")
    p.add_argument("left", help="regelset@versie, peildatum of regio")
    p.add_argument("right", help="regelset@versie, peildatum of regio")
    p.add_argument("--region", help="de regio, bij twee peildata")
    p.add_argument("--date", type=date.fromisoformat, help="peildatum (versies, regio's)")
    p.add_argument("--profiles", type=int, default=1_000, help="aantal profielen (1000)")
    p.add_argument("--executor", default="serial", help="serial, local of dask://HOST:PORT")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--output", "-o", help="schrijf naar dit bestand")

    p = add("national", cmd_national, "landelijk overzicht: één plaatsing in elke gemeente")
    p.add_argument("placement", help="plaatsing als YAML; woon- en werkgemeente variëren")
    p.add_argument("--date", type=date.fromisoformat, help="peildatum")
    p.add_argument("--format", choices=["text", "csv", "json", "html"], default="text")
    p.add_argument("--output", "-o", help="schrijf naar dit bestand")

    p = add("national-sweep", cmd_national_sweep, "landelijke harmonisatie: alle gemeenten")
    p.add_argument("--date", type=date.fromisoformat, help="peildatum (standaard: vandaag)")
    p.add_argument("--profiles", type=int, default=10_000, help="aantal profielen (10000)")
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--executor", default="local", help="serial, local of dask://HOST:PORT")
    p.add_argument("--workers", type=int, help="aantal processen voor local")
    p.add_argument("--no-dedup", action="store_true", help="elke gemeente apart berekenen")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--output", "-o", help="schrijf naar dit bestand")
