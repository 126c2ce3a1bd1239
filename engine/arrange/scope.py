"""Which authorities a placement concerns, and their rule sets in force on the peildatum."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from engine.geography import Gemeente
from engine.model import Placement
from engine.rulesets.loader import RuleSet
from engine.rulesets.registry import RuleBase

Role = str  # national | woon | regio_woon | vest | regio_vest


@dataclass(frozen=True)
class Scope:
    peildatum: date
    woon: Gemeente
    vest: Gemeente
    roles: dict[str, Role]  # authority -> its role for this placement
    rulesets: tuple[RuleSet, ...]

    @property
    def woon_authority(self) -> str:
        return f"gemeente:{self.woon.code}"

    def role(self, authority: str) -> Role:
        return self.roles.get(authority, "vest")


def scope_of(rb: RuleBase, placement: Placement) -> Scope:
    """UWV and rijk, the woongemeente and vestigingsgemeente, and the regions they adopted."""
    when = placement.reference_date
    woon = rb.geography.resolve(placement.candidate.woongemeente, when, "candidate.woongemeente")
    vest = rb.geography.resolve(
        placement.employer.vestigingsgemeente, when, "employer.vestigingsgemeente"
    )
    roles: dict[str, Role] = {
        "uwv": "national",
        "rijk": "national",
        f"gemeente:{woon.code}": "woon",
    }
    roles.setdefault(f"gemeente:{vest.code}", "vest")
    chosen: dict[str, RuleSet] = {}
    for authority in list(roles):
        for rs in rb.in_force(authority, when):
            chosen[rs.id] = rs
    for rs in list(chosen.values()):
        local_role = roles.get(rs.authority)
        for adopted in rs.adopts:
            regional = rb.by_id(adopted, when)
            if regional is None:
                continue
            role = "regio_woon" if local_role == "woon" else "regio_vest"
            if roles.get(regional.authority) != "regio_woon":
                roles[regional.authority] = role
            chosen[regional.id] = regional
    # A regional rule set that applies region-wide reaches every gemeente of its region; like an
    # adopted one, a gemeente's own rule still prevails over it (local_exception).
    for g, role in ((woon, "regio_woon"), (vest, "regio_vest")):
        for rs in rb.in_force(f"regio:{g.regio}", when):
            if rs.applies_to == "regio":
                if roles.get(rs.authority) != "regio_woon":
                    roles[rs.authority] = role
                chosen[rs.id] = rs
    ordered = tuple(sorted(chosen.values(), key=lambda rs: (rs.authority, rs.id)))
    return Scope(when, woon, vest, roles, ordered)
