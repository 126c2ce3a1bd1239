"""The Netherlands as a whole: what one placement gets in each gemeente and region (landelijk
overzicht), and the national harmonisation sweep over every gemeente × many profiles.

Gemeenten whose rule sets in scope are identical (the same content hashes) give the same outcome
for every profile, so they share one computation: a representative is checked and its outcomes
stand for the whole group. Not when one of those rule sets reads where the candidate lives or
the employer is (a regional rule for one member gemeente, `candidate.woongemeente ==
'GM0014'`): then that gemeente's code is part of its key and it is computed on its own. The
region itself is not part of the key: an outcome (status, provider, terms, amounts, local
exception) names a region only through a regional rule set, which is in the hashes. With the
employer in the candidate's own gemeente (a landelijk opererende werkgever), a gemeente's scope
is its own rule sets, the regional ones it adopts or that apply region-wide, and national law;
`Engine.scope` says which, as it does for `check`.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from engine.analysis.outcomes import comparable, in_words
from engine.analysis.profiles import Profile, check_peildatum, sweep_profiles
from engine.analysis.sweep import (
    Outcome,
    Progress,
    SweepSpec,
    outcomes,
    probe,
    reads_gemeente,
    sweep,
)
from engine.arrangement import Engine, parse_placement
from engine.geography import Gemeente
from engine.heap import batch_heap

ScopeKey = tuple[str, tuple[str, ...]]


def current_gemeenten(engine: Engine, when: date) -> list[Gemeente]:
    geo = engine.rulebase.geography
    order = {r.id: i for i, r in enumerate(geo.regios)}
    return sorted(
        (g for g in geo.gemeenten if g.exists_on(when)), key=lambda g: (order[g.regio], g.naam)
    )


def scope_key(engine: Engine, code: str, when: date) -> ScopeKey:
    """The content hashes of the rule sets in force for a candidate and employer in this
    gemeente, and its code if one of them reads a gemeente: equal keys give equal outcomes."""
    scope = engine.scope(probe(code, code, when))
    own = code if any(reads_gemeente(rs) for rs in scope.rulesets) else ""
    return own, tuple(sorted(rs.content_hash for rs in scope.rulesets))


def scope_groups(
    engine: Engine, gemeenten: Sequence[Gemeente], when: date, dedup: bool = True
) -> list[list[str]]:
    """CBS codes that share one computation, in the order given; singletons without dedup."""
    if not dedup:
        return [[g.code] for g in gemeenten]
    groups: dict[ScopeKey, list[str]] = {}
    for g in gemeenten:
        groups.setdefault(scope_key(engine, g.code, when), []).append(g.code)
    return list(groups.values())


# ------------------------------------------------------------------ one placement, everywhere


class GemeenteOutcome(BaseModel):
    code: str
    naam: str
    regio: str
    group: int = Field(description="gemeenten met hetzelfde groepnummer delen hun regels")
    instruments: dict[str, str] = Field(description="per instrument: de uitkomst in woorden")
    status: dict[str, str] = Field(description="per instrument: eligible, needs_assessment, ...")
    providers: dict[str, str] = Field(description="per instrument: wie het aanbiedt")
    eligible: int = Field(
        description="aantal instrumenten waarvoor de plaatsing in aanmerking komt"
    )
    yearly_eur: float = Field(description="indicatief: maandbedragen × 12 plus jaarbedragen")


class RegionOutcome(BaseModel):
    id: str
    naam: str
    gemeenten: int
    distinct_outcomes: int = Field(description="aantal verschillende uitkomsten binnen de regio")
    eligible_min: int
    eligible_max: int
    yearly_eur_min: float
    yearly_eur_max: float


class NationalOverview(BaseModel):
    peildatum: date
    placement: dict[str, Any] = Field(description="de plaatsing; woon- en werkgemeente variëren")
    instruments: dict[str, str] = Field(description="id → naam, in catalogusvolgorde")
    gemeenten: list[GemeenteOutcome]
    regions: list[RegionOutcome]
    computations: int = Field(description="checks uitgevoerd (gemeenten met gelijke regels delen)")
    notices: list[str]


def national_overview(
    engine: Engine, placement: Mapping[str, Any], when: date | None = None, dedup: bool = True
) -> NationalOverview:
    """`placement` is checked with the candidate and the employer in each gemeente in turn."""
    base = dict(placement)
    checked = parse_placement(base)  # invalid input names its field before anything runs
    engine.scope(checked)  # and so do the placement's own gemeenten (unknown, or not yet)
    when = when or checked.reference_date
    if when != checked.reference_date:
        base["peildatum"] = when.isoformat()
    rb = engine.rulebase
    gemeenten = current_gemeenten(engine, when)
    catalogue = rb.catalogue.instruments
    results: dict[str, tuple[dict[str, Outcome], int]] = {}
    groups = scope_groups(engine, gemeenten, when, dedup)
    for number, codes in enumerate(groups):
        data = {
            **base,
            "candidate": {**base["candidate"], "woongemeente": codes[0]},
            "employer": {**base["employer"], "vestigingsgemeente": codes[0]},
        }
        found = outcomes(engine.check(data, explain=False))  # outcomes read no texts
        for code in codes:
            results[code] = (found, number)
    rows = []
    for g in gemeenten:
        found, number = results[g.code]
        offered = {i: o for i, o in found.items() if o.status != "not_eligible"}
        rows.append(
            GemeenteOutcome(
                code=g.code,
                naam=g.naam,
                regio=g.regio,
                group=number,
                instruments={i: in_words(o) for i, o in offered.items()},
                status={i: o.status for i, o in found.items()},
                providers={i: _provider(o, g) for i, o in offered.items()},
                eligible=sum(o.status == "eligible" for o in found.values()),
                yearly_eur=round(sum(o.yearly_eur() for o in found.values()), 2),
            )
        )
    regions = []
    for regio in rb.geography.regios:
        members = [r for r in rows if r.regio == regio.id]
        if not members:
            continue
        distinct = {tuple(sorted(results[r.code][0].items())) for r in members}
        regions.append(
            RegionOutcome(
                id=regio.id,
                naam=regio.naam,
                gemeenten=len(members),
                distinct_outcomes=len(distinct),
                eligible_min=min(r.eligible for r in members),
                eligible_max=max(r.eligible for r in members),
                yearly_eur_min=min(r.yearly_eur for r in members),
                yearly_eur_max=max(r.yearly_eur for r in members),
            )
        )
    without = sum(not rb.in_force(f"gemeente:{g.code}", when) for g in gemeenten)
    return NationalOverview(
        peildatum=when,
        placement=base,
        instruments={i: catalogue[i].naam for i in catalogue},
        gemeenten=rows,
        regions=regions,
        computations=len(groups),
        notices=[
            f"De werkgever is gevestigd in de woongemeente van de kandidaat (landelijk "
            f"opererende werkgever); {len(gemeenten)} gemeenten, {len(groups)} berekeningen.",
            f"{without} van {len(gemeenten)} gemeenten hebben geen eigen regelset: daar gelden "
            "alleen landelijke en eventuele regionale regels.",
            "Bedragen zijn indicatief (een maandbedrag × 12 plus jaarbedragen).",
        ],
    )


def _provider(o: Outcome, g: Gemeente) -> str:
    return f"gemeente:{g.code}" if o.provider == "gemeente" else o.provider


# ------------------------------------------------------------------ the national sweep


class NationalSweep(BaseModel):
    peildatum: date
    gemeenten: int
    profiles: int
    computations: int = Field(description="groepen gemeenten met dezelfde regels (met dedup)")
    checks: int = Field(description="uitgevoerde checks: profielen × groepen")
    dedup: bool
    index: float | None = Field(description="landelijke harmonisatie-index, 0 tot 1")
    index_reason: str | None = None
    index_per_instrument: dict[str, float | None]
    deviation: dict[str, float] = Field(
        description="per CBS-code: aandeel profielen met een andere uitkomst dan de meeste "
        "gemeenten (voor minstens één instrument)"
    )
    digests: dict[str, str] = Field(description="per CBS-code: digest van al zijn uitkomsten")
    groups: list[list[str]]


def national_sweep(
    engine: Engine,
    when: date,
    profile_count: int = 10_000,
    seed: int = 2026,
    executor: str = "local",
    workers: int | None = None,
    dedup: bool = True,
    progress: Progress | None = None,
    gemeenten: Sequence[Gemeente] | None = None,
) -> NationalSweep:
    """Every gemeente (or the ones given) × `profile_count` profiles, through the public check;
    one computation per group of gemeenten with the same rules when `dedup`."""
    check_peildatum(when)
    with batch_heap():  # thousands of checks and their aggregation: engine/heap.py
        members = list(gemeenten) if gemeenten is not None else current_gemeenten(engine, when)
        groups = scope_groups(engine, members, when, dedup)
        profiles = sweep_profiles(profile_count, seed)
        spec = SweepSpec(tuple(g[0] for g in groups), None, when)
        rows = sweep(engine, spec, profiles, executor, workers, progress)
        return _aggregate(engine, when, profiles, rows, groups, [g.code for g in members], dedup)


def _aggregate(
    engine: Engine,
    when: date,
    profiles: Sequence[Profile],
    rows: Sequence[tuple[dict[str, Outcome], ...]],
    groups: list[list[str]],
    order: list[str],
    dedup: bool,
) -> NationalSweep:
    """Weigh each group's outcome by its number of gemeenten: the same figures as if every
    gemeente had been checked on its own."""
    instruments = list(engine.rulebase.catalogue.instruments)
    weights = [len(g) for g in groups]
    total = sum(weights)
    pairs = total * (total - 1) / 2
    agreement: dict[str, list[float]] = {i: [] for i in instruments}
    municipal: set[str] = set()
    deviating = [0] * len(groups)
    encoded: list[list[bytes]] = [[] for _ in groups]  # what each group's digest takes in
    # rows with the same outcome objects compare the same (the sweep shares equal dicts)
    compared_rows: dict[tuple[int, ...], _Compared] = {}
    for row in rows:
        key = tuple(map(id, row))
        found = compared_rows.get(key)
        if found is None:
            found = compared_rows[key] = _compare(row, instruments, weights, pairs)
        for k, data in enumerate(found.encoded):
            encoded[k].append(data)
        municipal |= found.municipal
        for instrument, part in found.agreement:
            agreement[instrument].append(part)
        for k in found.off:
            deviating[k] += 1
    per_instrument = {i: (round(sum(v) / len(v), 4) if v else None) for i, v in agreement.items()}
    known = [
        share for i in instruments if i in municipal and (share := per_instrument[i]) is not None
    ]
    index = round(sum(known) / len(known), 4) if known else None
    reason = None if index is not None else "geen gemeente of regio biedt een eigen instrument"
    deviation: dict[str, float] = {}
    digests: dict[str, str] = {}
    for k, codes in enumerate(groups):
        for code in codes:
            deviation[code] = round(deviating[k] / len(profiles), 4) if profiles else 0.0
            digests[code] = hashlib.sha256(b"".join(encoded[k])).hexdigest()[:16]
    return NationalSweep(
        peildatum=when,
        gemeenten=total,
        profiles=len(profiles),
        computations=len(groups),
        checks=len(profiles) * len(groups),
        dedup=dedup,
        index=index,
        index_reason=reason,
        index_per_instrument=per_instrument,
        deviation={c: deviation[c] for c in order},
        digests={c: digests[c] for c in order},
        groups=groups,
    )


_REFUSED = Outcome("not_eligible", "-", (), (), False)


@dataclass(frozen=True)
class _Compared:
    """One row of the national sweep (a profile's outcomes per group), compared."""

    encoded: tuple[bytes, ...]  # per group, what its digest takes in for this row
    municipal: frozenset[str]  # instruments some gemeente or region provides here
    agreement: tuple[tuple[str, float], ...]  # per instrument offered: share of equal pairs
    off: tuple[int, ...]  # groups outside the norm for at least one instrument


def _compare(
    row: Sequence[dict[str, Outcome]], instruments: Sequence[str], weights: list[int], pairs: float
) -> _Compared:
    parts: list[list[bytes]] = [[] for _ in row]
    municipal: set[str] = set()
    agreement: list[tuple[str, float]] = []
    off = [False] * len(row)
    for instrument in instruments:
        values = [comparable(r.get(instrument, _REFUSED)) for r in row]
        for k, (r, v) in enumerate(zip(row, values, strict=True)):
            parts[k].append(repr((instrument, v)).encode())
            provider = r.get(instrument, _REFUSED).provider
            if provider == "gemeente" or provider.startswith("regio:"):
                municipal.add(instrument)
        counts: Counter = Counter()
        for v, w in zip(values, weights, strict=True):
            counts[v] += w
        if pairs and any(v[0] != "not_eligible" for v in values):
            same = sum(n * (n - 1) / 2 for n in counts.values())
            agreement.append((instrument, same / pairs))
        if len(counts) > 1:
            norm = max(counts.items(), key=lambda kv: (kv[1], repr(kv[0])))[0]
            for k, v in enumerate(values):
                off[k] = off[k] or v != norm
    return _Compared(
        encoded=tuple(b"".join(p) for p in parts),
        municipal=frozenset(municipal),
        agreement=tuple(agreement),
        off=tuple(k for k, flag in enumerate(off) if flag),
    )
