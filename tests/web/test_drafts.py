"""Drafts of long forms and the timeout warning's endpoints, through Django's test client: a draft is
its owner's alone, is deleted on submit, on discard and when old, never enters the ledger or the log,
and "Stay signed in" restarts the idle clock the server enforces."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from sightline import cli
from sightline.access.models import User
from sightline.cases.models import Concern
from sightline.ledger.models import Entry
from sightline.ledger.services import integrate
from sightline.people.models import Person
from sightline.web import drafts
from sightline.web.models import Draft
from tests.factories import known_child

pytestmark = pytest.mark.django_db

SECRET = "She said the man at the takeaway gave her a phone"
YESTERDAY = timezone.localdate() - dt.timedelta(days=1)


@pytest.fixture
def child() -> Person:
    return known_child("police")


@pytest.fixture
def pc(make_user: Callable[..., User]) -> User:
    return make_user("practitioner", "police", username="pc")


@pytest.fixture
def pc2(make_user: Callable[..., User]) -> User:
    return make_user("practitioner", "police", username="pc2")


def client_of(login: Callable[..., Any], user: User) -> Client:
    return login(Client(), user)


def save(client: Client, path: str, fields: list[list[str]] | Any) -> Any:
    body = json.dumps({"path": path, "fields": fields})
    return client.post("/drafts", body, content_type="application/json")


def concern_fields(text: str = SECRET) -> list[list[str]]:
    return [["what_was_seen", text], ["urgency", "urgent"], ["significant", "S03"], ["significant", "S04"]]


def restored(response: Any) -> list[list[str]] | None:
    """The draft a page hands its script to restore, if any."""
    page = response.content.decode()
    marker = '<script id="sightline-draft-data" type="application/json">'
    if marker not in page:
        return None
    return list(json.loads(page.split(marker, 1)[1].split("</script>", 1)[0]))


def test_a_draft_comes_back_to_its_owner_and_to_nobody_else(
    child: Person, pc: User, pc2: User, login: Callable[..., Any]
) -> None:
    url = f"/people/{child.id}/concerns/new"
    owner = client_of(login, pc)
    assert restored(owner.get(url)) is None
    answer = save(owner, url, [["csrfmiddlewaretoken", "not kept"], *concern_fields()])
    assert answer.status_code == 200
    assert answer.json()["saved_at_text"].endswith("today") and answer.json()["seconds_left"] > 0
    assert Draft.objects.get(user=pc).form_data == concern_fields()

    page = owner.get(url)
    assert restored(page) == concern_fields()
    assert "We restored your unsaved draft from" in page.content.decode()

    # Another practitioner of the same agency opens the same form: an empty form, nothing of pc's.
    other = client_of(login, pc2)
    page = other.get(url)
    assert page.status_code == 200 and restored(page) is None and SECRET not in page.content.decode()
    assert save(other, url, concern_fields("Something else")).status_code == 200
    assert restored(owner.get(url)) == concern_fields()  # each keeps their own
    assert Draft.objects.count() == 2

    # A form shown again with its errors keeps what was posted; it does not restore the draft over it.
    shown_again = owner.post(url, {"what_was_seen": "Typed, then posted"})
    assert shown_again.status_code == 200 and restored(shown_again) is None


def test_submitting_the_form_deletes_the_draft_and_a_refused_form_keeps_it(
    child: Person, pc: User, pc2: User, login: Callable[..., Any]
) -> None:
    url = f"/people/{child.id}/concerns/new"
    owner, other = client_of(login, pc), client_of(login, pc2)
    save(owner, url, concern_fields())
    save(other, url, concern_fields("The other's draft"))

    refused = owner.post(url, {"what_was_seen": SECRET})  # no date, no urgency
    assert refused.status_code == 200 and not Concern.objects.exists()
    assert Draft.objects.filter(user=pc).exists()

    done = owner.post(
        url,
        {
            "what_was_seen": SECRET,
            "occurred_on_0": str(YESTERDAY.day),
            "occurred_on_1": str(YESTERDAY.month),
            "occurred_on_2": str(YESTERDAY.year),
            "urgency": "urgent",
        },
    )
    assert done.status_code == 302 and Concern.objects.get().what_was_seen == SECRET
    assert not Draft.objects.filter(user=pc).exists()
    assert Draft.objects.filter(user=pc2).exists()  # only the submitter's draft goes


def test_discarding_deletes_only_your_own_draft_and_shows_the_empty_form(
    child: Person, pc: User, pc2: User, login: Callable[..., Any]
) -> None:
    url = f"/people/{child.id}/concerns/new"
    owner, other = client_of(login, pc), client_of(login, pc2)
    save(owner, url, concern_fields())
    save(other, url, concern_fields())

    response = owner.post("/drafts/discard", {"path": url})
    assert response.status_code == 302 and response["Location"] == url
    assert not Draft.objects.filter(user=pc).exists() and Draft.objects.filter(user=pc2).exists()
    page = owner.get(url)
    assert restored(page) is None and "Your draft was discarded." in page.content.decode()
    # A discard naming a page that keeps no drafts goes home, not to that address.
    assert owner.post("/drafts/discard", {"path": "https://example.org/"})["Location"] == "/"


def test_old_drafts_are_never_restored_and_go_at_sign_in_or_by_the_command(
    child: Person, pc: User, pc2: User, login: Callable[..., Any], capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"/people/{child.id}/concerns/new"
    fresh = drafts.do_save_draft(pc, path=f"/people/{child.id}/screenings/new", form_data=[["notes", "n"]])
    drafts.do_save_draft(pc, path=url, form_data=concern_fields())
    drafts.do_save_draft(pc2, path=url, form_data=concern_fields())
    eight_days_ago = timezone.now() - dt.timedelta(days=8)
    Draft.objects.filter(path=url).update(saved_at=eight_days_ago)

    assert drafts.draft_for(pc, path=url) is None
    assert Draft.objects.count() == 3  # still stored, but never offered

    client_of(login, pc)  # any sign-in purges everyone's old drafts
    assert list(Draft.objects.all()) == [fresh]

    drafts.do_save_draft(pc2, path=url, form_data=concern_fields())
    Draft.objects.filter(user=pc2).update(saved_at=eight_days_ago)
    assert cli.main(["drafts", "purge"]) == 0
    assert capsys.readouterr().out == "deleted 1 draft older than 7 days\n"
    assert list(Draft.objects.all()) == [fresh]


def test_drafts_are_refused_where_no_draft_belongs(
    child: Person, pc: User, login: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = client_of(login, pc)
    url = f"/people/{child.id}/concerns/new"
    assert save(owner, f"/people/{child.id}", concern_fields()).status_code == 400  # keeps no drafts
    assert save(owner, f"https://example.org{url}", concern_fields()).status_code == 400
    assert save(owner, url, [["what_was_seen"]]).status_code == 400
    assert save(owner, url, "text").status_code == 400
    assert owner.post("/drafts", "{", content_type="application/json").status_code == 400
    assert save(owner, url, [["what_was_seen", "x" * drafts.MAX_BYTES]]).status_code == 413
    assert owner.get("/drafts").status_code == 405
    assert Client().post("/drafts", "{}", content_type="application/json").status_code == 401

    monkeypatch.setattr(drafts, "MAX_PER_USER", 1)
    assert save(owner, url, concern_fields()).status_code == 200
    assert save(owner, url, concern_fields("Changed")).status_code == 200  # replacing is fine
    assert save(owner, f"/people/{child.id}/screenings/new", [["notes", "n"]]).status_code == 400
    assert Draft.objects.count() == 1

    strict = login(Client(enforce_csrf_checks=True), pc)
    assert save(strict, url, concern_fields()).status_code == 403


def test_drafts_stay_out_of_the_ledger_and_the_log(
    child: Person, pc: User, login: Callable[..., Any], caplog: pytest.LogCaptureFixture
) -> None:
    owner = client_of(login, pc)
    url = f"/people/{child.id}/concerns/new"
    integrate()
    before = Entry.objects.count()
    with caplog.at_level(logging.DEBUG):
        save(owner, url, concern_fields())
        save(owner, url, concern_fields(SECRET + " again"))
        save(owner, f"/people/{child.id}", concern_fields())  # refused: logged as a bad request
        owner.post("/drafts/discard", {"path": url})
    integrate()
    assert Entry.objects.count() == before
    assert not any(SECRET.encode() in bytes(entry.canonical) for entry in Entry.objects.all())
    assert SECRET not in caplog.text


def test_drafts_waiting_are_listed_once_after_sign_in(
    child: Person, pc: User, login: Callable[..., Any]
) -> None:
    concern_url = f"/people/{child.id}/concerns/new"
    screening_url = f"/people/{child.id}/screenings/new"
    drafts.do_save_draft(pc, path=concern_url, form_data=concern_fields())
    owner = client_of(login, pc)
    home = owner.get("/").content.decode()
    assert "You have an unsaved draft." in home
    assert f'href="{concern_url}">Continue your draft of a concern</a>' in home
    assert "You have an unsaved draft" not in owner.get("/").content.decode()  # said once

    # Signed in again straight onto the concern's page: that draft is restored there, not listed.
    drafts.do_save_draft(pc, path=screening_url, form_data=[["notes", "n"]])
    again = client_of(login, pc)
    page = again.get(concern_url).content.decode()
    assert "Continue your draft of a screening" in page and "Continue your draft of a concern" not in page


def test_the_timeout_warning_is_on_signed_in_pages_with_the_configured_times(
    pc: User, login: Callable[..., Any], settings: Any
) -> None:
    settings.SESSION_IDLE_SECONDS = 600
    settings.SESSION_IDLE_WARNING_SECONDS = 90
    page = client_of(login, pc).get("/").content.decode()
    assert 'id="sightline-timeout"' in page
    # Seconds left count down from the last request: a slow machine may already be a second or two in.
    left = re.search(r'data-seconds-left="(\d+)"', page)
    assert left and 590 <= int(left.group(1)) <= 600 and 'data-warn-seconds="90"' in page
    assert "sightline-drafts" not in page  # home keeps no drafts
    assert 'id="sightline-timeout"' not in Client().get("/sign-in").content.decode()


def test_stay_signed_in_restarts_the_idle_clock(pc: User, login: Callable[..., Any], settings: Any) -> None:
    settings.SESSION_IDLE_SECONDS = 60
    owner = client_of(login, pc)
    session = owner.session
    session["last_seen"] = int(time.time()) - 50
    session.save()
    answer = owner.post("/session/keep-alive")
    assert answer.status_code == 200 and answer.json()["seconds_left"] >= 59
    assert owner.session["last_seen"] >= int(time.time()) - 1
    assert owner.get("/session/keep-alive").status_code == 405

    session = owner.session
    session["last_seen"] = int(time.time()) - 61  # too late: the server has already ended it
    session.save()
    assert owner.post("/session/keep-alive").status_code == 401
    integrate()
    assert Entry.objects.get(action="logout").reason == "idle timeout"


def test_a_warning_that_runs_out_signs_out_as_the_idle_timeout(
    pc: User, login: Callable[..., Any], settings: Any
) -> None:
    settings.SESSION_IDLE_SECONDS = 600
    owner = client_of(login, pc)
    assert owner.post("/session/timed-out").status_code == 204
    assert owner.get("/")["Location"].startswith("/sign-in")
    assert "You were signed out because you had not used Sightline for 10 minutes" in (
        owner.get("/sign-in").content.decode()
    )
    integrate()
    assert Entry.objects.get(action="logout").reason == "idle timeout"
    assert owner.post("/session/timed-out").status_code == 204  # a second tab: nothing more to do
    assert Entry.objects.filter(action="logout").count() == 1
