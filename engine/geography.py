"""Gemeenten (CBS codes, names, aliases) and the arbeidsmarktregio each belongs to, dated."""

from __future__ import annotations

import difflib
from datetime import date, timedelta
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from engine.errors import PlacementError, Problem
from engine.model import Werkgeversservicepunt
from engine.yamlio import load
from engine.yamlio import problem as yaml_problem


class Regio(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    naam: str
    code: str | None = None
    aantal_gemeenten: int | None = None
    werkgeversservicepunt: Werkgeversservicepunt | None = None
    # searched and nothing found: where and when (so coverage can say so)
    werkgeversservicepunt_gezocht: str | None = None


class Gemeente(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str
    naam: str
    regio: str
    aliases: list[str] = []
    valid_from: date | None = None  # first day of a gemeente formed by a merger
    valid_to: date | None = None  # last day before a merger
    successor: str | None = None  # CBS code of the gemeente it merged into
    split_over: list[str] = []  # CBS codes of the gemeenten its territory was divided over
    sources: list[str] = []  # what the dates, code and regio were read from

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
            raise PlacementError(field, self._not_on(found[0], when))
        names = sorted({g.naam for g in self.gemeenten})
        # names that begin with what was typed first ("Bergen": (L.), (NH.), op Zoom), then
        # the nearest spellings
        typed = _key(text)
        starts = [n for n in names if typed and _key(n).startswith(typed)]
        close = [
            *starts,
            *(n for n in difflib.get_close_matches(text, names, n=3) if n not in starts),
        ][:3]
        hint = f"; bedoelt u {' of '.join(close)}?" if close else ""
        raise PlacementError(field, f"onbekende gemeente {text!r}{hint}")

    def predecessors(self, code: str) -> list[Gemeente]:
        return [g for g in self.gemeenten if g.successor == code or code in g.split_over]

    def _not_on(self, g: Gemeente, when: date) -> str:
        """Why a gemeente cannot be used on `when`, naming what to use instead (Dutch)."""
        name = f"gemeente {g.naam} ({g.code})"
        if g.valid_to is not None and when > g.valid_to:
            text = f"{name} bestaat sinds {_nl_date(g.valid_to + timedelta(days=1))} niet meer"
            successor = self.by_code(g.successor) if g.successor else None
            heirs = [h for h in map(self.by_code, g.split_over) if h is not None]
            if successor is not None:
                text += (
                    f": opgegaan in {successor.naam} ({successor.code}); "
                    f"gebruik {successor.naam} voor een peildatum vanaf die dag"
                )
            elif heirs:
                names = [f"{h.naam} ({h.code})" for h in heirs]
                text += (
                    f": verdeeld over {', '.join(names[:-1])} en {names[-1]}; "
                    "gebruik de gemeente waar het adres nu onder valt"
                )
            return text
        text = f"{name} bestond op {_nl_date(when)} nog niet"
        if g.valid_from is not None:
            text += f" (ontstaan op {_nl_date(g.valid_from)}"
            before = self.predecessors(g.code)
            if before:
                text += " uit " + ", ".join(f"{p.naam} ({p.code})" for p in before)
            text += "); gebruik de gemeente van vóór die datum"
        return text


def _nl_date(d: date) -> str:
    return d.strftime("%d-%m-%Y")


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
        problems.append(yaml_problem(file, exc))
        return empty
    except ValidationError as exc:
        for err in exc.errors():
            path = tuple(err["loc"])
            problems.append(
                Problem(str(file), doc.line(path), ".".join(map(str, path)), err["msg"])
            )
        return empty
    _check(geo, doc, str(file), problems)
    return geo


def _check(geo: Geography, doc, file: str, problems: list[Problem]) -> None:
    """The rules a dated registry must keep: known regions, one code each, mergers that close."""
    regio_ids = {r.id for r in geo.regios}
    codes: dict[str, int] = {}
    by_code = {g.code: g for g in geo.gemeenten}
    for i, g in enumerate(geo.gemeenten):
        line = doc.line(("gemeenten", i))

        def problem(message: str, g: Gemeente = g, line: int | None = line) -> None:
            problems.append(Problem(file, line, g.code, message))

        if g.regio not in regio_ids:
            problem(f"unknown regio {g.regio!r}")
        if g.code in codes:
            problem(f"code {g.code} listed twice (also entry {codes[g.code] + 1})")
        codes.setdefault(g.code, i)
        if g.valid_from and g.valid_to and g.valid_from > g.valid_to:
            problem(f"valid_from {g.valid_from} is after valid_to {g.valid_to}")
        if g.successor is not None and g.split_over:
            problem("successor and split_over both given: merged whole or divided?")
        heirs = [g.successor] if g.successor is not None else g.split_over
        if not heirs:
            continue
        if g.valid_to is None:
            problem(f"successor {', '.join(heirs)} without valid_to: when did it merge?")
            continue
        for code in heirs:
            heir = by_code.get(code)
            if heir is None:
                problem(f"unknown successor {code!r}")
            elif not heir.exists_on(g.valid_to + timedelta(days=1)):
                problem(
                    f"successor {heir.naam} ({heir.code}) does not exist on "
                    f"{g.valid_to + timedelta(days=1)}, the day after valid_to"
                )
    # A name or alias may point at two gemeenten only if they never existed at the same time.
    for key, found in geo._by_key.items():
        for a, b in zip(found, found[1:], strict=False):
            if _overlap(a, b):
                line = doc.line(("gemeenten", geo.gemeenten.index(b)))
                problems.append(
                    Problem(file, line, b.code, f"name {key!r} also used by {a.code} at that time")
                )


def _overlap(a: Gemeente, b: Gemeente) -> bool:
    start = max(a.valid_from or date.min, b.valid_from or date.min)
    end = min(a.valid_to or date.max, b.valid_to or date.max)
    return a.code != b.code and start <= end
