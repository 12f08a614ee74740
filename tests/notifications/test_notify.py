"""Notifications: made when an import or an entry brings a new event about a child with an owner, only
for owners who may open the child then, shown again only while they still may, and emailed without
naming the child (straight away, or in the daily digest the user chose)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from sightline.access.models import User
from sightline.access.services import actor_for, do_change_agency, do_create_user, do_enrol_totp
from sightline.cases import services as cases
from sightline.cli import main
from sightline.extracts.services import do_import_extract
from sightline.intelligence.models import Alert
from sightline.ledger.models import Entry
from sightline.ledger.services import SYSTEM, do_create, do_update, integrate
from sightline.notifications import selectors as notification_selectors
from sightline.notifications.mail import body as mail_body
from sightline.notifications.models import Notification
from sightline.notifications.services import do_set_email_preference, notify, notify_import
from sightline.people.models import Person, SourceEvent
from sightline.people.news import Entered
from sightline.people.services import do_break_glass
from tests import factories
from tests.extracts.helpers import write_extract

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def every_event_is_news(settings: Any) -> None:
    """These tests' extracts are dated 2014: count every event as recent, unless a test says."""
    settings.SIGHTLINE_NOTIFY_WITHIN_DAYS = 100_000


Capture = Callable[..., Any]


def _account(username: str, role: str, agency: str, email: str = "") -> User:
    factories.agencies()
    made = do_create_user(
        SYSTEM, username=username, role=role, agency=agency, email=email or f"{username}@example.org"
    )
    do_enrol_totp(SYSTEM, username=username, confirmed=True)
    return made


@pytest.fixture
def owner() -> User:
    """A social worker who owns Jess's plan."""
    return _account("sw-owner", "practitioner", "social_care")


@pytest.fixture
def jess(owner: User) -> Person:
    """Jess Walker: police record POL-1, and an open plan opened by ``owner``."""
    child = factories.child("Jess")
    factories.record(child, "police", "POL-1", given_name="Jess", family_name="Walker")
    cases.do_create_plan(
        actor_for(owner), person_id=child.id, title="Safety", review_due_on=dt.date(2030, 1, 1)
    )
    return child


def _event(event_id: str, record_id: str, kind: str) -> dict[str, str]:
    return {"event_id": event_id, "record_id": record_id, "kind": kind, "occurred_on": "2014-06-20"}


def _import(tmp_path: Path, events: list[dict[str, str]]) -> None:
    people = [
        {"record_id": "POL-1", "given_name": "Jess", "family_name": "Walker"},
        {"record_id": "POL-9", "given_name": "Nobody", "family_name": "Owned"},
    ]
    result = do_import_extract(write_extract(tmp_path, people=people, events=events))
    assert result.status == "imported", result.problems


def _notify_entries(person_id: str) -> list[dict[str, Any]]:
    integrate()
    entries = Entry.objects.filter(object_type="people.person", object_id=person_id, action="notify")
    return [json.loads(bytes(e.canonical))["data"] for e in entries.order_by("index")]


def test_an_import_notifies_the_owner_of_each_new_event_and_no_one_else(
    tmp_path: Path, jess: Person, owner: User, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _import(
            tmp_path,
            [
                _event("E1", "POL-1", "police_incident"),
                _event("E2", "POL-1", "referral"),  # not a kind that notifies
                _event("E3", "POL-9", "missing"),  # a record linked to nobody
            ],
        )
    made = list(Notification.objects.all())
    assert [(n.user_id, n.person_id, n.kind, n.basis) for n in made] == [
        (owner.pk, jess.id, "police_incident", "plan")
    ]
    assert made[0].emailed_at is not None
    assert _notify_entries(jess.id) == [
        {
            "event": "police_incident",
            "source": f"people.sourceevent:{made[0].source_id}",
            "recipients": ["sw-owner"],
            "brought_by": "system",
        }
    ]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["sw-owner@example.org"]
    assert "A new police incident was recorded for a child whose plan you own." in mail.outbox[0].body


@pytest.mark.usefixtures("jess")
def test_an_import_reads_the_new_events_in_one_query_whatever_their_number(
    tmp_path: Path, django_assert_max_num_queries: Capture
) -> None:
    """The listener's cost does not grow with the extract: one query finds every notifiable event."""
    events = [_event(f"E{i}", "POL-9", "police_incident") for i in range(300)]
    _import(tmp_path, events)
    extract_id = SourceEvent.objects.values_list("extract_id", flat=True).first()
    with django_assert_max_num_queries(1):
        notify_import(SYSTEM, str(extract_id))
    assert not Notification.objects.exists()


@pytest.mark.usefixtures("jess")
def test_the_same_event_imported_again_notifies_no_one_twice(tmp_path: Path) -> None:
    _import(tmp_path, [_event("E1", "POL-1", "sexual_health")])
    later = write_extract(
        tmp_path,
        "police-2014-08-01",
        people=[{"record_id": "POL-1", "given_name": "Jess", "family_name": "Walker", "sex": "F"}],
        events=[_event("E1", "POL-1", "sexual_health"), _event("E4", "POL-1", "missing")],
        manifest_extra={"extracted_on": "2014-08-01"},
    )
    assert do_import_extract(later).status == "imported"
    assert sorted(Notification.objects.values_list("kind", flat=True)) == ["missing", "sexual_health"]


def test_a_recorded_entry_notifies_the_owner_but_never_the_one_who_entered_it(
    jess: Person, owner: User, police_officer: User, django_capture_on_commit_callbacks: Capture
) -> None:
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        cases.do_record_missing_episode(
            actor_for(police_officer), person_id=jess.id, category="M", started_at=now - dt.timedelta(hours=3)
        )
        cases.do_record_missing_episode(
            actor_for(owner), person_id=jess.id, category="A", started_at=now - dt.timedelta(hours=2)
        )
    made = list(Notification.objects.all())
    assert [(n.user_id, n.kind, n.agency, n.source_type) for n in made] == [
        (owner.pk, "missing", "police", "cases.missingepisode")
    ]
    assert [d["brought_by"] for d in _notify_entries(jess.id)] == ["pc"]
    assert len(mail.outbox) == 1


def test_owners_are_told_once_under_the_strongest_reason(jess: Person, owner: User) -> None:
    """The plan owner who also screened the child is told once, as the plan's owner; the coordinators
    hear of a child whose alert nobody has taken on; whoever took on an alert hears as its holder."""
    coordinator = _account("hub-coord", "cse_coordinator", "mash")
    analyst = _account("taker", "analyst", "police")
    factories.screening(jess, timezone.now() - dt.timedelta(days=3), actor=actor_for(coordinator))
    do_create(
        Alert(
            id="A-1",
            kind="child_at_risk",
            subject_id=jess.id,
            score=5,
            reasons="x",
            first_raised_at=timezone.now(),
        ),
        actor=SYSTEM,
    )
    factories.concern(jess, actor=actor_for(owner))
    assert sorted(Notification.objects.values_list("user__username", "basis")) == [("hub-coord", "hub")]
    Notification.objects.all().delete()
    alert = Alert.objects.get(pk="A-1")
    alert.status, alert.status_by = Alert.Status.UNDER_REVIEW, analyst.username
    do_update(alert, actor=SYSTEM)
    factories.concern(jess, actor=SYSTEM)
    assert sorted(Notification.objects.values_list("user__username", "basis")) == [
        ("hub-coord", "screening"),
        ("sw-owner", "plan"),
        ("taker", "alert"),
    ]


def test_an_owner_who_may_not_open_the_child_is_not_told(jess: Person) -> None:
    """An alert taken on by someone whose agency does not know the child (and a break-glass grant
    does not make them its owner): nothing is made for them, and nothing ledgered names them."""
    outsider = _account("lic-worker", "practitioner", "licensing")
    do_create(
        Alert(
            id="A-2",
            kind="child_at_risk",
            subject_id=jess.id,
            score=5,
            reasons="x",
            first_raised_at=timezone.now(),
            status="under_review",
            status_by=outsider.username,
        ),
        actor=SYSTEM,
    )
    do_break_glass(outsider, person_id=jess.id, reason="Checking who she is for the strategy meeting")
    factories.concern(jess, actor=SYSTEM)
    assert not Notification.objects.filter(user=outsider).exists()
    assert all("lic-worker" not in d["recipients"] for d in _notify_entries(jess.id))


def test_the_inbox_checks_access_again_when_it_is_read(jess: Person, owner: User) -> None:
    factories.concern(jess, actor=SYSTEM)
    client = factories.signed_in(owner)
    page = client.get("/notifications").content.decode()
    assert "Jess Walker" in page and f"/people/{jess.id}" in page and "Concern raised" in page
    do_change_agency(SYSTEM, username=owner.username, agency="licensing", reason="moved to licensing")
    page = client.get("/notifications").content.decode()
    assert "Jess Walker" not in page and jess.id not in page and "Concern raised" not in page
    assert "Something new was recorded for a child whose record you cannot open now." in page


def test_showing_the_inbox_marks_notifications_seen_and_the_menu_counts_the_rest(
    jess: Person, owner: User
) -> None:
    factories.concern(jess, actor=SYSTEM)
    factories.concern(jess, actor=SYSTEM)
    client: Client = factories.signed_in(owner)
    home = client.get("/").content.decode()
    assert '>2<span class="govuk-visually-hidden"> new</span>' in home
    page = client.get("/notifications").content.decode()
    assert page.count('govuk-tag--blue">New</strong>') == 2
    assert not Notification.objects.filter(seen_at__isnull=True).exists()
    assert 'visually-hidden"> new<' not in client.get("/").content.decode()
    integrate()
    read = Entry.objects.filter(
        actor_user=owner.username, action="read_list", object_id="notifications"
    ).last()
    assert read is not None and json.loads(bytes(read.canonical))["data"] == {"people": [jess.id]}


def test_emails_name_no_child_and_call_health_visits_only_health_events(
    tmp_path: Path, jess: Person, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _import(
            tmp_path, [_event("E1", "POL-1", "sexual_health"), _event("E2", "POL-1", "health_attendance")]
        )
    (message,) = mail.outbox
    text = f"{message.subject}\n{message.body}"
    for secret in ("Jess", "Walker", jess.id, "POL-1", "E1", "sexual", "2014", "police"):
        assert secret not in text, secret
    assert "2 new events were recorded for children you work with:\n- 2 health events" in text
    assert "http://127.0.0.1:8000/notifications" in text


@pytest.mark.usefixtures("jess")
def test_a_user_who_chose_the_daily_digest_gets_one_email_from_the_daily_run(
    tmp_path: Path,
    owner: User,
    django_capture_on_commit_callbacks: Capture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    do_set_email_preference(owner, email="digest")
    with django_capture_on_commit_callbacks(execute=True):
        _import(tmp_path, [_event("E1", "POL-1", "missing"), _event("E2", "POL-1", "police_incident")])
    assert mail.outbox == []
    assert main(["notifications", "digest"]) == 0
    assert "digest: 1 email sent, covering 2 notifications" in capsys.readouterr().out
    (message,) = mail.outbox
    assert "- 1 missing episode\n- 1 police incident" in message.body
    assert main(["notifications", "digest"]) == 0
    assert "digest: 0 emails sent, covering 0 notifications" in capsys.readouterr().out
    assert len(mail.outbox) == 1


def test_a_user_who_chose_no_email_is_only_told_in_the_inbox(
    jess: Person, owner: User, django_capture_on_commit_callbacks: Capture
) -> None:
    client = factories.signed_in(owner)
    response = client.post("/notifications/settings", {"email": "none"})
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        factories.concern(jess, actor=SYSTEM)
    assert main(["notifications", "digest"]) == 0
    assert mail.outbox == []
    assert Notification.objects.get().emailed_at is None
    integrate()
    assert Entry.objects.filter(action="set_notification_email", object_id=owner.username).exists()


def test_an_outreach_contact_tells_the_childs_owner(
    jess: Person, owner: User, coordinator: User, django_capture_on_commit_callbacks: Capture
) -> None:
    from sightline.outreach import services as outreach  # noqa: PLC0415 - only this test needs it
    from tests.outreach.helpers import alert_about  # noqa: PLC0415

    youth_worker = _account("yw", "practitioner", "youth_service")
    assigned = outreach.do_assign_outreach(
        actor_for(coordinator), alert_id=alert_about(jess).id, agency="youth_service"
    )
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        outreach.do_record_outreach_attempt(
            actor_for(youth_worker), assignment_id=assigned.id, method="street", outcome="not_found"
        )
        outreach.do_record_outreach_attempt(
            actor_for(youth_worker),
            assignment_id=assigned.id,
            method="street",
            outcome="contact_made",
            consent="given",
        )
    made = [(n.user_id, n.kind, n.agency) for n in Notification.objects.filter(user=owner)]
    assert made == [(owner.pk, "outreach_contact", "youth_service")]  # not for a child not found


@pytest.mark.parametrize(
    ("kind", "first"),
    [
        ("outreach_contact", "A new outreach contact was recorded"),
        ("absent", "A new absence from placement was recorded"),
    ],
)
def test_an_emails_article_agrees_with_new(kind: str, first: str) -> None:
    text = mail_body([Notification(kind=kind, basis="alert")])
    assert text.startswith(f"{first} for a child whose alert you took on.")


def test_only_recent_events_are_news(settings: Any) -> None:
    settings.SIGHTLINE_NOTIFY_WITHIN_DAYS = 45
    today = timezone.localdate()
    old = Entered(
        "P-1", "police_incident", today - dt.timedelta(days=46), "police", "people.sourceevent", "E-1"
    )
    assert notify(SYSTEM, [old]) == []  # a backfill's old events go on the chronology only


def test_mark_all_as_seen_clears_the_pages_not_shown(
    jess: Person, owner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(notification_selectors, "PER_PAGE", 1)
    for _ in range(3):
        factories.concern(jess, actor=SYSTEM)
    other = factories.concern(jess, actor=SYSTEM)
    Notification.objects.exclude(source_id=other.id).update(created_at=timezone.now() - dt.timedelta(days=1))
    client: Client = factories.signed_in(owner)
    page = client.get("/notifications").content.decode()  # shows (and marks seen) the newest only
    assert "You have 3 notifications you have not seen yet" in page
    assert client.get("/notifications/seen").status_code == 405  # a change is a POST
    done = client.post("/notifications/seen", follow=True).content.decode()
    assert "3 notifications marked as seen." in done
    assert not Notification.objects.filter(seen_at__isnull=True).exists()
    assert "Mark all as seen" not in done
