"""Trajectory properties on random placements: terms, exclusivity, totals.

The terms below are the law's (Wtl art. 2.4, 2.8, 2.12, 2.16 in the texts up to 2025; ZW art.
29b lid 5; Besluit loondispensatie Wajong art. 5; LIV ended after 2024), written down here
independently of the rule files, so a rule or trajectory change that pays outside them fails.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.dates import month_start
from engine.trajectory import build_trajectory

# instrument -> maximum term in months from the start of the dienstbetrekking
TERM_MONTHS = {
    "lkv_oudere_werknemer": 36,
    "lkv_arbeidsgehandicapte_werknemer": 36,
    "lkv_herplaatsing": 12,
    "no_riskpolis": 60,
    "loondispensatie": 60,
}
LAST_MONTH = {"lkv_oudere_werknemer": "2025-12", "liv": "2024-12"}


@st.composite
def requests(draw):
    start = month_start(date(2023, 1, 1), draw(st.integers(0, 42)))
    uitkering = draw(st.sampled_from(["bijstand", "ww", "wajong", "wia_wga", "wia_iva", "geen"]))
    candidate = {
        "woongemeente": draw(st.sampled_from(["Delft", "Den Haag", "Zoetermeer", "Dordrecht"])),
        "geboortedatum": date(start.year - draw(st.integers(19, 64)), 3, 1).isoformat(),
        "uitkering": uitkering,
        "uitkering_sinds": month_start(start, -draw(st.integers(1, 30))).isoformat(),
        "doelgroepregister": draw(st.booleans()),
        "eerder_in_dienst_bij_werkgever": draw(st.booleans()),
        "loonwaarde_pct": draw(st.integers(20, 100)),
    }
    job = {
        "startdatum": start.isoformat(),
        "uren_per_week": draw(st.integers(8, 40)),
        "contract_maanden": draw(st.sampled_from([6, 12, 24])),
    }
    if start.year < 2024 or draw(st.booleans()):  # no hourly minimum wage before 2024
        job["brutoloon_per_maand"] = draw(st.integers(1500, 4000))
    return {
        "placement": {
            "candidate": candidate,
            "employer": {"vestigingsgemeente": "Delft"},
            "job": job,
        },
        "maanden": draw(st.integers(1, 48)),
        "proefplaatsing": draw(st.sampled_from([None, False])),
    }


_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@_SETTINGS
@given(requests())
def test_no_instrument_is_paid_outside_its_term(engine, request):
    t = build_trajectory(request, engine)
    contract = f"{t.contract_start:%Y-%m}"
    for m in t.months:
        for x in m.instruments:
            if x.instrument == "proefplaatsing":
                assert m.month < contract and m.phase == "proefplaatsing"
                continue
            assert m.month >= contract, f"{x.instrument} before the contract in {m.month}"
            if x.instrument in TERM_MONTHS:
                end = month_start(t.contract_start, TERM_MONTHS[x.instrument])
                assert m.month < f"{end:%Y-%m}", f"{x.instrument} after its term in {m.month}"
            if x.instrument in LAST_MONTH:
                assert m.month <= LAST_MONTH[x.instrument]
            if x.instrument == "lkv_banenafspraak" and m.month < "2026-01":  # 2025 text: 3 years
                assert m.month < f"{month_start(t.contract_start, 36):%Y-%m}"


@_SETTINGS
@given(requests())
def test_an_exclusive_pair_is_never_paid_in_the_same_month(engine, request):
    t = build_trajectory(request, engine)
    groups = [set(r.instruments) for r in engine.rulebase.catalogue.relations]
    assert {"loondispensatie", "loonkostensubsidie"} in groups
    for m in t.months:
        active = {x.instrument for x in m.instruments}
        for group in groups:
            assert len(active & group) <= 1, f"{m.month}: {sorted(active & group)}"


def _d(x: float) -> Decimal:
    return Decimal(str(x))


@_SETTINGS
@given(requests())
def test_totals_equal_the_sum_of_the_months(engine, request):
    t = build_trajectory(request, engine)
    for m in t.months:
        subsidies = sum((_d(x.eur) for x in m.instruments if x.kind == "subsidie"), Decimal(0))
        assert _d(m.employer_subsidies_eur) == subsidies
        assert _d(m.employer_wage_cost_eur) - subsidies == _d(m.employer_net_cost_eur)
    for field in ("employer_wage_cost_eur", "employer_subsidies_eur", "employer_net_cost_eur"):
        months = sum((_d(getattr(m, field)) for m in t.months), Decimal(0))
        assert _d(getattr(t.total, field)) == months
        assert sum((_d(getattr(y, field)) for y in t.years), Decimal(0)) == months
        for y in t.years:
            in_year = [m for m in t.months if m.month.startswith(y.period)]
            assert _d(getattr(y, field)) == sum(
                (_d(getattr(m, field)) for m in in_year), Decimal(0)
            )
    for i in t.total.instruments:
        lines = [
            _d(x.eur)
            for m in t.months
            for x in m.instruments
            if (x.instrument, x.authority) == (i.instrument, i.authority)
        ]
        assert _d(i.eur) == sum(lines, Decimal(0)) and i.months == len(lines)
