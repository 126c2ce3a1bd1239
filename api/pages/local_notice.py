"""Issue 25 point 6: a gemeente without rules of its own (Texel, Vaals) is said at the top of
the arrangement, in plain words, with the region's werkgeversservicepunt as the place to ask.

The engine's notice (engine/arrange/local_layer.py) stays in the JSON and CLI answers; the page
shows this plain version first and leaves the engine's one out of its "Mededelingen".
The werkgeversservicepunt of the woongemeente's region is named with its source where
rules/geografie.yaml has it (issue 24).
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.model import Arrangement
from engine.rulesets.registry import RuleBase


@dataclass(frozen=True)
class NoLocalRules:
    naam: str
    who: str  # "De kandidaat woont daar", "De werkgever is daar gevestigd", or both
    regio: str  # the arbeidsmarktregio's name
    regional: bool  # the region's own agreements were assessed


def no_local_rules(a: Arrangement, rb: RuleBase) -> tuple[list[NoLocalRules], list[str]]:
    """(the gemeenten of the placement without a rule set of their own, the other notices)."""
    authorities = {rs.authority for rs in a.rulesets}
    found: list[NoLocalRules] = []
    prefixes: list[str] = []
    same = a.woongemeente.code == a.vestigingsgemeente.code
    who = {
        "woon": "De kandidaat woont daar" + (" en de werkgever is daar gevestigd" if same else ""),
        "vest": "De werkgever is daar gevestigd",
    }
    for party, role in ((a.woongemeente, "woon"), (a.vestigingsgemeente, "vest")):
        if f"gemeente:{party.code}" in authorities or (same and role == "vest"):
            continue
        regio = rb.geography.regio(party.regio) if party.regio else None
        found.append(
            NoLocalRules(
                party.naam,
                who[role],
                regio.naam if regio else "",
                f"regio:{party.regio}" in authorities,
            )
        )
        prefixes.append(f"Voor gemeente {party.naam} ({party.code}) is geen gemeentelijke")
    rest = [n for n in a.notices if not n.startswith(tuple(prefixes))] if prefixes else a.notices
    return found, list(rest)
