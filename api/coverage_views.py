"""Coverage as Dutch text and as a self-contained HTML page (faces only; the data is
engine.analysis.coverage)."""

from __future__ import annotations

import html

from engine.analysis.coverage import Coverage, RulesetInfo, totals_line

_HERKOMST = {"verified": "geverifieerd", "illustrative": "illustratief"}


def _ruleset_text(rs: RulesetInfo) -> str:
    until = f" t/m {rs.valid_to.strftime('%d-%m-%Y')}" if rs.valid_to else ""
    return (
        f"{rs.id} {rs.version} ({_HERKOMST.get(rs.provenance, rs.provenance)}, "
        f"{rs.rules} regels, geldig vanaf {rs.valid_from.strftime('%d-%m-%Y')}{until}"
        f"{'' if rs.in_force else ', geldt niet op de peildatum'})"
    )


def to_text(c: Coverage) -> str:
    out = [totals_line(c), ""]
    for r in c.regions:
        out.append(
            f"{r.naam} ({r.code or r.id}): {r.gemeenten_with_ruleset} van {len(r.gemeenten)} "
            "gemeenten met een eigen regelset"
        )
        if not r.regional_rulesets:
            out.append("  geen regionale regelset")
        for rs in r.regional_rulesets:
            out.append(f"  regionaal: {_ruleset_text(rs)}")
            out.extend(f"    bron: {s.title} <{s.url}>" for s in rs.sources)
        for g in r.gemeenten:
            if g.rulesets:
                sets = "; ".join(_ruleset_text(rs) for rs in g.rulesets)
                follows = f"; volgt {', '.join(g.adopts)}" if g.adopts else ""
                out.append(f"  {g.naam} ({g.code}): {sets}{follows}")
    return "\n".join(out) + "\n"


def to_html(c: Coverage) -> str:
    e = html.escape
    rows = []
    for r in c.regions:
        regional = (
            "<br>".join(
                f"{e(_ruleset_text(rs))}<br><small>"
                + ", ".join(f'<a href="{e(s.url)}">{e(s.title)}</a>' for s in rs.sources)
                + "</small>"
                for rs in r.regional_rulesets
            )
            or "geen"
        )
        gemeenten = ", ".join(
            f"<b>{e(g.naam)}</b>" if g.has_ruleset else e(g.naam) for g in r.gemeenten
        )
        colour = "#e8f5e9" if r.has_regional_ruleset else "#fdecea"
        rows.append(
            f'<tr style="background:{colour}"><td>{e(r.naam)}<br><small>{e(r.code or r.id)}'
            f"</small></td><td>{regional}</td><td>{r.gemeenten_with_ruleset} van "
            f"{len(r.gemeenten)}</td><td><small>{gemeenten}</small></td></tr>"
        )
    return f"""<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>Dekking van de regels</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:4px 8px;vertical-align:top;text-align:left}}</style>
</head><body>
<h1>Dekking van de regels per arbeidsmarktregio</h1>
<p>{e(totals_line(c))}</p>
<p><small>Vetgedrukt: gemeenten met een eigen regelset op de peildatum.</small></p>
<table><tr><th>regio</th><th>regionale regelsets en bronnen</th>
<th>gemeenten met een eigen regelset</th><th>gemeenten</th></tr>
{"".join(rows)}
</table></body></html>
"""
