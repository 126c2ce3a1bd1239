"""The effect of a rule-set change before it counts: the region's outcome sweep before and after,
the given placements (an organisation's caseload) whose answer would change, and the rule
changes against what is in force now. Only the public `check` is used, on two engines: the one
serving now and one built from the bundle with the draft in force.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from engine.analysis.diff import OutcomeChange, RuleChange, outcome_changes, ruleset_changes
from engine.analysis.national import current_gemeenten
from engine.analysis.outcomes import in_words
from engine.analysis.profiles import sweep_profiles
from engine.analysis.report import _relative, resolve_region
from engine.analysis.sweep import _REFUSED, outcomes
from engine.arrangement import Engine, parse_placement
from engine.errors import EvaluationError, PlacementError
from engine.model import Placement
from engine.rulesets.bundle import load_bundle
from engine.rulesets.loader import RuleSet
from engine.rulesets.store import RuleStore, bundle_with_published

# 72 of the 576 grid profiles: every uitkering, age and contract length (48 or 96 would thin
# the grid to one contract length or two and miss a rule on contract_maanden)
DEFAULT_PREVIEW_PROFILES = 72

LABELS = {
    "region": "Arbeidsmarktregio",
    "peildatum": "Peildatum",
    "rule_changes": "Gewijzigde regels (ten opzichte van wat nu geldt)",
    "outcome_changes": "Andere uitkomsten in de regio (proefprofielen)",
    "placement_changes": "Plaatsingen in de caseload met een ander antwoord",
    "placement_errors": "Plaatsingen die niet te beoordelen waren",
    "profiles": "Aantal proefprofielen per gemeente",
    "gemeenten": "Gemeenten waarin is gecheckt",
    "before": "Nu",
    "after": "Met de wijziging",
    "instrument": "Instrument",
    "ref": "Referentie",
}


class PlacementChange(BaseModel):
    ref: str
    instrument: str
    naam: str = Field(description="naam van het instrument")
    before: str = Field(description="het antwoord nu (Nederlands)")
    after: str = Field(description="het antwoord met de wijziging (Nederlands)")


class PlacementProblem(BaseModel):
    ref: str
    message: str


class Preview(BaseModel):
    """One page of effects for the rule owner and the reviewer; labels in Dutch."""

    region: str
    region_naam: str
    peildatum: date
    rulesets: list[str] = Field(description="de gewijzigde regelsets (id@versie → id@versie)")
    rule_changes: list[RuleChange]
    outcome_changes: list[OutcomeChange]
    profiles: int
    gemeenten: list[str]
    placements_checked: int
    placement_changes: list[PlacementChange]
    placement_errors: list[PlacementProblem]
    summary: str = Field(description="het effect in één zin")
    labels: dict[str, str] = Field(default_factory=lambda: dict(LABELS))


def preview(
    before: Engine,
    after: Engine,
    region: str,
    peildatum: date,
    placements: Mapping[str, Placement | Mapping[str, Any]] | None = None,
    profiles: int = DEFAULT_PREVIEW_PROFILES,
) -> Preview:
    """Compare `before` and `after` on the region on `peildatum`: the outcome sweep of its
    gemeenten (the employer in the candidate's gemeente), the placements (by reference, checked
    on the peildatum, as a re-check on that date would) and the rule sets that differ."""
    regio = resolve_region(after, region)
    codes = [g.code for g in current_gemeenten(after, peildatum) if g.regio == regio.id]
    chosen = sweep_profiles(profiles)
    changed_outcomes = outcome_changes(
        (before, peildatum, codes), (after, peildatum, codes), chosen, "serial"
    )
    pairs, changed_rules = _rule_changes(before, after, regio.id, codes, peildatum)
    naam = {i: c.naam for i, c in after.rulebase.catalogue.instruments.items()}
    placement_changes, errors = _placements(before, after, placements or {}, peildatum, naam)
    return Preview(
        region=regio.id,
        region_naam=regio.naam,
        peildatum=peildatum,
        rulesets=pairs,
        rule_changes=changed_rules,
        outcome_changes=changed_outcomes,
        profiles=len(chosen),
        gemeenten=codes,
        placements_checked=len(placements or {}),
        placement_changes=placement_changes,
        placement_errors=errors,
        summary=_summary(regio.naam, changed_rules, changed_outcomes, placement_changes, codes),
    )


def preview_version(
    store: RuleStore,
    version_id: int,
    peildatum: date | None = None,
    region: str | None = None,
    placements: Mapping[str, Placement | Mapping[str, Any]] | None = None,
    profiles: int = DEFAULT_PREVIEW_PROFILES,
    before: Engine | None = None,
) -> Preview:
    """The preview of a stored version against what is in force now (`before`, else built from
    the store's shipped rules and published versions). Region: the version's own (a gemeente's
    region for a gemeente); for UWV or rijk it must be given. Peildatum: default the later of
    today and the version's first day. Invalid (from the store) when the version does not
    validate: a preview of rules that cannot be loaded shows nothing true."""
    version = store.get(version_id)
    after = Engine(store.rulebase_with(version_id))
    if before is None:
        published = bundle_with_published(store.shipped_root, store)
        before = Engine(load_bundle(published, origin=Path(store.shipped_root.name)))
    name = Path(version.file).name
    versions = after.rulebase.versions(version.ruleset_id)
    new = next((rs for rs in versions if Path(rs.file).name == name), versions[-1])
    when = peildatum or max(date.today(), new.valid_from)
    where = region or _region_of(after, version.authority, when)
    return preview(before, after, where, when, placements, profiles)


def _region_of(engine: Engine, authority: str, when: date) -> str:
    kind, _, code = authority.partition(":")
    if kind == "regio":
        return code
    if kind == "gemeente":
        found = engine.rulebase.geography.by_code(code)
        if found is not None:
            return found.regio
    raise PlacementError(
        "region", f"kies een arbeidsmarktregio voor de voorvertoning van {authority}"
    )


def _rule_changes(
    before: Engine, after: Engine, region: str, codes: list[str], when: date
) -> tuple[list[str], list[RuleChange]]:
    authorities = {f"regio:{region}", "uwv", "rijk", *(f"gemeente:{c}" for c in codes)}

    def in_scope(engine: Engine) -> dict[str, RuleSet]:
        return {
            rs.id: rs
            for rs in engine.rulebase.rulesets
            if rs.authority in authorities and rs.in_force(when)
        }

    return ruleset_changes(in_scope(before), in_scope(after))


def _placements(
    before: Engine,
    after: Engine,
    placements: Mapping[str, Placement | Mapping[str, Any]],
    when: date,
    naam: dict[str, str],
) -> tuple[list[PlacementChange], list[PlacementProblem]]:
    changes: list[PlacementChange] = []
    errors: list[PlacementProblem] = []
    for ref in sorted(placements):
        given = placements[ref]
        data = dict(given.model_dump(mode="json") if isinstance(given, Placement) else given)
        data["peildatum"] = when.isoformat()
        try:
            placement = parse_placement(data)
            old, new = outcomes(before.check(placement)), outcomes(after.check(placement))
        except (PlacementError, EvaluationError) as exc:
            errors.append(PlacementProblem(ref=ref, message=str(exc)))
            continue
        for instrument in sorted(set(old) | set(new)):
            o0, o1 = old.get(instrument, _REFUSED), new.get(instrument, _REFUSED)
            if _relative(o0, when) != _relative(o1, when):
                changes.append(
                    PlacementChange(
                        ref=ref,
                        instrument=instrument,
                        naam=naam.get(instrument, instrument),
                        before=in_words(o0),
                        after=in_words(o1),
                    )
                )
    return changes, errors


def _summary(
    region: str,
    rules: list[RuleChange],
    outcomes_: list[OutcomeChange],
    placements: list[PlacementChange],
    codes: list[str],
) -> str:
    if not rules and not outcomes_ and not placements:
        return f"Geen effect in {region}: dezelfde regels en dezelfde antwoorden."
    refs = len({p.ref for p in placements})
    return (
        f"{len(rules)} regel(s) gewijzigd; in {region} ({len(codes)} gemeenten) krijgen "
        f"{sum(c.profiles_affected for c in outcomes_)} proefprofiel-uitkomsten een ander "
        f"antwoord, en {refs} plaatsing(en) uit de caseload."
    )
