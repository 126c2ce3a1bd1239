"""A trajectory as one self-contained HTML page: timeline, money per funder, tables, and the
printable one-page employer summary (printing the page prints only that summary).

Inline SVG and CSS, no scripts, no network.
"""

from __future__ import annotations

from html import escape

from api.pages.summary import HEADINGS, eur, nl_date, summary
from engine.trajectory.model import Trajectory

_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"]
_PHASE = {"proefplaatsing": "#f2c94c", "contract": "#6fcf97", "verlenging": "#a3d9b1"}
_CSS = """
body{font-family:system-ui,Arial,sans-serif;margin:24px;color:#222;max-width:1100px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px}table{border-collapse:collapse;font-size:12px}
td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}th{background:#f4f4f4}
td.l,th.l{text-align:left}.note{color:#555;font-size:12px}
.summary{border:2px solid #333;padding:18px 24px;max-width:760px}
.summary h2{margin:14px 0 4px}.summary ul{margin:4px 0 4px 18px;padding:0}
@media print{.screen{display:none}body{margin:0}.summary{border:none;padding:0;
 font-size:11px;page-break-inside:avoid}@page{size:A4;margin:14mm}}
"""


def _e(text: object) -> str:
    return escape(str(text))


def timeline_svg(t: Trajectory) -> str:
    """Phases and instruments over the months: one row each, a cell per active month."""
    n = len(t.months)
    cell = max(6.0, 760 / max(n, 1))
    left, row = 290, 20
    rows: list[tuple[str, str]] = []
    for m in t.months:
        for x in m.instruments:
            if (x.instrument, x.name) not in rows:
                rows.append((x.instrument, x.name))
    height = (len(rows) + 2) * row + 20
    width = left + n * cell + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height}" '
        'role="img" aria-label="tijdlijn">'
    ]
    parts.append(f'<text x="4" y="{row - 6}" font-size="12">fase</text>')
    for i, m in enumerate(t.months):
        x0 = left + i * cell
        parts.append(
            f'<rect x="{x0:.1f}" y="4" width="{cell:.1f}" height="{row - 6}" '
            f'fill="{_PHASE[m.phase]}"><title>{m.month}: {m.phase}</title></rect>'
        )
        if m.month.endswith("-01") or i == 0:
            parts.append(
                f'<text x="{x0:.1f}" y="{height - 4}" font-size="10">'
                f"{m.month[:4] if i else m.month}</text>"
            )
    for r, (instrument, name) in enumerate(rows, start=1):
        y = 4 + r * row
        colour = _COLOURS[(r - 1) % len(_COLOURS)]
        short = name if len(name) <= 44 else name[:43] + "…"
        parts.append(f'<text x="4" y="{y + row - 8}" font-size="12">{_e(short)}</text>')
        for i, m in enumerate(t.months):
            hit = next((x for x in m.instruments if x.instrument == instrument), None)
            if hit is not None:
                parts.append(
                    f'<rect x="{left + i * cell:.1f}" y="{y}" width="{cell - 1:.1f}" '
                    f'height="{row - 6}" fill="{colour}"><title>{m.month}: {_e(name)} '
                    f"{eur(hit.eur)}</title></rect>"
                )
    parts.append("</svg>")
    return "".join(parts)


def funders_svg(t: Trajectory) -> str:
    """Money per month stacked per funder (subsidies and wage reductions), net cost as a line."""
    n = len(t.months)
    cell = max(6.0, 760 / max(n, 1))
    left, top, plot = 60, 10, 220
    funders = sorted({x.funder for m in t.months for x in m.instruments if x.eur > 0})
    stacks = [
        {f: sum(x.eur for x in m.instruments if x.funder == f and x.eur > 0) for f in funders}
        for m in t.months
    ]
    peak = max(
        [sum(s.values()) for s in stacks] + [m.employer_net_cost_eur for m in t.months] + [1.0]
    )
    scale = plot / peak
    width = left + n * cell + 200
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{plot + 40}" '
        'role="img" aria-label="geld per financier">',
        f'<line x1="{left}" y1="{top + plot}" x2="{left + n * cell}" y2="{top + plot}" '
        'stroke="#999"/>',
        f'<text x="2" y="{top + 10}" font-size="10">{_e(eur(peak))}</text>',
    ]
    for i, stack in enumerate(stacks):
        y = top + plot
        for k, f in enumerate(funders):
            h = stack[f] * scale
            if h <= 0:
                continue
            y -= h
            parts.append(
                f'<rect x="{left + i * cell:.1f}" y="{y:.1f}" width="{cell - 1:.1f}" '
                f'height="{h:.1f}" fill="{_COLOURS[k % len(_COLOURS)]}"><title>'
                f"{t.months[i].month} {_e(t.authorities.get(f, f))}: {_e(eur(stack[f]))}"
                "</title></rect>"
            )
    for i, m in enumerate(t.months):
        if m.month.endswith("-01") or i == 0:
            parts.append(
                f'<text x="{left + i * cell:.1f}" y="{top + plot + 14}" font-size="10">'
                f"{m.month[:4] if i else m.month}</text>"
            )
    parts.append(f'<text x="2" y="{top + plot}" font-size="10">€ 0</text>')
    points = " ".join(
        f"{left + (i + 0.5) * cell:.1f},{top + plot - m.employer_net_cost_eur * scale:.1f}"
        for i, m in enumerate(t.months)
    )
    parts.append(f'<polyline points="{points}" fill="none" stroke="#d62728" stroke-width="2"/>')
    lx = left + n * cell + 10
    for k, f in enumerate(funders):
        parts.append(
            f'<rect x="{lx}" y="{top + k * 16}" width="10" height="10" '
            f'fill="{_COLOURS[k % len(_COLOURS)]}"/><text x="{lx + 14}" y="{top + k * 16 + 9}" '
            f'font-size="11">{_e(t.authorities.get(f, f))}</text>'
        )
    k = len(funders)
    parts.append(
        f'<line x1="{lx}" y1="{top + k * 16 + 5}" x2="{lx + 10}" y2="{top + k * 16 + 5}" '
        f'stroke="#d62728" stroke-width="2"/><text x="{lx + 14}" y="{top + k * 16 + 9}" '
        'font-size="11">netto kosten werkgever</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def summary_html(t: Trajectory) -> str:
    s = summary(t)
    out = [f'<section class="summary"><h1>{_e(s.title)}</h1><p>{_e(s.intro)}</p>']
    for heading in HEADINGS:
        out.append(f"<h2>{heading}</h2><ul>")
        out += [f"<li>{_e(item)}</li>" for item in s.sections[heading]]
        out.append("</ul>")
        if heading == HEADINGS[2]:
            out.append(
                '<table><tr><th class="l">periode</th><th>loonkosten</th><th>subsidies</th>'
                "<th>netto</th></tr>"
            )
            out += [
                f'<tr><td class="l">{_e(p)}</td><td>{_e(w)}</td><td>{_e(b)}</td>'
                f"<td>{_e(n)}</td></tr>"
                for p, w, b, n in s.costs
            ]
            out.append("</table>")
    out += [f'<p class="note">{_e(f)}</p>' for f in s.footer]
    out.append("</section>")
    return "".join(out)


def _months_table(t: Trajectory) -> str:
    names = []
    for m in t.months:
        for x in m.instruments:
            if x.name not in names:
                names.append(x.name)
    head = "".join(f"<th>{_e(n)}</th>" for n in names)
    rows = []
    for m in t.months:
        by = {x.name: x for x in m.instruments}
        cells = "".join(
            f'<td title="{_e(by[n].basis)}">{_e(eur(by[n].eur))}</td>' if n in by else "<td></td>"
            for n in names
        )
        rows.append(
            f'<tr><td class="l">{m.month}</td><td class="l">{m.phase}</td>'
            f"<td>{_e(eur(m.employer_wage_cost_eur))}</td>{cells}"
            f"<td>{_e(eur(m.employer_net_cost_eur))}</td></tr>"
        )
    return (
        '<table><tr><th class="l">maand</th><th class="l">fase</th><th>loonkosten</th>'
        f"{head}<th>netto</th></tr>{''.join(rows)}</table>"
    )


def render_html(t: Trajectory) -> str:
    def items(rows: list[str]) -> str:
        return "<ul>" + "".join(f"<li>{_e(r)}</li>" for r in rows) + "</ul>" if rows else "<p>—</p>"

    body = [
        summary_html(t),
        '<div class="screen">',
        f"<h2>Tijdlijn ({t.horizon_months} maanden vanaf {nl_date(t.start)})</h2>",
        timeline_svg(t),
        items(
            [
                f"{p.phase}: {nl_date(p.start)} t/m {nl_date(p.end)}. {p.explanation}"
                for p in t.phases
            ]
        ),
        "<h2>Geld per financier per maand</h2>",
        funders_svg(t),
        "<h2>Per maand</h2>",
        _months_table(t),
        "<h2>Termijnen en verplichtingen</h2>",
        items([f"{nl_date(o.date)}: {o.what}" for o in t.obligations]),
        "<h2>Alternatieven</h2>",
        items(
            [
                f"{a.choice}: {a.option}"
                + (
                    f" — netto {eur(a.employer_net_cost_eur)}"
                    if a.employer_net_cost_eur is not None
                    else ""
                )
                + (" (goedkoopst)" if a.best else "")
                + f". {a.explanation}"
                for a in t.alternatives
            ]
        ),
        "<h2>Tekorten</h2>",
        items([f"{g.what} ({g.months[0]} t/m {g.months[-1]})" for g in t.gaps]),
        "<h2>Aannames</h2>",
        items(t.assumptions),
        "<h2>Mededelingen</h2>",
        items(t.notices),
        "</div>",
    ]
    return (
        '<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8">'
        f"<title>Traject {_e(t.woongemeente)} – {_e(t.vestigingsgemeente)}</title>"
        f"<style>{_CSS}</style></head><body>{''.join(body)}</body></html>\n"
    )
