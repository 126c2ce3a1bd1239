"""Typed models at the edges: the placement that comes in and the arrangement that goes out.

The placement's fields are also the catalogue of input facts that rules may read
(`candidate.uitkering`, `job.startdatum`, ...): see `engine.facts`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from engine.errors import PlacementError

Uitkering = Literal[
    "bijstand",
    "ioaw",
    "ioaz",
    "ww",
    "wajong",
    "wia_wga",
    "wia_iva",
    "wao",
    "waz",
    "zw",
    "anw",
    "geen",
]
Status = Literal["eligible", "not_eligible", "needs_assessment"]
Provenance = Literal["verified", "illustrative"]
ConflictType = Literal[
    "parameter_mismatch",
    "eligibility_mismatch",
    "statutory_non_harmonisable",
    "local_exception",
    "stacking",
    "cross_region",
]


M = TypeVar("M", bound=BaseModel)


def validate_input(model: type[M], data: Mapping[str, Any], whole: str) -> M:
    """Validate raw input; the first error becomes a PlacementError naming its field path
    (`whole` names the input itself when the error is not about one field)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or whole
        raise PlacementError(field, err["msg"]) from None


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Candidate(_Input):
    woongemeente: str = Field(description="woongemeente (naam of CBS-code)", min_length=1)
    geboortedatum: date = Field(description="geboortedatum")
    uitkering: Uitkering = Field(description="uitkering")
    uitkering_sinds: date | None = Field(None, description="uitkering sinds")
    doelgroepregister: bool | None = Field(None, description="opgenomen in het doelgroepregister")
    loonwaarde_pct: float | None = Field(
        None, ge=0, le=100, description="loonwaarde (% van het wettelijk minimumloon)"
    )
    eerder_in_dienst_bij_werkgever: bool | None = Field(
        None, description="eerder in dienst geweest bij deze werkgever"
    )
    arbeidsbeperking: bool | None = Field(
        None, description="arbeidsbeperking vastgesteld (structurele functionele beperking)"
    )
    doelgroepverklaring_aangevraagd: date | None = Field(
        None, description="datum aanvraag doelgroepverklaring"
    )
    # Wtl art. 2.6 lid 2 and 2.10 lid 1 onder a 7° (texts 2023-2025): groups no uitkering shows.
    wia_minder_dan_35_pct: bool | None = Field(
        None,
        description=(
            "binnen vijf jaar na de WIA-wachttijd minder dan 35 % arbeidsongeschikt verklaard en "
            "niet in staat het werk bij de eigen werkgever te doen"
        ),
    )
    scholingsbelemmerd: bool | None = Field(
        None,
        description=(
            "scholingsbelemmerde: door ziekte of gebrek belemmerd in het onderwijs en binnen vijf "
            "jaar na afronding daarvan aan het werk"
        ),
    )


class Employer(_Input):
    vestigingsgemeente: str = Field(
        description="vestigingsgemeente (naam of CBS-code)", min_length=1
    )
    naam: str | None = Field(None, description="naam werkgever")


class Job(_Input):
    startdatum: date = Field(description="startdatum")
    uren_per_week: float = Field(gt=0, le=60, description="uren per week")
    contract_maanden: float | None = Field(None, ge=0, description="contractduur in maanden")
    brutoloon_per_maand: float | None = Field(None, ge=0, description="brutoloon per maand")
    # Participatiewet art. 10d lid 1 onder b (since 2017-02-01): the college has found the
    # candidate to be in the doelgroep loonkostensubsidie and agreed with the employer to skip
    # the loonwaarde before the job starts (forfaitaire loonkostensubsidie, lid 5). An agreement
    # exists only when stated, so the default is the ordinary route (lid 1 onder a), not unknown.
    # Wtl art. 2.2 lid 2 onder b, 2.6 lid 3 onder b, 2.10 lid 2 onder b, 2.14 lid 2 onder b.
    beschut_werk: bool | None = Field(
        None,
        description=(
            "dienstbetrekking in de sociale werkvoorziening (Wsw art. 2) of beschut werk "
            "(Participatiewet art. 10b)"
        ),
    )
    lks_zonder_loonwaarde: bool = Field(
        False,
        description=(
            "loonkostensubsidie zonder vooraf vastgestelde loonwaarde (doelgroep vastgesteld, "
            "loonwaardebepaling in overleg met de werkgever achterwege gelaten)"
        ),
    )


class Placement(_Input):
    peildatum: date | None = Field(
        None, description="peildatum (standaard: startdatum van de baan)"
    )
    candidate: Candidate
    employer: Employer
    job: Job

    @property
    def reference_date(self) -> date:
        return self.peildatum or self.job.startdatum


# ----------------------------------------------------------------------- output


class Source(BaseModel):
    title: str
    article: str | None = None
    url: str


class Amount(BaseModel):
    period: str = Field(description="een maand (2025-04) of een jaar (2025)")
    eur: float
    basis: str


class Reason(BaseModel):
    """One rule that decided, with the text it encodes."""

    rule: str
    ruleset: str
    explanation: str
    source: Source


class Offer(BaseModel):
    """One authority's conclusion about one instrument for this placement."""

    instrument: str
    authority: str
    ruleset: str
    status: Status
    params: dict[str, Any] = Field(default_factory=dict)
    amounts: list[Amount] = Field(default_factory=list)
    reasons: list[Reason] = Field(default_factory=list)
    figures: list[Source] = Field(
        default_factory=list, description="bronnen van de bedragen en parameters die de regel leest"
    )
    missing_facts: list[str] = Field(default_factory=list)
    excluded: bool = Field(False, description="uitgesloten door een uitzonderingsregel")
    provenance: Provenance


class SetAside(BaseModel):
    authority: str
    status: Status
    reason: str


class Entry(BaseModel):
    """The harmonised result for one instrument."""

    instrument: str
    name: str
    authority: str | None
    status: Status
    params: dict[str, Any] = Field(default_factory=dict)
    amounts: list[Amount] = Field(default_factory=list)
    explanation: str
    sources: list[Source] = Field(default_factory=list)
    reasons: list[Reason] = Field(default_factory=list)
    missing_facts: list[str] = Field(default_factory=list)
    set_aside: list[SetAside] = Field(default_factory=list)
    provenance: Provenance | None = None


class Conflict(BaseModel):
    type: ConflictType
    instrument: str | None
    authorities: list[str]
    resolution: str
    explanation: str


class RulesetUsed(BaseModel):
    id: str
    authority: str
    version: str
    valid_from: date
    valid_to: date | None
    content_hash: str
    provenance: Provenance
    file: str


class Derivation(BaseModel):
    """A derived fact of this check: its value, why, and the text it comes from."""

    fact: str
    value: Any
    explanation: str
    rule: str
    source: Source


class Party(BaseModel):
    code: str
    naam: str
    regio: str | None


class Arrangement(BaseModel):
    peildatum: date
    woongemeente: Party
    vestigingsgemeente: Party
    regie: str | None = Field(description="wie de regie heeft: uwv of gemeente:<code>")
    instruments: list[Entry]
    derivation: list[Derivation] = Field(
        default_factory=list, description="afgeleide feiten met uitleg en bron"
    )
    conflicts: list[Conflict]
    rulesets: list[RulesetUsed]
    missing_facts: list[str]
    notices: list[str] = Field(
        description="mededelingen, bv. geen gemeentelijke regels beschikbaar"
    )
    authorities: dict[str, str] = Field(
        default_factory=dict, description="de instanties in deze plaatsing met hun naam"
    )
    illustrative: bool = Field(description="true als een gebruikte regelset illustratief is")
