"""Notifications in a real browser: a social worker who owns a child's plan sees the menu count a missing
episode the police record, opens the inbox, follows it to the child's record, and chooses a daily digest.
Every page passes axe-core (WCAG 2.2 AA)."""

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
from sightline.notifications.models import EmailPreference
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_inbox_shows_a_new_event_for_a_child_whose_plan_you_own(
    page: Page,
    social_worker: User,
    police_officer: User,
    sign_in: Callable[[Page, User], None],
    axe_check: Callable[[Page], None],
) -> None:
    child = factories.known_child("police", "social_care")
    services.do_create_plan(
        actor_for(social_worker), person_id=child.id, title="Safety plan", review_due_on=dt.date(2030, 1, 1)
    )
    sign_in(page, social_worker)
    menu = page.get_by_role("navigation", name="Your account")  # above the menu, with Sign out
    expect(menu.get_by_role("link", name="Notifications", exact=True)).to_be_visible()

    services.do_record_missing_episode(
        actor_for(police_officer),
        person_id=child.id,
        category="M",
        started_at=timezone.now() - dt.timedelta(hours=4),
    )
    page.reload()
    link = menu.get_by_role("link", name=re.compile(r"^Notifications 1 new$"))
    expect(link).to_be_visible()
    axe_check(page)
    link.click()

    expect(page).to_have_url(re.compile(r"/notifications$"))
    expect(page.get_by_role("heading", name="Notifications", level=1)).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Missing episode")
    expect(row).to_contain_text("New")
    expect(row).to_contain_text("recorded by Police")
    expect(row).to_contain_text("You own the child's plan")
    axe_check(page)
    expect(menu.get_by_role("link", name="Notifications", exact=True)).to_be_visible()  # seen now

    page.get_by_role("link", name="Change how you hear by email").click()
    expect(page.get_by_role("heading", name="Email about notifications")).to_be_visible()
    axe_check(page)
    page.get_by_label("One email a day listing the new events").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your email setting is saved")
    expect(page.get_by_text("By email: one email a day listing the new events.")).to_be_visible()
    axe_check(page)
    assert EmailPreference.objects.get(user=social_worker).email == "digest"

    page.get_by_role("link", name="Kayleigh Brookes").click()
    expect(page).to_have_url(re.compile(rf"/people/{child.id}$"))
