"""Concerns, the triage queue and its deadlines, triage decisions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from sightline.access.services import actor_for
from sightline.cases import selectors, services
from sightline.cases.models import Concern, ConcernPerson, TriageDecision
from sightline.ledger.models import Entry, PendingEntry
from sightline.ledger.services import integrate
from sightline.people.need_to_know import person_access
from tests.factories import adult, at, child

pytestmark = pytest.mark.django_db

T0 = at(2024, 3, 4, 9, 0)


def raise_concern(user: Any, person_id: str, urgency: str = "standard", **kw: Any) -> Concern:
    return services.do_raise_concern(
        actor=actor_for(user),
        person_id=person_id,
        what_was_seen=kw.pop("what_was_seen", "Seen getting into a car with an older man outside school"),
        occurred_at=kw.pop("occurred_at", T0 - dt.timedelta(hours=2)),
        urgency=urgency,
        now=kw.pop("now", T0),
        **kw,
    )


@pytest.mark.parametrize(("urgency", "hours"), [("urgent", 24), ("standard", 72)])
def test_triage_becomes_overdue_at_the_deadline_for_its_urgency(
    police_officer: Any, manager: Any, urgency: str, hours: int
) -> None:
    c = raise_concern(police_officer, child().id, urgency)
    assert c.triage_due_at == T0 + dt.timedelta(hours=hours)
    before = T0 + dt.timedelta(hours=hours - 1)
    after = T0 + dt.timedelta(hours=hours, minutes=1)
    assert [i.concern.id for i in selectors.overdue_triage(manager, now=before)] == []
    overdue = selectors.overdue_triage(manager, now=after)
    assert [i.concern.id for i in overdue] == [c.id]
    assert overdue[0].overdue and overdue[0].hours_left <= 0
    # The manager's agency is not involved with the child: the concern shows, the name does not.
    assert overdue[0].restricted and overdue[0].person_name == ""
    # In the overdue tasks, only its kind and deadline: no child, no id.
    [task] = [t for t in selectors.overdue_items(manager, now=after) if t.kind == "triage"]
    assert (task.restricted, task.object_id, task.person_id, task.due_at) == (True, "", "", c.triage_due_at)


def test_deadlines_come_from_settings(settings: Any, police_officer: Any) -> None:
    settings.SIGHTLINE_TRIAGE_HOURS = {"urgent": 4, "standard": 48}
    c = raise_concern(police_officer, child().id, "urgent")
    assert c.triage_due_at == T0 + dt.timedelta(hours=4)


def test_overdue_triage_is_for_managers_not_practitioners(police_officer: Any) -> None:
    with pytest.raises(PermissionDenied):
        selectors.overdue_triage(police_officer)


def test_raising_a_concern_records_everything_and_grants_no_access(
    police_officer: Any, coordinator: Any
) -> None:
    kid = child()
    suspect = adult("Mohammed", family_name="Ali", date_of_birth="1980")
    assert not person_access(police_officer, kid.id).allowed
    c = raise_concern(
        police_officer,
        kid.id,
        "urgent",
        place="Star Kebab, Main St",
        postcode="s65 2ab",
        indicators=["S03", "M04"],
        others=[(suspect.id, "suspect")],
    )
    assert (c.agency_id, c.raised_by, c.postcode, c.indicators) == ("police", "pc", "S65 2AB", ["M04", "S03"])
    assert list(ConcernPerson.objects.filter(concern=c).values_list("person_id", "role")) == [
        (suspect.id, "suspect")
    ]
    # The officer could not see the child and still cannot: the concern went to the hub blind.
    assert c.raised_blind and not person_access(police_officer, kid.id).allowed
    queue = selectors.triage_queue(coordinator, now=T0)
    assert [i.concern.id for i in queue] == [c.id]


def test_concern_validation_names_fields(police_officer: Any) -> None:
    kid = child()
    with pytest.raises(ValidationError) as err:
        raise_concern(police_officer, kid.id, "whenever")
    assert "urgency" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        raise_concern(police_officer, kid.id, indicators=["NOPE"])
    assert "indicators" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        raise_concern(police_officer, kid.id, occurred_at=T0 + dt.timedelta(days=2))
    assert "occurred_at" in err.value.message_dict
    grown_up = adult()
    with pytest.raises(ValidationError) as err:
        raise_concern(police_officer, grown_up.id)
    assert "person" in err.value.message_dict


def test_triage_decisions_are_each_recorded(police_officer: Any, coordinator: Any) -> None:
    c = raise_concern(police_officer, child().id)
    actor = actor_for(coordinator)
    with pytest.raises(ValidationError) as err:
        services.do_triage_concern(concern_id=c.id, actor=actor, decision="no_further_action")
    assert "reason" in err.value.message_dict
    services.do_triage_concern(
        concern_id=c.id,
        actor=actor,
        decision="advice",
        reason="Advice to school DSL",
        now=T0 + dt.timedelta(hours=1),
    )
    services.do_triage_concern(
        concern_id=c.id, actor=actor, decision="strategy_meeting", now=T0 + dt.timedelta(hours=5)
    )
    c.refresh_from_db()
    assert (c.status, c.decision, c.decided_at) == ("triaged", "strategy_meeting", T0 + dt.timedelta(hours=1))
    assert list(
        TriageDecision.objects.filter(concern=c).order_by("decided_at").values_list("decision", flat=True)
    ) == [
        "advice",
        "strategy_meeting",
    ]
    assert selectors.triage_queue(coordinator, now=T0) == []
    assert selectors.time_to_triage_hours() == [1.0]
    integrate()
    assert Entry.objects.filter(object_type="cases.concern", object_id=c.id, action="triage").count() == 2
    assert not PendingEntry.objects.exists()


def test_practitioners_cannot_triage(police_officer: Any) -> None:
    c = raise_concern(police_officer, child().id)
    with pytest.raises(PermissionDenied):
        services.do_triage_concern(concern_id=c.id, actor=actor_for(police_officer), decision="advice")


def test_new_concerns_for_coordinator_and_raising_agency(
    police_officer: Any, social_worker: Any, coordinator: Any
) -> None:
    c = raise_concern(police_officer, child().id)
    now = T0 + dt.timedelta(days=1)
    assert [i.concern.id for i in selectors.new_concerns(coordinator, now=now)] == [c.id]
    assert [i.concern.id for i in selectors.new_concerns(police_officer, now=now)] == [c.id]
    assert selectors.new_concerns(social_worker, now=now) == []
    assert selectors.new_concerns(coordinator, now=T0 + dt.timedelta(days=8)) == []


def test_withdrawn_concern_leaves_the_queue_but_not_the_record(police_officer: Any, coordinator: Any) -> None:
    c = raise_concern(police_officer, child().id)
    with pytest.raises(ValidationError):
        services.do_withdraw_concern(concern_id=c.id, actor=actor_for(police_officer), reason=" ")
    services.do_withdraw_concern(
        concern_id=c.id, actor=actor_for(police_officer), reason="Raised about the wrong child"
    )
    assert selectors.triage_queue(coordinator, now=T0) == []
    assert Concern.objects.get(pk=c.id).status == "withdrawn"
