"""rules/dekking.yaml: regions and gemeenten whose rules were looked for and not found.

An empty rule set would count as coverage and say nothing; an entry here says where the rule
authors looked, when, and what they found instead, so `coverage` can report "niets gevonden"
honestly. The file is optional (a rules folder without it has no such entries).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import jsonschema
from pydantic import BaseModel

from engine.errors import Problem
from engine.rulesets import schema_messages
from engine.yamlio import load_or_report

FILE_NAME = "dekking.yaml"
SCHEMA_FILE = Path(__file__).with_name("dekking.schema.json")


class Search(BaseModel):
    what: str
    where: str
    date: date


class NoteSource(BaseModel):
    title: str
    url: str
    read: str | None = None


class CoverageNote(BaseModel):
    """One authority with nothing publishable found: status is always niets_gevonden."""

    authority: str
    status: str
    searched: list[Search]
    found: str
    contact: str | None = None
    sources: list[NoteSource] = []
    line: int | None = None


def load_dekking(file: Path, problems: list[Problem]) -> tuple[CoverageNote, ...]:
    """The entries of `file`, or () with problems naming file and line; absent file: ()."""
    if not file.exists():
        return ()
    name = str(file)
    doc = load_or_report(file, problems)
    if doc is None:
        return ()
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(doc.data), key=lambda e: list(e.absolute_path))
    for err in errors:
        path = tuple(err.absolute_path)
        message = f"{schema_messages.where(err)}: {schema_messages.dutch(err)}"
        problems.append(Problem(name, doc.line(path), _authority(doc.data, path), message))
    if errors:
        return ()
    notes: list[CoverageNote] = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(doc.data["entries"]):
        line = doc.line(("entries", i))
        authority = entry["authority"]
        if authority in seen:
            problems.append(
                Problem(name, line, authority, f"staat al in {FILE_NAME} (regel {seen[authority]})")
            )
            continue
        seen[authority] = line or 0
        try:
            searched = [Search.model_validate(s) for s in entry["searched"]]
        except ValueError:
            problems.append(Problem(name, line, authority, "searched/date: geen bestaande datum"))
            continue
        notes.append(
            CoverageNote(
                authority=authority,
                status=entry["status"],
                searched=searched,
                found=entry["found"],
                contact=entry.get("contact"),
                sources=[NoteSource.model_validate(s) for s in entry.get("sources", [])],
                line=line,
            )
        )
    return tuple(notes)


def _authority(data: object, path: tuple) -> str | None:
    if len(path) >= 2 and path[0] == "entries" and isinstance(data, dict):
        entries = data.get("entries")
        if isinstance(entries, list) and isinstance(path[1], int) and path[1] < len(entries):
            entry = entries[path[1]]
            if isinstance(entry, dict) and isinstance(entry.get("authority"), str):
                return entry["authority"]
    return None
