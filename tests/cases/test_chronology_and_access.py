"""The chronology across agencies, and need to know on every read of a child's record."""

from __future__ import annotations

import datetime as dt
import importlib
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import connection

from sightline.access.models import Agency, User
from sightline.access.services import actor_for
from sightline.cases import selectors, services
from sightline.ledger.models import Entry, LedgeredModel
from sightline.ledger.services import background_sequencing, integrate, latest_versions
from sightline.people.services import do_break_glass
from tests.factories import at, child, event, record

pytestmark = pytest.mark.django_db

NOW = at(2024, 6, 1, 12)


@pytest.fixture
def story(police_officer: Any, social_worker: Any, coordinator: Any) -> dict[str, Any]:
    """A child known to police (imported records and a concern) and social care (an episode)."""
    kid = child()
    rec = record(kid, "police", "POL-1", given_name="Jess", family_name="Walker")
    ev_old = event(
        rec, "police_incident", dt.date(2023, 11, 2), "E1", place="Star Kebab", summary="Found in a car"
    )
    ev_new = event(rec, "missing", dt.date(2024, 4, 1), "E2")
    concern = services.do_raise_concern(
        actor=actor_for(police_officer),
        person_id=kid.id,
        what_was_seen="Older men picking her up from school",
        occurred_at=at(2024, 3, 1, 15),
        urgency="urgent",
        now=at(2024, 3, 1, 16),
    )
    services.do_triage_concern(
        concern_id=concern.id, actor=actor_for(coordinator), decision="screening", now=at(2024, 3, 2, 9)
    )
    ep = services.do_record_missing_episode(
        actor=actor_for(social_worker),
        person_id=kid.id,
        category="M",
        started_at=at(2024, 5, 1, 20),
        now=NOW,
    )
    services.do_end_missing_episode(
        episode_id=ep.id, actor=actor_for(social_worker), ended_at=at(2024, 5, 2, 8), now=NOW
    )
    return {"kid": kid, "concern": concern, "episode": ep, "events": (ev_old, ev_new)}


def test_chronology_is_one_timeline_newest_first_across_agencies(
    story: dict[str, Any], coordinator: Any
) -> None:
    entries = selectors.chronology(coordinator, story["kid"].id)
    assert [(e.kind, e.agency, e.source) for e in entries] == [
        ("missing", "social_care", "case"),  # returned 2 May
        ("missing", "social_care", "case"),  # went missing 1 May
        ("missing", "police", "extract"),  # 1 April
        ("triage", "mash", "case"),
        ("concern", "police", "case"),
        ("police_incident", "police", "extract"),
    ]
    assert entries[0].title == "Returned" and entries[1].title == "Went missing"
    assert [e.at for e in entries] == sorted((e.at for e in entries), reverse=True)
    assert entries[-1].title == "Police incident at Star Kebab" and entries[-1].detail == "Found in a car"


def test_each_entry_cites_the_ledger_entry_that_wrote_it(story: dict[str, Any], coordinator: Any) -> None:
    entries = selectors.chronology(coordinator, story["kid"].id)
    integrate()
    for e in entries:
        assert e.ledger_index is not None
        entry = Entry.objects.get(index=e.ledger_index)
        assert (entry.object_type, entry.object_id, entry.version) == (e.object_type, e.object_id, e.version)
        assert (entry.actor_user, entry.actor_agency) == (e.recorded_by, e.recorded_by_agency)
    by_title = {e.title: e for e in entries}
    assert by_title["Went missing"].version == 1 and by_title["Went missing"].recorded_by == "sw"
    returned = by_title["Returned"]
    assert returned.version == 2 and returned.ledger_index is not None
    assert json.loads(bytes(Entry.objects.get(index=returned.ledger_index).canonical))["action"] == "end"
    assert by_title["Concern raised (urgent)"].recorded_by == "pc"
    assert by_title["Triage: Screening"].recorded_by_agency == "mash"
    assert by_title["Police incident at Star Kebab"].recorded_by == "system"
    sw = User.objects.get(username="sw")
    sw.first_name, sw.last_name = "Jo", "Bloggs"
    sw.save()
    named = {e.title: e for e in selectors.chronology(coordinator, story["kid"].id)}["Went missing"]
    assert (named.recorded_by, named.recorded_by_name) == ("sw", "Jo Bloggs")  # pages show the name
    assert named.recorded_by_agency_name == Agency.objects.get(pk=named.recorded_by_agency).name


def test_a_chronology_sequences_the_ledger_only_when_a_line_would_lack_its_entry(
    story: dict[str, Any], coordinator: Any, police_officer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sequencing takes the ledger's lock: a page under load that took it on every view waited for
    the sequencer. Only a row whose current version is still queued needs it."""
    module = importlib.import_module("sightline.cases.selectors.chronology")
    calls: list[int] = []

    def counted() -> None:
        calls.append(1)
        integrate()

    monkeypatch.setattr(module, "integrate", counted)
    integrate()
    first = selectors.chronology(coordinator, story["kid"].id)
    assert calls == [] and all(e.ledger_index is not None for e in first)
    background_sequencing.set()  # as under `serve`: PostgreSQL writers only queue their entries
    try:
        services.do_raise_concern(
            actor=actor_for(police_officer),
            person_id=story["kid"].id,
            what_was_seen="Seen again in the same car",
            occurred_at=at(2024, 5, 1, 15),
            urgency="urgent",
            now=at(2024, 5, 1, 16),
        )
    finally:
        background_sequencing.clear()
    second = selectors.chronology(coordinator, story["kid"].id)  # the new concern may still be queued
    queued = connection.vendor == "postgresql"  # SQLite sequences in the writer's own transaction
    assert calls == ([1] if queued else []) and all(e.ledger_index is not None for e in second)
    assert len(second) == len(first) + 1


def test_chronology_filters_by_agency_and_kind(story: dict[str, Any], coordinator: Any) -> None:
    kid = story["kid"].id
    assert {e.agency for e in selectors.chronology(coordinator, kid, agency="police")} == {"police"}
    assert len(selectors.chronology(coordinator, kid, agency="police")) == 3
    assert [e.source for e in selectors.chronology(coordinator, kid, kind="missing")] == [
        "case",
        "case",
        "extract",
    ]
    assert selectors.chronology(coordinator, kid, agency="health") == []
    agencies, kinds = selectors.chronology_filters(kid)
    assert {a for a, _ in agencies} == {"police", "social_care", "mash"}
    assert ("police_incident", "Police incident") in kinds
    # The page's unfiltered chronology gives the same choices without reading it again.
    whole = selectors.chronology(coordinator, kid)
    assert selectors.chronology_filters(kid, unfiltered=whole) == (agencies, kinds)


def reads(person_id: str) -> list[tuple[str, str]]:
    integrate()
    return list(
        Entry.objects.filter(
            object_type="people.person", object_id=person_id, action__in=["read", "read_denied"]
        )
        .order_by("index")
        .values_list("action", "actor_user")
    )


def test_outside_practitioner_is_refused_without_break_glass_and_every_read_is_ledgered(
    story: dict[str, Any], make_user: Callable[..., Any]
) -> None:
    kid = story["kid"].id
    outsider = make_user("practitioner", "health", username="nurse")
    checked: list[Callable[[], Any]] = [
        lambda: selectors.child_record(outsider, kid),
        lambda: selectors.chronology(outsider, kid),
        lambda: selectors.screening_history(outsider, kid),
        lambda: selectors.person_episodes(outsider, kid),
        lambda: selectors.person_plans(outsider, kid),
        lambda: selectors.person_placements(outsider, kid),
        lambda: selectors.get_concern(outsider, story["concern"].id),
        lambda: selectors.get_episode(outsider, story["episode"].id),
    ]
    for call in checked:
        with pytest.raises(PermissionDenied):
            call()
    assert reads(kid) == [("read_denied", "nurse")] * len(checked)
    do_break_glass(outsider, person_id=kid, reason="Child attended A&E with injuries consistent with assault")
    for call in checked:
        call()
    assert reads(kid)[len(checked) :] == [("read", "nurse")] * len(checked)
    basis = {
        json.loads(bytes(e.canonical))["data"]["basis"]
        for e in Entry.objects.filter(action="read", actor_user="nurse")
    }
    assert basis == {"break_glass"}


def test_agencies_involved_through_case_work_can_read(
    story: dict[str, Any], police_officer: Any, social_worker: Any
) -> None:
    kid = story["kid"].id
    assert selectors.child_record(police_officer, kid).person.person.id == kid
    record_ = selectors.child_record(social_worker, kid)
    # One episode recorded here and one missing event police sent (the summary counts both).
    assert (record_.episodes.recorded, record_.episodes.total) == (1, 2) and len(record_.chronology) == 6
    assert reads(kid)[-2:] == [("read", "pc"), ("read", "sw")]


@pytest.mark.usefixtures("story")
def test_dashboard_lists_hide_children_outside_access(make_user: Callable[..., Any]) -> None:
    outsider = make_user("dsl", "education", username="dsl")
    board = selectors.dashboard(outsider, now=NOW)
    assert board.my_tasks == [] and board.new_concerns == [] and board.rescreens_due == []
    # Overdue oversight shows the kind of item and its date, not the child or anything typed.
    assert all(t.restricted and t.person_name == t.person_id == t.object_id == "" for t in board.overdue)
    assert any(t.kind == "return_interview" for t in board.overdue)


def test_case_tables_match_the_ledger(story: dict[str, Any], coordinator: Any) -> None:
    """What `ledger verify` checks, for the case-work tables: each row is its latest ledger version."""

    services.do_complete_screening(
        actor=actor_for(coordinator), person_id=story["kid"].id, answers={"V01": {}}
    )
    integrate()
    checked = 0
    for model in apps.get_app_config("cases").get_models():
        assert issubclass(model, LedgeredModel)
        latest = latest_versions(model)
        for row in model._default_manager.all():
            version, _index, data = latest[row.pk]
            assert version == row.version
            assert data == json.loads(json.dumps(row.snapshot())), model
            checked += 1
    assert checked == 4  # concern, triage decision, episode, screening
