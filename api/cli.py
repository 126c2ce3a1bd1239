"""The command line: arrangeur check | harmonisation | trajectory | validate | rulesets | serve |
bench."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import Any

from api.caseload_cli import register as register_caseload
from engine.arrangement import Engine, parse_placement
from engine.errors import EvaluationError, PlacementError, RulesError
from engine.explain import render_text
from engine.rulesets.registry import DEFAULT_RULES, RuleBase, coverage_gaps, load_rulebase
from engine.yamlio import RuleFileError, load_data


def _rules_dir(args: argparse.Namespace) -> Path:
    path = Path(args.rules or os.environ.get("ARRANGEUR_RULES") or DEFAULT_RULES)
    if path.is_file():  # one rule file: validate it within the rule base it belongs to
        root = next((p for p in path.resolve().parents if (p / "catalogus.yaml").exists()), None)
        return root or path
    return path


def _load(args: argparse.Namespace) -> RuleBase:
    try:
        return load_rulebase(_rules_dir(args))
    except RulesError as exc:
        print(f"De regels bevatten {len(exc.problems)} fout(en):", file=sys.stderr)
        for p in exc.problems:
            print(f"  {p}", file=sys.stderr)
        raise SystemExit(1) from None


def _read_placement(path: str) -> dict[str, Any]:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        print(f"{path}: {exc.strerror}", file=sys.stderr)
        raise SystemExit(2) from None
    except UnicodeDecodeError as exc:
        print(f"{path}: geen UTF-8 (byte {exc.start + 1})", file=sys.stderr)
        raise SystemExit(2) from None
    try:
        data = load_data(text, path)
    except RuleFileError as exc:
        where = f"{path}:{exc.line}" if exc.line else path
        print(f"{where}: ongeldige YAML: {exc.message}", file=sys.stderr)
        raise SystemExit(2) from None
    if not isinstance(data, dict):
        print(
            f"{path}: een plaatsing is een mapping met candidate, employer en job", file=sys.stderr
        )
        raise SystemExit(2)
    return data


def cmd_check(args: argparse.Namespace) -> int:
    data = _read_placement(args.placement)
    if args.date:
        data["peildatum"] = args.date
    engine = Engine(_load(args))
    try:
        arrangement = engine.check(parse_placement(data))
    except PlacementError as exc:
        print(f"{args.placement}: ongeldige plaatsing: {exc.field}: {exc.message}", file=sys.stderr)
        return 2
    except EvaluationError as exc:
        print(f"Fout in de regels bij deze plaatsing: {exc}", file=sys.stderr)
        return 1
    if args.format == "json":
        print(json.dumps(arrangement.model_dump(mode="json"), indent=2, ensure_ascii=False))
    else:
        print(render_text(arrangement), end="")
    return 0


class _ProgressBar:
    """A progress bar on the terminal (stderr); silent when stderr is not a terminal."""

    def __init__(self, label: str):
        self.label, self.last = label, -1
        self.enabled = sys.stderr.isatty()

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        pct = done * 100 // total
        if pct == self.last:
            return
        self.last = pct
        bar = "#" * (pct * 30 // 100)
        end = "\n" if done >= total else ""
        print(f"\r{self.label} [{bar:<30}] {pct:3d}% ({done}/{total} checks)", end=end,
              file=sys.stderr, flush=True)  # fmt: skip


def cmd_harmonisation(args: argparse.Namespace) -> int:
    from api.harmonisation_views import example_files, to_csv, to_html, to_text
    from engine.analysis import Options, harmonisation

    engine = Engine(_load(args))
    options = Options(
        profiles=args.profiles,
        seed=args.seed,
        executor=args.executor,
        workers=args.workers,
        vestigingsgemeente=args.employer,
        gemeenten=tuple(g.strip() for g in args.gemeenten.split(",")) if args.gemeenten else (),
    )
    when = args.date or date.today()
    try:
        report = harmonisation(
            engine,
            args.region,
            when,
            options,
            progress=_ProgressBar(f"regio {args.region}"),
            compare_date=args.compare_date,
            compare_region=args.compare_region,
        )
    except PlacementError as exc:
        print(f"ongeldige invoer: {exc.field}: {exc.message}", file=sys.stderr)
        return 2
    except ValueError as exc:  # e.g. an unknown executor
        print(f"ongeldige invoer: {exc}", file=sys.stderr)
        return 2
    examples = example_files(report, Path(args.examples)) if args.examples else None
    if args.format == "json":
        text = json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
    elif args.format == "csv":
        text = to_csv(report)
    elif args.format == "html":
        text = to_html(report)
    else:
        text = to_text(report, examples)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"rapport geschreven naar {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


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
    from api.pages.pdf import render_pdf
    from api.pages.text import render_trajectory_text
    from api.pages.trajectory import render_html
    from engine.trajectory import build_trajectory

    data = _read_placement(args.placement)
    engine = Engine(_load(args))
    try:
        trajectory = build_trajectory(trajectory_request(data, args.months), engine)
    except PlacementError as exc:
        # name the field as it is written in the file: job.startdatum, traject.maanden
        field = exc.field.removeprefix("placement.")
        if field == exc.field and not field.startswith("traject"):
            field = f"traject.{field}"
        print(f"{args.placement}: ongeldig traject: {field}: {exc.message}", file=sys.stderr)
        return 2
    except EvaluationError as exc:
        print(f"Fout in de regels bij deze plaatsing: {exc}", file=sys.stderr)
        return 1
    if args.format == "pdf":
        if not args.output:
            print("--format pdf schrijft naar een bestand: geef --output", file=sys.stderr)
            return 2
        Path(args.output).write_bytes(render_pdf(trajectory))
        return 0
    if args.format == "json":
        text = json.dumps(trajectory.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
    elif args.format == "html":
        text = render_html(trajectory)
    else:
        text = render_trajectory_text(trajectory)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        print(text, end="")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from engine.network_limits import network_limit_problems

    rb = _load(args)
    too_big = network_limit_problems(rb)  # networks durable_rules could not build
    if too_big:
        print(f"De regels bevatten {len(too_big)} fout(en):", file=sys.stderr)
        for p in too_big:
            print(f"  {p}", file=sys.stderr)
        return 1
    rules = sum(len(rs.rules) for rs in rb.rulesets)
    current = sum(g.exists_on(date.today()) for g in rb.geography.gemeenten)
    former = len(rb.geography.gemeenten) - current
    print(
        f"OK: {len(rb.rulesets)} regelsets, {rules} regels, {len(rb.catalogue.instruments)} "
        f"instrumenten, {len(rb.parameters.params)} parameters, "
        f"{current} gemeenten (en {former} opgeheven) in {rb.root}"
    )
    for gap in coverage_gaps(rb, date.today()):
        print(f"Let op: {gap}; daar gelden alleen de landelijke instrumenten")
    return 0


def cmd_rulesets(args: argparse.Namespace) -> int:
    rb = _load(args)
    rows = [
        {
            "id": rs.id,
            "authority": rs.authority,
            "version": rs.version,
            "valid_from": rs.valid_from.isoformat(),
            "valid_to": rs.valid_to.isoformat() if rs.valid_to else None,
            "provenance": rs.provenance,
            "rules": len(rs.rules),
            "title": rs.title,
        }
        for rs in rb.rulesets
    ]
    if args.format == "json":
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    print(f"{'id':28} {'authority':18} {'versie':8} {'geldig':25} {'herkomst':13} regels")
    for r in rows:
        period = f"{r['valid_from']} t/m {r['valid_to'] or 'heden'}"
        print(
            f"{r['id']:28} {r['authority']:18} {r['version']:8} {period:25} "
            f"{r['provenance']:13} {r['rules']}"
        )
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from api.app import create_app

    rulebase = _load(args)  # refuses to start on broken rules (exit 1 above)
    shown = "localhost" if args.host in ("0.0.0.0", "::") else args.host
    print(
        f"Arrangeur draait op http://{shown}:{args.port}/  (API: /docs; stoppen: Ctrl+C)",
        flush=True,
    )
    if args.workers > 1:  # each worker process loads the same, already validated, rules
        os.environ["ARRANGEUR_RULES"] = str(rulebase.root)
        uvicorn.run(
            "api.app:app_from_environment",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_level="warning",
            timeout_graceful_shutdown=5,
        )
        return 0
    # SIGTERM: requests get 5 s to finish, then the app's shutdown stops the running sweeps
    uvicorn.run(
        create_app(rulebase, rules_dir=_rules_dir(args)),
        host=args.host,
        port=args.port,
        log_level="warning",
        timeout_graceful_shutdown=5,
    )
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from benchmarks.check_latency import main as bench_main

    return bench_main(_rules_dir(args), quick=args.quick, fmt=args.format)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="arrangeur", description=__doc__)
    parser.add_argument("--rules", help="map met regels (standaard: rules/ van dit project)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("check", help="arrangement voor een plaatsing (YAML)")
    p.add_argument("placement", help="plaatsing als YAML-bestand, of - voor stdin")
    p.add_argument("--date", type=date.fromisoformat, help="peildatum JJJJ-MM-DD")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser(
        "harmonisation", help="vergelijk de gemeenten van een regio onderling en met UWV"
    )
    p.add_argument("region", help="arbeidsmarktregio: id (haaglanden), code (AM21) of naam")
    p.add_argument("--date", type=date.fromisoformat, help="peildatum (standaard: vandaag)")
    p.add_argument("--compare-date", type=date.fromisoformat, help="vergelijk met deze peildatum")
    p.add_argument("--compare-region", help="vergelijk met deze regio")
    p.add_argument(
        "--profiles", type=int, default=10_000, help="aantal profielen (standaard 10000)"
    )
    p.add_argument("--seed", type=int, default=2026, help="zaad voor de gegenereerde profielen")
    p.add_argument(
        "--executor", default="local", help="serial, local (alle kernen) of dask://HOST:PORT"
    )
    p.add_argument("--workers", type=int, help="aantal processen voor local (standaard: alle)")
    p.add_argument("--employer", help="vestigingsgemeente van de werkgever (standaard: de eerste)")
    p.add_argument("--gemeenten", help="vergelijk deze gemeenten (komma's) i.p.v. de regio")
    p.add_argument("--format", choices=["text", "json", "csv", "html"], default="text")
    p.add_argument("--output", "-o", help="schrijf het rapport naar dit bestand")
    p.add_argument("--examples", help="schrijf de voorbeeldplaatsingen als YAML in deze map")
    p.set_defaults(func=cmd_harmonisation)

    p = sub.add_parser("trajectory", help="traject per maand: geld per financier, termijnen")
    p.add_argument("placement", help="plaatsing als YAML (optioneel met een blok traject:)")
    p.add_argument("--months", type=int, help="horizon in maanden (standaard 36)")
    p.add_argument("--format", choices=["text", "json", "html", "pdf"], default="text")
    p.add_argument("--output", help="schrijf naar dit bestand (nodig voor pdf)")
    p.set_defaults(func=cmd_trajectory)

    p = sub.add_parser("validate", help="controleer alle regelsets")
    p.add_argument("path", nargs="?", help="map met regels (zelfde als --rules)")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("rulesets", help="lijst van regelsets en versies")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_rulesets)

    p = sub.add_parser("serve", help="start de HTTP API")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1, help="aantal serverprocessen")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("bench", help="meet checksnelheid (latency p50/p99, checks per seconde)")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_bench)

    register_caseload(sub, _load)
    from api.region_cli import register  # coverage, menukaart, diff, national, national-sweep

    register(sub, _load)
    from api.cli_accounts import register as register_accounts  # users, organisations

    register_accounts(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "path", None):
        args.rules = args.path
    from engine.network_cache import CacheSettingError

    try:
        return args.func(args)
    except SystemExit as exc:  # our own exits carry the code (1: rules, 2: input)
        return int(exc.code or 0)
    except CacheSettingError as exc:  # a setting from the environment, like bad input
        print(f"arrangeur: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
