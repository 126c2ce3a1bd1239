"""The HTTP API: a thin face over engine.check; no domain logic here."""

from __future__ import annotations

import os
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import FastAPI, HTTPException, Query
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response

from engine.analysis import DEFAULT_PROFILES, HarmonisationReport, Options, harmonisation
from engine.arrangement import Engine
from engine.errors import EvaluationError, PlacementError
from engine.model import Arrangement, Placement
from engine.rulesets.registry import RuleBase, load_rulebase
from engine.trajectory import Trajectory, TrajectoryRequest, build_trajectory


def _summary(rs: Any) -> dict[str, Any]:
    return {
        "id": rs.id,
        "authority": rs.authority,
        "version": rs.version,
        "title": rs.title,
        "valid_from": rs.valid_from,
        "valid_to": rs.valid_to,
        "provenance": rs.provenance,
        "content_hash": rs.content_hash,
        "rules": len(rs.rules),
    }


def create_app(rulebase: RuleBase | None = None) -> FastAPI:
    """Build the app on a validated rule base; broken rules raise RulesError before it exists."""
    engine = Engine(rulebase or load_rulebase())
    rb = engine.rulebase
    app = FastAPI(
        title="Arrangeur",
        version="0.1.0",
        description="Welke instrumenten passen bij een plaatsing, van welke instantie.",
    )

    @app.post("/v1/checks", response_model=Arrangement)
    async def post_check(placement: Placement) -> Any:
        try:
            # A check is about a millisecond of CPU: running it on the event loop is cheaper
            # than a thread hop, and the GIL would serialise the threads anyway.
            return engine.check(placement)
        except PlacementError as exc:
            loc = ["body", *exc.field.split(".")]
            return JSONResponse(
                status_code=422,
                content={"detail": [{"loc": loc, "msg": exc.message, "type": "value_error"}]},
            )
        except EvaluationError as exc:  # the rules contradict themselves for this placement
            return JSONResponse(status_code=500, content={"detail": f"fout in de regels: {exc}"})

    @app.post(
        "/v1/trajectories",
        response_model=Trajectory,
        responses={200: {"content": {"text/html": {}, "application/pdf": {}}}},
    )
    def post_trajectory(
        request: TrajectoryRequest,
        format: str = Query("json", pattern="^(json|html|pdf)$"),  # noqa: A002
    ) -> Any:
        # ~36 checks: a plain (threadpool) endpoint, so it does not hold up the event loop
        try:
            trajectory = build_trajectory(request, engine)
        except PlacementError as exc:
            loc = ["body", *exc.field.split(".")]
            return JSONResponse(
                status_code=422,
                content={"detail": [{"loc": loc, "msg": exc.message, "type": "value_error"}]},
            )
        except EvaluationError as exc:
            return JSONResponse(status_code=500, content={"detail": f"fout in de regels: {exc}"})
        if format == "html":
            from api.pages.trajectory import render_html

            return HTMLResponse(render_html(trajectory))
        if format == "pdf":
            from api.pages.pdf import render_pdf

            return Response(render_pdf(trajectory), media_type="application/pdf")
        return trajectory

    @app.get("/v1/rulesets")
    def get_rulesets() -> list[dict[str, Any]]:
        return [_summary(rs) for rs in rb.rulesets]

    @app.get("/v1/rulesets/{ruleset_id}")
    def get_ruleset(ruleset_id: str) -> dict[str, Any]:
        versions = rb.versions(ruleset_id)
        if not versions:
            raise HTTPException(404, f"onbekende regelset {ruleset_id!r}")
        return {
            "id": ruleset_id,
            "versions": [
                {
                    **_summary(rs),
                    "sources": {k: s.model_dump() for k, s in rs.sources.items()},
                    "adopts": list(rs.adopts),
                    "rules": [
                        {
                            "id": r.id,
                            "instrument": r.instrument,
                            "then": r.then,
                            "params": r.params,
                            "explanation": r.explanation,
                            "source": r.source.model_dump(),
                        }
                        for r in rs.rules
                    ],
                }
                for rs in versions
            ],
        }

    @lru_cache(maxsize=32)  # the rules do not change while the server runs
    def report(
        region: str, when: date, compare_date: date | None, compare_region: str | None,
        options: Options,
    ) -> HarmonisationReport:  # fmt: skip
        return harmonisation(engine, region, when, options, None, compare_date, compare_region)

    @app.get(
        "/v1/regions/{region}/harmonisation",
        response_model=HarmonisationReport,
        responses={200: {"content": {"text/html": {}, "text/csv": {}}}},
    )
    def get_harmonisation(
        region: str,
        date_: Annotated[date | None, Query(alias="date", description="peildatum")] = None,
        compare_date: date | None = None,
        compare_region: str | None = None,
        profiles: Annotated[int, Query(ge=1, le=200_000)] = DEFAULT_PROFILES,
        seed: int = 2026,
        gemeenten: Annotated[str | None, Query(description="komma-gescheiden selectie")] = None,
        employer: Annotated[str | None, Query(description="vestigingsgemeente werkgever")] = None,
        format: Literal["json", "html", "csv"] = "json",
    ) -> Any:
        """The harmonisation report; a sweep of 10,000 profiles takes tens of seconds the first
        time and is cached afterwards."""
        from api.harmonisation_views import to_csv, to_html

        options = Options(
            profiles=profiles,
            seed=seed,
            vestigingsgemeente=employer,
            gemeenten=tuple(g.strip() for g in gemeenten.split(",")) if gemeenten else (),
        )
        try:
            result = report(region, date_ or date.today(), compare_date, compare_region, options)
        except PlacementError as exc:
            status = 404 if exc.field == "region" and "onbekende" in exc.message else 422
            return JSONResponse(
                status_code=status,
                content={"detail": [{"loc": ["query", exc.field], "msg": exc.message}]},
            )
        if format == "html":
            return HTMLResponse(to_html(result))
        if format == "csv":
            return PlainTextResponse(to_csv(result), media_type="text/csv")
        return result

    @app.get("/v1/instruments")
    def get_instruments() -> dict[str, Any]:
        return {
            "instruments": [
                {"id": k, **v.model_dump()} for k, v in rb.catalogue.instruments.items()
            ],
            "relations": [r.model_dump() for r in rb.catalogue.relations],
        }

    from api.region_routes import region_router  # coverage, landelijk overzicht

    app.include_router(region_router(engine))
    return app


def app_from_environment() -> FastAPI:
    """For `uvicorn --factory` with several workers: the rules named by ARRANGEUR_RULES."""
    rules = os.environ.get("ARRANGEUR_RULES")
    return create_app(load_rulebase(Path(rules) if rules else None))
