"""`arrangeur serve`: the HTTP API and the pages (uvicorn; several workers on request)."""

from __future__ import annotations

import argparse
import os
from typing import Any

from api.cli.common import positive_int, rules_dir


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from api.app import create_app
    from api.settings import load_settings

    load_settings()  # a bad ARRANGEUR_* value stops here (exit 2), not in each worker
    rulebase = args.load(args)  # refuses to start on broken rules (exit 1)
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


def register(sub: Any) -> None:
    p = sub.add_parser("serve", help="start de HTTP API en de webpagina's")
    p.add_argument("--host", default="127.0.0.1", help="adres (standaard 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="poort (standaard 8000)")
    p.add_argument("--workers", type=positive_int, default=1, help="aantal serverprocessen")
    p.set_defaults(func=cmd_serve)
