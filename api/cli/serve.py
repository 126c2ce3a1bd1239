"""`arrangeur serve`: the HTTP API and the pages (uvicorn; several workers on request)."""

from __future__ import annotations

import argparse
import errno
import os
import socket
from typing import Any

from api.cli.common import fail, int_between, os_reason, positive_int, rules_dir


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from api.app import create_app
    from api.settings import load_settings

    settings = load_settings()  # a bad ARRANGEUR_* value stops here (exit 2), not in each worker
    rulebase = args.load(args)  # refuses to start on broken rules (exit 1)
    _database_answers(settings.database_url)  # exit 2 (api.cli.main), before "draait op"
    if (problem := _port_problem(args.host, args.port)) is not None:
        return fail(f"arrangeur serve: poort {args.port} op {args.host}: {problem}")
    shown = "localhost" if args.host in ("0.0.0.0", "::") else args.host
    print(
        f"Arrangeur draait op http://{shown}:{args.port}/  (API: /docs; stoppen: Ctrl+C)",
        flush=True,
    )
    common = {"host": args.host, "port": args.port, "log_level": "warning",
              "timeout_graceful_shutdown": 5}  # fmt: skip
    if args.workers > 1:  # each worker process loads the same, already validated, rules
        os.environ["ARRANGEUR_RULES"] = str(rulebase.root)
        uvicorn.run("api.app:app_from_environment", factory=True, workers=args.workers, **common)
        return 0
    # SIGTERM: requests get 5 s to finish, then the app's shutdown stops the running sweeps
    uvicorn.run(create_app(rulebase, rules_dir=rules_dir(args)), **common)
    return 0


def _database_answers(url: str | None) -> None:
    """Connect once: a URL of an unknown type or without its driver raises DatabaseUrlError, an
    unreachable server OperationalError (both a Dutch message and exit 2 in api.cli.main)."""
    from engine.storage.database import connect

    db = connect(url)
    try:
        with db.connect():
            pass
    finally:
        db.dispose()


def _port_problem(host: str, port: int) -> str | None:
    """Why the server could not listen there, in Dutch; None if it can (checked by binding)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return "al in gebruik (draait Arrangeur of iets anders er al?)"
            if exc.errno in (errno.EACCES, errno.EPERM):
                return "geen toestemming (poorten onder 1024 vragen beheerrechten)"
            return f"niet te gebruiken ({os_reason(exc)})"
    return None


def register(sub: Any) -> None:
    p = sub.add_parser("serve", help="start de HTTP API en de webpagina's")
    p.add_argument("--host", default="127.0.0.1", help="adres (standaard 127.0.0.1)")
    port = int_between(1, 65535)
    p.add_argument("--port", type=port, default=8000, help="poort (standaard 8000)")
    p.add_argument("--workers", type=positive_int, default=1, help="aantal serverprocessen")
    p.set_defaults(func=cmd_serve)
