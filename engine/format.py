"""Dutch notation for numbers, money and dates: one place for every face and explanation."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from typing import Any

CENT = Decimal("0.01")


def round_half_up(x: Decimal, digits: Decimal | int = 2) -> Decimal:
    if not x.is_finite():
        raise ValueError(f"geen eindig getal: {x}")
    with localcontext() as ctx:  # 28 digits would refuse 1234567890123456789012345678.1
        ctx.prec = max(ctx.prec, x.adjusted() + int(digits) + 2)
        return x.quantize(Decimal(1).scaleb(-int(digits)), rounding=ROUND_HALF_UP)


def format_number(value: Any) -> str:
    """Dutch notation: 1.234,56; whole numbers without decimals; dates as 31-12-2025."""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, int | float | Decimal):
        d = Decimal(str(value))
        if not d.is_finite():
            return str(value)
        if d == d.to_integral_value():
            return f"{int(d):,}".replace(",", ".")
        text = f"{round_half_up(d, 2):,.2f}"
        return text.replace(",", "_").replace(".", ",").replace("_", ".")
    if isinstance(value, date):
        return value.strftime("%d-%m-%Y")
    return str(value)


def eur(value: Decimal | float | int | Fraction) -> str:
    """Money in Dutch notation: € 1.234,50; whole euros without cents (€ 1.200)."""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return f"€ {format_number(Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP))}"
