"""Candidate/job profiles for outcome sweeps: a declared grid of boundaries plus generated ones.

A profile is a placement without its gemeenten, written relative to the peildatum (age, months
in uitkering, months until the doelgroepverklaring), so the same profiles can be run on two
peildata and in any gemeente. Generation is seeded: the same arguments give the same profiles,
wherever they run.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from datetime import date
from typing import Any, get_args

from engine.dates import add_months
from engine.errors import PlacementError
from engine.model import FIRST_DATE, Uitkering

UITKERINGEN: tuple[str, ...] = get_args(Uitkering)

# The boundaries the rules turn on: age 55/56 (LKV oudere werknemer), contract 5/6 months
# (proefplaatsing), register yes/no, loonwaarde known or not.
GRID_AGES = (25, 55, 56, 60)
OLDEST = 66  # the oldest generated profile, in years
GRID_CONTRACTS = (5, 6, 12)
GRID_REGISTER = (True, False)
GRID_LOONWAARDE = (None, 50)
GRID_SIZE = (
    len(UITKERINGEN)
    * len(GRID_AGES)
    * len(GRID_CONTRACTS)
    * len(GRID_REGISTER)
    * len(GRID_LOONWAARDE)
)


@dataclass(frozen=True)
class Profile:
    id: int
    uitkering: str
    leeftijd: int
    uitkering_maanden: int
    doelgroepregister: bool | None
    loonwaarde_pct: int | None
    eerder_in_dienst: bool | None
    arbeidsbeperking: bool | None
    doelgroepverklaring_na_maanden: int | None
    uren_per_week: int
    contract_maanden: int | None


def grid_profiles() -> list[Profile]:
    """The declared grid: every uitkering against the boundaries above."""
    out: list[Profile] = []
    for uitkering, age, contract, register, loonwaarde in itertools.product(
        UITKERINGEN, GRID_AGES, GRID_CONTRACTS, GRID_REGISTER, GRID_LOONWAARDE
    ):
        out.append(
            Profile(
                id=len(out),
                uitkering=uitkering,
                leeftijd=age,
                uitkering_maanden=0 if uitkering == "geen" else 12,
                doelgroepregister=register,
                loonwaarde_pct=loonwaarde,
                eerder_in_dienst=False,
                arbeidsbeperking=register,
                doelgroepverklaring_na_maanden=1,
                uren_per_week=32,
                contract_maanden=contract,
            )
        )
    return out


def generated_profiles(count: int, seed: int, first_id: int = 0) -> list[Profile]:
    rnd = random.Random(seed)

    def maybe(p_none: float, value: Any) -> Any:
        return None if rnd.random() < p_none else value

    out = []
    for i in range(count):
        uitkering = rnd.choice(UITKERINGEN)
        out.append(
            Profile(
                id=first_id + i,
                uitkering=uitkering,
                leeftijd=rnd.randint(18, OLDEST),
                uitkering_maanden=0 if uitkering == "geen" else rnd.randint(0, 60),
                doelgroepregister=maybe(0.1, rnd.random() < 0.4),
                loonwaarde_pct=maybe(0.15, rnd.randrange(10, 101, 5)),
                eerder_in_dienst=maybe(0.05, rnd.random() < 0.15),
                arbeidsbeperking=maybe(0.2, rnd.random() < 0.4),
                doelgroepverklaring_na_maanden=maybe(0.3, rnd.randint(0, 6)),
                uren_per_week=rnd.randrange(8, 41, 4),
                contract_maanden=maybe(0.05, rnd.randint(1, 24)),
            )
        )
    return out


def sweep_profiles(count: int, seed: int = 2026) -> list[Profile]:
    """The grid first, then generated profiles up to `count`; fewer than the grid gives an evenly
    spread part of the grid (every uitkering still appears)."""
    grid = grid_profiles()
    if count < len(grid):
        step = len(grid) / max(1, count)
        return [grid[int(i * step)] for i in range(max(0, count))]
    return grid + generated_profiles(count - len(grid), seed, first_id=len(grid))


def check_peildatum(peildatum: date) -> None:
    """Refuse a peildatum some profile cannot be placed on (the oldest would be born before the
    first date a placement may name), naming the first one that works, before any check."""
    earliest = add_months(FIRST_DATE, 12 * OLDEST + 3)
    if peildatum < earliest:
        raise PlacementError(
            "date",
            f"peildatum {peildatum.isoformat()} ligt te vroeg: de proefprofielen (tot {OLDEST} "
            f"jaar) passen vanaf {earliest.isoformat()}",
        )


def placement_for(profile: Profile, woon: str, vest: str, peildatum: date) -> dict[str, Any]:
    """The profile as a placement (the input format of `check`) starting on the peildatum."""
    p = profile
    candidate: dict[str, Any] = {
        "woongemeente": woon,
        # born `leeftijd` years and three months before the start: that is the age on the start
        "geboortedatum": add_months(peildatum, -12 * p.leeftijd - 3).isoformat(),
        "uitkering": p.uitkering,
    }
    if p.uitkering != "geen":
        candidate["uitkering_sinds"] = add_months(peildatum, -p.uitkering_maanden).isoformat()
    optional = {
        "doelgroepregister": p.doelgroepregister,
        "loonwaarde_pct": p.loonwaarde_pct,
        "eerder_in_dienst_bij_werkgever": p.eerder_in_dienst,
        "arbeidsbeperking": p.arbeidsbeperking,
    }
    candidate.update({k: v for k, v in optional.items() if v is not None})
    if p.doelgroepverklaring_na_maanden is not None:
        asked = add_months(peildatum, p.doelgroepverklaring_na_maanden)
        candidate["doelgroepverklaring_aangevraagd"] = asked.isoformat()
    job: dict[str, Any] = {"startdatum": peildatum.isoformat(), "uren_per_week": p.uren_per_week}
    if p.contract_maanden is not None:
        job["contract_maanden"] = p.contract_maanden
    return {
        "peildatum": peildatum.isoformat(),
        "candidate": candidate,
        "employer": {"vestigingsgemeente": vest},
        "job": job,
    }
