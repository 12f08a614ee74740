"""Accountability in a real browser: importing the sample plan, completing an action with evidence and a
second person's sign-off, moving a target date with a reason, raising a protected concern, and the board's
pages of recommendations by status. Every page passes axe-core's WCAG 2.2 AA rules under the CSP."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Check = Callable[[Any], None]


@pytest.fixture(autouse=True)
def _evidence_store(settings: Any, tmp_path: Path) -> None:
    evidence = settings.STORAGES["evidence"]
    options = {**evidence["OPTIONS"], "location": tmp_path / "evidence"}
    settings.STORAGES = {**settings.STORAGES, "evidence": {**evidence, "OPTIONS": options}}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _sample_plan() -> Any:
    from sightline.access.services import ensure_standard_agencies
    from sightline.accountability.services import do_import_sample_plan
    from sightline.ledger.services import SYSTEM

    ensure_standard_agencies()
    return do_import_sample_plan(SYSTEM, key="rotherham-2014").plan


def nav(page: Any, locator: Any) -> None:
    """Click something that loads a page, and wait for that page (a click alone does not wait)."""
    with page.expect_navigation():
        locator.click()


def _sign_out(page: Any) -> None:
    nav(page, page.get_by_role("button", name="Sign out"))
    page.wait_for_url("**/sign-in*")


def test_import_the_sample_plan_and_read_progress_by_status(
    page: Any, make_user: Callable[..., Any], login: Callable[..., None], axe_check: Check
) -> None:
    coordinator = make_user("cse_coordinator", "mash", username="coord")
    board = make_user("board_member", "mash", username="board")
    login(page, coordinator)
    nav(page, page.get_by_role("link", name="Accountability").first)
    assert page.get_by_role("heading", level=1).inner_text() == "Plan progress"
    axe_check(page)
    nav(page, page.get_by_role("button", name="Import a plan"))
    axe_check(page)
    nav(page, page.get_by_role("button", name="Import the plan"))  # no file: the error summary
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert "Choose a YAML or CSV plan file" in page.locator(".govuk-error-summary").inner_text()
    axe_check(page)
    nav(page, page.get_by_role("button", name="Load the sample plan: rotherham-2014"))
    page.wait_for_url("**/accountability/plans/rotherham-2014")
    assert "15 recommendations created" in page.locator(".govuk-notification-banner").inner_text()
    expect(page.locator("#recommendations tbody tr")).to_have_count(15)
    assert "illustrative" in page.locator("#illustrative-note").inner_text()
    axe_check(page)
    nav(page, page.get_by_role("link", name="R5"))
    assert "£2.35m" in page.get_by_role("heading", level=1).inner_text()
    axe_check(page)
    _sign_out(page)

    # The board: recommendations by status, overdue actions, indicators, resources, engagement.
    login(page, board)
    expect(page.locator("#board-overdue-actions-table")).to_be_visible()
    axe_check(page)
    nav(page, page.get_by_role("link", name="Accountability").first)
    assert page.locator("#count-overdue").inner_text() == "15"  # long after November 2014
    expect(page.locator("#status-chart svg[role=img]")).to_be_visible()
    axe_check(page)
    nav(page, page.get_by_role("link", name=re.compile(r"^15 overdue")))
    expect(page.locator("#recommendations tbody tr")).to_have_count(15)
    axe_check(page)
    page.goto("/accountability")
    for name in ("Indicators", "Resources", "Community engagement", "Moved target dates", "Overdue actions"):
        nav(
            page,
            page.get_by_role("navigation", name="Accountability sections").get_by_role("link", name=name),
        )
        axe_check(page)
    nav(
        page,
        page.get_by_role("navigation", name="Accountability sections").get_by_role("link", name="Indicators"),
    )
    nav(page, page.get_by_role("link", name="Suspects currently on bail").first)
    expect(page.locator("#indicator-chart svg[role=img]")).to_be_visible()
    page.locator("#indicator-chart summary").click()  # the table alternative
    expect(page.locator("#indicator-chart-table")).to_be_visible()
    axe_check(page)
    expect(page.get_by_role("button", name="Import a plan")).to_have_count(0)  # aggregate pages only


def test_complete_an_action_with_evidence_and_a_second_persons_sign_off(
    page: Any, make_user: Callable[..., Any], login: Callable[..., None], axe_check: Check
) -> None:
    _sample_plan()
    from sightline.accountability.models import Action

    action = Action.objects.get(ref="R9.1")
    coordinator = make_user("cse_coordinator", "mash", username="coord")
    manager = make_user("manager", "social_care", username="mgr")
    login(page, coordinator)
    page.goto(f"/accountability/actions/{action.id}")
    axe_check(page)
    nav(page, page.get_by_role("button", name="Mark as complete"))
    axe_check(page)
    nav(page, page.get_by_role("button", name="Mark as complete"))
    assert (
        "Add evidence before marking the action complete" in page.locator(".govuk-error-summary").inner_text()
    )
    axe_check(page)
    nav(page, page.get_by_role("link", name="Back to action R9.1"))
    nav(page, page.get_by_role("button", name="Add evidence"))
    axe_check(page)
    page.get_by_label("Document", exact=True).check()
    nav(page, page.get_by_role("button", name="Add the evidence"))  # no file chosen
    assert "Choose the document to upload" in page.locator(".govuk-error-summary").inner_text()
    axe_check(page)
    page.set_input_files(
        "#id_document",
        files=[
            {"name": "outreach-timetable.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 sessions"}
        ],
    )
    page.get_by_label("Title").fill("Outreach timetable")
    nav(page, page.get_by_role("button", name="Add the evidence"))
    page.wait_for_url(f"**/accountability/actions/{action.id}")
    assert "Outreach timetable" in page.locator("#evidence").inner_text()
    assert "SHA-256" in page.locator("#evidence").inner_text()
    nav(page, page.get_by_role("button", name="Mark as complete"))
    page.get_by_label("Note (optional)").fill("Sessions back to four a week")
    nav(page, page.get_by_role("button", name="Mark as complete"))
    page.wait_for_url(f"**/accountability/actions/{action.id}")
    assert page.locator("#action-status").inner_text() in ("Awaiting sign-off", "Overdue")
    assert "A second person must sign it off" in page.content()
    expect(page.get_by_role("button", name="Sign off")).to_have_count(0)  # not the one who marked it complete
    axe_check(page)
    _sign_out(page)

    login(page, manager)
    nav(page, page.get_by_role("link", name=re.compile("R9.1")).first)
    nav(page, page.get_by_role("button", name="Sign off"))
    axe_check(page)
    nav(page, page.get_by_role("button", name="Save"))
    assert "Select whether to sign off the action" in page.locator(".govuk-error-summary").inner_text()
    axe_check(page)
    page.get_by_label("Yes, sign it off").check()
    page.get_by_label("Note").fill("Seen the timetable")
    nav(page, page.get_by_role("button", name="Save"))
    page.wait_for_url(f"**/accountability/actions/{action.id}")
    assert page.locator("#action-status").inner_text() == "Complete"
    assert "by mgr" in page.locator("#signed-off").inner_text()
    axe_check(page)
    action.refresh_from_db()
    assert (action.completed_by, action.signed_off_by) == ("coord", "mgr")


def test_move_a_target_date_with_a_reason(
    page: Any, make_user: Callable[..., Any], login: Callable[..., None], axe_check: Check
) -> None:
    _sample_plan()
    from sightline.accountability.models import Recommendation

    rec = Recommendation.objects.get(ref="R11")
    coordinator = make_user("cse_coordinator", "mash", username="coord")
    login(page, coordinator)
    page.goto(f"/accountability/recommendations/{rec.id}")
    axe_check(page)
    nav(page, page.get_by_role("button", name=re.compile("Change the recommendation")))
    axe_check(page)
    page.get_by_role("textbox", name="Month").fill("3")
    page.get_by_role("textbox", name="Year").fill("2015")
    nav(page, page.get_by_role("button", name="Save"))
    summary = page.locator(".govuk-error-summary")
    assert "Say why the target date is moving" in summary.inner_text()
    assert page.get_by_role("textbox", name="Year").input_value() == "2015"  # what was typed is kept
    assert page.title().startswith("Error: ")
    axe_check(page)
    page.get_by_role("link", name="Say why the target date is moving").click()  # in-page link
    assert page.evaluate("document.activeElement.id") == "id_reason"
    page.get_by_label("Reason for moving the target date").fill("Awaiting the national review of placements")
    nav(page, page.get_by_role("button", name="Save"))
    page.wait_for_url(f"**/accountability/recommendations/{rec.id}")
    assert page.locator("#recommendation-target").inner_text() == "30 March 2015"
    moved = page.locator("#moved-dates").inner_text()
    assert "30 Nov 2014" in moved and "30 Mar 2015" in moved and "Awaiting the national review" in moved
    assert (
        "Target date moved"
        in page.locator("#history").locator("xpath=following-sibling::table[1]").inner_text()
    )
    axe_check(page)
    page.goto("/accountability/moved-dates")
    assert "Awaiting the national review of placements" in page.locator("#moved-dates").inner_text()
    axe_check(page)


def test_raise_a_protected_concern_that_only_the_reviewer_sees(
    page: Any, make_user: Callable[..., Any], login: Callable[..., None], axe_check: Check
) -> None:
    worker = make_user("practitioner", "youth_service", username="youthworker")
    manager = make_user("manager", "youth_service", username="boss")
    reviewer = make_user("independent_reviewer", "independent_review", username="reviewer")
    login(page, worker)
    nav(page, page.get_by_role("link", name="Speak up"))
    axe_check(page)
    nav(page, page.get_by_role("button", name="Raise a concern about handling"))
    axe_check(page)
    page.get_by_role("radio", name="A particular case").check()
    page.get_by_label("What is happening, and why does it concern you?").fill(
        "My report about girls being picked up outside the youth centre was not passed on."
    )
    nav(page, page.get_by_role("button", name="Send to the independent reviewer"))
    assert "Enter the case, person or concern reference" in page.locator(".govuk-error-summary").inner_text()
    assert (
        "outside the youth centre"
        in page.get_by_label("What is happening, and why does it concern you?").input_value()
    )
    axe_check(page)
    page.get_by_label("Case, person or concern reference (for a particular case)").fill("CN-12345")
    nav(page, page.get_by_role("button", name="Send to the independent reviewer"))
    page.wait_for_url(re.compile(r".*/speak-up/PCN-[0-9A-F]+$"))
    assert "gone to the independent reviewer only" in page.locator(".govuk-notification-banner").inner_text()
    concern_url = page.url
    axe_check(page)
    _sign_out(page)

    login(page, manager)  # the worker's own manager cannot see it
    response = page.goto(concern_url)
    assert response is not None and response.status == 403
    page.goto("/speak-up")
    expect(page.locator("#protected-concerns")).to_have_count(0)
    _sign_out(page)

    login(page, reviewer)
    assert "1 protected concern awaiting your response" in page.content()
    nav(page, page.get_by_role("link", name=re.compile("protected concern awaiting")))
    axe_check(page)
    nav(page, page.locator("#protected-concerns a").first)
    assert "outside the youth centre" in page.locator("#concern-text").inner_text()
    page.get_by_label("Looking into it").check()
    page.get_by_label("Response").fill("I have asked the youth service for the report.")
    nav(page, page.get_by_role("button", name="Add the response"))
    assert "I have asked the youth service for the report." in page.content()
    axe_check(page)
