"""Typed models at the edges: the placement that comes in and the arrangement that goes out.

The placement's fields are also the catalogue of input facts that rules may read
(`candidate.uitkering`, `job.startdatum`, ...): see `engine.facts`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    computed_field,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_core import InitErrorDetails, PydanticCustomError

from engine.citations import citation_text
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

# ----------------------------------------------------------------- input domain
# One domain for every face (CLI, API, pages, trajectories): whatever passes it gets a
# complete answer. Dates are those the rules and the calendar arithmetic can serve; numbers
# are finite, not booleans, and have at most DECIMALS decimals, because the Rete network
# (durable_rules) cannot read a number written with an exponent (1e-05). Finer input is
# rounded rather than refused: 33.333333 hours is a real answer to "100 hours over 3 weeks",
# and nothing in the rules turns on the fifth decimal of an hour, a percentage or a euro.

FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(2100, 12, 31)
DECIMALS = 4


def _fail(message: str) -> PydanticCustomError:
    return PydanticCustomError("placement", message)


# Youngest and oldest candidate on the job's startdatum: outside, a date is mistyped (a child
# of 12, a candidate of 110), and the rules were not written for such a person.
MIN_AGE = 15
MAX_AGE = 100

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")  # ASCII digits only: str.isdigit also takes '٢'


def _iso_day(text: str) -> date | None:
    """JJJJ-MM-DD exactly; date.fromisoformat also reads 20250401, 2025-W14-2 and 2025-04-01T…"""
    if not _DAY.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _out_of_range(when: date) -> str | None:
    if FIRST_DATE <= when <= LAST_DATE:
        return None
    return f"datum {when.isoformat()} ligt buiten {FIRST_DATE.year} t/m {LAST_DATE.year}"


def parse_day(text: str) -> date:
    """A date written JJJJ-MM-DD within FIRST_DATE..LAST_DATE, for every face that reads one
    from text (query parameters, form fields, rule files); ValueError with a Dutch message."""
    when = _iso_day(text.strip()) if isinstance(text, str) else None
    if when is None:
        raise ValueError(f"geen geldige datum: {str(text)[:40]!r} (verwacht JJJJ-MM-DD)")
    problem = _out_of_range(when)
    if problem:
        raise ValueError(problem)
    return when


def _date(value: Any) -> date:
    """An ISO date (JJJJ-MM-DD) within FIRST_DATE..LAST_DATE; not a timestamp or datetime."""
    if type(value) is date:  # a datetime is a date too, but not a day
        when = value
    elif isinstance(value, str):
        found = _iso_day(value.strip())
        if found is None:
            raise _fail(f"ongeldige datum {value[:40]!r} (verwacht JJJJ-MM-DD)")
        when = found
    else:
        raise _fail("een datum is tekst in de vorm JJJJ-MM-DD")
    problem = _out_of_range(when)
    if problem:
        raise _fail(problem)
    return when


def _dutch_number(value: float) -> str:
    return (
        f"{value:,.0f}".replace(",", ".") if value == int(value) else f"{value:g}".replace(".", ",")
    )


def _number(low: float, high: float, low_open: bool) -> BeforeValidator:
    """A finite number in [low, high] (or (low, high]), rounded to DECIMALS decimals."""

    def check(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise _fail("moet een getal zijn")
        try:
            number = float(value)
        except (ValueError, OverflowError):
            raise _fail("moet een getal zijn") from None
        if not math.isfinite(number):
            raise _fail("moet een eindig getal zijn")
        rounded = round(number, DECIMALS) + 0.0  # + 0.0: no -0.0
        note = f" (afgerond op {DECIMALS} decimalen: {rounded:g})" if rounded != number else ""
        if low_open and rounded <= low:
            raise _fail(f"moet groter zijn dan {_dutch_number(low)}{note}")
        if rounded < low:
            raise _fail(f"mag niet kleiner zijn dan {_dutch_number(low)}{note}")
        if rounded > high:
            raise _fail(f"mag niet groter zijn dan {_dutch_number(high)}")
        return rounded

    return BeforeValidator(check)


def _whole(low: int, high: int) -> BeforeValidator:
    """A whole number in [low, high]; true/false and 2.5 are refused."""

    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _fail("moet een geheel getal zijn")
        if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
            raise _fail("moet een geheel getal zijn")
        if value < low:
            raise _fail(f"mag niet kleiner zijn dan {low}")
        if value > high:
            raise _fail(f"mag niet groter zijn dan {high}")
        return int(value)

    return BeforeValidator(check)


def _flag(value: Any) -> Any:
    """Booleans only: "ja", 1 or "false" are not silently read as a yes or no."""
    if value is not None and not isinstance(value, bool):
        raise _fail("moet true of false zijn")
    return value


# The strict date type for every model and query parameter: pydantic's own `date` also reads
# 1743465600 (a Unix time) and 2025-04-01T00:00:00.
Datum = Annotated[date, BeforeValidator(_date)]
Flag = Annotated[bool, BeforeValidator(_flag)]


def _bounded(
    validator: BeforeValidator, le: float, ge: float | None = None, gt: float | None = None
) -> FieldInfo:
    """A validator and its bounds as one annotation, `Annotated[float, Number(0, 100)]`: the
    validator runs first (the Dutch message), the bounds are the field's metadata as with
    `Field(ge=..., le=...)`, so they appear in the JSON Schema and in the form's limits."""
    info: FieldInfo = Field(ge=ge, gt=gt, le=le)
    info.metadata.insert(0, validator)
    return info


def Number(low: float, high: float, low_open: bool = False) -> FieldInfo:  # noqa: N802
    """A number field's metadata: `Annotated[float, Number(low, high)]`."""
    if low_open:
        return _bounded(_number(low, high, low_open), le=high, gt=low)
    return _bounded(_number(low, high, low_open), le=high, ge=low)


def Whole(low: int, high: int) -> FieldInfo:  # noqa: N802
    """A whole number field's metadata: `Annotated[int, Whole(low, high)]`."""
    return _bounded(_whole(low, high), ge=low, le=high)


# Dutch for pydantic's own error types, for every face (CLI, API, pages); `{…}` from ctx.
PYDANTIC_DUTCH = {
    "missing": "verplicht veld ontbreekt",
    "extra_forbidden": "onbekend veld",
    "less_than_equal": "mag niet groter zijn dan {le}",
    "less_than": "moet kleiner zijn dan {lt}",
    "greater_than_equal": "mag niet kleiner zijn dan {ge}",
    "greater_than": "moet groter zijn dan {gt}",
    "int_parsing": "moet een geheel getal zijn",
    "int_type": "moet een geheel getal zijn",
    "int_from_float": "moet een geheel getal zijn",
    "float_parsing": "moet een getal zijn",
    "float_type": "moet een getal zijn",
    "finite_number": "moet een eindig getal zijn",
    "bool_parsing": "moet true of false zijn",
    "bool_type": "moet true of false zijn",
    "date_parsing": "moet een datum zijn (JJJJ-MM-DD)",
    "date_from_datetime_parsing": "moet een datum zijn (JJJJ-MM-DD)",
    "date_from_datetime_inexact": "moet een datum zijn zonder tijd",
    "date_type": "moet een datum zijn (JJJJ-MM-DD)",
    "string_type": "moet tekst zijn",
    "string_too_short": "is te kort (ten minste {min_length} tekens)",
    "string_too_long": "is te lang (ten hoogste {max_length} tekens)",
    "string_pattern_mismatch": "heeft niet de juiste vorm",
    "literal_error": "moet een van deze waarden zijn: {expected}",
    "enum": "moet een van deze waarden zijn: {expected}",
    "json_invalid": "ongeldige JSON",
    "json_type": "ongeldige JSON",
    "model_type": "moet een object zijn (veld: waarde)",
    "model_attributes_type": "moet een object zijn (veld: waarde)",
    "dict_type": "moet een object zijn (veld: waarde)",
    "list_type": "moet een lijst zijn",
    "too_long": "te veel elementen (ten hoogste {max_length})",
    "too_short": "te weinig elementen (ten minste {min_length})",
}


def dutch_message(kind: str, ctx: Mapping[str, Any] | None) -> str | None:
    """pydantic's error type in Dutch, its context filled in (None: a type we do not know)."""
    template = PYDANTIC_DUTCH.get(kind)
    if template is None:
        return None
    values = {k: str(v).replace(" or ", " of ") for k, v in (ctx or {}).items()}  # 'a' or 'b'
    try:
        return template.format(**values)
    except (KeyError, IndexError):
        return template.split(" {")[0]


OWN_TEXT = ("placement", "value_error", "assertion_error")  # our validators' Dutch messages


def dutch(err: Mapping[str, Any]) -> str:
    """The one translation of a pydantic error (CLI, API, pages): pydantic's types from the
    table above, our validators' text as written, "ongeldige waarde" for any other type (its
    English text may quote what was sent)."""
    text = dutch_message(err["type"], err.get("ctx"))
    if text is not None:
        return text
    if err["type"] in OWN_TEXT:
        return str(err.get("msg", "ongeldige waarde")).removeprefix("Value error, ")
    return "ongeldige waarde"


class PlacementErrors(PlacementError):
    """Every problem of one input, each naming its field path, in one pass (a user should not
    need a submit per error); `field` and `message` are the first, for faces that show one."""

    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__(*problems[0])
        self.problems = problems

    def __reduce__(self):  # noqa: ANN204
        return (type(self), (self.problems,))


def validate_input(model: type[M], data: Mapping[str, Any], whole: str) -> M:
    """Validate raw input; every error (one per field, the first found) becomes part of a
    PlacementErrors naming its field path (`whole` names the input itself when an error is
    not about one field)."""
    if not isinstance(data, Mapping):
        raise PlacementError(whole, "moet een mapping zijn (veld: waarde)")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems: dict[str, str] = {}
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"]) or whole
            problems.setdefault(field, dutch(err))
        raise PlacementErrors(list(problems.items())) from None


def _refuse(field: tuple[str, ...], value: Any, message: str) -> ValidationError:
    """An error about one field found by a check across fields, located at that field."""
    return ValidationError.from_exception_data(
        "Placement",
        [InitErrorDetails(type=_fail(message), loc=field, input=value)],
    )


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Candidate(_Input):
    woongemeente: str = Field(
        description="woongemeente (naam of CBS-code)", min_length=1, max_length=100
    )
    geboortedatum: Datum = Field(description="geboortedatum")
    uitkering: Uitkering = Field(description="uitkering")
    uitkering_sinds: Datum | None = Field(None, description="uitkering sinds")
    doelgroepregister: Flag | None = Field(None, description="opgenomen in het doelgroepregister")
    loonwaarde_pct: Annotated[float, Number(0, 100)] | None = Field(
        None, description="loonwaarde (% van het wettelijk minimumloon)"
    )
    eerder_in_dienst_bij_werkgever: Flag | None = Field(
        None, description="eerder in dienst geweest bij deze werkgever"
    )
    arbeidsbeperking: Flag | None = Field(
        None, description="arbeidsbeperking vastgesteld (structurele functionele beperking)"
    )
    doelgroepverklaring_aangevraagd: Datum | None = Field(
        None, description="datum aanvraag doelgroepverklaring"
    )
    # Wtl art. 2.6 lid 2 and 2.10 lid 1 onder a 7° (texts 2023-2025): groups no uitkering shows.
    wia_minder_dan_35_pct: Flag | None = Field(
        None,
        description=(
            "binnen vijf jaar na de WIA-wachttijd minder dan 35 % arbeidsongeschikt verklaard en "
            "niet in staat het werk bij de eigen werkgever te doen"
        ),
    )
    scholingsbelemmerd: Flag | None = Field(
        None,
        description=(
            "scholingsbelemmerde: door ziekte of gebrek belemmerd in het onderwijs en binnen vijf "
            "jaar na afronding daarvan aan het werk"
        ),
    )
    # Participatiewet art. 10d lid 2 (texts 2017-02-01 to 2026-01-01): loonkostensubsidie for
    # someone already at work who came from one of these schools in the six months before.
    onderwijs_voor_dienstbetrekking: (
        Literal[
            "praktijkonderwijs", "voortgezet_speciaal_onderwijs", "entreeopleiding", "ander", "geen"
        ]
        | None
    ) = Field(
        None,
        description=(
            "onderwijs gevolgd in de zes maanden vóór de dienstbetrekking (praktijkonderwijs, "
            "voortgezet speciaal onderwijs, entreeopleiding, ander of geen)"
        ),
    )


class Employer(_Input):
    vestigingsgemeente: str = Field(
        description="vestigingsgemeente (naam of CBS-code)", min_length=1, max_length=100
    )
    naam: str | None = Field(None, description="naam werkgever", max_length=200)


class Job(_Input):
    startdatum: Datum = Field(description="startdatum")
    uren_per_week: Annotated[float, Number(0, 60, low_open=True)] = Field(
        description="uren per week"
    )
    # a contract of 0 months is no contract; 600 months (50 years) catches typos
    contract_maanden: Annotated[float, Number(0, 600, low_open=True)] | None = Field(
        None, description="contractduur in maanden"
    )
    # above EUR 100,000 a month is a typo (cents, a year's wage), not a subsidised job
    brutoloon_per_maand: Annotated[float, Number(0, 100_000, low_open=True)] | None = Field(
        None, description="brutoloon per maand"
    )
    # Participatiewet art. 10d lid 4 with Wet minimumloon art. 12 (texts before 2024): the
    # monthly minimum wage holds for the employer's normale arbeidsduur; fewer agreed hours reduce
    # the loonkostensubsidie pro rata. More hours than the normale arbeidsduur (overtime) is a
    # valid placement, so nothing compares the two here; the bound is that of uren_per_week.
    normale_arbeidsduur: Annotated[float, Number(0, 60, low_open=True)] | None = Field(
        None, description="normale arbeidsduur per week bij de werkgever (uren)"
    )
    # Participatiewet art. 10d lid 1 onder b (since 2017-02-01): the college has found the
    # candidate to be in the doelgroep loonkostensubsidie and agreed with the employer to skip
    # the loonwaarde before the job starts (forfaitaire loonkostensubsidie, lid 5). An agreement
    # exists only when stated, so the default is the ordinary route (lid 1 onder a), not unknown.
    # Wtl art. 2.2 lid 2 onder b, 2.6 lid 3 onder b, 2.10 lid 2 onder b, 2.14 lid 2 onder b.
    beschut_werk: Flag | None = Field(
        None,
        description=(
            "dienstbetrekking in de sociale werkvoorziening (Wsw art. 2) of beschut werk "
            "(Participatiewet art. 10b)"
        ),
    )
    # Participatiewet art. 10d lid 1 and 2: lid 1 is for an employer who intends to employ the
    # person, lid 2 for one who already has (application within six months from 2023-07-01).
    # Left out, the ordinary route of lid 1 is assumed, as before this field existed.
    lks_aangevraagd: Datum | None = Field(
        None,
        description=(
            "datum aanvraag loonkostensubsidie (na de startdatum: de werknemer was al in dienst)"
        ),
    )
    lks_zonder_loonwaarde: Flag = Field(
        False,
        description=(
            "loonkostensubsidie zonder vooraf vastgestelde loonwaarde (doelgroep vastgesteld, "
            "loonwaardebepaling in overleg met de werkgever achterwege gelaten)"
        ),
    )


class Placement(_Input):
    peildatum: Datum | None = Field(
        None, description="peildatum (standaard: startdatum van de baan)"
    )
    candidate: Candidate
    employer: Employer
    job: Job

    @model_validator(mode="after")
    def _dates_in_order(self) -> Placement:
        """Dates that contradict each other would give answers about nobody (age -5)."""
        c, start = self.candidate, self.job.startdatum
        born = c.geboortedatum
        if born >= start:
            raise _refuse(
                ("candidate", "geboortedatum"),
                born,
                f"de geboortedatum ({born}) ligt niet vóór de startdatum van de baan ({start})",
            )
        age = start.year - born.year - ((start.month, start.day) < (born.month, born.day))
        if not MIN_AGE <= age <= MAX_AGE:
            raise _refuse(
                ("candidate", "geboortedatum"),
                born,
                f"de kandidaat is op de startdatum van de baan ({start}) {age} jaar; verwacht "
                f"{MIN_AGE} tot en met {MAX_AGE} jaar (geboortedatum {born})",
            )
        if c.uitkering_sinds is not None and not born <= c.uitkering_sinds <= start:
            raise _refuse(
                ("candidate", "uitkering_sinds"),
                c.uitkering_sinds,
                f"uitkering sinds ({c.uitkering_sinds}) ligt niet tussen de geboortedatum "
                f"({born}) en de startdatum van de baan ({start})",
            )
        asked = c.doelgroepverklaring_aangevraagd
        if asked is not None and asked < born:
            raise _refuse(
                ("candidate", "doelgroepverklaring_aangevraagd"),
                asked,
                f"de aanvraag van de doelgroepverklaring ({asked}) ligt vóór de geboortedatum",
            )
        if self.peildatum is not None and self.peildatum < born:
            raise _refuse(
                ("peildatum",),
                self.peildatum,
                f"de peildatum ({self.peildatum}) ligt vóór de geboortedatum ({born})",
            )
        return self

    @property
    def reference_date(self) -> date:
        return self.peildatum or self.job.startdatum


# ----------------------------------------------------------------------- output


class Source(BaseModel):
    """A cited text. From a rule: the regulation's identifier (`bwb` or `cvdr`, or only a
    `url` for a page), the article with lid and onderdeel, the date of the text read, the
    Dutch `citation` and the deep `link` (engine.citations). A parameter's source has only
    title, free-text article and url; its citation is those as written."""

    title: str
    article: str | None = None
    url: str
    bwb: str | None = None
    cvdr: str | None = None
    lid: str | None = None
    onderdeel: str | None = None
    note: str | None = Field(default=None, description="the rest of the reference, as text")
    text_date: date | None = Field(default=None, description="date of the text read")
    link: str | None = Field(default=None, description="deep link to the article")

    @computed_field  # type: ignore[prop-decorator]
    @cached_property
    def citation(self) -> str:
        # kept on the source (built once with its rule set): an answer cites about 60
        return citation_text(
            title=self.title,
            article=self.article,
            lid=self.lid,
            onderdeel=self.onderdeel,
            note=self.note,
            text_date=self.text_date,
            page=not (self.bwb or self.cvdr),
        )

    @property
    def href(self) -> str:
        return self.link or self.url

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Source:
        """A copy whose citation is worded again from its own fields (it is kept per source)."""
        copied = super().model_copy(update=update, deep=deep)
        copied.__dict__.pop("citation", None)
        return copied


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


@dataclass(slots=True)
class Offer:
    """One authority's conclusion about one instrument for this placement: internal to a
    check (the answer shows entries), so a plain dataclass, not a validated model."""

    instrument: str
    authority: str
    ruleset: str
    status: Status
    provenance: Provenance
    params: dict[str, Any] = field(default_factory=dict)
    amounts: list[Amount] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)
    figures: list[Source] = field(default_factory=list)  # sources of the figures it reads
    missing_facts: list[str] = field(default_factory=list)
    excluded: bool = False  # uitgesloten door een uitzonderingsregel
    unmet: list[str] = field(default_factory=list)  # not eligible: the conditions not met
    # the unmet entries are alternative routes (several rules, each would have sufficed)
    unmet_alternatives: bool = False


class SetAside(BaseModel):
    authority: str
    status: Status
    reason: str


AanvraagProvenance = Literal["verified", "illustrative", "niet_vastgesteld"]


class AanvraagPart(BaseModel):
    """One part of how to apply (where, what, deadline, payment), with the text that sets it."""

    text: str
    source: Source | None = Field(None, description="leeg alleen bij niet_vastgesteld")
    provenance: AanvraagProvenance
    date: str | None = Field(None, description="bij de termijn: de datum (JJJJ-MM-DD)")
    ruleset: str | None = Field(None, description="de regelset die dit deel geeft")


class Aanvraag(BaseModel):
    """How to apply for an eligible instrument: where, what is needed, the deadline, the payment."""

    where: AanvraagPart
    what: AanvraagPart
    deadline: AanvraagPart
    payment: AanvraagPart


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
    aanvraag: Aanvraag | None = Field(
        None, description="hoe aan te vragen (alleen bij eligible): waar, wat, termijn, betaling"
    )


class Conflict(BaseModel):
    type: ConflictType
    instrument: str | None
    authorities: list[str]
    resolution: str
    explanation: str
    sources: list[Source] = Field(
        default_factory=list,
        description="de teksten waarop de botsende regels en de oplossing berusten",
    )


class Publication(BaseModel):
    """A rule-set version published from the database by its owner (engine/rulesets/store.py):
    which stored version, who wrote and reviewed it, and who verified its sources."""

    store_version: int = Field(description="nummer van de versie in het regelbeheer (database)")
    organisation: str
    author: str
    reviewed_by: str
    reviewed_at: str | None = None
    verified_by: str | None = Field(
        None, description="wie bij de beoordeling elke regel met haar bron heeft vergeleken"
    )
    verified_at: str | None = None
    published_at: str


class RulesetUsed(BaseModel):
    id: str
    authority: str
    version: str
    valid_from: date
    valid_to: date | None
    content_hash: str
    provenance: Provenance
    file: str
    publication: Publication | None = Field(
        None, description="alleen bij een versie uit het regelbeheer: welke, en wie ze controleerde"
    )


class Derivation(BaseModel):
    """A derived fact of this check: its value, why, and the text it comes from."""

    fact: str
    value: Any
    explanation: str
    rule: str
    source: Source


class WspSource(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str
    url: str
    read: str | None = None  # when the page was read (stored copy), JJJJ-MM-DD


class Werkgeversservicepunt(BaseModel):
    """A region's werkgeversservicepunt: only what a public page said, with that page; a field
    no page gave stays empty (never a guessed phone number or address)."""

    model_config = ConfigDict(extra="forbid")
    naam: str
    adres: str | None = None
    telefoon: str | None = None
    web: str | None = None
    source: WspSource
    note: str | None = None  # what was not found, or what the source is (a news item, 2015)


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
    zonder_eigen_regels: list[str] = Field(
        default_factory=list,
        description="gemeenten in deze plaatsing zonder eigen (gemeentelijke of regionale) regels",
    )
    werkgeversservicepunt: Werkgeversservicepunt | None = Field(
        None, description="het werkgeversservicepunt van de regio van de woongemeente, met bron"
    )
