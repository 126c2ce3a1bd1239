"""The one Jinja2 environment for every HTML page Arrangeur produces (autoescaped)."""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from api.pages.summary import eur, nl_date
from engine.explain import _CONFLICT as CONFLICT_NL
from engine.explain import _STATUS_NL as STATUS_NL
from engine.expressions import format_number
from engine.labels import fact_label, parameter_label, value_label, words

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f} %".replace(".", ",")


def _value(v: Any) -> str:
    """A parameter value in Dutch: numbers 1.234,5, ISO dates as dd-mm-jjjj, booleans ja/nee."""
    if isinstance(v, str):
        try:
            return nl_date(date.fromisoformat(v))
        except ValueError:
            return v
    return format_number(v)


def _fact_value(v: Any) -> str:
    """A derived fact's value: enum values in words (`gemeente` → "de gemeente")."""
    return value_label(v) if isinstance(v, str) and "-" not in v else _value(v)


def _money(x: float) -> str:
    """An amount as the overviews write it: € 1.234,56."""
    return f"€ {format_number(round(x, 2))}"


def _dutch_date(text: str) -> str:
    """An ISO date as the form shows it (dd-mm-jjjj); anything else as typed."""
    try:
        return nl_date(date.fromisoformat(text))
    except ValueError:
        return text


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "svg"], default_for_string=True, default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        eur=eur,
        nl_date=nl_date,
        dutch_date=_dutch_date,
        pct=_pct,
        value=_value,
        number=format_number,
        money=_money,
        fact=fact_label,
        param=parameter_label,
        fact_value=_fact_value,
        words=words,
    )
    env.globals.update(status_nl=STATUS_NL, conflict_nl=CONFLICT_NL, nav="", context="")
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)
