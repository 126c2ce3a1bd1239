"""The caseload over HTTP: /v1/caseload/... A face only; the caseload is engine.caseload.

The database is opened on the first caseload request (ARRANGEUR_DATABASE_URL, else the default
SQLite file), so an app that never serves the caseload never creates one.
"""

from __future__ import annotations

import threading
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

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


def caseload_router(
    engine: Any = None, database_url: str | None = None, store: SharedCaseload | None = None
) -> APIRouter:
    """Routes over one caseload: `store`, else one opened on `database_url` and checked with
    `engine` (the app's Engine)."""
    router = APIRouter(prefix="/v1/caseload", tags=["caseload"])
    store = store or SharedCaseload(engine, database_url)

    def error(exc: CaseloadError) -> JSONResponse:
        loc = ["body", *(exc.field or "").split(".")] if exc.field else ["body"]
        if exc.status == 422:
            detail: Any = [{"loc": loc, "msg": exc.message, "type": "value_error"}]
        else:
            detail = exc.message
        return JSONResponse(status_code=exc.status, content={"detail": detail})

    @router.post("/placements", status_code=201, responses={409: _MSG, 413: _MSG})
    def add(body: NewPlacement) -> Any:
        try:
            return store().add(body.placement.model_dump(mode="json"), body.ref).as_dict()
        except CaseloadError as exc:
            return error(exc)

    @router.get("/placements")
    def list_placements() -> list[dict[str, Any]]:
        return [
            {
                "ref": s.ref,
                "peildatum": s.peildatum.isoformat(),
                "eligible": [i for i, e in s.answer["instruments"].items()
                             if e["status"] == "eligible"],
                "deadlines": len(s.deadlines),
            }
            for s in store().list()
        ]  # fmt: skip

    @router.get("/placements/{ref}", responses={404: _MSG})
    def show(ref: str) -> Any:
        """Everything stored about one placement (its export)."""
        try:
            return store().get(ref).as_dict()
        except CaseloadError as exc:
            return error(exc)

    @router.delete("/placements/{ref}", status_code=204, response_model=None, responses={404: _MSG})
    def remove(ref: str) -> Response:
        try:
            store().remove(ref)
        except CaseloadError as exc:
            return error(exc)
        return Response(status_code=204)

    @router.post("/recheck", responses={500: _MSG})
    def recheck(
        date_: Annotated[str | None, Query(alias="date", description="peildatum", **_DAY)] = None,
        dry_run: bool = False,
    ) -> Any:
        try:
            when = date.fromisoformat(date_) if date_ else None
        except ValueError:
            return error(CaseloadError("date: geen geldige datum (JJJJ-MM-DD)", "date"))
        try:
            return store().recheck(when, dry_run=dry_run).as_dict()
        except CaseloadError as exc:
            return error(exc)

    @router.get(
        "/deadlines",
        responses={200: {"content": {"text/csv": {}, "text/calendar": {}}}, 404: _MSG},
    )
    def deadlines(
        within: Annotated[
            int | None, Query(ge=0, le=36_500, description="alleen de komende dagen")
        ] = None,
        today: Annotated[str | None, Query(description="vanaf deze datum", **_DAY)] = None,
        ref: str | None = None,
        format: Literal["json", "csv", "ics"] = "json",  # noqa: A002
    ) -> Any:
        try:
            start = date.fromisoformat(today) if today else None
        except ValueError:
            return error(CaseloadError("today: geen geldige datum (JJJJ-MM-DD)", "today"))
        try:
            rows = store().deadlines(within, start, ref)
        except CaseloadError as exc:
            return error(exc)
        if format == "csv":
            return Response(to_csv(rows), media_type="text/csv; charset=utf-8")
        if format == "ics":
            return Response(to_ics(rows), media_type="text/calendar; charset=utf-8")
        return rows

    return router
