"""Reports in a real browser: a board member reads the board report and downloads its PDF; anyone reads
the public statistics without signing in and downloads the open data; the independent reviewer browses
the ledger, verifies it, and exports an evidence pack. Every page passes axe-core (WCAG 2.2 AA)."""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from sightline.access.services import ensure_standard_agencies
from sightline.accountability import services as acc_services
from sightline.accountability.models import Action
from sightline.cases import services as cases
from sightline.ledger.services import Actor, do_checkpoint, record_action
from sightline.people.services import do_create_person
from sightline.reports import selectors as sel

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COORDINATOR = Actor(user="cse.coord", agency="mash", role="cse_coordinator")
POLICE = Actor(user="pc.officer", agency="police", role="manager")
REASON = "Joint funding review waits for the police restructure"


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _plan() -> None:
    ensure_standard_agencies()
    acc_services.do_import_sample_plan(COORDINATOR, key="rotherham-2014")
    action = Action.objects.order_by("recommendation__position", "position").first()
    assert action is not None
    acc_services.do_update_action(
        COORDINATOR,
        action_id=action.id,
        target_date=action.target_date + dt.timedelta(days=30),
        reason=REASON,
    )
    do_checkpoint()


def _case_data() -> str:
    """Concerns in the reporting period: 8 from the police in its first quarter and 2 from health in its
    second (the 2 is hidden; nothing else in its row or column can give it away)."""
    ensure_standard_agencies()
    quarters = sel.reporting_period().quarters()
    child_id = ""
    for i in range(10):
        child = do_create_person(actor=COORDINATOR, kind="child", given_name="Brioni", family_name=f"Test{i}")
        actor = POLICE if i < 8 else Actor(user="nurse", agency="health", role="manager")
        day = (quarters[0] if i < 8 else quarters[1]).start + dt.timedelta(days=5 + i)
        when = dt.datetime.combine(day, dt.time(11), tzinfo=dt.UTC)
        cases.do_raise_concern(
            actor=actor,
            person_id=child.id,
            what_was_seen="Seen with older men",
            occurred_at=when - dt.timedelta(hours=1),
            urgency="standard",
            now=when,
        )
        child_id = child.id
    return child_id


def test_a_board_member_reads_the_board_report_and_downloads_the_pdf(
    page: Any, make_user: Callable[..., Any], login: Callable[..., None], axe_check: Callable[[Any], None]
) -> None:
    _plan()
    board = make_user("board_member", "mash", username="board.chair")
    login(page, board)
    page.get_by_role("link", name="Board report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Safeguarding board report")
    expect(page.locator("#moved-dates")).to_contain_text(REASON)
    expect(page.locator("#moved-dates")).to_contain_text(COORDINATOR.user)
    expect(page.locator("#overdue-actions")).to_be_visible()
    expect(page.locator("#ledger-result")).to_contain_text("The ledger is intact")
    expect(page.locator("#indicator-summary tbody tr")).to_have_count(7)
    axe_check(page)
    page.locator("#board-status summary").click()  # a chart's table alternative
    expect(page.locator("#board-status-table")).to_be_visible()
    with page.expect_download() as info:
        page.get_by_role("link", name="Download this report as a PDF").click()
    download = info.value
    assert download.suggested_filename.startswith("board-report-")
    with open(download.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"


def test_anyone_reads_the_public_statistics_without_signing_in(
    page: Any, axe_check: Callable[[Any], None]
) -> None:
    _case_data()
    page.goto("/statistics")
    expect(page.get_by_role("heading", level=1)).to_have_text("Child sexual exploitation: public statistics")
    table = page.locator("#table-concerns_by_agency_and_quarter")
    police = table.locator("tr", has=page.locator("th", has_text="Police"))
    expect(police.locator("td").first).to_have_text("8")
    health = table.locator("tr", has=page.locator("th", has_text="Health"))
    expect(health.locator("td").nth(1)).to_have_text("c")
    expect(page.locator("main")).not_to_contain_text("Brioni")
    axe_check(page)
    with page.expect_download() as info:
        page.get_by_role("link", name="Open data (CSV): every figure on this page").click()
    with open(info.value.path(), encoding="utf-8") as fh:
        text = fh.read()
    assert text.startswith("table_id,period_start,period_end,")
    assert "Brioni" not in text


def test_the_reviewer_browses_and_verifies_the_ledger_and_exports_a_pack(
    page: Any, make_user: Callable[..., Any], login: Callable[..., None], axe_check: Callable[[Any], None]
) -> None:
    child_id = _case_data()
    record_action(POLICE, "read", "people.person", child_id, data={"basis": "investigation"})
    do_checkpoint()
    reviewer = make_user("independent_reviewer", "independent_review", username="the.reviewer")
    login(page, reviewer)
    page.get_by_role("link", name="Ledger", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The ledger")
    axe_check(page)

    page.get_by_text("Filter the entries").click()
    page.get_by_label("Who (username)").fill(POLICE.user)
    page.get_by_label("Record id").fill(child_id)
    page.get_by_role("button", name="Show matching entries").click()
    rows = page.locator("#ledger-entries tbody tr")
    expect(rows).to_have_count(1)  # the police officer's reading of the child's record
    expect(rows.first).to_contain_text("read")
    axe_check(page)

    rows.first.get_by_role("link").click()
    expect(page.locator("#proof-result")).to_contain_text("Proof checks")
    axe_check(page)

    page.get_by_role("link", name="All ledger entries").click()
    page.get_by_role("link", name="Verify the ledger").click()
    axe_check(page)
    page.get_by_role("button", name="Verify now").click()
    expect(page.locator("#verify-result")).to_contain_text("The ledger is intact")
    axe_check(page)

    page.get_by_role("link", name="Signed checkpoints").click()
    expect(page.locator("#checkpoints tbody tr")).to_have_count(1)
    axe_check(page)

    page.get_by_role("link", name="Export an evidence pack").click()
    axe_check(page)
    page.get_by_label("Every entry about a child or other person").check()
    page.get_by_label("Person id").fill(child_id)
    page.get_by_label("Why is the pack needed?").fill("Independent review of the handling of this case")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the evidence pack").click()
    with zipfile.ZipFile(info.value.path()) as zf:
        assert any(n.endswith("/verify_pack.py") for n in zf.namelist())
        assert sum(1 for n in zf.namelist() if "/entries/" in n) >= 2
