"""Who sees what of outreach. Assigning outreach is the one write that opens a record to others: the
team assigned, to that child only. Recording attempts and decisions opens nothing to anyone. Lists
and pages show a worker their team's outreach, ledgered; the API obeys the same rules."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from sightline.access.models import Agency, User
from sightline.access.services import actor_for
from sightline.ledger.models import Entry
from sightline.ledger.services import SYSTEM, integrate
from sightline.outreach import selectors, services
from sightline.people import need_to_know
from sightline.people.need_to_know import NeedToKnowDenied, person_history, visible_people
from sightline.people.services import do_merge_people
from tests import factories

from .helpers import alert_about

pytestmark = pytest.mark.django_db


def _openable() -> dict[str, set[str]]:
    """Every account's people it may open."""
    return {u.username: set(visible_people(u).values_list("pk", flat=True)) for u in User.objects.all()}


@pytest.mark.usefixtures("social_worker", "police_officer")  # others who must gain nothing
def test_assigning_opens_the_child_to_the_assigned_team_only(
    coordinator: Any, practitioner: Any, make_user: Any
) -> None:
    colleague = make_user("practitioner", "youth_service", username="colleague")
    child = factories.known_child("police", given="Tia", family="Marsh")
    other = factories.known_child("police", given="Other", family="Child")
    before = _openable()
    assert child.id not in before[practitioner.username]
    made = services.do_assign_outreach(
        actor_for(coordinator),
        alert_id=alert_about(child).id,
        agency="youth_service",
        worker=practitioner.username,
    )
    after = _openable()
    changed = {u: after[u] ^ before[u] for u in after if after[u] != before[u]}
    # The whole team (it allocates among itself), and nobody else; nothing but this child.
    assert changed == {practitioner.username: {child.id}, colleague.username: {child.id}}
    assert other.id not in after[practitioner.username]
    # Opening it is ledgered like any read, on the basis of the outreach.
    selectors.get_assignment(practitioner, made.id)
    integrate()
    read = Entry.objects.filter(action="read", object_id=child.id, actor_user=practitioner.username).last()
    assert read is not None and "outreach" in json.loads(bytes(read.canonical))["data"]["purpose"]


def test_attempts_and_decisions_open_nothing(coordinator: Any, practitioner: Any) -> None:
    child = factories.known_child("police")
    made = services.do_assign_outreach(
        actor_for(coordinator), alert_id=alert_about(child).id, agency="youth_service"
    )
    before = _openable()
    worker = actor_for(practitioner)
    services.do_record_outreach_attempt(
        worker,
        assignment_id=made.id,
        method="school",
        outcome="declined",
        consent="refused",
        wishes="No thanks",
    )
    services.do_decide_outreach(worker, assignment_id=made.id, decision="close", reason="She is with CAMHS")
    assert _openable() == before


def test_a_worker_sees_their_teams_outreach_and_no_other(
    coordinator: Any, practitioner: Any, police_officer: Any, make_user: Any
) -> None:
    ours = factories.known_child("police", given="Ours")
    theirs = factories.known_child("police", given="Theirs")
    mine = services.do_assign_outreach(
        actor_for(coordinator), alert_id=alert_about(ours).id, agency="youth_service"
    )
    services.do_assign_outreach(actor_for(coordinator), alert_id=alert_about(theirs).id, agency="police")
    rows = list(selectors.outreach_list(practitioner))
    assert [(r.id, r.child_name) for r in rows] == [(mine.id, "Ours Brookes")]
    assert len(list(selectors.outreach_list(coordinator))) == 2
    assert [r.child_name for r in selectors.outreach_list(police_officer)] == ["Theirs Brookes"]
    integrate()
    listed = Entry.objects.filter(action="read_list", actor_user=practitioner.username).last()
    assert listed is not None and json.loads(bytes(listed.canonical))["data"]["people"] == [ours.id]
    # The police know the child from their own records, so they may read the outreach, not work on it.
    assert selectors.get_assignment(police_officer, mine.id).may_work is False
    assert selectors.get_assignment(practitioner, mine.id).may_work is True
    # A worker of an agency that does not know the child is refused, and the refusal is ledgered.
    stranger = make_user("practitioner", "housing", username="stranger")
    with pytest.raises(NeedToKnowDenied):
        selectors.get_assignment(stranger, mine.id)
    integrate()
    assert Entry.objects.filter(action="read_denied", actor_user="stranger", object_id=ours.id).exists()
    # Roles without outreach see none of it.
    with pytest.raises(PermissionDenied):
        list(selectors.outreach_list(make_user("dsl", "youth_service", username="dsl")))


def test_the_childs_history_includes_every_outreach_row(coordinator: Any, practitioner: Any) -> None:
    child = factories.known_child("police")
    made = services.do_assign_outreach(
        actor_for(coordinator), alert_id=alert_about(child).id, agency="youth_service"
    )
    attempt = services.do_record_outreach_attempt(
        actor_for(practitioner), assignment_id=made.id, method="phone", outcome="not_found"
    )
    decision = services.do_decide_outreach(
        actor_for(practitioner), assignment_id=made.id, decision="close", reason="Moved out of the area"
    )
    integrate()
    seen = {(e.object_type, e.object_id) for e in person_history(child.id)}
    assert {
        ("outreach.assignment", made.id),
        ("outreach.attempt", attempt.id),
        ("outreach.decision", decision.id),
    } <= seen


def test_the_api_assigns_records_and_decides_under_the_same_rules(
    coordinator: Any, practitioner: Any, social_worker: Any
) -> None:
    child = factories.known_child("police", "social_care", given="Api")
    alert = alert_about(child)
    boss = Client(**factories.bearer(coordinator))
    made = boss.post(
        "/api/cases/outreach",
        {"alert_id": alert.id, "agency": "youth_service", "worker": practitioner.username},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["person_id"], body["child_name"], body["status"]) == (child.id, "Api Brookes", "open")
    again = boss.post(
        "/api/cases/outreach",
        {"alert_id": alert.id, "agency": "youth_service"},
        content_type="application/json",
    )
    assert again.status_code == 422
    worker = Client(**factories.bearer(practitioner))
    url = f"/api/cases/outreach/{body['id']}"
    declined = worker.post(
        f"{url}/attempts",
        {"method": "street", "outcome": "declined", "consent": "refused", "wishes": "Leave me alone"},
        content_type="application/json",
    )
    assert declined.status_code == 201 and declined.json()["status"] == "decision_needed"
    blocked = worker.post(
        f"{url}/attempts", {"method": "phone", "outcome": "not_found"}, content_type="application/json"
    )
    assert blocked.status_code == 422
    # A social worker can open the child's record but may not record another team's outreach.
    other = Client(**factories.bearer(social_worker))
    assert other.get(url).status_code == 200
    refused = other.post(
        f"{url}/decisions", {"decision": "close", "reason": "x"}, content_type="application/json"
    )
    assert refused.status_code == 403
    decided = worker.post(
        f"{url}/decisions",
        {"decision": "continue", "reason": "Risk is high: try the nurse"},
        content_type="application/json",
    )
    assert decided.status_code == 201
    assert [d["decision"] for d in decided.json()["decisions"]] == ["continue"]
    listed = worker.get("/api/cases/outreach").json()
    assert [i["id"] for i in listed["items"]] == [body["id"]]


def test_pages_name_staff_as_people_know_them(coordinator: Any, practitioner: Any) -> None:
    User.objects.filter(pk=practitioner.pk).update(first_name="Jordan", last_name="Reyes")
    child = factories.known_child("police", given="Named")
    made = services.do_assign_outreach(
        actor_for(coordinator),
        alert_id=alert_about(child).id,
        agency="youth_service",
        worker=practitioner.username,
    )
    assert [r.worker for r in selectors.outreach_list(coordinator)] == ["Jordan Reyes"]
    page = factories.signed_in(practitioner).get(f"/outreach/{made.id}").content.decode()
    assert '<dd class="govuk-summary-list__value">Jordan Reyes</dd>' in page
    # The worker cannot open alerts, so the alert is described, not given by its code.
    assert made.alert_id not in page and "from an alert about Named" in page
    assert (
        f'/intelligence/alerts/{made.alert_id}"'
        in factories.signed_in(coordinator).get(f"/outreach/{made.id}").content.decode()
    )


def test_outreach_counts_the_same_asked_for_many_people_at_once(
    coordinator: Any, practitioner: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages ask who holds a page of people in one query a source; outreach to a child since merged
    into another counts for the survivor, as asking from the agency's side says."""
    survivor = factories.known_child("police", given="Tia", family="Marsh")
    merged = factories.known_child("health", given="Tea", family="Marsh")
    services.do_assign_outreach(
        actor_for(coordinator), alert_id=alert_about(merged).id, agency="youth_service"
    )
    do_merge_people(SYSTEM, source_id=merged.id, target_id=survivor.id, reason="the same child")
    ids = [survivor.id, merged.id]
    fast = need_to_know.involved_agencies(ids)
    opened = need_to_know.visible_among(practitioner, ids)
    assert Agency.objects.get(pk="youth_service").name in fast[survivor.id]
    assert opened == {survivor.id, merged.id}
    monkeypatch.setattr(need_to_know, "_BY_PERSON", {})
    monkeypatch.setattr(need_to_know, "_BATCHES", [])
    assert need_to_know.involved_agencies(ids) == fast
    assert need_to_know.visible_among(practitioner, ids) == opened
