"""Sweeps in batches (issue 26) give what checking every placement on its own gives: the rows of
the batched sweep (checks without explanations, each profile validated once, equal outcomes
shared, chunks over processes) equal `outcomes(engine.check(placement))` one by one, and the
region report's analysis and the national sweep's figures equal those computed from such rows."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import date

import pytest

from engine.analysis.outcomes import analyse, comparable
from engine.analysis.profiles import placement_for, sweep_profiles
from engine.analysis.sweep import _REFUSED, SweepSpec, outcomes, sweep
from engine.arrangement import Engine

PEIL = date(2025, 6, 1)
HAAGLANDEN = ("GM0503", "GM0518", "GM1842", "GM0603", "GM1783")  # Delft, Den Haag, ... Westland


@pytest.fixture(scope="module")
def profiles():
    # grid profiles and generated ones (the grid is the first 576)
    return sweep_profiles(900)[::6]


def _one_by_one(engine: Engine, spec: SweepSpec, profiles) -> list[tuple]:
    """The reference: every placement built, validated and checked on its own, with
    explanations, as a user's check is."""
    return [
        tuple(
            outcomes(
                engine.check(
                    placement_for(p, woon, spec.vestigingsgemeente or woon, spec.peildatum)
                )
            )
            for woon in spec.gemeenten
        )
        for p in profiles
    ]


@pytest.mark.parametrize("vest", ["GM0503", None])  # region report; national (employer at home)
def test_batched_rows_equal_the_one_by_one_checks(engine, profiles, vest):
    spec = SweepSpec(HAAGLANDEN, vest, PEIL)
    reference = _one_by_one(engine, spec, profiles)
    serial = sweep(engine, spec, profiles, executor="serial")
    local = sweep(engine, spec, profiles, executor="local", workers=2)
    assert serial == reference
    assert local == reference
    # equal outcome dicts are one object, whichever process computed them
    for rows in (serial, local):
        shared = {id(d) for row in rows for d in row}
        distinct = {tuple(d.items()) for row in rows for d in row}
        assert len(shared) == len(distinct) < len(profiles) * len(HAAGLANDEN)


def test_region_analysis_of_batched_rows_equals_the_one_by_one_rows(engine, profiles):
    spec = SweepSpec(HAAGLANDEN, "GM0503", PEIL)
    reference = _one_by_one(engine, spec, profiles)  # no dict shared: nothing is reused
    batched = sweep(engine, spec, profiles, executor="local", workers=2)
    args = (HAAGLANDEN, "GM0503", PEIL)
    assert analyse(engine.rulebase, profiles, batched, *args) == analyse(
        engine.rulebase, profiles, reference, *args
    )


def test_national_sweep_equals_its_figures_from_one_by_one_checks(engine):
    from engine.analysis.national import national_sweep, scope_groups

    geo = engine.rulebase.geography
    names = ["Delft", "Den Haag", "Westland", "Dordrecht", "Zwijndrecht", "Groningen", "Utrecht"]
    sample = [geo.resolve(n, PEIL, "gemeente") for n in names]
    count = 700  # the grid and some generated profiles
    serial = national_sweep(engine, PEIL, count, executor="serial", gemeenten=sample)
    local = national_sweep(engine, PEIL, count, executor="local", workers=2, gemeenten=sample)
    assert local == serial
    # the digests and deviations as the sweep defines them, from checks one by one
    groups = scope_groups(engine, sample, PEIL)
    spec = SweepSpec(tuple(g[0] for g in groups), None, PEIL)
    rows = _one_by_one(engine, spec, sweep_profiles(count))
    weights = [len(g) for g in groups]
    instruments = list(engine.rulebase.catalogue.instruments)
    hashers = [hashlib.sha256() for _ in groups]
    deviating = [0] * len(groups)
    for row in rows:
        off = [False] * len(groups)
        for instrument in instruments:
            values = [comparable(r.get(instrument, _REFUSED)) for r in row]
            for k, v in enumerate(values):
                hashers[k].update(repr((instrument, v)).encode())
            counts: Counter = Counter()
            for v, w in zip(values, weights, strict=True):
                counts[v] += w
            if len(counts) > 1:
                norm = max(counts.items(), key=lambda kv: (kv[1], repr(kv[0])))[0]
                off = [o or v != norm for o, v in zip(off, values, strict=True)]
        deviating = [n + flag for n, flag in zip(deviating, off, strict=True)]
    for k, codes in enumerate(groups):
        for code in codes:
            assert serial.digests[code] == hashers[k].hexdigest()[:16]
            assert serial.deviation[code] == round(deviating[k] / count, 4)
    assert any(serial.deviation.values()), "the sample has gemeenten that differ"


def test_a_profile_moved_to_other_gemeenten_is_the_placement_validated_there(profiles):
    from engine.analysis.sweep import _moved
    from engine.arrangement import parse_placement

    for p in profiles[:40]:
        base = parse_placement(placement_for(p, "GM0503", "GM0503", PEIL))
        for woon, vest in [("GM0518", "GM0518"), ("GM0518", "GM0503"), ("GM0503", "GM0014")]:
            expected = parse_placement(placement_for(p, woon, vest, PEIL))
            assert _moved(base, woon, vest) == expected
        assert _moved(base, "GM0503", "GM0503") is base


def test_national_groups_follow_the_rules_not_the_region(engine):
    """Gemeenten with the same rule sets share a computation across regions; a gemeente that a
    rule in its scope names (Groningen's regional set reads `candidate.woongemeente ==
    'GM0014'` from 2026-11-29) is computed on its own: sharing it gave Groningen the outcomes
    of its neighbours."""
    from engine.analysis.national import current_gemeenten, national_sweep, scope_groups

    geo = engine.rulebase.geography
    names = ["Groningen", "Midden-Groningen", "Assen", "Utrecht", "Amersfoort", "Delft"]
    for when in (PEIL, date(2026, 12, 1)):
        sample = [geo.resolve(n, when, "gemeente") for n in names]
        groups = scope_groups(engine, sample, when)
        a = national_sweep(engine, when, 700, executor="serial", gemeenten=sample)
        b = national_sweep(engine, when, 700, executor="serial", gemeenten=sample, dedup=False)
        assert a.digests == b.digests and a.deviation == b.deviation
        assert a.index_per_instrument == b.index_per_instrument
        together = next(g for g in groups if "GM0014" in g)
        if when == PEIL:  # no regional rule sets in force yet: national law everywhere
            assert {"GM0014", "GM0344"} <= set(together)  # Groningen and Utrecht
        else:
            assert together == ["GM0014"]
            assert a.digests["GM0014"] != a.digests[sample[1].code]
    # the whole country on the bench's peildatum: fewer computations than regions
    assert len(scope_groups(engine, current_gemeenten(engine, PEIL), PEIL)) < len(geo.regios)


@pytest.mark.parametrize("when", [PEIL, date(2026, 12, 1)])
def test_region_gemeenten_with_the_same_rules_share_their_checks(engine, when):
    """The region report checks woongemeenten with the same rule sets in the same roles once;
    its rows are those of every gemeente checked one by one, progress counts every check."""
    from engine.analysis.sweep import share_key, sweep_shared

    geo = engine.rulebase.geography
    names = ["Assen", "Groningen", "Midden-Groningen", "Eemsdelta", "Oldambt", "Westerkwartier"]
    codes = tuple(geo.resolve(n, when, "gemeente").code for n in names)
    spec = SweepSpec(codes, codes[0], when)  # the employer in Assen, as a report has it
    keys = {c: share_key(engine, c, spec) for c in codes}
    assert keys[codes[0]] == (codes[0],)  # the employer's own gemeente stands alone
    if when == PEIL:  # national law only: the others share
        assert len(set(keys.values())) == 2
    else:  # Groningen's region-wide rule set names GM0014: it reaches every member
        assert keys == {c: (c,) for c in codes}
    few = sweep_profiles(700)[::10]
    seen: list[tuple[int, int]] = []
    shared = sweep_shared(
        engine, spec, few, executor="serial", progress=lambda d, t: seen.append((d, t))
    )
    assert shared == _one_by_one(engine, spec, few)
    assert seen[-1] == (len(few) * len(codes),) * 2
