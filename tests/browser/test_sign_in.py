"""A real person signs in with their authenticator app, by mouse and by keyboard alone, and every page on
the way passes axe-core's WCAG 2.2 AA rules under the strict CSP."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from .conftest import totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_with_second_factor_reaches_the_dashboard(
    page: Any, make_user: Callable[..., Any], axe_check: Callable[[Any], None]
) -> None:
    user = make_user("cse_coordinator", "mash", username="coord")
    page.goto("/sign-in")
    assert page.title() == "Sign in \u2013 Sightline"
    # GOV.UK Frontend's JavaScript ran (module loaded under the CSP) and marked the body.
    assert "govuk-frontend-supported" in page.evaluate("document.body.className")
    axe_check(page)

    page.get_by_role("button", name="Continue").click()  # empty form: the error summary takes focus
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert page.evaluate("document.activeElement.closest('.govuk-error-summary') !== null")
    axe_check(page)
    page.get_by_role("link", name="Enter your username").click()
    assert page.evaluate("document.activeElement.id") == "id_username"

    page.get_by_label("Username").fill("coord")
    page.get_by_label("Password", exact=True).fill("correct horse battery staple")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/sign-in/security-code*")
    assert page.title() == "Enter your security code \u2013 Sightline"
    axe_check(page)

    page.get_by_label("Enter your security code").fill(totp_code(user))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: urlparse(url).path == "/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Welcome")
    expect(page.get_by_role("link", name="Your activity").first).to_be_visible()
    axe_check(page)

    from sightline.ledger.models import Entry
    from sightline.ledger.services import integrate

    integrate()
    assert Entry.objects.filter(action="login", actor_user="coord").exists()


def _focused(page: Any) -> dict[str, str]:
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return {tag: e.tagName, id: e.id, cls: e.className, text: (e.innerText || '').trim()} }"
    )


def test_keyboard_only_sign_in(
    page: Any, make_user: Callable[..., Any], axe_check: Callable[[Any], None]
) -> None:
    user = make_user("practitioner", "police", username="pc")
    page.goto("/sign-in")
    page.keyboard.press("Tab")
    first = _focused(page)
    assert "govuk-skip-link" in first["cls"] and first["text"] == "Skip to main content"
    assert page.locator(".govuk-skip-link").is_visible()  # visible when focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"
    page.keyboard.press("Tab")
    assert _focused(page)["id"] == "id_username"
    page.keyboard.type("pc")
    page.keyboard.press("Tab")
    assert _focused(page)["id"] == "id_password"
    page.keyboard.type("correct horse battery staple")
    page.keyboard.press("Tab")
    assert _focused(page)["text"] == "Show"  # GOV.UK password reveal
    page.keyboard.press("Enter")
    assert page.locator("#id_password").get_attribute("type") == "text"
    page.keyboard.press("Tab")
    assert _focused(page)["text"] == "Continue"
    page.keyboard.press("Enter")
    page.wait_for_url("**/sign-in/security-code*")

    # The redirect kept the #main-content fragment, so Tab starts in the main content: the code field.
    page.keyboard.press("Tab")
    assert _focused(page)["id"] == "id_code"
    page.keyboard.type(totp_code(user))
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: urlparse(url).path == "/")
    axe_check(page)

    # Sign out is reachable from the keyboard too.
    for _ in range(30):
        page.keyboard.press("Tab")
        if _focused(page)["text"] == "Sign out":
            break
    else:
        pytest.fail("Sign out could not be reached with Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: urlparse(url).path == "/sign-in")
    assert "You have signed out" in page.content()


def test_the_checks_themselves_can_fail(page: Any) -> None:
    """axe_check and the CSP watch are not vacuous: a broken page trips both."""
    from .conftest import axe_violations

    page.goto("/sign-in")
    page.evaluate(
        "() => { const i = document.createElement('img'); i.src = '/static/web/favicon.svg';"
        " document.querySelector('main').appendChild(i); }"
    )
    assert "image-alt" in {v["id"] for v in axe_violations(page)}
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.x = 1';"
        " document.body.appendChild(s); }"
    )
    page.wait_for_timeout(200)
    assert page.evaluate("window.x === undefined"), "the CSP must block inline script"
    assert page.csp_violations, "the CSP violation must be reported"
