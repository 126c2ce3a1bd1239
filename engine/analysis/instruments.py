"""The instrument catalogue to search: every instrument the rule sets in force offer on a date
(national, regional, local), with who offers it, where, for whom, what kind of support, the
amounts, how to apply and whom to ask.

Built from public rule inspection only (the rule base's catalogue, rule sets and geography),
not from the compiler: an offer is what a rule set says about an instrument, not the answer
for one placement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from engine.expressions import BoolOp, Compare, In, ListExpr, Lit, Name, Node, Not, names
from engine.labels import KINDS, kind_of
from engine.rulesets.loader import AmountSpec, Rule, RuleSet
from engine.rulesets.registry import RuleBase

# Doelgroepen as people search for them, and the uitkering values that belong to each.
DOELGROEPEN: dict[str, str] = {
    "bijstand": "bijstand (Participatiewet, IOAW, IOAZ)",
    "zonder-uitkering": "zonder uitkering",
    "ww": "WW",
    "wajong": "Wajong",
    "wia": "WIA, WAO of WAZ",
    "ziektewet": "Ziektewet",
    "banenafspraak": "doelgroepregister banenafspraak",
    "arbeidsbeperking": "arbeidsbeperking",
    "ouderen": "ouderen (leeftijd)",
    "scholingsbelemmerd": "scholingsbelemmerden",
}
_BY_UITKERING = {
    "bijstand": "bijstand", "ioaw": "bijstand", "ioaz": "bijstand", "anw": "bijstand",
    "geen": "zonder-uitkering", "ww": "ww", "wajong": "wajong", "wia_wga": "wia",
    "wia_iva": "wia", "wao": "wia", "waz": "wia", "zw": "ziektewet",
}  # fmt: skip
_BY_FACT = {
    "candidate.doelgroepregister": "banenafspraak",
    "candidate.arbeidsbeperking": "arbeidsbeperking",
    "candidate.wia_minder_dan_35_pct": "arbeidsbeperking",
    "candidate.scholingsbelemmerd": "scholingsbelemmerd",
    "leeftijd_op_startdatum": "ouderen",
}
SCOPES = {"landelijk": "landelijk", "regio": "regionaal", "gemeente": "gemeentelijk"}


@dataclass(frozen=True)
class Offer:
    """What one rule set says about one instrument: its rules, in the file's order."""

    key: str  # "<instrument>--<ruleset id>": unique among the offers on one date
    instrument: str
    naam: str
    omschrijving: str
    kind: str  # a key of engine.labels.KINDS, or ""
    funder: str
    ruleset: RuleSet
    scope: str  # landelijk | regio | gemeente
    regio: str | None  # the region of a regional or local rule set
    gemeente: str | None  # the CBS code of a local rule set
    rules: tuple[Rule, ...]
    doelgroepen: tuple[str, ...]  # keys of DOELGROEPEN; empty: none named in the conditions
    apply: tuple[tuple[str, Any], ...]  # the rules' parameters about applying (aanvragen...)
    amounts: tuple[AmountSpec, ...]
    text: str = field(repr=False, default="")  # what `q` searches, lower case


@dataclass(frozen=True)
class Query:
    regio: str = ""
    gemeente: str = ""  # CBS code
    doelgroep: str = ""
    authority: str = ""  # rijk | uwv | regio | gemeente
    kind: str = ""
    q: str = ""


def _scope(rs: RuleSet, rb: RuleBase) -> tuple[str, str | None, str | None]:
    kind, _, code = rs.authority.partition(":")
    if kind == "regio":
        return "regio", code, None
    if kind == "gemeente":
        g = rb.geography.by_code(code)
        return "gemeente", g.regio if g else None, code
    return "landelijk", None, None


def _uitkering_literals(node: Node) -> set[str]:
    """The uitkering values a condition names (`candidate.uitkering in [...]`, `== 'x'`)."""
    found: set[str] = set()

    def walk(n: Node) -> None:
        match n:
            case In(Name("candidate.uitkering"), items, _):
                found.update(i.value for i in items if isinstance(i, Lit))
            case In(Name("candidate.uitkering"), ListExpr(items), _):
                found.update(i.value for i in items if isinstance(i, Lit))
            case Compare(_, Name("candidate.uitkering"), Lit(v)):
                found.add(str(v))
            case BoolOp(_, items):
                for i in items:
                    walk(i)
            case Not(operand):
                walk(operand)

    walk(node)
    return found


def _regie_values(node: Node) -> set[str]:
    found: set[str] = set()

    def walk(n: Node) -> None:
        match n:
            case Compare("==", Name("regie"), Lit(v)):
                found.add(str(v))
            case BoolOp(_, items):
                for i in items:
                    walk(i)

    walk(node)
    return found


def _doelgroepen(rules: tuple[Rule, ...]) -> tuple[str, ...]:
    """The doelgroepen the eligible and to-be-assessed rules name (exclusions say who not)."""
    groups: set[str] = set()
    for r in rules:
        if r.then == "excluded":
            continue
        uitkering = _uitkering_literals(r.when)
        for regie in _regie_values(r.when):
            uitkering |= _REGIE.get(regie, set())
        groups |= {_BY_UITKERING[u] for u in uitkering if u in _BY_UITKERING}
        used = names(r.when)
        groups |= {g for fact, g in _BY_FACT.items() if fact in used}
    return tuple(k for k in DOELGROEPEN if k in groups)


# The derived fact `regie` (rules/rijk/rijk-feiten.yaml): UWV for these uitkeringen, else the
# gemeente. Kept here as data of the catalogue's doelgroep filter, checked by a test.
_REGIE = {
    "uwv": {"ww", "wajong", "wia_wga", "wia_iva", "wao", "waz", "zw"},
    "gemeente": {"bijstand", "ioaw", "ioaz", "anw", "geen"},
}


def offers(rb: RuleBase, when: date) -> list[Offer]:
    """Every (instrument, rule set) pair of the rule sets in force on `when`."""
    out: list[Offer] = []
    for rs in rb.rulesets:
        if not rs.in_force(when):
            continue
        scope, regio, gemeente = _scope(rs, rb)
        by_instrument: dict[str, list[Rule]] = {}
        for r in rs.rules:
            by_instrument.setdefault(r.instrument, []).append(r)
        for inst, rules in by_instrument.items():
            entry = rb.catalogue.instruments.get(inst)
            naam = entry.naam if entry else inst
            omschrijving = entry.omschrijving if entry else ""
            params = [(k, v) for r in rules for k, v in r.params.items()]
            text = " ".join(
                [naam, omschrijving, rs.title, inst.replace("_", " ")]
                + [r.explanation for r in rules]
            )
            out.append(
                Offer(
                    key=f"{inst}--{rs.id}",
                    instrument=inst,
                    naam=naam,
                    omschrijving=omschrijving,
                    kind=kind_of(inst),
                    funder=entry.funder if entry else "",
                    ruleset=rs,
                    scope=scope,
                    regio=regio,
                    gemeente=gemeente,
                    rules=tuple(rules),
                    doelgroepen=_doelgroepen(tuple(rules)),
                    apply=tuple((k, v) for k, v in params if k.startswith("aanvra")),
                    amounts=tuple(a for r in rules for a in r.amounts),
                    text=text.lower(),
                )
            )
    order = {"landelijk": 0, "regio": 1, "gemeente": 2}
    return sorted(out, key=lambda o: (o.naam.lower(), order[o.scope], o.ruleset.id))


def search(rb: RuleBase, when: date, query: Query) -> list[Offer]:
    """The offers that match every filter given; an unknown region or gemeente matches only
    the national offers (the page says it does not know the name)."""
    regio = query.regio
    if query.gemeente:
        g = rb.geography.by_code(query.gemeente)
        regio = g.regio if g else regio
    words = query.q.lower().split()
    found = []
    for o in offers(rb, when):
        if regio and o.scope != "landelijk" and o.regio != regio:
            continue
        if query.gemeente and o.scope == "gemeente" and o.gemeente != query.gemeente:
            continue
        if (
            query.gemeente
            and o.scope == "regio"
            and not _regional_applies(rb, when, o, query.gemeente)
        ):
            continue
        if query.authority and _authority_kind(o) != query.authority:
            continue
        if query.kind and o.kind != query.kind:
            continue
        if query.doelgroep and o.doelgroepen and query.doelgroep not in o.doelgroepen:
            continue
        if any(w not in o.text for w in words):
            continue
        found.append(o)
    return found


def _authority_kind(o: Offer) -> str:
    return o.ruleset.authority.partition(":")[0]


def _regional_applies(rb: RuleBase, when: date, o: Offer, gemeente: str) -> bool:
    """A regional rule set holds in a gemeente of its region when it applies region-wide or
    a rule set of the gemeente in force adopts it (as engine.arrange.scope decides)."""
    if o.ruleset.applies_to == "regio":
        return True
    own = rb.in_force(f"gemeente:{gemeente}", when)
    return any(o.ruleset.id in rs.adopts for rs in own)


def by_instrument(rb: RuleBase, when: date, instrument: str, query: Query) -> list[Offer]:
    return [o for o in search(rb, when, query) if o.instrument == instrument]


def kinds() -> dict[str, str]:
    return dict(KINDS)


def regio_naam(rb: RuleBase, regio: str | None) -> str:
    r = rb.geography.regio(regio) if regio else None
    return r.naam if r else ""


def contact(rb: RuleBase, o: Offer, regio: str = "") -> str:
    """Whom the employer asks, in words. No contact data is shipped, so the text names the
    desk (the region's werkgeversservicepunt, UWV, the Belastingdienst), never an address."""
    where = regio_naam(rb, o.regio or regio)
    wsp = (
        f"het werkgeversservicepunt van de regio {where}"
        if where
        else ("het werkgeversservicepunt van de regio")
    )
    kind, _, code = o.ruleset.authority.partition(":")
    if kind == "gemeente":
        g = rb.geography.by_code(code)
        return f"gemeente {g.naam if g else code}, via {wsp}"
    if kind == "regio":
        return wsp[0].upper() + wsp[1:]
    if o.funder == "belastingdienst":
        return "de Belastingdienst, via de loonaangifte van de werkgever"
    if kind == "uwv":
        return f"UWV, via {wsp}"
    if o.ruleset.carried_out_by == "woongemeente":
        return f"de woongemeente van de kandidaat, via {wsp}"
    return f"de uitvoerder ({o.funder or 'onbekend'}), via {wsp}"
