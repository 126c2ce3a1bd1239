"""Money of one month: the employer's wage cost and what each active instrument brings.

Rounding (so a test can be computed by hand): every monthly figure is rounded half-up to cents
once, from exact arithmetic (fractions); years and totals are sums of those cents.

- wage cost = brutoloon × (1 + vakantiebijslag %) × (1 + werkgeverslasten %); without a
  brutoloon: minimumloon per uur × uren per week × 52 / 12 (assumed, and marked);
- loonkostensubsidie: the check's monthly amount for that month, as it is;
- an hourly allowance (LKV, LIV: params per_uur_eur, max_per_jaar_eur): cumulative in the calendar
  year, month accrual = round(min(per_uur × hours so far this year, max)) − accrued so far, with
  hours = uren per week × days of the month / 7 (up to its `einddatum` in the month it ends) — so
  a full year equals the check's yearly amount;
- loondispensatie: the employer pays loonwaarde × wage; the reduction is shown, not subtracted
  again; UWV supplements the employee's income through the Wajong (not computed here).
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from engine.errors import PlacementError
from engine.format import eur, format_number
from engine.model import Entry, Placement

CENT = Decimal("0.01")


def cents(value: Fraction | Decimal) -> Decimal:
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def frac(value: float | Decimal | int | str) -> Fraction:
    """Exact value of an input or parameter (floats through their shortest text: 2400.1)."""
    return Fraction(Decimal(str(value)))


@dataclass(frozen=True)
class Wage:
    full: Decimal  # what the wage costs the employer without a wage reduction
    paid: Decimal  # what the employer pays (lower with loondispensatie)
    basis: str
    assumed: bool


def wage(
    placement: Placement, params: Mapping[str, Decimal], loonwaarde_only: bool, month: str
) -> Wage:
    job = placement.job
    vb = frac(params.get("param.vakantiebijslag_pct", 0))
    wgl = frac(params.get("param.werkgeverslasten_pct", 0))
    factor = (1 + vb / 100) * (1 + wgl / 100)
    if job.brutoloon_per_maand is not None:
        bruto = frac(job.brutoloon_per_maand)
        what = f"brutoloon {eur(job.brutoloon_per_maand)}"
        assumed = False
    else:
        wml = params.get("param.minimumloon_per_uur")
        if wml is None:
            raise PlacementError(
                "job.brutoloon_per_maand",
                f"nodig voor {month}: er is geen minimumloon per uur om het loon op te baseren",
            )
        bruto = frac(wml) * frac(job.uren_per_week) * 52 / 12
        what = (
            f"aangenomen brutoloon = minimumloon {eur(wml)} per uur × "
            f"{format_number(job.uren_per_week)} uur × 52 / 12 = {eur(cents(bruto))}"
        )
        assumed = True
    full = cents(bruto * factor)
    pct = (
        f"× (1 + {format_number(vb)} % vakantiebijslag) "
        f"× (1 + {format_number(wgl)} % werkgeverslasten)"
    )
    if not loonwaarde_only:
        return Wage(full, full, f"{what} {pct} = {eur(full)}", assumed)
    lw = frac(placement.candidate.loonwaarde_pct or 0)
    paid = cents(bruto * lw / 100 * factor)
    basis = (
        f"{what} × loonwaarde {format_number(lw)} % {pct} = {eur(paid)} "
        "(loondispensatie: de werkgever betaalt loon naar loonwaarde)"
    )
    return Wage(full, paid, basis, assumed)


def month_hours(placement: Placement, month: date, end: date | None = None) -> Fraction:
    """Hours of the month; an allowance that ends within it (its `einddatum`: the end of the
    term or the day before the AOW age) counts the days up to that day."""
    days = calendar.monthrange(month.year, month.month)[1]
    if end is not None and (end.year, end.month) == (month.year, month.month):
        days = end.day
    return frac(placement.job.uren_per_week) * days / 7


def einddatum(e: Entry) -> date | None:
    """The last day an allowance is paid as the rules set it (term, AOW age, the law's end)."""
    value = e.params.get("einddatum")
    try:
        return date.fromisoformat(str(value)) if value is not None else None
    except ValueError:  # a text such as "31-12-2024 (vervallen per 2025)"
        return None


@dataclass
class HourlyAccrual:
    """Hourly allowances accrued within a calendar year, per instrument, capped at the maximum."""

    hours: dict[tuple[str, int], Fraction] = field(default_factory=dict)
    paid: dict[tuple[str, int], Decimal] = field(default_factory=dict)

    def accrue(self, e: Entry, placement: Placement, month: date) -> tuple[Decimal, str]:
        per_uur = frac(e.params["per_uur_eur"])
        maximum = frac(e.params["max_per_jaar_eur"])
        key = (e.instrument, month.year)
        hours = month_hours(placement, month, einddatum(e))
        so_far = self.hours.get(key, Fraction(0)) + hours
        before = self.paid.get(key, Decimal(0))
        upto = cents(min(per_uur * so_far, maximum))
        amount = upto - before
        self.hours[key], self.paid[key] = so_far, upto
        basis = (
            f"{format_number(placement.job.uren_per_week)} uur × "
            f"{calendar.monthrange(month.year, month.month)[1]} dagen / 7 = "
            f"{format_number(cents(hours))} verloonde uren; cumulatief {month.year}: "
            f"{format_number(cents(so_far))} uur × {eur(per_uur)} "
            f"(ten hoogste {eur(maximum)} per jaar) = {eur(upto)}, "
            f"min. eerder dit jaar {eur(before)} = {eur(amount)}"
        )
        return amount, basis


def is_hourly(e: Entry) -> bool:
    return "per_uur_eur" in e.params and "max_per_jaar_eur" in e.params
