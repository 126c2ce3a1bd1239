"""The region summary: the Arbeidsinspectie survey's questions 40 and 42, answered from the data,
and a harmonisation index.

Question 40 (are the gemeenten' instruments harmonised with each other?) and 42 (have gemeenten
and UWV harmonised in some way?) were asked of the regions in 2022; here they are computed. An
instrument counts as harmonised between gemeenten when their rules read the same (matrix) and no
profile gets a different outcome (sweep). Instruments that are the same only because national law
makes them so (loonkostensubsidie's frame) are listed apart: that is not the region's doing.
"""

from __future__ import annotations

from collections.abc import Sequence

from engine.analysis.groups import partition
from engine.analysis.matrix import signature
from engine.analysis.model import Q40, Q42, MatrixCell
from engine.analysis.outcomes import OutcomeAnalysis

Q40_ANSWERS = (
    "Ja, alle gemeenten in de regio hebben al hun instrumenten en voorzieningen geharmoniseerd",
    "Ja, een gedeelte van de gemeenten in de regio hebben al hun instrumenten en voorzieningen "
    "geharmoniseerd",
    "Ja, alle gemeenten in de regio hebben een deel van hun instrumenten en voorzieningen "
    "geharmoniseerd",
    "Ja, een gedeelte van de gemeenten in de regio hebben een deel van hun instrumenten en "
    "voorzieningen geharmoniseerd",
    "Nee",
)
Q40_UNKNOWN = "Onbekend: minder dan twee gemeenten van de regio hebben een regelset"
_LAW = "landelijk kader, uitgevoerd door de gemeente"


def q40(matrix: Sequence[MatrixCell], outcomes: OutcomeAnalysis, order: Sequence[str]) -> Q40:
    """`order` holds the gemeenten with rules of their own (own or adopted): a gemeente without
    any cannot be said to have harmonised anything."""
    if len(order) < 2:
        return Q40(
            answer=Q40_UNKNOWN,
            gemeenten=list(order),
            harmonised_instruments=[],
            not_harmonised_instruments=[],
            harmonised_groups=[],
        )
    cells = {(c.instrument, c.authority): c for c in matrix}
    instruments = sorted(
        {c.instrument for c in matrix if c.authority in order and c.offered},
        key=lambda i: list(outcomes.index_per_instrument).index(i),
    )
    by_law = [i for i in instruments if all(cells[(i, g)].via == _LAW for g in order)]
    local = [i for i in instruments if i not in by_law]

    def same(instrument: str) -> dict[str, tuple]:
        return {
            g: (signature(cells[(instrument, g)]), outcomes.digests[instrument][g]) for g in order
        }

    harmonised = [i for i in local if len(set(same(i).values())) == 1]
    whole = partition({g: tuple(same(i)[g] for i in local) for g in order}, list(order))
    groups = [g for g in whole if len(g) > 1]
    partial = any(
        any(1 < len(g) < len(order) for g in partition(same(i), list(order))) for i in local
    )
    true = [
        bool(local) and len(harmonised) == len(local) and len(order) > 1,
        any(1 < len(g) < len(order) for g in groups),
        bool(harmonised),
        partial,
    ]
    answers = [a for a, t in zip(Q40_ANSWERS, true, strict=False) if t] or [Q40_ANSWERS[-1]]
    return Q40(
        answer=answers[0],
        gemeenten=list(order),
        also_true=answers[1:],
        harmonised_instruments=harmonised,
        not_harmonised_instruments=[i for i in local if i not in harmonised],
        uniform_by_law=by_law,
        harmonised_groups=[sorted(g) for g in groups],
    )


Q42_UNKNOWN = "Onbekend: geen gemeentelijke regels"


def q42(matrix: Sequence[MatrixCell], order: Sequence[str]) -> Q42:
    """Gemeenten follow UWV in some way when, for an instrument both offer, the terms they share
    (duration, behoud van uitkering, ...) are the same. `order` holds the gemeenten with rules
    of their own, as for q40: without any there is nothing to answer from (not "Nee", and not
    "Ja" because a regional agreement matches UWV)."""
    if not order:
        return Q42(answer=Q42_UNKNOWN, aligned=[])
    aligned = []
    for uwv in (c for c in matrix if c.authority == "uwv" and c.offered and c.params):
        followers, terms = [], set()
        for g in order:
            cell = next(c for c in matrix if c.authority == g and c.instrument == uwv.instrument)
            shared = set(cell.params) & set(uwv.params)
            if cell.offered and shared and all(cell.params[k] == uwv.params[k] for k in shared):
                followers.append(g)
                terms.update(shared)
        if followers:
            aligned.append(
                {"instrument": uwv.instrument, "gemeenten": followers, "terms": sorted(terms)}
            )
    return Q42(answer="Ja" if aligned else "Nee", aligned=aligned)


def region_index(outcomes: OutcomeAnalysis) -> float | None:
    """The mean of the instrument indexes over the instruments a gemeente or region provides."""
    values = [
        index
        for i in outcomes.municipal
        if (index := outcomes.index_per_instrument.get(i)) is not None
    ]
    return round(sum(values) / len(values), 4) if values else None
