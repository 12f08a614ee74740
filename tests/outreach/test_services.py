"""Outreach services on the database: assigning from an alert, each attempt with consent and wishes,
a decline that stops the next attempt until a reasoned decision, and who may do each."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from sightline.access.services import actor_for
from sightline.cases.selectors.chronology import chronology_for
from sightline.intelligence.models import Alert
from sightline.ledger.models import Entry
from sightline.ledger.services import SYSTEM, StaleVersionError, integrate
from sightline.outreach import services
from sightline.outreach.models import Assignment, Attempt, Decision
from tests import factories

from .helpers import alert_about

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)


def _entries(obj: Any) -> list[Entry]:
    integrate()
    return list(Entry.objects.filter(object_type=obj.ledger_type(), object_id=obj.id).order_by("index"))


def _assigned(coordinator: Any, worker: Any, **kw: Any) -> Assignment:
    child = factories.known_child("police")
    return services.do_assign_outreach(
        actor_for(coordinator),
        alert_id=alert_about(child).id,
        agency="youth_service",
        worker=worker.username,
        **kw,
    )


def test_assigning_from_an_alert_marks_it_actioned_and_is_ledgered(
    coordinator: Any, practitioner: Any
) -> None:
    child = factories.known_child("police")
    alert = alert_about(child)
    made = services.do_assign_outreach(
        actor_for(coordinator),
        alert_id=alert.id,
        agency="youth_service",
        worker=practitioner.username,
        note="Often at the bus station after school",
    )
    assert (made.person_id, made.agency_id, made.worker, made.status) == (
        child.id,
        "youth_service",
        practitioner.username,
        Assignment.Status.OPEN,
    )
    alert.refresh_from_db()
    assert alert.status == Alert.Status.ACTIONED
    assert alert.status_reason == f"Outreach assigned to {practitioner.username} (Youth service)"
    [created] = _entries(made)
    body = json.loads(bytes(created.canonical))
    assert created.action == "create" and created.actor_user == coordinator.username
    assert body["data"]["note"] == "Often at the bus station after school"


def test_what_cannot_be_assigned(coordinator: Any, practitioner: Any, social_worker: Any) -> None:
    who = actor_for(coordinator)
    child = factories.known_child("police")
    adult_alert = alert_about(factories.adult("Dennis"), kind=Alert.Kind.ADULT_OF_CONCERN)
    with pytest.raises(ValidationError, match="child at risk"):
        services.do_assign_outreach(who, alert_id=adult_alert.id, agency="youth_service")
    dismissed = alert_about(child, status=Alert.Status.DISMISSED)
    with pytest.raises(ValidationError, match="dismissed"):
        services.do_assign_outreach(who, alert_id=dismissed.id, agency="youth_service")
    alert = alert_about(child)
    with pytest.raises(ValidationError, match="does not work in the team"):
        services.do_assign_outreach(
            who, alert_id=alert.id, agency="youth_service", worker=social_worker.username
        )
    with pytest.raises(ValidationError, match="not an account that can record outreach"):
        services.do_assign_outreach(
            who, alert_id=alert.id, agency="youth_service", worker=coordinator.username + "x"
        )
    first = services.do_assign_outreach(who, alert_id=alert.id, agency="youth_service")
    with pytest.raises(ValidationError, match="already has outreach open"):
        services.do_assign_outreach(who, alert_id=alert_about(child).id, agency="youth_service")
    # Only a coordinator assigns: a youth worker cannot assign to themselves.
    with pytest.raises(PermissionDenied):
        services.do_assign_outreach(actor_for(practitioner), alert_id=alert.id, agency="youth_service")
    assert list(Assignment.objects.values_list("id", flat=True)) == [first.id]


def test_each_attempt_records_when_where_how_consent_and_wishes(coordinator: Any, practitioner: Any) -> None:
    made = _assigned(coordinator, practitioner, now=timezone.now() - dt.timedelta(days=1))
    worker = actor_for(practitioner)
    start = made.assigned_at
    missed = services.do_record_outreach_attempt(
        worker, assignment_id=made.id, method="street", outcome="not_found", place="Bus station",
        occurred_at=start + HOUR,
    )  # fmt: skip
    assert (missed.place, missed.method, missed.consent) == ("Bus station", "street", "")
    made.refresh_from_db()
    assert made.first_contact_at is None
    with pytest.raises(ValidationError) as err:
        services.do_record_outreach_attempt(
            worker, assignment_id=made.id, method="drop_in", outcome="contact_made"
        )
    assert "consent" in err.value.message_dict
    with pytest.raises(ValidationError, match="only when you spoke"):
        services.do_record_outreach_attempt(
            worker, assignment_id=made.id, method="street", outcome="not_found", consent="given"
        )
    with pytest.raises(ValidationError) as err:
        services.do_record_outreach_attempt(
            worker, assignment_id=made.id, method="drop_in", outcome="referred_on", consent="given"
        )
    assert "referred_to" in err.value.message_dict
    services.do_record_outreach_attempt(
        worker, assignment_id=made.id, method="drop_in", outcome="engaged", consent="given",
        wishes="Wants to go back to college", occurred_at=start + 3 * HOUR,
    )  # fmt: skip
    services.do_record_outreach_attempt(
        worker, assignment_id=made.id, method="drop_in", outcome="contact_made", consent="not_asked",
        occurred_at=start + 2 * HOUR,
    )  # fmt: skip
    made.refresh_from_db()
    # The first contact is the earliest, whatever order attempts were recorded in.
    assert made.first_contact_at == start + 2 * HOUR
    assert made.engaged_at == start + 3 * HOUR
    assert made.wishes == "Wants to go back to college"
    assert [e.action for e in _entries(made)] == [
        "create", "attempt_not_found", "attempt_engaged", "attempt_contact_made"
    ]  # fmt: skip


def test_attempts_cannot_be_in_the_future_or_before_the_assignment(
    coordinator: Any, practitioner: Any
) -> None:
    made = _assigned(coordinator, practitioner)
    worker = actor_for(practitioner)
    with pytest.raises(ValidationError, match="future"):
        services.do_record_outreach_attempt(
            worker, assignment_id=made.id, method="phone", outcome="not_found",
            occurred_at=timezone.now() + dt.timedelta(days=1),
        )  # fmt: skip
    with pytest.raises(ValidationError, match="record attempts from that day on"):
        services.do_record_outreach_attempt(
            worker, assignment_id=made.id, method="phone", outcome="not_found",
            occurred_at=made.assigned_at - dt.timedelta(days=2),
        )  # fmt: skip


def test_a_decline_is_not_pursued_blindly(coordinator: Any, practitioner: Any) -> None:
    made = _assigned(coordinator, practitioner)
    worker = actor_for(practitioner)
    with pytest.raises(ValidationError) as err:
        services.do_record_outreach_attempt(
            worker, assignment_id=made.id, method="school", outcome="declined", consent="refused"
        )
    assert "wishes" in err.value.message_dict  # what the child said is recorded with a decline
    declined = services.do_record_outreach_attempt(
        worker, assignment_id=made.id, method="school", outcome="declined", consent="refused",
        wishes="Does not want a youth worker",
    )  # fmt: skip
    made.refresh_from_db()
    assert made.status == Assignment.Status.DECISION_NEEDED
    with pytest.raises(ValidationError, match="record a decision"):
        services.do_record_outreach_attempt(
            worker, assignment_id=made.id, method="phone", outcome="not_found"
        )
    with pytest.raises(ValidationError) as err:
        services.do_decide_outreach(worker, assignment_id=made.id, decision="continue", reason="  ")
    assert "reason" in err.value.message_dict

    reason = "Missing twice this week: one more try through the school nurse she trusts"
    decision = services.do_decide_outreach(worker, assignment_id=made.id, decision="continue", reason=reason)
    assert decision.after_attempt_id == declined.id
    made.refresh_from_db()
    assert made.status == Assignment.Status.OPEN
    entry = _entries(made)[-1]
    assert (entry.action, entry.reason) == ("decide_continue", reason)
    assert [e.reason for e in _entries(decision)] == [reason]
    # Continuing is an answer to a decline; with none to answer there is nothing to continue.
    with pytest.raises(ValidationError, match="no decline"):
        services.do_decide_outreach(worker, assignment_id=made.id, decision="continue", reason=reason)
    services.do_record_outreach_attempt(worker, assignment_id=made.id, method="phone", outcome="not_found")

    closed = services.do_decide_outreach(
        actor_for(coordinator),
        assignment_id=made.id,
        decision="close",
        reason="Engaged with the nurse instead",
    )
    made.refresh_from_db()
    assert (made.status, made.close_reason, closed.after_attempt_id) == (
        Assignment.Status.CLOSED,
        "Engaged with the nurse instead",
        None,
    )
    with pytest.raises(ValidationError, match="closed"):
        services.do_record_outreach_attempt(
            worker, assignment_id=made.id, method="phone", outcome="not_found"
        )
    assert Decision.objects.filter(assignment=made).count() == 2


def test_only_the_assigned_team_or_a_coordinator_works_on_it(
    coordinator: Any, practitioner: Any, social_worker: Any, make_user: Any
) -> None:
    made = _assigned(coordinator, practitioner)
    # A social worker can open the child's record through case work, but it is not their outreach.
    with pytest.raises(PermissionDenied, match="youth_service"):
        services.do_record_outreach_attempt(
            actor_for(social_worker), assignment_id=made.id, method="phone", outcome="not_found"
        )
    with pytest.raises(PermissionDenied, match="youth_service"):
        services.do_decide_outreach(
            actor_for(social_worker), assignment_id=made.id, decision="close", reason="x"
        )
    # Another youth worker (the team) and the coordinator may; a school DSL's role may not at all.
    colleague = make_user("practitioner", "youth_service", username="colleague")
    services.do_record_outreach_attempt(
        actor_for(colleague), assignment_id=made.id, method="phone", outcome="not_found"
    )
    services.do_record_outreach_attempt(
        actor_for(coordinator), assignment_id=made.id, method="phone", outcome="not_found"
    )
    dsl = make_user("dsl", "youth_service", username="dsl")
    with pytest.raises(PermissionDenied):
        services.do_record_outreach_attempt(
            actor_for(dsl), assignment_id=made.id, method="phone", outcome="not_found"
        )
    assert Attempt.objects.filter(assignment=made).count() == 2
    assert [a.agency_id for a in Attempt.objects.filter(assignment=made).order_by("recorded_at")] == [
        "youth_service",
        "mash",
    ]


def test_a_stale_version_is_refused(coordinator: Any, practitioner: Any) -> None:
    made = _assigned(coordinator, practitioner)
    services.do_record_outreach_attempt(SYSTEM, assignment_id=made.id, method="phone", outcome="not_found")
    with pytest.raises(StaleVersionError):
        services.do_decide_outreach(
            actor_for(practitioner),
            assignment_id=made.id,
            decision="close",
            reason="done",
            expected_version=1,
        )


def test_outreach_is_on_the_childs_chronology(coordinator: Any, practitioner: Any) -> None:
    made = _assigned(
        coordinator, practitioner, note="Try the drop-in", now=timezone.now() - dt.timedelta(days=1)
    )
    services.do_record_outreach_attempt(
        actor_for(practitioner), assignment_id=made.id, method="drop_in", outcome="engaged", consent="given",
        place="Youth club", wishes="Wants to go back to college", occurred_at=made.assigned_at + HOUR,
    )  # fmt: skip
    lines = [e for e in chronology_for(made.person_id) if e.kind.startswith("outreach")]
    assert [(e.kind_label, e.agency) for e in lines] == [
        ("Outreach attempt", "youth_service"), ("Outreach assigned", "youth_service")
    ]  # fmt: skip
    attempt, assigned = lines
    assert attempt.title == "Engaged: drop-in or youth club, Youth club"
    assert attempt.detail == "Wishes: Wants to go back to college"
    assert assigned.detail == "Try the drop-in" and assigned.ledger_index is not None
    assert assigned.recorded_by == coordinator.username
