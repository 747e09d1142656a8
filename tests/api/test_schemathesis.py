"""Property-based requests generated from the OpenAPI schema (schemathesis): no request, however
odd, makes the service answer 5xx, and every refusal is problem+json."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests_api_support import small_ledger_app

EXAMPLES_PER_OPERATION = 10


@pytest.fixture(scope="module")
def api_app(tmp_path_factory):
    app, token = small_ledger_app(tmp_path_factory.mktemp("fuzz"))
    app.state.fuzz_token = token
    yield app
    app.state.engine.dispose()


def test_no_request_makes_the_service_fail(api_app):
    schema = schemathesis.openapi.from_asgi("/openapi.json", api_app)
    headers = {"Authorization": f"Bearer {api_app.state.fuzz_token}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck),
                  derandomize=True, database=None)
        def check(case):
            response = case.call(headers=headers)
            where = f"{case.method} {case.formatted_path}"
            assert response.status_code < 500, f"{where}: {response.status_code} {response.text[:300]}"
            if response.status_code >= 400:
                content_type = response.headers.get("content-type") or [""]
                content_type = content_type[0] if isinstance(content_type, list) else content_type
                assert content_type.startswith("application/problem+json"), f"{where}: {content_type}"

        check()
