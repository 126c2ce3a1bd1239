"""The catalogue of input facts, read off the placement model, and the placement as facts.

A fact is a dotted name (`candidate.uitkering`) with a typed value. Rules may read input facts,
`peildatum`, parameters (`param.<name>`) and derived facts declared in a rule set.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel

from engine.expressions.types import Type
from engine.model import Candidate, Employer, Job, Placement

FactType = Literal["bool", "number", "date", "enum", "text", "gemeente"]


@dataclass(frozen=True)
class FactSpec:
    name: str
    type: FactType
    label: str
    values: tuple[str, ...] = ()
    unit: str | None = None
    low: Decimal | None = None  # the range the placement's validation guarantees
    high: Decimal | None = None

    def as_type(self) -> Type:
        """The fact's type for the type checker (a gemeente is a CBS code: text)."""
        if self.type == "gemeente":
            return Type("text")
        if self.type == "number" and self.unit and self.unit.startswith("EUR"):
            return Type("money", self.unit, low=self.low, high=self.high)
        return Type(self.type, self.unit, self.values, self.low, self.high)


# Units of the numeric input fields: the type checker keeps money apart from other numbers.
_UNITS = {
    "uren_per_week": "uren per week",
    "normale_arbeidsduur": "uren per week",
    "contract_maanden": "maanden",
    "loonwaarde_pct": "procent",
    "brutoloon_per_maand": "EUR per maand",
}


def _bounds(info: Any) -> tuple[Decimal | None, Decimal | None]:
    low = high = None
    for m in info.metadata:
        for attr in ("ge", "gt"):
            if getattr(m, attr, None) is not None:
                low = Decimal(str(getattr(m, attr)))
        for attr in ("le", "lt"):
            if getattr(m, attr, None) is not None:
                high = Decimal(str(getattr(m, attr)))
    return low, high


def _spec(prefix: str, model: type[BaseModel]) -> list[FactSpec]:
    specs: list[FactSpec] = []
    hints = typing.get_type_hints(model)
    for field, info in model.model_fields.items():
        name = f"{prefix}.{field}"
        hint = hints[field]
        if typing.get_origin(hint) in (typing.Union, types.UnionType):
            base = next(a for a in typing.get_args(hint) if a is not type(None))
        else:
            base = hint
        values: tuple[str, ...] = ()
        kind: FactType
        if typing.get_origin(base) is Literal:
            kind, values = "enum", tuple(typing.get_args(base))
        elif base is bool:
            kind = "bool"
        elif base in (int, float):
            kind = "number"
        elif base is date:
            kind = "date"
        elif field in ("woongemeente", "vestigingsgemeente"):
            kind = "gemeente"
        else:
            kind = "text"
        low, high = _bounds(info) if kind == "number" else (None, None)
        label = info.description or field
        specs.append(FactSpec(name, kind, label, values, _UNITS.get(field), low, high))
    return specs


INPUT_FACTS: dict[str, FactSpec] = {
    spec.name: spec
    for spec in (
        *_spec("candidate", Candidate),
        *_spec("employer", Employer),
        *_spec("job", Job),
        FactSpec("peildatum", "date", "peildatum"),
    )
}


def placement_facts(placement: Placement, woon_code: str, vestiging_code: str) -> dict[str, Any]:
    """The known facts of a placement; absent optional fields stay absent (UNKNOWN)."""
    facts: dict[str, Any] = {"peildatum": placement.reference_date}
    for prefix, part in (
        ("candidate", placement.candidate),
        ("employer", placement.employer),
        ("job", placement.job),
    ):
        for field, value in part:
            if value is None:
                continue
            if isinstance(value, float | int) and not isinstance(value, bool):
                value = Decimal(str(value))
            facts[f"{prefix}.{field}"] = value
    facts["candidate.woongemeente"] = woon_code
    facts["employer.vestigingsgemeente"] = vestiging_code
    return facts


def to_network(value: Any) -> Any:
    """A fact value as the Rete network holds it: JSON numbers, dates as day numbers."""
    if isinstance(value, bool):
        return value
    if isinstance(value, date):
        return value.toordinal()
    if isinstance(value, Decimal | float):
        if value == int(value):
            return int(value)
        number = float(value)
        # durable_rules cannot read an exponent (1e-05): below 1e-4 the network holds the value
        # rounded to 4 decimals (0 or ±0.0001), like placement input (engine.model.DECIMALS).
        return round(number, 4) + 0.0 if abs(number) < 1e-4 else number
    return value
