"""The instrument catalogue: /instrumenten (search by region, gemeente, doelgroep, authority,
kind of support and keyword), /instrumenten/overzicht (the printable overview for an employer
of everything in a region) and /instrumenten/{instrument} (one instrument, every authority
that offers it). The data is engine.analysis.instruments; conditions are worded as on /regels.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.pages.conditions import dutch
from api.pages.deps import EngineDep
from api.pages.responses import error_page, page, parse_day
from api.pages.rules import THEN_NL
from engine.analysis import instruments as cat
from engine.arrangement import authority_label
from engine.errors import PlacementError
from engine.labels import KINDS, kind_of, parameter_label
from engine.rulesets.registry import RuleBase

router = APIRouter(include_in_schema=False)

AUTHORITIES = {"rijk": "Rijk", "uwv": "UWV", "regio": "regio", "gemeente": "gemeente"}
_THEN_LEAD = {
    "eligible": "In aanmerking als",
    "needs_assessment": "Te beoordelen als",
    "excluded": "Niet als",
}


@dataclass(frozen=True)
class Hit:
    """One offer as the pages show it: everything already in words."""

    offer: cat.Offer
    authority: str
    scope: str
    conditions: list[tuple[str, list[str]]]  # (lead, alternatives)
    details: list[tuple[str, str]]  # (label, value): parameters and amounts
    apply: list[tuple[str, str]]
    contact: str
    doelgroepen: list[str]
    kind: str


def _value(v: Any) -> str:
    from api.pages.templating import environment

    if hasattr(v, "__dataclass_fields__"):
        return dutch(v)
    return environment().filters["value"](v)


def hit(rb: RuleBase, o: cat.Offer, regio: str) -> Hit:
    conditions: list[tuple[str, list[str]]] = []
    for then in ("eligible", "needs_assessment", "excluded"):
        texts = [dutch(r.when) for r in o.rules if r.then == then]
        if texts:
            conditions.append((_THEN_LEAD[then], texts))
    details = [
        (parameter_label(k), _value(v))
        for r in o.rules
        for k, v in r.params.items()
        if not k.startswith("aanvra")
    ]
    details += [
        (f"bedrag per {'maand' if a.period == 'month' else 'jaar'}", dutch(a.eur))
        for a in o.amounts
    ]
    return Hit(
        offer=o,
        authority=authority_label(o.ruleset.authority, rb),
        scope=cat.SCOPES[o.scope],
        conditions=conditions,
        details=list(dict.fromkeys(details)),
        apply=[(parameter_label(k), _value(v)) for k, v in o.apply],
        contact=cat.contact(rb, o, regio),
        doelgroepen=[cat.DOELGROEPEN[d] for d in o.doelgroepen],
        kind=KINDS.get(o.kind, ""),
    )


def _when(request: Request) -> tuple[date, str]:
    text = request.query_params.get("datum", "")
    if not text:
        return date.today(), ""
    try:
        return parse_day(text), ""
    except ValueError:
        return date.today(), "datum: geen geldige datum (dd-mm-jjjj); getoond: vandaag"


def _query(request: Request, rb: RuleBase, when: date) -> tuple[cat.Query, list[str]]:
    """The filters as given, and what was not understood (in Dutch, named per field)."""
    p = request.query_params
    problems: list[str] = []
    regio = p.get("regio", "").strip()
    if regio and rb.geography.regio(regio) is None:
        problems.append(f"regio: onbekende arbeidsmarktregio {regio!r}; alle regio's getoond")
        regio = ""
    gemeente = ""
    if p.get("gemeente", "").strip():
        try:
            g = rb.geography.resolve(p["gemeente"].strip(), when, "gemeente")
        except PlacementError as exc:  # unknown, or merged before the date: said in Dutch
            problems.append(f"gemeente: {exc.message}")
        else:
            gemeente = g.code
            if regio and regio != g.regio:  # the gemeente decides the region
                problems.append(
                    f"gemeente: {g.naam} hoort bij de regio {cat.regio_naam(rb, g.regio)}, niet "
                    f"bij {cat.regio_naam(rb, regio)}; getoond: {cat.regio_naam(rb, g.regio)}"
                )
            regio = g.regio
    choices = {"doelgroep": cat.DOELGROEPEN, "instantie": AUTHORITIES, "soort": KINDS}
    picked = {}
    for name, options in choices.items():
        value = p.get(name, "").strip()
        if value and value not in options:
            problems.append(f"{name}: onbekende keuze {value!r}")
            value = ""
        picked[name] = value
    query = cat.Query(
        regio=regio,
        gemeente=gemeente,
        doelgroep=picked["doelgroep"],
        authority=picked["instantie"],
        kind=picked["soort"],
        q=p.get("q", "").strip()[:100],
    )
    return query, problems


def _context(request: Request, rb: RuleBase) -> dict[str, Any]:
    when, date_error = _when(request)
    query, problems = _query(request, rb, when)
    if date_error:
        problems.insert(0, date_error)
    regio = query.regio or (
        (g.regio if (g := rb.geography.by_code(query.gemeente)) else "") if query.gemeente else ""
    )
    return {
        "when": when,
        "query": query,
        "values": dict(request.query_params.items()),
        "problems": problems,
        "regio": regio,
        "regio_naam": cat.regio_naam(rb, regio),
        "regios": sorted(rb.geography.regios, key=lambda r: r.naam),
        "doelgroepen": cat.DOELGROEPEN,
        "authorities": AUTHORITIES,
        "kinds": KINDS,
    }


@router.get("/instrumenten", response_class=HTMLResponse)
def catalogue(request: Request, engine: EngineDep) -> HTMLResponse:
    rb = engine.rulebase
    ctx = _context(request, rb)
    found = cat.search(rb, ctx["when"], ctx["query"])
    hits = [hit(rb, o, ctx["regio"]) for o in found]
    return page(
        "instruments.html",
        422 if ctx["problems"] else 200,
        nav="instrumenten",
        hits=hits,
        **ctx,
    )


@router.get("/instrumenten/overzicht", response_class=HTMLResponse)
def overview(request: Request, engine: EngineDep) -> HTMLResponse:
    """Everything available in a region, for an employer, on paper (print CSS)."""
    rb = engine.rulebase
    ctx = _context(request, rb)
    if not ctx["regio"]:
        ctx["problems"].append("regio: kies een arbeidsmarktregio voor het overzicht")
    found = cat.search(rb, ctx["when"], ctx["query"]) if ctx["regio"] else []
    hits = [hit(rb, o, ctx["regio"]) for o in found]
    groups: dict[str, list[Hit]] = {}
    for h in hits:
        groups.setdefault(h.kind or "overig", []).append(h)
    return page(
        "instruments_overview.html",
        422 if ctx["problems"] else 200,
        nav="instrumenten",
        groups=groups,
        hits=hits,
        **ctx,
    )


@router.get("/instrumenten/{instrument}", response_class=HTMLResponse)
def instrument(request: Request, instrument: str, engine: EngineDep) -> HTMLResponse:
    rb = engine.rulebase
    entry = rb.catalogue.instruments.get(instrument)
    if entry is None:
        return error_page(f"onbekend instrument {instrument[:60]!r}", 404, nav="instrumenten")
    ctx = _context(request, rb)
    found = cat.by_instrument(rb, ctx["when"], instrument, ctx["query"])
    return page(
        "instrument.html",
        422 if ctx["problems"] else 200,
        nav="instrumenten",
        entry=entry,
        instrument=instrument,
        kind=KINDS.get(kind_of(instrument), ""),
        hits=[hit(rb, o, ctx["regio"]) for o in found],
        then_nl=THEN_NL,
        **ctx,
    )
