"""A placement as flat form fields (`candidate.woongemeente=Delft`) and back.

The fields, their labels and types come from the placement model (engine.facts.INPUT_FACTS), so
the form asks exactly what `arrangeur check` reads. The same flat encoding is the query string of
the shareable result URL. Parsing collects every error per field, in Dutch; what the model or the
geography still refuses comes back from engine.check as a PlacementError naming its field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

import annotated_types
import yaml

from engine.arrange.wording import VALUE_LABELS
from engine.facts import INPUT_FACTS, FactSpec
from engine.labels import value_label
from engine.model import Candidate, Employer, Job, Placement

UITKERING_NL = {**VALUE_LABELS["candidate.uitkering"], "bijstand": "bijstand (Participatiewet)"}
GROUPS = (("candidate", "Kandidaat"), ("employer", "Werkgever"), ("job", "Baan"))
_MODELS = {"candidate": Candidate, "employer": Employer, "job": Job}
_HINTS = {
    "candidate.woongemeente": "naam, oude naam of CBS-code (GM0503)",
    "employer.vestigingsgemeente": "naam, oude naam of CBS-code",
    "candidate.loonwaarde_pct": "0 tot 100; leeg als nog niet vastgesteld",
    "peildatum": "de datum waarop de regels gelden",
    "job.normale_arbeidsduur": (
        "voltijd bij deze werkgever, bv. 38; begrenst de uren voor loonkostensubsidie (boven 36 uur nodig)"
    ),
}


@dataclass(frozen=True)
class Field:
    name: str  # dotted: candidate.woongemeente
    label: str
    type: str  # bool | number | date | enum | text | gemeente
    required: bool
    choices: tuple[tuple[str, str], ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    hint: str = ""
    default_false: bool = False  # a bool that is "nee" unless stated (not unknown)

    @property
    def id(self) -> str:
        return "f-" + self.name.replace(".", "-")


def _field(spec: FactSpec) -> Field:
    group, _, attr = spec.name.partition(".")
    info = _MODELS[group].model_fields[attr]
    lo = hi = None
    exclusive = False
    for m in info.metadata:
        if isinstance(m, annotated_types.Ge):
            lo = float(m.ge)
        elif isinstance(m, annotated_types.Gt):
            lo, exclusive = float(m.gt), True
        elif isinstance(m, annotated_types.Le):
            hi = float(m.le)
    choices: tuple[tuple[str, str], ...] = ()
    if spec.type == "enum":
        choices = tuple((v, UITKERING_NL.get(v) or value_label(v)) for v in spec.values)
    return Field(
        name=spec.name,
        label=spec.label,
        type=spec.type,
        required=info.is_required(),
        choices=choices,
        minimum=lo,
        maximum=hi,
        exclusive_minimum=exclusive,
        hint=_HINTS.get(spec.name, ""),
        default_false=spec.type == "bool" and info.default is False,
    )


PEILDATUM = Field("peildatum", "peildatum", "date", False, hint=_HINTS["peildatum"])
FIELDSETS: tuple[tuple[str, tuple[Field, ...]], ...] = tuple(
    (title, tuple(_field(s) for n, s in INPUT_FACTS.items() if n.startswith(group + ".")))
    for group, title in GROUPS
)
FIELDS: dict[str, Field] = {PEILDATUM.name: PEILDATUM} | {
    f.name: f for _, fs in FIELDSETS for f in fs
}

_DUTCH_DATE = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$")


def _parse_date(text: str) -> date:
    m = _DUTCH_DATE.match(text)
    if m:
        return date(int(m[3]), int(m[2]), int(m[1]))
    return date.fromisoformat(text)


def _number(text: str) -> float:
    clean = text.replace(" ", "").replace("€", "")
    if "," in clean:  # Dutch: 2.400,50
        clean = clean.replace(".", "").replace(",", ".")
    value = float(clean)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(text)
    return int(value) if value.is_integer() else value


def _convert(f: Field, text: str) -> Any:
    """One field's text as its typed value; raises ValueError with a Dutch message."""
    if f.type == "date":
        try:
            return _parse_date(text).isoformat()
        except ValueError:
            raise ValueError(f"{f.label}: geen geldige datum (dd-mm-jjjj)") from None
    if f.type == "number":
        try:
            value = _number(text)
        except ValueError:
            raise ValueError(f"{f.label}: geen getal") from None
        if f.minimum is not None and (
            value < f.minimum or (f.exclusive_minimum and value == f.minimum)
        ):
            word = "groter dan" if f.exclusive_minimum else "minstens"
            raise ValueError(f"{f.label}: moet {word} {_number_text(f.minimum)} zijn")
        if f.maximum is not None and value > f.maximum:
            raise ValueError(f"{f.label}: mag hoogstens {_number_text(f.maximum)} zijn")
        return value
    if f.type == "bool":
        if text in ("ja", "true", "1", "on"):
            return True
        if text in ("nee", "false", "0"):
            return False
        raise ValueError(f"{f.label}: kies ja, nee of onbekend")
    if f.type == "enum" and text not in dict(f.choices):
        raise ValueError(f"{f.label}: kies een waarde uit de lijst")
    return text


def _number_text(x: float) -> str:
    return str(int(x)) if x.is_integer() else str(x).replace(".", ",")


def parse(form: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Flat form values → (placement dict for engine.check, {field: Dutch error})."""
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, f in FIELDS.items():
        text = (form.get(name) or "").strip()
        if not text:
            if f.required:
                errors[name] = f"{f.label}: vul dit veld in"
            continue
        try:
            value = _convert(f, text)
        except ValueError as exc:
            errors[name] = str(exc)
            continue
        group, _, attr = name.rpartition(".")
        (data.setdefault(group, {}) if group else data)[attr] = value
    for group, _ in GROUPS:
        data.setdefault(group, {})
    return data, errors


def flatten(placement: Mapping[str, Any]) -> dict[str, str]:
    """A placement dict (as read from YAML/JSON) → flat form values, in form notation."""
    flat: dict[str, str] = {}
    for key, value in placement.items():
        if isinstance(value, Mapping):
            for attr, inner in value.items():
                flat[f"{key}.{attr}"] = _text(inner)
        else:
            flat[key] = _text(value)
    return flat


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def query(values: Mapping[str, str], **extra: str) -> str:
    """The query string of a placement: known fields in form order, empty ones left out."""
    pairs = [(n, values[n]) for n in FIELDS if values.get(n)]
    pairs += [(k, v) for k, v in extra.items() if v]
    return urlencode(pairs)


def placement_dict(values: Mapping[str, str]) -> dict[str, Any]:
    """The placement as the CLI reads it (for download); assumes `values` parsed cleanly."""
    data, _ = parse(values)
    ordered: dict[str, Any] = {}
    if "peildatum" in data:
        ordered["peildatum"] = data.pop("peildatum")
    ordered.update({g: data[g] for g, _ in GROUPS})
    return ordered


def load_file(text: str, filename: str) -> dict[str, Any]:
    """An uploaded placement file (YAML or JSON, as `arrangeur check` reads it), validated
    only as far as its shape; raises ValueError with a Dutch message naming the file."""
    try:
        data = json.loads(text) if filename.endswith(".json") else yaml.safe_load(text)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else getattr(exc, "lineno", None)
        where = f"{filename}:{line}" if line else filename
        raise ValueError(f"{where}: geen geldige YAML of JSON") from None
    if not isinstance(data, dict):
        raise ValueError(f"{filename}: verwacht een plaatsing met candidate, employer en job")
    if "placement" in data and isinstance(data["placement"], dict):  # a trajectory request
        data = data["placement"]
    data = {k: v for k, v in data.items() if k != "traject"}  # a trajectory file: its placement
    unknown = sorted(set(data) - {"peildatum", "candidate", "employer", "job"})
    if unknown:
        raise ValueError(f"{filename}: onbekend veld {unknown[0]!r}")
    for group, _ in GROUPS:
        part = data.get(group, {})
        if not isinstance(part, dict):
            raise ValueError(f"{filename}: {group} moet velden bevatten")
        extra = sorted(f"{group}.{k}" for k in part if f"{group}.{k}" not in FIELDS)
        if extra:
            raise ValueError(f"{filename}: onbekend veld {extra[0]!r}")
    return data


assert set(FIELDS) == set(INPUT_FACTS), "the form must ask every input fact of the placement"
_ = Placement  # the model the fields are read from
