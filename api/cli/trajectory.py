"""`arrangeur trajectory`: month by month funding of a placement, and the employer's PDF."""

from __future__ import annotations

import argparse
from typing import Any

from api.cli.common import emit, fail, read_placement
from engine.arrangement import Engine
from engine.errors import EvaluationError, PlacementError
from engine.trajectory.model import DEFAULT_ISSUER, ISSUER_VARIABLE


def trajectory_request(data: dict[str, Any], months: int | None) -> dict[str, Any]:
    """A placement file, optionally with a `traject:` block of request options (maanden, ...)."""
    options = data.pop("traject", None) or {}
    if not isinstance(options, dict):
        raise PlacementError("traject", "traject is een mapping (maanden, proefplaatsing, ...)")
    request = {**options, "placement": data}
    if months is not None:
        request["maanden"] = months
    return request


def cmd_trajectory(args: argparse.Namespace) -> int:
    from engine.trajectory import build_trajectory

    if args.format == "pdf" and not args.output:
        return fail("--format pdf schrijft naar een bestand: geef --output")
    data = read_placement(args.placement)
    engine = Engine(args.load(args))
    try:
        request = trajectory_request(data, args.months)
        trajectory = build_trajectory(request, engine, issuer=args.opsteller)
    except PlacementError as exc:
        # name the field as it is written in the file: job.startdatum, traject.maanden
        field = exc.field.removeprefix("placement.")
        if field == exc.field and not field.startswith("traject"):
            field = f"traject.{field}"
        return fail(f"{args.placement}: ongeldig traject: {field}: {exc.message}")
    except EvaluationError as exc:
        return fail(f"Fout in de regels bij deze plaatsing: {exc}", 1)
    emit(trajectory, args.format, args.output, note="")
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("trajectory", help="traject per maand: geld per financier, termijnen")
    p.add_argument("placement", help="plaatsing als YAML (optioneel met een blok traject:)")
    p.add_argument("--months", type=int, help="horizon in maanden (standaard 36)")
    p.add_argument("--format", choices=["text", "json", "html", "pdf"], default="text")
    p.add_argument("--output", help="schrijf naar dit bestand (nodig voor pdf)")
    p.add_argument(
        "--opsteller",
        help=f"wie het advies opstelt, voor de pdf (standaard ${ISSUER_VARIABLE} of "
        f"{DEFAULT_ISSUER!r})",
    )
    p.set_defaults(func=cmd_trajectory)
