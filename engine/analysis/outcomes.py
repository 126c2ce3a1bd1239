"""Outcome comparison: where the same profile gets something else only because of where the
candidate lives, typed with the conflict vocabulary, counted, shown with re-runnable examples."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations

from engine.analysis.groups import deviating, partition
from engine.analysis.model import Example, OutcomeDifference, Shopping
from engine.analysis.profiles import Profile, placement_for
from engine.analysis.sweep import _REFUSED as NONE
from engine.analysis.sweep import Outcome, ProfileRow
from engine.analysis.wording import param_label
from engine.format import format_number
from engine.rulesets.registry import RuleBase

MAX_EXAMPLES = 3
_STATUS = {"eligible": "in aanmerking", "needs_assessment": "ter beoordeling",
           "not_eligible": "niet in aanmerking"}  # fmt: skip


def comparable(o: Outcome) -> tuple:
    return (o.status, o.provider, o.params, o.amounts)


def in_words(o: Outcome) -> str:
    text = _STATUS[o.status]
    if o.status != "not_eligible":
        text += f" via {o.provider}"
        if o.params:
            terms = ", ".join(f"{param_label(k)} {format_number(v)}" for k, v in o.params)
            text += f" ({terms})"
        for period, eur in o.amounts:
            per = "per maand" if len(period) == 7 else "per jaar"
            text += f", € {format_number(eur)} {per} ({period})"
    return text


@dataclass
class _Bucket:
    instrument: str
    type: str
    gemeenten: tuple[str, ...]
    groups: list[list[str]]
    count: int = 0
    examples: list[Example] = field(default_factory=list)


@dataclass
class OutcomeAnalysis:
    differences: list[OutcomeDifference]
    index_per_instrument: dict[str, float | None]
    municipal: list[str]  # instruments some gemeente or region provides
    digests: dict[str, dict[str, str]]  # instrument -> gemeente -> digest of all its outcomes
    shopping: Shopping
    heatmap: dict[str, dict[str, float]]  # instrument -> gemeente -> share of profiles deviating


@dataclass(frozen=True)
class _Compared:
    """One instrument in one row (its outcome per gemeente), compared: the same for every
    profile whose outcomes are the same objects (sweep rows share equal dicts)."""

    per_code: dict[str, Outcome]
    encoded: tuple[bytes, ...]  # per gemeente, what its digest takes in
    municipal: bool  # some gemeente or region provides it
    agreement: float | None  # share of equal gemeente pairs; None: nobody offers it
    groups: list[list[str]]
    kind: str
    odd: tuple[str, ...]


@dataclass(frozen=True)
class _RowValue:
    compared: tuple[_Compared, ...]  # per instrument
    differing: tuple[tuple[str, _Compared], ...]  # the instruments whose gemeenten differ
    value: dict[str, float]  # per gemeente, the indicative yearly amount
    offered: dict[str, list[str]]
    gap: float
    differs: bool


def _compare_row(
    row: ProfileRow,
    instruments: Sequence[str],
    order: Sequence[str],
    pairs: list[tuple[int, int]],
    compared_by_outcomes: dict[tuple[int, ...], _Compared],
) -> _RowValue:
    compared = []
    for instrument in instruments:
        outcomes = tuple([row[k].get(instrument, NONE) for k in range(len(order))])
        # the same outcome objects compare the same, whichever row or instrument they are in
        # (the sweep shares equal outcomes; the rows keep them alive, so their ids too)
        key = tuple(map(id, outcomes))
        found = compared_by_outcomes.get(key)
        if found is None:
            found = compared_by_outcomes[key] = _compare(outcomes, order, pairs)
        compared.append(found)
    value = {c: sum(o.yearly_eur() for o in row[k].values()) for k, c in enumerate(order)}
    offered = {
        c: sorted(i for i, o in row[k].items() if o.status == "eligible")
        for k, c in enumerate(order)
    }
    return _RowValue(
        compared=tuple(compared),
        differing=tuple(
            (i, c) for i, c in zip(instruments, compared, strict=True) if len(c.groups) > 1
        ),
        value=value,
        offered=offered,
        gap=max(value.values()) - min(value.values()) if value else 0.0,
        differs=len({tuple(v) for v in offered.values()}) > 1,
    )


def _compare(
    outcomes: tuple[Outcome, ...], order: Sequence[str], pairs: list[tuple[int, int]]
) -> _Compared:
    """One instrument's outcomes in the gemeenten of `order`, compared."""
    per_code = dict(zip(order, outcomes, strict=True))
    values = {c: comparable(o) for c, o in per_code.items()}
    agreement = None
    if any(o.status != "not_eligible" for o in outcomes) and pairs:
        same = sum(values[order[a]] == values[order[b]] for a, b in pairs)
        agreement = same / len(pairs)
    groups = partition(values, list(order))
    if any(o.local_exception for o in outcomes):
        kind = "local_exception"
    elif len({o.status for o in outcomes}) > 1:
        kind = "eligibility_mismatch"
    else:
        kind = "parameter_mismatch"
    return _Compared(
        per_code=per_code,
        encoded=tuple(repr(v).encode() for v in values.values()),
        municipal=any(
            o.provider == "gemeente" or o.provider.startswith("regio:") for o in outcomes
        ),
        agreement=agreement,
        groups=groups,
        kind=kind,
        odd=tuple(deviating(groups)) if len(groups) > 1 else (),
    )


def analyse(
    rb: RuleBase,
    profiles: Sequence[Profile],
    rows: Sequence[ProfileRow],
    order: Sequence[str],
    vest: str,
    peildatum: date,
) -> OutcomeAnalysis:
    instruments = list(rb.catalogue.instruments)
    naam = {i: rb.catalogue.instruments[i].naam for i in instruments}
    buckets: dict[tuple, _Bucket] = {}
    pairs = list(combinations(range(len(order)), 2))
    deviations = {i: dict.fromkeys(order, 0) for i in instruments}
    gaps: list[tuple[float, bool, Profile, dict[str, float], dict[str, list[str]]]] = []
    # rows with the same outcome objects compare the same (the sweep shares equal dicts); the
    # rows stay alive meanwhile, so their ids do too
    compared_rows: dict[tuple[int, ...], _RowValue] = {}
    compared_by_outcomes: dict[tuple[int, ...], _Compared] = {}
    in_order: list[_RowValue] = []  # per profile, its row compared

    def example(profile: Profile, per_code: dict[str, Outcome], codes: list[str]) -> Example:
        return Example(
            profile=profile.id,
            outcomes={c: in_words(per_code[c]) for c in codes},
            placements={c: placement_for(profile, c, vest, peildatum) for c in codes},
        )

    for profile, row in zip(profiles, rows, strict=True):
        key = tuple(map(id, row))
        found = compared_rows.get(key)
        if found is None:
            found = compared_rows[key] = _compare_row(
                row, instruments, order, pairs, compared_by_outcomes
            )
        in_order.append(found)
        for instrument, cmp in found.differing:  # more than one group: someone deviates
            for code in cmp.odd:
                deviations[instrument][code] += 1
            bucket_key = (instrument, cmp.kind, cmp.odd)
            bucket = buckets.get(bucket_key)
            if bucket is None:
                bucket = buckets[bucket_key] = _Bucket(instrument, cmp.kind, cmp.odd, cmp.groups)
            bucket.count += 1
            if len(bucket.examples) < MAX_EXAMPLES:
                bucket.examples.append(example(profile, cmp.per_code, [g[0] for g in cmp.groups]))
        gaps.append((found.gap, found.differs, profile, found.value, found.offered))
    municipal = {
        i
        for found in compared_rows.values()
        for i, cmp in zip(instruments, found.compared, strict=True)
        if cmp.municipal
    }
    # per instrument, in profile order: the agreements (averaged) and, per gemeente, what its
    # digest takes in (the same digest as updating it profile by profile)
    agreement: dict[str, list[float]] = {}
    encoded: dict[str, dict[str, list[bytes]]] = {}
    for k, instrument in enumerate(instruments):
        compared = [found.compared[k] for found in in_order]
        agreement[instrument] = [c.agreement for c in compared if c.agreement is not None]
        encoded[instrument] = {
            code: [c.encoded[j] for c in compared] for j, code in enumerate(order)
        }

    differences = [
        OutcomeDifference(
            instrument=b.instrument,
            type=b.type,
            gemeenten=list(b.gemeenten),
            profiles_affected=b.count,
            share=round(b.count / len(profiles), 4) if profiles else 0.0,
            groups=[
                {"gemeenten": g, "uitkomst": b.examples[0].outcomes.get(g[0], "")} for g in b.groups
            ],
            explanation=_explain(b, naam[b.instrument], len(profiles)),
            examples=b.examples,
        )
        for b in sorted(
            buckets.values(), key=lambda b: (-b.count, b.instrument, b.type, b.gemeenten)
        )
    ]
    differences += _statutory(rb, profiles, rows, order, vest, peildatum, naam)
    return OutcomeAnalysis(
        differences=differences,
        index_per_instrument={
            i: (round(sum(v) / len(v), 4) if v else None) for i, v in agreement.items()
        },
        municipal=[i for i in instruments if i in municipal],
        digests={
            i: {c: hashlib.sha256(b"".join(parts)).hexdigest()[:16] for c, parts in per.items()}
            for i, per in encoded.items()
        },
        shopping=_shopping(gaps, vest, peildatum, len(profiles)),
        heatmap={
            i: {c: round(n / len(profiles), 4) if profiles else 0.0 for c, n in d.items()}
            for i, d in deviations.items()
        },
    )


def _explain(b: _Bucket, naam: str, total: int) -> str:
    what = {
        "local_exception": "een gemeente wijkt met een eigen regel af van de regionale afspraak",
        "eligibility_mismatch": "de ene gemeente biedt het wel, de andere niet (of op beoordeling)",
        "parameter_mismatch": "alle gemeenten bieden het, met een andere duur of een ander bedrag",
    }[b.type]
    return (
        f"{naam}: voor {b.count} van {total} profielen hangt de uitkomst af van de woongemeente; "
        f"{what}."
    )


def _statutory(rb, profiles, rows, order, vest, peildatum, naam) -> list[OutcomeDifference]:
    """A statutory pair (loondispensatie vs loonkostensubsidie) differs by the candidate's
    uitkering, in every gemeente alike: shown as such, not as a gap the region can close."""
    out = []
    for rel in rb.catalogue.relations:
        if rel.conflict != "statutory_non_harmonisable":
            continue
        count, seen = 0, set()
        examples: list[Example] = []
        for profile, row in zip(profiles, rows, strict=True):
            first = row[0] if row else {}
            hits = [i for i in rel.instruments if first.get(i, NONE).status == "eligible"]
            if not hits:
                continue
            count += 1
            if hits[0] not in seen and len(examples) < MAX_EXAMPLES:
                seen.add(hits[0])
                examples.append(
                    Example(
                        profile=profile.id,
                        instrument=hits[0],
                        outcomes={order[0]: f"{naam[hits[0]]}: {in_words(first[hits[0]])}"},
                        placements={order[0]: placement_for(profile, order[0], vest, peildatum)},
                    )
                )
        if count:
            out.append(
                OutcomeDifference(
                    instrument=rel.instruments[0],
                    type="statutory_non_harmonisable",
                    gemeenten=list(order),
                    profiles_affected=count,
                    share=round(count / len(profiles), 4),
                    groups=[{"gemeenten": list(order), "uitkomst": "volgt de regie (uitkering)"}],
                    explanation=(
                        f"{' of '.join(naam[i] for i in rel.instruments)}: welke de werkgever "
                        f"krijgt, hangt af van de uitkering van de kandidaat, in elke gemeente "
                        f"gelijk. {rel.explanation} Wettelijk niet te harmoniseren."
                    ),
                    examples=examples,
                )
            )
    return out


def _shopping(gaps, vest: str, peildatum: date, total: int) -> Shopping:
    """Exposed: the employer gets other instruments, or other amounts, for the same candidate
    depending on the gemeente the candidate lives in."""
    exposed = [g for g in gaps if g[0] > 0.005 or g[1]]
    in_money = [g for g in exposed if g[0] > 0.005]
    if not exposed:
        return Shopping(profiles_exposed=0, share=0.0, mean_gap_eur=0.0, max_gap_eur=0.0)
    gap, _, profile, value, offered = max(exposed, key=lambda g: (g[0], g[1], -g[2].id))
    best_code = max(value, key=lambda c: (value[c], len(offered[c]), c))
    low_code = min(value, key=lambda c: (value[c], len(offered[c]), c))
    return Shopping(
        profiles_exposed=len(exposed),
        share=round(len(exposed) / total, 4),
        profiles_with_money_gap=len(in_money),
        mean_gap_eur=round(sum(g[0] for g in in_money) / len(in_money), 2) if in_money else 0.0,
        max_gap_eur=round(gap, 2),
        example=Example(
            profile=profile.id,
            outcomes={
                c: f"indicatief € {format_number(round(value[c], 2))} per jaar; in aanmerking: "
                + (", ".join(offered[c]) or "niets")
                for c in (best_code, low_code)
            },
            placements={
                c: placement_for(profile, c, vest, peildatum) for c in (best_code, low_code)
            },
        ),
    )
