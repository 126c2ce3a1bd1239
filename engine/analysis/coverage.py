"""Coverage: which rule sets exist for each of the arbeidsmarktregio's and their gemeenten,
verified or illustrative, valid from when, from which sources.

Read from the rule base as it is loaded (rule sets, geography): nothing is evaluated.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from engine.model import Source
from engine.rulesets.loader import RuleSet
from engine.rulesets.registry import RuleBase


class RulesetInfo(BaseModel):
    id: str
    authority: str
    version: str
    title: str
    valid_from: date
    valid_to: date | None
    in_force: bool = Field(description="geldt op de peildatum")
    provenance: str
    rules: int
    content_hash: str
    sources: list[Source]


class GemeenteCoverage(BaseModel):
    code: str
    naam: str
    rulesets: list[RulesetInfo] = Field(description="eigen regelsets, alle versies")
    adopts: list[str] = Field(
        description="regionale regelsets die de gemeente op de peildatum volgt"
    )
    has_ruleset: bool = Field(description="een eigen regelset geldt op de peildatum")


class RegionCoverage(BaseModel):
    id: str
    code: str | None
    naam: str
    regional_rulesets: list[RulesetInfo]
    has_regional_ruleset: bool = Field(description="een regionale regelset geldt op de peildatum")
    gemeenten: list[GemeenteCoverage]
    gemeenten_with_ruleset: int


class CoverageTotals(BaseModel):
    regions: int
    regions_with_regional_ruleset: int
    gemeenten: int
    gemeenten_with_ruleset: int
    rulesets_in_force: int
    rules: int = Field(description="regels in de regelsets die op de peildatum gelden")
    verified_rules: int
    verified_share: float = Field(description="aandeel regels uit geverifieerde regelsets")


class Coverage(BaseModel):
    peildatum: date
    regions: list[RegionCoverage]
    national: list[RulesetInfo]
    totals: CoverageTotals


def _info(rs: RuleSet, when: date) -> RulesetInfo:
    return RulesetInfo(
        id=rs.id,
        authority=rs.authority,
        version=rs.version,
        title=rs.title,
        valid_from=rs.valid_from,
        valid_to=rs.valid_to,
        in_force=rs.in_force(when),
        provenance=rs.provenance,
        rules=len(rs.rules),
        content_hash=rs.content_hash,
        sources=list(rs.sources.values()),
    )


def coverage(rb: RuleBase, when: date) -> Coverage:
    by_authority: dict[str, list[RuleSet]] = {}
    for rs in rb.rulesets:
        by_authority.setdefault(rs.authority, []).append(rs)
    regions = []
    for regio in rb.geography.regios:
        gemeenten = []
        for g in sorted(
            (g for g in rb.geography.gemeenten if g.regio == regio.id and g.exists_on(when)),
            key=lambda g: g.naam,
        ):
            own = by_authority.get(f"gemeente:{g.code}", [])
            in_force = [rs for rs in own if rs.in_force(when)]
            gemeenten.append(
                GemeenteCoverage(
                    code=g.code,
                    naam=g.naam,
                    rulesets=[_info(rs, when) for rs in own],
                    adopts=sorted({a for rs in in_force for a in rs.adopts}),
                    has_ruleset=bool(in_force),
                )
            )
        regional = by_authority.get(f"regio:{regio.id}", [])
        regions.append(
            RegionCoverage(
                id=regio.id,
                code=regio.code,
                naam=regio.naam,
                regional_rulesets=[_info(rs, when) for rs in regional],
                has_regional_ruleset=any(rs.in_force(when) for rs in regional),
                gemeenten=gemeenten,
                gemeenten_with_ruleset=sum(g.has_ruleset for g in gemeenten),
            )
        )
    current = [rs for rs in rb.rulesets if rs.in_force(when)]
    rules = sum(len(rs.rules) for rs in current)
    verified = sum(len(rs.rules) for rs in current if rs.provenance == "verified")
    national = [rs for rs in rb.rulesets if rs.authority in ("rijk", "uwv")]
    return Coverage(
        peildatum=when,
        regions=regions,
        national=[_info(rs, when) for rs in national],
        totals=CoverageTotals(
            regions=len(regions),
            regions_with_regional_ruleset=sum(r.has_regional_ruleset for r in regions),
            gemeenten=sum(len(r.gemeenten) for r in regions),
            gemeenten_with_ruleset=sum(r.gemeenten_with_ruleset for r in regions),
            rulesets_in_force=len(current),
            rules=rules,
            verified_rules=verified,
            verified_share=round(verified / rules, 4) if rules else 0.0,
        ),
    )


def totals_line(c: Coverage) -> str:
    """One Dutch line, as the README shows it."""
    t = c.totals
    share = f"{t.verified_share * 100:.1f}".replace(".", ",")
    return (
        f"Dekking op {c.peildatum.strftime('%d-%m-%Y')}: {t.regions_with_regional_ruleset} van "
        f"{t.regions} arbeidsmarktregio's met een regionale regelset, "
        f"{t.gemeenten_with_ruleset} van {t.gemeenten} gemeenten met een eigen regelset; "
        f"{t.rulesets_in_force} regelsets met {t.rules} regels, waarvan {share} % geverifieerd."
    )
