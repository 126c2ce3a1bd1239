"""The instrument catalogue: canonical ids shared by all authorities, and their relations."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from engine.errors import Problem
from engine.model import ConflictType, Source
from engine.yamlio import load
from engine.yamlio import problem as yaml_problem


class Instrument(BaseModel):
    model_config = ConfigDict(extra="forbid")
    naam: str
    omschrijving: str
    funder: str = "gemeente"


class Relation(BaseModel):
    """Instruments that may not be combined for one placement, and how the choice is made.

    `choose: highest_amount` keeps the eligible one with the highest first-year amount;
    `choose: regie` keeps the one offered by the authority that has the regie.
    """

    model_config = ConfigDict(extra="forbid")
    id: str
    type: Literal["exclusive"]
    instruments: list[str]
    choose: Literal["highest_amount", "regie"]
    conflict: ConflictType
    explanation: str
    source: Source


class Catalogue(BaseModel):
    model_config = ConfigDict(extra="forbid")
    instruments: dict[str, Instrument]
    relations: list[Relation] = []

    @cached_property
    def order(self) -> dict[str, int]:
        """Each instrument's place in the catalogue: the order of an answer's entries."""
        return {name: i for i, name in enumerate(self.instruments)}


def load_catalogue(file: Path, problems: list[Problem]) -> Catalogue:
    try:
        doc = load(file)
        catalogue = Catalogue.model_validate(doc.data)
    except FileNotFoundError:
        problems.append(Problem(str(file), None, None, "instrument catalogue not found"))
        return Catalogue(instruments={})
    except yaml.YAMLError as exc:
        problems.append(yaml_problem(file, exc))
        return Catalogue(instruments={})
    except ValidationError as exc:
        for err in exc.errors():
            path = tuple(err["loc"])
            problems.append(
                Problem(str(file), doc.line(path), ".".join(map(str, path)), err["msg"])
            )
        return Catalogue(instruments={})
    for rel in catalogue.relations:
        for inst in rel.instruments:
            if inst not in catalogue.instruments:
                line = doc.line(("relations",))
                problems.append(Problem(str(file), line, rel.id, f"unknown instrument {inst!r}"))
    return catalogue
