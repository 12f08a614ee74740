"""The board report from live data: plan progress, overdue actions, moved dates (old, new, reason, who),
indicators, resources and the ledger's verification, as a page and a PDF, with no personal data."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sightline.accountability import services as acc_services
from sightline.accountability.models import Action, Recommendation
from sightline.cases import services as cases
from sightline.ledger.models import Entry
from sightline.ledger.runs import run_verification
from sightline.ledger.services import do_checkpoint, integrate, record_action
from sightline.people.models import Person
from sightline.people.services import do_create_person
from sightline.reports import board
from sightline.reports.pdf import render_pdf
from tests.factories import COORDINATOR, POLICE, YOUTH, on, sample_plan

pytestmark = pytest.mark.django_db

MOVE_REASON = "Police restructure delayed the joint funding review"


def _plan_with_a_moved_date() -> Action:
    sample_plan(COORDINATOR)
    action = Action.objects.order_by("recommendation__position", "position").first()
    assert action is not None
    acc_services.do_update_action(
        COORDINATOR,
        action_id=action.id,
        target_date=action.target_date + dt.timedelta(days=61),
        reason=MOVE_REASON,
    )
    return Action.objects.get(pk=action.id)


def _children() -> list[Person]:
    """Children with concerns, screenings and missing episodes, so that the indicators have data."""
    kids = []
    now = dt.datetime.now(dt.UTC)
    for i in range(3):
        child = do_create_person(
            actor=COORDINATOR,
            kind="child",
            given_name="Philomena",
            family_name=f"Zanzibar{i}",
            ethnicity="WBRI",
        )
        when = on((now - dt.timedelta(days=40 + i)).date())
        cases.do_raise_concern(
            actor=POLICE,
            person_id=child.id,
            what_was_seen="Picked up from school by an older man in a silver car",
            occurred_at=when - dt.timedelta(hours=1),
            urgency="standard",
            now=when,
        )
        cases.do_complete_screening(
            actor=COORDINATOR,
            person_id=child.id,
            answers={"V01": {"current": True}},
            now=when + dt.timedelta(days=1),
        )
        cases.do_record_missing_episode(
            actor=YOUTH,
            person_id=child.id,
            category="M",
            started_at=when + dt.timedelta(days=2),
            ended_at=when + dt.timedelta(days=2, hours=6),
        )
        kids.append(child)
    return kids


def pdf_text(raw: bytes) -> str:
    """The text drawn in an uncompressed reportlab PDF, one space between strings."""
    parts = re.findall(rb"\(((?:[^()\\]|\\.)*)\)\s*Tj", raw)
    text = " ".join(p.decode("latin-1").replace("\\(", "(").replace("\\)", ")") for p in parts)
    return re.sub(r"\s+", " ", text)


def test_the_report_is_built_from_live_data() -> None:
    moved = _plan_with_a_moved_date()
    run_verification()  # the scheduled job; the report itself never verifies
    report = board.board_report(today=dt.date(2014, 12, 15))
    assert report.total_recommendations == 15
    counts = {k: n for k, _label, n in report.status_counts}
    assert counts["overdue"] >= 11  # by mid-December 2014 the September and November dates have passed
    assert report.overdue and all(item.days_overdue > 0 for item in report.overdue)
    [change] = [m for m in report.moved if m.change.action_id == moved.id]
    assert change.change.new_date == change.change.old_date + dt.timedelta(days=61)
    assert change.change.reason == MOVE_REASON
    assert change.change.changed_by == COORDINATOR.user
    assert [line.indicator.key for line in report.indicators] == [
        "screened-open-cse-concern",
        "return-interview-72h",
        "median-time-to-triage",
        "victims-coming-forward",
        "suspects-on-bail",
        "hidden-victim-alerts-actioned-7d",
        "lac-out-of-area-at-risk",
        "outreach-contacted",
        "outreach-time-to-contact",
        "outreach-workers-funded",
        "nhs-number-completeness",
    ]
    assert all(len(line.result.points) == 12 for line in report.indicators)
    assert report.ledger.verified and report.ledger.ok and report.ledger.problem_count == 0
    assert report.ledger.size > 0 and report.ledger.kind == "full"
    assert report.ledger.rows_checked > 0


def test_the_board_reads_the_page_and_others_cannot(
    client: Client, board_member: Any, practitioner: Any, login: Any
) -> None:
    _plan_with_a_moved_date()
    do_checkpoint()
    run_verification()
    assert client.get("/reports/board").status_code == 302  # not signed in
    login(client, practitioner)
    assert client.get("/reports/board").status_code == 403
    client.logout()
    login(client, board_member)
    before = Entry.objects.filter(action="read_board_report").count()
    response = client.get("/reports/board")
    assert response.status_code == 200
    html = response.content.decode()
    for section in (
        "Recommendations by status",
        "Overdue actions",
        "Moved target dates",
        "Indicators against targets",
        "Resources against caseload",
        "Ledger verification",
    ):
        assert section in html
    assert MOVE_REASON in html
    assert "The ledger is intact" in html
    assert re.search(r'id="ledger-size">\d+<', html)
    assert "Last signed checkpoint" in html and "None signed yet" not in html
    assert 'href="/reports/board.pdf"' in html
    assert "<svg" in html and "Show the data as a table" in html  # charts with their tables
    integrate()
    assert (
        Entry.objects.filter(action="read_board_report", actor_user=board_member.username).count()
        == before + 1
    )


def test_every_pdf_page_is_marked_with_who_printed_it() -> None:
    _plan_with_a_moved_date()
    report = board.board_report()
    raw = render_pdf(report, printed_for="Bernie Walsh (demo-board)", compress=False)
    pages = raw.count(b"/Type /Page\n") or raw.count(b"/Type /Page ")
    text = pdf_text(raw)
    assert pages >= 2
    assert text.count("OFFICIAL-SENSITIVE") == 2 * pages  # top and bottom of each page
    assert text.count("Printed by Bernie Walsh (demo-board) on ") == pages
    assert f"Page {pages}" in text


def test_the_pdf_download(client: Client, board_member: Any, login: Any) -> None:
    _plan_with_a_moved_date()
    run_verification()
    login(client, board_member)
    response = client.get("/reports/board.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="board-report-')
    assert response.content.startswith(b"%PDF-")
    integrate()
    assert Entry.objects.filter(action="download_board_report", actor_user=board_member.username).exists()
    report = board.board_report()
    text = pdf_text(render_pdf(report, area="Test Borough", compress=False))
    for wanted in ("Safeguarding board report", "Test Borough", "Moved target dates", "Ledger verification"):
        assert wanted in text
    assert "Intact" in text
    assert MOVE_REASON in text
    # The charts of the page, drawn from the same chart specs: titles, axis labels and target lines.
    charts = [report.status_chart(), *(line.chart() for line in report.indicators)]
    charts += [spec for _id, spec in report.resource_charts()]
    assert {spec.title for spec in charts} >= {
        "Funding by financial year, all lines",
        "Staff against caseload by year",
    }
    for spec in charts:
        assert spec.title in text and spec.y_label in text
        assert all(t.label in text for t in spec.thresholds)


def test_no_person_appears_in_the_report(client: Client, board_member: Any, login: Any) -> None:
    _plan_with_a_moved_date()
    kids = _children()
    # A tampered person row: the ledger check fails, and its message would name the person; the
    # board sees only how many problems there are.
    with connection.cursor() as cursor:  # straight into the table, past the ledger
        cursor.execute("UPDATE people_person SET given_name = %s WHERE id = %s", ["Tamperina", kids[0].pk])
    run_verification(full=True)
    login(client, board_member)
    html = client.get("/reports/board").content.decode()
    assert "The ledger failed verification" in html
    raw = render_pdf(board.board_report(), compress=False)
    assert "FAILED verification" in pdf_text(raw)
    for text, label in ((html, "page"), (raw.decode("latin-1"), "pdf"), (pdf_text(raw), "pdf text")):
        for kid in kids:
            assert kid.id not in text, label
            assert kid.family_name not in text, label
        assert "Philomena" not in text and "Tamperina" not in text, label


def test_a_tampered_record_shows_as_a_failed_check() -> None:
    _plan_with_a_moved_date()
    rec = Recommendation.objects.first()
    assert rec is not None
    with connection.cursor() as cursor:  # straight into the table, past the ledger
        cursor.execute(
            "UPDATE accountability_recommendation SET title = %s WHERE id = %s", ["Quietly reworded", rec.pk]
        )
    run_verification()
    report = board.board_report()
    assert not report.ledger.ok and report.ledger.problem_count >= 1


def test_before_any_run_the_report_says_it_is_not_verified(
    client: Client, board_member: Any, login: Any
) -> None:
    _plan_with_a_moved_date()
    report = board.board_report()
    assert not report.ledger.verified and report.ledger.checked_at is None
    login(client, board_member)
    html = client.get("/reports/board").content.decode()
    assert "The ledger has not been verified yet" in html and "The ledger is intact" not in html
    assert "Not verified yet" in pdf_text(render_pdf(board.board_report(), compress=False))


def _board_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/reports/board").status_code == 200
    return len(queries)


def test_the_report_does_not_read_the_ledger_however_long(
    client: Client, board_member: Any, login: Any
) -> None:
    _plan_with_a_moved_date()
    run_verification()
    login(client, board_member)
    _board_queries(client)  # first reads warm per-process caches
    small = _board_queries(client)
    size = integrate()
    for i in range(300):  # reads, as every page view adds
        record_action(COORDINATOR, "read", "people.person", f"P-{i}")
    assert integrate() >= size + 300
    run_verification()
    assert _board_queries(client) == small
    status = board.board_report().ledger
    assert status.ok and status.kind == "incremental" and status.entries_checked < 400
