"""Who provides an instrument: the principles of DESIGN.md applied to one instrument's offers.

1. National law (UWV, rijk) binds within its doelgroep; a gemeente cannot change it.
2. The uitkering decides the regie: UWV, or the gemeente where the candidate lives
   (woonplaatsbeginsel), not where the employer is.
3. A gemeente's own rule prevails over the regional arrangement it adopted (local_exception).
"""

from __future__ import annotations

from collections.abc import Callable

from engine.arrange import wording
from engine.arrange.conflicts import local_exceptions, pair_conflicts
from engine.arrange.scope import Scope
from engine.model import Conflict, Entry, Offer, SetAside

STATUS_ORDER = {"eligible": 0, "needs_assessment": 1, "not_eligible": 2}
Label = Callable[[str | None], str]


def preference(offer: Offer, regie: str | None, scope: Scope) -> tuple:
    """Lower is preferred: the better status, then the regie, then national law."""
    return (
        STATUS_ORDER[offer.status],
        0 if offer.authority == regie else 1,
        0 if scope.role(offer.authority) == "national" else 1,
        offer.authority,
        offer.ruleset,
    )


def entry_for(
    instrument: str,
    naam: str,
    group: list[Offer],
    scope: Scope,
    regie: str | None,
    label: Label,
    explain: bool = True,
) -> tuple[Entry, list[Conflict]]:
    """The one entry for an instrument, the offers set aside and the conflicts where they meet."""
    if len(group) == 1 and scope.role(group[0].authority) in ("national", "woon", "regio_woon"):
        # most instruments have one offer, from the candidate's side: it decides, nothing meets
        return _entry(instrument, naam, group[0], [], label, explain), []
    local: list[Offer] = []
    adopted: list[Offer] = []
    national: list[Offer] = []
    elsewhere: list[Offer] = []  # the employer's gemeente and its region
    sides = {"woon": local, "regio_woon": adopted, "national": national}
    for o in group:
        sides.get(scope.role(o.authority), elsewhere).append(o)
    set_aside: list[SetAside] = []
    conflicts: list[Conflict] = []

    if local and adopted:  # principle 3
        conflicts += local_exceptions(instrument, naam, local[0], adopted, label)
        why = wording.set_aside_local(label(local[0].authority))
        set_aside += [SetAside(authority=o.authority, status=o.status, reason=why) for o in adopted]
        adopted = []

    candidates = national + local + adopted  # principles 1 and 2
    chosen = min(candidates, key=lambda o: preference(o, regie, scope)) if candidates else None
    for o in candidates:
        if o is chosen:
            continue
        if o.status == "eligible" and chosen is not None and chosen.status == "eligible":
            why = wording.set_aside_regie(label(chosen.authority))
        elif o.status == "not_eligible":
            why = wording.SET_ASIDE_OUTSIDE
        else:
            why = wording.set_aside_decides(label(chosen.authority if chosen else None))
        set_aside.append(SetAside(authority=o.authority, status=o.status, reason=why))
    if elsewhere:
        woon_why = wording.set_aside_woonplaats(label(scope.woon_authority))
        set_aside += [
            SetAside(authority=o.authority, status=o.status, reason=woon_why) for o in elsewhere
        ]

    if chosen is None:
        only = min(elsewhere, key=lambda o: preference(o, regie, scope))
        conflicts += pair_conflicts(instrument, naam, only, group, label)
        entry = Entry(
            instrument=instrument,
            name=naam,
            authority=None,
            status="not_eligible",
            explanation=(
                wording.only_elsewhere(naam, label(only.authority), scope.woon.naam)
                if explain
                else ""
            ),
            set_aside=set_aside,
        )
        return entry, conflicts
    conflicts += pair_conflicts(instrument, naam, chosen, group, label)
    return _entry(instrument, naam, chosen, set_aside, label, explain), conflicts


def _entry(
    instrument: str,
    naam: str,
    chosen: Offer,
    set_aside: list[SetAside],
    label: Label,
    explain: bool,
) -> Entry:
    return Entry(
        instrument=instrument,
        name=naam,
        authority=chosen.authority,
        status=chosen.status,
        params=chosen.params,
        amounts=chosen.amounts,
        explanation=wording.entry_text(naam, chosen, label(chosen.authority)) if explain else "",
        sources=wording.unique_sources(chosen.reasons, chosen.figures) if explain else [],
        reasons=chosen.reasons,
        missing_facts=chosen.missing_facts,
        set_aside=set_aside,
        provenance=chosen.provenance,
    )
