"""Screening follows the evidence: a disclosure in a return interview makes a re-screen due within
SIGHTLINE_RESCREEN_HOURS, and the indicators ticked on concerns start the screening form."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from sightline.access.services import actor_for
from sightline.cases import selectors, services
from sightline.ledger.models import Entry
from sightline.ledger.services import integrate
from tests.factories import at, child, concern, triage

pytestmark = pytest.mark.django_db

T0 = at(2024, 1, 10, 10, 0)
MILD = {"S01": {"current": True}, "V01": {"current": True}}


def _screened_child_with_interview(coordinator: Any) -> tuple[Any, Any]:
    """A child screened at T0, missing two days later, back the next day, interviewed on day 4."""
    kid = child()
    who = actor_for(coordinator)
    services.do_complete_screening(who, person_id=kid.id, answers=MILD, now=T0)
    ep = services.do_record_missing_episode(
        who,
        person_id=kid.id,
        category="M",
        started_at=T0 + dt.timedelta(days=2),
        ended_at=T0 + dt.timedelta(days=3),
        now=T0 + dt.timedelta(days=3),
    )
    ri = services.do_offer_return_interview(
        who, episode_id=ep.id, offered_at=T0 + dt.timedelta(days=3, hours=2), now=T0 + dt.timedelta(days=4)
    )
    return kid, ri


def _respond(coordinator: Any, ri: Any, *, disclosure: bool, held: dt.datetime | None) -> Any:
    return services.do_record_return_interview_response(
        actor_for(coordinator),
        interview_id=ri.id,
        response="accepted",
        held_at=held,
        outcome="Said she had been at a flat with older men",
        disclosure=disclosure,
        now=T0 + dt.timedelta(days=5),
    )


def test_a_disclosure_makes_a_rescreen_due_within_72_hours(coordinator: Any, manager: Any) -> None:
    kid, ri = _screened_child_with_interview(coordinator)
    held = T0 + dt.timedelta(days=4)
    _respond(coordinator, ri, disclosure=False, held=held)
    plain = selectors.rescreen_due_for(kid.id, now=held + dt.timedelta(hours=1))
    assert plain is not None and {t.kind for t in plain.triggers} == {"missing", "return_interview"}
    # Without a disclosure the re-screen can wait for the reassessment date, three months on.
    assert plain.due_at.date() == dt.date(2024, 4, 10)

    _respond(coordinator, ri, disclosure=True, held=held)
    due = selectors.rescreen_due_for(kid.id, now=held + dt.timedelta(hours=1))
    assert due is not None
    [disclosure] = [t for t in due.triggers if t.kind == "disclosure"]
    assert "return_interview" not in {t.kind for t in due.triggers}  # the interview is not listed twice
    assert disclosure.object_id == ri.id and disclosure.due_at == held + dt.timedelta(hours=72)
    assert due.due_at == held + dt.timedelta(hours=72)
    assert any("disclosed" in r and "screen again by" in r for r in due.reasons)
    assert not due.overdue(held + dt.timedelta(hours=71))
    assert due.overdue(held + dt.timedelta(hours=73))
    # The task is dated by the rule and is overdue after it, for the screener and on the managers'
    # overdue list (masked there: this manager's agency is not involved with the child).
    later = held + dt.timedelta(hours=73)
    [task] = [t for t in selectors.my_tasks(coordinator, now=later) if t.kind == "rescreen"]
    assert (task.person_id, task.due_at, task.overdue) == (kid.id, held + dt.timedelta(hours=72), True)
    overdue = [t for t in selectors.overdue_items(manager, now=later) if t.kind == "rescreen"]
    assert [(t.title, t.restricted, t.due_at) for t in overdue] == [
        ("A re-screen", True, held + dt.timedelta(hours=72))
    ]
    assert not [t for t in selectors.overdue_items(manager, now=held) if t.kind == "rescreen"]


def test_the_rescreen_rule_is_configurable(settings: Any, coordinator: Any) -> None:
    kid, ri = _screened_child_with_interview(coordinator)
    held = T0 + dt.timedelta(days=4)
    _respond(coordinator, ri, disclosure=True, held=held)
    settings.SIGHTLINE_RESCREEN_HOURS = {"disclosure": 24, "missing": 240}
    due = selectors.rescreen_due_for(kid.id, now=held)
    assert due is not None
    by_kind = {t.kind: t.due_at for t in due.triggers}
    assert by_kind == {"missing": T0 + dt.timedelta(days=12), "disclosure": held + dt.timedelta(hours=24)}
    assert due.due_at == held + dt.timedelta(hours=24)
    settings.SIGHTLINE_RESCREEN_HOURS = {}
    due = selectors.rescreen_due_for(kid.id, now=held)
    assert due is not None and due.due_at.date() == dt.date(2024, 4, 10)


def test_a_disclosure_needs_an_interview_that_took_place(coordinator: Any) -> None:
    _, ri = _screened_child_with_interview(coordinator)
    with pytest.raises(ValidationError) as err:
        _respond(coordinator, ri, disclosure=True, held=None)
    assert "held_at" in err.value.message_dict


def test_concern_indicators_prefill_the_screening(coordinator: Any, client: Client, login: Any) -> None:
    kid = child()
    now = at(2024, 6, 1, 9)
    recent = concern(kid, now - dt.timedelta(days=2), indicators=["S03", "M04"])
    older = concern(
        kid, now - dt.timedelta(days=1), indicators=["M04", "V02"], occurred_at=now - dt.timedelta(days=250)
    )
    concern(kid, now - dt.timedelta(days=1), indicators=["S08"], occurred_at=now - dt.timedelta(days=500))
    # From one concern (after triage): only its ticks.
    one = selectors.screening_prefill(coordinator, kid.id, concern_id=recent.id, now=now)
    assert one.answers == {
        "S03": {"current": True, "earlier": False},
        "M04": {"current": True, "earlier": False},
    }
    # Without one: every concern since the last screening; 6 to 12 months ago is "earlier", and a
    # concern about something over a year ago cannot count.
    every = selectors.screening_prefill(coordinator, kid.id, now=now)
    assert [c.id for c in every.concerns] == [recent.id, older.id]
    assert every.answers == {
        "S03": {"current": True, "earlier": False},
        "M04": {"current": True, "earlier": True},
        "V02": {"current": False, "earlier": True},
    }
    services.do_complete_screening(actor_for(coordinator), person_id=kid.id, answers=MILD, now=now)
    assert selectors.screening_prefill(coordinator, kid.id, now=now).answers == {}

    # The page ticks them after triage sends the screener there, and says where they came from.
    fresh = child(given_name="Amy")
    raised = concern(fresh, indicators=["S03", "M04"])
    triage(raised, raised.raised_at + dt.timedelta(hours=1))
    page = login(client, coordinator).get(f"/people/{fresh.id}/screenings/new?concern={raised.id}")
    html = page.content.decode()
    assert 'id="id_S03_current" type="checkbox" value="on" checked' in html.replace('name="S03_current" ', "")
    assert 'name="S02_current" type="checkbox" value="on">' in html  # not ticked on the concern
    assert f"Concern {raised.id}" in html.split('id="prefilled"')[1]
    integrate()
    assert Entry.objects.filter(
        action="read", object_id=fresh.id, reason="screening: indicators from concerns"
    ).exists()
