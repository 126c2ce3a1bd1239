"""`arrangeur check`: the arrangement of one placement."""

from __future__ import annotations

import argparse
from typing import Any

from api.cli.common import emit, fail, read_placement
from engine.arrangement import Engine, parse_placement
from engine.errors import EvaluationError, PlacementError
from engine.model import parse_day


def cmd_check(args: argparse.Namespace) -> int:
    data = read_placement(args.placement)
    if args.date:
        data["peildatum"] = args.date
    engine = Engine(args.load(args))
    try:
        arrangement = engine.check(parse_placement(data))
    except PlacementError as exc:
        problems = getattr(exc, "problems", [(exc.field, exc.message)])  # every one at once
        lines = "\n".join(f"  {field}: {message}" for field, message in problems)
        return fail(f"{args.placement}: ongeldige plaatsing:\n{lines}")
    except EvaluationError as exc:
        return fail(f"Fout in de regels bij deze plaatsing: {exc}", 1)
    emit(arrangement, args.format)
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("check", help="arrangement voor een plaatsing (YAML)")
    p.add_argument("placement", help="plaatsing als YAML-bestand, of - voor stdin")
    p.add_argument("--date", type=parse_day, help="peildatum JJJJ-MM-DD")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_check)
