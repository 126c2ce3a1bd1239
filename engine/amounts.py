"""Money: amount formulas evaluated from parameters and facts, with the steps kept."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from engine.expressions import UNKNOWN, evaluate, format_number, names, render
from engine.model import Amount
from engine.rulesets.loader import AmountSpec

CENT = Decimal("0.01")


def period_of(spec: AmountSpec, peildatum: date) -> str:
    return f"{peildatum:%Y-%m}" if spec.period == "month" else f"{peildatum:%Y}"


def compute(
    spec: AmountSpec,
    env: Mapping[str, Any],
    peildatum: date,
    formulas: Mapping[str, Any],
    explain: bool = True,
) -> Amount | None:
    """The amount for the period that holds the peildatum, or None if a fact is missing; its
    basis (the formula with the values filled in) only when `explain`."""
    value = evaluate(spec.eur, env)
    if value is UNKNOWN:
        return None
    eur = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    if eur < 0:
        eur = Decimal(0)
    if not explain:
        return Amount(period=period_of(spec, peildatum), eur=float(eur), basis="")
    steps = render(spec.eur, env, expand=formulas)
    basis = f"{spec.basis}: {steps} = € {format_number(eur)}"
    return Amount(period=period_of(spec, peildatum), eur=float(eur), basis=basis)


def missing_names(spec: AmountSpec, env: Mapping[str, Any]) -> set[str]:
    return {n for n in names(spec.eur) if n not in env}


def yearly_value(amounts: list[Amount]) -> float:
    """A comparable yearly figure: year amounts as they are, month amounts times twelve."""
    return sum(a.eur if len(a.period) == 4 else a.eur * 12 for a in amounts)
