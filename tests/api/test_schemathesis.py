"""schemathesis against /api/openapi.json with a token: no server errors and no schema violations.

The API runs in-process through its WSGI application, inside the test's database transaction, with
some case data in place so that generated requests also reach real objects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from sightline.access.models import User
from sightline.access.services import actor_for
from sightline.cases import services
from tests import factories

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(autouse=True)
def _keep_test_connection() -> Iterator[None]:
    # The WSGI handler would close the database connection after each request (as Django's own test
    # client also prevents), ending the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(make_user: Callable[..., User]) -> str:
    """A coordinator's token (the widest case-work role), with a child, a concern, an episode and a
    plan in place."""
    user = make_user("cse_coordinator", "mash", username="schemathesis")
    actor = actor_for(user)
    kid = factories.child(actor=actor)
    now = timezone.now()
    factories.concern(kid, now, "urgent", actor=actor, what_was_seen="seen", occurred_at=now)
    ep = services.do_record_missing_episode(
        actor=actor, person_id=kid.id, category="M", started_at=now - dt.timedelta(days=2)
    )
    services.do_end_missing_episode(actor, episode_id=ep.id, ended_at=now - dt.timedelta(days=1))
    services.do_create_plan(actor=actor, person_id=kid.id, title="Plan", review_due_on=dt.date.today())
    return factories.api_token(user, "schemathesis")


# Loaded at collection (pytest-django has set Django up by then; the document needs no database).
# ``schemathesis.pytest.from_fixture`` would load it lazily but does not work with pytest 9.
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


@schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: Any, token: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
