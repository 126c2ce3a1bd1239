"""HTTP faces of the region tools: coverage and the landelijk overzicht (logic in
engine/analysis/)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse

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
        date_: Annotated[date | None, Query(alias="date", description="peildatum")] = None,
        format: Literal["json", "html"] = "json",  # noqa: A002
    ) -> Any:
        """Per arbeidsmarktregio and gemeente: which rule sets exist, verified or illustrative,
        valid from when, with which sources; and the totals."""
        result = coverage(current().rulebase, date_ or date.today())
        if format == "html":
            from api.coverage_views import to_html

            return HTMLResponse(to_html(result))
        return result

    @router.post(
        "/v1/national",
        response_model=NationalOverview,
        responses={200: {"content": {"text/html": {}, "text/csv": {}}}},
    )
    def post_national(
        placement: Placement,
        format: Literal["json", "html", "csv"] = "json",  # noqa: A002
    ) -> Any:
        """The same placement with candidate and employer in each gemeente in turn."""
        from api.national_views import overview_csv, overview_html

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
