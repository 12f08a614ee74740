"""The access pages (break-glass, review, histories, accounts, errors, API docs) pass axe-core under the
strict CSP, driven through the real browser."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_access_pages_pass_axe(
    page: Any,
    new_page: Callable[[], Any],
    make_user: Callable[..., Any],
    login: Callable[..., None],
    axe_check: Callable[[Any], None],
) -> None:
    from sightline.ledger.services import SYSTEM, do_create
    from sightline.people.models import Person

    child = do_create(Person(kind="child", given_name="Amy", family_name="Test"), actor=SYSTEM)
    pc = make_user("practitioner", "police", username="pc")
    login(page, pc)
    page.goto(f"/people/{child.id}/break-glass")
    axe_check(page)
    page.get_by_role("button", name="Open the record").click()  # no reason: the error summary
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    axe_check(page)
    page.get_by_label("Why do you need to see this record?").fill("Missing since last night; need an address")
    page.get_by_role("button", name="Open the record").click()
    page.wait_for_load_state()
    page.goto("/account/activity")
    assert "break_glass" in page.content()
    axe_check(page)
    page.goto("/no-such-page")
    axe_check(page)
    page.goto("/accounts")  # not for a practitioner
    assert "You do not have access to this page" in page.content()
    axe_check(page)
    page.goto("/api/docs")
    axe_check(page)

    reviewer_page = new_page()
    reviewer = make_user("independent_reviewer", "independent_review", username="rev")
    login(reviewer_page, reviewer)
    reviewer_page.goto("/review/break-glass")
    axe_check(reviewer_page)
    reviewer_page.get_by_role("link", name="Review").first.click()
    axe_check(reviewer_page)
    reviewer_page.goto(f"/review/access/{child.id}")
    axe_check(reviewer_page)

    admin_page = new_page()
    login(admin_page, make_user("sysadmin", "sightline_ops", username="admin"))
    admin_page.goto("/accounts/new")
    admin_page.get_by_role("button", name="Create account").click()
    axe_check(admin_page)
    admin_page.get_by_label("Username").fill("newbie")
    admin_page.get_by_label("Agency").select_option("health")
    admin_page.get_by_label("Practitioner").check()
    admin_page.get_by_role("button", name="Create account").click()
    expect(admin_page.get_by_role("img", name="QR code")).to_be_visible()
    axe_check(admin_page)
    admin_page.goto("/accounts/newbie")
    axe_check(admin_page)
    admin_page.goto("/accounts/newbie/role")
    axe_check(admin_page)
