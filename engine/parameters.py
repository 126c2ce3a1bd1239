"""Dated parameters (minimumloon, LKV amounts, werkgeverslasten %), read at the peildatum.

OpenFisca-style: each parameter lists the dates its value changed; the value on a date is
the last change on or before it. A `null` value ends the parameter (e.g. a repealed allowance).

Two optional keys:
- `known_until`: the last day for which a primary text gives the value. A check after that day
  still uses the last value, but says so (`stale_notices`): "minimumloon na 1-7-2026 nog niet
  bekend; gerekend met ...".
- `january_value: true`: also export `param.<name>_1_januari`, the value on 1 January of the
  peildatum's year (loonkostensubsidie is re-set with effect from 1 January only, Participatiewet
  art. 10d lid 7, not at each July change of the minimum wage).
- `previous_year: true`: also export `param.<name>_vorig_jaar`, the value on 31 December of the
  year before the peildatum (the AOW age is fixed per calendar year of reaching it, so whether
  it was reached before this year needs last year's age).
"""

from __future__ import annotations

import bisect
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from engine.errors import Problem
from engine.format import eur, format_number
from engine.model import Provenance, Source, parse_day
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
    known_until: date | None = None

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
PREVIOUS_YEAR_SUFFIX = "_vorig_jaar"
JANUARY_SUFFIX = "_1_januari"


def _january(p: Parameter) -> Parameter:
    """The value on 1 January of the year: a change on 1 January counts at once, a change later
    in year y from 1 January y+1 (a 1 January change of y+1 then wins)."""
    shifted: dict[date, Decimal | None] = {}
    for when, value in zip(p.dates, p.values, strict=True):
        start = when if (when.month, when.day) == (1, 1) else date(when.year + 1, 1, 1)
        if start in shifted and start != when:
            continue  # a mid-year change never overrides the 1 January value of the next year
        shifted[start] = value
    return Parameter(
        p.name + JANUARY_SUFFIX,
        f"{p.description} (op 1 januari van het kalenderjaar)",
        p.unit,
        p.provenance,
        p.source,
        tuple(sorted(shifted)),
        tuple(shifted[d] for d in sorted(shifted)),
        # the 1 January value of a year is known once 1 January of that year is
        None if p.known_until is None else date(p.known_until.year, 12, 31),
    )


def _previous_year(p: Parameter) -> Parameter:
    """The value on 31 December of the year before: a change on any day of year y counts from
    1 January y+1 (the last change within one year wins)."""
    shifted: dict[date, Decimal | None] = {}
    for when, value in zip(p.dates, p.values, strict=True):
        shifted[date(when.year + 1, 1, 1)] = value
    return Parameter(
        p.name + PREVIOUS_YEAR_SUFFIX,
        f"{p.description} (op 31 december van het vorige kalenderjaar)",
        p.unit,
        p.provenance,
        p.source,
        tuple(shifted),
        tuple(shifted.values()),
    )


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _fmt_date(d: date) -> str:
    return f"{d.day}-{d.month}-{d.year}"


def stale_notices(parameters: Parameters, peildatum: date, used: AbstractSet[str]) -> list[str]:
    """Dutch warnings for the used parameters: an illustrative figure (not read from a primary
    text), and a peildatum past the last known value."""
    out: list[str] = []
    illustrative = sorted(
        {
            _lower_first(p.description)
            for n in used
            if (p := parameters.params.get(n)) is not None
            and p.provenance == "illustrative"
            and p.at(peildatum) is not None
        }
    )
    if illustrative:
        out.append(
            "Let op: deze bedragen zijn niet uit een gelezen brontekst overgenomen (illustratief, "
            f"uit secundaire bronnen): {'; '.join(illustrative)}."
        )
    for name in sorted(used):
        p = parameters.params.get(name)
        if p is None or p.known_until is None or peildatum <= p.known_until:
            continue
        value = p.at(peildatum)
        shown = "geen waarde" if value is None else _with_unit(value, p.unit)
        first_unknown = _fmt_date(p.known_until + timedelta(days=1))
        out.append(
            f"Let op: {_lower_first(p.description)} vanaf {first_unknown} nog niet bekend uit een "
            f"gelezen tekst; gerekend met de laatst bekende waarde ({shown})."
        )
    return out


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
            when = parse_day(str(key))  # JJJJ-MM-DD within 1900..2100, not 2025-W14-2
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
    known_until: date | None = None
    if spec.get("known_until") is not None:
        try:
            known_until = parse_day(str(spec["known_until"]))
        except ValueError:
            where = doc.line((name, "known_until"))
            problems.append(Problem(file, where, name, "known_until is a date (YYYY-MM-DD)"))
    return Parameter(
        name,
        spec["description"],
        spec["unit"],
        spec["provenance"],
        source,
        tuple(p[0] for p in pairs),
        tuple(p[1] for p in pairs),
        known_until,
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
                if spec.get("january_value") is True:
                    jan = _january(parsed)
                    params[jan.name] = jan
                if spec.get("previous_year") is True:
                    prev = _previous_year(parsed)
                    params[prev.name] = prev
    return Parameters(params)


def _with_unit(value: Any, unit: str) -> str:
    """A parameter's value as people read it: "€ 2.337 per maand", "1,35 per uur"."""
    if unit.startswith("EUR"):
        return f"{eur(value)} {unit[3:].strip()}".strip()
    number = isinstance(value, int | float | Decimal)
    shown = format_number(Decimal(str(value))) if number else value
    return f"{shown} {unit}".strip()
