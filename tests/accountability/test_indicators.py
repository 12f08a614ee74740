"""Each shipped indicator on hand-built case data with a known answer, month by month.

The data goes in through the case-work services (and the intelligence service for alert status), as
real records would; the indicators read nothing typed in.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from sightline.accountability import indicators as ind
from sightline.accountability import selectors
from sightline.cases import services as cases
from sightline.intelligence.models import Alert
from sightline.intelligence.services import do_set_alert_status
from sightline.ledger.services import SYSTEM, do_create
from sightline.outreach import services as outreach
from sightline.people.models import Extract
from tests.factories import MILD, NOT_AT_RISK, adult, agencies, at, child, concern, screening, triage, user

pytestmark = pytest.mark.django_db

NOW = at(2026, 6, 15, 12, 0)


def series(measure: str, months: int) -> list[Any]:
    return ind.compute(measure, ind.month_windows(months, NOW))


def values(measure: str, months: int) -> list[float | None]:
    return [None if v.value is None else round(v.value, 4) for v in series(measure, months)]


def test_month_windows_are_local_calendar_months_ending_now() -> None:
    windows = ind.month_windows(3, NOW)
    assert [w.first_day for w in windows] == [dt.date(2026, 4, 1), dt.date(2026, 5, 1), dt.date(2026, 6, 1)]
    assert [w.last_day for w in windows] == [dt.date(2026, 4, 30), dt.date(2026, 5, 31), dt.date(2026, 6, 15)]
    assert [w.partial for w in windows] == [False, False, True]
    assert windows[-1].end == NOW
    jan = ind.month_windows(2, at(2027, 1, 3))
    assert [w.first_day for w in jan] == [dt.date(2026, 12, 1), dt.date(2027, 1, 1)]


def test_screened_open_cse_concern() -> None:
    a, b, c, d, e, f = (child(n) for n in "ABCDEF")
    ca = concern(a, at(2026, 5, 10, 9))
    triage(ca, at(2026, 5, 11, 9))
    screening(a, at(2026, 5, 12, 9))  # open and screened
    concern(b, at(2026, 5, 20, 9))  # open, never screened
    cc = concern(c, at(2026, 5, 5, 9))
    triage(cc, at(2026, 5, 6, 9), "no_further_action")  # closed: not open
    screening(d, at(2026, 1, 10, 9))  # screened, but more than 3 months before the end of May
    concern(d, at(2026, 4, 1, 9))
    ce = concern(e, at(2026, 5, 3, 9))
    cases.do_withdraw_concern(concern_id=ce.id, actor=SYSTEM, reason="raised about the wrong child")
    concern(f, at(2026, 6, 2, 9))
    screening(f, at(2026, 6, 3, 9))
    # April: D open, unscreened. May: A screened of A, B, D. June: A and F screened of A, B, D, F.
    assert values("screened_open_cse_concern", 3) == [0.0, round(100 / 3, 4), 50.0]
    v = series("screened_open_cse_concern", 3)[2]
    assert (v.numerator, v.denominator) == (2, 4)


def test_screened_share_has_no_value_without_open_concerns() -> None:
    assert values("screened_open_cse_concern", 2) == [None, None]


def _episode(person: Any, ended: dt.datetime | None, offered_after_hours: float | None = None) -> Any:
    started = (ended or NOW) - dt.timedelta(hours=20)
    ep = cases.do_record_missing_episode(
        actor=SYSTEM, person_id=person.id, category="M", started_at=started, ended_at=ended, now=NOW
    )
    if ended is not None and offered_after_hours is not None:
        cases.do_offer_return_interview(
            episode_id=ep.id,
            actor=SYSTEM,
            offered_at=ended + dt.timedelta(hours=offered_after_hours),
            now=NOW,
        )
    return ep


def test_return_interview_within_72_hours() -> None:
    kid = child()
    _episode(kid, at(2026, 5, 3, 10), 24)  # within
    _episode(kid, at(2026, 5, 10, 10), 96)  # outside
    _episode(kid, at(2026, 5, 20, 10))  # never offered, 72 hours long gone: counts against
    _episode(kid, at(2026, 5, 25, 10), 72)  # exactly 72 hours: within
    _episode(kid, at(2026, 6, 14, 20))  # still inside its 72 hours: not decided, left out
    _episode(kid, at(2026, 6, 1, 9), 47)  # within
    _episode(kid, None)  # still missing: left out
    assert values("return_interview_72h", 2) == [50.0, 100.0]
    may = series("return_interview_72h", 2)[0]
    assert (may.numerator, may.denominator) == (2, 4)


def test_median_time_to_triage() -> None:
    kid = child()
    for day, hours in ((1, 2), (2, 10), (3, 30)):
        raised = at(2026, 5, day, 9)
        c = concern(kid, raised)
        triage(c, raised + dt.timedelta(hours=hours))
    first = concern(kid, at(2026, 5, 4, 9))  # re-triaged later: the first decision counts
    triage(first, at(2026, 5, 4, 9) + dt.timedelta(hours=1), "advice")
    triage(first, at(2026, 5, 6, 9), "screening")
    concern(kid, at(2026, 5, 5, 9))  # not triaged yet: left out
    for hours in (4, 6):
        raised = at(2026, 6, 2, 9)
        triage(concern(kid, raised), raised + dt.timedelta(hours=hours))
    # May: 1, 2, 10, 30 hours -> median 6. June: 4 and 6 -> 5. April: nothing.
    assert values("median_hours_to_triage", 3) == [None, 6.0, 5.0]


def test_victims_coming_forward_per_week() -> None:
    def came_forward(day: dt.date) -> None:
        cases.do_record_self_referral(actor=SYSTEM, received_on=day, channel="phone", now=NOW)

    came_forward(dt.date(2026, 4, 30))
    for d in range(1, 10):
        came_forward(dt.date(2026, 5, d * 3))
    for d in (1, 8, 15):
        came_forward(dt.date(2026, 6, d))
    may, june = values("victims_per_week", 2)
    assert may == round(9 / (31 / 7), 4)
    assert june == round(3 / (15 / 7), 4)  # the current month: the 15 days so far


def test_suspects_on_bail() -> None:
    inv = cases.do_open_investigation(
        actor=SYSTEM, operation_name="Operation Test", opened_on=dt.date(2026, 3, 1)
    )
    s1, s2, s3, s4 = (adult(n) for n in ("One", "Two", "Three", "Four"))
    for s in (s1, s2, s3, s4):
        cases.do_link_investigation_person(
            investigation_id=inv.id, actor=SYSTEM, person_id=s.id, role="suspect"
        )

    def status(person: Any, state: str, day: dt.date, bail_end: dt.date | None = None) -> None:
        cases.do_record_suspect_status(
            investigation_id=inv.id,
            actor=SYSTEM,
            person_id=person.id,
            status=state,
            effective_on=day,
            bail_conditions="no contact with the victim" if state == "bail" else "",
            bail_end_on=bail_end,
            now=NOW,
        )

    status(s1, "arrested", dt.date(2026, 4, 2))
    status(s1, "bail", dt.date(2026, 4, 3), dt.date(2026, 7, 31))
    status(s2, "bail", dt.date(2026, 5, 5), dt.date(2026, 5, 20))  # bail ended before the end of May
    status(s3, "bail", dt.date(2026, 5, 10), dt.date(2026, 8, 1))
    status(s3, "charged", dt.date(2026, 5, 25))
    status(s4, "bail", dt.date(2026, 6, 1), dt.date(2026, 9, 1))
    assert values("suspects_on_bail", 3) == [1.0, 1.0, 2.0]


def _alert(person_id: str, raised: dt.datetime, kind: str = Alert.Kind.CHILD_AT_RISK) -> Alert:
    return do_create(
        Alert(kind=kind, subject_id=person_id, score=1.0, reasons="test", first_raised_at=raised),
        actor=SYSTEM,
    )


def _set_status(monkeypatch: pytest.MonkeyPatch, alert: Alert, status: str, when: dt.datetime) -> None:
    # The status history's times are the ledger's: set the clock the service and the ledger read.
    monkeypatch.setattr(timezone, "now", lambda: when)
    reason = "not a concern" if status == "dismissed" else ""
    do_set_alert_status(SYSTEM, alert_id=alert.id, status=status, reason=reason)
    monkeypatch.undo()


def test_hidden_victim_alerts_actioned_within_7_days(monkeypatch: pytest.MonkeyPatch) -> None:
    kid = child()
    a1 = _alert(kid.id, at(2026, 5, 2, 10))
    _set_status(monkeypatch, a1, "actioned", at(2026, 5, 5, 10))  # 3 days
    a2 = _alert(kid.id, at(2026, 5, 10, 10))
    _set_status(monkeypatch, a2, "actioned", at(2026, 5, 20, 10))  # 10 days: late
    _alert(kid.id, at(2026, 5, 12, 10))  # never actioned
    a4 = _alert(kid.id, at(2026, 5, 14, 10))
    _set_status(monkeypatch, a4, "under_review", at(2026, 5, 15, 10))
    _set_status(monkeypatch, a4, "actioned", at(2026, 5, 18, 10))  # 4 days
    a5 = _alert(kid.id, at(2026, 5, 3, 10), kind=Alert.Kind.ADULT_OF_CONCERN)  # not a hidden-victim alert
    _set_status(monkeypatch, a5, "actioned", at(2026, 5, 4, 10))
    a8 = _alert(kid.id, at(2026, 5, 20, 10))
    _set_status(monkeypatch, a8, "actioned", at(2026, 5, 22, 10))  # first actioned in 2 days counts
    _set_status(monkeypatch, a8, "under_review", at(2026, 5, 23, 10))
    _set_status(monkeypatch, a8, "actioned", at(2026, 5, 30, 10))
    _alert(kid.id, at(2026, 6, 12, 10))  # 3 days old, not actioned: its 7 days are not up
    a7 = _alert(kid.id, at(2026, 6, 1, 10))
    _set_status(monkeypatch, a7, "actioned", at(2026, 6, 2, 10))
    assert values("alerts_actioned_7d", 2) == [60.0, 100.0]
    may = series("alerts_actioned_7d", 2)[0]
    assert (may.numerator, may.denominator) == (3, 5)


def test_looked_after_children_out_of_area_flagged_at_risk(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.SIGHTLINE_LOCAL_AUTHORITY = "Sightline Borough Council"
    home = "Sightline Borough Council"

    def place(
        person: Any,
        start: dt.date,
        *,
        in_area: bool = False,
        authority: str = home,
        end: dt.date | None = None,
    ) -> None:
        cases.do_start_placement(
            actor=SYSTEM,
            person_id=person.id,
            placement_type="childrens_home",
            started_on=start,
            in_area=in_area,
            placing_authority=authority,
            ended_on=end,
        )

    c1, c2, c3, c4, c5, c6 = (child(f"C{i}") for i in range(1, 7))
    place(c1, dt.date(2026, 4, 1))
    screening(c1, at(2026, 4, 2, 9), MILD)
    place(c2, dt.date(2026, 5, 10), end=dt.date(2026, 6, 5))
    screening(c2, at(2026, 3, 1, 9), NOT_AT_RISK)
    _alert(c2.id, at(2026, 5, 20, 10))  # flagged by an alert
    place(c3, dt.date(2026, 4, 1))
    screening(c3, at(2026, 4, 5, 9), MILD)
    screening(c3, at(2026, 6, 10, 9), NOT_AT_RISK)  # no longer at risk in June
    place(c4, dt.date(2026, 4, 1), authority="Another Council")  # another council's child
    screening(c4, at(2026, 4, 5, 9), MILD)
    place(c5, dt.date(2026, 4, 1), in_area=True)  # placed inside the area
    screening(c5, at(2026, 4, 5, 9), MILD)
    place(c6, dt.date(2026, 4, 1))
    dismissed = _alert(c6.id, at(2026, 4, 20, 10))
    _set_status(monkeypatch, dismissed, "dismissed", at(2026, 4, 21, 10))
    assert values("lac_out_of_area_at_risk", 2) == [3.0, 1.0]
    may, june = series("lac_out_of_area_at_risk", 2)
    assert (may.denominator, june.denominator) == (4, 3)


def test_outreach_funnel_indicators(settings: Any) -> None:
    settings.SIGHTLINE_OUTREACH_FUNDED = "workers=2,caseload=5"
    worker = user("practitioner", "youth_service")
    a, b, c = child("A"), child("B"), child("C")
    alerts = [_alert(kid.id, at(2026, 5, day, 10)) for kid, day in [(a, 2), (b, 10), (c, 20)]]
    first = outreach.do_assign_outreach(
        SYSTEM, alert_id=alerts[0].id, agency="youth_service", worker=worker.username, now=at(2026, 5, 2, 12)
    )
    second = outreach.do_assign_outreach(
        SYSTEM, alert_id=alerts[1].id, agency="youth_service", now=at(2026, 5, 10, 12)
    )
    for when, outcome in [(at(2026, 5, 3, 10), "contact_made"), (at(2026, 5, 4, 10), "engaged")]:
        outreach.do_record_outreach_attempt(
            SYSTEM,
            assignment_id=first.id,
            method="drop_in",
            outcome=outcome,
            consent="given",
            occurred_at=when,
        )
    outreach.do_record_outreach_attempt(
        SYSTEM, assignment_id=second.id, method="street", outcome="not_found", occurred_at=at(2026, 5, 11, 10)
    )
    # May: A, B and C identified, A contacted 24 hours after her alert. June: nobody identified yet.
    assert values("outreach_contacted", 2) == [round(100 / 3, 4), None]
    assert values("outreach_hours_to_contact", 2) == [24.0, None]
    # One named worker (B's outreach waits for one) of the two funded posts, at the end of May and now.
    assert values("outreach_workers_funded", 2) == [50.0, 50.0]
    may = series("outreach_workers_funded", 2)[0]
    assert (may.numerator, may.denominator) == (1, 2)


def test_every_shipped_indicator_has_a_known_answer_test() -> None:
    shipped = {d.measure for d in ind.shipped_definitions()}
    assert shipped == set(ind.MEASURES)
    assert len(ind.shipped_definitions()) >= 7
    source = Path(__file__).read_text(encoding="utf-8")
    tested = set(re.findall(r'(?:values|series)\("(\w+)"', source))
    assert shipped <= tested, f"measures without a known-answer test: {shipped - tested}"


def test_indicator_series_against_target_uses_the_stored_target() -> None:
    kid = child()
    raised = at(2026, 6, 2, 9)
    triage(concern(kid, raised), raised + dt.timedelta(hours=30))
    result = selectors.indicator_series(selectors.get_indicator("median-time-to-triage"), months=2, now=NOW)
    assert [p.value for p in result.points] == [None, 30.0]
    assert result.indicator.target == 24 and result.on_target is False
    assert result.latest_text == "30.0 hours"


def test_nhs_number_completeness_takes_each_agencys_latest_extract() -> None:
    agencies()

    def imported(agency: str, when: dt.datetime, children: int | None, with_nhs: int | None) -> None:
        do_create(
            Extract(
                agency_id=agency,
                source_name=f"{agency}-{when:%m%d}",
                digest=f"{agency}{when:%m%d}".ljust(64, "0"),
                extracted_on=when.date(),
                imported_at=when,
                manifest={"format": "multi-agency-extract/1", "agency": agency},
                child_records=children,
                child_records_with_nhs=with_nhs,
            ),
            actor=SYSTEM,
        )

    imported("police", at(2026, 4, 1, 9), None, None)  # before completeness was measured: left out
    imported("police", at(2026, 5, 10, 9), 10, 8)
    imported("health", at(2026, 5, 20, 9), 4, 4)
    imported("police", at(2026, 6, 5, 9), 10, 10)
    # April: nothing measured. May: police 8 of 10, health 4 of 4. June: police's newer extract, 10 of 10.
    assert values("nhs_number_completeness", 3) == [None, round(100 * 12 / 14, 4), 100.0]
    june = series("nhs_number_completeness", 3)[-1]
    assert (june.numerator, june.denominator) == (14, 14)
