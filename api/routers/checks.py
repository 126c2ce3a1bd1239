"""POST /v1/checks and GET /v1/instruments.

POST /v1/checks is the API's hot path: a check costs under a millisecond of CPU, and FastAPI's
routing, dependency solving and body handling around it about 130 µs more (issue 26,
docs/performance.md). `FastChecks` answers a well-formed check below all that; the
route below stays for everything else (and for the OpenAPI document).
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, FastAPI, Response
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from api.deps import EngineDep
from api.limits import replaying
from api.schemas import INVALID, RULES_FAULT, TOO_LARGE
from api.security.guard import authorize_route
from engine.arrangement import Engine
from engine.model import Arrangement, Placement

router = APIRouter()
CHECKS = "/v1/checks"
JSON = "application/json"


def answer_json(engine: Engine, placement: Placement) -> bytes:
    """The check's answer as the API sends it: serialised once, straight from the model
    (returned as a model, FastAPI would validate it again against response_model first)."""
    answer = engine.check(placement)
    return answer.__pydantic_serializer__.to_json(answer)


@router.post(CHECKS, response_model=Arrangement, responses={**TOO_LARGE, **INVALID, **RULES_FAULT})
async def post_check(placement: Placement, engine: EngineDep) -> Any:
    # A check is about a millisecond of CPU: running it on the event loop is cheaper than a
    # thread hop, and the GIL would serialise the threads anyway. PlacementError (422) and
    # EvaluationError (500) are answered by api/errors.py. Most checks are answered by
    # FastChecks before they get here, in the same way.
    return Response(answer_json(engine, placement), media_type=JSON)


@router.get("/v1/instruments")
async def get_instruments(engine: EngineDep) -> dict[str, Any]:
    catalogue = engine.rulebase.catalogue
    return {
        "instruments": [{"id": k, **v.model_dump()} for k, v in catalogue.instruments.items()],
        "relations": [r.model_dump() for r in catalogue.relations],
    }


Handler = Callable[[Request, Exception], Any]


class FastChecks:
    """ASGI middleware, the innermost of the app's own: inside the rule sync, the body limit,
    the security middleware (headers, session, audit) and the trusted hosts, which all still
    run. It answers POST /v1/checks with a JSON body that is a valid placement as `post_check`
    does, in the same order (the guard `authorize_route`, then the check; their errors go to
    the app's own exception handlers), without FastAPI's routing and dependency solving.

    Any other request, and a check whose body is not plain JSON or not a valid placement, goes
    on to FastAPI unchanged (with its body): its 422 answers stay FastAPI's own, naming the
    field as before, and its guard runs first there as it always did."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or _route_path(scope) != CHECKS
            or not _json_body(scope)
        ):
            await self.app(scope, receive, send)
            return
        read = await _read_body(receive)
        if read is None:  # the client went away
            return
        body, replay = read
        placement = _placement(body)
        if placement is None:
            await self.app(scope, replay, send)
            return
        request = Request(scope, replay)
        try:
            await authorize_route(request, CHECKS)
            content = answer_json(scope["app"].state.rules.now().engine, placement)
        except Exception as exc:  # noqa: BLE001 - answered by the app's handler, else raised
            handler = _handler(scope["app"], exc)
            if handler is None:
                raise
            response = await _call(handler, request, exc)
            await response(scope, replay, send)
            return
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-length", str(len(content)).encode()),
            (b"content-type", JSON.encode()),
        ]})  # fmt: skip
        await send({"type": "http.response.body", "body": content})


def _route_path(scope: Scope) -> str:
    """The path the routes see: without the root path a proxy mounts the app under."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def _json_body(scope: Scope) -> bool:
    """The content type names plain JSON (anything else is FastAPI's to judge)."""
    for name, value in scope["headers"]:
        if name == b"content-type":
            return value.split(b";", 1)[0].strip().lower() == JSON.encode()
    return False


async def _read_body(receive: Receive) -> tuple[bytes, Receive] | None:
    """The whole body (the body limit outside has bounded it) and a receive that gives it
    again, to FastAPI or a handler."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    return body, replaying(body, receive)


def _placement(body: bytes) -> Placement | None:
    """The body as FastAPI reads it (json.loads, then the model in Python mode), or None for
    any problem: FastAPI then finds it again and answers it in its own words."""
    try:
        return Placement.model_validate(json.loads(body))
    except Exception:  # noqa: BLE001 - every problem is FastAPI's to answer
        return None


def _handler(app: FastAPI, exc: Exception) -> Handler | None:
    """The app's handler for `exc`, looked up as Starlette's ExceptionMiddleware does."""
    for kind in type(exc).__mro__:
        if kind in app.exception_handlers:
            handler: Handler = app.exception_handlers[kind]
            return handler
    return None


async def _call(handler: Handler, request: Request, exc: Exception) -> Response:
    if inspect.iscoroutinefunction(handler):
        response: Response = await handler(request, exc)
    else:
        response = await run_in_threadpool(handler, request, exc)
    return response
