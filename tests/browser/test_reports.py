"""Reports in a real browser: a board member reads the board report and downloads its PDF; anyone
reads the public statistics without signing in and downloads the open data; the independent reviewer
finds an entry and its proof, verifies the ledger, and exports an evidence pack. Every page passes
axe-core (WCAG 2.2 AA)."""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from sightline.access.models import User
from sightline.accountability import services as acc_services
from sightline.accountability.indicators import shipped_definitions
from sightline.accountability.models import Action
from sightline.ledger.runs import run_verification
from sightline.ledger.services import do_checkpoint, record_action
from sightline.reports import selectors as sel
from tests import factories
from tests.factories import COORDINATOR, HEALTH, POLICE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Check = Callable[[Page], None]
SignIn = Callable[[Page, User], None]
REASON = "Joint funding review waits for the police restructure"


def _plan() -> None:
    factories.sample_plan(COORDINATOR)
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
    factories.agencies()
    quarters = sel.reporting_period().quarters()
    child_id = ""
    for i in range(10):
        child = factories.child("Brioni", family_name=f"Test{i}", actor=COORDINATOR)
        actor = POLICE if i < 8 else HEALTH
        day = (quarters[0] if i < 8 else quarters[1]).start + dt.timedelta(days=5 + i)
        when = dt.datetime.combine(day, dt.time(11), tzinfo=dt.UTC)
        factories.concern(child, when, actor=actor, what_was_seen="Seen with older men")
        child_id = child.id
    return child_id


def test_a_board_member_reads_the_board_report_and_downloads_the_pdf(
    page: Page, board_member: User, sign_in: SignIn, axe_check: Check
) -> None:
    _plan()
    sign_in(page, board_member)
    page.get_by_role("link", name="Accountability", exact=True).click()
    page.get_by_role("link", name="Board report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Safeguarding board report")
    # The page never verifies: until the scheduled verification has run, it says so.
    expect(page.locator("#ledger-result")).to_contain_text("The ledger has not been verified yet")
    axe_check(page)
    run_verification()
    page.reload()
    expect(page.locator("#ledger-checked-at")).to_contain_text("(full check)")
    expect(page.locator("#moved-dates")).to_contain_text(REASON)
    expect(page.locator("#moved-dates")).to_contain_text(COORDINATOR.user)
    expect(page.locator("#overdue-actions")).to_be_visible()
    expect(page.locator("#ledger-result")).to_contain_text("The ledger is intact")
    expect(page.locator("#indicator-summary tbody tr")).to_have_count(len(shipped_definitions()))
    axe_check(page)
    page.locator("#board-status summary").click()  # a chart's table alternative
    expect(page.locator("#board-status-table")).to_be_visible()
    with page.expect_download() as info:
        page.get_by_role("link", name="Download this report as a PDF").click()
    assert info.value.suggested_filename.startswith("board-report-")
    assert info.value.path().read_bytes()[:5] == b"%PDF-"


def test_anyone_reads_the_public_statistics_without_signing_in(page: Page, axe_check: Check) -> None:
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
    text = info.value.path().read_text(encoding="utf-8")
    assert text.startswith("table_id,period_start,period_end,")
    assert "Brioni" not in text


@pytest.fixture
def read_child(reviewer: User, page: Page, sign_in: SignIn) -> str:
    """A child's record read by the police, checkpointed, and the reviewer signed in on ``page``."""
    child_id = _case_data()
    record_action(POLICE, "read", "people.person", child_id, data={"basis": "investigation"})
    do_checkpoint()
    sign_in(page, reviewer)
    return child_id


def test_the_reviewer_finds_a_reading_of_a_record_and_its_proof(
    page: Page, read_child: str, axe_check: Check
) -> None:
    page.get_by_role("link", name="Ledger", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The ledger")
    axe_check(page)
    page.get_by_text("Filter the entries").click()
    page.get_by_label("Who (username)").fill(POLICE.user)
    page.get_by_label("Record id").fill(read_child)
    page.get_by_role("button", name="Show matching entries").click()
    rows = page.locator("#ledger-entries tbody tr")
    expect(rows).to_have_count(1)  # the police officer's reading of the child's record
    expect(rows.first).to_contain_text("read")
    axe_check(page)
    rows.first.get_by_role("link").click()
    expect(page.locator("#proof-result")).to_contain_text("Proof checks")
    axe_check(page)


@pytest.mark.usefixtures("read_child")
def test_the_reviewer_verifies_the_ledger_and_reads_its_checkpoints(page: Page, axe_check: Check) -> None:
    page.goto("/ledger")
    page.get_by_role("link", name="Verify the ledger").click()
    expect(page.get_by_role("button", name="Verify now")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Verify now").click()
    expect(page.locator("#verify-result")).to_contain_text("The ledger is intact")
    axe_check(page)
    page.get_by_role("link", name="Verify the ledger").click()  # the run it made is the latest
    expect(page.locator("#latest-run")).to_contain_text("The latest check (full) ran at")
    axe_check(page)
    page.get_by_role("link", name="Signed checkpoints").click()
    expect(page.locator("#checkpoints tbody tr")).to_have_count(1)
    axe_check(page)


def test_the_reviewer_exports_an_evidence_pack_about_a_child(
    page: Page, read_child: str, axe_check: Check
) -> None:
    page.goto("/ledger")
    page.get_by_role("link", name="Export an evidence pack").click()
    expect(page.get_by_label("Person id")).to_be_attached()
    axe_check(page)
    page.get_by_label("Every entry about a child or other person").check()
    page.get_by_label("Person id").fill(read_child)
    page.get_by_label("Why is the pack needed?").fill("Independent review of the handling of this case")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the evidence pack").click()
    with zipfile.ZipFile(info.value.path()) as zf:
        assert any(n.endswith("/verify_pack.py") for n in zf.namelist())
        assert sum(1 for n in zf.namelist() if "/entries/" in n) >= 2
