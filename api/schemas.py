"""Shapes the HTTP API documents: error bodies, job status, reload result, sweep parameters,
and the `responses=` entries the routers share."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.limits import MAX_GEMEENTEN
from engine.model import Datum

FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2100, 12, 31)  # peildata the rules can answer


class ErrorItem(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class Problems(BaseModel):
    detail: list[ErrorItem]


class Message(BaseModel):
    detail: str


class JobStatus(BaseModel):
    """A background job as `GET /v1/jobs/{id}` answers it."""

    id: str
    state: Literal["queued", "running", "done", "failed", "cancelled"]
    progress: float = Field(ge=0, le=1)
    done: int = Field(description="checks gedaan")
    total: int = Field(description="checks in totaal (0 zolang onbekend)")
    status_url: str
    result_url: str
    error: str | None = Field(description="waarom de taak mislukte of geannuleerd is")
    rules_hash: str = Field(description="inhoudshash van de regels waarmee gerekend wordt")


class ReloadResult(BaseModel):
    changed: bool
    rules_hash: str
    previous_hash: str
    rulesets: list[dict[str, str]]


class SweepParameters(BaseModel):
    """The parameters of a harmonisation job (all optional, as in the synchronous endpoint)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    date_: Datum | None = Field(None, alias="date", description="peildatum (standaard: vandaag)")
    compare_date: Datum | None = None
    compare_region: str | None = Field(None, max_length=100)
    profiles: int | None = Field(None, ge=1)
    seed: int | None = Field(None, ge=0, le=2**31 - 1)
    gemeenten: list[str] | None = Field(None, max_length=MAX_GEMEENTEN)
    employer: str | None = Field(None, max_length=100, description="vestigingsgemeente")

    @field_validator("date_", "compare_date")
    @classmethod
    def _plausible(cls, value: date | None) -> date | None:
        if value is not None and not FIRST_DAY <= value <= LAST_DAY:
            raise ValueError(f"moet tussen {FIRST_DAY} en {LAST_DAY} liggen")
        return value


Responses = dict[int | str, dict[str, Any]]
NOT_FOUND: Responses = {404: {"model": Message, "description": "niet gevonden"}}
TOO_LARGE: Responses = {413: {"model": Message, "description": "verzoek te groot"}}
INVALID: Responses = {
    422: {"model": Problems, "description": "ongeldige invoer (welk veld, in het Nederlands)"}
}
BUSY: Responses = {
    503: {"model": Message, "description": "te veel berekeningen tegelijk; later opnieuw"}
}
RULES_FAULT: Responses = {
    500: {"model": Message, "description": "de regels spreken zichzelf tegen"}
}
UNKNOWN_REGION: Responses = {404: {"model": Problems, "description": "onbekende regio"}}
