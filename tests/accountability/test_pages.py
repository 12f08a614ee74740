"""The accountability pages and API through Django's test client: who sees what, server-side validation
with an error summary that keeps what was typed, and the real services behind each form."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sightline.access.permissions import Cap, Role, can
from sightline.accountability.models import Action, Evidence, ProtectedConcern, TargetDateChange
from sightline.ledger.models import Entry
from sightline.ledger.services import integrate
from tests.factories import sample_plan

pytestmark = pytest.mark.django_db


def client_for(user: Any, login: Any) -> Client:
    c = Client()
    login(c, user)
    return c


@pytest.fixture
def plan() -> Any:
    return sample_plan()


def test_every_page_renders_for_a_coordinator(plan: Any, coordinator: Any, login: Any) -> None:
    c = client_for(coordinator, login)
    action = Action.objects.get(ref="R9.1")
    rec = action.recommendation
    event = plan.engagement_events.first()
    urls = [
        "/accountability",
        "/accountability/import",
        f"/accountability/plans/{plan.key}",
        f"/accountability/plans/{plan.key}?status=overdue",
        f"/accountability/plans/{plan.key}/recommendations/new",
        f"/accountability/recommendations/{rec.id}",
        f"/accountability/recommendations/{rec.id}/edit",
        f"/accountability/recommendations/{rec.id}/actions/new",
        f"/accountability/actions/{action.id}",
        f"/accountability/actions/{action.id}/edit",
        f"/accountability/actions/{action.id}/complete",
        f"/accountability/actions/{action.id}/evidence/new",
        "/accountability/overdue",
        "/accountability/moved-dates",
        "/accountability/indicators",
        "/accountability/indicators/suspects-on-bail",
        "/accountability/indicators/suspects-on-bail/edit",
        "/accountability/resources",
        "/accountability/resources/funding/new",
        "/accountability/resources/staffing/new",
        "/accountability/engagement",
        "/accountability/engagement/new",
        f"/accountability/engagement/{event.id}",
        f"/accountability/engagement/{event.id}/edit",
        f"/accountability/engagement/{event.id}/follow-up",
        "/speak-up",
        "/speak-up/new",
        "/",
    ]
    for url in urls:
        response = c.get(url)
        assert response.status_code == 200, url
    for missing in (
        "/accountability/actions/AC-NOSUCH",
        "/accountability/plans/no-such",
        "/speak-up/PC-NOSUCH",
    ):
        assert c.get(missing).status_code == 404, missing
    home = c.get("/").content.decode()
    assert "Overdue recommendation actions" in home and "Raise a concern about how CSE is handled" in home


def test_board_members_see_aggregate_pages_only(plan: Any, board_member: Any, login: Any) -> None:
    c = client_for(board_member, login)
    action = Action.objects.get(ref="R9.1")
    for url in (
        "/accountability",
        f"/accountability/plans/{plan.key}",
        "/accountability/indicators",
        "/accountability/resources",
        "/accountability/engagement",
        f"/accountability/actions/{action.id}",
    ):
        assert c.get(url).status_code == 200, url
    for url in ("/accountability/import", f"/accountability/actions/{action.id}/edit", "/triage", "/people"):
        assert c.get(url).status_code in (403, 404), url
    body = c.get("/accountability").content.decode()
    assert 'id="count-overdue">15<' in body  # today is long after 30 November 2014


def test_import_page_validates_and_keeps_the_reason(coordinator: Any, login: Any) -> None:
    c = client_for(coordinator, login)
    r = c.post("/accountability/import", {"reason": "because"})
    page = r.content.decode()
    assert r.status_code == 200 and "There is a problem" in page and "Choose a YAML or CSV plan file" in page
    assert "because</textarea>" in page and page.count("<title>Error: ") == 1
    bad = SimpleUploadedFile("bad.csv", b"plan_key,plan_title\nx,y\n", content_type="text/csv")
    r = c.post("/accountability/import", {"plan_file": bad})
    assert "bad.csv:1:recommendation_ref: the header is missing the column(s)" in r.content.decode()
    r = c.post("/accountability/import", {"sample": "rotherham-2014"})
    assert r.status_code == 302 and r["Location"] == "/accountability/plans/rotherham-2014"


@pytest.mark.usefixtures("plan")
def test_moving_a_target_date_on_the_page_needs_a_reason(coordinator: Any, login: Any) -> None:
    c = client_for(coordinator, login)
    action = Action.objects.get(ref="R9.1")
    form = {
        "description": action.description,
        "owner_agency": "youth_service",
        "owner_name": "Head of Youth Service",
        "owner_user": "",
        "target_date_0": "31",
        "target_date_1": "1",
        "target_date_2": "2015",
        "version": str(action.version),
        "reason": "",
    }
    r = c.post(f"/accountability/actions/{action.id}/edit", form)
    page = r.content.decode()
    assert (
        r.status_code == 200 and "Say why the target date is moving" in page and 'href="#id_reason"' in page
    )
    assert 'value="2015"' in page  # what was typed is kept
    form["reason"] = "Recruitment delayed"
    r = c.post(f"/accountability/actions/{action.id}/edit", form)
    assert r.status_code == 302
    change = TargetDateChange.objects.get(action=action)
    assert (change.new_date, change.reason) == (dt.date(2015, 1, 31), "Recruitment delayed")
    assert "Recruitment delayed" in c.get("/accountability/moved-dates").content.decode()


@pytest.mark.usefixtures("plan")
def test_evidence_upload_complete_and_sign_off_on_the_pages(
    coordinator: Any, manager: Any, login: Any
) -> None:
    c = client_for(coordinator, login)
    action = Action.objects.get(ref="R9.1")
    r = c.post(f"/accountability/actions/{action.id}/complete", {"note": ""})
    assert "Add evidence before marking the action complete" in r.content.decode()
    r = c.post(
        f"/accountability/actions/{action.id}/evidence/new", {"kind": "document", "title": "Timetable"}
    )
    assert "Choose the document to upload" in r.content.decode()
    doc = SimpleUploadedFile("timetable.pdf", b"%PDF-1.4 timetable", content_type="application/pdf")
    r = c.post(f"/accountability/actions/{action.id}/evidence/new", {"kind": "document", "document": doc})
    assert r.status_code == 302
    ev = Evidence.objects.get(action=action)
    integrate()
    index = Entry.objects.filter(object_id=ev.id).get().index
    new_evidence = f"/accountability/actions/{action.id}/evidence/new"
    r = c.post(new_evidence, {"kind": "ledger_entry", "ledger_index": "x"})
    assert "Enter the ledger entry number as digits" in r.content.decode()
    r = c.post(new_evidence, {"kind": "ledger_entry", "ledger_index": index})
    assert r.status_code == 302
    page = c.get(f"/accountability/actions/{action.id}").content.decode()
    assert f"Entry #{index}: create of accountability.evidence {ev.id} by coord" in page
    download = c.get(f"/accountability/evidence/{ev.id}/download")
    assert download.content == b"%PDF-1.4 timetable" and "attachment" in download["Content-Disposition"]
    assert c.post(f"/accountability/actions/{action.id}/complete", {"note": "done"}).status_code == 302
    assert c.get(f"/accountability/actions/{action.id}/sign-off").status_code == 403  # coordinators cannot
    m = client_for(manager, login)
    assert "Awaiting sign-off" in m.get("/").content.decode()
    r = m.post(f"/accountability/actions/{action.id}/sign-off", {"decision": "return", "note": ""})
    assert "Say what is missing" in r.content.decode() or "This is required" in r.content.decode()
    r = m.post(f"/accountability/actions/{action.id}/sign-off", {"decision": "sign_off", "note": "Checked"})
    assert r.status_code == 302
    page = m.get(f"/accountability/actions/{action.id}").content.decode()
    assert 'id="action-status">Complete<' in page and "by mgr" in page


def test_protected_concern_pages(coordinator: Any, manager: Any, reviewer: Any, login: Any) -> None:
    c = client_for(coordinator, login)
    r = c.post("/speak-up/new", {"about": "case", "what_happened": "Ignored again"})
    page = r.content.decode()
    assert "Enter the case, person or concern reference" in page and "Ignored again</textarea>" in page
    r = c.post("/speak-up/new", {"about": "case", "case_reference": "CN-1", "what_happened": "Ignored again"})
    concern = ProtectedConcern.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/speak-up/{concern.id}"
    assert c.get(f"/speak-up/{concern.id}").status_code == 200  # the raiser
    assert client_for(manager, login).get(f"/speak-up/{concern.id}").status_code == 403
    assert concern.id not in client_for(manager, login).get("/speak-up").content.decode()
    rv = client_for(reviewer, login)
    assert concern.id in rv.get("/speak-up").content.decode()
    assert "1 protected concern awaiting your response" in rv.get("/").content.decode()
    r = rv.post(f"/speak-up/{concern.id}", {"outcome": "acknowledged", "text": "Thank you, looking now."})
    assert r.status_code == 302
    assert "Thank you, looking now." in c.get(f"/speak-up/{concern.id}").content.decode()
    assert c.post(f"/speak-up/{concern.id}", {"outcome": "closed", "text": "x"}).status_code == 403


@pytest.mark.usefixtures("plan")
def test_api(coordinator: Any, board_member: Any, practitioner: Any, login: Any) -> None:
    c = client_for(board_member, login)
    plans = c.get("/api/accountability/plans").json()
    assert plans[0]["key"] == "rotherham-2014" and sum(plans[0]["counts"].values()) == 15
    detail = c.get("/api/accountability/plans/rotherham-2014").json()
    assert len(detail["recommendations"]) == 15
    assert {"status", "label", "awaiting_sign_off"} <= set(detail["recommendations"][0]["state"])
    first = detail["recommendations"][0]
    assert first["ref"] and first["id"] and isinstance(first["indicators"], list)
    action = first["actions"][0]
    assert action["id"] and action["ref"] and action["owner_agency"] and action["evidence"] >= 0
    assert action["state"]["status"] in {"not_started", "in_progress", "complete", "overdue"}
    ind = c.get("/api/accountability/indicators").json()
    assert len(ind) >= 7 and len(ind[0]["points"]) == 12
    assert c.get("/api/accountability/overdue").status_code == 200
    assert (
        c.post(
            "/api/accountability/plans", {"name": "x.yaml", "content": "x"}, content_type="application/json"
        ).status_code
        == 403
    )
    p = client_for(practitioner, login)
    assert p.get("/api/accountability/plans").status_code == 403
    r = p.post(
        "/api/accountability/protected-concerns",
        {"about": "service", "what_happened": "Reports go nowhere"},
        content_type="application/json",
    )
    assert r.status_code == 201 and ProtectedConcern.objects.get(pk=r.json()["id"]).raised_by == "youthworker"
    co = client_for(coordinator, login)
    r = co.post(
        "/api/accountability/plans",
        {"name": "t.csv", "content": "plan_key,plan_title\n"},
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["problems"][0].startswith("t.csv:1:")


VIEW = (Cap.VIEW_AGGREGATE, Cap.MANAGE_RECOMMENDATIONS, Cap.SIGN_OFF)
MATRIX_PAGES: list[tuple[str, tuple[str, ...]]] = [
    ("/accountability", VIEW),
    ("/accountability/overdue", VIEW),
    ("/accountability/moved-dates", VIEW),
    ("/accountability/resources", VIEW),
    ("/accountability/engagement", VIEW),
    ("/accountability/indicators", (Cap.VIEW_AGGREGATE, Cap.MANAGE_RECOMMENDATIONS)),
    ("/accountability/import", (Cap.MANAGE_RECOMMENDATIONS,)),
    ("/accountability/resources/funding/new", (Cap.MANAGE_RECOMMENDATIONS,)),
    ("/accountability/engagement/new", (Cap.MANAGE_RECOMMENDATIONS,)),
    ("/speak-up", ()),
    ("/speak-up/new", (Cap.RAISE_PROTECTED_CONCERN,)),
    ("/api/accountability/plans", VIEW),
    ("/api/accountability/indicators", (Cap.VIEW_AGGREGATE, Cap.MANAGE_RECOMMENDATIONS)),
]


@pytest.mark.parametrize("role", Role.values)
def test_pages_obey_the_permission_matrix(role: str, make_user: Any, login: Any) -> None:
    c = client_for(make_user(role, "mash"), login)
    for path, caps in MATRIX_PAGES:
        allowed = not caps or any(can(role, cap) for cap in caps)
        status = c.get(path).status_code
        assert status == (200 if allowed else 403), f"{role} {path}: {status}"
