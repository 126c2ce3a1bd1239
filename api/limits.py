"""Bounds on what a request may cost: body size, sizes of sweeps and trajectories, and 422
answers in Dutch that name the field without echoing what was sent."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from engine.model import OWN_TEXT
from engine.model import dutch as model_dutch

if TYPE_CHECKING:
    from api.settings import Settings


@dataclass(frozen=True)
class Limits:
    """What one server accepts; each is a setting (api/settings.py, docs/cli-and-api.md)."""

    max_body_bytes: int = 1024 * 1024
    # a synchronous sweep answers within seconds; more profiles go through the job endpoint
    max_sync_profiles: int = 2_000
    max_job_profiles: int = 20_000
    max_running_jobs: int = 1
    max_queued_jobs: int = 3
    abandon_after_s: float = 60.0  # a job nobody asked about for this long is cancelled
    job_workers: int = 1  # processes per running sweep (1: the job's own process)

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            max_body_bytes=settings.max_body_bytes,
            max_sync_profiles=settings.max_sync_profiles,
            max_job_profiles=settings.max_job_profiles,
            max_running_jobs=settings.max_running_jobs,
            max_queued_jobs=settings.max_queued_jobs,
            abandon_after_s=settings.job_abandon_s,
            job_workers=settings.job_workers,
        )


MAX_GEMEENTEN = 100  # a selection of gemeenten to compare; the largest region has ~20
MAX_ECHO = 80  # characters of a sent value shown back in an error


def error(loc: list[str | int], msg: str, type_: str = "value_error") -> dict[str, Any]:
    """One item of a 422 `detail`, in the shape FastAPI documents (loc, msg, type)."""
    return {"loc": loc, "msg": msg, "type": type_}


def unprocessable(loc: list[str | int], msg: str, status: int = 422) -> JSONResponse:
    return JSONResponse(status_code=status, content={"detail": [error(loc, msg)]})


def shorten(value: Any, limit: int = MAX_ECHO) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} tekens)"


class BodyLimit:
    """ASGI middleware: a body over `limit` bytes gets 413 before the app reads any of it.

    The body is read here (at most `limit` bytes are held) and handed on to the app."""

    def __init__(self, app: ASGIApp, limit: int):
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or ()).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._too_large(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            size += len(message.get("body", b""))
            if size > self.limit:
                await self._too_large(scope, receive, send)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        await self.app(scope, replaying(b"".join(chunks), receive), send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        kb = self.limit // 1024
        response = JSONResponse(
            status_code=413,
            content={"detail": f"het verzoek is te groot: ten hoogste {kb} kB"},
            headers={"connection": "close"},
        )
        await response(scope, receive, send)


def dutch(err: dict[str, Any]) -> dict[str, Any]:
    """One pydantic error as a 422 item naming its field, in engine.model's Dutch; the sent
    value is not echoed (a 50 MB field stays on the server side), at most a short piece of it."""
    loc = [p if isinstance(p, int) else shorten(str(p)) for p in err.get("loc", ())]
    field = ".".join(str(p) for p in loc[1:]) or (str(loc[0]) if loc else "verzoek")
    kind = err.get("type", "value_error")
    ctx = {k: shorten(v) for k, v in (err.get("ctx") or {}).items()}
    text = model_dutch({**err, "type": kind, "ctx": ctx})
    if kind in OWN_TEXT:  # engine.model's own checks: Dutch, sent values cut to 40
        text = shorten(text, 300 if kind == "placement" else MAX_ECHO)
    return error(loc, f"{field}: {text}", kind)


def replaying(body: bytes, receive: Receive) -> Receive:
    """A receive that gives a body already read once more, then the client's next messages."""
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
