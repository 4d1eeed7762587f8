"""Property-based fuzzing of every operation against the service's own OpenAPI schema (schemathesis).

The service runs under uvicorn on loopback with an API key required, so authentication is exercised
too. Every response must be documented (status, content type, headers, body schema) and none may be
a 5xx. `make fuzz` runs many more examples per operation (FACTCHECK_FUZZ_EXAMPLES) than the test run.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance

from app.core.config import Settings
from app.main import create_app
from app.ml.embedder import Embedder
from tests.conftest import SEEDS_DIR, TEST_DATABASE, empty_postgres_database, serving

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("FACTCHECK_FUZZ_EXAMPLES", "25"))
# The test suite replays the same examples every run (no flaky CI); `make fuzz` explores new ones each time.
RANDOM = os.environ.get("FACTCHECK_FUZZ_RANDOM") == "1"
API_KEY = "fuzz-key"
# Every check but one: limits that depend on settings (claim length, top_k, batch size, a claim that is only
# whitespace) are not in the schema, so schema-valid data may get the documented 422. All other checks run,
# including 5xx, response schema, status codes, content types, headers, and that a request without the key is refused.
NOT_APPLICABLE = [positive_data_acceptance]


@pytest.fixture
def served_url(embedder: Embedder, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    if TEST_DATABASE == "postgres":
        url = empty_postgres_database(request.getfixturevalue("postgres_database"))
    else:
        url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    with serving(create_app(Settings(database_url=url, seeds_dir=SEEDS_DIR, api_keys=API_KEY), embedder)) as base:
        yield base


def test_every_operation_conforms_to_the_schema_and_never_fails(served_url: str) -> None:
    schema = schemathesis.openapi.from_url(f"{served_url}/openapi.json")
    statuses: Counter[int] = Counter()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
            derandomize=not RANDOM,
        )
        def check(case: schemathesis.Case) -> None:
            response = case.call_and_validate(
                base_url=served_url, headers={"X-API-Key": API_KEY}, excluded_checks=NOT_APPLICABLE
            )
            statuses[response.status_code] += 1

        check()

    total = sum(statuses.values())
    print(f"\nfuzz: {len(operations)} operations, {total} cases, statuses {dict(sorted(statuses.items()))}")  # noqa: T201
    assert not [status for status in statuses if status >= 500]
    assert total >= len(operations) * min(EXAMPLES, 5)
