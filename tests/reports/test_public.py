"""Public statistics from hand-built case data: the right counts, disclosure control on every table, the
open-data files, and a page anyone can read without signing in that shows no person."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

import pytest
from django.test import Client

from sightline.access.services import ensure_standard_agencies
from sightline.cases import services as cases
from sightline.people.models import Person
from sightline.people.services import do_create_person
from sightline.reports import public, sdc
from sightline.reports import selectors as sel
from tests.factories import COORDINATOR, HEALTH, MILD, NOT_AT_RISK, POLICE, YOUTH, on

pytestmark = pytest.mark.django_db

CHILD_ETHNICITY = ["WBRI"] * 9 + ["APKN", "APKN", "BAFR", ""]


@dataclass
class Town:
    period: sel.Period
    children: list[Person]
    suspects: list[Person]


def build_town() -> Town:
    """13 children with concerns (police 9 in quarter 1, health 3 in quarter 2, youth service 1 in
    quarter 4); screenings; missing episodes from month 4; victims coming forward; 7 suspects."""
    ensure_standard_agencies()
    period = sel.reporting_period()
    q = period.quarters()
    months = period.months()
    children = [
        do_create_person(
            actor=COORDINATOR,
            kind="child",
            given_name="Zebedee",
            family_name=f"Quartermain{i}",
            ethnicity=eth,
        )
        for i, eth in enumerate(CHILD_ETHNICITY)
    ]
    for i, child in enumerate(children):
        actor, quarter = (POLICE, q[0]) if i < 9 else (HEALTH, q[1]) if i < 12 else (YOUTH, q[3])
        when = on(quarter.start + dt.timedelta(days=3 + i))
        cases.do_raise_concern(
            actor=actor,
            person_id=child.id,
            what_was_seen="Seen with older men near the bus station",
            occurred_at=when - dt.timedelta(hours=2),
            urgency="standard",
            now=when,
        )
    # Screenings: the coordinator (MASH) screens 8 children, mild; police screen 2, not at risk; child 0
    # is screened by the police first and by MASH later, so counts once, for MASH.
    cases.do_complete_screening(
        actor=POLICE, person_id=children[0].id, answers=NOT_AT_RISK, now=on(q[1].start)
    )
    for child in children[:8]:
        cases.do_complete_screening(actor=COORDINATOR, person_id=child.id, answers=MILD, now=on(q[2].start))
    for child in children[8:10]:
        cases.do_complete_screening(actor=POLICE, person_id=child.id, answers=NOT_AT_RISK, now=on(q[2].start))
    # Missing episodes: none before month 4 (those months show x); 7 missing in month 4, 2 absent in 5.
    for i in range(7):
        start = on(months[3].start + dt.timedelta(days=4), 20 + i % 3)
        cases.do_record_missing_episode(
            actor=YOUTH,
            person_id=children[i].id,
            category="M",
            started_at=start,
            ended_at=start + dt.timedelta(hours=5),
        )
    for i in range(2):
        start = on(months[4].start + dt.timedelta(days=2))
        cases.do_record_missing_episode(
            actor=YOUTH,
            person_id=children[i].id,
            category="A",
            started_at=start,
            ended_at=start + dt.timedelta(hours=3),
        )
    for i in range(6):
        cases.do_record_self_referral(actor=POLICE, received_on=q[2].start + dt.timedelta(days=i))
    for i in range(2):
        cases.do_record_self_referral(actor=POLICE, received_on=q[3].start + dt.timedelta(days=i))
    investigation = cases.do_open_investigation(
        actor=POLICE, operation_name="Operation Test", opened_on=q[0].start
    )
    suspects = []
    for i, eth in enumerate(["APKN"] * 6 + ["WBRI"]):
        adult = do_create_person(
            actor=POLICE, kind="adult", given_name="Xavier", family_name=f"Suspectson{i}", ethnicity=eth
        )
        cases.do_link_investigation_person(
            investigation_id=investigation.id,
            actor=POLICE,
            person_id=adult.id,
            role="suspect",
            linked_on=q[0].start,
        )
        suspects.append(adult)
    return Town(period, children, suspects)


def _table(stats: public.PublicStatistics, key: str) -> public.PublishedTable:
    return next(t for t in stats.tables if t.key == key)


def _cell(t: public.PublishedTable, row: str, column: str) -> str:
    return t.figures.cells[t.rows.index(row)][t.columns.index(column)]


def test_every_public_table_is_protected() -> None:
    build_town()
    stats = public.public_statistics()
    assert [t.key for t in stats.tables] == [
        "screened_by_agency_and_band",
        "missing_episodes_by_month",
        "concerns_by_agency_and_quarter",
        "victims_coming_forward_by_quarter",
        "people_by_ethnic_group",
    ]
    for t in stats.tables:
        for row in t.figures.cells:
            for v in row:
                assert v in ("c", "x", "z") or (v.isdigit() and not 1 <= int(v) <= sdc.THRESHOLD), (t.key, v)
        assert sdc.pinned_cells(t.figures) == [], t.key
        for totals in (t.figures.row_totals or (), t.figures.column_totals or ()):
            for v in totals:
                assert v in ("low", "c", "x", "z") or int(v) % 10 == 0


def test_counts_are_right_before_and_after_disclosure_control() -> None:
    town = build_town()
    raw = {t.key: t for t in sel.public_counts(town.period)}
    stats = public.public_statistics()
    q = town.period.quarters()

    concerns = raw["concerns_by_agency_and_quarter"]
    assert concerns.counts[concerns.rows.index("Police")] == [9, 0, 0, 0]
    assert concerns.counts[concerns.rows.index("Health")] == [0, 3, 0, 0]
    published = _table(stats, "concerns_by_agency_and_quarter")
    assert _cell(published, "Police", q[0].label) == "9"
    assert _cell(published, "Health", q[1].label) == "c"
    assert _cell(published, "Youth service", q[3].label) == "c"
    assert published.figures.grand_total == "10"  # 13, rounded
    assert published.figures.row_totals is not None
    assert published.figures.row_totals[published.rows.index("Health")] == "low"

    screened = raw["screened_by_agency_and_band"]
    mash = screened.counts[screened.rows.index("Multi-agency safeguarding hub")]
    police = screened.counts[screened.rows.index("Police")]
    assert mash[screened.columns.index("Mild risk")] == 8  # child 0 counted once, for MASH
    assert police[screened.columns.index("Not at risk")] == 2

    missing = raw["missing_episodes_by_month"]
    assert missing.counts[:3] == [[sdc.X, sdc.X]] * 3  # before the first episode: not available
    assert missing.counts[3] == [7, 0] and missing.counts[4] == [0, 2]
    assert missing.counts[5:] == [[0, 0]] * 7
    shown = _table(stats, "missing_episodes_by_month")
    assert shown.figures.cells[0] == ("x", "x")
    assert shown.figures.cells[4][1] == "c"

    victims = raw["victims_coming_forward_by_quarter"]
    assert victims.counts == [[sdc.X], [sdc.X], [6], [2]]  # none recorded before quarter 3
    shown = _table(stats, "victims_coming_forward_by_quarter")
    # The 2 is hidden, and so is the 6, or the total (8, shown as 10) would give it away.
    assert shown.figures.cells == (("x",), ("x",), ("c",), ("c",))
    assert shown.figures.column_totals == ("10",)

    people = raw["people_by_ethnic_group"]
    assert people.counts[people.rows.index("White")] == [9, 1]
    assert people.counts[people.rows.index("Asian or Asian British")] == [2, 6]
    assert people.counts[people.rows.index("Not known or refused")] == [1, 0]
    eth = _table(stats, "people_by_ethnic_group")
    assert _cell(eth, "White", "Children with a concern") == "9"
    assert _cell(eth, "White", "Suspects in an investigation") == "c"
    # The suspects column had one small count, so its next smallest (6) is hidden too.
    assert _cell(eth, "Asian or Asian British", "Suspects in an investigation") == "c"
    assert eth.figures.row_totals is None and eth.figures.column_totals == ("10", "10")


def test_ethnic_groups_follow_the_dfe_major_groups() -> None:
    assert sel.ethnic_group("WBRI") == "W"
    assert sel.ethnic_group("mwbc") == "M"
    assert sel.ethnic_group("APKN") == "A"
    assert sel.ethnic_group("BCRB") == "B"
    assert sel.ethnic_group("CHNE") == "O"
    assert sel.ethnic_group("OOTH") == "O"
    assert sel.ethnic_group("REFU") == sel.ethnic_group("NOBT") == sel.ethnic_group("") == ""


def test_reporting_period_is_the_last_four_complete_quarters() -> None:
    period = sel.reporting_period(dt.date(2026, 11, 29))
    assert (period.start, period.end) == (dt.date(2025, 10, 1), dt.date(2026, 10, 1))
    assert [q.label for q in period.quarters()] == [
        "Oct to Dec 2025",
        "Jan to Mar 2026",
        "Apr to Jun 2026",
        "Jul to Sep 2026",
    ]
    assert len(period.months()) == 12 and period.months()[0].label == "October 2025"


def _read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_open_data_csv_and_metadata() -> None:
    build_town()
    stats = public.public_statistics()
    rows = _read_csv(public.data_csv(stats))
    assert rows[0] == [name for name, _ in public.DATA_COLUMNS]
    body = [dict(zip(rows[0], r)) for r in rows[1:]]
    expected = 0
    for t in stats.tables:
        f = t.figures
        expected += len(t.rows) * len(t.columns)
        expected += len(t.rows) if f.row_totals is not None else 0
        expected += len(t.columns) if f.column_totals is not None else 0
        expected += 1 if f.grand_total is not None else 0
        mine = [r for r in body if r["table_id"] == t.key]
        for i, label in enumerate(t.rows):
            for j, column in enumerate(t.columns):
                [match] = [r for r in mine if r["row_value"] == label and r["column_value"] == column]
                assert match["value"] == f.cells[i][j]
        if f.grand_total is not None:
            [grand] = [r for r in mine if r["row_value"] == "Total" and r["column_value"] == "Total"]
            assert grand["value"] == f.grand_total
    assert len(body) == expected
    assert {r["period_start"] for r in body} == {f"{stats.period.start:%Y-%m-%d}"}
    for r in body:
        v = r["value"]
        assert v in ("c", "low", "x", "z") or (v.isdigit() and not 1 <= int(v) <= sdc.THRESHOLD)

    meta = [
        dict(zip(["kind", "name", "label", "description"], r))
        for r in _read_csv(public.metadata_csv(stats))[1:]
    ]
    assert {m["name"] for m in meta if m["kind"] == "column"} == {n for n, _ in public.DATA_COLUMNS}
    assert {m["name"] for m in meta if m["kind"] == "table"} == {t.key for t in stats.tables}
    assert {m["name"] for m in meta if m["kind"] == "symbol"} == {"c", "low", "x", "z"}


def test_the_public_page_and_files_need_no_sign_in_and_show_no_person(client: Client) -> None:
    town = build_town()
    page = client.get("/statistics")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Children screened, by screening agency and risk band" in html
    assert 'id="table-people_by_ethnic_group"' in html
    data = client.get("/statistics/data.csv")
    assert data.status_code == 200 and data["Content-Type"].startswith("text/csv")
    assert "attachment" in data["Content-Disposition"]
    meta = client.get("/statistics/metadata.csv")
    assert meta.status_code == 200
    for text in (html, data.content.decode(), meta.content.decode()):
        for person in [*town.children, *town.suspects]:
            assert person.id not in text
            assert person.family_name not in text
        assert "Zebedee" not in text and "Xavier" not in text


def test_before_the_service_held_any_record_every_figure_is_not_available(client: Client) -> None:
    ensure_standard_agencies()  # the first ledger entries: the service starts now, after the period
    html = client.get("/statistics").content.decode()
    assert "Missing and absent episodes, by month" in html
    stats = public.public_statistics()
    for t in stats.tables:
        assert {v for row in t.figures.cells for v in row} == {"x"}, t.key
        assert all(v == "x" for v in (t.figures.column_totals or ())), t.key
