"""Missing episodes and return interviews, plans, placements."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from sightline.access.services import actor_for
from sightline.cases import selectors, services
from sightline.cases.models import PlanAction
from tests.factories import at, child

pytestmark = pytest.mark.django_db

RETURNED = at(2024, 5, 1, 18, 0)
NOW = at(2024, 5, 20, 9, 0)


def episode(user: Any, person_id: str, category: str = "M", *, ended: dt.datetime | None = RETURNED) -> Any:
    return services.do_record_missing_episode(
        actor=actor_for(user),
        person_id=person_id,
        category=category,
        started_at=RETURNED - dt.timedelta(hours=30),
        ended_at=ended,
        now=NOW,
    )


@pytest.mark.parametrize(
    ("offered_after", "state", "within"),
    [
        (dt.timedelta(hours=1), "within_72h", True),
        (dt.timedelta(hours=72), "within_72h", True),
        (dt.timedelta(hours=72, minutes=1), "outside_72h", False),
        (dt.timedelta(days=6), "outside_72h", False),
    ],
)
def test_return_interview_within_or_outside_72_hours(
    social_worker: Any, offered_after: dt.timedelta, state: str, within: bool
) -> None:
    ep = episode(social_worker, child().id)
    services.do_offer_return_interview(
        episode_id=ep.id, actor=actor_for(social_worker), offered_at=RETURNED + offered_after, now=NOW
    )
    status = selectors.return_interview_status(ep, now=NOW)
    assert (status.state, status.within_72h) == (state, within)
    assert status.due_by == RETURNED + dt.timedelta(hours=72)


def test_return_interview_due_then_overdue_when_not_offered(social_worker: Any, manager: Any) -> None:
    kid = child()
    ep = episode(social_worker, kid.id)
    assert selectors.return_interview_status(ep, now=RETURNED + dt.timedelta(hours=71)).state == "due"
    late = RETURNED + dt.timedelta(hours=73)
    assert selectors.return_interview_status(ep, now=late).state == "overdue"
    mine = selectors.my_tasks(social_worker, now=late)
    assert [(t.kind, t.object_id, t.overdue) for t in mine] == [("return_interview", ep.id, True)]
    assert [
        t.object_id for t in selectors.overdue_items(manager, now=late) if t.kind == "return_interview"
    ] == [ep.id]
    open_ep = episode(social_worker, kid.id, ended=None)
    assert selectors.return_interview_status(open_ep, now=late).state == "open"


def test_interview_response_and_outcome(social_worker: Any) -> None:
    ep = episode(social_worker, child().id)
    actor = actor_for(social_worker)
    with pytest.raises(ValidationError):
        services.do_offer_return_interview(
            episode_id=ep.id, actor=actor, offered_at=RETURNED - dt.timedelta(hours=1), now=NOW
        )
    ri = services.do_offer_return_interview(
        episode_id=ep.id, actor=actor, offered_at=RETURNED + dt.timedelta(hours=20), now=NOW
    )
    with pytest.raises(ValidationError) as err:
        services.do_record_return_interview_response(
            interview_id=ri.id, actor=actor, response="declined", held_at=NOW, now=NOW
        )
    assert "held_at" in err.value.message_dict
    ri = services.do_record_return_interview_response(
        interview_id=ri.id,
        actor=actor,
        response="accepted",
        held_at=RETURNED + dt.timedelta(hours=40),
        outcome="Disclosed staying at an older man's flat",
        now=NOW,
    )
    assert (ri.response, ri.outcome) == ("accepted", "Disclosed staying at an older man's flat")


def test_offer_needs_a_return_and_episodes_end_once(social_worker: Any) -> None:
    actor = actor_for(social_worker)
    ep = episode(social_worker, child().id, ended=None)
    with pytest.raises(ValidationError):
        services.do_offer_return_interview(episode_id=ep.id, actor=actor, offered_at=NOW, now=NOW)
    with pytest.raises(ValidationError):
        services.do_end_missing_episode(
            episode_id=ep.id, actor=actor, ended_at=ep.started_at - dt.timedelta(hours=1), now=NOW
        )
    services.do_end_missing_episode(
        episode_id=ep.id, actor=actor, ended_at=RETURNED, where_found="Bus station", now=NOW
    )
    with pytest.raises(ValidationError):
        services.do_end_missing_episode(episode_id=ep.id, actor=actor, ended_at=RETURNED, now=NOW)


def test_repeat_episodes_are_counted(social_worker: Any) -> None:
    kid = child()
    for category in ["M", "A", "M"]:
        episode(social_worker, kid.id, category)
    summary = selectors.person_episodes(social_worker, kid.id, now=NOW)
    assert (summary.total, summary.missing_count, summary.absent_count, summary.repeat) == (3, 2, 1, True)
    assert sorted(v.number for v in summary.episodes) == [1, 2, 3]
    assert summary.last_90_days == 3
    with pytest.raises(ValidationError) as err:
        episode(social_worker, kid.id, "X")
    assert "category" in err.value.message_dict


def test_plan_actions_reviews_and_overdue_flags(social_worker: Any, manager: Any) -> None:
    kid = child()
    actor = actor_for(social_worker)
    today = dt.date(2024, 5, 20)
    plan = services.do_create_plan(
        actor=actor, person_id=kid.id, title="Safety plan", review_due_on=dt.date(2024, 5, 10), now=NOW
    )
    late = services.do_add_plan_action(
        plan_id=plan.id,
        actor=actor,
        description="Disrupt the flat",
        owner_agency="police",
        due_on=dt.date(2024, 5, 1),
        now=NOW,
    )
    mine = services.do_add_plan_action(
        plan_id=plan.id,
        actor=actor,
        description="Visit school",
        owner_agency="social_care",
        owner_user="sw",
        due_on=dt.date(2024, 6, 1),
        now=NOW,
    )
    with pytest.raises(ValidationError) as err:
        services.do_add_plan_action(
            plan_id=plan.id,
            actor=actor,
            description="x",
            owner_agency="police",
            owner_user="sw",
            due_on=today,
        )
    assert "owner_user" in err.value.message_dict
    view = selectors.person_plans(social_worker, kid.id, now=NOW)[0]
    assert [(a.action.id, a.overdue) for a in view.actions] == [(late.id, True), (mine.id, False)]
    assert view.review_overdue and view.overdue_actions == 1
    assert {t.kind for t in selectors.my_tasks(social_worker, now=NOW)} >= {"plan_action", "plan_review"}
    overdue = selectors.overdue_items(manager, now=NOW)
    assert {(t.kind, t.object_id) for t in overdue} >= {("plan_action", late.id), ("plan_review", plan.id)}
    # Moving a due date needs a reason; completing clears the flag.
    with pytest.raises(ValidationError) as err:
        services.do_update_plan_action(action_id=late.id, actor=actor, due_on=dt.date(2024, 6, 30))
    assert "reason" in err.value.message_dict
    services.do_update_plan_action(action_id=late.id, actor=actor, status="done", now=NOW)
    assert PlanAction.objects.get(pk=late.id).completed_on == today
    services.do_review_plan(
        plan_id=plan.id, actor=actor, summary="Going well", next_review_on=dt.date(2024, 8, 20), now=NOW
    )
    view = selectors.person_plans(social_worker, kid.id, now=NOW)[0]
    assert not view.review_overdue and view.overdue_actions == 0 and len(view.reviews) == 1


def test_placements_in_and_out_of_area_and_from_other_councils(social_worker: Any, settings: Any) -> None:
    settings.SIGHTLINE_LOCAL_AUTHORITY = "Rotherham"
    kid = child()
    actor = actor_for(social_worker)
    home = services.do_start_placement(
        actor=actor,
        person_id=kid.id,
        placement_type="childrens_home",
        started_on=dt.date(2024, 1, 1),
        in_area=True,
        placing_authority="Sheffield",
        postcode="s60 1aa",
    )
    away = services.do_start_placement(
        actor=actor,
        person_id=kid.id,
        placement_type="foster",
        started_on=dt.date(2023, 1, 1),
        in_area=False,
        placing_authority="Rotherham",
    )
    services.do_end_placement(
        placement_id=away.id,
        actor=actor,
        ended_on=dt.date(2023, 12, 31),
        end_reason="Moved to residential care",
    )
    with pytest.raises(ValidationError):
        services.do_end_placement(
            placement_id=away.id, actor=actor, ended_on=dt.date(2024, 1, 1), end_reason="again"
        )
    views = selectors.person_placements(social_worker, kid.id, now=NOW)
    assert [(v.placement.id, v.current, v.placed_by_other_council) for v in views] == [
        (home.id, True, True),
        (away.id, False, False),
    ]
    assert home.postcode == "S60 1AA"
    with pytest.raises(ValidationError) as err:
        services.do_start_placement(
            actor=actor,
            person_id=kid.id,
            placement_type="hotel",
            started_on=dt.date(2024, 1, 1),
            in_area=True,
            placing_authority="",
        )
    assert {"placement_type", "placing_authority"} & set(err.value.message_dict)
