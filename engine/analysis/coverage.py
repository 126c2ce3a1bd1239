"""Coverage: which rules are in force for each of the arbeidsmarktregio's and their gemeenten,
verified or illustrative, valid from when, from which sources; and, where there are none,
whether the rule authors looked and found nothing (rules/dekking.yaml, with where they looked)
or nobody has looked yet.

Read from the rule base as it is loaded (rule sets, geography, dekking): nothing is evaluated.
A region or gemeente counts as covered only by a rule in force, never by an empty rule set.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from engine.model import Source, Werkgeversservicepunt
from engine.rulesets.dekking import CoverageNote
from engine.rulesets.loader import RuleSet
from engine.rulesets.registry import RuleBase

Status = Literal["regels", "niets_gevonden", "geen_regelset"]
STATUS_WORDS: dict[str, str] = {
    "regels": "eigen regels",
    "niets_gevonden": "gezocht, niets gevonden",
    "geen_regelset": "geen regelset",
}


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


class CoverageCounts(BaseModel):
    """The rules an authority itself has in force on the peildatum, and what that means."""

    rules_published: int = Field(
        0, description="regels van deze instantie die op de peildatum gelden"
    )
    verified: int = Field(0, description="waarvan uit geverifieerde regelsets")
    illustrative: int = Field(0, description="waarvan uit illustratieve regelsets")
    status: Status = Field(
        "geen_regelset",
        description="regels: er gelden eigen regels; niets_gevonden: gezocht en niets gevonden "
        "(zie searched); geen_regelset: geen regels en geen zoektocht vastgelegd",
    )
    searched: CoverageNote | None = Field(
        None, description="waar en wanneer gezocht is, als de status niets_gevonden is"
    )


class GemeenteCoverage(CoverageCounts):
    code: str
    naam: str
    rulesets: list[RulesetInfo] = Field(description="eigen regelsets, alle versies")
    adopts: list[str] = Field(
        description="regionale regelsets die de gemeente op de peildatum volgt"
    )
    has_ruleset: bool = Field(description="een eigen regelset geldt op de peildatum")
    regional_rules: int = Field(
        0, description="regionale regels die hier gelden (gevolgd of voor de hele regio)"
    )
    comparable: bool = Field(
        False,
        description="eigen of gevolgde regionale regels: de gemeente is met andere te vergelijken",
    )


class RegionCoverage(CoverageCounts):
    id: str
    code: str | None
    naam: str
    regional_rulesets: list[RulesetInfo]
    has_regional_ruleset: bool = Field(description="een regionale regelset geldt op de peildatum")
    gemeenten: list[GemeenteCoverage]
    gemeenten_with_ruleset: int
    gemeenten_with_rules: int = Field(0, description="gemeenten met eigen regels in werking")
    not_comparable: list[str] = Field(
        [], description="gemeenten zonder eigen of gevolgde regels: niet te vergelijken"
    )
    werkgeversservicepunt: Werkgeversservicepunt | None = Field(
        None, description="het werkgeversservicepunt van de regio, met bron (rules/geografie.yaml)"
    )
    werkgeversservicepunt_gezocht: str | None = Field(
        None, description="zonder werkgeversservicepunt: waar en wanneer gezocht, of niet gezocht"
    )


class CoverageTotals(BaseModel):
    regions: int
    regions_with_regional_ruleset: int
    regions_with_rules: int = 0
    regions_verified: int = Field(0, description="regio's waarvan alle regels geverifieerd zijn")
    regions_illustrative: int = 0
    regions_niets_gevonden: int = 0
    regions_geen_regelset: int = 0
    gemeenten: int
    gemeenten_with_ruleset: int
    gemeenten_with_rules: int = 0
    gemeenten_niets_gevonden: int = 0
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


def _counts(in_force: list[RuleSet], note: CoverageNote | None) -> CoverageCounts:
    rules = sum(len(rs.rules) for rs in in_force)
    verified = sum(len(rs.rules) for rs in in_force if rs.provenance == "verified")
    status: Status = "regels" if rules else "niets_gevonden" if note else "geen_regelset"
    return CoverageCounts(
        rules_published=rules,
        verified=verified,
        illustrative=rules - verified,
        status=status,
        searched=note if status == "niets_gevonden" else None,
    )


def local_rules(rb: RuleBase, code: str, when: date) -> int:
    """Rules a gemeente chose on `when`: its own and those of the regional sets it adopts.
    Without any, its answers show national law (and region-wide rules) only, so whether it
    differs from its neighbours is not known: it cannot be compared."""
    own = rb.in_force(f"gemeente:{code}", when)
    adopted = {a for rs in own for a in rs.adopts}
    regional = [rs for a in sorted(adopted) if (rs := rb.by_id(a, when)) is not None]
    return sum(len(rs.rules) for rs in own + regional)


def coverage(rb: RuleBase, when: date) -> Coverage:
    by_authority: dict[str, list[RuleSet]] = {}
    for rs in rb.rulesets:
        by_authority.setdefault(rs.authority, []).append(rs)
    notes = {n.authority: n for n in rb.coverage_notes}
    regions = []
    for regio in rb.geography.regios:
        regional = by_authority.get(f"regio:{regio.id}", [])
        regional_in_force = [rs for rs in regional if rs.in_force(when)]
        region_wide = sum(len(rs.rules) for rs in regional_in_force if rs.applies_to == "regio")
        gemeenten = []
        for g in sorted(
            (g for g in rb.geography.gemeenten if g.regio == regio.id and g.exists_on(when)),
            key=lambda g: g.naam,
        ):
            authority = f"gemeente:{g.code}"
            own = by_authority.get(authority, [])
            in_force = [rs for rs in own if rs.in_force(when)]
            adopts = sorted({a for rs in in_force for a in rs.adopts})
            followed = [rb.by_id(a, when) for a in adopts]
            adopted = sum(
                len(rs.rules) for rs in followed if rs is not None and rs.applies_to is None
            )
            counts = _counts(in_force, notes.get(authority))
            gemeenten.append(
                GemeenteCoverage(
                    **counts.model_dump(exclude={"searched"}),
                    searched=counts.searched,
                    code=g.code,
                    naam=g.naam,
                    rulesets=[_info(rs, when) for rs in own],
                    adopts=adopts,
                    has_ruleset=bool(in_force),
                    regional_rules=adopted + region_wide,
                    comparable=local_rules(rb, g.code, when) > 0,
                )
            )
        counts = _counts(regional_in_force, notes.get(f"regio:{regio.id}"))
        regions.append(
            RegionCoverage(
                **counts.model_dump(exclude={"searched"}),
                searched=counts.searched,
                id=regio.id,
                code=regio.code,
                naam=regio.naam,
                regional_rulesets=[_info(rs, when) for rs in regional],
                werkgeversservicepunt=regio.werkgeversservicepunt,
                werkgeversservicepunt_gezocht=regio.werkgeversservicepunt_gezocht,
                has_regional_ruleset=bool(regional_in_force),
                gemeenten=gemeenten,
                gemeenten_with_ruleset=sum(g.has_ruleset for g in gemeenten),
                gemeenten_with_rules=sum(g.status == "regels" for g in gemeenten),
                not_comparable=[g.naam for g in gemeenten if not g.comparable],
            )
        )
    current = [rs for rs in rb.rulesets if rs.in_force(when)]
    rules = sum(len(rs.rules) for rs in current)
    verified = sum(len(rs.rules) for rs in current if rs.provenance == "verified")
    national = [rs for rs in rb.rulesets if rs.authority in ("rijk", "uwv")]
    with_rules = [r for r in regions if r.status == "regels"]
    all_gemeenten = [g for r in regions for g in r.gemeenten]
    return Coverage(
        peildatum=when,
        regions=regions,
        national=[_info(rs, when) for rs in national],
        totals=CoverageTotals(
            regions=len(regions),
            regions_with_regional_ruleset=sum(r.has_regional_ruleset for r in regions),
            regions_with_rules=len(with_rules),
            regions_verified=sum(r.verified == r.rules_published for r in with_rules),
            regions_illustrative=sum(r.illustrative > 0 for r in with_rules),
            regions_niets_gevonden=sum(r.status == "niets_gevonden" for r in regions),
            regions_geen_regelset=sum(r.status == "geen_regelset" for r in regions),
            gemeenten=len(all_gemeenten),
            gemeenten_with_ruleset=sum(g.has_ruleset for g in all_gemeenten),
            gemeenten_with_rules=sum(g.status == "regels" for g in all_gemeenten),
            gemeenten_niets_gevonden=sum(g.status == "niets_gevonden" for g in all_gemeenten),
            rulesets_in_force=len(current),
            rules=rules,
            verified_rules=verified,
            verified_share=round(verified / rules, 4) if rules else 0.0,
        ),
    )


def totals_line(c: Coverage) -> str:
    """One Dutch line, as the README shows it: only rules in force count as coverage."""
    t = c.totals
    share = f"{t.verified_share * 100:.1f}".replace(".", ",")
    without = t.regions - t.regions_with_rules
    return (
        f"Dekking op {c.peildatum.strftime('%d-%m-%Y')}: {t.regions_with_rules} van {t.regions} "
        f"arbeidsmarktregio's met eigen regels ({t.regions_verified} geverifieerd, "
        f"{t.regions_illustrative} illustratief), {without} zonder: "
        f"{t.regions_niets_gevonden} gezocht en niets gevonden, {t.regions_geen_regelset} zonder "
        f"regelset; {t.gemeenten_with_rules} van {t.gemeenten} gemeenten met eigen regels "
        f"({t.gemeenten_niets_gevonden} gezocht en niets gevonden); {t.rulesets_in_force} "
        f"regelsets met {t.rules} regels in werking, waarvan {share} % geverifieerd."
    )
