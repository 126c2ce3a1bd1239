"""Typed conflicts: where the offers of authorities, or instruments, meet and disagree."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine import amounts as money
from engine.arrange import wording
from engine.arrange.scope import Scope
from engine.catalogue import Catalogue
from engine.geography import Geography
from engine.model import Conflict, Entry, Offer, Source

Label = Callable[[str | None], str]


def _offer_key(offer: Offer) -> tuple:
    return (offer.status, sorted(offer.params.items()), [(a.period, a.eur) for a in offer.amounts])


def local_exceptions(
    instrument: str, naam: str, local: Offer, adopted: list[Offer], label: Label
) -> list[Conflict]:
    """A gemeente's own rule that answers differently from the regional one it adopted."""
    out = []
    for reg in adopted:
        if _offer_key(reg) == _offer_key(local):
            continue
        resolution, explanation = wording.local_exception(
            naam, label(local.authority), label(reg.authority)
        )
        out.append(
            Conflict(
                type="local_exception",
                instrument=instrument,
                authorities=[local.authority, reg.authority],
                resolution=resolution,
                explanation=explanation,
                sources=wording.unique_sources([*local.reasons, *reg.reasons]),
            )
        )
    return out


def pair_conflicts(
    instrument: str, naam: str, chosen: Offer, group: list[Offer], label: Label
) -> list[Conflict]:
    """Other authorities that decide differently about the same placement."""
    out: list[Conflict] = []
    for o in group:
        if o is chosen or o.authority == chosen.authority:
            continue
        if (
            chosen.status == "eligible"
            and o.status == "eligible"
            and (o.params != chosen.params or o.amounts != chosen.amounts)
        ):
            resolution, explanation = wording.parameter_mismatch(
                naam, label(chosen.authority), chosen, label(o.authority), o
            )
            kind = "parameter_mismatch"
            authorities = [chosen.authority, o.authority]
        elif {chosen.status, o.status} == {"eligible", "not_eligible"} and (
            o.excluded or chosen.excluded
        ):
            admits, excludes = (chosen, o) if chosen.status == "eligible" else (o, chosen)
            resolution, explanation = wording.eligibility_mismatch(
                naam,
                label(chosen.authority),
                label(admits.authority),
                label(excludes.authority),
                excludes.reasons[0].explanation,
            )
            kind = "eligibility_mismatch"
            authorities = [admits.authority, excludes.authority]
        else:
            continue
        out.append(
            Conflict(
                type=kind,
                instrument=instrument,
                authorities=authorities,
                resolution=resolution,
                explanation=explanation,
                sources=wording.unique_sources([*chosen.reasons, *o.reasons]),
            )
        )
    return out


def apply_relations(
    catalogue: Catalogue,
    entries: list[Entry],
    regie: str | None,
    label: Label,
    explain: bool = True,
) -> tuple[list[Entry], list[Conflict]]:
    """Instruments that may not be combined: keep one, say which and why (`explain`)."""
    conflicts: list[Conflict] = []
    by_id = {e.instrument: e for e in entries}
    for rel in catalogue.relations:
        eligible = [
            by_id[i] for i in rel.instruments if i in by_id and by_id[i].status == "eligible"
        ]
        if len(eligible) < 2:
            continue
        if rel.choose == "highest_amount":
            keep = max(eligible, key=lambda e: money.yearly_value(e.amounts))
            how = wording.HIGHEST_COUNTS
        else:
            keep = next((e for e in eligible if e.authority == regie), eligible[0])
            how = wording.set_aside_regie(label(keep.authority)) if keep.authority == regie else ""
        for e in eligible:
            if e is keep:
                continue
            update: dict[str, Any] = {"status": "not_eligible", "amounts": []}
            if explain:
                update["explanation"] = wording.not_combined(
                    e.name, keep.name, how, rel.explanation
                )
                update["sources"] = [*e.sources, rel.source]
            by_id[e.instrument] = e.model_copy(update=update)
        conflicts.append(
            Conflict(
                type=rel.conflict,
                instrument=keep.instrument,
                authorities=sorted({e.authority or "" for e in eligible}),
                resolution=wording.relation(keep.name, label(keep.authority), how),
                explanation=f"{', '.join(e.name for e in eligible)}: {rel.explanation}",
                sources=[rel.source],
            )
        )
    return [by_id[e.instrument] for e in entries], conflicts


def cross_region(geography: Geography, scope: Scope, regie_source: Source | None) -> list[Conflict]:
    """Candidate and employer in different regions: the woonplaatsbeginsel decides, as the
    rule that derived the regie cites."""
    if scope.woon.regio == scope.vest.regio:
        return []
    woon_r, vest_r = geography.regio(scope.woon.regio), geography.regio(scope.vest.regio)
    resolution, explanation = wording.cross_region(
        scope.woon.naam,
        woon_r.naam if woon_r else scope.woon.regio,
        scope.vest.naam,
        vest_r.naam if vest_r else scope.vest.regio,
    )
    return [
        Conflict(
            type="cross_region",
            instrument=None,
            authorities=[scope.woon_authority, f"gemeente:{scope.vest.code}"],
            resolution=resolution,
            explanation=explanation,
            sources=[regie_source] if regie_source else [],
        )
    ]
