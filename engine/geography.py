"""Gemeenten (CBS codes, names, aliases) and the arbeidsmarktregio each belongs to, dated."""

from __future__ import annotations

import difflib
from datetime import date
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from engine.errors import PlacementError, Problem
from engine.yamlio import load


class Regio(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    naam: str
    code: str | None = None
    aantal_gemeenten: int | None = None


class Gemeente(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str
    naam: str
    regio: str
    aliases: list[str] = []
    valid_from: date | None = None
    valid_to: date | None = None  # last day before a merger

    def exists_on(self, when: date) -> bool:
        return (self.valid_from is None or self.valid_from <= when) and (
            self.valid_to is None or when <= self.valid_to
        )


class GeoSource(BaseModel):
    title: str
    url: str
    as_of: str | date | None = None
    also_used: list[dict] = []


class Geography(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source: GeoSource
    regios: list[Regio]
    gemeenten: list[Gemeente]

    def model_post_init(self, _: object) -> None:
        self._by_key: dict[str, list[Gemeente]] = {}
        for g in self.gemeenten:
            for key in (g.code, g.naam, *g.aliases):
                self._by_key.setdefault(_key(key), []).append(g)
        self._regios = {r.id: r for r in self.regios}

    def regio(self, regio_id: str) -> Regio | None:
        return self._regios.get(regio_id)

    def by_code(self, code: str) -> Gemeente | None:
        found = self._by_key.get(_key(code), [])
        return next((g for g in found if g.code == code), None)

    def resolve(self, text: str, when: date, field: str) -> Gemeente:
        """A gemeente by name, alias or CBS code as it existed on `when`."""
        found = self._by_key.get(_key(text), [])
        current = [g for g in found if g.exists_on(when)]
        if current:
            return current[0]
        if found:
            g = found[0]
            raise PlacementError(
                field,
                f"gemeente {g.naam} ({g.code}) bestond niet op {when.isoformat()} "
                f"(geldig {g.valid_from or '…'} t/m {g.valid_to or '…'})",
            )
        names = sorted({g.naam for g in self.gemeenten})
        close = difflib.get_close_matches(text, names, n=3)
        hint = f"; bedoelt u {' of '.join(close)}?" if close else ""
        raise PlacementError(field, f"onbekende gemeente {text!r}{hint}")


def _key(text: str) -> str:
    return " ".join(text.lower().replace("-", " ").split())


def load_geography(file: Path, problems: list[Problem]) -> Geography:
    empty = Geography(source=GeoSource(title="", url=""), regios=[], gemeenten=[])
    try:
        doc = load(file)
        geo = Geography.model_validate(doc.data)
    except FileNotFoundError:
        problems.append(Problem(str(file), None, None, "geography file not found"))
        return empty
    except yaml.YAMLError as exc:
        problems.append(Problem(str(file), None, None, f"YAML: {exc}"))
        return empty
    except ValidationError as exc:
        for err in exc.errors():
            path = tuple(err["loc"])
            problems.append(
                Problem(str(file), doc.line(path), ".".join(map(str, path)), err["msg"])
            )
        return empty
    regio_ids = {r.id for r in geo.regios}
    for i, g in enumerate(geo.gemeenten):
        if g.regio not in regio_ids:
            line = doc.line(("gemeenten", i))
            problems.append(Problem(str(file), line, g.code, f"unknown regio {g.regio!r}"))
    return geo
