"""Printing from the browser: a signed-in user's printed chronology carries the protective marking and
says who printed it and when (on paper only); the public statistics are not marked."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from sightline.access.models import User
from sightline.access.services import do_create_user, do_enrol_totp
from sightline.ledger.services import SYSTEM
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SignIn = Callable[[Page, User], None]


def test_a_printed_chronology_is_marked(page: Page, sign_in: SignIn) -> None:
    factories.agencies()
    coordinator = do_create_user(
        SYSTEM, username="chughes", role="cse_coordinator", agency="mash",
        password=factories.TEST_PASSWORD, first_name="Chris", last_name="Hughes",
    )  # fmt: skip
    do_enrol_totp(SYSTEM, username=coordinator.username, confirmed=True)
    child = factories.known_child("police", "social_care")
    sign_in(page, coordinator)
    page.goto(f"/people/{child.id}/chronology")
    marks = page.locator(".sightline-print-marking")
    expect(marks).to_have_count(2)  # the top and the end of the page
    expect(marks.first).to_be_hidden()  # not on screen
    page.emulate_media(media="print")
    expect(marks.first).to_be_visible()
    expect(marks.last).to_be_visible()
    who = "Chris Hughes (chughes)"
    for mark in (marks.first, marks.last):
        expect(mark).to_contain_text("OFFICIAL-SENSITIVE")
        expect(mark).to_contain_text(
            re.compile(rf"Printed by {re.escape(who)} on \d{{1,2}} \w+ \d{{4}} at \d\d:\d\d")
        )
    expect(page.get_by_role("navigation", name="Menu")).to_be_hidden()
    pdf = page.pdf(format="A4")  # what the browser prints: the marking is in the page margins too
    assert pdf.startswith(b"%PDF-") and len(pdf) > 1000


def test_public_statistics_are_not_marked(page: Page, coordinator: User, sign_in: SignIn) -> None:
    factories.agencies()
    sign_in(page, coordinator)
    page.goto("/statistics")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator(".sightline-print-marking")).to_have_count(0)
    assert "OFFICIAL-SENSITIVE" not in page.content()
