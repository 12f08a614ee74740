"""Outreach in a real browser: the coordinator assigns outreach to the youth service from a
child-at-risk alert, and the youth worker finds it under Outreach, records an attempt that did not find
the child, then a decline (first without what the child said, which the form asks for), and the
decision to continue with its reason. Every page on the way passes axe-core (WCAG 2.2 AA)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from sightline.access.models import User
from sightline.intelligence.models import Alert
from sightline.ledger.models import Entry
from sightline.ledger.services import integrate
from sightline.outreach.models import Assignment, Decision
from tests import factories
from tests.outreach.helpers import alert_about

from .conftest import fill_date

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Check = Callable[[Page], None]
SignIn = Callable[[Page, User], None]
REASON = "She is missing again this week. One more try through the school nurse she trusts, then review."


def _record_attempt(page: Page, method: str, outcome: str) -> None:
    page.get_by_role("button", name="Record an attempt").click()
    expect(page.get_by_role("heading", name="Record an outreach attempt")).to_be_visible()
    now = timezone.localtime()
    fill_date(page, "occurred_on", now.date())
    page.get_by_label("Time of the attempt").fill(f"{now:%H:%M}")
    page.get_by_label(method).check()
    page.get_by_label("Where? (optional)").fill("Bus station")
    page.get_by_label(outcome, exact=True).check()


def test_from_an_alert_to_a_decline_and_a_reasoned_decision(
    page: Page,
    new_page: Callable[[], Page],
    make_user: Callable[..., User],
    sign_in: SignIn,
    axe_check: Check,
) -> None:
    coordinator = make_user("cse_coordinator", "mash", username="coord")
    worker = make_user("practitioner", "youth_service", username="jo.youth")
    child = factories.known_child("police", given="Tia", family="Marsh")
    alert = alert_about(child)

    # The coordinator, from the alert.
    sign_in(page, coordinator)
    page.goto(f"/intelligence/alerts/{alert.id}")
    expect(page.get_by_role("heading", name="Outreach", exact=True)).to_be_visible()
    expect(page.get_by_text("Nobody has been asked to reach this child yet.")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Assign outreach").click()
    expect(page.get_by_role("heading", name="Assign outreach")).to_be_visible()
    axe_check(page)
    page.get_by_label("Team").select_option("youth_service")
    page.get_by_label("Named worker (optional)").select_option("jo.youth")
    page.get_by_label("What the worker should know (optional)").fill("Often at the bus station after school")
    page.get_by_role("button", name="Assign outreach").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Outreach assigned to jo.youth")
    expect(page.get_by_role("heading", name="Tia Marsh")).to_be_visible()
    axe_check(page)
    assignment = Assignment.objects.get()
    assert Alert.objects.get(pk=alert.id).status == Alert.Status.ACTIONED

    # The youth worker, from the navigation.
    mine = new_page()
    sign_in(mine, worker)
    mine.get_by_role("link", name="Outreach", exact=True).click()
    expect(mine).to_have_url(re.compile(r"/outreach$"))
    axe_check(mine)
    mine.get_by_role("link", name="Tia Marsh").click()
    expect(mine).to_have_url(re.compile(rf"/outreach/{assignment.id}$"))
    axe_check(mine)

    _record_attempt(mine, "Detached (street) outreach", "Not found")
    axe_check(mine)
    mine.get_by_role("button", name="Record the attempt").click()
    expect(mine.locator(".govuk-notification-banner")).to_contain_text("Attempt recorded.")
    expect(mine.locator("#attempts + table")).to_contain_text("Not found")

    # A decline without what the child said: the form asks for it and keeps what was typed.
    _record_attempt(mine, "At school or college", "Declined")
    mine.get_by_label("Refused consent").check()
    mine.get_by_role("button", name="Record the attempt").click()
    expect(mine.locator(".govuk-error-summary")).to_be_visible()
    expect(mine).to_have_title(re.compile(r"^Error: "))
    expect(mine.get_by_label("Refused consent")).to_be_checked()
    axe_check(mine)
    mine.get_by_label("What did the child say they want?").fill(
        "Says she is fine and does not want a youth worker"
    )
    mine.get_by_role("button", name="Record the attempt").click()
    expect(mine.locator("#decision-needed")).to_contain_text(
        "Nobody tries again until someone records a decision"
    )
    expect(mine.get_by_role("button", name="Record an attempt")).to_have_count(0)
    axe_check(mine)

    mine.get_by_role("button", name="Record a decision").click()
    expect(mine.get_by_role("heading", name="Decide what happens next")).to_be_visible()
    expect(mine.locator("#declined")).to_contain_text("does not want a youth worker")
    axe_check(mine)
    mine.get_by_label("Continue outreach").check()
    mine.get_by_label("Why?").fill(REASON)
    mine.get_by_role("button", name="Save the decision").click()
    expect(mine.locator(".govuk-notification-banner")).to_contain_text("outreach continues")
    expect(mine.locator("#decisions + table")).to_contain_text(REASON)
    expect(mine.get_by_role("button", name="Record an attempt")).to_be_visible()
    axe_check(mine)

    decision = Decision.objects.get()
    assert (decision.decision, decision.reason, decision.decided_by) == ("continue", REASON, "jo.youth")
    integrate()
    ledgered = Entry.objects.filter(object_type="outreach.assignment", object_id=assignment.id).order_by(
        "index"
    )
    assert [e.action for e in ledgered] == [
        "create",
        "attempt_not_found",
        "attempt_declined",
        "decide_continue",
    ]
    assert ledgered.last().reason == REASON  # type: ignore[union-attr]
