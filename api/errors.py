"""Typed errors mapped to HTTP answers, once for the whole app (register_error_handlers).

| error                                     | status | body                                   |
|-------------------------------------------|--------|----------------------------------------|
| pydantic (RequestValidationError)         | 422    | list, Dutch, naming the field          |
| engine.errors.NotFound (unknown region)   | 404    | list, loc [query, field]               |
| engine.errors.PlacementError              | 422    | list, loc [body, *field]               |
| InputProblem (a face's own check)         | 422/404| list, the loc it names                 |
| engine.errors.EvaluationError             | 500    | "fout in de regels: ..."               |
| engine.errors.RulesError (a reload)       | 422    | list, loc [rules, file, line]          |
| api.jobs.JobsFull                         | 503    | message, retry-after                   |
| engine.caseload.CaseloadError             | its own| list for 422, else a message           |
| engine.rulesets.store.RuleStoreError      | its own| 403/404/409 message; 422 list of the   |
|   (Forbidden, NotFound, Conflict, Invalid)|        | problems: loc [rules, file, line], rule|
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.jobs import JobsFull
from api.limits import dutch, error, shorten, unprocessable
from api.pages.templating import render
from engine.caseload import CaseloadError
from engine.errors import EvaluationError, NotFound, PlacementError, RulesError
from engine.model import PlacementErrors
from engine.rulesets.store import Invalid, RuleStoreError


class InputProblem(Exception):
    """A request the face itself refuses (a cap, a date out of range): loc and Dutch message."""

    def __init__(self, loc: list[str | int], message: str, status: int = 422):
        self.loc, self.message, self.status = loc, message, status
        super().__init__(message)


def placement_loc(exc: PlacementError, where: str = "body") -> list[str | int]:
    return [where, *exc.field.split(".")]


async def _placement(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PlacementError)
    if isinstance(exc, PlacementErrors):  # every problem of the input at once
        items = [
            error(["body", *field.split(".")], shorten(message, 300))
            for field, message in exc.problems
        ]
        return JSONResponse(status_code=422, content={"detail": items})
    return unprocessable(placement_loc(exc), shorten(exc.message, 300))


async def _not_found(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NotFound)
    return unprocessable(placement_loc(exc, "query"), shorten(exc.message, 300), 404)


async def _input(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, InputProblem)
    return unprocessable(exc.loc, exc.message, exc.status)


async def _evaluation(request: Request, exc: Exception) -> Response:
    # the rules contradict themselves for this placement: a fault of the rules, named
    return JSONResponse(status_code=500, content={"detail": f"fout in de regels: {exc}"})


async def _rules(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RulesError)
    items = [
        error(["rules", p.file, *([p.line] if p.line else [])], shorten(str(p), 500), "rules_error")
        for p in exc.problems[:200]
    ]
    return JSONResponse(status_code=422, content={"detail": items})


async def _busy(request: Request, exc: Exception) -> Response:
    return JSONResponse(
        status_code=503, content={"detail": str(exc)}, headers={"retry-after": "10"}
    )


async def _caseload(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, CaseloadError)
    if exc.status != 422:
        return JSONResponse(status_code=exc.status, content={"detail": exc.message})
    loc: list[str | int] = ["body", *(exc.field or "").split(".")] if exc.field else ["body"]
    return unprocessable(loc, exc.message)


async def _rule_store(request: Request, exc: Exception) -> Response:
    """The rule store's refusals; Invalid lists every problem with its file, line and rule id
    (the Dutch `msg` is the line `arrangeur validate` prints)."""
    assert isinstance(exc, RuleStoreError)
    if not isinstance(exc, Invalid):
        return JSONResponse(status_code=exc.status, content={"detail": exc.message})
    items = [
        error(["rules", p.file, *([p.line] if p.line else [])], shorten(str(p), 500), "rules_error")
        | {"file": p.file, "line": p.line, "rule": p.rule, "message": shorten(p.message, 500)}
        for p in exc.problems[:200]
    ]
    if not items:
        items = [error(["rules"], exc.message, "rules_error")]
    return JSONResponse(status_code=422, content={"detail": items})


# What a browser is told when the router itself refuses a page (the API keeps FastAPI's JSON)
_PAGE_ERRORS = {
    404: "Deze pagina bestaat niet. Controleer het adres, of begin opnieuw bij het formulier.",
    405: "Deze pagina is er niet voor deze handeling (bijvoorbeeld een link naar iets dat alleen "
    "met een knop kan, zoals uitloggen).",
}


async def _http(request: Request, exc: Exception) -> Response:
    """FastAPI's 400 for a body it cannot decode becomes a Dutch 422 like any bad input; a
    browser asking for a page that is not there (404, 405) gets a Dutch page, not JSON."""
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and exc.detail == "There was an error parsing the body":
        return unprocessable(["body"], "body: ongeldige JSON (of geen UTF-8)", 422)
    message = _PAGE_ERRORS.get(exc.status_code)
    if message and _wants_page(request) and exc.detail in ("Not Found", "Method Not Allowed"):
        page = HTMLResponse(render("error.html", message=message), status_code=exc.status_code)
        for name, value in (exc.headers or {}).items():  # e.g. Allow on a 405
            page.headers[name] = value
        return page
    return await http_exception_handler(request, exc)


def _wants_page(request: Request) -> bool:
    """A browser's request for a page: not the API, and HTML accepted."""
    path = request.url.path
    return not path.startswith("/v1/") and "text/html" in request.headers.get("accept", "")


async def _validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse(status_code=422, content={"detail": [dutch(e) for e in exc.errors()]})


HANDLERS: dict[type[Exception], Any] = {
    RequestValidationError: _validation,
    StarletteHTTPException: _http,
    NotFound: _not_found,  # before PlacementError: the most specific class answers
    PlacementError: _placement,
    InputProblem: _input,
    EvaluationError: _evaluation,
    RulesError: _rules,
    JobsFull: _busy,
    CaseloadError: _caseload,
    RuleStoreError: _rule_store,
}


def register_error_handlers(app: FastAPI) -> None:
    for kind, handler in HANDLERS.items():
        app.add_exception_handler(kind, handler)
