"""A practitioner and the CSE coordinator work a case in a real browser: raise a concern, triage it
(with the keyboard alone), screen the child, record a missing episode and its return interview, see
the re-screen task, and read the chronology. Every page on the way passes axe-core (WCAG 2.2 AA)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sightline.cases.models import Concern, MissingEpisode, ReturnInterview, Screening
from sightline.ledger.services import SYSTEM, do_create
from sightline.people.models import Extract, Person, SourceRecord

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _child_known_to_police(
    given: str = "Kayleigh", family: str = "Brookes", kind: str = "child", record_id: str = "POL-77"
) -> Person:
    person = do_create(
        Person(kind=kind, given_name=given, family_name=family, date_of_birth="2010-05-04"),
        actor=SYSTEM,
    )
    extract = do_create(
        Extract(
            agency_id="police",
            source_name=f"police-{record_id}",
            digest=record_id.ljust(64, "0"),
            extracted_on=dt.date(2026, 1, 1),
            imported_at=timezone.now(),
            manifest={"agency": "police"},
        ),
        actor=SYSTEM,
    )
    do_create(
        SourceRecord(
            agency_id="police",
            record_id=record_id,
            extract=extract,
            row_number=2,
            data={"given_name": given, "family_name": family},
            person=person,
            given_name=given,
            family_name=family,
            date_of_birth="2010-05-04",
        ),
        actor=SYSTEM,
    )
    return person


SLOW_MACHINE_MS = 30_000  # two shared cores: other test runs may slow the live server


def _fill_date(page: Any, name: str, when: dt.date) -> None:
    page.locator(f"#id_{name}_0").fill(str(when.day))
    page.locator(f"#id_{name}_1").fill(str(when.month))
    page.locator(f"#id_{name}_2").fill(str(when.year))


def _tab_to(page: Any, selector: str, most: int = 120) -> None:
    """Press Tab until the element matching ``selector`` has focus (as a keyboard user would)."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"could not reach {selector} with the Tab key")


def test_case_work_journey(
    page: Any,
    make_user: Callable[..., Any],
    login: Callable[..., None],
    axe_check: Callable[[Any], None],
) -> None:
    pc = make_user("practitioner", "police", username="pc")
    coord = make_user("cse_coordinator", "mash", username="coord")
    child = _child_known_to_police()
    yesterday = timezone.localdate() - dt.timedelta(days=1)

    # --- a police officer raises a concern -------------------------------------------------------
    page.set_default_timeout(SLOW_MACHINE_MS)
    login(page, pc)
    axe_check(page)  # the dashboard with its case panels
    page.get_by_role("link", name="Raise a concern", exact=True).first.click()
    page.wait_for_url("**/concerns/start")
    axe_check(page)
    page.get_by_label("Name or nickname").fill("Kaylee Brooks")  # misspelt on purpose
    page.get_by_role("button", name="Find the child").click()
    axe_check(page)
    page.get_by_role("link", name="Raise a concern about Kayleigh Brookes").click()
    page.wait_for_url(f"**/people/{child.id}/concerns/new")
    axe_check(page)

    page.get_by_label("What was seen or happened?").fill("Seen getting into a taxi with two older men")
    page.get_by_role("button", name="Raise the concern").click()  # incomplete: the error summary
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert page.title().startswith("Error: ")
    axe_check(page)
    assert (
        page.get_by_label("What was seen or happened?").input_value().startswith("Seen getting into a taxi")
    )
    page.get_by_role("link", name="Enter when it happened").click()
    assert page.evaluate("document.activeElement.id") == "id_occurred_on_0"
    _fill_date(page, "occurred_on", yesterday)
    page.get_by_label("Time (optional)").fill("21:40")
    page.get_by_label("Where did it happen? (optional)").fill("Taxi rank, Market Street")
    page.get_by_label("Urgent").check()
    page.get_by_label("Entering or leaving vehicles driven by unknown adults").check()
    page.get_by_label("Person 1: name or Sightline ID").fill("Daz Smith")
    page.get_by_label("Person 1: how they were involved").select_option("suspect")
    page.get_by_role("button", name="Raise the concern").click()
    concern = Concern.objects.get()
    page.wait_for_url(f"**/concerns/{concern.id}")
    expect(page.get_by_text(f"Concern {concern.id} raised")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/sign-in")

    # --- the coordinator triages it, with the keyboard alone -------------------------------------
    login(page, coord)
    expect(page.locator("#new-concerns-table").get_by_text("Kayleigh Brookes")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Triage", exact=True).click()
    page.wait_for_url("**/triage")
    axe_check(page)
    page.get_by_role("link", name="Triage the concern about Kayleigh Brookes").click()
    page.wait_for_url(f"**/concerns/{concern.id}/triage")
    axe_check(page)
    _tab_to(page, "input[name=decision]")
    assert page.evaluate("document.activeElement.value") == "no_further_action"
    page.keyboard.press("ArrowDown")  # advice
    page.keyboard.press("ArrowDown")  # screening
    assert page.evaluate("document.activeElement.value") == "screening"
    assert page.locator("#id_decision_2").is_checked()
    _tab_to(page, "textarea[name=reason]")
    page.keyboard.type("Significant indicator seen: screen now")
    _tab_to(page, "button[type=submit]:not(.sightline-link-button)")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/people/{child.id}/screenings/new?concern={concern.id}")
    assert Concern.objects.get().decision == "screening"

    # --- screening -------------------------------------------------------------------------------
    axe_check(page)
    page.locator("#id_V02_current").check()
    page.locator("#id_M01_current").check()
    page.locator("#id_S03_current").check()
    page.get_by_role("button", name="Calculate the score").click()
    expect(page.locator("#computed-score")).to_have_text(re.compile(r"^\s*Score 7"))
    assert page.locator("#id_S03_current").is_checked()  # kept after the round trip
    axe_check(page)
    page.get_by_role("button", name="Save the screening").click()
    page.wait_for_url(f"**/people/{child.id}#screenings")
    screening = Screening.objects.get()
    assert (screening.score, screening.concern_id) == (7, concern.id)
    expect(page.locator("svg[role=img]")).to_have_count(1)  # the score chart
    page.get_by_text("Show the data as a table").click()
    expect(page.locator("#screening-scores-table")).to_be_visible()
    axe_check(page)

    # --- a missing episode, the return, the return home interview --------------------------------
    now = timezone.localtime(timezone.now())
    gone, back, offered = (now + dt.timedelta(minutes=m) for m in (1, 2, 3))
    page.get_by_role("button", name="Record a missing or absent episode").click()
    axe_check(page)
    page.get_by_label("Missing (whereabouts unknown)").check()
    _fill_date(page, "started_on", gone.date())
    page.get_by_label("Time they went missing or absent").fill(gone.strftime("%H:%M"))
    page.get_by_label("Notes (optional)").fill("Did not return to the children's home")
    page.get_by_role("button", name="Record the episode").click()
    episode = MissingEpisode.objects.get()
    page.wait_for_url(f"**/episodes/{episode.id}")
    axe_check(page)
    page.get_by_role("link", name="Record the return from this episode").click()
    axe_check(page)
    _fill_date(page, "ended_on", back.date())
    page.get_by_label("Time they returned or were found").fill(back.strftime("%H:%M"))
    page.get_by_label("Where were they found? (optional)").fill("A flat on Canal Street")
    page.get_by_role("button", name="Record the return").click()
    page.wait_for_url(f"**/episodes/{episode.id}")
    axe_check(page)
    page.get_by_role("button", name="Record a return home interview").click()
    axe_check(page)
    _fill_date(page, "offered_on", offered.date())
    page.get_by_label("Time it was offered").fill(offered.strftime("%H:%M"))
    page.get_by_label("Accepted").check()
    page.get_by_label("Outcome of the interview (optional)").fill("Said an older friend gave her a phone")
    page.get_by_role("button", name="Record the interview").click()
    page.wait_for_url(f"**/episodes/{episode.id}")
    assert ReturnInterview.objects.get().response == "accepted"
    expect(page.get_by_text("Offered within 72 hours")).to_be_visible()
    axe_check(page)

    # --- the re-screen task ----------------------------------------------------------------------
    page.get_by_role("link", name="Sightline", exact=True).click()
    page.wait_for_url(re.compile(r".*/$"))
    rescreens = page.locator("#rescreens-table")
    expect(rescreens.get_by_text("Kayleigh Brookes")).to_be_visible()
    assert (
        page.locator("#my-tasks-table")
        .get_by_text(re.compile("Screen again: missing episode on"))
        .is_visible()
    )
    axe_check(page)

    # --- the chronology ------------------------------------------------------------------------
    rescreens.get_by_role("link", name="Kayleigh Brookes").click()
    page.wait_for_url(f"**/people/{child.id}")
    expect(page.get_by_text("A new screening is due.")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name=re.compile("chronology, filter and print it")).click()
    page.wait_for_url(f"**/people/{child.id}/chronology")
    axe_check(page)
    rows = page.locator("#chronology-table tbody tr")
    texts = rows.all_inner_texts()
    assert any("Return interview accepted" in t for t in texts)
    assert any("Concern raised (urgent)" in t for t in texts)
    assert any("Screening: score 7" in t for t in texts)
    # Newest first: the interview comes before the concern it followed.
    first_interview = next(i for i, t in enumerate(texts) if "Return interview" in t)
    concern_row = next(i for i, t in enumerate(texts) if "Concern raised" in t)
    assert first_interview < concern_row
    assert "pc (police)" in texts[concern_row]  # who recorded it
    page.get_by_label("Kind of entry").select_option("concern")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"kind=concern"))
    assert all("Concern raised" in t for t in page.locator("#chronology-table tbody tr").all_inner_texts())
    axe_check(page)
    page.locator("#chronology-table").get_by_role("link", name=re.compile(r"Ledger entry #\d+")).first.click()
    expect(page.get_by_role("heading", name=re.compile(r"Ledger entry #\d+"))).to_be_visible()
    expect(page.get_by_text("pc (practitioner, police)")).to_be_visible()
    axe_check(page)


def test_plans_placements_and_investigations_pages(
    page: Any,
    make_user: Callable[..., Any],
    login: Callable[..., None],
    axe_check: Callable[[Any], None],
) -> None:
    """A police manager (who may manage cases and investigate) uses the other case pages."""
    manager = make_user("manager", "police", username="mgr")
    child = _child_known_to_police()
    suspect = _child_known_to_police("Darren", "Smith", kind="adult", record_id="POL-99")
    today = timezone.localdate()
    page.set_default_timeout(SLOW_MACHINE_MS)
    login(page, manager)

    page.goto(f"/people/{child.id}")
    page.get_by_role("link", name="Open a plan").click()
    axe_check(page)
    page.get_by_label("Plan title").fill("Safety plan")
    _fill_date(page, "review_due_on", today + dt.timedelta(days=28))
    page.get_by_role("button", name="Open the plan").click()
    axe_check(page)
    page.get_by_role("button", name="Add an action").click()
    page.get_by_role("button", name="Add the action").click()  # empty: errors, then fix them
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    axe_check(page)
    page.get_by_label("What needs to be done?").fill("Weekly visit by the youth worker")
    page.get_by_label("Which agency owns it?").select_option("youth_service")
    _fill_date(page, "due_on", today - dt.timedelta(days=2))
    page.get_by_role("button", name="Add the action").click()
    expect(page.get_by_text("(1 overdue)")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Review the plan").click()
    axe_check(page)

    page.goto(f"/people/{child.id}/placements/new")
    axe_check(page)
    page.get_by_label("Type of placement").select_option("childrens_home")
    _fill_date(page, "started_on", today - dt.timedelta(days=30))
    page.get_by_label("No, out of area").check()
    page.get_by_label("Placing authority").fill("Another Borough Council")
    page.get_by_role("button", name="Record the placement").click()
    page.wait_for_url(f"**/people/{child.id}#placements")
    expect(page.get_by_text("Placed by another council")).to_be_visible()
    axe_check(page)

    page.get_by_role("link", name="Investigations", exact=True).click()
    axe_check(page)
    page.get_by_role("button", name="Open an investigation").click()
    axe_check(page)
    page.get_by_label("Operation name").fill("Operation Lantern")
    _fill_date(page, "opened_on", today - dt.timedelta(days=10))
    page.get_by_role("button", name="Open the investigation").click()
    axe_check(page)
    for person, role in ((child, "Victim"), (suspect, "Suspect")):
        page.get_by_role("button", name="Link a victim or suspect").click()
        page.get_by_label("Sightline ID of the person").fill(person.id)
        page.get_by_label(role, exact=True).check()
        page.get_by_role("button", name="Link the person").click()
    axe_check(page)
    page.get_by_role("button", name="Record a suspect's status").click()
    axe_check(page)
    page.get_by_label("Suspect", exact=True).select_option(suspect.id)
    page.get_by_label("On bail", exact=True).check()
    _fill_date(page, "effective_on", today - dt.timedelta(days=1))
    page.get_by_label("Bail conditions (if on bail)").fill("No contact with the victim")
    _fill_date(page, "bail_end_on", today + dt.timedelta(days=28))
    page.get_by_role("button", name="Record the status").click()
    expect(page.get_by_text("No contact with the victim")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Record someone coming forward").click()
    page.get_by_role("button", name="Record it").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    axe_check(page)
    _fill_date(page, "received_on", today)
    page.get_by_label("How did they come forward?").select_option("phone")
    page.get_by_role("button", name="Record it").click()
    expect(page.get_by_text("Recorded: someone came forward.")).to_be_visible()
    page.get_by_role("link", name="Investigations", exact=True).click()
    expect(page.locator("#self-referrals svg[role=img]")).to_have_count(1)  # the weekly chart
    axe_check(page)


def test_remaining_case_pages_pass_axe(
    page: Any,
    make_user: Callable[..., Any],
    login: Callable[..., None],
    axe_check: Callable[[Any], None],
) -> None:
    """The pages the journeys above do not pass through, each in its error state where it has one."""
    from sightline.access.services import actor_for
    from sightline.cases import services

    coord = make_user("cse_coordinator", "mash", username="coord")
    child = _child_known_to_police()
    other = _child_known_to_police("Kayley", "Brooks", record_id="POL-78")
    me = actor_for(coord)
    plan = services.do_create_plan(
        actor=me, person_id=child.id, title="Safety plan", review_due_on=timezone.localdate()
    )
    action = services.do_add_plan_action(
        plan_id=plan.id, actor=me, description="Visit", owner_agency="mash", due_on=timezone.localdate()
    )
    episode = services.do_record_missing_episode(
        actor=me,
        person_id=child.id,
        category="A",
        started_at=timezone.now() - dt.timedelta(days=3),
        ended_at=timezone.now() - dt.timedelta(days=2),
    )
    interview = services.do_offer_return_interview(
        episode_id=episode.id, actor=me, offered_at=timezone.now() - dt.timedelta(days=1)
    )
    page.set_default_timeout(SLOW_MACHINE_MS)
    login(page, coord)
    for url, submit, choose in [
        ("/concerns/new", "Raise the concern", ""),
        (f"/people/{child.id}/edit", "Save the details", ""),
        (f"/people/{other.id}/merge", "Merge the records", ""),
        (f"/actions/{action.id}", "Save the action", "Cancelled"),  # cancelling needs a reason
        (f"/plans/{plan.id}/review", "Record the review", ""),
        (f"/interviews/{interview.id}", "Save the interview", "Declined"),
    ]:
        page.goto(url)
        axe_check(page)
        if choose:
            page.get_by_label(choose, exact=True).check()
        if "interviews" in url:
            _fill_date(page, "held_on", timezone.localdate())  # held, but declined: refused
        page.get_by_role("button", name=submit).click()
        expect(page.locator(".govuk-error-summary"), url).to_be_visible()
        axe_check(page)
    placement = services.do_start_placement(
        actor=me,
        person_id=child.id,
        placement_type="foster",
        started_on=timezone.localdate() - dt.timedelta(days=9),
        in_area=True,
        placing_authority="Sightline Borough Council",
    )
    concern = services.do_raise_concern(
        actor=me,
        person_id=child.id,
        what_was_seen="Seen at the taxi rank",
        occurred_at=timezone.now() - dt.timedelta(hours=3),
        urgency="standard",
    )
    for url, submit in [
        (f"/concerns/{concern.id}/withdraw", "Withdraw the concern"),
        (f"/plans/{plan.id}/close", "Close the plan"),
        (f"/placements/{placement.id}/end", "End the placement"),
    ]:
        page.goto(url)
        axe_check(page)
        page.get_by_role("button", name=submit).click()
        expect(page.locator(".govuk-error-summary"), url).to_be_visible()
        axe_check(page)
    page.goto("/people/search?name=Kayleigh+Brookes")
    expect(page.locator("#results-table tbody tr")).to_have_count(2)  # the misspelt duplicate too
    axe_check(page)
    page.goto(f"/people/{other.id}/merge")
    page.get_by_label("Sightline ID of the record to keep").fill(child.id)
    page.get_by_label("Why are these the same person?").fill("Same child: same school and address")
    page.get_by_role("button", name="Merge the records").click()
    page.wait_for_url(f"**/people/{child.id}")
    page.get_by_role("link", name=f"Undo the merge of {other.id}").click()
    axe_check(page)
