"""The people and case-work API: the whole journey over HTTP with a token, pagination, problem+json,
need to know and ledgered reads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from sightline.ledger.models import Entry
from sightline.ledger.services import SYSTEM, do_create, integrate
from sightline.people.models import Extract, SourceRecord

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def iso(value: dt.datetime) -> str:
    return value.isoformat()


@pytest.fixture
def coordinator(api_for: Callable[..., Any]) -> Any:
    return api_for("cse_coordinator", "mash", "coord")


@pytest.fixture
def child(coordinator: Any) -> str:
    r = coordinator.post(
        "/people",
        {
            "kind": "child",
            "given_name": "Jessica",
            "family_name": "Walker",
            "date_of_birth": "2000-03-14",
            "postcode": "s65 2ab",
            "identifiers": [{"scheme": "nhs_number", "value": "943 476 5919"}],
        },
    )
    assert r.status_code == 201, r.content
    return str(r.json()["person"]["id"])


def test_requests_without_a_token_get_401_problem() -> None:
    r = Client().get("/api/people", {"q": "jess"})
    assert r.status_code == 401
    assert r["Content-Type"] == PROBLEM and r.json()["status"] == 401


def known_to(agency: str, person_id: str) -> None:
    """The agency sent a record linked to the child, so it is involved with her."""
    extract = do_create(
        Extract(
            agency_id=agency,
            source_name=f"{agency}-test",
            digest="0" * 64,
            extracted_on=dt.date(2024, 1, 1),
            imported_at=timezone.now(),
            manifest={"agency": agency},
        ),
        actor=SYSTEM,
    )
    do_create(
        SourceRecord(
            agency_id=agency,
            record_id="R-1",
            extract=extract,
            row_number=2,
            data={"record_id": "R-1"},
            person_id=person_id,
        ),
        actor=SYSTEM,
    )


def test_the_journey_over_the_api(coordinator: Any, api_for: Callable[..., Any], child: str) -> None:
    social_worker = api_for("practitioner", "social_care", "sw")
    known_to("social_care", child)
    now = timezone.now()
    # A social worker raises a concern about a child social care knows, the coordinator triages it.
    r = social_worker.post(
        "/cases/concerns",
        {
            "person_id": child,
            "what_was_seen": "Picked up by older men in a car",
            "urgency": "urgent",
            "occurred_at": iso(now - dt.timedelta(hours=3)),
            "indicators": ["S03"],
            "place": "School gates",
        },
    )
    assert r.status_code == 201, r.content
    concern = r.json()
    assert concern["status"] == "awaiting_triage" and concern["agency_id"] == "social_care"
    queue = coordinator.get("/cases/concerns").json()
    assert queue["count"] == 1 and queue["items"][0]["concern_id"] == concern["id"]
    assert queue["items"][0]["person_name"] == "Jessica Walker"
    r = coordinator.post(f"/cases/concerns/{concern['id']}/triage", {"decision": "screening"})
    assert r.status_code == 201 and r.json()["decision"] == "screening"
    # Screen the child.
    r = coordinator.post(
        f"/cases/people/{child}/screenings",
        {"answers": {"S03": {"current": True}, "V02": {"current": True}}, "concern_id": concern["id"]},
    )
    assert r.status_code == 201, r.content
    assert (r.json()["score"], r.json()["band"], r.json()["band_label"]) == (6, "mild", "Mild risk")
    assert coordinator.get(f"/cases/people/{child}/rescreen").json()["due"] is False
    # A missing episode and its return interview.
    r = social_worker.post(
        f"/cases/people/{child}/episodes", {"category": "M", "started_at": iso(now - dt.timedelta(hours=2))}
    )
    assert r.status_code == 201, r.content
    episode = r.json()
    assert episode["number"] == 1 and episode["interview_status"]["state"] == "open"
    r = social_worker.post(
        f"/cases/episodes/{episode['id']}/return", {"ended_at": iso(now - dt.timedelta(hours=1))}
    )
    assert r.json()["interview_status"]["state"] == "due"
    r = social_worker.post(f"/cases/episodes/{episode['id']}/return-interviews", {"offered_at": iso(now)})
    assert r.status_code == 201
    r = social_worker.patch(f"/cases/return-interviews/{r.json()['id']}", {"response": "declined"})
    assert r.json()["response"] == "declined"
    episodes = social_worker.get(f"/cases/people/{child}/episodes").json()
    assert episodes["episodes"][0]["interview_status"]["within_72h"] is True
    # The re-screen task appears.
    rescreen = coordinator.get(f"/cases/people/{child}/rescreen").json()
    assert rescreen["due"] and {t["kind"] for t in rescreen["triggers"]} == {"missing", "return_interview"}
    due = coordinator.get("/cases/rescreens-due").json()
    assert [d["person_id"] for d in due["items"]] == [child]
    tasks = coordinator.get("/cases/tasks").json()["items"]
    assert any(t["kind"] == "rescreen" and t["person_id"] == child for t in tasks)
    # The chronology, newest first, each entry citing its ledger entry.
    chron = social_worker.get(f"/cases/people/{child}/chronology").json()
    kinds = [e["kind"] for e in chron["items"]]
    assert kinds[-2:] == ["missing", "concern"]  # went missing 2 hours ago; the concern was 3 hours ago
    assert {"triage", "screening", "return_interview"} <= set(kinds) and chron["count"] == len(kinds) == 7
    times = [e["at"] for e in chron["items"]]
    assert times == sorted(times, reverse=True)
    integrate()
    for e in chron["items"]:
        entry = Entry.objects.get(index=e["ledger_index"])
        assert (entry.object_type, entry.object_id, entry.actor_user) == (
            e["object_type"],
            e["object_id"],
            e["recorded_by"],
        )
    only_sc = social_worker.get(f"/cases/people/{child}/chronology", agency="social_care").json()
    assert {e["agency"] for e in only_sc["items"]} == {"social_care"}


def test_pagination(coordinator: Any, child: str) -> None:
    now = timezone.now()
    for hours in range(5):
        r = coordinator.post(
            "/cases/concerns",
            {
                "person_id": child,
                "what_was_seen": f"Seen {hours}",
                "urgency": "standard",
                "occurred_at": iso(now - dt.timedelta(hours=hours + 1)),
            },
        )
        assert r.status_code == 201
    page = coordinator.get("/cases/concerns", limit=2, offset=0).json()
    assert (page["count"], page["limit"], page["offset"], len(page["items"])) == (5, 2, 0, 2)
    last = coordinator.get("/cases/concerns", limit=2, offset=4).json()
    assert len(last["items"]) == 1
    seen = {
        i["concern_id"]
        for o in (0, 2, 4)
        for i in coordinator.get("/cases/concerns", limit=2, offset=o).json()["items"]
    }
    assert len(seen) == 5
    r = coordinator.get("/cases/concerns", limit=500)
    assert r.status_code == 422 and r["Content-Type"] == PROBLEM


def test_problem_json_for_validation_not_found_and_conflict(coordinator: Any, child: str) -> None:
    r = coordinator.post("/cases/concerns", {"person_id": child, "what_was_seen": "x", "urgency": "whenever"})
    assert r.status_code == 422 and r["Content-Type"] == PROBLEM
    assert {e.get("pointer") for e in r.json()["errors"]} >= {"#/urgency", "#/occurred_at"}
    # A service-level rule (no further action needs a reason) also comes back as a pointed problem.
    concern = coordinator.post(
        "/cases/concerns",
        {"person_id": child, "what_was_seen": "x", "urgency": "urgent", "occurred_at": iso(timezone.now())},
    ).json()
    r = coordinator.post(f"/cases/concerns/{concern['id']}/triage", {"decision": "no_further_action"})
    assert r.status_code == 422 and r.json()["errors"] == [
        {"detail": "say why no further action is needed", "pointer": "#/reason"}
    ]
    r = coordinator.post(f"/cases/concerns/{concern['id']}/triage", {"decision": "advice", "version": 7})
    assert r.status_code == 409 and r["Content-Type"] == PROBLEM
    r = coordinator.get("/cases/concerns/CN-DOESNOTEXIST")
    assert r.status_code == 404 and r["Content-Type"] == PROBLEM
    r = coordinator.post(f"/cases/people/{child}/screenings", {"answers": {}, "override_band": "significant"})
    assert r.status_code == 422 and r.json()["errors"][0]["pointer"] == "#/override_reason"


@pytest.mark.usefixtures("coordinator")
def test_outsider_gets_403_without_break_glass_and_reads_are_ledgered(
    api_for: Callable[..., Any], child: str
) -> None:
    nurse = api_for("practitioner", "health", "nurse")
    paths = [
        f"/people/{child}",
        f"/cases/people/{child}/chronology",
        f"/cases/people/{child}/screenings",
        f"/cases/people/{child}/episodes",
        f"/cases/people/{child}/plans",
        f"/cases/people/{child}/placements",
    ]
    for path in paths:
        r = nurse.get(path)
        assert r.status_code == 403 and r["Content-Type"] == PROBLEM, path
    r = nurse.post(f"/cases/people/{child}/episodes", {"category": "M", "started_at": iso(timezone.now())})
    assert r.status_code == 403
    hits = nurse.get("/people", q="Jesica Walkr").json()["items"]
    assert hits[0]["person_id"] == child and hits[0]["restricted"] and hits[0]["person"] is None
    r = nurse.post(
        "/access/break-glass", {"person_id": child, "reason": "Attended A&E with injuries, need history"}
    )
    assert r.status_code == 201, r.content
    for path in paths:
        assert nurse.get(path).status_code == 200, path
    integrate()
    actions = list(
        Entry.objects.filter(actor_user="nurse", object_id=child, object_type="people.person")
        .order_by("index")
        .values_list("action", flat=True)
    )
    # Seven refusals (six reads and one write), then six reads: every one is in the ledger.
    assert actions == ["read_denied"] * 7 + ["read"] * 6


def test_people_search_merge_and_unmerge(coordinator: Any, child: str) -> None:
    r = coordinator.post(
        "/people", {"given_name": "Jess", "family_name": "Walker", "date_of_birth": "2000-03"}
    )
    dup = r.json()["person"]["id"]
    hits = coordinator.get("/people", q="Jess").json()
    assert {h["person_id"] for h in hits["items"]} >= {child, dup}
    assert coordinator.get("/people", q="943 476 5919").json()["items"][0]["person_id"] == child
    r = coordinator.post(f"/people/{dup}/merge", {"into": child, "reason": "same girl, same school"})
    assert r.status_code == 200 and [p["id"] for p in r.json()["merged_from"]] == [dup]
    assert [h["person_id"] for h in coordinator.get("/people", name="Jess Walker").json()["items"]] == [child]
    r = coordinator.post(f"/people/{dup}/unmerge", {"reason": "a different girl after all"})
    assert r.status_code == 200 and r.json()["person"]["status"] == "active"
    r = coordinator.patch(f"/people/{dup}", {"family_name": "Walkden", "reason": "typo", "version": 3})
    assert r.status_code == 200 and r.json()["person"]["family_name"] == "Walkden"
    r = coordinator.patch(f"/people/{dup}", {"family_name": "X", "version": 1})
    assert r.status_code == 409


def test_investigations_and_weekly_self_referrals(
    api_for: Callable[..., Any], coordinator: Any, child: str
) -> None:
    analyst = api_for("analyst", "police", "analyst")
    suspect = coordinator.post(
        "/people", {"kind": "adult", "given_name": "Arshid", "family_name": "H"}
    ).json()["person"]["id"]
    op = analyst.post(
        "/cases/investigations", {"operation_name": "Operation Clover", "opened_on": "2024-01-15"}
    ).json()
    assert (
        analyst.post(
            f"/cases/investigations/{op['id']}/people", {"person_id": child, "role": "victim"}
        ).status_code
        == 201
    )
    assert (
        analyst.post(
            f"/cases/investigations/{op['id']}/people", {"person_id": suspect, "role": "suspect"}
        ).status_code
        == 201
    )
    r = analyst.post(
        f"/cases/investigations/{op['id']}/suspects/{suspect}/status",
        {
            "status": "bail",
            "effective_on": "2024-02-01",
            "bail_conditions": "No contact",
            "bail_end_on": "2024-05-01",
        },
    )
    assert r.status_code == 201, r.content
    detail = analyst.get(f"/cases/investigations/{op['id']}").json()
    assert detail["suspects"][0]["current_status"] == "bail" and detail["victims"][0]["person_id"] == child
    for day in ["2024-03-04", "2024-03-06", "2024-03-13"]:
        assert (
            analyst.post(
                "/cases/self-referrals", {"received_on": day, "investigation_id": op["id"]}
            ).status_code
            == 201
        )
    weeks = analyst.get("/cases/self-referrals/weekly", start="2024-03-04", end="2024-03-17").json()["items"]
    assert weeks == [{"week_starting": "2024-03-04", "count": 2}, {"week_starting": "2024-03-11", "count": 1}]


def test_plans_placements_and_the_indicator_set(coordinator: Any, child: str) -> None:
    indicators = coordinator.get("/cases/indicators").json()
    assert {k["key"] for k in indicators["kinds"]} >= {"moderate", "significant"}
    assert indicators["bands"][0]["key"] == "not_at_risk"
    assert any(i["code"] == "S03" for i in indicators["indicators"])
    r = coordinator.post(
        f"/cases/people/{child}/plans",
        {"title": "Keep Jessica safe", "summary": "Weekly visits", "review_due_on": "2030-01-31"},
    )
    assert r.status_code == 201, r.content
    plan = r.json()
    assert (plan["title"], plan["status"], plan["review_overdue"], plan["actions"]) == (
        "Keep Jessica safe",
        "open",
        False,
        [],
    )
    r = coordinator.post(
        f"/cases/plans/{plan['id']}/actions",
        {"description": "Home visit", "owner_agency": "social_care", "due_on": "2020-01-01"},
    )
    assert r.status_code == 201, r.content
    action = r.json()
    # Due in the past: overdue as soon as it is added, and when the plan is read back.
    assert (action["plan_id"], action["status"], action["overdue"]) == (plan["id"], "open", True)
    plan = coordinator.get(f"/cases/plans/{plan['id']}").json()
    assert [(a["id"], a["overdue"]) for a in plan["actions"]] == [(action["id"], True)]
    r = coordinator.patch(f"/cases/actions/{action['id']}", {"status": "done", "version": 1})
    assert (r.json()["status"], r.json()["overdue"], r.json()["version"]) == ("done", False, 2)
    r = coordinator.post(
        f"/cases/plans/{plan['id']}/reviews", {"summary": "Going well", "next_review_on": "2030-06-30"}
    )
    assert r.status_code == 201 and r.json()["next_review_on"] == "2030-06-30"
    r = coordinator.post(f"/cases/plans/{plan['id']}/close", {"reason": "Risk reduced"})
    assert (r.json()["status"], r.json()["close_reason"]) == ("closed", "Risk reduced")
    assert r.json()["reviews"][0]["summary"] == "Going well"
    listed = coordinator.get(f"/cases/people/{child}/plans").json()
    assert [p["id"] for p in listed["items"]] == [plan["id"]]
    # A placement made by another council, then ended.
    r = coordinator.post(
        f"/cases/people/{child}/placements",
        {
            "placement_type": "foster",
            "started_on": "2024-01-10",
            "in_area": False,
            "placing_authority": "Another Council",
        },
    )
    assert r.status_code == 201, r.content
    placement = r.json()
    assert (placement["current"], placement["placement_type"], placement["in_area"]) == (
        True,
        "foster",
        False,
    )
    r = coordinator.post(
        f"/cases/placements/{placement['id']}/end",
        {"ended_on": "2024-02-10", "end_reason": "Moved home", "version": 1},
    )
    assert (r.json()["current"], r.json()["ended_on"], r.json()["end_reason"]) == (
        False,
        "2024-02-10",
        "Moved home",
    )
    assert coordinator.get(f"/cases/people/{child}/placements").json()["count"] == 1


def test_concern_detail_and_investigation_close(
    api_for: Callable[..., Any], coordinator: Any, child: str
) -> None:
    other = coordinator.post("/people", {"kind": "adult", "given_name": "Lee", "family_name": "M"}).json()
    r = coordinator.post(
        "/cases/concerns",
        {
            "person_id": child,
            "what_was_seen": "Seen with an older man",
            "urgency": "standard",
            "occurred_at": iso(timezone.now() - dt.timedelta(hours=1)),
            "indicators": ["S03"],
            "others": [{"person_id": other["person"]["id"], "role": "associate"}],
        },
    )
    concern = r.json()
    detail = coordinator.get(f"/cases/concerns/{concern['id']}").json()
    assert detail["concern"]["id"] == concern["id"] and detail["overdue"] is False
    assert detail["others"] == [{"person_id": other["person"]["id"], "role": "associate"}]
    assert [i["code"] for i in detail["indicators"]] == ["S03"] and detail["decisions"] == []
    analyst = api_for("analyst", "police", "analyst")
    op = analyst.post(
        "/cases/investigations", {"operation_name": "Operation Fern", "opened_on": "2024-01-15"}
    )
    r = analyst.post(
        f"/cases/investigations/{op.json()['id']}/close", {"closed_on": "2024-03-01", "reason": "Charged"}
    )
    assert (r.json()["status"], r.json()["closed_on"]) == ("closed", "2024-03-01")
    r = analyst.post("/cases/investigations/IN-NONE/people", {"person_id": child, "role": "victim"})
    assert r.status_code == 404 and r["Content-Type"] == PROBLEM
