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

from engine.model import Candidate, Employer, Job, Placement

FactType = Literal["bool", "number", "date", "enum", "text", "gemeente"]


@dataclass(frozen=True)
class FactSpec:
    name: str
    type: FactType
    label: str
    values: tuple[str, ...] = ()


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
        specs.append(FactSpec(name, kind, info.description or field, values))
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
