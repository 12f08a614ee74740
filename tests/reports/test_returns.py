"""Statutory returns on a golden dataset: the exact rows of each return, and each validation rule firing
on the child made to break it, named by person and record; the command line and the analyst's page."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from django.test import Client

from sightline.access.models import User
from sightline.cli import main
from sightline.ledger.models import Entry
from sightline.ledger.services import integrate
from sightline.reports import returns
from sightline.reports.returns import ReturnFile
from tests import factories

from .returns_data import YEAR, Golden, assessments, missing

pytestmark = pytest.mark.django_db


@pytest.fixture
def golden() -> Golden:
    factories.agencies()
    g = Golden()
    assessments(g)
    missing(g)
    return g


def _found(made: ReturnFile) -> list[tuple[str, str, str]]:
    return [(p.rule.code, p.person_id, p.record) for p in made.problems]


@pytest.mark.usefixtures("golden")
def test_the_census_lists_each_factor_of_each_assessment_in_the_year() -> None:
    made = returns.build("cin", YEAR)
    assert made.columns == [
        "LAchildID", "CINdetailsID", "AssessmentID", "AssessmentActualStartDate",
        "AssessmentInternalReviewDate", "AssessmentAuthorisationDate", "AssessmentFactors",
    ]  # fmt: skip
    assert made.rows == [
        ["SC-1", "", "A1", "2024-03-20", "", "2024-05-20", "11A"],
        ["SC-1", "", "A1", "2024-03-20", "", "2024-05-20", "10A"],
        ["SC-2", "", "A2", "2024-06-10", "", "2024-06-10", "3A"],
        ["SC-3", "", "A4", "2025-03-01", "", "2025-04-10", "1A"],
        ["SC-4", "", "A6", "2024-08-01", "", "2024-08-05", "21"],
        ["SC-4", "", "A6", "2024-08-01", "", "2024-08-05", "4A"],
        ["SC-4", "", "A7", "2024-09-01", "", "2024-09-02", ""],
        ["SC-5", "", "A8", "2024-10-01", "", "2024-10-02", "25Z"],
        ["SC-5", "", "A8", "2024-10-01", "", "2024-10-02", "3A"],
        ["SC-5", "", "A9", "2024-11-01", "", "2024-11-02", "3A"],
        ["SC-5", "", "A9", "2024-11-01", "", "2024-11-02", "3A"],
        ["SC-6", "", "A10", "2024-12-01", "", "2024-12-02", "18A"],
        ["SC-6", "", "A10", "2024-12-01", "", "2024-12-02", "19A"],
        ["SC-7", "", "A11", "2024-04-02", "", "2024-04-05", "14A"],
    ]


def test_each_census_rule_names_the_child_and_the_assessment_that_breaks_it(golden: Golden) -> None:
    made = returns.build("cin", YEAR)
    g = golden.id
    assert _found(made) == [
        ("8696", g("Cal"), "social_care:SC-3 assessment A4"),
        ("8869", g("Dee"), "social_care:SC-4 assessment A6"),
        ("8897Q", g("Dee"), "social_care:SC-4 assessment A7"),
        ("8897Q", g("Eve"), "social_care:SC-5 assessment A8"),
        ("8898", g("Eve"), "social_care:SC-5 assessment A9"),
        ("8945Q", g("Fay"), "social_care:SC-6 assessment A10"),
        ("8950Q", g("Fay"), "social_care:SC-6 assessment A10"),
        ("SL-CIN-1", g("Gus"), "social_care:SC-7 assessment A11"),
    ]
    assert {p.rule for p in made.problems} == set(returns.RULES["cin"])
    assert [p.detail for p in made.problems if p.rule.code == "8897Q"] == [
        "no factor recorded",
        "not factor codes: 25Z",
    ]
    assert made.errors == 3


def test_the_missing_table_lists_the_episodes_of_children_this_council_looks_after(golden: Golden) -> None:
    made = returns.build("ssda903", YEAR)
    ivy = golden.id("Ivy")
    assert made.columns == ["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"]
    assert made.rows == [
        [ivy, "", "M", "20/09/2024", ""],
        [ivy, "", "M", "05/10/2024", "06/10/2024"],
        ["SC-10", "04/03/2009", "M", "01/05/2024", "02/05/2024"],
        ["SC-10", "04/03/2009", "A", "01/06/2024", "01/06/2024"],
        ["SC-10", "04/03/2009", "M", "01/07/2024", "01/07/2024"],
        ["SC-12", "01/01/2008", "M", "01/05/2024", "02/05/2024"],
        ["SC-13", "02/02/2011", "M", "10/07/2024", ""],
        ["SC-14", "01/12/2024", "A", "01/11/2024", "02/11/2024"],
    ]
    with_interviews = returns.build("ssda903", YEAR, interviews=True)
    assert [r[5:] for r in with_interviews.rows] == [
        ["N", ""], ["N", ""], ["Y", "Y"], ["N", ""], ["Y", "N"], ["Y", "Y"], ["N", ""], ["N", ""]
    ]  # fmt: skip


def test_each_missing_rule_names_the_child_and_the_episode_that_breaks_it(golden: Golden) -> None:
    made = returns.build("ssda903", YEAR)
    g, ep = golden.id, golden.episodes
    assert _found(made) == [
        ("SL-903-1", g("Ivy"), f"missing episode {ep['Ivy 1']}"),
        ("SL-903-2", g("Ivy"), f"missing episode {ep['Ivy 1']}"),
        ("577", g("Ivy"), f"missing episode {ep['Ivy 1']}"),
        ("574", g("Ivy"), f"missing episode {ep['Ivy 2']}"),
        ("578", g("Ivy"), f"missing episode {ep['Ivy 2']}"),
        ("SL-RHI-1", g("Ivy"), f"missing episode {ep['Ivy 2']}"),
        ("SL-RHI-2", g("Hal"), f"missing episode {ep['Hal 3']}"),
        ("581", g("Jon"), "social_care:SC-12 event M-JON"),
        ("575", g("Kit"), f"missing episode {ep['Kit 1']}"),
        ("586", g("Lea"), f"missing episode {ep['Lea 1']}"),
    ]
    assert {p.rule for p in made.problems} == set(returns.RULES["ssda903"])


def test_annex_a_list_8_counts_episodes_and_the_last_return_interview(golden: Golden) -> None:
    made = returns.build("annex-a", YEAR)
    ivy = golden.id("Ivy")
    pc, f, m, unknown = "S60 1AA", "b) Female", "a) Male", "u) UNKNOWN"
    assert made.rows == [
        [ivy, f, unknown, "", "", "30/09/2024", "01/02/2024", "Ivy's carers", pc, "2", "0", "b) No",
         "c) Unknown"],
        ["SC-10", m, "a) WBRI", "04/03/2009", "16", "", "01/01/2024", "Hal's carers", pc, "2", "1", "a) Yes",
         "b) No"],
        ["SC-12", m, "k) APKN", "01/01/2008", "17", "", "01/06/2024", "Oak House", "S65 2AB", "1", "0",
         "a) Yes", "a) Yes"],
        ["SC-13", f, unknown, "02/02/2011", "14", "", "01/08/2024", "Kit's carers", pc, "1", "0", "", ""],
        ["SC-14", f, unknown, "01/12/2024", "0", "", "01/04/2024", "Lea's carers", pc, "0", "1", "", ""],
    ]  # fmt: skip
    assert _found(made) == [
        ("SL-903-1", ivy, f"placement {golden.placements['Ivy 2024-02-01']}"),
        ("SL-RHI-1", ivy, f"missing episode {golden.episodes['Ivy 2']}"),
    ]


def test_the_command_writes_the_return_reports_each_problem_and_ledgers_the_export(
    golden: Golden, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, report = tmp_path / "cin.csv", tmp_path / "problems.csv"
    args = ["returns", "cin", "--from", "2024-04-01", "--to", "2025-03-31", "--out", str(out)]
    assert main([*args, "--report", str(report)]) == 1  # errors were found
    printed = capsys.readouterr()
    assert "cin: 14 rows written to" in printed.out and "3 errors, 5 queries" in printed.out
    assert (
        f"{golden.id('Cal')} Cal Golden (social_care:SC-3 assessment A4): error 8696: "
        "Assessment end date must fall within the census year [completed 2025-04-10]"
    ) in printed.err
    with out.open(encoding="utf-8") as fh:
        assert len(list(csv.reader(fh))) == 15
    with report.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0]["code"] == "8696" and rows[0]["name"] == "Cal Golden" and rows[0]["rule_source"] == "DfE"
    integrate()
    entry = Entry.objects.filter(action="export", object_type="reports.return", object_id="cin").get()
    data = json.loads(bytes(entry.canonical))["data"]
    assert data["rows"] == 14 and data["errors"] == 3 and data["period"] == ["2024-04-01", "2025-03-31"]


def test_the_command_refuses_a_period_that_ends_before_it_starts(tmp_path: Path) -> None:
    assert (
        main(
            ["returns", "ssda903", "--from", "2025-04-01", "--to", "2025-03-31", "--out", str(tmp_path / "x")]
        )
        == 2
    )


def test_the_analysts_page_lists_problems_with_links_to_each_childs_record(
    golden: Golden, analyst: User
) -> None:
    client: Client = factories.signed_in(analyst)
    query = "?kind=ssda903&start_0=1&start_1=4&start_2=2024&end_0=31&end_1=3&end_2=2025"
    page = client.get("/returns" + query).content.decode()
    assert f'href="/people/{golden.id("Kit")}"' in page and "Kit Golden" in page
    assert "575" in page and "If the placement from which the child goes missing" in page
    assert "10 problems" in page
    assert "social_care:" not in page, "the agency is named, not coded"
    integrate()
    read = Entry.objects.filter(actor_user=analyst.username, action="read_list").last()
    assert read is not None
    shown = json.loads(bytes(read.canonical))["data"]["people"]
    assert golden.id("Kit") in shown and golden.id("Amy") not in shown


def test_roles_that_cannot_see_every_child_cannot_open_the_page(social_worker: User) -> None:
    assert factories.signed_in(social_worker).get("/returns").status_code == 403
