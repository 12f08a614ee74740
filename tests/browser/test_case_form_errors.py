"""The case-work forms no journey test passes through, each sent wrong and showing its error summary, and
the people search and merge, in a real browser. Every page passes axe-core (WCAG 2.2 AA)."""

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
from sightline.people.models import Person
from tests import factories

from .conftest import fill_date

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Check = Callable[[Page], None]

# (page, its button, a choice to make first): each refused as sent.
FORMS = [
    ("/concerns/new", "Raise the concern", ""),
    ("/people/{child}/edit", "Save the details", ""),
    ("/people/{duplicate}/merge", "Merge the records", ""),
    ("/actions/{action}", "Save the action", "Cancelled"),  # cancelling needs a reason
    ("/plans/{plan}/review", "Record the review", ""),
    ("/interviews/{interview}", "Save the interview", "Declined"),  # held, but declined
    ("/concerns/{concern}/withdraw", "Withdraw the concern", ""),
    ("/plans/{plan}/close", "Close the plan", ""),
    ("/placements/{placement}/end", "End the placement", ""),
]


@pytest.fixture
def child() -> Person:
    """Kayleigh Brookes, known to the police."""
    return factories.known_child("police")


@pytest.fixture
def duplicate() -> Person:
    """Kayleigh's record again, misspelt."""
    return factories.known_child("police", given="Kayley", family="Brooks")


@pytest.fixture
def coordinator(make_user: Callable[..., User], page: Page, sign_in: Callable[[Page, User], None]) -> User:
    """The CSE coordinator, signed in on ``page``."""
    user = make_user("cse_coordinator", "mash", username="coord")
    sign_in(page, user)
    return user


def _case(child: Person, coordinator: User) -> dict[str, str]:
    """A plan with an action, an episode with an interview offered, a placement and a concern."""
    me = actor_for(coordinator)
    today, now = timezone.localdate(), timezone.now()
    plan = services.do_create_plan(actor=me, person_id=child.id, title="Safety plan", review_due_on=today)
    action = services.do_add_plan_action(
        me, plan_id=plan.id, description="Visit", owner_agency="mash", due_on=today
    )
    episode = services.do_record_missing_episode(
        actor=me,
        person_id=child.id,
        category="A",
        started_at=now - dt.timedelta(days=3),
        ended_at=now - dt.timedelta(days=2),
    )
    interview = services.do_offer_return_interview(
        me, episode_id=episode.id, offered_at=now - dt.timedelta(days=1)
    )
    placement = services.do_start_placement(
        actor=me,
        person_id=child.id,
        placement_type="foster",
        started_on=today - dt.timedelta(days=9),
        in_area=True,
        placing_authority="Sightline Borough Council",
    )
    concern = factories.concern(child, actor=me, what_was_seen="Seen at the taxi rank")
    return {
        "plan": plan.id,
        "action": action.id,
        "interview": interview.id,
        "placement": placement.id,
        "concern": concern.id,
    }


@pytest.mark.parametrize(("path", "button", "choice"), FORMS)
def test_a_form_sent_wrong_shows_its_errors(
    page: Page,
    child: Person,
    duplicate: Person,
    coordinator: User,
    axe_check: Check,
    path: str,
    button: str,
    choice: str,
) -> None:
    ids = _case(child, coordinator)
    page.goto(path.format(child=child.id, duplicate=duplicate.id, **ids))
    expect(page.get_by_role("button", name=button)).to_be_visible()
    axe_check(page)
    if choice:
        page.get_by_label(choice, exact=True).check()
    if "interviews" in path:
        fill_date(page, "held_on", timezone.localdate())  # held, but declined: refused
    page.get_by_role("button", name=button).click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    axe_check(page)


@pytest.mark.usefixtures("coordinator", "child", "duplicate")
def test_the_search_finds_the_misspelt_duplicate(page: Page, axe_check: Check) -> None:
    page.goto("/people/search?name=Kayleigh+Brookes")
    expect(page.locator("#results-table tbody tr")).to_have_count(2)
    expect(page.locator("#results-table")).to_contain_text("Kayleigh Brookes")
    axe_check(page)


@pytest.mark.usefixtures("coordinator")
def test_a_merge_and_its_undoing(page: Page, child: Person, duplicate: Person, axe_check: Check) -> None:
    page.goto(f"/people/{duplicate.id}/merge")
    page.get_by_label("Sightline ID of the record to keep").fill(child.id)
    page.get_by_label("Why are these the same person?").fill("Same child: same school and address")
    page.get_by_role("button", name="Merge the records").click()
    expect(page).to_have_url(re.compile(rf"/people/{child.id}$"))
    page.get_by_role("link", name=f"Undo the merge of {duplicate.id}").click()
    expect(page.get_by_role("button", name=re.compile("Undo the merge"))).to_be_visible()
    axe_check(page)
