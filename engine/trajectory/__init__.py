"""Trajectories: a placement funded month by month over a horizon, from the public `check`.

build (phases, one check per month) → money per month → years and totals → obligations,
alternatives and gaps. Nothing here knows about HTML: the faces in api/ render a Trajectory.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from engine.arrangement import Engine, default_engine
from engine.errors import PlacementError
from engine.model import validate_input
from engine.trajectory.alternatives import alternatives
from engine.trajectory.build import assumptions, period, simulate, years
from engine.trajectory.gaps import gaps
from engine.trajectory.model import Trajectory, TrajectoryRequest
from engine.trajectory.model import issuer as default_issuer
from engine.trajectory.obligations import obligations

_PLACEMENT_FIELDS = {"candidate", "employer", "job", "peildatum"}

__all__ = ["Trajectory", "TrajectoryRequest", "build_trajectory", "parse_request"]


def parse_request(data: Mapping[str, Any]) -> TrajectoryRequest:
    """Validate raw input; the first error names its field path (placement.job.startdatum)."""
    return validate_input(TrajectoryRequest, data, "(traject)")


def _regio_name(engine: Engine, slug: str | None) -> str | None:
    regio = engine.rulebase.geography.regio(slug) if slug else None
    return regio.naam if regio else slug


def build_trajectory(
    request: TrajectoryRequest | Mapping[str, Any],
    engine: Engine | None = None,
    today: date | None = None,
    issuer: str | None = None,
) -> Trajectory:
    """The trajectory of a request, as advice made on `today` (default: the real today; no
    action is planned before it) by `issuer` (default: $ARRANGEUR_OPSTELLER, else the
    werkgeversservicepunt)."""
    if not isinstance(request, TrajectoryRequest):
        request = parse_request(request)
    engine = engine or default_engine()
    known = engine.rulebase.catalogue.instruments
    for i, name in enumerate(request.nodig):
        if name not in known:
            raise PlacementError(f"nodig.{i}", f"onbekend instrument {name!r}")
    try:
        sim = simulate(request, engine, today)
    except PlacementError as exc:  # a placement field: name it by its path in the request
        if exc.field.split(".")[0] in _PLACEMENT_FIELDS:
            raise PlacementError(f"placement.{exc.field}", exc.message) from None
        raise
    first = sim.first
    notices = list(dict.fromkeys([*sim.notices, *(n for _, a in sim.checks for n in a.notices)]))
    authorities = {"belastingdienst": "Belastingdienst"}
    for _, a in sim.checks:
        authorities |= a.authorities
    return Trajectory(
        start=sim.plan.start,
        contract_start=sim.plan.contract_start,
        horizon_months=request.maanden,
        werkgever=request.placement.employer.naam,
        woongemeente=first.woongemeente.naam,
        vestigingsgemeente=first.vestigingsgemeente.naam,
        regio=_regio_name(engine, first.woongemeente.regio),
        werkgeversservicepunt=first.werkgeversservicepunt,
        regie=first.regie,
        authorities=authorities,
        phases=sim.plan.spans,
        months=sim.months,
        years=years(sim.months),
        total=period("totaal", sim.months),
        obligations=obligations(sim),
        alternatives=alternatives(sim, engine),
        gaps=gaps(sim),
        assumptions=assumptions(sim),
        notices=notices,
        contactpersoon=request.contactpersoon,
        made_on=sim.today,
        issuer=issuer or default_issuer(),
        illustrative=any(a.illustrative for _, a in sim.checks),
        rulesets=list(
            {
                (r.id, r.version, r.content_hash): r for _, a in sim.checks for r in a.rulesets
            }.values()
        ),
        sources=list(
            {
                (s.citation, s.href): s
                for _, a in sim.checks
                for e in a.instruments
                if e.status == "eligible"
                for s in e.sources
            }.values()
        ),
    )
