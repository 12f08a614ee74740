"""The access pages (break-glass, review, histories, accounts, errors, API docs) pass axe-core under the
strict CSP, driven through the real browser."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from sightline.access.models import User
from sightline.people.services import do_break_glass
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Check = Callable[[Page], None]
SignIn = Callable[[Page, User], None]


def test_a_practitioner_breaks_glass_with_a_reason(
    page: Page, make_user: Callable[..., User], sign_in: SignIn, axe_check: Check
) -> None:
    child = factories.child(given_name="Amy", family_name="Test")
    sign_in(page, make_user("practitioner", "police", username="pc"))
    page.goto(f"/people/{child.id}/break-glass")
    axe_check(page)
    page.get_by_role("button", name="Open the record").click()  # no reason: the error summary
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    axe_check(page)
    page.get_by_label("Why do you need to see this record?").fill("Missing since last night; need an address")
    page.get_by_role("button", name="Open the record").click()
    expect(page).to_have_url(re.compile(rf"/people/{child.id}$"))
    page.goto("/account/activity")
    expect(page.locator("main")).to_contain_text("break_glass")
    axe_check(page)


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/no-such-page", "Page not found"),
        ("/accounts", "You do not have access to this page"),  # not for a practitioner
        ("/api/docs", "API"),
    ],
)
def test_error_pages_and_the_api_documentation(
    page: Page, make_user: Callable[..., User], sign_in: SignIn, axe_check: Check, path: str, heading: str
) -> None:
    sign_in(page, make_user("practitioner", "police", username="pc"))
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    axe_check(page)


def test_the_reviewer_reviews_a_break_glass_and_a_childs_access(
    page: Page, make_user: Callable[..., User], sign_in: SignIn, axe_check: Check
) -> None:
    child = factories.child(given_name="Amy", family_name="Test")
    officer = make_user("practitioner", "police", username="pc")
    do_break_glass(officer, person_id=child.id, reason="Missing since last night; need an address")
    sign_in(page, make_user("independent_reviewer", "independent_review", username="rev"))
    page.goto("/review/break-glass")
    axe_check(page)
    page.get_by_role("link", name=f"Review pc's access to {child.id}").click()
    expect(page).to_have_url(re.compile(r"/review/break-glass/."))
    axe_check(page)
    page.goto(f"/review/access/{child.id}")
    axe_check(page)


def test_an_administrator_creates_an_account(
    page: Page, make_user: Callable[..., User], sign_in: SignIn, axe_check: Check
) -> None:
    sign_in(page, make_user("sysadmin", "sightline_ops", username="admin"))
    page.goto("/accounts/new")
    page.get_by_role("button", name="Create account").click()  # nothing filled in: the error summary
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    axe_check(page)
    page.get_by_label("Username").fill("newbie")
    page.get_by_label("Agency").select_option("health")
    page.get_by_label("Practitioner").check()
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("img", name="QR code")).to_be_visible()
    axe_check(page)
    page.goto("/accounts/newbie")
    axe_check(page)
    page.goto("/accounts/newbie/role")
    axe_check(page)
