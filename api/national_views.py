"""The landelijk overzicht and the national sweep as Dutch text, CSV and a self-contained HTML
page with an SVG heatmap per gemeente, grouped by region (faces only; no map geometry is shipped,
so the map is a grid: one row per arbeidsmarktregio, one cell per gemeente)."""

from __future__ import annotations

import csv
import io
from typing import Any

from engine.analysis.national import NationalOverview, NationalSweep
from engine.format import format_number

_STATUS = {"eligible": "ja", "needs_assessment": "beoordelen", "not_eligible": "nee"}


def _eur(x: float) -> str:
    return f"€ {format_number(round(x, 2))}"


def overview_text(o: NationalOverview) -> str:
    out = [
        f"Landelijk overzicht op {o.peildatum.strftime('%d-%m-%Y')}: dezelfde plaatsing in elke "
        "gemeente",
        *o.notices,
        "",
        "Per regio:",
        f"  {'regio':32} {'instr.':>6}  {'indicatief per jaar':>24}  verschillende uitkomsten",
    ]
    for r in o.regions:
        eligible = (
            str(r.eligible_min)
            if r.eligible_min == r.eligible_max
            else f"{r.eligible_min}–{r.eligible_max}"
        )
        money = (
            _eur(r.yearly_eur_min)
            if r.yearly_eur_min == r.yearly_eur_max
            else f"{_eur(r.yearly_eur_min)} – {_eur(r.yearly_eur_max)}"
        )
        out.append(f"  {r.naam:32} {eligible:>6}  {money:>24}  {r.distinct_outcomes}")
    out += ["", "Per gemeente:"]
    for g in o.gemeenten:
        offered = "; ".join(f"{o.instruments.get(i, i)}: {t}" for i, t in g.instruments.items())
        out.append(f"  {g.naam} ({g.code}, {g.regio}): {offered or 'niets'}")
    return "\n".join(out) + "\n"


def overview_csv(o: NationalOverview) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    instruments = list(o.instruments)
    w.writerow(
        ["code", "gemeente", "regio", "groep", *instruments, "in_aanmerking", "indicatief_per_jaar"]
    )
    for g in o.gemeenten:
        w.writerow(
            [
                g.code,
                g.naam,
                g.regio,
                g.group,
                *(
                    f"{_STATUS[g.status.get(i, 'not_eligible')]}"
                    + (f" ({g.providers[i]})" if i in g.providers else "")
                    for i in instruments
                ),
                g.eligible,
                f"{g.yearly_eur:.2f}",
            ]
        )
    return buf.getvalue()


def _colour(value: float, top: float) -> str:
    """White (nothing) to dark green (the most any gemeente gets)."""
    share = 0.0 if top <= 0 else max(0.0, min(1.0, value / top))
    r, g, b = (round(255 - share * (255 - c)) for c in (27, 120, 55))
    return f"rgb({r},{g},{b})"


def heatmap(labels: dict[str, str], rows: list[tuple[str, list[tuple[str, str, float]]]],
            top: float, unit: str) -> dict[str, Any]:  # fmt: skip
    """The heatmap's geometry for templates/_heatmap.svg: one row per region, one cell per
    gemeente (code, tooltip, value)."""
    cell, left = 14, 190
    return {
        "cell": cell,
        "width": left + cell * max((len(cells) for _, cells in rows), default=1) + 10,
        "height": cell * len(rows) + 30,
        "rows": [
            {
                "y": y * cell,
                "label": labels.get(region, region),
                "cells": [
                    {"x": left + x * cell, "fill": _colour(value, top), "tip": tip}
                    for x, (_code, tip, value) in enumerate(cells)
                ],
            }
            for y, (region, cells) in enumerate(rows)
        ],
        "legend_y": len(rows) * cell + 18,
        "top": format_number(round(top, 2)),
        "unit": unit,
    }


def national_context(o: NationalOverview) -> dict[str, Any]:
    """What templates/national.html shows: the overview and its heatmap grid."""
    regions = {r.id: r.naam for r in o.regions}
    rows = [
        (
            r.id,
            [
                (
                    g.code,
                    f"{g.naam}: {g.eligible} instrumenten, {_eur(g.yearly_eur)} per jaar",
                    g.yearly_eur,
                )
                for g in o.gemeenten
                if g.regio == r.id
            ],
        )  # fmt: skip
        for r in o.regions
    ]
    top = max((g.yearly_eur for g in o.gemeenten), default=0.0)
    return {"o": o, "heatmap": heatmap(regions, rows, top, "€ per jaar")}


def overview_html(o: NationalOverview) -> str:
    """The overview as a page (templates/national.html)."""
    from api.pages.templating import render

    return render("national.html", nav="dekking", **national_context(o))


def pct(x: float | None) -> str:
    return "onbekend" if x is None else f"{x * 100:.1f} %".replace(".", ",")


def sweep_text(s: NationalSweep, naam: dict[str, str]) -> str:
    index = f"onbekend ({s.index_reason})" if s.index is None else pct(s.index)
    out = [
        f"Landelijke harmonisatie op {s.peildatum.strftime('%d-%m-%Y')}: {s.gemeenten} gemeenten "
        f"× {s.profiles} profielen; {s.computations} berekeningen "
        f"({'gemeenten met dezelfde regels gedeeld' if s.dedup else 'zonder deduplicatie'}), "
        f"{s.checks} checks.",
        f"Landelijke harmonisatie-index: {index}",
        "Per instrument:",
        *(
            f"  {naam.get(i, i):36} {pct(v)}"
            for i, v in s.index_per_instrument.items()
            if v is not None
        ),
        "Gemeenten die het vaakst afwijken van de meeste gemeenten:",
    ]
    worst = sorted(s.deviation.items(), key=lambda kv: (-kv[1], kv[0]))[:15]
    out += [f"  {naam.get(c, c)} ({c}): {pct(v)} van de profielen" for c, v in worst if v > 0]
    return "\n".join(out) + "\n"
