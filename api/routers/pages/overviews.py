"""Coverage and the landelijk overzicht as pages: /coverage (which regions and gemeenten have
rules of their own, on a date) and /landelijk (the placement of /arrangement, same query, with
candidate and employer in each gemeente in turn). The data is engine/analysis/; the views
(table, heatmap grid) are api/coverage_views.py and api/national_views.py."""

from __future__ import annotations

import asyncio
from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.national_views import national_context
from api.pages import placement_form as pf
from api.pages.deps import EngineDep
from api.pages.responses import form_page, page, parse_day, query_values
from engine.analysis.coverage import coverage, totals_line
from engine.analysis.national import national_overview
from engine.errors import PlacementError

router = APIRouter(include_in_schema=False)


@router.get("/coverage", response_class=HTMLResponse)
def coverage_page(request: Request, engine: EngineDep) -> HTMLResponse:
    text = request.query_params.get("datum", "")
    error = ""
    try:
        when = parse_day(text) if text else date.today()
    except ValueError:
        when, error = date.today(), "datum: geen geldige datum (dd-mm-jjjj); getoond: vandaag"
    result = coverage(engine.rulebase, when)
    return page(
        "coverage_page.html",
        422 if error else 200,
        nav="dekking",
        error=error,
        c=result,
        totals=totals_line(result),
    )


@router.get("/landelijk", response_class=HTMLResponse)
async def national_page(request: Request, engine: EngineDep) -> HTMLResponse:
    """The same placement in every gemeente (a few seconds of CPU: run in a thread)."""
    values = query_values(request)
    data, errors = pf.parse(values)
    if errors:
        return form_page(engine, values, errors, 422)
    try:
        result = await asyncio.to_thread(national_overview, engine, data)
    except PlacementError as exc:
        from api.pages.responses import field_error

        return form_page(engine, values, field_error(exc), 422)
    return page(
        "national.html",
        nav="dekking",
        query=pf.query(pf.flatten(data)),
        **national_context(result),
    )
