"""harmonisation(region, peildatum) → HarmonisationReport: the matrix, the sweep, the summary, and
optionally the same between two peildata or two regions."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from engine.analysis.coverage import local_rules
from engine.analysis.matrix import build_matrix, describe, signature
from engine.analysis.model import (
    DateComparison,
    HarmonisationReport,
    ProfilesUsed,
    RegionComparison,
    Summary,
)
from engine.analysis.outcomes import OutcomeAnalysis, analyse, in_words
from engine.analysis.profiles import (
    GRID_SIZE,
    Profile,
    check_peildatum,
    placement_for,
    sweep_profiles,
)
from engine.analysis.summary import q40, q42, region_index
from engine.analysis.sweep import Outcome, ProfileRow, Progress, SweepSpec, sweep_shared
from engine.arrangement import Engine
from engine.dates import add_months
from engine.errors import NotFound, PlacementError
from engine.geography import Gemeente, Regio
from engine.heap import batch_heap
from engine.model import Party
from engine.rulesets.registry import RuleBase

DEFAULT_PROFILES = 10_000
DEFAULT_SEED = 2026


@dataclass(frozen=True)
class Options:
    profiles: int = DEFAULT_PROFILES
    seed: int = DEFAULT_SEED
    executor: str = "local"
    workers: int | None = None
    vestigingsgemeente: str | None = None  # default: the region's first gemeente by name
    gemeenten: tuple[str, ...] = ()  # compare these instead of the region's members


def resolve_region(engine: Engine, text: str) -> Regio:
    geo = engine.rulebase.geography
    key = text.strip().lower()
    for r in geo.regios:
        if key in (r.id.lower(), r.naam.lower(), (r.code or "").lower()):
            return r
    close = difflib.get_close_matches(key, [r.id for r in geo.regios], n=3)
    hint = f"; bedoelt u {' of '.join(close)}?" if close else ""
    raise NotFound("region", f"onbekende arbeidsmarktregio {text!r}{hint}")


def _members(engine: Engine, regio: Regio, when: date, chosen: Sequence[str]) -> list[Gemeente]:
    geo = engine.rulebase.geography
    if chosen:
        return [geo.resolve(name, when, "gemeenten") for name in chosen]
    members = sorted(
        (g for g in geo.gemeenten if g.regio == regio.id and g.exists_on(when)),
        key=lambda g: g.naam,
    )
    if not members:
        raise PlacementError("region", f"regio {regio.naam} heeft geen gemeenten op {when}")
    return members


def harmonisation(
    engine: Engine,
    region: str,
    peildatum: date,
    options: Options = Options(),
    progress: Progress | None = None,
    compare_date: date | None = None,
    compare_region: str | None = None,
) -> HarmonisationReport:
    with batch_heap():  # thousands of checks and their analysis: engine/heap.py
        report, rows = _report(engine, region, peildatum, options, progress)
        if compare_date is not None:
            other, other_rows = _report(engine, region, compare_date, options, progress)
            report.compare_date = _compare_dates(engine, report, rows, other, other_rows, options)
        if compare_region is not None:
            elsewhere = replace(options, vestigingsgemeente=None, gemeenten=())
            other, _ = _report(engine, compare_region, peildatum, elsewhere, progress)
            report.compare_region = _compare_regions(report, other)
            report.other_region = other
    return report


def _report(
    engine: Engine, region: str, peildatum: date, options: Options, progress: Progress | None
) -> tuple[HarmonisationReport, list[ProfileRow]]:
    rb = engine.rulebase
    regio = resolve_region(engine, region)
    check_peildatum(peildatum)
    gemeenten = _members(engine, regio, peildatum, options.gemeenten)
    order = [g.code for g in gemeenten]
    vest = (
        rb.geography.resolve(options.vestigingsgemeente, peildatum, "vestigingsgemeente")
        if options.vestigingsgemeente
        else gemeenten[0]
    )
    matrix, rule_differences = build_matrix(engine, gemeenten, peildatum)
    profiles = sweep_profiles(options.profiles, options.seed)
    spec = SweepSpec(tuple(order), vest.code, peildatum)
    rows = sweep_shared(engine, spec, profiles, options.executor, options.workers, progress)
    outcomes = analyse(rb, profiles, rows, order, vest.code, peildatum)
    authorities = {c.authority: c.authority_naam for c in matrix}
    with_rules = [c for c in order if rb.in_force(f"gemeente:{c}", peildatum)]
    index, index_reason = _index(outcomes, with_rules, order)
    # one check per gemeente says which rule sets apply there and which are illustrative
    firsts = [
        engine.check(placement_for(profiles[0], code, vest.code, peildatum)) for code in order
    ]
    notices = [n for a in firsts for n in a.notices if "illustratief" in n]
    notices += [
        f"Uitkomsten zijn vergeleken voor {len(profiles)} profielen per gemeente, met de werkgever "
        f"in {vest.naam}; alleen de woongemeente van de kandidaat verschilt."
    ]
    report = HarmonisationReport(
        region=regio.id,
        region_naam=(
            f"{regio.naam} (eigen selectie van {len(order)} gemeenten)"
            if options.gemeenten
            else regio.naam
        ),
        peildatum=peildatum,
        gemeenten=[Party(code=g.code, naam=g.naam, regio=g.regio) for g in gemeenten],
        authorities=authorities,
        matrix=matrix,
        rule_differences=rule_differences,
        outcome_differences=outcomes.differences,
        heatmap=outcomes.heatmap,
        summary=Summary(
            q40=q40(matrix, outcomes, with_rules),
            q42=q42(matrix, with_rules),
            index=index,
            index_reason=index_reason,
            index_per_instrument=outcomes.index_per_instrument,
            shopping=outcomes.shopping,
        ),
        profiles=ProfilesUsed(
            count=len(profiles),
            grid=min(len(profiles), GRID_SIZE),
            generated=max(0, len(profiles) - GRID_SIZE),
            seed=options.seed,
            vestigingsgemeente=Party(code=vest.code, naam=vest.naam, regio=vest.regio),
            checks=len(profiles) * len(order),
        ),
        illustrative=any(c.provenance == "illustrative" for c in matrix),
        instrument_names={
            c.instrument: rb.catalogue.instruments[c.instrument].naam
            for c in matrix
            if c.instrument in rb.catalogue.instruments
        },
        notices=_unique(notices + [_scope_notice(gemeenten, rb, peildatum)]),
        not_comparable=[
            Party(code=g.code, naam=g.naam, regio=g.regio)
            for g in gemeenten
            if not local_rules(rb, g.code, peildatum)
        ],
        rulesets=list(
            {(r.id, r.version, r.content_hash): r for a in firsts for r in a.rulesets}.values()
        ),
    )
    return report, rows


def _index(
    outcomes: OutcomeAnalysis, with_rules: Sequence[str], order: Sequence[str]
) -> tuple[float | None, str | None]:
    """The region's index, or why there is none: gemeenten without any rule set of their own all
    give national law only, and that sameness is not harmonisation (never "100 %")."""
    if not with_rules:
        return None, (
            f"geen van de {len(order)} gemeenten heeft een eigen regelset: of zij van elkaar of "
            "van de regionale afspraken afwijken, is niet bekend"
        )
    index = region_index(outcomes)
    if index is None:
        return None, "geen gemeente of regio biedt een instrument van zichzelf aan"
    return index, None


def _scope_notice(gemeenten: Sequence[Gemeente], rb: RuleBase, when: date) -> str:
    """Which gemeenten cannot be compared: without rules of their own or adopted regional rules
    their answers show national law (and region-wide rules) only, and looking the same then
    says nothing about harmonisation."""
    without = [g.naam for g in gemeenten if not local_rules(rb, g.code, when)]
    if not without:
        return "Alle gemeenten van de regio hebben eigen of gevolgde regionale regels."
    notes = {n.authority for n in rb.coverage_notes}
    searched = [g.naam for g in gemeenten if g.naam in without and f"gemeente:{g.code}" in notes]
    looked = f"; voor {', '.join(searched)} is gezocht en niets gevonden" if searched else ""
    return (
        f"Niet te vergelijken: {len(without)} van de {len(gemeenten)} gemeenten hebben geen eigen "
        f"regels op {when.strftime('%d-%m-%Y')}: {', '.join(without)}{looked}. Hun uitkomsten "
        "tonen alleen landelijke en eventuele regionale regels; of zij van elkaar afwijken, is "
        "niet bekend (arrangeur coverage)."
    )


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _compare_dates(
    engine: Engine,
    before: HarmonisationReport,
    rows_before: list[ProfileRow],
    after: HarmonisationReport,
    rows_after: list[ProfileRow],
    options: Options,
) -> DateComparison:
    """What changed for the same profiles between two peildata, per gemeente and instrument."""
    old = {(c.instrument, c.authority): c for c in before.matrix}
    new = {(c.instrument, c.authority): c for c in after.matrix}
    matrix_changes = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if a is not None and b is not None and signature(a) == signature(b):
            continue
        matrix_changes.append(
            {
                "instrument": key[0],
                "authority": key[1],
                "voor": describe(a) if a else "geen regels",
                "na": describe(b) if b else "geen regels",
                "regels_voor": a.rules if a else [],
                "regels_na": b.rules if b else [],
            }
        )
    codes = [g.code for g in before.gemeenten]
    profiles = sweep_profiles(options.profiles, options.seed)
    changes: dict[tuple[str, str], dict] = {}
    for profile, r0, r1 in zip(profiles, rows_before, rows_after, strict=True):
        for k, code in enumerate(codes):
            for instrument in sorted(set(r0[k]) | set(r1[k])):
                o0, o1 = r0[k].get(instrument), r1[k].get(instrument)
                if (
                    o0 is not None
                    and o1 is not None
                    and _relative(o0, before.peildatum) == (_relative(o1, after.peildatum))
                ):
                    continue
                entry = changes.setdefault(
                    (instrument, code),
                    {"instrument": instrument, "gemeente": code, "profiles_affected": 0,
                     "example": _change_example(profile, code, o0, o1, before, after)},
                )  # fmt: skip
                entry["profiles_affected"] += 1
    return DateComparison(
        peildatum=before.peildatum,
        compare_date=after.peildatum,
        matrix_changes=matrix_changes,
        outcome_changes=sorted(
            changes.values(),
            key=lambda c: (-c["profiles_affected"], c["instrument"], c["gemeente"]),
        ),
        index_before=before.summary.index,
        index_after=after.summary.index,
    )


def _relative(o: Outcome, peildatum: date) -> tuple:
    """An outcome with its dates written relative to the peildatum and amounts without their
    period label: the same profile on two peildata starts on two dates, so only real changes
    (another duration, another amount, another status) remain."""

    def rel(value: object) -> object:
        if isinstance(value, str) and len(value) == 10 and value[4] == value[7] == "-":
            try:
                d = date.fromisoformat(value)
            except ValueError:
                return value
            months = (d.year - peildatum.year) * 12 + d.month - peildatum.month
            months -= d.day < peildatum.day
            return ("peildatum+", months, (d - add_months(peildatum, months)).days)
        return value

    return (
        o.status,
        o.provider,
        tuple((k, rel(v)) for k, v in o.params),
        tuple(eur for _, eur in o.amounts),
    )


def _change_example(
    profile: Profile, code: str, o0, o1, before: HarmonisationReport, after: HarmonisationReport
) -> dict:
    vest = before.profiles.vestigingsgemeente.code
    return {
        "profile": profile.id,
        "voor": in_words(o0) if o0 else "geen uitkomst",
        "na": in_words(o1) if o1 else "geen uitkomst",
        "placement_voor": placement_for(profile, code, vest, before.peildatum),
        "placement_na": placement_for(profile, code, vest, after.peildatum),
    }


def _compare_regions(a: HarmonisationReport, b: HarmonisationReport) -> RegionComparison:
    instruments = list(
        dict.fromkeys([*a.summary.index_per_instrument, *b.summary.index_per_instrument])
    )
    return RegionComparison(
        regions=[a.region, b.region],
        index={a.region: a.summary.index, b.region: b.summary.index},
        q40={a.region: a.summary.q40.answer, b.region: b.summary.q40.answer},
        q42={a.region: a.summary.q42.answer, b.region: b.summary.q42.answer},
        index_per_instrument={
            i: {
                a.region: a.summary.index_per_instrument.get(i),
                b.region: b.summary.index_per_instrument.get(i),
            }
            for i in instruments
        },
        differences={
            a.region: sum(d.type != "statutory_non_harmonisable" for d in a.outcome_differences),
            b.region: sum(d.type != "statutory_non_harmonisable" for d in b.outcome_differences),
        },
    )
