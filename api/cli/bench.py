"""`arrangeur bench`: check latency and throughput (the one command that runs benchmarks/)."""

from __future__ import annotations

import argparse
from typing import Any

from api.cli.common import rules_dir


def cmd_bench(args: argparse.Namespace) -> int:
    from benchmarks.check_latency import main as bench_main

    return bench_main(rules_dir(args), quick=args.quick, fmt=args.format)


def register(sub: Any) -> None:
    p = sub.add_parser("bench", help="meet checksnelheid (latency p50/p99, checks per seconde)")
    p.add_argument("--quick", action="store_true", help="korte meting")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_bench)
