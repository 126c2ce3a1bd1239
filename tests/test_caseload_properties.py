"""Property: re-checking a caseload on unchanged rules reports no change, for any placements."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import Engine
from engine.caseload import Caseload

# few scopes: each new pair of gemeenten and rule versions compiles a network (~0.1 s)
GEMEENTEN = ["Delft", "Den Haag", "Zoetermeer"]
UITKERINGEN = ["bijstand", "ioaw", "ww", "wajong", "wia_wga", "wia_iva", "zw", "geen"]


@st.composite
def placements(draw: st.DrawFn) -> dict[str, Any]:
    start = draw(st.dates(date(2024, 1, 1), date(2026, 12, 31)))
    candidate: dict[str, Any] = {
        "woongemeente": draw(st.sampled_from(GEMEENTEN)),
        "geboortedatum": draw(st.dates(date(1958, 1, 1), date(2006, 1, 1))).isoformat(),
        "uitkering": draw(st.sampled_from(UITKERINGEN)),
        "uitkering_sinds": draw(st.dates(date(2018, 1, 1), start)).isoformat(),
        "doelgroepregister": draw(st.none() | st.booleans()),
        "loonwaarde_pct": draw(st.none() | st.integers(0, 100)),
        "eerder_in_dienst_bij_werkgever": draw(st.none() | st.booleans()),
    }
    job = {
        "startdatum": start.isoformat(),
        "uren_per_week": draw(st.integers(4, 40)),
        "contract_maanden": draw(st.none() | st.integers(1, 36)),
        "brutoloon_per_maand": draw(st.none() | st.integers(1500, 4000)),
    }
    employer = {"vestigingsgemeente": draw(st.sampled_from(GEMEENTEN))}
    return {"candidate": candidate, "employer": employer, "job": job}


def test_recheck_on_unchanged_rules_reports_no_change(tmp_path: Path, engine: Engine) -> None:
    caseload = Caseload(engine, f"sqlite:///{tmp_path / 'c.db'}")
    counter = iter(range(1_000_000))

    @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
    @given(placement=placements(), when=st.dates(date(2024, 1, 1), date(2027, 12, 31)))
    def prop(placement: dict[str, Any], when: date) -> None:
        ref = f"p{next(counter)}"
        caseload.add(placement, ref)
        same = caseload.recheck()  # on each answer's own peildatum
        assert same.changed == [] and same.rulesets == [], same.text()
        caseload.recheck(when)  # a moved date may change answers; once saved ...
        again = caseload.recheck(when)  # ... the same rules on the same date change nothing
        assert again.changed == [] and again.rulesets == [], again.text()
        caseload.remove(ref)  # one placement at a time keeps the property fast

    prop()
    caseload.close()
