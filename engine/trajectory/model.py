"""Typed models of a trajectory: the request that comes in and the plan month by month.

Money fields are euros rounded to cents (see engine/trajectory/money.py for the rounding rules);
field names are English, the texts a user reads are Dutch.
"""

from __future__ import annotations

import os
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from engine.geography import Werkgeversservicepunt
from engine.model import Flag, Number, Placement, RulesetUsed, Source, Whole

DEFAULT_ISSUER = "Werkgeversservicepunt"
ISSUER_VARIABLE = "ARRANGEUR_OPSTELLER"  # a server's or user's own name on the employer's PDF


def issuer() -> str:
    """Who makes the advice, as set for this installation (the PDF says "Opgesteld door")."""
    return os.environ.get(ISSUER_VARIABLE, "").strip()[:200] or DEFAULT_ISSUER


Phase = Literal["proefplaatsing", "contract", "verlenging"]
# How an instrument's money reaches the employer: a subsidy lowers the net cost; a wage reduction
# (loondispensatie) is already in the lower wage cost; an uitkering is paid to the candidate (no
# wage in a proefplaatsing); insurance and facilities carry no monthly euro.
Kind = Literal["subsidie", "loonreductie", "uitkering", "verzekering", "voorziening"]


class Contact(BaseModel):
    model_config = ConfigDict(extra="forbid")
    naam: str = Field(min_length=1, description="naam contactpersoon")
    organisatie: str | None = Field(None, description="bv. werkgeversservicepunt Haaglanden")
    telefoon: str | None = None
    email: str | None = None


class TrajectoryRequest(BaseModel):
    """A placement, a horizon and the adviser's choices."""

    model_config = ConfigDict(extra="forbid")
    placement: Placement
    maanden: Annotated[int, Whole(1, 120)] = Field(36, description="horizon in maanden")
    proefplaatsing: Flag | None = Field(
        None,
        description="beginnen met een proefplaatsing: ja, nee, of (leeg) als die mogelijk is",
    )
    nodig: list[str] = Field(
        default_factory=list,
        description="instrumenten die de kandidaat nodig heeft (bv. jobcoaching); "
        "tekorten worden gemeld",
    )
    draagkracht_per_maand_eur: Annotated[float, Number(0, 1_000_000)] | None = Field(
        None,
        description="wat de werkgever per maand netto kan dragen "
        "(standaard: loonwaarde × loonkosten)",
    )
    contactpersoon: Contact | None = None


class InstrumentMonth(BaseModel):
    instrument: str
    name: str
    authority: str = Field(description="wie het instrument verstrekt (uwv, rijk, gemeente:…)")
    funder: str = Field(description="wie betaalt (uwv, belastingdienst, gemeente:…, regio:…)")
    eur: float
    kind: Kind
    basis: str = Field(description="hoe het bedrag is berekend, met de waarden")


class Month(BaseModel):
    month: str = Field(description="2025-03")
    phase: Phase
    instruments: list[InstrumentMonth]
    employer_wage_cost_eur: float
    employer_subsidies_eur: float
    employer_net_cost_eur: float
    wage_basis: str
    wage_assumed: bool = Field(description="true als het brutoloon is aangenomen (minimumloon)")


class InstrumentTotal(BaseModel):
    instrument: str
    name: str
    authority: str
    funder: str
    kind: Kind
    eur: float
    months: int = Field(description="aantal maanden actief")


class Period(BaseModel):
    """A calendar year, or the whole horizon: the months summed."""

    period: str = Field(description="2025, of 'totaal'")
    months: int
    instruments: list[InstrumentTotal]
    funders: dict[str, float]
    employer_wage_cost_eur: float
    employer_subsidies_eur: float
    employer_net_cost_eur: float


class PhaseSpan(BaseModel):
    phase: Phase
    start: date
    end: date = Field(description="laatste dag")
    explanation: str


class Obligation(BaseModel):
    date: date
    what: str
    instrument: str | None
    expired: bool = Field(
        False, description="true als de datum vóór de dag ligt waarop het advies is opgesteld"
    )
    source: Source | None = Field(None, description="de tekst die de termijn stelt")


class Alternative(BaseModel):
    choice: str = Field(description="waartussen gekozen wordt: proefplaatsing of lkv")
    option: str
    employer_net_cost_eur: float | None = Field(
        description="netto over de horizon; leeg als niet beschikbaar"
    )
    subsidies_eur: float | None
    best: bool
    explanation: str


class FundingStream(BaseModel):
    instrument: str
    authority: str
    status: str
    why: str


class Gap(BaseModel):
    kind: Literal["kosten", "geen_financier", "te_beoordelen"]
    instrument: str | None
    months: list[str]
    eur: float = Field(description="tekort over deze maanden (0 als het geen geldbedrag is)")
    what: str
    streams: list[FundingStream] = Field(
        default_factory=list, description="regelingen die de regels kennen en het gat kunnen vullen"
    )


class Trajectory(BaseModel):
    start: date
    contract_start: date
    horizon_months: int
    werkgever: str | None = Field(description="naam van de werkgever, als opgegeven")
    woongemeente: str
    vestigingsgemeente: str
    regio: str | None = Field(description="arbeidsmarktregio van de woongemeente (naam)")
    werkgeversservicepunt: Werkgeversservicepunt | None = Field(
        None, description="het werkgeversservicepunt van die regio, met bron (rules/geografie.yaml)"
    )
    regie: str | None
    authorities: dict[str, str]
    phases: list[PhaseSpan]
    months: list[Month]
    years: list[Period]
    total: Period
    obligations: list[Obligation]
    alternatives: list[Alternative]
    gaps: list[Gap]
    assumptions: list[str] = Field(description="aannames die de bedragen dragen")
    notices: list[str]
    contactpersoon: Contact | None
    made_on: date = Field(description="de dag waarop het advies is opgesteld")
    issuer: str = Field(DEFAULT_ISSUER, description="wie het advies heeft opgesteld")
    illustrative: bool
    rulesets: list[RulesetUsed] = Field(
        default_factory=list, description="de gebruikte regelsets: versie en inhoudshash"
    )
    sources: list[Source] = Field(
        default_factory=list,
        description="de teksten waarop de toegekende instrumenten rusten: citaat en link",
    )
