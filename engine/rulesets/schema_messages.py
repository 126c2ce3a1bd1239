"""A JSON Schema error in Dutch, naming where in the file it is: rule-set authors (regions and
gemeenten drafting in the rule store) read these on Dutch pages and in `arrangeur validate`."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import jsonschema

_TYPES = {
    "string": "tekst",
    "number": "getal",
    "integer": "geheel getal",
    "boolean": "true of false",
    "object": "mapping (sleutel: waarde)",
    "array": "lijst",
    "null": "leeg",
}


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


def _type_name(wanted: Any) -> str:
    names = wanted if isinstance(wanted, list) else [wanted]
    return " of ".join(_TYPES.get(str(n), str(n)) for n in names)


def _quoted(message: str) -> list[str]:
    """The names jsonschema quotes in its message ('a', 'b' were unexpected)."""
    return re.findall(r"'([^']*)'", message)


Wording = Callable[[Any, Any], str]  # (what the schema wants, what the file has) -> Dutch

# Checks whose message needs only the schema's value and the file's value
_SIMPLE: dict[str, Wording] = {
    "enum": lambda want, got: (
        f"{_shown(got)} is geen toegestane waarde (kies uit: {', '.join(map(_shown, want))})"
    ),
    "const": lambda want, got: f"moet {_shown(want)} zijn, niet {_shown(got)}",
    "type": lambda want, got: f"{_shown(got)} is geen {_type_name(want)}",
    "pattern": lambda want, got: f"{_shown(got)} heeft niet de vereiste vorm (patroon {want})",
    "propertyNames": lambda want, got: f"{_shown(got)}: een naam heeft niet de vereiste vorm",
    "format": lambda want, got: f"{_shown(got)} is geen geldige {want}",
    "minimum": lambda want, got: f"{_shown(got)} moet ten minste {want} zijn",
    "exclusiveMinimum": lambda want, got: f"{_shown(got)} moet groter dan {want} zijn",
    "maximum": lambda want, got: f"{_shown(got)} moet ten hoogste {want} zijn",
    "exclusiveMaximum": lambda want, got: f"{_shown(got)} moet kleiner dan {want} zijn",
    "minLength": lambda want, got: f"{_shown(got)} is te kort (ten minste {want} tekens)",
    "maxLength": lambda want, got: f"{_shown(got)} is te lang (ten hoogste {want} tekens)",
    "minItems": lambda want, got: f"de lijst heeft te weinig elementen (ten minste {want})",
    "maxItems": lambda want, got: f"de lijst heeft te veel elementen (ten hoogste {want})",
    "uniqueItems": lambda want, got: "de lijst bevat een element twee keer",
    "minProperties": lambda want, got: f"ten minste {want} veld(en) nodig",
    "not": lambda want, got: f"{_shown(got)} is hier niet toegestaan",
}


def dutch(err: jsonschema.ValidationError) -> str:
    """What is wrong, in Dutch; jsonschema's own message for a check not worded here."""
    kind, wanted, found = str(err.validator), err.validator_value, err.instance
    if kind == "required" and isinstance(wanted, list):
        missing = [k for k in wanted if isinstance(found, dict) and k not in found]
        return f"verplicht veld ontbreekt: {', '.join(missing) or _shown(wanted)}"
    if kind == "additionalProperties":
        extra = _quoted(err.message)
        return f"onbekend veld: {', '.join(extra)}" if extra else "onbekende velden"
    if kind in ("oneOf", "anyOf"):
        if err.context:  # the alternative that came nearest says what is wrong
            return dutch(min(err.context, key=lambda e: len(list(e.absolute_path))))
        return f"{_shown(found)} past bij geen van de toegestane vormen"
    wording = _SIMPLE.get(kind)
    return wording(wanted, found) if wording else err.message


def where(err: jsonschema.ValidationError) -> str:
    """The place in the file, as a path of keys and list positions."""
    return "/".join(map(str, err.absolute_path)) or "(bovenaan)"
