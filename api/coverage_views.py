"""Coverage as Dutch text and as a self-contained HTML page (faces only; the data is
engine.analysis.coverage)."""

from __future__ import annotations

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
    """Coverage as one self-contained page (templates/coverage.html)."""
    from api.pages.templating import render

    rows = [
        {"r": r, "regional": [(rs, _ruleset_text(rs)) for rs in r.regional_rulesets]}
        for r in c.regions
    ]
    return render("coverage.html", totals=totals_line(c), rows=rows)
