"""Action status, evidence, sign-off by a second person, overdue, resources and engagement."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import stat
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from sightline.access.services import actor_for
from sightline.accountability import selectors as sel
from sightline.accountability import services
from sightline.accountability.models import Action, Evidence
from sightline.accountability.services import evidence_store
from sightline.core.errors import NotFound
from sightline.ledger.models import Entry
from sightline.ledger.selectors import verify
from sightline.ledger.services import integrate
from tests.factories import at, child, concern, sample_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def action() -> Action:
    sample_plan()
    return Action.objects.get(ref="R9.1")


def reload(action: Action) -> Action:
    return Action.objects.get(pk=action.pk)


def test_complete_needs_evidence_and_a_second_persons_sign_off(
    action: Action, coordinator: Any, manager: Any, manager2: Any
) -> None:
    coord = actor_for(coordinator)
    services.do_start_action(coord, action_id=action.id)
    with pytest.raises(ValidationError, match="add evidence before marking the action complete"):
        services.do_complete_action(coord, action_id=action.id)
    services.do_add_note(
        coord, action_id=action.id, title="Sessions restored", note="Four sessions a week since 1 Nov"
    )
    services.do_complete_action(coord, action_id=action.id, note="Done")
    a = reload(action)
    assert (a.status, a.completed_by, a.signed_off_at) == ("complete", "coord", None)
    state = sel.action_state(a, today=dt.date(2014, 11, 1))
    assert (state.key, state.awaiting_sign_off, state.label) == ("in_progress", True, "Awaiting sign-off")
    # Past the target date and still not signed off: overdue, whatever was typed.
    assert sel.action_state(a, today=dt.date(2014, 12, 1)).key == "overdue"
    # The coordinator cannot sign off (no capability); a manager who marked it complete could not either.
    with pytest.raises(PermissionDenied):
        services.do_sign_off_action(coord, action_id=action.id)
    services.do_reopen_action(actor_for(manager), action_id=action.id, reason="Check the numbers again")
    services.do_complete_action(actor_for(manager), action_id=action.id)
    with pytest.raises(ValidationError, match="a second person must sign it off"):
        services.do_sign_off_action(actor_for(manager), action_id=action.id)
    services.do_sign_off_action(actor_for(manager2), action_id=action.id, note="Seen the timetable")
    a = reload(action)
    assert (a.signed_off_by, a.sign_off_note) == ("mgr2", "Seen the timetable")
    assert sel.action_state(a, today=dt.date(2015, 6, 1)).key == "complete"  # complete is never overdue
    assert sel.get_recommendation(a.recommendation_id, today=dt.date(2015, 6, 1)).state.key == "complete"
    with pytest.raises(ValidationError, match="already signed off"):
        services.do_sign_off_action(actor_for(manager), action_id=action.id)
    history = [(h.summary, h.entry.actor_user) for h in sel.action_history(a) if h.what == "Action R9.1"]
    assert history == [
        ("Imported", "system"),
        ("Started", "coord"),
        ("Marked complete", "coord"),
        ("Reopened", "mgr"),
        ("Marked complete", "mgr"),
        ("Signed off", "mgr2"),
    ]


def test_the_sign_off_can_send_an_action_back(action: Action, coordinator: Any, board_member: Any) -> None:
    coord = actor_for(coordinator)
    services.do_add_note(coord, action_id=action.id, title="Evidence", note="Timetable")
    services.do_complete_action(coord, action_id=action.id)
    with pytest.raises(ValidationError):
        services.do_return_action(actor_for(board_member), action_id=action.id, reason="  ")
    services.do_return_action(actor_for(board_member), action_id=action.id, reason="No attendance figures")
    a = reload(action)
    assert (a.status, a.completed_by) == ("in_progress", "")
    integrate()
    entry = Entry.objects.filter(object_id=a.id, action="return").get()
    assert (entry.actor_user, entry.reason) == ("board", "No attendance figures")


def test_owner_records_progress_others_cannot(action: Action, make_user: Any, coordinator: Any) -> None:
    owner = make_user("practitioner", "youth_service", username="owner")
    other = make_user("practitioner", "youth_service", username="other")
    services.do_update_action(actor_for(coordinator), action_id=action.id, owner_user="owner")
    with pytest.raises(ValidationError, match="does not work for"):
        services.do_update_action(actor_for(coordinator), action_id=action.id, owner_user="coord")
    with pytest.raises(PermissionDenied):
        services.do_start_action(actor_for(other), action_id=action.id)
    services.do_start_action(actor_for(owner), action_id=action.id)
    assert reload(action).status == "in_progress"
    # Overdue actions show on the owner's dashboard (and the board's).
    mine = sel.overdue_actions(owner_user="owner", today=dt.date(2014, 12, 1))
    assert [i.action.ref for i in mine] == ["R9.1"] and mine[0].days_overdue == 1
    assert "R9.1" in [i.action.ref for i in sel.overdue_actions(today=dt.date(2014, 12, 1))]
    assert sel.overdue_actions(owner_user="other", today=dt.date(2014, 12, 1)) == []


def test_documents_are_stored_by_sha256_under_the_home_and_checked(
    action: Action, coordinator: Any, settings: Any
) -> None:
    content = b"%PDF-1.4 outreach timetable"
    ev = services.do_add_document(
        actor_for(coordinator),
        action_id=action.id,
        stream=io.BytesIO(content),
        file_name="timetable.pdf",
        content_type="application/pdf",
    )
    digest = hashlib.sha256(content).hexdigest()
    assert ev.sha256 == digest and ev.size == len(content)
    assert services.evidence_name(digest) == f"{digest[:2]}/{digest}"
    path = Path(services.evidence_storage().path(services.evidence_name(digest)))
    assert path.read_bytes() == content
    assert path.parent.parent == Path(settings.STORAGES["evidence"]["OPTIONS"]["location"])
    assert stat.S_IMODE(path.stat().st_mode) == 0o440  # read-only once written
    integrate()
    body = json.loads(bytes(Entry.objects.get(object_id=ev.id, version=1).canonical))
    assert body["data"]["sha256"] == digest  # the hash is in the ledger
    assert services.read_document(ev) == content
    # The same document again is kept once, under the same name.
    again = services.do_add_document(
        actor_for(coordinator), action_id=action.id, stream=[content[:5], content[5:]], file_name="copy.pdf"
    )
    assert again.sha256 == digest and sorted(p.name for p in path.parent.iterdir()) == [digest]
    path.chmod(0o640)
    path.write_bytes(b"%PDF-1.4 something else")
    with pytest.raises(services.EvidenceFileError, match="altered"):
        services.read_document(ev)
    path.unlink()
    with pytest.raises(services.EvidenceFileError, match="missing from the store"):
        services.read_document(ev)
    with pytest.raises(ValidationError, match="the file must be one of"):
        services.do_add_document(
            actor_for(coordinator), action_id=action.id, stream=io.BytesIO(b"x"), file_name="run.exe"
        )


def test_ledger_entries_as_evidence_and_withdrawing(action: Action, coordinator: Any) -> None:
    coord = actor_for(coordinator)
    with pytest.raises(ValidationError, match="there is no ledger entry #999999"):
        services.do_add_ledger_link(coord, action_id=action.id, ledger_index=999999)
    integrate()
    # Evidence may cite the partnership's own records (here, the action's latest version), never people.
    index = Entry.objects.filter(object_type="accountability.action").order_by("-index").first().index  # type: ignore[union-attr]
    ev = services.do_add_ledger_link(coord, action_id=action.id, ledger_index=index, note="the board minute")
    assert ev.kind == "ledger_entry" and ev.ledger_index == index
    services.do_withdraw_evidence(coord, evidence_id=ev.id, reason="wrong entry")
    ev = Evidence.objects.get(pk=ev.pk)
    assert ev.withdrawn and ev.withdrawn_reason == "wrong entry"  # kept, never deleted
    with pytest.raises(ValidationError, match="add evidence"):
        services.do_complete_action(coord, action_id=action.id)  # withdrawn evidence does not count


def test_nothing_is_hard_deleted_and_the_ledger_verifies(action: Action, coordinator: Any) -> None:
    coord = actor_for(coordinator)
    services.do_add_note(coord, action_id=action.id, title="n", note="n")
    services.do_complete_action(coord, action_id=action.id)
    with pytest.raises(ValidationError, match="reopen it before withdrawing"):
        services.do_withdraw_evidence(coord, evidence_id=Evidence.objects.get(action=action).id, reason="x")
    report = verify()
    assert report.ok, report.problems


def test_resources_against_computed_caseload(coordinator: Any) -> None:
    coord = actor_for(coordinator)
    services.do_set_staffing(coord, agency="police", team="CSE team", year=2010, staff=3)
    services.do_set_staffing(coord, agency="police", team="CSE team", year=2014, staff=62)
    services.do_set_funding(coord, name="CSE team", financial_year=2014, amount="2350000")
    with pytest.raises(ValidationError, match="say why the number is changing"):
        services.do_set_staffing(coord, agency="police", team="CSE team", year=2014, staff=60)
    services.do_set_staffing(coord, agency="police", team="CSE team", year=2014, staff=60, reason="recount")
    kids = [child(f"K{i}") for i in range(3)]
    concern(kids[0], at(2014, 3, 1, 9))  # calendar 2014, financial 2013/14
    concern(kids[1], at(2014, 5, 1, 9))
    concern(kids[1], at(2014, 6, 1, 9))  # the same child twice counts once
    concern(kids[2], at(2015, 2, 1, 9))  # financial 2014/15, calendar 2015
    res = sel.resources()
    # 2010 is before the first concern: no records, not a caseload of 0
    assert res.staffing_caseload == {2010: None, 2014: 2}
    assert res.funding_caseload == {2014: 2}
    assert [(r.year, r.caseload, r.children_per_staff) for r in res.staffing_rows()] == [
        (2010, None, None),
        (2014, 2, Decimal("0.0")),
    ]
    concern(kids[2], at(2009, 6, 1, 9))  # an old concern entered later: 2010 now has records
    assert sel.resources().staffing_caseload == {2010: 0, 2014: 2}
    assert res.staff_totals() == {2010: Decimal("3.0"), 2014: Decimal("60.0")}
    assert res.funding_totals() == {2014: Decimal("2350000.00")}


def test_engagement_plan_log_and_follow_up(coordinator: Any) -> None:
    coord = actor_for(coordinator)
    plan = sample_plan()
    event = services.do_record_engagement_event(
        coord,
        title="Meeting at the mosque",
        event_on=dt.date(2014, 10, 10),
        organised_by="police",
        communities=["Pakistani heritage community", " Faith groups "],
        plan_id=plan.id,
    )
    with pytest.raises(ValidationError, match="can only be recorded for an event that was held"):
        services.do_update_engagement_event(coord, event_id=event.id, changes={"attendees": 40})
    services.do_update_engagement_event(
        coord,
        event_id=event.id,
        changes={"status": "held", "attendees": 40, "issues_raised": "Taxi ranks at night"},
    )
    rec = plan.recommendations.get(ref="R10")
    follow = services.do_add_action(
        coord,
        recommendation_id=rec.id,
        description="Patrol the taxi ranks",
        owner_agency="police",
        target_date=dt.date(2014, 12, 1),
        engagement_event_id=event.id,
    )
    assert follow.ref == "R10.3" and follow.engagement_event_id == event.id
    assert ("Faith groups", 1) in sel.communities_reached()
    with pytest.raises(ValidationError, match="say why the event is cancelled or moved"):
        services.do_update_engagement_event(
            coord, event_id=event.id, changes={"event_on": dt.date(2014, 10, 11)}
        )


def test_a_document_over_the_limit_is_refused_and_not_stored(
    action: Action, coordinator: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(evidence_store, "MAX_EVIDENCE_BYTES", 8)
    with pytest.raises(ValidationError, match="the file is larger than"):
        services.do_add_document(
            actor_for(coordinator),
            action_id=action.id,
            stream=io.BytesIO(b"%PDF-1.4 more than eight bytes"),
            file_name="big.pdf",
        )
    location = Path(settings.STORAGES["evidence"]["OPTIONS"]["location"])
    assert not [p for p in location.rglob("*") if p.is_file()]
    assert not Evidence.objects.filter(action=action).exists()


def test_a_missing_object_is_not_found(coordinator: Any, reviewer: Any) -> None:
    coord = actor_for(coordinator)
    with pytest.raises(NotFound, match="No such action"):
        services.do_start_action(coord, action_id="AC-NOSUCH")
    with pytest.raises(NotFound, match="No such indicator"):
        services.do_update_indicator(coord, indicator_key="no-such", target=1, direction="higher", reason="r")
    with pytest.raises(NotFound, match="No such protected concern"):
        services.do_respond_to_protected_concern(
            actor_for(reviewer), concern_id="PC-NOSUCH", outcome="closed", text="t"
        )
    for read in (lambda: sel.get_plan("no-such"), lambda: sel.get_engagement_event("EE-NOSUCH")):
        with pytest.raises(NotFound):
            read()
