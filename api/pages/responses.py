"""What several pages share: an HTML response from a template, the query string as form
values, and the placement form (shown again, with its errors, wherever an answer fails)."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from api.pages import placement_form as pf
from api.pages.templating import render
from engine.arrangement import Engine
from engine.errors import PlacementError
from engine.geography import Geography


def page(template: str, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(render(template, **context), status_code=status)


def error_page(message: str, status: int, nav: str = "") -> HTMLResponse:
    return page("error.html", status, message=message, nav=nav)


def query_values(request: Request) -> dict[str, str]:
    return dict(request.query_params.items())


def parse_day(text: str) -> date:
    """A date as the forms take it (dd-mm-jjjj or JJJJ-MM-DD); ValueError otherwise."""
    return pf._parse_date(text.strip())


def field_error(exc: PlacementError) -> dict[str, str]:
    """What the engine refused, as the form shows it: under its field when the form has one
    (a trajectory names them `placement.job...`), with the field's Dutch label."""
    problems = getattr(exc, "problems", None) or [(exc.field, exc.message)]
    shown: dict[str, str] = {}
    for field, message in problems:
        for key, text in pf.labelled(field, message).items():
            shown.setdefault(key, text)
    return shown


class _Suggestions:
    """The gemeente suggestions of the geography serving now (one kept: a reload swaps it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: tuple[Geography, list[tuple[str, str]]] | None = None

    def __call__(self, geography: Geography) -> list[tuple[str, str]]:
        with self._lock:
            if self._kept is None or self._kept[0] is not geography:
                self._kept = (geography, _suggestions(geography))
            return self._kept[1]


def _suggestions(geography: Geography) -> list[tuple[str, str]]:
    """Every name with its code, regio and aliases; merged gemeenten say what they became
    (the geography resolves them by date)."""
    regios = {r.id: r.naam for r in geography.regios}
    out = []
    for g in sorted(geography.gemeenten, key=lambda g: (g.naam, g.valid_from or date.min)):
        label = f"{g.code} · {regios.get(g.regio, g.regio)}"
        if g.aliases:
            label += " · ook: " + ", ".join(g.aliases)
        if g.valid_to:
            after = geography.by_code(g.successor) if g.successor else None
            label += f" · tot {g.valid_to:%d-%m-%Y}" + (f", nu {after.naam}" if after else "")
        out.append((g.naam, label))
    return out


gemeente_suggestions = _Suggestions()


def form_page(
    engine: Engine,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
    **extra: Any,
) -> HTMLResponse:
    """The placement form with `values`, each error under its field, the first one focused."""
    first = next((n for n in pf.FIELDS if n in errors), None)
    return page(
        "form.html",
        status,
        nav="invoer",
        fieldsets=[("Peildatum", (pf.PEILDATUM,)), *pf.FIELDSETS],
        values=values,
        errors=errors,
        first_error=first,
        gemeenten=gemeente_suggestions(engine.rulebase.geography),
        fields_by_name=pf.FIELDS,
        **extra,
    )
