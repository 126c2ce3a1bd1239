"""The pages' routers, one module per topic; api.web.add_web includes them."""

from __future__ import annotations

from fastapi import APIRouter

from api.routers.pages import (
    caseload,
    docs,
    instruments,
    overviews,
    placement,
    regio,
    rule_management,
    rules,
    trajectory,
)


def page_routers(with_caseload: bool) -> list[APIRouter]:
    """Every page router, in the order their paths are matched."""
    # rule management before /regels/{ruleset_id}: its paths start with /regels/beheer
    routers = [
        placement.router,
        trajectory.router,
        regio.router,
        rule_management.router,
        rules.router,
        instruments.router,
        overviews.router,
        docs.router,
    ]
    return [*routers, caseload.router] if with_caseload else routers
