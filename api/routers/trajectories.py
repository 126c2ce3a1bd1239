"""POST /v1/trajectories: month by month funding, as JSON, HTML or PDF."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from api.deps import EngineDep
from api.schemas import INVALID, RULES_FAULT, TOO_LARGE
from engine.trajectory import Trajectory, TrajectoryRequest, build_trajectory

router = APIRouter()


@router.post(
    "/v1/trajectories",
    response_model=Trajectory,
    responses={
        200: {"content": {"text/html": {}, "application/pdf": {}}},
        **TOO_LARGE,
        **INVALID,
        **RULES_FAULT,
    },
)
def post_trajectory(
    request: TrajectoryRequest,
    engine: EngineDep,
    format: str = Query("json", pattern="^(json|html|pdf)$"),  # noqa: A002
) -> Any:
    # ~36 checks: a plain (threadpool) endpoint, so it does not hold up the event loop
    trajectory = build_trajectory(request, engine)
    if format == "html":
        from api.pages.trajectory import render_html

        return HTMLResponse(render_html(trajectory))
    if format == "pdf":
        from api.pages.pdf import render_pdf

        return Response(render_pdf(trajectory), media_type="application/pdf")
    return trajectory
