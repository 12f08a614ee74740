"""Nothing typed is lost, in a real browser: the timeout warning appears before the idle sign-out and
"Stay signed in" keeps the session; a concern typed, then signed out for being idle, comes back after
signing in again. The idle timeout is shortened through its setting; every page and the open dialog
pass axe-core under the strict CSP."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from playwright.sync_api import Page, expect

from sightline.access.models import User
from sightline.cases.models import Concern
from sightline.ledger.models import Entry
from sightline.ledger.services import integrate
from sightline.people.models import Person
from sightline.web.models import Draft
from tests import factories
from tests.factories import TEST_PASSWORD, totp_code

from .conftest import fill_date

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Check = Callable[[Page], None]
SignIn = Callable[[Page, User], None]
SEEN = "Told her teacher a man outside the chip shop gives her cigarettes and lifts"


@pytest.fixture
def child() -> Person:
    return factories.known_child("police")


def _age_server_session(page: Page, seconds: int) -> None:
    """Make the server believe the session was last used ``seconds`` ago, as if nobody were there."""
    [cookie] = [c for c in page.context.cookies() if c["name"] == django_settings.SESSION_COOKIE_NAME]
    session = SessionStore(session_key=cookie["value"])
    session["last_seen"] = int(time.time()) - seconds
    session.save()


def test_the_timeout_warning_keeps_the_session_or_signs_out(
    page: Page, child: Person, police_officer: User, sign_in: SignIn, axe_check: Check, settings: Any
) -> None:
    sign_in(page, police_officer)
    settings.SESSION_IDLE_SECONDS = 15
    settings.SESSION_IDLE_WARNING_SECONDS = 12
    url = f"/people/{child.id}/concerns/new"
    page.goto(url)
    seen = page.get_by_label("What was seen or happened?")
    seen.focus()

    dialog = page.get_by_role("dialog", name="You're about to be signed out")
    expect(dialog).to_be_visible()
    stay = dialog.get_by_role("button", name="Stay signed in")
    sign_out = dialog.get_by_role("button", name="Sign out")
    expect(stay).to_be_focused()
    expect(dialog).to_contain_text(re.compile(r"we will sign you out in \d+ seconds"))
    audible = page.locator("#sightline-timeout-audible")
    expect(audible).to_have_attribute("aria-live", "polite")
    expect(audible).to_have_text(re.compile(r"^For your security, we will sign you out in \d+ seconds\.$"))
    # Focus stays inside the dialog, both ways round.
    page.keyboard.press("Tab")
    expect(sign_out).to_be_focused()
    page.keyboard.press("Tab")
    expect(stay).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(sign_out).to_be_focused()

    # The server would end the session two seconds from now; staying signed in must prevent that.
    _age_server_session(page, 13)
    stay.click()
    expect(dialog).to_be_hidden()
    expect(seen).to_be_focused()  # back where the user was
    time.sleep(3)
    still = page.request.get("/")
    assert still.ok and not re.search(r"/sign-in", still.url), still.url
    integrate()
    assert not Entry.objects.filter(action="logout").exists()

    # Nobody answers the next warning: the page signs out when it runs out.
    expect(dialog).to_be_visible()
    axe_check(page)
    expect(page).to_have_url(re.compile(r"/sign-in\?next="), timeout=30_000)
    expect(page.get_by_text("You were signed out because you had not used Sightline")).to_be_visible()
    axe_check(page)
    integrate()
    assert Entry.objects.get(action="logout", actor_user=police_officer.username).reason == "idle timeout"


def test_a_concern_typed_before_an_idle_sign_out_comes_back_after_signing_in(
    page: Page, child: Person, police_officer: User, sign_in: SignIn, axe_check: Check, settings: Any
) -> None:
    sign_in(page, police_officer)
    settings.SESSION_IDLE_SECONDS = 15
    settings.SESSION_IDLE_WARNING_SECONDS = 10
    url = f"/people/{child.id}/concerns/new"
    page.goto(url)
    page.get_by_label("What was seen or happened?").fill(SEEN)
    page.get_by_label("Urgent").check()
    page.get_by_label("Entering or leaving vehicles driven by unknown adults").check()
    expect(page.get_by_text(re.compile(r"^Draft saved at \d\d:\d\d today\.$"))).to_be_visible()
    assert Draft.objects.get(user=police_officer).path == url

    # Nobody comes back: the warning runs out and the browser is signed out.
    expect(page).to_have_url(re.compile(r"/sign-in\?next="), timeout=30_000)
    settings.SESSION_IDLE_SECONDS = 1800  # the rest of the journey at the normal pace
    page.get_by_label("Username").fill(police_officer.username)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Enter your security code").fill(totp_code(police_officer))
    page.get_by_role("button", name="Sign in").click()

    # Back on the form, with what was typed and a banner that says so.
    expect(page).to_have_url(re.compile(rf"{re.escape(url)}$"))
    banner = page.get_by_text(re.compile(r"^We restored your unsaved draft from \d\d:\d\d today\."))
    expect(banner).to_be_visible()
    expect(page.get_by_label("What was seen or happened?")).to_have_value(SEEN)
    expect(page.get_by_label("Urgent")).to_be_checked()
    expect(page.get_by_label("Entering or leaving vehicles driven by unknown adults")).to_be_checked()
    axe_check(page)

    # Signed in afresh elsewhere, the home page says a draft is waiting and leads back to it.
    sign_in(page, police_officer)
    expect(page.get_by_text("You have an unsaved draft.")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Continue your draft of a concern").click()
    expect(page.get_by_label("What was seen or happened?")).to_have_value(SEEN)

    # Discarding gives the empty form back.
    page.get_by_role("button", name="Discard the draft").click()
    expect(page.get_by_text("Your draft was discarded.")).to_be_visible()
    expect(page.get_by_label("What was seen or happened?")).to_have_value("")
    assert not Draft.objects.exists()

    # Typed again and submitted at once: the concern is raised and no draft is left behind.
    page.get_by_label("What was seen or happened?").fill(SEEN)
    page.get_by_label("Urgent").check()
    fill_date(page, "occurred_on", timezone.localdate() - dt.timedelta(days=1))
    expect(page.get_by_text(re.compile(r"^Draft saved at"))).to_be_visible()
    # More typed, and submitted before the pause that would save it.
    page.get_by_label("Where did it happen? (optional)").fill("Outside the chip shop")
    page.get_by_role("button", name="Raise the concern").click()
    expect(page).to_have_url(re.compile(r"/concerns/[^/]+$"))
    assert Concern.objects.get().what_was_seen == SEEN
    page.wait_for_timeout(2_000)  # longer than the pause before a save
    assert not Draft.objects.exists()
