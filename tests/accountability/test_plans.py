"""Importing plans (YAML and CSV), the shipped Rotherham sample, and re-importing with moved dates."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from sightline.access.services import actor_for
from sightline.accountability import selectors as sel
from sightline.accountability import services
from sightline.accountability.models import Action, Recommendation, ResponsePlan, TargetDateChange
from sightline.accountability.planfile import PlanFileError, parse_plan
from sightline.ledger.models import Entry
from sightline.ledger.services import SYSTEM, integrate

pytestmark = pytest.mark.django_db

SAMPLE = services.sample_plan_path("rotherham-2014")
TODAY = dt.date(2014, 9, 1)

HEADER = (
    "plan_key,plan_title,inquiry,recommendation_ref,recommendation_title,recommendation_target_date,indicators,"
    "action_ref,action_description,owner_agency,owner_person,owner_user,action_target_date,action_status"
)
ROWS = [
    "telford-2022,Telford response plan,Telford inquiry,T1,Hear every victim,2023-03-31,"
    "victims-coming-forward,T1.1,Open a helpline,police,CSE lead,,2023-01-31,in_progress",
    "telford-2022,Telford response plan,Telford inquiry,T1,,,,T1.2,Publicise it,social_care,,,2023-02-28,",
    "telford-2022,Telford response plan,Telford inquiry,T2,Review taxi licensing,2023-06-30,,"
    "T2.1,Check every licence,licensing,Head of Licensing,,2023-06-30,",
]
CSV = "\n".join([HEADER, *ROWS, ""]).encode()


def test_the_rotherham_sample_plan_has_the_published_shape(coordinator: Any) -> None:
    summary = services.do_import_sample_plan(actor_for(coordinator), key="rotherham-2014")
    plan = summary.plan
    assert summary.created and plan.key == "rotherham-2014"
    recs = list(plan.recommendations.all())
    assert len(recs) == 15
    by_date: dict[dt.date, int] = {}
    for r in recs:
        by_date[r.target_date] = by_date.get(r.target_date, 0) + 1
    assert by_date[dt.date(2014, 9, 30)] == 4
    assert by_date[dt.date(2014, 11, 30)] == 7
    view = sel.plan_view(plan, today=TODAY)
    assert view.counts == {"not_started": 11, "in_progress": 4, "complete": 0, "overdue": 0}
    titles = " | ".join(r.title for r in recs)
    for named in (
        "£2.35m for 2014/15",
        "Reach victims not yet in touch with services",
        "Restore open-access outreach",
        "minority ethnic communities",
        "looked-after children, including out-of-area placements",
    ):
        assert named in titles
    by_name = [r for r in recs if not r.illustrative]
    assert len(by_name) == 5 and all(r.illustrative for r in recs if r not in by_name)
    assert "illustrative" in plan.illustrative_note.lower()
    # Resources and the engagement plan come with it.
    res = sel.resources()
    assert [(f.financial_year, f.amount) for f in res.funding] == [(2014, 2350000)]
    assert [(s.year, s.staff) for s in res.staffing] == [(2010, 3), (2014, 62)]
    assert sel.engagement_events().count() == 1
    # After both deadlines, everything not signed off is overdue, worked out from the dates.
    assert sel.plan_view(plan, today=dt.date(2014, 12, 1)).counts["overdue"] == 11


def test_reimporting_the_same_file_changes_nothing(coordinator: Any) -> None:
    actor = actor_for(coordinator)
    services.do_import_sample_plan(actor, key="rotherham-2014")
    integrate()
    before = Entry.objects.count()
    again = services.do_import_sample_plan(actor, key="rotherham-2014")
    integrate()
    assert again.unchanged and Entry.objects.count() == before


def test_a_changed_plan_that_moves_dates_needs_a_reason(coordinator: Any) -> None:
    actor = actor_for(coordinator)
    services.do_import_sample_plan(actor, key="rotherham-2014")
    moved = SAMPLE.read_text().replace("target_date: 2014-09-30", "target_date: 2014-10-31", 1)
    with pytest.raises(PlanFileError) as err:
        services.do_import_plan(actor, content=moved.encode(), name="rotherham-2014.yaml")
    assert any(
        ":target_date: moving R5 from 2014-09-30 to 2014-10-31 needs a reason" in p
        for p in err.value.problems
    )
    assert Recommendation.objects.get(ref="R5").target_date == dt.date(2014, 9, 30)  # all or nothing
    summary = services.do_import_plan(
        actor, content=moved.encode(), name="rotherham-2014.yaml", reason="Board agreed"
    )
    assert summary.dates_moved == 3  # R5 and its two actions, which followed its date
    r5 = Recommendation.objects.get(ref="R5")
    assert r5.target_date == dt.date(2014, 10, 31)
    changes = sel.moved_target_dates()
    assert {
        (m.what, m.change.old_date, m.change.new_date, m.change.reason, m.change.changed_by) for m in changes
    } == {
        ("R5", dt.date(2014, 9, 30), dt.date(2014, 10, 31), "Board agreed", "coord"),
        ("R5/R5.1", dt.date(2014, 9, 30), dt.date(2014, 10, 31), "Board agreed", "coord"),
        ("R5/R5.2", dt.date(2014, 9, 30), dt.date(2014, 10, 31), "Board agreed", "coord"),
    }


def test_csv_plan_imports_another_inquiry_the_same_way(coordinator: Any) -> None:
    summary = services.do_import_plan(actor_for(coordinator), content=CSV, name="telford.csv")
    plan = ResponsePlan.objects.get(key="telford-2022")
    assert summary.created and plan.title == "Telford response plan"
    assert [(r.ref, r.target_date, r.indicator_keys) for r in plan.recommendations.order_by("position")] == [
        ("T1", dt.date(2023, 3, 31), ["victims-coming-forward"]),
        ("T2", dt.date(2023, 6, 30), []),
    ]
    t11 = Action.objects.get(ref="T1.1")
    assert (t11.owner_agency_id, t11.owner_name, t11.status) == ("police", "CSE lead", "in_progress")
    assert Action.objects.get(ref="T1.2").status == "not_started"


def test_bad_files_name_file_row_and_field(coordinator: Any) -> None:
    bad_csv = CSV.replace(b"2023-01-31,in_progress", b"2023-31-01,complete").replace(
        b"licensing,", b"nowhere,"
    )
    with pytest.raises(PlanFileError) as err:
        parse_plan(bad_csv, "telford.csv")
    assert err.value.problems == [
        "telford.csv:2:action_target_date: '2023-31-01' is not a date (use YYYY-MM-DD)",
        "telford.csv:2:action_status: 'complete' cannot be imported: use not_started or in_progress "
        "(complete needs evidence and a second person's sign-off, in Sightline)",
    ]
    with pytest.raises(PlanFileError) as err:
        services.do_import_plan(
            actor_for(coordinator), content=CSV.replace(b"licensing,", b"nowhere,"), name="t.csv"
        )
    assert err.value.problems == ["t.csv:4:owner agency: there is no agency 'nowhere'"]
    yaml_text = (
        b"plan: {key: x, title: X}\nrecommendations:\n  - ref: R1\n    title: T\n    target_date: soon\n"
    )
    with pytest.raises(PlanFileError) as err:
        parse_plan(yaml_text, "x.yaml")
    assert err.value.problems == [
        "x.yaml:3:target_date: 'soon' is not a date (use YYYY-MM-DD)",
        "x.yaml:3:actions: recommendation R1 needs at least one action",
    ]
    unknown = (
        b"plan: {key: x, title: X}\nrecommendations:\n  - {ref: R1, title: T, target_date: 2020-01-01, "
        b"indicators: [nope], actions: [{ref: A, description: D, owner: {agency: police}}]}\n"
    )
    with pytest.raises(PlanFileError) as err:
        services.do_import_plan(actor_for(coordinator), content=unknown, name="x.yaml")
    assert err.value.problems == ["x.yaml:3:indicators: unknown indicator 'nope'"]
    with pytest.raises(PlanFileError, match=r"x\.txt:1:file: a plan must be"):
        parse_plan(b"", "x.txt")
    assert not ResponsePlan.objects.exists()


def test_a_plan_can_define_its_own_indicator(coordinator: Any) -> None:
    text = b"""
plan: {key: casey-2015, title: Casey plan}
indicators:
  - key: bail-watch
    name: Suspects on bail (Casey)
    definition: Suspects on bail at the end of the month.
    measure: suspects_on_bail
    unit: count
    target: 3
    direction: lower
recommendations:
  - ref: C1
    title: Watch bail
    target_date: 2015-12-31
    indicators: [bail-watch]
    actions: [{ref: C1.1, description: Review bail weekly, owner: {agency: police}}]
"""
    services.do_import_plan(actor_for(coordinator), content=text, name="casey.yaml")
    ind = sel.get_indicator("bail-watch")
    assert (ind.measure, ind.target, ind.direction) == ("suspects_on_bail", 3.0, "lower")
    bad = text.replace(b"measure: suspects_on_bail", b"measure: typed_in_number")
    with pytest.raises(PlanFileError) as err:
        parse_plan(bad, "casey.yaml")
    assert err.value.problems[0].startswith("casey.yaml:4:measure: 'typed_in_number' is not a measure")


def test_only_managing_roles_import(practitioner: Any, board_member: Any) -> None:
    for user in (practitioner, board_member):
        with pytest.raises(PermissionDenied):
            services.do_import_sample_plan(actor_for(user), key="rotherham-2014")


def test_moving_a_date_by_hand_needs_a_reason_and_history_shows_it(coordinator: Any) -> None:
    services.do_import_sample_plan(SYSTEM, key="rotherham-2014")
    action = Action.objects.get(ref="R9.1")
    with pytest.raises(Exception, match="say why the target date is moving"):
        services.do_update_action(
            actor_for(coordinator), action_id=action.id, target_date=dt.date(2015, 1, 31)
        )
    services.do_update_action(
        actor_for(coordinator),
        action_id=action.id,
        target_date=dt.date(2015, 1, 31),
        reason="Outreach staff start in January",
    )
    change = TargetDateChange.objects.get(action=action)
    assert (change.old_date, change.new_date, change.changed_by) == (
        dt.date(2014, 11, 30),
        dt.date(2015, 1, 31),
        "coord",
    )
    history = sel.action_history(Action.objects.get(pk=action.pk))
    moved = [h for h in history if h.summary == "Target date moved"]
    assert len(moved) == 1
    assert ("Target date", "2014-11-30", "2015-01-31") in moved[0].changes
    assert moved[0].entry.reason == "Outreach staff start in January" and moved[0].entry.actor_user == "coord"
