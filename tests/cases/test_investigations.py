"""Police investigations: victims and suspects, per-suspect status history, self-referrals per week."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from sightline.access.services import actor_for
from sightline.cases import selectors, services
from tests.factories import adult, at, child

pytestmark = pytest.mark.django_db

NOW = at(2024, 6, 1, 12)


@pytest.fixture
def operation(analyst: Any) -> Any:
    return services.do_open_investigation(
        actor=actor_for(analyst), operation_name="Operation Clover", opened_on=dt.date(2024, 1, 15)
    )


def test_suspect_status_history(analyst: Any, operation: Any) -> None:
    actor = actor_for(analyst)
    victim = child()
    suspect = adult("Arshid", family_name="Hussain", date_of_birth="1975")
    services.do_link_investigation_person(
        investigation_id=operation.id, actor=actor, person_id=victim.id, role="victim"
    )
    services.do_link_investigation_person(
        investigation_id=operation.id, actor=actor, person_id=suspect.id, role="suspect"
    )
    with pytest.raises(ValidationError):
        services.do_link_investigation_person(
            investigation_id=operation.id, actor=actor, person_id=suspect.id, role="suspect"
        )
    with pytest.raises(ValidationError) as err:
        services.do_record_suspect_status(
            investigation_id=operation.id,
            actor=actor,
            person_id=victim.id,
            status="arrested",
            effective_on=dt.date(2024, 2, 1),
            now=NOW,
        )
    assert "person" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.do_record_suspect_status(
            investigation_id=operation.id,
            actor=actor,
            person_id=suspect.id,
            status="bail",
            effective_on=dt.date(2024, 2, 2),
            now=NOW,
        )
    assert {"bail_conditions", "bail_end_on"} <= set(err.value.message_dict)
    steps: list[tuple[str, dt.date, dict[str, Any]]] = [
        ("arrested", dt.date(2024, 2, 1), {}),
        (
            "bail",
            dt.date(2024, 2, 2),
            {"bail_conditions": "No contact with victims", "bail_end_on": dt.date(2024, 8, 1)},
        ),
    ]
    for status, day, extra in steps:
        services.do_record_suspect_status(
            investigation_id=operation.id,
            actor=actor,
            person_id=suspect.id,
            status=status,
            effective_on=day,
            now=NOW,
            **extra,
        )
    view = selectors.get_investigation(analyst, operation.id)
    assert [v.person_id for v in view.victims] == [victim.id]
    (sv,) = view.suspects
    assert [s.status for s in sv.history] == ["bail", "arrested"]
    assert sv.current is not None and sv.current.bail_end_on == dt.date(2024, 8, 1)
    assert [s.person_id for s in selectors.suspects_on_bail(as_of=dt.date(2024, 6, 1))] == [suspect.id]
    assert selectors.suspects_on_bail(as_of=dt.date(2024, 8, 2)) == []
    services.do_record_suspect_status(
        investigation_id=operation.id,
        actor=actor,
        person_id=suspect.id,
        status="charged",
        effective_on=dt.date(2024, 5, 1),
        now=NOW,
    )
    assert selectors.suspects_on_bail(as_of=dt.date(2024, 6, 1)) == []
    assert selectors.suspects_on_bail(as_of=dt.date(2024, 3, 1))[0].status == "bail"
    history = dict((link.role, h) for link, h in selectors.person_investigations(analyst, suspect.id))
    assert [s.status for s in history["suspect"]] == ["charged", "bail", "arrested"]


def test_only_investigating_roles_record_investigations(social_worker: Any, operation: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.do_open_investigation(
            actor=actor_for(social_worker), operation_name="Op X", opened_on=dt.date(2024, 1, 1)
        )
    with pytest.raises(PermissionDenied):
        selectors.get_investigation(social_worker, operation.id)


def test_self_referrals_counted_per_week(police_officer: Any, operation: Any) -> None:
    actor = actor_for(police_officer)
    days = [dt.date(2024, 3, 4), dt.date(2024, 3, 10), dt.date(2024, 3, 11), dt.date(2024, 3, 27)]
    for day in days:
        services.do_record_self_referral(
            actor=actor, received_on=day, investigation_id=operation.id, channel="phone", now=NOW
        )
    services.do_record_self_referral(
        actor=actor, received_on=dt.date(2024, 3, 12), person_id=child().id, now=NOW
    )
    weeks = selectors.self_referrals_per_week(dt.date(2024, 3, 6), dt.date(2024, 3, 31))
    assert weeks == [
        (dt.date(2024, 3, 4), 2),
        (dt.date(2024, 3, 11), 2),
        (dt.date(2024, 3, 18), 0),
        (dt.date(2024, 3, 25), 1),
    ]
    with pytest.raises(ValidationError):
        services.do_record_self_referral(actor=actor, received_on=dt.date(2030, 1, 1), now=NOW)


def test_unlinking_keeps_history(analyst: Any, operation: Any) -> None:
    actor = actor_for(analyst)
    v = child()
    link = services.do_link_investigation_person(
        investigation_id=operation.id, actor=actor, person_id=v.id, role="victim"
    )
    with pytest.raises(ValidationError):
        services.do_unlink_investigation_person(link_id=link.id, actor=actor, reason="")
    services.do_unlink_investigation_person(link_id=link.id, actor=actor, reason="Linked in error")
    assert selectors.get_investigation(analyst, operation.id).victims == []
    relinked = services.do_link_investigation_person(
        investigation_id=operation.id, actor=actor, person_id=v.id, role="victim"
    )
    assert relinked.id == link.id and relinked.version == 3
