"""Exports never hand a spreadsheet a live formula: every CSV, XLSX and i2 cell that begins with =, +, -,
@, a tab or a carriage return is prefixed with a single quote (OWASP CSV injection)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from sightline.access.services import ensure_standard_agencies
from sightline.cli import main
from sightline.intelligence.models import Alert, Network, NetworkMember
from sightline.ledger.services import SYSTEM, do_bulk_create, do_bulk_update
from sightline.people.models import Person, SourceRecord
from sightline.reports.exports import safe_cells

from .helpers import EVENTS, PEOPLE, write_extract

pytestmark = pytest.mark.django_db

CALC = "=cmd|' /C calc'!A0"
HOSTILE = [CALC, "+SUM(1,1)", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]
STARTS = ("=", "+", "-", "@", "\t", "\r")


def test_safe_cells_quotes_each_formula_start_and_nothing_else() -> None:
    assert safe_cells(HOSTILE) == ["'" + v for v in HOSTILE]
    ordinary = ["Jess", "2013-05-02", "0.9000", "", " =not first", "a=b", "'quoted"]
    assert safe_cells([*ordinary, 3, None, 0.5]) == [*ordinary, 3, None, 0.5]


def _cells_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def _assert_inert(cells: list[Any], where: str) -> None:
    live = [c for c in cells if isinstance(c, str) and c.startswith(STARTS)]
    assert not live, f"{where}: live formulas {live!r}"


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """An extract whose names, ids, places, summaries and a column heading are formulas."""
    ensure_standard_agencies()
    people = [dict(p) for p in PEOPLE]
    people[0].update(given_name=CALC, family_name="+SUM(1,1)", hair="@SUM(A1:A9)", **{"=HYPERLINK(1)": "x"})
    people[1]["record_id"] = "-POL-2"
    events = [dict(e) for e in EVENTS]
    events[0].update(summary="-2+3", place="\t=1+1", others="-POL-2:associate")
    events[1].update(summary="\r=1+1", vehicle="=2*3", others="-POL-2:suspect;POL-1:witness")
    assert main(["import", str(write_extract(tmp_path, people=people, events=events))]) == 0
    return tmp_path


def test_links_csv(hostile: Path) -> None:
    out = hostile / "links.csv"
    assert main(["export", "links", "--out", str(out)]) == 0
    rows = _cells_csv(out)
    _assert_inert([c for r in rows for c in r], "links.csv")
    assert ["police", "'-POL-2"] in [r[:2] for r in rows]


def test_chronology_xlsx_holds_text_not_formulas(hostile: Path) -> None:
    (person,) = do_bulk_create([Person(given_name="Jess")], actor=SYSTEM)
    recs = list(SourceRecord.objects.filter(agency_id="police"))
    for r in recs:
        r.person_id = person.pk
    do_bulk_update(recs, actor=SYSTEM, fields=["person"])
    out = hostile / "chronology.xlsx"
    assert main(["export", "chronology", "--person", person.pk, "--out", str(out)]) == 0
    book = load_workbook(out)
    for sheet in book.worksheets:
        cells = [c for row in sheet.iter_rows() for c in row]
        assert not [c.coordinate for c in cells if c.data_type == "f"], f"{sheet.title} has formulas"
        _assert_inert([c.value for c in cells], sheet.title)
    chronology = [[c.value for c in row] for row in book["Chronology"].iter_rows()]
    # XML turns the carriage return into a line feed; the quote stays in front of it.
    assert {"'-2+3", "'\n=1+1"} <= {r[5] for r in chronology}
    records = [[c.value for c in row] for row in book["Records"].iter_rows()]
    assert "'=HYPERLINK(1)" in records[0]
    jess = next(r for r in records if r[0] == "police:POL-1")
    assert "'" + CALC in jess and "'+SUM(1,1)" in jess and "'@SUM(A1:A9)" in jess


def test_alerts_networks_and_i2(hostile: Path) -> None:
    do_bulk_create(
        [Alert(id="A-1", kind="child_at_risk", subject_id="P-1", score=0.5, reasons=CALC,
               first_raised_at=timezone.now())],
        actor=SYSTEM,
    )  # fmt: skip
    (net,) = do_bulk_create(
        [
            Network(
                id="N-1",
                size=2,
                links=[
                    {"source": "P-1", "target": "=PL-1", "type": "place", "weight": 1.0,
                     "agencies": ["police"], "kinds": ["+missing"], "events": ["@police:E1"],
                     "first_seen": "2013-05-02", "last_seen": "2013-05-02"},
                ],
            )
        ],
        actor=SYSTEM,
    )  # fmt: skip
    do_bulk_create(
        [
            NetworkMember(network=net, member_type="person", member_id="P-1", role="child", label=CALC),
            NetworkMember(network=net, member_type="place", member_id="=PL-1", role="", label="-1+1"),
        ],
        actor=SYSTEM,
    )
    for name, argv in {
        "alerts": ["export", "alerts"],
        "networks": ["export", "networks"],
        "i2": ["export", "i2", "--network", "N-1"],
    }.items():
        out = hostile / f"{name}.csv"
        assert main([*argv, "--out", str(out)]) == 0
        rows = _cells_csv(out)
        _assert_inert([c for r in rows for c in r], name)
    i2 = _cells_csv(hostile / "i2.csv")
    assert i2[1][2] == "'" + CALC and i2[1][3:6] == ["'=PL-1", "Location", "'-1+1"]
    assert i2[1][7] == "'+missing" and i2[1][12] == "'@police:E1"
    assert _cells_csv(hostile / "alerts.csv")[1][4] == "'" + CALC
