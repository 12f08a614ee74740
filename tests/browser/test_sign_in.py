"""A real person signs in with their authenticator app, by mouse and by keyboard alone, and signs out;
every page on the way passes axe-core's WCAG 2.2 AA rules under the strict CSP."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from sightline.access.models import User
from sightline.ledger.models import Entry
from sightline.ledger.services import integrate
from tests.factories import TEST_PASSWORD, totp_code

from .conftest import axe_violations, csp_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Check = Callable[[Page], None]
DASHBOARD = re.compile(r"^http://[^/]+/(#main-content)?$")


def test_an_empty_sign_in_form_leads_to_the_field_to_fill(page: Page, axe_check: Check) -> None:
    page.goto("/sign-in")
    expect(page).to_have_title("Sign in \u2013 Sightline")
    # GOV.UK Frontend's JavaScript ran (its module loaded under the CSP) and marked the body.
    expect(page.locator("body")).to_have_class(re.compile(r"\bgovuk-frontend-supported\b"))
    axe_check(page)

    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()  # the error summary takes focus
    axe_check(page)
    summary.get_by_role("link", name="Enter your username").click()
    expect(page.get_by_label("Username")).to_be_focused()


def test_sign_in_with_the_second_factor_reaches_the_dashboard(
    page: Page, make_user: Callable[..., User], axe_check: Check
) -> None:
    user = make_user("cse_coordinator", "mash", username="coord")
    page.goto("/sign-in")
    page.get_by_label("Username").fill("coord")
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/sign-in/security-code"))
    expect(page).to_have_title("Enter your security code \u2013 Sightline")
    axe_check(page)

    page.get_by_label("Enter your security code").fill(totp_code(user))
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(DASHBOARD)
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Welcome"))
    expect(page.get_by_role("contentinfo").get_by_role("link", name="Your activity")).to_be_visible()
    axe_check(page)
    integrate()
    assert Entry.objects.filter(action="login", actor_user="coord").exists()


def test_sign_in_with_the_keyboard_alone(
    page: Page, make_user: Callable[..., User], axe_check: Check
) -> None:
    user = make_user("practitioner", "police", username="pc")
    page.goto("/sign-in")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()  # visible when focused
    page.keyboard.press("Enter")
    expect(page.locator("#main-content")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Username")).to_be_focused()
    page.keyboard.type("pc")
    page.keyboard.press("Tab")
    password = page.get_by_label("Password", exact=True)
    expect(password).to_be_focused()
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Show password")).to_be_focused()  # GOV.UK password reveal
    page.keyboard.press("Enter")
    expect(password).to_have_attribute("type", "text")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Continue")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/sign-in/security-code"))

    # The redirect kept the #main-content fragment, so Tab starts in the main content: the code field.
    page.keyboard.press("Tab")
    expect(page.get_by_label("Enter your security code")).to_be_focused()
    page.keyboard.type(totp_code(user))
    page.keyboard.press("Enter")
    expect(page).to_have_url(DASHBOARD)
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Welcome"))
    axe_check(page)


def test_sign_out_with_the_keyboard(
    page: Page, make_user: Callable[..., User], sign_in: Callable[[Page, User], None]
) -> None:
    sign_in(page, make_user("practitioner", "police", username="pc"))
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#main-content")).to_be_focused()
    # The account bar opens the header: after the skip link, Notifications, then Sign out.
    page.keyboard.press("Shift+Tab")
    expect(page.get_by_role("navigation", name="Menu").get_by_role("link").last).to_be_focused()
    page.goto("/")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_role("navigation", name="Your account").get_by_role("link").first).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Sign out")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    expect(page.get_by_text("You have signed out")).to_be_visible()


def test_the_checks_themselves_can_fail(page: Page) -> None:
    """axe_check and the CSP watch are not vacuous: a broken page trips both."""
    page.goto("/sign-in")
    page.evaluate(
        "() => { const i = document.createElement('img'); i.src = '/static/web/favicon.svg';"
        " document.querySelector('main').appendChild(i); }"
    )
    assert "image-alt" in {v["id"] for v in axe_violations(page)}
    with page.expect_console_message(lambda message: "Content Security Policy" in message.text):
        page.evaluate(
            "() => { const s = document.createElement('script'); s.textContent = 'window.x = 1';"
            " document.body.appendChild(s); }"
        )
    assert page.evaluate("window.x === undefined"), "the CSP must block inline script"
    assert csp_violations(page), "the CSP violation must be reported"
