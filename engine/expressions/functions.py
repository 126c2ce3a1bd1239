"""The functions a rule may call: arity and implementation (`known` and `date` are syntax)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine import dates
from engine.format import round_half_up

# name -> (allowed arities, implementation). `known` and `date` are handled by the parser.
FUNCTIONS: dict[str, tuple[tuple[int, ...], Callable[..., Any] | None]] = {
    "date": ((1,), None),
    "known": ((1,), None),
    "years_between": ((2,), dates.years_between),
    "months_between": ((2,), dates.months_between),
    "add_months": ((2,), dates.add_months),
    "add_days": ((2,), dates.add_days),
    "days_between": ((2,), dates.days_between),
    "year_start": ((1,), dates.year_start),
    "year_end": ((1,), dates.year_end),
    "min": ((2, 3, 4), min),
    "max": ((2, 3, 4), max),
    "round": ((1, 2), round_half_up),
}
