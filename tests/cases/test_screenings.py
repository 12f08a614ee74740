"""Screenings through the service: overrides need reasons, reassessment and re-screen triggers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from sightline.access.services import actor_for
from sightline.cases import selectors, services
from sightline.ledger.services import SYSTEM, do_update
from sightline.people.models import Person
from sightline.people.selectors import resolve_person_ids
from sightline.people.services import do_merge_people
from tests.factories import at, child, event, record

pytestmark = pytest.mark.django_db

T0 = at(2024, 1, 10, 10, 0)
MILD = {"S01": {"current": True}, "V01": {"current": True}}  # 5 + 1 = 6


def screen(user: Any, person_id: str, answers: dict[str, Any] | None = None, **kw: Any) -> Any:
    return services.do_complete_screening(
        actor=actor_for(user), person_id=person_id, answers=answers or MILD, now=kw.pop("now", T0), **kw
    )


def test_score_band_and_reassessment_date(coordinator: Any) -> None:
    s = screen(coordinator, child().id)
    assert (s.score, s.computed_band, s.band, s.override_band) == (6, "mild", "mild", "")
    assert s.next_due_on == dt.date(2024, 4, 10)
    assert s.answers == {
        "S01": {"current": True, "earlier": False},
        "V01": {"current": True, "earlier": False},
    }


def test_override_needs_a_reason(coordinator: Any) -> None:
    kid = child()
    with pytest.raises(ValidationError) as err:
        screen(coordinator, kid.id, override_band="significant")
    assert "override_reason" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        screen(coordinator, kid.id, override_band="enormous", override_reason="x")
    assert "override_band" in err.value.message_dict
    s = screen(
        coordinator, kid.id, override_band="significant", override_reason="Disclosed abuse by two adults"
    )
    assert (s.score, s.computed_band, s.band) == (6, "mild", "significant")
    assert s.override_reason == "Disclosed abuse by two adults"


def test_unknown_indicators_and_practitioners_are_refused(coordinator: Any, social_worker: Any) -> None:
    kid = child()
    with pytest.raises(ValidationError) as err:
        screen(coordinator, kid.id, {"ethnicity": {"current": True}})
    assert "answers" in err.value.message_dict
    with pytest.raises(PermissionDenied):
        screen(social_worker, kid.id)


def test_ethnicity_does_not_change_a_score(coordinator: Any) -> None:
    kid = child(ethnicity="WBRI")
    first = screen(coordinator, kid.id)
    kid.ethnicity = "APKN"
    do_update(kid, actor=SYSTEM)
    second = screen(coordinator, kid.id)
    assert (first.score, first.band) == (second.score, second.band)


def test_rescreen_due_after_a_new_missing_episode(coordinator: Any, social_worker: Any) -> None:
    kid = child()
    screen(coordinator, kid.id)
    now = T0 + dt.timedelta(days=10)
    assert selectors.rescreen_due_for(kid.id, now=now) is None
    # An episode the screener already knew of (recorded before the screening) does not count...
    services.do_record_missing_episode(
        actor=actor_for(social_worker),
        person_id=kid.id,
        category="M",
        started_at=T0 - dt.timedelta(days=3),
        ended_at=T0 - dt.timedelta(days=2),
        now=T0 - dt.timedelta(days=1),
    )
    assert selectors.rescreen_due_for(kid.id, now=now) is None
    # ...one after it does.
    ep = services.do_record_missing_episode(
        actor=actor_for(social_worker),
        person_id=kid.id,
        category="M",
        started_at=T0 + dt.timedelta(days=5),
        now=now,
    )
    due = selectors.rescreen_due_for(kid.id, now=now)
    assert due is not None and not due.reassessment_due
    assert [(t.kind, t.object_id) for t in due.triggers] == [("missing", ep.id)]
    assert [d.person_id for d in selectors.rescreens_due(coordinator, now=now)] == [kid.id]
    tasks = selectors.my_tasks(coordinator, now=now)
    assert any(t.kind == "rescreen" and t.person_id == kid.id for t in tasks)
    # Screening again clears it.
    screen(coordinator, kid.id, now=now)
    assert selectors.rescreen_due_for(kid.id, now=now) is None


def test_an_earlier_episode_recorded_after_the_screening_is_new_information(coordinator: Any) -> None:
    kid = child()
    screen(coordinator, kid.id)
    now = T0 + dt.timedelta(days=2)
    actor = actor_for(coordinator)
    # Went missing last year, more than 12 months before the screening: outside its look-back.
    services.do_record_missing_episode(
        actor=actor, person_id=kid.id, category="M", started_at=T0 - dt.timedelta(days=400), now=now
    )
    assert selectors.rescreen_due_for(kid.id, now=now) is None
    late = services.do_record_missing_episode(
        actor=actor, person_id=kid.id, category="M", started_at=T0 - dt.timedelta(days=20), now=now
    )
    due = selectors.rescreen_due_for(kid.id, now=now)
    assert due is not None and [t.object_id for t in due.triggers] == [late.id]


def test_absent_episode_does_not_trigger_by_default_but_can(settings: Any, coordinator: Any) -> None:
    kid = child()
    screen(coordinator, kid.id)
    now = T0 + dt.timedelta(days=10)
    services.do_record_missing_episode(
        actor=actor_for(coordinator),
        person_id=kid.id,
        category="A",
        started_at=T0 + dt.timedelta(days=1),
        now=now,
    )
    assert selectors.rescreen_due_for(kid.id, now=now) is None
    settings.SIGHTLINE_RESCREEN_TRIGGERS = ["missing", "absent"]
    assert selectors.rescreen_due_for(kid.id, now=now) is not None


@pytest.mark.parametrize("kind", ["missing", "police_incident", "return_interview"])
def test_rescreen_due_after_an_imported_event(coordinator: Any, kind: str) -> None:
    kid = child()
    known = record(kid, "police", "POL-7", imported_at=T0 - dt.timedelta(days=1), given_name="Jess")
    event(known, kind, dt.date(2024, 1, 5), "E-known")
    screen(coordinator, kid.id)
    now = T0 + dt.timedelta(days=30)
    assert selectors.rescreen_due_for(kid.id, now=now) is None
    # A later extract brings an event that happened after the screening...
    later = record(kid, "health", "H-7", imported_at=T0 + dt.timedelta(days=25))
    after = event(later, kind, dt.date(2024, 1, 20), "E-after")
    # ...and one that happened before it but was not known then.
    unknown = event(later, kind, dt.date(2024, 1, 2), "E-unknown")
    due = selectors.rescreen_due_for(kid.id, now=now)
    assert due is not None
    assert [(t.kind, t.object_id, t.source) for t in due.triggers] == [
        (kind, unknown.id, "health"),
        (kind, after.id, "health"),
    ]


def test_other_imported_kinds_do_not_trigger(coordinator: Any) -> None:
    kid = child()
    screen(coordinator, kid.id)
    event(record(kid, imported_at=T0 + dt.timedelta(days=20)), "health_attendance", dt.date(2024, 1, 20))
    assert selectors.rescreen_due_for(kid.id, now=T0 + dt.timedelta(days=30)) is None


def test_reassessment_is_due_after_three_months(coordinator: Any) -> None:
    kid = child()
    screen(coordinator, kid.id)
    assert selectors.rescreen_due_for(kid.id, now=at(2024, 4, 9, 12)) is None
    due = selectors.rescreen_due_for(kid.id, now=at(2024, 4, 10, 12))
    assert due is not None and due.reassessment_due and not due.triggers
    assert "reassessment was due by 10 April 2024" in due.reasons


def test_screening_history_is_newest_first_with_score_lines(coordinator: Any) -> None:
    kid = child()
    screen(coordinator, kid.id, now=T0)
    screen(
        coordinator,
        kid.id,
        {"S01": {"current": True, "earlier": True}, "M01": {"current": True}},
        now=T0 + dt.timedelta(days=1),
    )
    history = selectors.screening_history(coordinator, kid.id)
    assert [h.screening.score for h in history] == [7, 6]
    assert [(line.code, line.points) for line in history[0].lines] == [("M01", 1), ("S01", 6)]
    assert history[0].band_label == "Mild risk"


def test_add_months_clamps_to_month_end() -> None:
    assert services.add_months(dt.date(2023, 11, 30), 3) == dt.date(2024, 2, 29)
    assert services.add_months(dt.date(2024, 10, 31), 3) == dt.date(2025, 1, 31)


def test_screening_a_merged_child_lands_on_the_survivor(coordinator: Any) -> None:
    a, b = child(), child(given_name="Jess")
    do_merge_people(actor_for(coordinator), source_id=b.id, target_id=a.id, reason="same child")
    s = screen(coordinator, b.id)
    assert s.person_id == a.id
    assert Person.objects.get(pk=b.id).status == "merged"


def test_every_childs_rescreen_is_what_each_alone_gives_in_a_fixed_number_of_queries(
    coordinator: Any, social_worker: Any, django_assert_max_num_queries: Any
) -> None:
    """The dashboard's list of all re-screens is computed for all children at once, each child still
    judged against their own latest screening (their windows differ here)."""
    actor = actor_for(social_worker)
    kids = []
    for i in range(6):
        kid = child()
        kids.append(kid)
        screened = T0 + dt.timedelta(days=i * 7)
        screen(coordinator, kid.id, now=screened)
        # Known at the screening for some, new after it for others.
        services.do_record_missing_episode(
            actor=actor,
            person_id=kid.id,
            category="M",
            started_at=T0 + dt.timedelta(days=10 + i),
            now=T0 + dt.timedelta(days=30),
        )
        later = record(kid, "health", f"H-{i}", imported_at=T0 + dt.timedelta(days=21))
        event(later, "police_incident", dt.date(2024, 1, 9) + dt.timedelta(days=i * 4), f"E-{i}")
    # A child merged into another: the survivor's screening covers both.
    absorbed = kids.pop()
    do_merge_people(actor_for(coordinator), source_id=absorbed.id, target_id=kids[0].id, reason="same")
    now = T0 + dt.timedelta(days=60)
    with django_assert_max_num_queries(12):
        every = selectors.rescreens_due_all(now=now)
    alone = [selectors.rescreen_due_for(k.id, now=now) for k in kids]
    expected = sorted((d for d in alone if d is not None), key=lambda d: d.last_screening.completed_at)
    assert every == expected
    assert {len(d.triggers) for d in every} != {0}  # some children have triggers, found in bulk too
    assert absorbed.id not in {d.person_id for d in every}
    # Given as a generator, the ids are read once and each still resolves to the survivor.
    assert resolve_person_ids(k.id for k in [absorbed, kids[1]]) == {
        absorbed.id: kids[0].id,
        kids[1].id: kids[1].id,
    }
