"""Your own access history, and the independent reviewer's history of a person."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from sightline.access import selectors, services
from sightline.ledger.services import record_action
from sightline.people.need_to_know import person_access_log, person_history, require_person_access
from sightline.people.services import do_break_glass

from .conftest import entries

pytestmark = pytest.mark.django_db


def test_your_activity_lists_everything_you_did_newest_first_with_reads(
    client: Client, make_user: Callable[..., Any], person: Callable[..., Any], login: Callable[..., Any]
) -> None:
    sw = make_user("practitioner", "social_care", username="sw")
    other = make_user("practitioner", "social_care", username="other")
    child = person("social_care")
    require_person_access(sw, child.id, "first look")
    require_person_access(other, child.id, "someone else's look")
    require_person_access(sw, child.id, "second look")
    entries()
    mine = list(selectors.my_activity(sw))
    assert [e.reason for e in mine if e.action == "read"] == ["second look", "first look"]
    assert all(e.actor_user == "sw" for e in mine)
    login(client, sw)
    html = client.get("/account/activity").content.decode()
    assert html.index("second look") < html.index("first look")
    assert "someone else" not in html


def test_your_activity_is_paginated(
    client: Client, make_user: Callable[..., Any], login: Callable[..., Any]
) -> None:
    user = make_user(username="busy")
    actor = services.actor_for(user)
    for i in range(60):
        record_action(actor, "export", "test.thing", f"T{i:03d}")
    entries()
    login(client, user)
    first = client.get("/account/activity").content.decode()
    assert "T059" in first and "T000" not in first
    assert 'href="?page=2"' in first and 'class="govuk-pagination"' in first
    second = client.get("/account/activity?page=2").content.decode()
    assert "T000" in second and "T059" not in second


def test_reviewer_sees_who_saw_or_changed_a_person(
    client: Client, make_user: Callable[..., Any], person: Callable[..., Any], login: Callable[..., Any]
) -> None:
    sw = make_user("practitioner", "social_care", username="sw")
    pc = make_user("practitioner", "police", username="pc")
    reviewer = make_user("independent_reviewer", "independent_review", username="rev")
    child = person("social_care")
    unrelated = person("social_care")
    require_person_access(sw, child.id, "home visit")
    require_person_access(sw, unrelated.id, "not this child")
    with pytest.raises(PermissionDenied):  # refused, and the refusal is part of the history
        require_person_access(pc, child.id, "curious")
    do_break_glass(pc, person_id=child.id, reason="Missing since last night; need placement address")
    entries()
    log = list(person_history(child.id))
    actions = {(e.actor_user, e.action) for e in log}
    assert {("sw", "read"), ("pc", "read_denied"), ("pc", "break_glass"), ("system", "create")} <= actions
    assert all(e.object_id != unrelated.id for e in log)
    assert {e.object_type for e in log} >= {"people.person", "people.sourcerecord", "access.breakglass"}
    assert [e.index for e in log] == sorted((e.index for e in log), reverse=True)

    login(client, reviewer)
    assert client.get(f"/review/access?person_id={child.id}")["Location"] == f"/review/access/{child.id}"
    html = client.get(f"/review/access/{child.id}").content.decode()
    assert "home visit" in html and "curious" in html and "not this child" not in html
    [look] = entries(action="read_access_log")
    assert look.actor_user == "rev" and look.object_id == child.id
    # Only the reviewer's role may read it, through the page, the API or the selector alike.
    with pytest.raises(PermissionDenied):
        person_access_log(sw, child.id)
    login(client, sw)
    assert client.get(f"/review/access/{child.id}").status_code == 403
    assert client.get(f"/api/access/people/{child.id}/access-log").status_code == 403
    assert len(entries(action="read_access_log")) == 1
