"""The one access table: every route (method, path template exactly as FastAPI registers it)
and what it needs. A route missing here is refused (403) and fails
tests/test_authorisation_matrix.py, so a new route cannot be added without a decision.

Requirements:
- `public`: anyone (login, health, the API documentation);
- `public_checks`: anyone when the operator sets ARRANGEUR_PUBLIC_CHECKS=1, else a login (the
  faces that hold no personal data: check, trajectory, harmonisation, rules, coverage);
- a role: that role or one above it. beheerder ⊇ regelbeheerder ⊇ accountmanager ⊇ raadpleger:
  raadpleger checks, trajectories, reports and background sweeps; accountmanager also the
  caseload of their own organisation; regelbeheerder also drafts, reviews and publishes rule
  sets of the authorities their organisation owns (/v1/rule-versions, /regels/beheer);
  beheerder also reloads the rules, cancels any job, and reads the audit.

`audit` names the action written to the audit after the response (with its status); `target`
the path parameter (or `body:field`, a field of the JSON or form body) that names the entry.
`csp` is `strict` for every page, `report` for the self-contained HTML reports (also saved and
mailed as one file) whose CSS is inline: inline style, never script; `docs` for the API
documentation pages FastAPI generates: their one inline script is allowed by its hash.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.accounts import ROLES

PUBLIC, PUBLIC_CHECKS = "public", "public_checks"


@dataclass(frozen=True)
class Rule:
    need: str
    audit: str | None = None
    target_kind: str | None = None
    target: str | None = None
    csp: str = "strict"

    def __post_init__(self) -> None:
        assert self.need in (PUBLIC, PUBLIC_CHECKS, *ROLES), self.need
        assert self.csp in ("strict", "report", "docs"), self.csp


OPEN = Rule(PUBLIC)
CHECKS = Rule(PUBLIC_CHECKS)
REPORT = Rule(PUBLIC_CHECKS, csp="report")
RAADPLEGER = Rule("raadpleger")
BEHEERDER = Rule("beheerder")


def _caseload(action: str, target: str | None = None) -> Rule:
    return Rule("accountmanager", f"caseload.{action}", "placement", target)


def _rules(action: str, need: str = "regelbeheerder", target: str | None = "version_id") -> Rule:
    """A step of rule management: audited with the version's number."""
    return Rule(need, f"rules.{action}", "ruleset_version", target)


_RV = "/v1/rule-versions"
_RB = "/regels/beheer"

POLICY: dict[tuple[str, str], Rule] = {
    # --- open: logging in, health, the API's description
    ("GET", "/healthz"): OPEN,
    ("GET", "/login"): OPEN,
    ("POST", "/login"): OPEN,
    ("POST", "/logout"): OPEN,
    ("GET", "/login/oidc"): OPEN,
    ("GET", "/login/oidc/callback"): OPEN,
    ("GET", "/openapi.json"): OPEN,
    ("GET", "/docs"): Rule(PUBLIC, csp="docs"),
    ("GET", "/redoc"): Rule(PUBLIC, csp="docs"),
    # mounted static files pass no dependency: only files shipped with the code may be mounted
    ("*", "/static/{path}"): OPEN,
    ("*", "/static-docs/{path}"): OPEN,
    # --- no personal data: open with ARRANGEUR_PUBLIC_CHECKS=1, else a login
    ("POST", "/v1/checks"): CHECKS,
    ("POST", "/v1/trajectories"): REPORT,
    ("GET", "/v1/rulesets"): CHECKS,
    ("GET", "/v1/rulesets/{ruleset_id}"): CHECKS,
    ("GET", "/v1/instruments"): CHECKS,
    ("GET", "/v1/coverage"): REPORT,
    ("POST", "/v1/national"): REPORT,
    ("GET", "/v1/regions/{region}/harmonisation"): REPORT,
    ("GET", "/"): CHECKS,
    ("GET", "/arrangement"): CHECKS,
    ("GET", "/plaatsing.{ext}"): CHECKS,
    ("POST", "/plaatsing"): CHECKS,
    ("GET", "/traject"): REPORT,
    ("GET", "/traject.pdf"): CHECKS,
    ("GET", "/regio"): CHECKS,
    ("GET", "/regels"): CHECKS,
    ("GET", "/regels/{ruleset_id}"): CHECKS,
    ("GET", "/regels/{ruleset_id}/verschil"): CHECKS,
    ("GET", "/instrumenten"): CHECKS,
    ("GET", "/instrumenten/overzicht"): CHECKS,
    ("GET", "/instrumenten/{instrument}"): CHECKS,
    ("GET", "/coverage"): CHECKS,
    ("GET", "/landelijk"): CHECKS,
    # --- background sweeps: they cost a server's CPU for minutes, so a login
    ("POST", "/v1/regions/{region}/harmonisation/jobs"): RAADPLEGER,
    ("GET", "/v1/jobs/{job_id}"): RAADPLEGER,
    ("GET", "/v1/jobs/{job_id}/result"): Rule("raadpleger", csp="report"),
    ("DELETE", "/v1/jobs/{job_id}"): Rule("beheerder", "job.cancel", "job", "job_id"),
    ("POST", "/regio"): RAADPLEGER,
    ("GET", "/regio/taken/{job_id}"): RAADPLEGER,
    ("GET", "/regio/taken/{job_id}/rapport"): Rule("raadpleger", csp="report"),
    # --- the caseload: personal data of the user's own organisation, every access audited
    ("POST", "/v1/caseload/placements"): _caseload("add", "body:ref"),
    ("GET", "/v1/caseload/placements"): _caseload("list"),
    ("GET", "/v1/caseload/placements/{ref}"): _caseload("read", "ref"),
    ("DELETE", "/v1/caseload/placements/{ref}"): _caseload("delete", "ref"),
    ("POST", "/v1/caseload/recheck"): _caseload("recheck"),
    ("GET", "/v1/caseload/deadlines"): _caseload("export"),
    ("GET", "/caseload"): _caseload("list"),
    ("POST", "/caseload"): _caseload("add", "body:ref"),
    ("POST", "/caseload/herbeoordelen"): _caseload("recheck"),
    ("GET", "/caseload/{ref}/verwijderen"): _caseload("read", "ref"),
    ("POST", "/caseload/{ref}/verwijderen"): _caseload("delete", "ref"),
    # --- rule management (docs/rule-management.md): drafts need regelbeheerder, and the store
    # checks that the organisation owns the authority and that nobody reviews their own
    ("GET", _RV): RAADPLEGER,  # own organisation's and published versions
    ("POST", _RV): _rules("draft", target=None),  # the new version's number is set by the route
    ("POST", f"{_RV}/validate"): Rule("regelbeheerder"),  # stores nothing
    ("GET", f"{_RV}/{{version_id}}"): RAADPLEGER,
    ("PUT", f"{_RV}/{{version_id}}"): _rules("update"),
    ("POST", f"{_RV}/{{version_id}}/validate"): _rules("validate"),
    ("POST", f"{_RV}/{{version_id}}/submit"): _rules("submit"),
    ("GET", f"{_RV}/{{version_id}}/preview"): _rules("preview"),  # reads the caseload
    ("POST", f"{_RV}/{{version_id}}/review"): _rules("review"),
    ("POST", f"{_RV}/{{version_id}}/publish"): _rules("publish"),
    ("POST", f"{_RV}/{{version_id}}/withdraw"): _rules("withdraw"),
    ("GET", f"{_RV}/{{version_id}}/export"): _rules("export", need="raadpleger"),
    ("GET", _RB): Rule("regelbeheerder"),
    ("POST", _RB): _rules("draft", target=None),
    ("POST", f"{_RB}/menukaart"): _rules("draft", target=None),
    ("GET", f"{_RB}/{{version_id}}"): Rule("regelbeheerder"),
    ("POST", f"{_RB}/{{version_id}}"): _rules("update"),
    ("POST", f"{_RB}/{{version_id}}/indienen"): _rules("submit"),
    ("GET", f"{_RB}/{{version_id}}/voorvertoning"): _rules("preview"),
    ("POST", f"{_RB}/{{version_id}}/beoordeling"): _rules("review"),
    ("POST", f"{_RB}/{{version_id}}/publiceren"): _rules("publish"),
    ("POST", f"{_RB}/{{version_id}}/intrekken"): _rules("withdraw"),
    # --- administration
    ("POST", "/v1/admin/reload"): Rule("beheerder", "rules.reload", "rules"),
    ("GET", "/v1/audit"): BEHEERDER,
    ("GET", "/beheer/audit"): BEHEERDER,
}


def rule_for(method: str, path: str) -> Rule | None:
    """HEAD is answered like GET."""
    return POLICY.get(("GET" if method == "HEAD" else method, path))
