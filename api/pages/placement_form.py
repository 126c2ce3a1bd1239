"""A placement as flat form fields (`candidate.woongemeente=Delft`) and back.

The fields, their labels and types come from the placement model (engine.facts.INPUT_FACTS), so
the form asks exactly what `arrangeur check` reads. The same flat encoding is the query string of
the shareable result URL. Parsing collects every error per field, in Dutch; what the model or the
geography still refuses comes back from engine.check as a PlacementError naming its field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

import annotated_types

from engine.arrange.wording import VALUE_LABELS
from engine.errors import PlacementError
from engine.facts import INPUT_FACTS, FactSpec
from engine.geography import Geography
from engine.labels import value_label
from engine.model import Candidate, Employer, Job, Placement, PlacementErrors, validate_input
from engine.yamlio import RuleFileError, load_placement

UITKERING_NL = {**VALUE_LABELS["candidate.uitkering"], "bijstand": "bijstand (Participatiewet)"}
GROUPS = (("candidate", "Kandidaat"), ("employer", "Werkgever"), ("job", "Baan"))
_MODELS = {"candidate": Candidate, "employer": Employer, "job": Job}
_HINTS = {
    "candidate.woongemeente": "naam, oude naam of CBS-code (GM0503)",
    "employer.vestigingsgemeente": "naam, oude naam of CBS-code",
    "candidate.loonwaarde_pct": "0 tot 100; leeg als nog niet vastgesteld",
    "peildatum": "de datum waarop de regels gelden; leeg: de startdatum van de baan",
    "job.normale_arbeidsduur": (
        "voltijd bij deze werkgever, bv. 38; begrenst de uren voor loonkostensubsidie"
        " (nodig boven 36 uur)"
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
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):  # not 20250401 or 2025-W14-2
        raise ValueError(text)
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


_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
GEMEENTEN = ("candidate.woongemeente", "employer.vestigingsgemeente")


def form_dates(message: str) -> str:
    """A message of the model (ISO dates, as the CLI and API read them) in the form's dd-mm-jjjj."""
    return _ISO_DATE.sub(r"\3-\2-\1", message)


def labelled(field: str, message: str) -> dict[str, str]:
    """One problem as the form shows it: under its field with the field's label, else on top."""
    field = field.removeprefix("placement.")
    if field in FIELDS:
        return {field: f"{FIELDS[field].label}: {form_dates(message)}"}
    return {"": f"{field}: {form_dates(message)}"}


def problems(
    data: Mapping[str, Any], errors: Mapping[str, str], geography: Geography
) -> dict[str, str]:
    """Every problem the form's own parse did not find, in one pass: the model's checks (field
    bounds, and dates that contradict each other once every field is valid) and the gemeente
    lookups, each under its field; a field that already has an error keeps it."""
    found: dict[str, str] = {}
    try:
        validate_input(Placement, _stand_ins(data, errors), "(placement)")
    except PlacementErrors as exc:
        for field, message in exc.problems:
            found.update(labelled(field, message))
    except PlacementError as exc:
        found.update(labelled(exc.field, exc.message))
    when = _reference_day(data)
    for name in GEMEENTEN:
        group, _, attr = name.partition(".")
        text = data.get(group, {}).get(attr)
        if not isinstance(text, str) or name in errors:
            continue
        try:
            geography.resolve(text, when, name)
        except PlacementError as exc:
            found.update(labelled(exc.field, exc.message))
    return {k: v for k, v in found.items() if k not in errors}


def _stand_ins(data: Mapping[str, Any], errors: Mapping[str, str]) -> dict[str, Any]:
    """The placement with a valid stand-in for each required field the form already refused
    (not a date: the checks across dates must not read one), so the model still runs its
    checks across fields (a birth date after the start) in the same pass."""
    filled = {k: dict(v) if isinstance(v, Mapping) else v for k, v in data.items()}
    for name in errors:
        f = FIELDS.get(name)
        if f is None or not f.required or f.type == "date":
            continue
        group, _, attr = name.partition(".")
        if f.type == "number":
            value: Any = f.maximum if f.maximum is not None else 1
        elif f.type == "enum":
            value = f.choices[0][0]
        elif f.type == "bool":
            value = False
        else:
            value = "stand-in"
        filled.setdefault(group, {})[attr] = value
    return filled


def _reference_day(data: Mapping[str, Any]) -> date:
    """The day the gemeenten must exist on: the model's peildatum default, else today."""
    for text in (data.get("peildatum"), data.get("job", {}).get("startdatum")):
        try:
            return date.fromisoformat(text)
        except (TypeError, ValueError):
            continue
    return date.today()


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
        data = load_placement(text, filename)  # no aliases; the limits of rule files
    except RuleFileError as exc:
        raise ValueError(str(exc)) from None
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
