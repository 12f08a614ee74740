"""Accountability in a real browser, one task per test: importing the sample plan, the board's pages of
progress by status, completing an action with evidence, a second person's sign-off, moving a target date
with a reason, and protected concerns that only the independent reviewer sees. Every page passes
axe-core's WCAG 2.2 AA rules under the CSP."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import FilePayload, Locator, Page, expect

from sightline.access.models import User
from sightline.access.services import actor_for
from sightline.accountability import services
from sightline.accountability.models import Action, ProtectedConcern, Recommendation
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Check = Callable[[Page], None]
SignIn = Callable[[Page, User], None]
SECTIONS = ["Indicators", "Resources", "Community engagement", "Moved target dates", "Overdue actions"]
WORRY = "My report about girls being picked up outside the youth centre was not passed on."


def _sections(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Accountability sections")


@pytest.fixture
def plan() -> None:
    factories.sample_plan()


def test_the_coordinator_imports_the_sample_plan(
    page: Page, coordinator: User, sign_in: SignIn, axe_check: Check
) -> None:
    sign_in(page, coordinator)
    page.get_by_role("link", name="Accountability").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan progress")
    axe_check(page)
    page.get_by_role("button", name="Import a plan").click()
    expect(page.get_by_role("button", name="Import the plan")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Import the plan").click()  # no file: the error summary
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose a YAML or CSV plan file")
    axe_check(page)
    page.get_by_role("button", name="Load the sample plan: rotherham-2014").click()
    expect(page).to_have_url(re.compile(r"/accountability/plans/rotherham-2014$"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("15 recommendations created")
    expect(page.locator("#recommendations tbody tr")).to_have_count(15)
    expect(page.locator("#illustrative-note")).to_contain_text("illustrative")
    axe_check(page)
    page.get_by_role("link", name="R5").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("£2.35m")
    axe_check(page)


@pytest.mark.usefixtures("plan")
def test_the_board_reads_progress_by_status(
    page: Page, board_member: User, sign_in: SignIn, axe_check: Check
) -> None:
    sign_in(page, board_member)
    expect(page.locator("#board-overdue-actions-table")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Accountability").first.click()
    expect(page.locator("#count-overdue")).to_have_text("15")  # long after November 2014
    expect(page.locator("#status-chart svg[role=img]")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name=re.compile(r"^15 overdue")).click()
    expect(page.locator("#recommendations tbody tr")).to_have_count(15)
    axe_check(page)


@pytest.mark.usefixtures("plan")
@pytest.mark.parametrize("section", SECTIONS)
def test_the_board_reads_a_section(
    page: Page, board_member: User, sign_in: SignIn, axe_check: Check, section: str
) -> None:
    sign_in(page, board_member)
    page.goto("/accountability")
    link = _sections(page).get_by_role("link", name=section)
    link.click()
    expect(link).to_have_attribute("aria-current", "page")
    axe_check(page)
    expect(page.get_by_role("button", name="Import a plan")).to_have_count(0)  # aggregate pages only


@pytest.mark.usefixtures("plan")
def test_the_board_reads_an_indicator_as_a_chart_and_a_table(
    page: Page, board_member: User, sign_in: SignIn, axe_check: Check
) -> None:
    sign_in(page, board_member)
    page.goto("/accountability/indicators")
    page.get_by_role("link", name="Suspects currently on bail").first.click()
    expect(page.locator("#indicator-chart svg[role=img]")).to_be_visible()
    page.locator("#indicator-chart summary").click()  # the table alternative
    expect(page.locator("#indicator-chart-table")).to_be_visible()
    axe_check(page)


@pytest.mark.usefixtures("plan")
def test_the_coordinator_completes_an_action_with_evidence(
    page: Page, coordinator: User, sign_in: SignIn, axe_check: Check
) -> None:
    action = Action.objects.get(ref="R9.1")
    sign_in(page, coordinator)
    page.goto(f"/accountability/actions/{action.id}")
    axe_check(page)
    page.get_by_role("button", name="Mark as complete").click()
    expect(page).to_have_url(re.compile(r"/complete$"))
    axe_check(page)
    page.get_by_role("button", name="Mark as complete").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Add evidence before marking the action complete"
    )
    axe_check(page)

    page.get_by_role("link", name="Back to action R9.1").click()
    expect(page).to_have_url(re.compile(rf"/accountability/actions/{action.id}$"))
    page.get_by_role("button", name="Add evidence").click()
    expect(page.get_by_label("Document", exact=True)).to_be_visible()
    axe_check(page)
    page.get_by_label("Document", exact=True).check()
    page.get_by_role("button", name="Add the evidence").click()  # no file chosen
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose the document to upload")
    axe_check(page)
    timetable = FilePayload(
        name="outreach-timetable.pdf", mimeType="application/pdf", buffer=b"%PDF-1.4 sessions"
    )
    page.set_input_files("#id_document", files=[timetable])
    page.get_by_label("Title").fill("Outreach timetable")
    page.get_by_role("button", name="Add the evidence").click()
    expect(page).to_have_url(re.compile(rf"/accountability/actions/{action.id}$"))
    expect(page.locator("#evidence")).to_contain_text("Outreach timetable")
    expect(page.locator("#evidence")).to_contain_text("SHA-256")

    page.get_by_role("button", name="Mark as complete").click()
    page.get_by_label("Note (optional)").fill("Sessions back to four a week")
    page.get_by_role("button", name="Mark as complete").click()
    expect(page).to_have_url(re.compile(rf"/accountability/actions/{action.id}$"))
    expect(page.locator("#action-status")).to_have_text(re.compile(r"Awaiting sign-off|Overdue"))
    expect(page.get_by_text("A second person must sign it off")).to_be_visible()
    expect(page.get_by_role("button", name="Sign off")).to_have_count(0)  # not the one who completed it
    axe_check(page)


@pytest.mark.usefixtures("plan")
def test_a_second_person_signs_an_action_off(
    page: Page, coordinator: User, manager: User, sign_in: SignIn, axe_check: Check
) -> None:
    action = Action.objects.get(ref="R9.1")
    coord = actor_for(coordinator)
    services.do_add_note(coord, action_id=action.id, title="Outreach timetable", note="Four sessions a week")
    services.do_complete_action(coord, action_id=action.id, note="Sessions back to four a week")
    sign_in(page, manager)
    page.get_by_role("link", name=re.compile("R9.1")).first.click()
    page.get_by_role("button", name="Sign off").click()
    expect(page.get_by_label("Yes, sign it off")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select whether to sign off the action")
    axe_check(page)
    page.get_by_label("Yes, sign it off").check()
    page.get_by_label("Note").fill("Seen the timetable")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(rf"/accountability/actions/{action.id}$"))
    expect(page.locator("#action-status")).to_have_text("Complete")
    expect(page.locator("#signed-off")).to_contain_text("by mgr")
    axe_check(page)
    action.refresh_from_db()
    assert (action.completed_by, action.signed_off_by) == ("coord", "mgr")


@pytest.mark.usefixtures("plan")
def test_the_coordinator_moves_a_target_date_with_a_reason(
    page: Page, coordinator: User, sign_in: SignIn, axe_check: Check
) -> None:
    rec = Recommendation.objects.get(ref="R11")
    sign_in(page, coordinator)
    page.goto(f"/accountability/recommendations/{rec.id}")
    axe_check(page)
    page.get_by_role("button", name=re.compile("Change the recommendation")).click()
    year = page.get_by_role("textbox", name="Year")
    expect(year).to_be_visible()
    axe_check(page)
    page.get_by_role("textbox", name="Month").fill("3")
    year.fill("2015")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why the target date is moving")
    expect(year).to_have_value("2015")  # what was typed is kept
    expect(page).to_have_title(re.compile(r"^Error: "))
    axe_check(page)
    page.get_by_role("link", name="Say why the target date is moving").click()  # in-page link
    reason = page.get_by_label("Reason for moving the target date")
    expect(reason).to_be_focused()
    reason.fill("Awaiting the national review of placements")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(rf"/accountability/recommendations/{rec.id}$"))
    expect(page.locator("#recommendation-target")).to_have_text("30 March 2015")
    for text in ("30 Nov 2014", "30 Mar 2015", "Awaiting the national review"):
        expect(page.locator("#moved-dates")).to_contain_text(text)
    history = page.locator("#history").locator("xpath=following-sibling::table[1]")
    expect(history).to_contain_text("Target date moved")
    axe_check(page)
    page.goto("/accountability/moved-dates")
    expect(page.locator("#moved-dates")).to_contain_text("Awaiting the national review of placements")
    axe_check(page)


def test_a_practitioner_raises_a_protected_concern(
    page: Page, practitioner: User, sign_in: SignIn, axe_check: Check
) -> None:
    sign_in(page, practitioner)
    page.get_by_role("link", name="Speak up").click()
    expect(page.get_by_role("button", name="Raise a concern about handling")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Raise a concern about handling").click()
    what = page.get_by_label("What is happening, and why does it concern you?")
    expect(what).to_be_visible()
    axe_check(page)
    page.get_by_role("radio", name="A particular case").check()
    what.fill(WORRY)
    page.get_by_role("button", name="Send to the independent reviewer").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the case, person or concern reference"
    )
    expect(what).to_have_value(WORRY)
    axe_check(page)
    page.get_by_label("Case, person or concern reference (for a particular case)").fill("CN-12345")
    page.get_by_role("button", name="Send to the independent reviewer").click()
    expect(page).to_have_url(re.compile(r"/speak-up/PCN-[0-9A-F]+$"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "gone to the independent reviewer only"
    )
    axe_check(page)


@pytest.fixture
def raised(practitioner: User) -> ProtectedConcern:
    return services.do_raise_protected_concern(
        actor=actor_for(practitioner), about="case", what_happened=WORRY, case_reference="CN-12345"
    )


def test_the_raisers_manager_cannot_see_a_protected_concern(
    page: Page, raised: ProtectedConcern, make_user: Callable[..., User], sign_in: SignIn
) -> None:
    sign_in(page, make_user("manager", "youth_service", username="boss"))
    response = page.goto(f"/speak-up/{raised.id}")
    assert response is not None and response.status == 403
    page.goto("/speak-up")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("#protected-concerns")).to_have_count(0)


@pytest.mark.usefixtures("raised")
def test_the_reviewer_responds_to_a_protected_concern(
    page: Page, reviewer: User, sign_in: SignIn, axe_check: Check
) -> None:
    sign_in(page, reviewer)
    waiting = page.get_by_role("link", name=re.compile("protected concern awaiting"))
    expect(waiting).to_contain_text("1 protected concern awaiting your response")
    waiting.click()
    expect(page.locator("#protected-concerns")).to_be_visible()
    axe_check(page)
    page.locator("#protected-concerns a").first.click()
    expect(page.locator("#concern-text")).to_contain_text("outside the youth centre")
    page.get_by_label("Looking into it").check()
    page.get_by_label("Response").fill("I have asked the youth service for the report.")
    page.get_by_role("button", name="Add the response").click()
    expect(page.get_by_text("I have asked the youth service for the report.")).to_be_visible()
    axe_check(page)
