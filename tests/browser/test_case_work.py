"""A case worked in a real browser, one step per test: a police officer raises a concern, the CSE
coordinator triages it (with the keyboard alone) and screens the child, a missing episode with its
return and return home interview is recorded, the re-screen task appears, and the chronology is read.
Every page on the way passes axe-core (WCAG 2.2 AA)."""

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
from sightline.cases.models import Concern, MissingEpisode, ReturnInterview, Screening, TriageDecision
from sightline.people.models import Person
from tests import factories

from .conftest import fill_date

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Check = Callable[[Page], None]
SignIn = Callable[[Page, User], None]
SCORE_7 = {"V02": {"current": True}, "M01": {"current": True}, "S03": {"current": True}}


@pytest.fixture
def child() -> Person:
    """Kayleigh Brookes, known to the police."""
    return factories.known_child("police")


def _concern(child: Person, officer: User, raised: dt.datetime | None = None) -> Concern:
    return factories.concern(
        child,
        raised,
        "urgent",
        actor=actor_for(officer),
        what_was_seen="Seen getting into a taxi with two older men",
    )


def test_a_police_officer_raises_a_concern(
    page: Page, child: Person, police_officer: User, sign_in: SignIn, axe_check: Check
) -> None:
    sign_in(page, police_officer)
    axe_check(page)  # the dashboard with its case panels
    page.get_by_role("link", name="Raise a concern", exact=True).first.click()
    expect(page).to_have_url(re.compile(r"/concerns/start$"))
    axe_check(page)
    page.get_by_label("Name or nickname").fill("Kaylee Brooks")  # misspelt on purpose
    page.get_by_role("button", name="Find the child").click()
    found = page.get_by_role("link", name="Raise a concern about Kayleigh Brookes")
    expect(found).to_be_visible()
    axe_check(page)
    found.click()
    expect(page).to_have_url(re.compile(rf"/people/{child.id}/concerns/new$"))
    axe_check(page)

    seen = page.get_by_label("What was seen or happened?")
    seen.fill("Seen getting into a taxi with two older men")
    page.get_by_role("button", name="Raise the concern").click()  # incomplete: the error summary
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(seen).to_have_value(re.compile(r"^Seen getting into a taxi"))  # what was typed is kept
    axe_check(page)
    page.get_by_role("link", name="Enter when it happened").click()
    expect(page.locator("#id_occurred_on_0")).to_be_focused()
    fill_date(page, "occurred_on", timezone.localdate() - dt.timedelta(days=1))
    page.get_by_label("Time (optional)").fill("21:40")
    page.get_by_label("Where did it happen? (optional)").fill("Taxi rank, Market Street")
    page.get_by_label("Urgent").check()
    page.get_by_label("Entering or leaving vehicles driven by unknown adults").check()
    page.get_by_label("Person 1: name or Sightline ID").fill("Daz Smith")
    page.get_by_label("Person 1: how they were involved").select_option("suspect")
    page.get_by_role("button", name="Raise the concern").click()
    expect(page).to_have_url(re.compile(r"/concerns/[^/]+$"))
    concern = Concern.objects.get()
    expect(page).to_have_url(re.compile(rf"/concerns/{concern.id}$"))
    expect(page.get_by_text(f"Concern {concern.id} raised")).to_be_visible()
    axe_check(page)


def test_the_coordinator_triages_a_concern_with_the_keyboard(
    page: Page, child: Person, police_officer: User, coordinator: User, sign_in: SignIn, axe_check: Check
) -> None:
    concern = _concern(child, police_officer)
    sign_in(page, coordinator)
    expect(page.locator("#new-concerns-table").get_by_text("Kayleigh Brookes")).to_be_visible()
    page.get_by_role("link", name="Triage", exact=True).click()
    expect(page).to_have_url(re.compile(r"/triage$"))
    axe_check(page)
    page.get_by_role("link", name="Triage the concern about Kayleigh Brookes").click()
    expect(page).to_have_url(re.compile(rf"/concerns/{concern.id}/triage$"))
    axe_check(page)

    # The decision, the reason and the button, with arrow keys, typing and Tab only.
    first = page.get_by_role("radio", name="No further action")
    first.focus()
    expect(first).to_be_focused()
    page.keyboard.press("ArrowDown")  # advice
    page.keyboard.press("ArrowDown")  # screening
    screening = page.get_by_role("radio", name="Screening", exact=True)
    expect(screening).to_be_focused()
    expect(screening).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Reason", exact=True)).to_be_focused()
    page.keyboard.type("Significant indicator seen: screen now")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Record the decision")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/people/{child.id}/screenings/new\?concern={concern.id}$"))
    assert TriageDecision.objects.get(concern=concern).decision == "screening"


def test_the_coordinator_screens_the_child(
    page: Page, child: Person, police_officer: User, coordinator: User, sign_in: SignIn, axe_check: Check
) -> None:
    concern = _concern(child, police_officer)
    factories.triage(concern, timezone.now(), actor=actor_for(coordinator))
    sign_in(page, coordinator)
    page.goto(f"/people/{child.id}/screenings/new?concern={concern.id}")
    axe_check(page)
    for code in SCORE_7:
        page.locator(f"#id_{code}_current").check()
    page.get_by_role("button", name="Calculate the score").click()
    expect(page.locator("#computed-score")).to_have_text(re.compile(r"^\s*Score 7"))
    expect(page.locator("#id_S03_current")).to_be_checked()  # kept after the round trip
    axe_check(page)
    page.get_by_role("button", name="Save the screening").click()
    expect(page).to_have_url(re.compile(rf"/people/{child.id}#screenings$"))
    screening = Screening.objects.get()
    assert (screening.score, screening.concern_id) == (7, concern.id)
    expect(page.locator("svg[role=img]")).to_have_count(1)  # the score chart
    page.get_by_text("Show the data as a table").click()
    expect(page.locator("#screening-scores-table")).to_be_visible()
    axe_check(page)


def test_a_missing_episode_its_return_and_the_return_home_interview(
    page: Page, child: Person, coordinator: User, sign_in: SignIn, axe_check: Check
) -> None:
    now = timezone.localtime(timezone.now())
    gone, back, offered = (now - dt.timedelta(minutes=m) for m in (30, 20, 10))
    sign_in(page, coordinator)
    page.goto(f"/people/{child.id}")
    page.get_by_role("button", name="Record a missing or absent episode").click()
    missing = page.get_by_label("Missing (whereabouts unknown)")
    expect(missing).to_be_visible()
    axe_check(page)
    missing.check()
    fill_date(page, "started_on", gone.date())
    page.get_by_label("Time they went missing or absent").fill(gone.strftime("%H:%M"))
    page.get_by_label("Notes (optional)").fill("Did not return to the children's home")
    page.get_by_role("button", name="Record the episode").click()
    expect(page).to_have_url(re.compile(r"/episodes/[^/]+$"))
    episode = MissingEpisode.objects.get()
    axe_check(page)

    page.get_by_role("link", name="Record the return from this episode").click()
    expect(page.get_by_label("Time they returned or were found")).to_be_visible()
    axe_check(page)
    fill_date(page, "ended_on", back.date())
    page.get_by_label("Time they returned or were found").fill(back.strftime("%H:%M"))
    page.get_by_label("Where were they found? (optional)").fill("A flat on Canal Street")
    page.get_by_role("button", name="Record the return").click()
    expect(page).to_have_url(re.compile(rf"/episodes/{episode.id}$"))
    expect(page.get_by_role("button", name="Record a return home interview")).to_be_visible()
    axe_check(page)

    page.get_by_role("button", name="Record a return home interview").click()
    expect(page.get_by_label("Time it was offered")).to_be_visible()
    axe_check(page)
    fill_date(page, "offered_on", offered.date())
    page.get_by_label("Time it was offered").fill(offered.strftime("%H:%M"))
    page.get_by_label("Accepted").check()
    fill_date(page, "held_on", offered.date())
    page.get_by_label("Time the interview took place").fill(offered.strftime("%H:%M"))
    page.get_by_label("Outcome of the interview (optional)").fill("Said an older friend gave her a phone")
    page.get_by_label("The child disclosed harm, abuse or exploitation in the interview").check()
    page.get_by_role("button", name="Record the interview").click()
    expect(page).to_have_url(re.compile(rf"/episodes/{episode.id}$"))
    expect(page.get_by_text("Offered within 72 hours")).to_be_visible()
    expect(page.locator("#interviews ~ table")).to_contain_text("Disclosure")
    interview = ReturnInterview.objects.get()
    assert (interview.response, interview.disclosure) == ("accepted", True)
    axe_check(page)


def test_a_missing_episode_after_a_screening_asks_for_a_new_one(
    page: Page, child: Person, coordinator: User, sign_in: SignIn, axe_check: Check
) -> None:
    actor = actor_for(coordinator)
    now = timezone.now()
    factories.screening(child, now - dt.timedelta(days=2), SCORE_7, actor=actor)
    services.do_record_missing_episode(
        actor=actor,
        person_id=child.id,
        category="M",
        started_at=now - dt.timedelta(days=1),
        ended_at=now - dt.timedelta(hours=20),
    )
    sign_in(page, coordinator)
    rescreens = page.locator("#rescreens-table")
    expect(rescreens.get_by_text("Kayleigh Brookes")).to_be_visible()
    expect(
        page.locator("#my-tasks-table").get_by_text(re.compile("Screen again: missing episode on"))
    ).to_be_visible()
    axe_check(page)
    rescreens.get_by_role("link", name="Kayleigh Brookes").click()
    expect(page).to_have_url(re.compile(rf"/people/{child.id}$"))
    expect(page.get_by_text("A new screening is due.")).to_be_visible()
    axe_check(page)


def test_the_chronology_newest_first_filtered_and_down_to_the_ledger_entry(
    page: Page, child: Person, police_officer: User, coordinator: User, sign_in: SignIn, axe_check: Check
) -> None:
    coord = actor_for(coordinator)
    now = timezone.now()
    concern = _concern(child, police_officer, now - dt.timedelta(days=3))
    factories.triage(concern, now - dt.timedelta(days=3) + dt.timedelta(hours=1), actor=coord)
    factories.screening(child, now - dt.timedelta(days=2), SCORE_7, actor=coord)
    episode = services.do_record_missing_episode(
        actor=coord,
        person_id=child.id,
        category="M",
        started_at=now - dt.timedelta(days=1),
        ended_at=now - dt.timedelta(hours=20),
    )
    interview = services.do_offer_return_interview(
        coord, episode_id=episode.id, offered_at=now - dt.timedelta(hours=10)
    )
    services.do_record_return_interview_response(coord, interview_id=interview.id, response="accepted")
    sign_in(page, coordinator)
    page.goto(f"/people/{child.id}")
    page.get_by_role("link", name=re.compile("chronology, filter and print it")).click()
    expect(page).to_have_url(re.compile(rf"/people/{child.id}/chronology$"))
    rows = page.locator("#chronology-table tbody tr")
    expect(rows.filter(has_text="Return interview accepted")).not_to_have_count(0)
    axe_check(page)
    texts = rows.all_inner_texts()
    assert any("Screening: score 7" in t for t in texts)
    interview_row = next(i for i, t in enumerate(texts) if "Return interview" in t)
    concern_row = next(i for i, t in enumerate(texts) if "Concern raised (urgent)" in t)
    assert interview_row < concern_row  # newest first
    assert "pc (Police)" in texts[concern_row]  # who recorded it, and their agency's name

    page.get_by_label("Kind of entry").select_option("concern")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"kind=concern"))
    expect(rows.first).to_contain_text("Concern raised")
    expect(rows.filter(has_not_text="Concern raised")).to_have_count(0)
    axe_check(page)
    page.locator("#chronology-table").get_by_role("link", name=re.compile(r"Ledger entry #\d+")).first.click()
    expect(page.get_by_role("heading", name=re.compile(r"Ledger entry #\d+"))).to_be_visible()
    expect(page.get_by_text("pc (practitioner, police)")).to_be_visible()
    axe_check(page)
