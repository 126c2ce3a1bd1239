"""One renderer per output format, shared by the CLI, the pages and (when it wants) the API.

`render(obj, "html")` looks the object's type and the format up in one table and answers
`(body, media_type)`: text and JSON for everything, HTML, CSV and PDF where a view exists.
The views themselves stay where they are (api/pages/, api/*_views.py, engine.explain); this
module only says which one serves which (type, format), so a command or a route never
repeats the dispatch. Heavy views (fpdf2, Jinja2) are imported when first used.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import yaml
from pydantic import BaseModel

Body = str | bytes
View = Callable[..., Body]

MEDIA = {
    "text": "text/plain; charset=utf-8",
    "json": "application/json",
    "html": "text/html; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
    "yaml": "application/yaml",
    "ics": "text/calendar",
}


class UnknownFormat(ValueError):
    """No view for this (type, format); the message is Dutch and names both."""


def to_json(obj: Any, **_: Any) -> str:
    """Pretty JSON as every face writes it: indented, UTF-8 as itself, a final newline."""
    data = obj.model_dump(mode="json") if isinstance(obj, BaseModel) else obj
    return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"


def to_yaml(obj: Any, **_: Any) -> str:
    data = obj.model_dump(mode="json") if isinstance(obj, BaseModel) else obj
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


# --------------------------------------------------------------------------- the views


def _arrangement_text(a: Any, **_: Any) -> str:
    from engine.explain import render_text

    return render_text(a)


def _harmonisation_text(r: Any, examples: dict | None = None, **_: Any) -> str:
    from api.harmonisation_views import to_text

    return to_text(r, examples)


def _harmonisation_csv(r: Any, **_: Any) -> str:
    from api.harmonisation_views import to_csv

    return to_csv(r)


def _harmonisation_html(r: Any, form_url: str | None = None, **_: Any) -> str:
    from api.harmonisation_views import to_html

    return to_html(r, form_url=form_url)


def _trajectory_text(t: Any, **_: Any) -> str:
    from api.pages.text import render_trajectory_text

    return render_trajectory_text(t)


def _trajectory_html(t: Any, **_: Any) -> str:
    from api.pages.trajectory import render_html

    return render_html(t)


def _trajectory_pdf(t: Any, **_: Any) -> bytes:
    from api.pages.pdf import render_pdf

    return render_pdf(t)


def _coverage_text(c: Any, **_: Any) -> str:
    from api.coverage_views import to_text

    return to_text(c)


def _coverage_html(c: Any, **_: Any) -> str:
    from api.coverage_views import to_html

    return to_html(c)


def _national_text(o: Any, **_: Any) -> str:
    from api.national_views import overview_text

    return overview_text(o)


def _national_csv(o: Any, **_: Any) -> str:
    from api.national_views import overview_csv

    return overview_csv(o)


def _national_html(o: Any, **_: Any) -> str:
    from api.national_views import overview_html

    return overview_html(o)


def _sweep_text(s: Any, naam: dict[str, str] | None = None, **_: Any) -> str:
    from api.national_views import sweep_text

    return sweep_text(s, naam or {})


def _diff_text(d: Any, naam: dict[str, str] | None = None, **_: Any) -> str:
    from engine.analysis.diff import diff_text

    return diff_text(d, naam or {})


def _caseload_report_text(report: Any, **_: Any) -> str:
    return report.text()


def _caseload_report_json(report: Any, **_: Any) -> str:
    return to_json(report.as_dict())


def _table() -> dict[tuple[type, str], View]:
    """(type, format) → view. Built on first use: the types' modules load the engine."""
    from engine.analysis import HarmonisationReport
    from engine.analysis.coverage import Coverage
    from engine.analysis.diff import Diff
    from engine.analysis.national import NationalOverview, NationalSweep
    from engine.caseload import RecheckReport
    from engine.model import Arrangement
    from engine.trajectory.model import Trajectory

    return {
        (Arrangement, "text"): _arrangement_text,
        (HarmonisationReport, "text"): _harmonisation_text,
        (HarmonisationReport, "csv"): _harmonisation_csv,
        (HarmonisationReport, "html"): _harmonisation_html,
        (Trajectory, "text"): _trajectory_text,
        (Trajectory, "html"): _trajectory_html,
        (Trajectory, "pdf"): _trajectory_pdf,
        (Coverage, "text"): _coverage_text,
        (Coverage, "html"): _coverage_html,
        (NationalOverview, "text"): _national_text,
        (NationalOverview, "csv"): _national_csv,
        (NationalOverview, "html"): _national_html,
        (NationalSweep, "text"): _sweep_text,
        (Diff, "text"): _diff_text,
        (RecheckReport, "text"): _caseload_report_text,
        (RecheckReport, "json"): _caseload_report_json,
    }


_VIEWS: dict[tuple[type, str], View] = {}
_EXTRA: dict[tuple[type, str], View] = {}


def register(kind: type, fmt: str, view: View) -> None:
    """A face's own view (a CLI listing's text table, say) for `render`."""
    if fmt not in MEDIA:
        raise ValueError(f"unknown format {fmt!r}")
    _EXTRA[(kind, fmt)] = view


def view(kind: type, fmt: str) -> View | None:
    """The view for (kind, fmt); JSON (and YAML) serve every model, list and mapping."""
    if not _VIEWS:
        _VIEWS.update(_table())
    for base in kind.__mro__:
        found = _EXTRA.get((base, fmt)) or _VIEWS.get((base, fmt))
        if found is not None:
            return found
    return {"json": to_json, "yaml": to_yaml}.get(fmt)


def formats(kind: type) -> list[str]:
    """The formats `render` serves for objects of this type, in the order of MEDIA."""
    return [f for f in MEDIA if view(kind, f) is not None]


def render(obj: Any, fmt: str, **options: Any) -> tuple[Body, str]:
    """`obj` as `fmt`: (body, media type). `options` go to the view (form_url for the
    harmonisation page's links, examples for its text, naam for gemeente names)."""
    found = view(type(obj), fmt)
    if found is None:
        raise UnknownFormat(f"geen uitvoer als {fmt!r} voor {type(obj).__name__}")
    return found(obj, **options), MEDIA[fmt]
