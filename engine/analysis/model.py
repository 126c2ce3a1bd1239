"""The harmonisation report: what a region's gemeenten, its regional rule sets and UWV offer, and
where outcomes for the same placement differ only because of where the candidate lives."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from engine.model import ConflictType, Party, RulesetUsed, Source


class MatrixCell(BaseModel):
    """One instrument at one authority (a gemeente's column shows what its residents get)."""

    instrument: str
    authority: str = Field(description="CBS-code van de gemeente, regio:<id>, uwv of rijk")
    authority_naam: str
    offered: bool
    via: str | None = Field(None, description="eigen regels, regionale regels of landelijk kader")
    statuses: list[str] = []
    doelgroep: list[str] = Field([], description="uitkeringen en kenmerken in de voorwaarden")
    conditions: list[str] = []
    params: dict[str, Any] = Field({}, description="duur, uren, tarieven zoals de regel ze geeft")
    amounts: list[str] = Field([], description="formules van de bedragen")
    rules: list[str] = []
    sources: list[Source] = []
    provenance: str | None = None


class RuleDifference(BaseModel):
    instrument: str
    type: ConflictType
    authorities: list[str]
    gemeenten: list[str] = Field(description="CBS-codes die afwijken")
    explanation: str


class Example(BaseModel):
    """A placement a person can save as YAML and re-run with `arrangeur check`."""

    profile: int
    instrument: str | None = Field(
        None, description="als het voorbeeld over een ander instrument gaat"
    )
    outcomes: dict[str, str] = Field(description="per CBS-code: de uitkomst in woorden")
    placements: dict[str, dict[str, Any]] = Field(description="per CBS-code: de plaatsing")


class OutcomeDifference(BaseModel):
    instrument: str
    type: ConflictType
    gemeenten: list[str] = Field(description="CBS-codes waarvan de uitkomst afwijkt")
    profiles_affected: int
    share: float = Field(description="aandeel van de profielen")
    groups: list[dict[str, Any]] = Field(description="welke gemeenten dezelfde uitkomst geven")
    explanation: str
    examples: list[Example]


class Q40(BaseModel):
    answer: str = Field(description="het antwoord op vraag 40 van de Inspectie-enquête")
    gemeenten: list[str] = Field([], description="de gemeenten met een regelset, waarover berekend")
    also_true: list[str] = []
    harmonised_instruments: list[str]
    not_harmonised_instruments: list[str]
    uniform_by_law: list[str] = Field(
        [], description="gelijk omdat de wet het zo regelt, niet door harmonisatie"
    )
    harmonised_groups: list[list[str]] = Field(
        description="groepen gemeenten die al hun instrumenten gelijk hebben"
    )


class Q42(BaseModel):
    answer: str
    aligned: list[dict[str, Any]] = Field(description="instrumenten waarin gemeenten UWV volgen")


class Shopping(BaseModel):
    """How much an employer gains by choosing a candidate from one gemeente over another."""

    profiles_exposed: int = Field(description="profielen met andere instrumenten of bedragen")
    share: float
    profiles_with_money_gap: int = 0
    mean_gap_eur: float = Field(description="gemiddeld verschil in indicatief jaarbedrag")
    max_gap_eur: float
    example: Example | None = None


class Summary(BaseModel):
    q40: Q40
    q42: Q42
    index: float | None = Field(description="harmonisatie-index van de regio, 0 tot 1")
    index_reason: str | None = Field(
        None, description="waarom de index onbekend is (index null), in woorden"
    )
    index_per_instrument: dict[str, float | None]
    shopping: Shopping


class ProfilesUsed(BaseModel):
    count: int
    grid: int
    generated: int
    seed: int
    vestigingsgemeente: Party
    checks: int


class DateComparison(BaseModel):
    peildatum: date
    compare_date: date
    matrix_changes: list[dict[str, Any]]
    outcome_changes: list[dict[str, Any]]
    index_before: float | None
    index_after: float | None


class RegionComparison(BaseModel):
    regions: list[str]
    index: dict[str, float | None]
    q40: dict[str, str]
    q42: dict[str, str]
    index_per_instrument: dict[str, dict[str, float | None]]
    differences: dict[str, int]


class HarmonisationReport(BaseModel):
    region: str
    region_naam: str
    peildatum: date
    gemeenten: list[Party]
    authorities: dict[str, str]
    matrix: list[MatrixCell]
    rule_differences: list[RuleDifference]
    outcome_differences: list[OutcomeDifference]
    heatmap: dict[str, dict[str, float]] = Field(
        description="per instrument en gemeente: aandeel profielen met een afwijkende uitkomst"
    )
    summary: Summary
    profiles: ProfilesUsed
    illustrative: bool
    notices: list[str]
    not_comparable: list[Party] = Field(
        default_factory=list,
        description="gemeenten zonder eigen of gevolgde regels op de peildatum: hun uitkomsten "
        "tonen alleen landelijke en regionale regels, dus niet te vergelijken",
    )
    rulesets: list[RulesetUsed] = Field(
        default_factory=list,
        description="de regelsets die voor deze gemeenten op de peildatum gelden: versie en "
        "inhoudshash",
    )
    instrument_names: dict[str, str] = Field(
        default_factory=dict, description="de naam van elk instrument, voor wie het rapport leest"
    )
    compare_date: DateComparison | None = None
    compare_region: RegionComparison | None = None
    other_region: HarmonisationReport | None = None
