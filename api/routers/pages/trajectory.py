"""The trajectory: /traject (month by month) and /traject.pdf (the employer's one-pager), both
from the placement's query string plus the trajectory's own fields."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.pages import placement_form as pf
from api.pages.deps import EngineDep
from api.pages.responses import field_error, form_page, page, query_values
from api.pages.trajectory import figures
from api.render import render
from engine.arrangement import Engine
from engine.errors import PlacementError
from engine.geography import Geography
from engine.trajectory import TrajectoryRequest, build_trajectory
from engine.trajectory.model import Trajectory

router = APIRouter(include_in_schema=False)

# the trajectory's own fields in the query string, next to the placement's
TRAJECT = ("traject.maanden", "traject.proefplaatsing", "traject.contact")
DEFAULT_MONTHS = 36


def trajectory_request(
    values: dict[str, str], geography: Geography | None = None
) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """The request for build_trajectory from the form values, or the errors per field (every
    one at once when the geography is given to look the gemeenten up)."""
    data, errors = pf.parse(values)
    if geography is not None:
        errors |= pf.problems(data, errors, geography)
    if errors:
        return None, errors
    data.pop("peildatum", None)  # a trajectory checks every month on its first day
    request: dict[str, Any] = {"placement": data}
    try:
        request["maanden"] = int(values.get("traject.maanden") or DEFAULT_MONTHS)
    except ValueError:
        return None, {"traject.maanden": "maanden: geen geheel getal"}
    trial = values.get("traject.proefplaatsing", "")
    if trial in ("ja", "nee"):
        request["proefplaatsing"] = trial == "ja"
    contact = values.get("traject.contact", "").strip()
    if contact:
        request["contactpersoon"] = {"naam": contact}
    return request, {}


def trajectory_of(
    engine: Engine, values: dict[str, str]
) -> tuple[Trajectory | None, dict[str, str]]:
    request, errors = trajectory_request(values, engine.rulebase.geography)
    if request is None:
        return None, errors
    try:
        return build_trajectory(TrajectoryRequest.model_validate(request), engine), {}
    except PlacementError as exc:
        return None, field_error(exc)
    except ValueError:  # pydantic: the horizon is the only field left to refuse
        return None, {"traject.maanden": "maanden: een geheel getal van 1 tot en met 120"}


@router.get("/traject", response_class=HTMLResponse)
def trajectory(request: Request, engine: EngineDep) -> HTMLResponse:
    values = query_values(request)
    t, errors = trajectory_of(engine, values)
    if t is None:
        return form_page(engine, values, errors, 422, context="traject")
    keep = {k: values[k] for k in TRAJECT if values.get(k)}
    q = pf.query(values)
    return page(
        "trajectory.html",
        t=t,
        web=True,
        back="/arrangement?" + q,
        pdf="/traject.pdf?" + q + ("&" + urlencode(keep) if keep else ""),
        **figures(t),
    )


@router.get("/traject.pdf")
def trajectory_pdf(request: Request, engine: EngineDep) -> Response:
    values = query_values(request)
    t, errors = trajectory_of(engine, values)
    if t is None:
        return form_page(engine, values, errors, 422, context="traject")
    body, media = render(t, "pdf")
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": 'inline; filename="aanbod-werkgever.pdf"'},
    )
