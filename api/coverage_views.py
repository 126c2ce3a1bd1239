"""Coverage as Dutch text and as a self-contained HTML page (faces only; the data is
engine.analysis.coverage)."""

from __future__ import annotations

from engine.analysis.coverage import (
    STATUS_WORDS,
    Coverage,
    CoverageCounts,
    RulesetInfo,
    totals_line,
)
from engine.labels import PROVENANCE


def _ruleset_text(rs: RulesetInfo) -> str:
    until = f" t/m {rs.valid_to.strftime('%d-%m-%Y')}" if rs.valid_to else ""
    return (
        f"{rs.id} {rs.version} ({PROVENANCE.get(rs.provenance, rs.provenance)}, "
        f"{rs.rules} regels, geldig vanaf {rs.valid_from.strftime('%d-%m-%Y')}{until}"
        f"{'' if rs.in_force else ', geldt niet op de peildatum'})"
    )


def _status_text(x: CoverageCounts) -> str:
    if x.status == "regels":
        return (
            f"{x.rules_published} regel{'' if x.rules_published == 1 else 's'} in werking "
            f"({x.verified} geverifieerd, "
            f"{x.illustrative} illustratief)"
        )
    return STATUS_WORDS[x.status]


def _searched_text(x: CoverageCounts) -> list[str]:
    if x.searched is None:
        return []
    out = [
        f"    gezocht op {s.date.strftime('%d-%m-%Y')} in {s.where}: {s.what}"
        for s in x.searched.searched
    ]
    out.append(f"    gevonden: {x.searched.found}")
    if x.searched.contact:
        out.append(f"    contact: {x.searched.contact}")
    out.extend(f"    gelezen: {s.title} <{s.url}>" for s in x.searched.sources)
    return out


def to_text(c: Coverage) -> str:
    out = [totals_line(c), ""]
    for r in c.regions:
        out.append(
            f"{r.naam} ({r.code or r.id}): {_status_text(r)}; {r.gemeenten_with_rules} van "
            f"{len(r.gemeenten)} gemeenten met eigen regels"
        )
        out.extend(_searched_text(r))
        for rs in r.regional_rulesets:
            out.append(f"  regionaal: {_ruleset_text(rs)}")
            out.extend(f"    bron: {s.title} <{s.url}>" for s in rs.sources)
        for g in r.gemeenten:
            if g.rulesets or g.searched:
                sets = "; ".join(_ruleset_text(rs) for rs in g.rulesets) or "geen regelset"
                follows = f"; volgt {', '.join(g.adopts)}" if g.adopts else ""
                out.append(f"  {g.naam} ({g.code}): {_status_text(g)}; {sets}{follows}")
                out.extend(_searched_text(g))
        if r.not_comparable:
            out.append(
                f"  niet te vergelijken (geen eigen of gevolgde regels): "
                f"{len(r.not_comparable)} van {len(r.gemeenten)} gemeenten"
            )
    return "\n".join(out) + "\n"


def to_html(c: Coverage) -> str:
    """Coverage as one self-contained page (templates/coverage.html)."""
    from api.pages.templating import render

    rows = [
        {
            "r": r,
            "regional": [(rs, _ruleset_text(rs)) for rs in r.regional_rulesets],
            "status": _status_text(r),
            "searched": [line.strip() for line in _searched_text(r)],
        }
        for r in c.regions
    ]
    return render("coverage.html", totals=totals_line(c), rows=rows)
