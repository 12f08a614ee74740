"""A police manager (who may manage cases and investigate) keeps a plan, records a placement, and runs an
investigation in a real browser, one task per test. Every page passes axe-core (WCAG 2.2 AA)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from sightline.access.models import User
from sightline.access.services import actor_for
from sightline.cases import services
from sightline.cases.models import Investigation
from sightline.people.models import Person
from tests import factories

from .conftest import fill_date

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Check = Callable[[Page], None]


@pytest.fixture
def child() -> Person:
    """Kayleigh Brookes, known to the police."""
    return factories.known_child("police")


@pytest.fixture
def suspect() -> Person:
    """Darren Smith, known to the police."""
    darren = factories.adult("Darren", family_name="Smith")
    factories.record(darren, "police", given_name="Darren", family_name="Smith")
    return darren


@pytest.fixture
def manager(make_user: Callable[..., User], page: Page, sign_in: Callable[[Page, User], None]) -> User:
    """A police manager, signed in on ``page``."""
    user = make_user("manager", "police", username="mgr")
    sign_in(page, user)
    return user


@pytest.mark.usefixtures("manager")
def test_a_plan_with_an_overdue_action_and_its_review(page: Page, child: Person, axe_check: Check) -> None:
    today = timezone.localdate()
    page.goto(f"/people/{child.id}")
    page.get_by_role("link", name="Open a plan").click()
    expect(page.get_by_label("Plan title")).to_be_visible()
    axe_check(page)
    page.get_by_label("Plan title").fill("Safety plan")
    fill_date(page, "review_due_on", today + dt.timedelta(days=28))
    page.get_by_role("button", name="Open the plan").click()
    expect(page.get_by_role("button", name="Add an action")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Add an action").click()
    page.get_by_role("button", name="Add the action").click()  # empty: errors, then fix them
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    axe_check(page)
    page.get_by_label("What needs to be done?").fill("Weekly visit by the youth worker")
    page.get_by_label("Which agency owns it?").select_option("youth_service")
    fill_date(page, "due_on", today - dt.timedelta(days=2))
    page.get_by_role("button", name="Add the action").click()
    expect(page.get_by_text("(1 overdue)")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Review the plan").click()
    expect(page.get_by_role("button", name="Record the review")).to_be_visible()
    axe_check(page)


@pytest.mark.usefixtures("manager")
def test_a_placement_by_another_council(page: Page, child: Person, axe_check: Check) -> None:
    page.goto(f"/people/{child.id}/placements/new")
    axe_check(page)
    page.get_by_label("Type of placement").select_option("childrens_home")
    fill_date(page, "started_on", timezone.localdate() - dt.timedelta(days=30))
    page.get_by_label("No, out of area").check()
    page.get_by_label("Placing authority").fill("Another Borough Council")
    page.get_by_role("button", name="Record the placement").click()
    expect(page).to_have_url(re.compile(rf"/people/{child.id}#placements$"))
    expect(page.get_by_text("Placed by another council")).to_be_visible()
    axe_check(page)


@pytest.mark.usefixtures("manager")
def test_an_investigation_opened_with_its_victim_and_suspect(
    page: Page, child: Person, suspect: Person, axe_check: Check
) -> None:
    page.goto("/")
    page.get_by_role("link", name="Investigations", exact=True).click()
    expect(page.get_by_role("button", name="Open an investigation")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Open an investigation").click()
    expect(page.get_by_label("Operation name")).to_be_visible()
    axe_check(page)
    page.get_by_label("Operation name").fill("Operation Lantern")
    fill_date(page, "opened_on", timezone.localdate() - dt.timedelta(days=10))
    page.get_by_role("button", name="Open the investigation").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Operation Lantern")
    axe_check(page)
    for person, role in ((child, "Victim"), (suspect, "Suspect")):
        page.get_by_role("button", name="Link a victim or suspect").click()
        page.get_by_label("Sightline ID of the person").fill(person.id)
        page.get_by_label(role, exact=True).check()
        page.get_by_role("button", name="Link the person").click()
        expect(page.get_by_role("link", name=re.compile(person.given_name))).not_to_have_count(0)
    axe_check(page)


def test_a_suspects_bail(page: Page, manager: User, child: Person, suspect: Person, axe_check: Check) -> None:
    actor = actor_for(manager)
    today = timezone.localdate()
    investigation = services.do_open_investigation(
        actor=actor, operation_name="Operation Lantern", opened_on=today - dt.timedelta(days=10)
    )
    for person, role in ((child, "victim"), (suspect, "suspect")):
        services.do_link_investigation_person(
            actor, investigation_id=investigation.id, person_id=person.id, role=role
        )
    page.goto(f"/investigations/{investigation.id}")
    page.get_by_role("button", name="Record a suspect's status").click()
    expect(page.get_by_label("Suspect", exact=True)).to_be_visible()
    axe_check(page)
    page.get_by_label("Suspect", exact=True).select_option(suspect.id)
    page.get_by_label("On bail", exact=True).check()
    fill_date(page, "effective_on", today - dt.timedelta(days=1))
    page.get_by_label("Bail conditions (if on bail)").fill("No contact with the victim")
    fill_date(page, "bail_end_on", today + dt.timedelta(days=28))
    page.get_by_role("button", name="Record the status").click()
    expect(page.get_by_text("No contact with the victim")).to_be_visible()
    axe_check(page)


def test_someone_coming_forward_joins_the_weekly_chart(page: Page, manager: User, axe_check: Check) -> None:
    investigation = services.do_open_investigation(
        actor=actor_for(manager), operation_name="Operation Lantern", opened_on=timezone.localdate()
    )
    page.goto(f"/investigations/{investigation.id}")
    page.get_by_role("button", name="Record someone coming forward").click()
    page.get_by_role("button", name="Record it").click()  # nothing filled in: the error summary
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    axe_check(page)
    fill_date(page, "received_on", timezone.localdate())
    page.get_by_label("How did they come forward?").select_option("phone")
    page.get_by_role("button", name="Record it").click()
    expect(page.get_by_text("Recorded: someone came forward.")).to_be_visible()
    page.get_by_role("link", name="Investigations", exact=True).click()
    expect(page.locator("#self-referrals svg[role=img]")).to_have_count(1)  # the weekly chart
    axe_check(page)
    assert Investigation.objects.count() == 1
