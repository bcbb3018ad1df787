"""schemathesis against the hub's own OpenAPI document, through real HTTP, on SQLite and on a
real PostgreSQL (which refuses NUL bytes and over-long values where SQLite does not): no answer is
a 5xx, every status is one the document names, every body matches its schema, for requests that
fit the document and for requests that do not."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from kiosk.hub.service import HubService
from tests.conftest import FakeClock
from tests.hub_server import hub_service, serve_hub

# Left out: a body that fits the schema may be refused for what it says (documented 422), and an
# unknown query parameter is ignored rather than refused, as FastAPI does.
TOLERATED = [positive_data_acceptance, negative_data_rejection]
EXAMPLES = 60  # per operation and database, valid and invalid: bounded, well under a minute


@pytest.fixture
def hub_under_test(hub_db: str, clock: FakeClock) -> Iterator[tuple[str, str]]:
    service: HubService = hub_service(hub_db, clock)
    token = service.add_kiosk("lobby-a", "taipei")
    with serve_hub(service) as url:
        yield url, token
    service.close()


def test_the_hub_answers_every_generated_request_as_documented(
    hub_under_test: tuple[str, str],
) -> None:
    url, token = hub_under_test
    schema = schemathesis.openapi.from_url(f"{url}/v1/openapi.json")
    headers = {"Authorization": f"Bearer {token}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8

    for operation in operations:
        cases = operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(
            GenerationMode.NEGATIVE
        )

        @given(case=cases)
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(base_url=url, headers=headers, excluded_checks=TOLERATED)

        check()
