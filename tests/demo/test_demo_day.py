"""The demo looks like a working day: a small town dated to end this week, imported, linked and analysed,
then the demo's plan and case-work steps, as ``sightline demo`` runs them. What a practitioner or board
member would see must hold together with today's clock."""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from sightline.access.models import User
from sightline.access.services import create_demo_users
from sightline.accountability import selectors as acc
from sightline.accountability.models import Action, Evidence
from sightline.cases.models import Concern, Investigation, MissingEpisode, Screening
from sightline.cases.selectors import suspects_on_bail
from sightline.cases.selectors.screenings import rescreens_due_all
from sightline.demo.dates import PLAN_STORY_DAY, demo_dates, financial_year
from sightline.demo.steps import step_casework, step_generate, step_import, step_plan, step_sharing
from sightline.people.models import Extract, NhsNumberStatus, SourceEvent
from sightline.reports import public, sdc
from sightline.sharing.models import JointDecision, SharingDecision, Workspace
from tests import factories

pytestmark = pytest.mark.django_db
CHILDREN, SEED = 120, 2
# The measures of the months of case work the demo writes (outreach starts in its own step).
FROM_CASE_WORK = {
    "screened_open_cse_concern",
    "return_interview_72h",
    "median_hours_to_triage",
    "victims_per_week",
    "suspects_on_bail",
    "lac_out_of_area_at_risk",
}


@pytest.fixture(scope="module")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("model")


@pytest.fixture
def demo_day(model_cache: Path, settings: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The demo's own steps on a small town (linkage from a model trained once for the module)."""
    settings.HOME = tmp_path / "home"
    settings.HOME.mkdir()
    factories.agencies()
    create_demo_users()
    args = argparse.Namespace(children=CHILDREN, seed=SEED)
    step_generate(args)
    cached, model = model_cache / "model.json", settings.HOME / "linkage" / "model.json"
    if cached.exists():  # the import links month by month: train once for the module
        model.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(cached, model)
    step_import(args)
    factories.link_town(model_cache)
    factories.analyse_town()
    step_plan(args)
    step_casework(args)
    step_sharing(args)
    capsys.readouterr()


def test_the_dates_put_today_inside_the_story() -> None:
    for today in (dt.date(2026, 12, 2), dt.date(2027, 6, 30), dt.date(2031, 2, 28)):
        dates = demo_dates(today)
        moved_story_day = dates.plan_day(PLAN_STORY_DAY)
        assert dates.plan_shift_days % 7 == 0 and 0 <= (today - moved_story_day).days < 7
        assert financial_year(moved_story_day) == 2014 + dates.plan_year_shift
        assert dates.town_ends_on == today - dt.timedelta(days=7)


@pytest.mark.usefixtures("demo_day")
def test_the_plan_is_part_way_through() -> None:
    today = timezone.localdate()
    counts = acc.recommendations_by_status(today=today)
    assert counts["in_progress"] == 4
    assert counts["complete"] >= 5 and counts["overdue"] >= 3
    assert counts["not_started"] == 0
    # done means evidence and a second person's sign-off
    signed = Action.objects.filter(signed_off_at__isnull=False)
    assert signed.count() >= 8
    for action in signed:
        assert Evidence.objects.filter(action=action, withdrawn=False).exists()
        assert action.signed_off_by != action.completed_by
        assert action.completed_at is not None and action.completed_at.date() <= today
    # late, but by weeks, not years
    overdue = acc.overdue_actions(today=today)
    assert overdue and all(0 < (today - item.action.target_date).days < 200 for item in overdue)
    assert acc.moved_target_dates()


@pytest.mark.usefixtures("demo_day")
def test_twelve_months_of_indicators_caseload_and_suspects_on_bail() -> None:
    today = timezone.localdate()
    results = {r.indicator.measure: r for r in acc.indicator_results(months=12)}
    assert set(results) >= FROM_CASE_WORK
    for result in results.values():
        assert len(result.points) == 12 and len([p for p in result.points if not p.partial]) == 11
    for measure in FROM_CASE_WORK:
        complete = [p for p in results[measure].points if not p.partial]
        assert all(p.value is not None for p in complete), (measure, [p.value for p in complete])
    # the hub analysed each month's extracts as they came and worked through the new alerts within days
    alerts = [p.value for p in results["alerts_actioned_7d"].points if not p.partial]
    assert len([v for v in alerts if v is not None]) >= 4, alerts  # a town of 120 has quiet months
    assert any(v for v in alerts), alerts
    assert len({p.value for p in results["median_hours_to_triage"].points}) > 3  # a trend, not a constant

    concerns = Concern.objects.all()
    assert concerns.count() >= 6 * 12
    assert not concerns.filter(raised_at__gt=timezone.now()).exists()
    assert concerns.filter(decided_at__isnull=True).exists()  # today's triage queue is not empty
    assert MissingEpisode.objects.filter(ended_at__isnull=True).count() == 1  # missing now

    res = acc.resources()
    current = [row for row in res.funding_rows() if row.year == financial_year(today)]
    assert current and (current[0].caseload or 0) > 0
    assert any((row.caseload or 0) > 0 for row in res.staffing_rows())

    on_bail = suspects_on_bail(as_of=today)
    assert on_bail
    open_ids = Investigation.objects.filter(status=Investigation.Status.OPEN).values_list("id", flat=True)
    assert {st.investigation_id for st in on_bail} <= set(open_ids)
    assert all(st.bail_end_on is not None and st.bail_end_on >= today for st in on_bail)


@pytest.mark.usefixtures("demo_day")
def test_public_statistics_publish_figures(login: Callable[[Client, User], Client]) -> None:
    stats = public.public_statistics()
    published = [cell for t in stats.tables for row in t.figures.cells for cell in row]
    assert sdc.X not in published  # every period of the year has records behind it
    numbers = [int(c) for c in published if c.isdigit()]
    assert sum(numbers) > 0 and sum(1 for n in numbers if n > sdc.THRESHOLD) >= 3

    home = login(Client(), User.objects.get(username="demo-coordinator")).get("/").content.decode()
    assert "Overdue recommendation actions" in home
    assert "Nothing is overdue" not in home


@pytest.mark.usefixtures("demo_day")
def test_extracts_arrive_monthly_and_rescreens_keep_up() -> None:
    now = timezone.now()
    extracts = Extract.objects.all()
    months = {(e.imported_at.year, e.imported_at.month) for e in extracts}
    assert len(months) >= 15 and all(e.imported_at <= now for e in extracts)
    assert all(e.imported_at.date() >= e.extracted_on for e in extracts)
    # every record and event of the town arrived once, whatever the slicing
    assert SourceEvent.objects.count() == SourceEvent.objects.values("agency", "event_id").distinct().count()
    # screenings follow the news: what is due is due because of this month's news, not a stale backlog
    screened = set(Screening.objects.values_list("person_id", flat=True))
    assert len(screened) >= 4
    for at in Screening.objects.values_list("completed_at", flat=True):  # done in office hours
        local = timezone.localtime(at)
        assert local.weekday() < 5 and 8 <= local.hour < 18, local
    today = now.date()
    for d in rescreens_due_all(now=now):
        # An agency reports an event up to a month late, in its next monthly extract.
        recent_news = any(t.on >= today - dt.timedelta(days=90) for t in d.triggers)
        recently_due = d.reassessment_due and d.last_screening.next_due_on >= today - dt.timedelta(days=45)
        assert recent_news or recently_due, (d.last_screening.completed_at, [t.label for t in d.triggers])


@pytest.mark.usefixtures("demo_day")
def test_the_demo_records_sharing_decisions_nhs_reasons_and_an_s47_enquiry() -> None:
    decisions = SharingDecision.objects.all()
    assert decisions.count() == 3
    assert decisions.filter(outcome="not_shared", reason_code="more_detrimental_to_child").count() == 1
    assert NhsNumberStatus.objects.exists()
    workspace = Workspace.objects.get()
    assert set(workspace.members.values_list("discipline", flat=True)) >= {
        "social_work", "education", "health", "police"
    }  # fmt: skip
    assert workspace.tasks.filter(done=True).count() == 1
    decision = JointDecision.objects.get()
    assert decision.outcome == "icpc"
    # The team joined when the enquiry opened, before it decided: the page must not show them joining later.
    joined = workspace.members.values_list("added_at", flat=True)
    assert all(workspace.opened_on <= timezone.localdate(at) <= decision.decided_on for at in joined)
    assert Extract.objects.filter(child_records__gt=0).exists()
