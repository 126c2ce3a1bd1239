"""Schemathesis against the real app on the shipped rules: every operation, generated requests
(valid and invalid), no 5xx, every status code and body as documented in the OpenAPI.

The count of requests is asserted at the end (docs/reliability.md gives the figures)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app
from api.limits import Limits
from engine.rulesets.registry import load_rulebase
from tests.security_helpers import token

ROOT = Path(__file__).resolve().parents[1]
APP = create_app(
    load_rulebase(ROOT / "rules"),
    # small bounds: a generated request that names a real region must not start a long sweep
    Limits(max_sync_profiles=50, max_job_profiles=50, max_queued_jobs=1, abandon_after_s=5),
    rules_dir=ROOT / "rules",
)
SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", APP)
AUTH = {"Authorization": f"Bearer {token(APP, 'beheerder')}"}  # every operation, logged in
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
# per operation; ~13 operations × the examples of each phase give > 1,000 requests in ~1-2 min
EXAMPLES = 60
SENT: Counter[str] = Counter()
STATUSES: Counter[int] = Counter()


@SCHEMA.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,  # the same requests in every CI run
)
def test_api_conforms_to_its_schema(case: schemathesis.Case) -> None:
    response = case.call(headers=AUTH)
    SENT[case.operation.label] += 1
    STATUSES[response.status_code] += 1
    case.validate_response(response, checks=CHECKS)


def test_the_documented_status_codes_are_there() -> None:
    spec = APP.openapi()
    codes = {
        (path, method, code)
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        for code in op["responses"]
    }
    assert ("/v1/checks", "post", "413") in codes and ("/v1/checks", "post", "422") in codes
    assert ("/v1/trajectories", "post", "413") in codes
    assert ("/v1/rulesets/{ruleset_id}", "get", "404") in codes
    assert ("/v1/jobs/{job_id}", "get", "404") in codes
    assert ("/v1/jobs/{job_id}/result", "get", "409") in codes
    assert ("/v1/regions/{region}/harmonisation/jobs", "post", "503") in codes


def test_zz_enough_requests_were_sent(capsys) -> None:
    if not SENT:
        pytest.skip("run together with test_api_conforms_to_its_schema")
    total = sum(SENT.values())
    with capsys.disabled():
        print(f"\nschemathesis: {total} requests over {len(SENT)} operations; {dict(STATUSES)}")
    assert len(SENT) == len([op for ops in APP.openapi()["paths"].values() for op in ops])
    assert total >= 1000
    assert not any(code >= 500 for code in STATUSES)
