"""The child's record in a real browser tells a CSE coordinator everything Sightline knows: her open
alert with the man and the vehicle behind it, the people the analysis ties to her with the records
that do, counts that agree with the alert, and a chronology holding the police records filed under
someone else. A police practitioner, whose role does not show alerts, is told one exists. Every page
passes axe-core (WCAG 2.2 AA)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from sightline.access.models import User
from tests.factories import concern
from tests.whole_picture import olivia_story

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Check = Callable[[Page], None]
SignIn = Callable[[Page, User], None]


def test_the_coordinator_sees_her_alert_network_and_whole_chronology(
    page: Page,
    new_page: Callable[[], Page],
    coordinator: User,
    police_officer: User,
    sign_in: SignIn,
    axe_check: Check,
) -> None:
    story = olivia_story()
    sign_in(page, coordinator)
    page.goto(f"/people/{story.olivia.id}")
    expect(page.get_by_role("heading", name="Olivia Jackson", level=1)).to_be_visible()

    # The summary: plain words, and the missing count the alert gives.
    summary = page.locator("#summary + .govuk-summary-list")
    expect(summary).to_contain_text("Female")
    expect(page.locator("#summary-episodes")).to_contain_text("3 episodes (3 in agency records")
    expect(page.locator("#summary-alerts")).to_contain_text("Child at risk, score")

    # The alert: reasons without codes, the man and the vehicle behind it.
    card = page.locator(".govuk-summary-card").filter(has_text="Child at risk: score")
    expect(card).to_contain_text("Missing or absent 3 times")
    expect(card.get_by_role("link", name="Mick Williams")).to_be_visible()
    expect(card).to_contain_text("YC55 MHT")
    axe_check(page)

    # The people the analysis ties to her, each with the records that tie them.
    people = page.locator("#network-people")
    row = people.locator("tr").filter(has_text="Mick Williams")
    expect(row).to_contain_text("named as suspect")
    row.locator(".govuk-details__summary").click()
    expect(row.locator(".govuk-details__text")).to_contain_text("Police incident, Police (police:OCC-1)")
    expect(people.locator("tr").filter(has_text="Zara Jaff")).to_be_visible()
    axe_check(page)

    # The whole chronology holds Mick's occurrence that names her as the victim.
    page.get_by_role("link", name=re.compile("chronology, filter and print it")).click()
    expect(page).to_have_url(re.compile(r"/chronology$"))
    filed = page.locator("#chronology-table tr").filter(has_text="police:OCC-1")
    expect(filed).to_contain_text("named as victim, filed under another person's record")
    expect(page.locator("#chronology-table tbody tr")).to_have_count(len(story.naming_her))
    axe_check(page)

    # From the network to his record: a second, explicit step.
    page.go_back()
    page.locator("#network-people").get_by_role("link", name="Mick Williams").click()
    expect(page.get_by_role("heading", name="Mick Williams", level=1)).to_be_visible()

    # Triaging a concern about her, the same alert is in front of the decision.
    raised = concern(story.olivia, what_was_seen="Dropped off by a man in a grey car at 2am")
    page.goto(f"/concerns/{raised.id}/triage")
    expect(page.locator(".govuk-summary-card").filter(has_text="Child at risk: score")).to_contain_text(
        "Mick Williams"
    )
    axe_check(page)

    # A police practitioner may open her record but not alerts: told that one exists, and whom to ask.
    officer = new_page()
    sign_in(officer, police_officer)
    officer.goto(f"/people/{story.olivia.id}")
    expect(officer.locator("#alerts-hidden")).to_contain_text("ask your CSE coordinator or an analyst")
    expect(officer.locator(".govuk-summary-card")).to_have_count(0)
    axe_check(officer)
