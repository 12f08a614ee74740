"""Sharing decisions and a section 47 enquiry in a real browser: a social worker records a decision
not to share (first without a reason, which the error summary asks for), the reviewer finds it among
every decision, and the social worker opens an enquiry, adds a health member, a task and the team's
joint decision. Every page on the way passes axe-core (WCAG 2.2 AA)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from sightline.access.models import User
from sightline.sharing.models import JointDecision, SharingDecision, Workspace
from tests import factories

from .conftest import fill_date

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Check = Callable[[Page], None]
SignIn = Callable[[Page, User], None]


def test_a_decision_not_to_share_and_a_section_47_enquiry(
    page: Page,
    new_page: Callable[[], Page],
    make_user: Callable[..., User],
    sign_in: SignIn,
    axe_check: Check,
) -> None:
    factories.agencies()
    worker = make_user("practitioner", "social_care", username="sw.browser")
    nurse = make_user("practitioner", "health", username="nurse.browser")
    reviewer = make_user("independent_reviewer", "independent_review", username="rev.browser")
    child = factories.known_child("social_care", "health", given="Tia", family="Marsh")

    sign_in(page, worker)
    page.goto(f"/people/{child.id}")
    expect(page.get_by_role("heading", name="Sharing decisions")).to_be_visible()
    page.get_by_role("link", name="Record a sharing decision").click()
    expect(page.get_by_role("heading", name="Record a sharing decision")).to_be_visible()
    axe_check(page)
    page.get_by_label("Police", exact=True).check()
    page.get_by_label("What was shared, or asked for?").fill("The clinic's notes of her disclosure")
    page.get_by_label("Not shared", exact=True).check()
    fill_date(page, "decided_on", dt.date.today())
    page.get_by_role("button", name="Save the decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why the information was not shared")
    axe_check(page)
    page.get_by_label("Sharing would be more detrimental to the child").check()
    page.get_by_label("The reason in your words").fill("Her only trusted contact would end")
    page.get_by_role("button", name="Save the decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("not shared, with the reason")
    expect(page.locator("#sharing-decisions")).to_contain_text("Sharing would be more detrimental")
    axe_check(page)
    assert SharingDecision.objects.get().reason_code == "more_detrimental_to_child"

    review = new_page()
    sign_in(review, reviewer)
    review.get_by_role("link", name="Sharing decisions").click()
    review.get_by_label("Decision").select_option("not_shared")
    review.get_by_role("button", name="Filter").click()
    expect(review.locator("#sharing-decisions")).to_contain_text("Tia Marsh")
    axe_check(review)

    page.goto(f"/people/{child.id}")
    page.get_by_role("link", name="Open a section 47 enquiry").click()
    page.get_by_label("Why is the enquiry being opened?").fill("Disclosure to the school nurse")
    page.get_by_role("button", name="Open the enquiry").click()
    expect(page.get_by_role("heading", name="Tia Marsh")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Add a member").click()
    page.get_by_label("Who joins the team?").select_option("nurse.browser")
    axe_check(page)
    page.get_by_role("button", name="Add to the team").click()
    expect(page.locator("#members ~ table")).to_contain_text("nurse.browser")
    page.get_by_role("button", name="Add a task").click()
    page.get_by_label("What needs doing?").fill("Health assessment")
    page.get_by_label("nurse.browser (Health)").check()
    fill_date(page, "due_on", dt.date.today() + dt.timedelta(days=3))
    page.get_by_role("button", name="Add the task").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Task added")
    page.get_by_role("button", name="Record a joint decision").click()
    page.get_by_label("Proceed to an initial child protection conference").check()
    page.get_by_label("The decision and why").fill("Threshold met")
    page.get_by_label("sw.browser (Social work)").check()
    page.get_by_label("nurse.browser (Health)").check()
    fill_date(page, "decided_on", dt.date.today())
    axe_check(page)
    page.get_by_role("button", name="Save the decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Joint decision recorded")
    axe_check(page)
    assert JointDecision.objects.get().agreed_by == ["nurse.browser", "sw.browser"]

    mine = new_page()
    sign_in(mine, nurse)
    mine.goto(f"/s47/{Workspace.objects.get().id}")
    expect(mine.locator("#tasks ~ table")).to_contain_text("Health assessment")
    mine.get_by_role("button", name="Mark done").click()
    expect(mine.locator(".govuk-notification-banner")).to_contain_text("Task marked done")
    axe_check(mine)
