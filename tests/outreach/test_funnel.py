"""The outreach funnel and capacity: identified, assigned, contacted, engaged, the hours from alert to
first contact, workers and caseload against the funded level; as indicators, on the indicators page
and in the board report (page and PDF)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from pytest_django import Settings

from sightline.access.services import actor_for
from sightline.accountability import indicators as ind
from sightline.intelligence.models import Alert
from sightline.ledger.services import Actor
from sightline.outreach import selectors, services
from sightline.outreach.rules import funded_level
from sightline.reports import board
from sightline.reports.pdf import render_pdf
from tests import factories

from .helpers import alert_about

pytestmark = pytest.mark.django_db


def _story(base: dt.datetime, coordinator: Any, worker: Any, colleague: Any) -> None:
    """Children A to G around ``base`` (day 0). In days 0 to 20: A engaged (first contact 48 hours after
    the alert), B declined (24 hours) and closed, C assigned to the team and not found, D identified
    but not assigned, E's alert dismissed. F was identified and reached 9 days before; G is an adult."""

    def t(day: int, hour: int) -> dt.datetime:
        return base + dt.timedelta(days=day, hours=hour)

    boss, yw, mate = actor_for(coordinator), actor_for(worker), actor_for(colleague)

    def assign(name: str, day: int, who: str = "") -> str:
        child = factories.known_child("police", given=name, family="Funnel")
        alert = alert_about(child, raised=t(day, 10))
        made = services.do_assign_outreach(
            boss, alert_id=alert.id, agency="youth_service", worker=who, now=t(day, 12)
        )
        return made.id

    def attempt(actor: Actor, assignment: str, when: dt.datetime, outcome: str, **kw: Any) -> None:
        services.do_record_outreach_attempt(
            actor, assignment_id=assignment, method="street", outcome=outcome, occurred_at=when, **kw
        )

    a = assign("Anna", 1, worker.username)
    attempt(yw, a, t(2, 10), "not_found")
    attempt(yw, a, t(3, 10), "contact_made", consent="not_asked")
    attempt(yw, a, t(5, 10), "engaged", consent="given", wishes="College")
    b = assign("Bea", 4, worker.username)
    attempt(yw, b, t(5, 10), "declined", consent="refused", wishes="No")
    services.do_decide_outreach(yw, assignment_id=b, decision="close", reason="With CAMHS", now=t(6, 10))
    c = assign("Cara", 9)
    attempt(yw, c, t(10, 10), "not_found")
    alert_about(factories.known_child("police", given="Dee"), raised=t(11, 10))
    alert_about(factories.known_child("police", given="Eve"), raised=t(14, 10), status=Alert.Status.DISMISSED)
    f = assign("Fay", -9, colleague.username)
    attempt(mate, f, t(-8, 10), "contact_made", consent="given")
    alert_about(factories.adult("Gus"), raised=t(19, 10), kind=Alert.Kind.ADULT_OF_CONCERN)


def _told(
    base: dt.datetime, coordinator: Any, practitioner: Any, make_user: Any, settings: Settings
) -> dt.datetime:
    settings.SIGHTLINE_OUTREACH_FUNDED = "workers=4,caseload=2"
    _story(base, coordinator, practitioner, make_user("practitioner", "youth_service", username="colleague"))
    return base


@pytest.fixture
def story(coordinator: Any, practitioner: Any, make_user: Any, settings: Settings) -> dt.datetime:
    """The story in March 2026 (day 0 is 1 March)."""
    return _told(factories.at(2026, 3, 1), coordinator, practitioner, make_user, settings)


@pytest.fixture
def recent_story(coordinator: Any, practitioner: Any, make_user: Any, settings: Settings) -> dt.datetime:
    """The story ending before today, for what reads the last 12 months to now."""
    day0 = timezone.localdate() - dt.timedelta(days=40)
    return _told(factories.on(day0, 0), coordinator, practitioner, make_user, settings)


def test_the_funnel_counts_each_stage_of_the_period(story: dt.datetime) -> None:
    march = selectors.funnel(story, factories.at(2026, 4, 1))
    assert [(s.key, s.count, s.percent) for s in march.stages()] == [
        ("identified", 4, 100.0),  # A, B, C, D: not E (dismissed), F (February) or G (an adult)
        ("assigned", 3, 75.0),
        ("contacted", 2, 50.0),  # A and B: a decline is contact
        ("engaged", 1, 25.0),
    ]
    assert sorted(march.hours_to_contact) == [24.0, 48.0]
    assert march.median_hours_to_contact == 36.0
    february = selectors.funnel(factories.at(2026, 2, 1), story)
    assert (february.identified, february.contacted, february.hours_to_contact) == (1, 1, (24.0,))
    empty = selectors.funnel(factories.at(2025, 1, 1), factories.at(2025, 2, 1))
    assert (empty.identified, empty.median_hours_to_contact, empty.stages()[1].percent) == (0, None, None)


def test_capacity_against_the_funded_level(story: dt.datetime) -> None:
    early, late = selectors.capacities(
        [story + dt.timedelta(days=5, hours=12), factories.at(2026, 3, 30, 12)]
    )
    # Day 5: A and B (the youth worker), F (the colleague); C is not assigned yet.
    assert (early.workers, early.caseload, early.unallocated) == (2, 3, 0)
    # End of March: B closed; C open with the team, no named worker.
    assert (late.workers, late.caseload, late.unallocated, late.per_worker) == (2, 3, 1, 1.5)
    assert (late.funded.workers, late.funded.children) == (4, 8)
    assert (late.workers_percent, late.caseload_percent) == (50.0, 37.5)


@pytest.mark.usefixtures("story")
def test_the_funnel_is_an_indicator_with_the_others() -> None:
    # Each measure's known answers are in tests/accountability/test_indicators.py; here, the shipped set.
    shipped = {d.key: d.measure for d in ind.shipped_definitions()}
    assert {k: shipped[k] for k in shipped if k.startswith("outreach-")} == {
        "outreach-contacted": "outreach_contacted",
        "outreach-time-to-contact": "outreach_hours_to_contact",
        "outreach-workers-funded": "outreach_workers_funded",
    }
    march = ind.compute("outreach_contacted", ind.month_windows(2, factories.at(2026, 4, 15)))[0]
    assert (march.value, march.numerator, march.denominator) == (50.0, 2, 4)


@pytest.mark.usefixtures("story")
def test_the_board_report_carries_the_funnel_page_and_pdf(board_member: Any) -> None:
    now = factories.at(2026, 4, 15)
    report = board.board_report(now=now)
    assert report.outreach is not None
    funnel = report.outreach.funnel
    assert (funnel.identified, funnel.assigned, funnel.contacted, funnel.engaged) == (5, 4, 3, 1)  # with F
    assert report.outreach.capacity.caseload == 3
    keys = {line.indicator.key for line in report.indicators}
    assert "outreach-contacted" in keys
    text = render_pdf(report, compress=False).decode("latin-1")
    assert (
        "Outreach: from alert to child reached" in text and "Children not yet allocated to a worker" in text
    )
    # The page (the last 12 months to now: March 2026 may be out of it): counts only, no child's name.
    page = factories.signed_in(board_member).get("/reports/board")
    html = page.content.decode()
    assert page.status_code == 200 and 'id="outreach-funnel-table"' in html
    assert 'id="capacity-caseload">3<' in html
    assert "Funnel" not in html  # the children's family name


def test_a_bad_funded_level_names_the_setting() -> None:
    assert funded_level("workers=6,caseload=10").children == 60
    for bad in ["six", "workers=6", "workers=-1,caseload=3", "workers=2,caseload=3,managers=1"]:
        with pytest.raises(ImproperlyConfigured, match="SIGHTLINE_OUTREACH_FUNDED"):
            funded_level(bad)


@pytest.mark.usefixtures("recent_story")
def test_the_funnel_api_and_indicators_page_give_counts_to_those_who_may_see_them(
    board_member: Any, practitioner: Any, coordinator: Any
) -> None:
    body = factories.signed_in(board_member).get("/api/cases/outreach-funnel").json()
    assert [s["count"] for s in body["stages"]] == [5, 4, 3, 1]
    assert body["capacity"]["funded_workers"] == 4
    assert "Funnel" not in str(body)
    assert factories.signed_in(practitioner).get("/api/cases/outreach-funnel").status_code == 403
    page = factories.signed_in(coordinator).get("/accountability/indicators").content.decode()
    assert 'id="funnel-identified">5<' in page and 'id="funnel-engaged">1<' in page
    assert "Funnel" not in page
