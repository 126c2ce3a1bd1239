"""What changed: between two versions of a rule set, two peildata of a region, or two regions.

Rules are compared as written (rules added, removed, changed, and in which field); answers are
compared by running the harmonisation profiles through the public `check` on both sides and
keeping the profiles whose outcome for an instrument differs (dates relative to the peildatum,
so only real changes remain).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

from engine import labels
from engine.analysis.national import current_gemeenten
from engine.analysis.outcomes import in_words
from engine.analysis.profiles import Profile, placement_for, sweep_profiles
from engine.analysis.report import _relative, resolve_region
from engine.analysis.sweep import _REFUSED, Outcome, SweepSpec, sweep
from engine.analysis.wording import condition_in_words
from engine.arrangement import Engine
from engine.errors import NotFound, PlacementError
from engine.expressions import Node
from engine.format import format_number
from engine.rulesets.loader import Rule, RuleSet
from engine.rulesets.registry import RuleBase

DEFAULT_DIFF_PROFILES = 1_000
_THEN = {
    "eligible": "in aanmerking",
    "excluded": "uitgesloten",
    "needs_assessment": "ter beoordeling",
}
_FIELDS = {
    "instrument": "instrument",
    "when": "voorwaarde",
    "then": "uitkomst",
    "params": "parameters",
    "amounts": "bedragen",
    "explanation": "toelichting",
    "source": "bron",
}


class RuleChange(BaseModel):
    ruleset: str
    rule: str
    instrument: str
    change: Literal["toegevoegd", "verwijderd", "gewijzigd"]
    fields: list[str] = Field([], description="wat er aan de regel veranderde (Nederlands)")
    before: str | None = None
    after: str | None = None


class OutcomeChange(BaseModel):
    instrument: str
    gemeente: str = Field(description="CBS-code (of 'A → B' bij twee regio's)")
    profiles_affected: int
    before: str
    after: str
    example_before: dict[str, Any]
    example_after: dict[str, Any]


class Diff(BaseModel):
    kind: Literal["versions", "dates", "regions"]
    left: str
    right: str
    rulesets: list[str] = Field(description="de vergeleken regelsets (id@versie → id@versie)")
    rule_changes: list[RuleChange]
    outcome_changes: list[OutcomeChange]
    profiles: int
    gemeenten: list[str] = Field(description="woongemeenten waarin de profielen zijn gecheckt")


# ------------------------------------------------------------------------------- rules


def _param_text(value: Any) -> str:
    return repr(value) if isinstance(value, Node) else str(value)


def _signature(rule: Rule) -> dict[str, Any]:
    return {
        "instrument": rule.instrument,
        "when": rule.when_text,
        "then": rule.then,
        "params": sorted((k, _param_text(v)) for k, v in rule.params.items()),
        "amounts": [(a.period, a.eur_text, a.basis) for a in rule.amounts],
        "explanation": " ".join(rule.explanation.split()),
        "source": (rule.source.title, rule.source.article, rule.source.url),
    }


def _shown(value: Any) -> str:
    if isinstance(value, Node):
        return condition_in_words(value)
    return format_number(value) if not isinstance(value, str) else labels.value_label(value)


def rule_text(rule: Rule) -> str:
    """A rule in one Dutch line: outcome, condition, terms, amounts."""
    what = labels.words(rule.instrument)
    text = f"{what}: {_THEN.get(rule.then, rule.then)} als {condition_in_words(rule.when)}"
    if rule.params:
        text += "; " + ", ".join(
            f"{labels.parameter_label(k)} {_shown(v)}" for k, v in rule.params.items()
        )
    for a in rule.amounts:
        text += f"; per {'maand' if a.period == 'month' else 'jaar'}: {a.eur_text}"
    return text


def rule_changes(
    before: Sequence[RuleSet],
    after: Sequence[RuleSet],
    label: str | None = None,
    ignore: Sequence[str] = (),
) -> list[RuleChange]:
    """Rules matched by instrument and rule id across the two sides; `ignore` leaves fields out
    (two regions cite their own sources, which is no difference in the rule)."""
    name = label or (after[0].id if after else before[0].id if before else "?")
    old = {(r.instrument, r.id): r for rs in before for r in rs.rules}
    new = {(r.instrument, r.id): r for rs in after for r in rs.rules}
    out = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if a is None and b is not None:
            out.append(RuleChange(ruleset=name, rule=key[1], instrument=key[0],
                                  change="toegevoegd", after=rule_text(b)))  # fmt: skip
        elif b is None and a is not None:
            out.append(RuleChange(ruleset=name, rule=key[1], instrument=key[0],
                                  change="verwijderd", before=rule_text(a)))  # fmt: skip
        elif a is not None and b is not None:
            sa, sb = _signature(a), _signature(b)
            fields = [_FIELDS[f] for f in sa if sa[f] != sb[f] and f not in ignore]
            if fields:
                out.append(
                    RuleChange(ruleset=name, rule=key[1], instrument=key[0], change="gewijzigd",
                               fields=fields, before=rule_text(a), after=rule_text(b))
                )  # fmt: skip
    return out


# ---------------------------------------------------------------------------- outcomes


def outcome_changes(
    left: tuple[Engine, date, Sequence[str]],
    right: tuple[Engine, date, Sequence[str]],
    profiles: Sequence[Profile],
    executor: str = "serial",
    neutral_region: bool = False,
) -> list[OutcomeChange]:
    """Each side: an engine, a peildatum and woongemeenten (paired by position); the employer is
    in the candidate's gemeente. `neutral_region` compares 'regio:a' and 'regio:b' as equal
    providers (two regions side by side)."""
    sides = []
    for engine, when, codes in (left, right):
        spec = SweepSpec(tuple(codes), None, when)
        sides.append(sweep(engine, spec, profiles, executor))
    pairs = list(zip(left[2], right[2], strict=True))

    def key(o: Outcome, when: date) -> tuple:
        if neutral_region and o.provider.startswith("regio:"):
            o = replace(o, provider="regio")
        return _relative(o, when)

    changes: dict[tuple[str, int], OutcomeChange] = {}
    for profile, row_a, row_b in zip(profiles, sides[0], sides[1], strict=True):
        for k, (code_a, code_b) in enumerate(pairs):
            for instrument in sorted(set(row_a[k]) | set(row_b[k])):
                # an instrument no rule set in scope knows is refused, as everywhere else
                o0 = row_a[k].get(instrument, _REFUSED)
                o1 = row_b[k].get(instrument, _REFUSED)
                if key(o0, left[1]) == key(o1, right[1]):
                    continue
                entry = changes.get((instrument, k))
                if entry is None:
                    entry = changes[(instrument, k)] = OutcomeChange(
                        instrument=instrument,
                        gemeente=code_a if code_a == code_b else f"{code_a} → {code_b}",
                        profiles_affected=0,
                        before=in_words(o0),
                        after=in_words(o1),
                        example_before=placement_for(profile, code_a, code_a, left[1]),
                        example_after=placement_for(profile, code_b, code_b, right[1]),
                    )
                entry.profiles_affected += 1
    return sorted(changes.values(), key=lambda c: (-c.profiles_affected, c.instrument, c.gemeente))


# ------------------------------------------------------------------------ the three diffs


def _where_it_applies(rb: RuleBase, rs: RuleSet, when: date) -> list[str]:
    """A gemeente where this rule set is in scope: its own, one adopting it, or any."""
    gemeenten = [g for g in rb.geography.gemeenten if g.exists_on(when)]
    if rs.authority.startswith("gemeente:"):
        return [rs.authority.split(":", 1)[1]]
    if rs.authority.startswith("regio:"):
        adopting = sorted(
            (g for g in gemeenten
             for own in rb.in_force(f"gemeente:{g.code}", when) if rs.id in own.adopts),
            key=lambda g: g.naam,
        )  # fmt: skip
        if adopting:
            return [adopting[0].code]
        region = rs.authority.split(":", 1)[1]
        members = sorted((g for g in gemeenten if g.regio == region), key=lambda g: g.naam)
        return [members[0].code] if members else [gemeenten[0].code]
    return [sorted(gemeenten, key=lambda g: g.naam)[0].code]


def _only(rb: RuleBase, keep: RuleSet) -> RuleBase:
    """The rule base with `keep` as the only version of its rule set, in force at any date."""
    others = tuple(rs for rs in rb.rulesets if rs.id != keep.id)
    forever = replace(keep, valid_from=date(1900, 1, 1), valid_to=None)
    return replace(rb, rulesets=(*others, forever))


def find_version(rb: RuleBase, text: str) -> RuleSet:
    """`id@version` (or `id`, the latest version)."""
    rs_id, _, version = text.partition("@")
    versions = rb.versions(rs_id)
    if not versions:
        raise NotFound("ruleset", f"onbekende regelset {rs_id!r}")
    if not version:
        return versions[-1]
    found = next((v for v in versions if v.version == version), None)
    if found is None:
        known = ", ".join(v.version for v in versions)
        raise PlacementError("ruleset", f"{rs_id} heeft geen versie {version!r} (wel: {known})")
    return found


def diff_versions(
    engine: Engine,
    a: RuleSet,
    b: RuleSet,
    when: date | None = None,
    profiles: int = DEFAULT_DIFF_PROFILES,
    executor: str = "serial",
    gemeenten: Sequence[str] = (),
) -> Diff:
    """Two versions of one rule set (or any two rule sets of one authority), everything else
    as in force on `when` (default: the later version's first day)."""
    rb = engine.rulebase
    when = when or max(a.valid_from, b.valid_from)
    codes = list(gemeenten) or _where_it_applies(rb, b, when)
    left, right = Engine(_only(rb, a)), Engine(_only(rb, b))
    chosen = sweep_profiles(profiles)
    return Diff(
        kind="versions",
        left=f"{a.id}@{a.version}",
        right=f"{b.id}@{b.version}",
        rulesets=[f"{a.id}@{a.version} → {b.id}@{b.version}"],
        rule_changes=rule_changes([a], [b], b.id),
        outcome_changes=outcome_changes(
            (left, when, codes), (right, when, codes), chosen, executor
        ),
        profiles=len(chosen),
        gemeenten=codes,
    )


def _region_rulesets(rb: RuleBase, region: str, codes: Sequence[str], when: date) -> list[RuleSet]:
    authorities = {f"regio:{region}", "uwv", "rijk", *(f"gemeente:{c}" for c in codes)}
    return [rs for rs in rb.rulesets if rs.authority in authorities and rs.in_force(when)]


def ruleset_changes(
    old: Mapping[str, RuleSet], new: Mapping[str, RuleSet]
) -> tuple[list[str], list[RuleChange]]:
    """Rule sets by id before and after: the version pairs that differ ("a@1 → a@2") and what
    changed in their rules."""
    pairs: list[str] = []
    changes: list[RuleChange] = []
    for rs_id in sorted(set(old) | set(new)):
        a, b = old.get(rs_id), new.get(rs_id)
        if a is not None and b is not None and a.content_hash == b.content_hash:
            continue
        pairs.append(f"{a.key if a else '(geen)'} → {b.key if b else '(geen)'}")
        changes += rule_changes([a] if a else [], [b] if b else [], rs_id)
    return pairs, changes


def diff_dates(
    engine: Engine,
    region: str,
    before: date,
    after: date,
    profiles: int = DEFAULT_DIFF_PROFILES,
    executor: str = "serial",
) -> Diff:
    """A region on two peildata: every rule set in its scope, every gemeente."""
    rb = engine.rulebase
    regio = resolve_region(engine, region)
    codes = [g.code for g in current_gemeenten(engine, after) if g.regio == regio.id]
    old = {rs.id: rs for rs in _region_rulesets(rb, regio.id, codes, before)}
    new = {rs.id: rs for rs in _region_rulesets(rb, regio.id, codes, after)}
    pairs, changes = ruleset_changes(old, new)
    chosen = sweep_profiles(profiles)
    return Diff(
        kind="dates",
        left=before.isoformat(),
        right=after.isoformat(),
        rulesets=pairs,
        rule_changes=changes,
        outcome_changes=outcome_changes(
            (engine, before, codes), (engine, after, codes), chosen, executor
        ),
        profiles=len(chosen),
        gemeenten=codes,
    )


def diff_regions(
    engine: Engine,
    region_a: str,
    region_b: str,
    when: date,
    profiles: int = DEFAULT_DIFF_PROFILES,
    executor: str = "serial",
) -> Diff:
    """Two regions: their regional rule sets side by side, and the answers for a resident of
    each region's first gemeente that adopts its regional rule set (else its first gemeente)."""
    rb = engine.rulebase
    ra, rb_ = resolve_region(engine, region_a), resolve_region(engine, region_b)
    sides = []
    for regio in (ra, rb_):
        regional = rb.in_force(f"regio:{regio.id}", when)
        members = [g for g in current_gemeenten(engine, when) if g.regio == regio.id]
        if not members:
            raise PlacementError("region", f"regio {regio.naam} heeft geen gemeenten op {when}")
        code = _where_it_applies(rb, regional[0], when)[0] if regional else members[0].code
        sides.append((regional, code))
    (set_a, code_a), (set_b, code_b) = sides
    chosen = sweep_profiles(profiles)
    return Diff(
        kind="regions",
        left=ra.id,
        right=rb_.id,
        rulesets=[
            f"{', '.join(rs.key for rs in set_a) or '(geen)'} → "
            f"{', '.join(rs.key for rs in set_b) or '(geen)'}"
        ],
        rule_changes=rule_changes(set_a, set_b, "regionaal", ignore=("source", "explanation")),
        outcome_changes=outcome_changes(
            (engine, when, [code_a]),
            (engine, when, [code_b]),
            chosen,
            executor,
            neutral_region=True,
        ),  # fmt: skip
        profiles=len(chosen),
        gemeenten=[code_a, code_b],
    )


def diff_text(d: Diff, naam: dict[str, str]) -> str:
    """The diff in Dutch, for the terminal and the import's report."""
    title = {
        "versions": "Verschil tussen twee versies",
        "dates": "Verschil tussen twee peildata",
        "regions": "Verschil tussen twee regio's",
    }[d.kind]
    out = [f"{title}: {d.left} → {d.right}"]
    out += [f"  regelset {p}" for p in d.rulesets]
    out.append("Regels:")
    for c in d.rule_changes:
        if c.change == "toegevoegd":
            out.append(f"  + {c.ruleset}/{c.rule}: {c.after}")
        elif c.change == "verwijderd":
            out.append(f"  - {c.ruleset}/{c.rule}: {c.before}")
        else:
            out.append(f"  ~ {c.ruleset}/{c.rule} ({', '.join(c.fields)} gewijzigd)")
            out.append(f"      was:  {c.before}")
            out.append(f"      wordt: {c.after}")
    if not d.rule_changes:
        out.append("  geen wijzigingen")
    places = ", ".join(naam.get(c, c) for c in d.gemeenten)
    out.append(
        f"Plaatsingen met een ander antwoord ({d.profiles} profielen, woonachtig in {places}):"
    )
    for o in d.outcome_changes:
        where = " → ".join(naam.get(x, x) for x in o.gemeente.split(" → "))
        out.append(
            f"  {labels.words(o.instrument)} in {where}: {o.profiles_affected} profielen; "
            f"bijvoorbeeld '{o.before}' wordt '{o.after}'"
        )
    if not d.outcome_changes:
        out.append("  geen")
    return "\n".join(out) + "\n"
