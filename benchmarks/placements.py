"""Sample placements for the benchmarks: varied, reproducible, on existing gemeenten.

A leaf of `benchmarks/`: every measurement imports it, it imports none of them.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from engine.arrangement import Engine
from engine.facts import INPUT_FACTS

FIRST_START = date(2025, 1, 1)
START_DAYS = 540  # job.startdatum (the peildatum) varies over these days


def placement_dates() -> tuple[date, date]:
    """The first and the last peildatum sample placements have."""
    return FIRST_START, FIRST_START + timedelta(days=START_DAYS - 1)


def existing_gemeenten(rb: Any, first: date, last: date) -> list[str]:
    """Codes of the gemeenten that exist from `first` to `last`: no merged or future ones."""
    return [g.code for g in rb.geography.gemeenten if g.exists_on(first) and g.exists_on(last)]


def sample_placements(engine: Engine, n: int, seed: int = 7) -> list[dict[str, Any]]:
    """Varied placements over the gemeenten that have rule sets (and a few that have none), all
    existing on every peildatum drawn."""
    rng = random.Random(seed)
    rb = engine.rulebase
    existing = existing_gemeenten(rb, *placement_dates())
    authorities = {rs.authority for rs in rb.rulesets}
    with_rules = sorted(code for code in existing if f"gemeente:{code}" in authorities)
    others = [code for code in existing if code not in with_rules][:5]
    codes = (with_rules or others) * 4 + others
    uitkeringen = INPUT_FACTS["candidate.uitkering"].values
    out = []
    for _ in range(n):
        start = FIRST_START + timedelta(days=rng.randrange(0, START_DAYS))
        out.append(
            {
                "candidate": {
                    "woongemeente": rng.choice(codes),
                    "geboortedatum": (
                        start - timedelta(days=rng.randrange(18 * 365, 66 * 365))
                    ).isoformat(),
                    "uitkering": rng.choice(uitkeringen),
                    "uitkering_sinds": (start - timedelta(days=rng.randrange(0, 2000))).isoformat(),
                    "doelgroepregister": rng.random() < 0.4,
                    "loonwaarde_pct": rng.choice([None, 30, 50, 70, 90, 100]),
                    "eerder_in_dienst_bij_werkgever": rng.random() < 0.1,
                },
                "employer": {"vestigingsgemeente": rng.choice(codes)},
                "job": {
                    "startdatum": start.isoformat(),
                    "uren_per_week": rng.choice([12, 20, 24, 32, 36, 40]),
                    "contract_maanden": rng.choice([3, 5, 6, 12, 24]),
                    "brutoloon_per_maand": rng.choice([None, 2100, 2400, 3000]),
                },
            }
        )
    for p in out:
        p["candidate"] = {k: v for k, v in p["candidate"].items() if v is not None}
        p["job"] = {k: v for k, v in p["job"].items() if v is not None}
    return out
