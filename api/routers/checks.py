"""POST /v1/checks and GET /v1/instruments."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from api.deps import EngineDep
from api.schemas import INVALID, RULES_FAULT, TOO_LARGE
from engine.model import Arrangement, Placement

router = APIRouter()


@router.post(
    "/v1/checks", response_model=Arrangement, responses={**TOO_LARGE, **INVALID, **RULES_FAULT}
)
async def post_check(placement: Placement, engine: EngineDep) -> Any:
    # A check is about a millisecond of CPU: running it on the event loop is cheaper than a
    # thread hop, and the GIL would serialise the threads anyway. PlacementError (422) and
    # EvaluationError (500) are answered by api/errors.py. The placement was validated once by
    # FastAPI (engine.check takes the model as it is); the answer is serialised once, here:
    # returned as a model, FastAPI would validate it again against response_model first.
    return Response(engine.check(placement).model_dump_json(), media_type="application/json")


@router.get("/v1/instruments")
async def get_instruments(engine: EngineDep) -> dict[str, Any]:
    catalogue = engine.rulebase.catalogue
    return {
        "instruments": [{"id": k, **v.model_dump()} for k, v in catalogue.instruments.items()],
        "relations": [r.model_dump() for r in catalogue.relations],
    }
