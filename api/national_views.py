"""The landelijk overzicht and the national sweep as Dutch text, CSV and a self-contained HTML
page with an SVG heatmap per gemeente, grouped by region (faces only; no map geometry is shipped,
so the map is a grid: one row per arbeidsmarktregio, one cell per gemeente)."""

from __future__ import annotations

import csv
import html
import io

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


def heatmap_svg(labels: dict[str, str], rows: list[tuple[str, list[tuple[str, str, float]]]],
                top: float, unit: str) -> str:  # fmt: skip
    """One row per region, one cell per gemeente (code, tooltip, value)."""
    cell, left = 14, 190
    width = left + cell * max((len(cells) for _, cells in rows), default=1) + 10
    height = cell * len(rows) + 30
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="11" role="img" aria-label="heatmap per gemeente">'
    ]
    for y, (region, cells) in enumerate(rows):
        top_y = y * cell
        out.append(f'<text x="0" y="{top_y + 11}">{html.escape(labels.get(region, region))}</text>')
        for x, (_code, tip, value) in enumerate(cells):
            out.append(
                f'<rect x="{left + x * cell}" y="{top_y}" width="{cell - 1}" height="{cell - 1}" '
                f'fill="{_colour(value, top)}" stroke="#ccc"><title>{html.escape(tip)}</title>'
                "</rect>"
            )
    legend_y = len(rows) * cell + 18
    out.append(
        f'<text x="0" y="{legend_y}">wit: 0 {html.escape(unit)}; donkergroen: '
        f"{html.escape(format_number(round(top, 2)))} {html.escape(unit)}</text></svg>"
    )
    return "".join(out)


def overview_html(o: NationalOverview) -> str:
    e = html.escape
    regions = {r.id: r.naam for r in o.regions}
    rows = [
        (
            r.id,
            [
                (
                    g.code,
                    f"{g.naam}: {g.eligible} instrumenten, {_eur(g.yearly_eur)} per jaar",
                    g.yearly_eur,
                )  # fmt: skip
                for g in o.gemeenten
                if g.regio == r.id
            ],
        )
        for r in o.regions
    ]
    top = max((g.yearly_eur for g in o.gemeenten), default=0.0)
    table = "".join(
        f"<tr><td>{e(r.naam)}</td><td>{r.gemeenten}</td><td>{r.eligible_min}–{r.eligible_max}"
        f"</td><td>{e(_eur(r.yearly_eur_min))} – {e(_eur(r.yearly_eur_max))}</td>"
        f"<td>{r.distinct_outcomes}</td></tr>"
        for r in o.regions
    )
    notices = "".join(f"<li>{e(n)}</li>" for n in o.notices)
    return f"""<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>Landelijk overzicht</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:3px 8px;text-align:left}}</style></head><body>
<h1>Landelijk overzicht op {o.peildatum.strftime("%d-%m-%Y")}</h1>
<p>Dezelfde plaatsing met kandidaat en werkgever in elk van de {len(o.gemeenten)} gemeenten.
Kleur: indicatief bedrag per jaar dat de werkgever ontvangt (beweeg over een vakje).</p>
{heatmap_svg(regions, rows, top, "€ per jaar")}
<h2>Per regio</h2>
<table><tr><th>regio</th><th>gemeenten</th><th>instrumenten in aanmerking</th>
<th>indicatief per jaar</th><th>verschillende uitkomsten</th></tr>{table}</table>
<h2>Mededelingen</h2><ul>{notices}</ul>
</body></html>
"""


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
        *(f"  {i:36} {pct(v)}" for i, v in s.index_per_instrument.items() if v is not None),
        "Gemeenten die het vaakst afwijken van de meeste gemeenten:",
    ]
    worst = sorted(s.deviation.items(), key=lambda kv: (-kv[1], kv[0]))[:15]
    out += [f"  {naam.get(c, c)} ({c}): {pct(v)} van de profielen" for c, v in worst if v > 0]
    return "\n".join(out) + "\n"
