"""A trajectory as one self-contained HTML page: timeline, money per funder, tables, and the
printable one-page employer summary (printing the page prints only that summary).

Python works out the chart geometry; templates/trajectory.html draws it (inline SVG and CSS,
no scripts, no network; autoescaped).
"""

from __future__ import annotations

from typing import Any

from api.pages.summary import HEADINGS, eur, summary
from api.pages.templating import render
from engine.trajectory.model import Trajectory

_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"]
_PHASE = {"proefplaatsing": "#f2c94c", "contract": "#6fcf97", "verlenging": "#a3d9b1"}


def _cell(t: Trajectory) -> float:
    return max(6.0, 760 / max(len(t.months), 1))


def _ticks(t: Trajectory, left: float, cell: float) -> list[dict[str, Any]]:
    return [
        {"x": left + i * cell, "text": m.month[:4] if i else m.month}
        for i, m in enumerate(t.months)
        if m.month.endswith("-01") or i == 0
    ]


def timeline(t: Trajectory) -> dict[str, Any]:
    """Phases and instruments over the months: one row each, a cell per active month."""
    n, cell = len(t.months), _cell(t)
    left, row = 290, 20
    rows: list[tuple[str, str]] = []
    for m in t.months:
        for x in m.instruments:
            if (x.instrument, x.name) not in rows:
                rows.append((x.instrument, x.name))
    height = (len(rows) + 2) * row + 20
    phases = [
        {"x": left + i * cell, "fill": _PHASE[m.phase], "title": f"{m.month}: {m.phase}"}
        for i, m in enumerate(t.months)
    ]
    lines = []
    for r, (instrument, name) in enumerate(rows, start=1):
        y = 4 + r * row
        cells = []
        for i, m in enumerate(t.months):
            hit = next((x for x in m.instruments if x.instrument == instrument), None)
            if hit is not None:
                cells.append({"x": left + i * cell, "title": f"{m.month}: {name} {eur(hit.eur)}"})
        lines.append(
            {
                "y": y,
                "label": name if len(name) <= 44 else name[:43] + "…",
                "colour": _COLOURS[(r - 1) % len(_COLOURS)],
                "cells": cells,
            }
        )
    return {
        "width": left + n * cell + 10,
        "height": height,
        "row": row,
        "cell": cell,
        "phases": phases,
        "rows": lines,
        "ticks": _ticks(t, left, cell),
    }


def funders(t: Trajectory) -> dict[str, Any]:
    """Money per month stacked per funder (subsidies and wage reductions), net cost as a line."""
    n, cell = len(t.months), _cell(t)
    left, top, plot = 60, 10, 220
    names = sorted({x.funder for m in t.months for x in m.instruments if x.eur > 0})
    stacks = [
        {f: sum(x.eur for x in m.instruments if x.funder == f and x.eur > 0) for f in names}
        for m in t.months
    ]
    peak = max(
        [sum(s.values()) for s in stacks] + [m.employer_net_cost_eur for m in t.months] + [1.0]
    )
    scale = plot / peak
    bars = []
    for i, stack in enumerate(stacks):
        y = top + plot
        for k, f in enumerate(names):
            h = stack[f] * scale
            if h <= 0:
                continue
            y -= h
            bars.append(
                {
                    "x": left + i * cell,
                    "y": y,
                    "h": h,
                    "fill": _COLOURS[k % len(_COLOURS)],
                    "title": f"{t.months[i].month} {t.authorities.get(f, f)}: {eur(stack[f])}",
                }
            )
    points = " ".join(
        f"{left + (i + 0.5) * cell:.1f},{top + plot - m.employer_net_cost_eur * scale:.1f}"
        for i, m in enumerate(t.months)
    )
    lx = left + n * cell + 10
    legend = [
        {"y": top + k * 16, "fill": _COLOURS[k % len(_COLOURS)], "text": t.authorities.get(f, f)}
        for k, f in enumerate(names)
    ]
    return {
        "width": left + n * cell + 200,
        "height": plot + 40,
        "left": left,
        "top": top,
        "plot": plot,
        "right": left + n * cell,
        "cell": cell,
        "peak": eur(peak),
        "bars": bars,
        "points": points,
        "legend": legend,
        "legend_x": lx,
        "net_y": top + len(names) * 16,
        "ticks": _ticks(t, left, cell),
    }


def months_table(t: Trajectory) -> dict[str, Any]:
    names: list[str] = []
    for m in t.months:
        for x in m.instruments:
            if x.name not in names:
                names.append(x.name)
    rows = [
        {
            "month": m.month,
            "phase": m.phase,
            "wage": eur(m.employer_wage_cost_eur),
            "cells": [
                (eur(by[n].eur), by[n].basis) if n in by else None
                for by in [{x.name: x for x in m.instruments}]
                for n in names
            ],
            "net": eur(m.employer_net_cost_eur),
        }
        for m in t.months
    ]
    return {"names": names, "rows": rows}


def figures(t: Trajectory) -> dict[str, Any]:
    """Everything templates/trajectory.html draws, worked out once."""
    return {
        "s": summary(t),
        "headings": HEADINGS,
        "timeline": timeline(t),
        "funders": funders(t),
        "table": months_table(t),
    }


def render_html(t: Trajectory) -> str:
    """The standalone page (CLI, `POST /v1/trajectories?format=html`): no links, no scripts."""
    return render("trajectory.html", t=t, web=False, back="", pdf="", **figures(t))
