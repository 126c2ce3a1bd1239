"""The caseload over HTTP: /v1/caseload/... A face only; the caseload is engine.caseload.

The database is opened on the first caseload request (ARRANGEUR_DATABASE_URL, else the default
SQLite file), so an app that never serves the caseload never creates one. CaseloadError is
answered by api/errors.py (422 naming the field, 404 for an unknown reference)."""

from __future__ import annotations

import threading
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from api.deps import CaseloadDep
from api.security.guard import current_principal
from engine.caseload import Caseload, CaseloadError, to_csv, to_ics
from engine.caseload.store import LOCAL
from engine.model import Placement


class NewPlacement(BaseModel):
    ref: str = Field(description="eigen kenmerk: letters, cijfers, . _ -; geen naam of BSN")
    placement: Placement


class SharedCaseload:
    """One caseload per app, opened on first use: the API and the web pages share it."""

    def __init__(self, engine: Any, database_url: str | None = None):
        self._engine = engine
        self._url = database_url
        self._opened: Caseload | None = None
        self._lock = threading.Lock()

    def __call__(self) -> Caseload:
        with self._lock:
            if self._opened is None:
                self._opened = Caseload(self._engine, self._url)
        # scoped to the organisation of the user asking; without one (no login in this app,
        # e.g. a router used on its own) the local organisation, as the CLI
        principal = current_principal()
        return self._opened.for_organisation(principal.organisation if principal else LOCAL)


_MSG = {"description": "foutmelding in het Nederlands", "content": {"application/json": {}}}
_DAY = {"pattern": r"^(19|20)[0-9]{2}-[0-9]{2}-[0-9]{2}$"}  # a date 1900-2099, ISO

router = APIRouter(prefix="/v1/caseload", tags=["caseload"])


def _day(text: str | None, name: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise CaseloadError(f"{name}: geen geldige datum (JJJJ-MM-DD)", name) from None


@router.post("/placements", status_code=201, responses={409: _MSG, 413: _MSG})
def add(body: NewPlacement, store: CaseloadDep) -> Any:
    return store.add(body.placement.model_dump(mode="json"), body.ref).as_dict()


@router.get("/placements")
def list_placements(store: CaseloadDep) -> list[dict[str, Any]]:
    return [
        {
            "ref": s.ref,
            "peildatum": s.peildatum.isoformat(),
            "eligible": [i for i, e in s.answer["instruments"].items()
                         if e["status"] == "eligible"],
            "deadlines": len(s.deadlines),
        }
        for s in store.list()
    ]  # fmt: skip


@router.get("/placements/{ref}", responses={404: _MSG})
def show(ref: str, store: CaseloadDep) -> Any:
    """Everything stored about one placement (its export)."""
    return store.get(ref).as_dict()


@router.delete("/placements/{ref}", status_code=204, response_model=None, responses={404: _MSG})
def remove(ref: str, store: CaseloadDep) -> Response:
    store.remove(ref)
    return Response(status_code=204)


@router.post("/recheck", responses={500: _MSG})
def recheck(
    store: CaseloadDep,
    date_: Annotated[str | None, Query(alias="date", description="peildatum", **_DAY)] = None,
    dry_run: bool = False,
) -> Any:
    return store.recheck(_day(date_, "date"), dry_run=dry_run).as_dict()


@router.get(
    "/deadlines",
    responses={200: {"content": {"text/csv": {}, "text/calendar": {}}}, 404: _MSG},
)
def deadlines(
    store: CaseloadDep,
    within: Annotated[
        int | None, Query(ge=0, le=36_500, description="alleen de komende dagen")
    ] = None,
    today: Annotated[str | None, Query(description="vanaf deze datum", **_DAY)] = None,
    ref: str | None = None,
    format: Literal["json", "csv", "ics"] = "json",  # noqa: A002
) -> Any:
    rows = store.deadlines(within, _day(today, "today"), ref)
    if format == "csv":
        return Response(to_csv(rows), media_type="text/csv; charset=utf-8")
    if format == "ics":
        return Response(to_ics(rows), media_type="text/calendar; charset=utf-8")
    return rows
