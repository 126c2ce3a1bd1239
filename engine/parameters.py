"""Dated parameters (minimumloon, LKV amounts, werkgeverslasten %), read at the peildatum.

OpenFisca-style: each parameter lists the dates its value changed; the value on a date is
the last change on or before it. A `null` value ends the parameter (e.g. a repealed allowance).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from engine.errors import Problem
from engine.model import Provenance, Source
from engine.yamlio import load
from engine.yamlio import problem as yaml_problem


@dataclass(frozen=True)
class Parameter:
    name: str
    description: str
    unit: str
    provenance: Provenance
    source: Source
    dates: tuple[date, ...]
    values: tuple[Decimal | None, ...]

    def at(self, when: date) -> Decimal | None:
        i = bisect.bisect_right(self.dates, when)
        return self.values[i - 1] if i else None


class Parameters:
    def __init__(self, params: dict[str, Parameter]):
        self.params = params

    def __contains__(self, name: str) -> bool:
        return name in self.params

    def at(self, when: date) -> dict[str, Decimal]:
        """Every parameter that has a value on `when`, as `param.<name>` facts."""
        out: dict[str, Decimal] = {}
        for name, p in self.params.items():
            v = p.at(when)
            if v is not None:
                out[f"param.{name}"] = v
        return out


_REQUIRED = ("description", "unit", "provenance", "source", "values")


def _parse(name: str, spec: Any, doc: Any, problems: list[Problem]) -> Parameter | None:
    file = str(doc.file)
    line = doc.line((name,))
    if not isinstance(spec, dict):
        problems.append(Problem(file, line, name, "a parameter is a mapping"))
        return None
    missing = [k for k in _REQUIRED if k not in spec]
    if missing:
        problems.append(Problem(file, line, name, f"missing {', '.join(missing)}"))
        return None
    wrong = [k for k in ("description", "unit") if not isinstance(spec[k], str)]
    if wrong:
        problems.append(Problem(file, line, name, f"{', '.join(wrong)}: tekst verwacht"))
        return None
    if spec["provenance"] not in ("verified", "illustrative"):
        problems.append(Problem(file, line, name, "provenance is verified or illustrative"))
        return None
    try:
        source = Source(**spec["source"])
    except Exception as exc:  # pydantic names the field
        problems.append(Problem(file, doc.line((name, "source")), name, f"source: {exc}"))
        return None
    pairs: list[tuple[date, Decimal | None]] = []
    if not isinstance(spec["values"] or {}, dict):
        problems.append(
            Problem(
                file,
                doc.line((name, "values")),
                name,
                "values is een mapping van datums naar waarden",
            )
        )
        return None
    for key, value in (spec["values"] or {}).items():
        try:
            when = date.fromisoformat(str(key))
            amount = None if value is None else Decimal(str(value))
            if isinstance(value, bool) or (amount is not None and not amount.is_finite()):
                raise ValueError(value)
        except Exception:
            problems.append(
                Problem(file, doc.line((name, "values", key)), name, f"bad value {key}: {value}")
            )
            continue
        pairs.append((when, amount))
    if not pairs:
        problems.append(Problem(file, line, name, "no values"))
        return None
    pairs.sort()
    return Parameter(
        name,
        spec["description"],
        spec["unit"],
        spec["provenance"],
        source,
        tuple(p[0] for p in pairs),
        tuple(p[1] for p in pairs),
    )


def load_parameters(folder: Path, problems: list[Problem]) -> Parameters:
    params: dict[str, Parameter] = {}
    for file in sorted(folder.glob("*.yaml")):
        try:
            doc = load(file)
        except yaml.YAMLError as exc:
            problems.append(yaml_problem(file, exc))
            continue
        if not isinstance(doc.data, dict):
            problems.append(
                Problem(
                    str(file),
                    1,
                    None,
                    "een parameterbestand is een mapping van namen naar parameters",
                )
            )
            continue
        for name, spec in doc.data.items():
            if name in params:
                problems.append(Problem(str(file), doc.line((name,)), name, "defined twice"))
                continue
            parsed = _parse(name, spec, doc, problems)
            if parsed:
                params[name] = parsed
    return Parameters(params)
