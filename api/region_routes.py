"""HTTP faces of the region tools: coverage and the landelijk overzicht (logic in
engine/analysis/)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse
from pydantic import ValidationError

from engine.analysis.coverage import Coverage, coverage
from engine.analysis.national import NationalOverview, national_overview
from engine.arrangement import Engine
from engine.errors import PlacementError
from engine.model import Placement


def region_router(current: Callable[[], Engine]) -> APIRouter:
    """`current` gives the engine of the rule base in use (it may be swapped while serving)."""
    router = APIRouter()

    @router.get(
        "/v1/coverage",
        response_model=Coverage,
        responses={200: {"content": {"text/html": {}}}},
    )
    def get_coverage(
        date_: Annotated[
            str | None,
            Query(alias="date", pattern=r"^\d{4}-\d{2}-\d{2}$", description="peildatum JJJJ-MM-DD"),
        ] = None,
        format: Literal["json", "html"] = "json",  # noqa: A002
    ) -> Any:
        """Per arbeidsmarktregio and gemeente: which rule sets exist, verified or illustrative,
        valid from when, with which sources; and the totals."""
        from api.app import FIRST_DAY, LAST_DAY  # the peildata the rules can answer

        try:
            when = date.fromisoformat(date_) if date_ else date.today()
        except ValueError:
            when = None
        if when is None or not FIRST_DAY <= when <= LAST_DAY:
            msg = f"geen geldige peildatum tussen {FIRST_DAY} en {LAST_DAY}"
            return JSONResponse(
                status_code=422,
                content={"detail": [{"loc": ["query", "date"], "msg": msg, "type": "value_error"}]},
            )
        result = coverage(current().rulebase, when)
        if format == "html":
            from api.coverage_views import to_html

            return HTMLResponse(to_html(result))
        return result

    @router.post(
        "/v1/national",
        response_model=NationalOverview,
        responses={200: {"content": {"text/html": {}, "text/csv": {}}}},
    )
    async def post_national(
        request: Request,
        placement: Placement,
        format: Literal["json", "html", "csv"] = "json",  # noqa: A002
    ) -> Any:
        """The same placement with candidate and employer in each gemeente in turn."""
        from api.national_views import overview_csv, overview_html

        try:
            # strict, as the schema says: no 0 for false, no number for a date
            Placement.model_validate_json(await request.body(), strict=True)
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = ["body", *map(str, first["loc"])]
            return JSONResponse(
                status_code=422,
                content={"detail": [{"loc": loc, "msg": first["msg"], "type": "value_error"}]},
            )
        try:
            data = placement.model_dump(mode="json", exclude_none=True)
            result = national_overview(current(), data)
        except PlacementError as exc:
            loc = ["body", *exc.field.split(".")]
            return JSONResponse(
                status_code=422,
                content={"detail": [{"loc": loc, "msg": exc.message, "type": "value_error"}]},
            )
        if format == "html":
            return HTMLResponse(overview_html(result))
        if format == "csv":
            return PlainTextResponse(overview_csv(result), media_type="text/csv")
        return result

    return router
