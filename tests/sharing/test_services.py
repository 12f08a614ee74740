"""Sharing decisions, the NHS number and the section 47 workspace: the rules the services keep, and
who sees a workspace (its team only, on pages and in the API alike)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from sightline.access.services import actor_for
from sightline.accountability import indicators as ind
from sightline.cli import main
from sightline.ledger.models import Entry
from sightline.ledger.services import SYSTEM, integrate
from sightline.people import nhs
from sightline.people.models import Extract, NhsNumberStatus
from sightline.people.need_to_know import visible_people
from sightline.reports import board
from sightline.reports.pdf import render_pdf
from sightline.sharing import selectors, services
from sightline.sharing.models import SharingDecision
from tests import factories
from tests.extracts.helpers import write_extract

pytestmark = pytest.mark.django_db

VALID_NHS = "9434765919"


def test_not_shared_needs_a_reason(social_worker: Any) -> None:
    child = factories.known_child("social_care")
    me = actor_for(social_worker)
    with pytest.raises(ValidationError) as refused:
        services.do_record_sharing_decision(
            me, person_id=child.id, recipients=["police"], what="Return interview notes", outcome="not_shared"
        )
    assert "reason_code" in refused.value.message_dict
    with pytest.raises(ValidationError) as other:
        services.do_record_sharing_decision(
            me,
            person_id=child.id,
            recipients=["police"],
            what="Return interview notes",
            outcome="not_shared",
            reason_code="other",
        )
    assert "reason" in other.value.message_dict
    made = services.do_record_sharing_decision(
        me,
        person_id=child.id,
        recipients=["police", "health"],
        what="Return interview notes",
        outcome="not_shared",
        reason_code=SharingDecision.Reason.MORE_DETRIMENTAL,
        reason="She disclosed on condition her father is not told; police contact would reach him",
    )
    assert made.recipients == ["health", "police"] and made.decided_by == social_worker.username
    integrate()
    assert Entry.objects.filter(object_type="sharing.sharingdecision", object_id=made.id).count() == 1


def test_only_those_who_may_see_the_child_record_or_read_and_the_reviewer_sees_all(
    social_worker: Any, police_officer: Any, reviewer: Any
) -> None:
    child = factories.known_child("social_care")
    with pytest.raises(PermissionDenied):
        services.do_record_sharing_decision(
            actor_for(police_officer), person_id=child.id, recipients=["health"], what="x", outcome="shared"
        )
    services.do_record_sharing_decision(
        actor_for(social_worker), person_id=child.id, recipients=["health"], what="Plan", outcome="shared"
    )
    _root, rows = selectors.child_decisions(social_worker, child.id)
    assert [r.outcome for r in rows] == ["shared"]
    with pytest.raises(PermissionDenied):
        selectors.child_decisions(police_officer, child.id)
    page = selectors.reviewer_decisions(reviewer)[0:10]
    assert [r.child_name for r in page] == [str(child)]
    integrate()
    listed = Entry.objects.filter(action="read_list", actor_user=reviewer.username).last()
    assert listed is not None and child.id in json.loads(bytes(listed.canonical))["data"]["people"]
    with pytest.raises(PermissionDenied):
        selectors.reviewer_decisions(social_worker)


def test_nhs_numbers_must_pass_the_check_digit(social_worker: Any) -> None:
    child = factories.known_child("social_care")
    me = actor_for(social_worker)
    with pytest.raises(ValidationError) as bad:
        nhs.do_record_nhs_number(me, person_id=child.id, value="9434765918")
    assert "modulus-11" in str(bad.value)
    status = nhs.do_record_nhs_status(me, person_id=child.id, reason_code="not_yet_traced")
    assert nhs.status_of([child.id]) == status
    with pytest.raises(ValidationError):
        nhs.do_record_nhs_status(me, person_id=child.id, reason_code="other")  # needs a note
    made = nhs.do_record_nhs_number(me, person_id=child.id, value="943 476 5919")
    assert made.value == VALID_NHS and made.source == "manual" and made.agency_id == "social_care"
    assert nhs.status_of([child.id]) is None
    assert NhsNumberStatus.objects.get(person=child).resolved
    assert [(h.value, h.source) for h in nhs.holdings([child.id])] == [(VALID_NHS, "manual")]


def test_extract_import_measures_completeness_and_rejects_bad_numbers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    factories.agencies()
    # Jess (14 when extracted) has a number, Amy (13) none, Mo's age is unknown: one of two children.
    assert main(["import", str(write_extract(tmp_path))]) == 0
    extract = Extract.objects.get()
    assert (extract.child_records, extract.child_records_with_nhs) == (2, 1)
    [row] = nhs.nhs_completeness_by_agency()
    assert (row.agency, row.percent) == ("police", 50.0)
    after = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    window = ind.Window(start=after - dt.timedelta(days=30), end=after, now=after)
    value = ind.compute("nhs_number_completeness", [window])[0]
    assert (value.value, value.numerator, value.denominator) == (50.0, 1, 2)
    assert "nhs-number-completeness" in {d.key for d in ind.shipped_definitions()}
    report = board.board_report()
    assert [(r.agency_name, r.children, r.with_nhs) for r in report.nhs_completeness] == [("Police", 2, 1)]
    assert "NHS number completeness by agency" in render_pdf(report, compress=False).decode("latin-1")

    bad = write_extract(
        tmp_path,
        "police-bad",
        people=[{"record_id": "POL-9", "given_name": "Kim", "nhs_number": "1234567890"}],
        events=[],
    )
    capsys.readouterr()
    assert main(["import", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}/people.csv:2:nhs_number:" in err and "not a valid NHS number" in err


@pytest.fixture
def team(social_worker: Any, make_user: Any) -> dict[str, Any]:
    child = factories.known_child("social_care", "education", "health")
    teacher = make_user("dsl", "education", username="dsl1")
    nurse = make_user("practitioner", "health", username="nurse")
    officer = make_user("manager", "police", username="ds1")
    stranger = make_user("practitioner", "health", username="stranger")
    workspace = services.do_open_workspace(actor_for(social_worker), person_id=child.id, summary="Disclosure")
    for who in (teacher, nurse, officer):
        services.do_add_member(SYSTEM, workspace_id=workspace.id, username=who.username)
    return {
        "child": child,
        "workspace": workspace,
        "teacher": teacher,
        "nurse": nurse,
        "officer": officer,
        "stranger": stranger,
    }


def test_workspace_members_tasks_and_decisions(team: dict[str, Any], social_worker: Any) -> None:
    ws = team["workspace"]
    view = selectors.get_workspace(team["officer"], ws.id)
    assert {m.discipline for m in view.members} == {"social_work", "education", "health", "police"}
    # A member from police can now open the child's record: their agency is involved.
    assert visible_people(team["officer"]).filter(pk=team["child"].id).exists()
    me = actor_for(team["teacher"])
    task = services.do_add_task(
        me,
        workspace_id=ws.id,
        description="Speak with the form tutor",
        assignee="dsl1",
        due_on=dt.date.today() + dt.timedelta(days=3),
    )
    with pytest.raises(ValidationError):
        services.do_add_task(
            me, workspace_id=ws.id, description="x", assignee="stranger", due_on=dt.date.today()
        )
    services.do_complete_task(me, workspace_id=ws.id, task_id=task.id)
    with pytest.raises(ValidationError):
        services.do_record_joint_decision(
            me, workspace_id=ws.id, decision="ICPC", outcome="icpc", agreed_by=["dsl1", "stranger"]
        )
    services.do_record_joint_decision(
        me,
        workspace_id=ws.id,
        decision="Significant harm likely",
        outcome="icpc",
        agreed_by=["dsl1", "sw", "ds1"],
    )
    services.do_remove_member(
        actor_for(social_worker), workspace_id=ws.id, username="nurse", reason="Moved post"
    )
    view = selectors.get_workspace(social_worker, ws.id)
    assert [t.done for t in view.tasks] == [True]
    assert [d.outcome for d in view.decisions] == ["icpc"]
    assert [m.username for m in view.former] == ["nurse"]
    assert view.names["nurse"] == team["nurse"].display_name and set(view.names) >= {"dsl1", "sw", "ds1"}
    # Once removed, the nurse is outside the team.
    with pytest.raises(PermissionDenied):
        selectors.get_workspace(team["nurse"], ws.id)


def test_someone_outside_the_team_cannot_see_the_workspace_on_the_web_or_api(team: dict[str, Any]) -> None:
    ws, stranger = team["workspace"], team["stranger"]
    # The stranger's agency (health) knows the child, but they are not of the team.
    assert visible_people(stranger).filter(pk=team["child"].id).exists()
    with pytest.raises(PermissionDenied):
        selectors.get_workspace(stranger, ws.id)
    with pytest.raises(PermissionDenied):
        services.do_add_task(
            actor_for(stranger), workspace_id=ws.id, description="x", assignee="dsl1", due_on=dt.date.today()
        )
    web = factories.signed_in(stranger)
    page = web.get(f"/s47/{ws.id}")
    assert page.status_code == 403 and "Disclosure" not in page.content.decode()
    api = Client().get(f"/api/cases/s47/{ws.id}", **factories.bearer(stranger))
    assert api.status_code == 403 and "Disclosure" not in api.content.decode()
    # A member sees it on both.
    assert factories.signed_in(team["nurse"]).get(f"/s47/{ws.id}").status_code == 200
    assert Client().get(f"/api/cases/s47/{ws.id}", **factories.bearer(team["nurse"])).status_code == 200
    integrate()
    assert Entry.objects.filter(action="read_denied", actor_user="stranger").count() >= 2
    # The child's record lists the enquiry only for the team.
    record = web.get(f"/people/{team['child'].id}").content.decode()
    assert f"/s47/{ws.id}" not in record
    assert (
        f"/s47/{ws.id}"
        in factories.signed_in(team["nurse"]).get(f"/people/{team['child'].id}").content.decode()
    )


def test_the_nhs_number_page_checks_the_digit_and_records_a_reason(social_worker: Any) -> None:
    child = factories.known_child("social_care")
    web = factories.signed_in(social_worker)
    url = f"/people/{child.id}/nhs-number"
    bad = web.post(url, {"nhs_number": "9434765918"})
    assert bad.status_code == 200 and "modulus-11" in bad.content.decode()
    assert web.post(url, {"reason_code": "not_known_to_health"}).status_code == 302
    assert "Not known to health services" in web.get(f"/people/{child.id}").content.decode()
    assert web.post(url, {"nhs_number": VALID_NHS}).status_code == 302
    record = web.get(f"/people/{child.id}").content.decode()
    assert VALID_NHS in record and "entered by hand" in record


def test_the_api_records_a_reason_then_the_number(social_worker: Any, police_officer: Any) -> None:
    child = factories.known_child("social_care")
    url = f"/api/cases/people/{child.id}/nhs-number"
    auth = factories.bearer(social_worker)
    made = Client().post(url, {"reason_code": "refused"}, content_type="application/json", **auth)
    assert made.status_code == 201 and made.json()["absent_reason"] == "refused"
    bad = Client().post(url, {"nhs_number": "1234567890"}, content_type="application/json", **auth)
    assert bad.status_code in {400, 422} and "modulus-11" in bad.content.decode()
    good = Client().post(url, {"nhs_number": VALID_NHS}, content_type="application/json", **auth)
    assert good.json()["numbers"] == [
        {"value": VALID_NHS, "agency": "social_care", "source": "manual", "ref": ""}
    ]
    assert good.json()["absent_reason"] == ""
    outside = Client().get(url, **factories.bearer(police_officer))
    assert outside.status_code == 403


def test_no_one_grants_themselves_a_child_by_opening_an_enquiry_or_recording_a_decision(
    team: dict[str, Any], make_user: Any
) -> None:
    """Membership gives need to know, so only the team can give it: an outsider can neither open an
    enquiry about a child their agency does not know, nor record a decision about one."""
    child = team["child"]
    outsider = make_user("practitioner", "licensing", username="lic1")
    assert not visible_people(outsider).filter(pk=child.id).exists()
    # The role may open enquiries; this child is not theirs.
    with pytest.raises(PermissionDenied, match="cannot open this child"):
        services.do_open_workspace(actor_for(outsider), person_id=child.id, summary="x")
    with pytest.raises(PermissionDenied, match="only the enquiry's team"):
        services.do_add_member(actor_for(outsider), workspace_id=team["workspace"].id, username="lic1")
    with pytest.raises(PermissionDenied, match="cannot open this child"):
        services.do_record_sharing_decision(
            actor_for(outsider), person_id=child.id, recipients=["police"], what="x", outcome="shared"
        )
    assert not visible_people(outsider).filter(pk=child.id).exists()
    # Added by the team, a police officer's agency is involved with the child from then on.
    assert visible_people(team["officer"]).filter(pk=child.id).exists()
