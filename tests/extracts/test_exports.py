"""`sightline export ...`: the CSV contracts of docs/cli.md, XLSX chronology and i2, all ledgered."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from sightline.access.services import ensure_standard_agencies
from sightline.cli import main
from sightline.intelligence.models import Alert, Network, NetworkMember
from sightline.ledger.models import Entry
from sightline.ledger.services import SYSTEM, do_bulk_create, do_bulk_update, integrate
from sightline.people.models import Person, SourceRecord

from .helpers import write_extract

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    ensure_standard_agencies()
    assert main(["import", str(write_extract(tmp_path))]) == 0
    capsys.readouterr()
    return tmp_path


def read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def exports_ledgered() -> list[dict[str, object]]:
    integrate()
    return [json.loads(bytes(e.canonical)) for e in Entry.objects.filter(action="export").order_by("index")]


def test_links_before_linkage_map_each_record_to_itself(
    imported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = imported / "links.csv"
    assert main(["export", "links", "--out", str(out)]) == 0
    rows = read(out)
    assert rows[0] == ["agency", "record_id", "person_id", "match_probability"]
    assert [r[:2] for r in rows[1:]] == [["police", "POL-1"], ["police", "POL-2"], ["police", "POL-3"]]
    assert rows[1][2] == SourceRecord.objects.get(record_id="POL-1").pk and rows[1][3] == ""
    entry = exports_ledgered()[-1]
    assert entry["data"]["export"] == "links" and entry["data"]["rows"] == 3  # type: ignore[index]
    assert "links: 3 rows" in capsys.readouterr().out


def test_links_after_linkage_show_person_and_probability(imported: Path) -> None:
    (person,) = do_bulk_create([Person(given_name="Jess")], actor=SYSTEM)
    recs = list(SourceRecord.objects.filter(record_id__in=["POL-1", "POL-3"]))
    for r in recs:
        r.person_id, r.match_probability = person.pk, 0.97
    do_bulk_update(recs, actor=SYSTEM, fields=["person", "match_probability"])
    out = imported / "links.csv"
    assert main(["export", "links", "--out", str(out)]) == 0
    rows = {r[1]: r for r in read(out)[1:]}
    assert rows["POL-1"][2:] == [person.pk, "0.9700"] and rows["POL-3"][2] == person.pk


def _store_alerts() -> None:
    now = timezone.now()
    do_bulk_create(
        [
            Alert(
                id="A-1",
                kind="child_at_risk",
                subject_id="P-1",
                score=0.5,
                reasons="missing 3 times",
                first_raised_at=now,
            ),
            Alert(
                id="A-2",
                kind="place_of_concern",
                subject_id="PL-1",
                score=0.9,
                reasons="night, cars",
                first_raised_at=now,
            ),
            Alert(
                id="A-3",
                kind="adult_of_concern",
                subject_id="P-2",
                score=0.7,
                reasons="gone",
                first_raised_at=now,
                status="dismissed",
                status_reason="a coach",
            ),
        ],
        actor=SYSTEM,
    )
    (net,) = do_bulk_create(
        [
            Network(
                id="N-1",
                label="Group around Sam Adult and Star Kebab (3 members)",
                size=3,
                links=[
                    {
                        "source": "P-1",
                        "target": "P-2",
                        "type": "contact",
                        "weight": 2.0,
                        "agencies": ["police", "health"],
                        "kinds": ["missing"],
                        "events": ["police:E1"],
                        "first_seen": "2013-05-02",
                        "last_seen": "2013-06-01",
                    },
                    {
                        "source": "P-2",
                        "target": "PL-1",
                        "type": "place",
                        "weight": 1.0,
                        "agencies": ["police"],
                        "kinds": ["police_incident"],
                        "events": ["police:E2"],
                        "first_seen": "2013-06-01",
                        "last_seen": "2013-06-01",
                    },
                ],
            )
        ],
        actor=SYSTEM,
    )
    do_bulk_create(
        [
            NetworkMember(
                network=net, member_type="person", member_id="P-1", role="child", label="Jess Walker"
            ),
            NetworkMember(network=net, member_type="person", member_id="P-2", role="adult", label="Mo"),
            NetworkMember(network=net, member_type="place", member_id="PL-1", role="", label="Star Kebab"),
        ],
        actor=SYSTEM,
    )


def test_alerts_ranked_highest_first_without_dismissed(imported: Path) -> None:
    _store_alerts()
    out = imported / "alerts.csv"
    assert main(["export", "alerts", "--out", str(out)]) == 0
    rows = read(out)
    assert rows[0] == ["alert_id", "person_id", "kind", "score", "reasons"]
    assert rows[1:] == [
        ["A-2", "PL-1", "place_of_concern", "0.9000", "night, cars"],
        ["A-1", "P-1", "child_at_risk", "0.5000", "missing 3 times"],
    ]
    assert main(["export", "alerts", "--out", str(out), "--include-dismissed"]) == 0
    assert [r[0] for r in read(out)[1:]] == ["A-2", "A-3", "A-1"]


def test_networks_and_i2(imported: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _store_alerts()
    out = imported / "networks.csv"
    assert main(["export", "networks", "--out", str(out)]) == 0
    assert read(out) == [
        ["network_id", "member_type", "member_id", "role", "network_name"],
        ["N-1", "person", "P-1", "child", "Group around Sam Adult and Star Kebab (3 members)"],
        ["N-1", "person", "P-2", "adult", "Group around Sam Adult and Star Kebab (3 members)"],
        ["N-1", "place", "PL-1", "", "Group around Sam Adult and Star Kebab (3 members)"],
    ]
    i2 = imported / "n1.csv"
    assert main(["export", "i2", "--network", "N-1", "--out", str(i2)]) == 0
    assert i2.read_bytes().startswith(b"\xef\xbb\xbf")  # Analyst's Notebook reads UTF-8 with a BOM
    rows = read(i2)
    assert rows[0][:6] == [
        "Entity1 Identity",
        "Entity1 Type",
        "Entity1 Label",
        "Entity2 Identity",
        "Entity2 Type",
        "Entity2 Label",
    ]
    assert rows[1][:9] == [
        "P-1",
        "Person",
        "Jess Walker",
        "P-2",
        "Person",
        "Mo",
        "contact",
        "missing",
        "Confirmed",
    ]
    assert rows[2][3:6] == ["PL-1", "Location", "Star Kebab"] and rows[2][8] == "Unconfirmed"
    capsys.readouterr()
    assert main(["export", "i2", "--network", "N-9", "--out", str(i2)]) == 2
    assert "no network 'N-9'" in capsys.readouterr().err
    assert [e["data"]["export"] for e in exports_ledgered()] == ["networks", "i2"]  # type: ignore[index]


def test_chronology_xlsx_is_ledgered_as_a_read_of_the_person(imported: Path) -> None:
    (person,) = do_bulk_create([Person(given_name="Jess")], actor=SYSTEM)
    recs = list(SourceRecord.objects.filter(record_id__in=["POL-1", "POL-3"]))
    for r in recs:
        r.person_id = person.pk
    do_bulk_update(recs, actor=SYSTEM, fields=["person"])
    out = imported / "jess.xlsx"
    assert (
        main(["export", "chronology", "--person", person.pk, "--out", str(out), "--reason", "strategy"]) == 0
    )
    ws = load_workbook(out)["Chronology"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0][:4] == ["date", "time", "agency", "kind"]
    # newest first, both records' events, each once (E2 is filed under POL-3 and names POL-1 too)
    assert [(r[0], r[1]) for r in rows[1:]] == [("2013-06-01", "23:15"), ("2013-05-02", None)]
    assert rows[2][3] == "Missing (whereabouts unknown)" and rows[2][11] == "police:E1" and rows[2][13] == 2
    entry = exports_ledgered()[-1]
    assert entry["object"]["type"] == "people.person" and entry["object"]["id"] == person.pk  # type: ignore[index]
    assert entry["reason"] == "strategy"
    # a record key finds its person too
    assert main(["export", "chronology", "--person", "police:POL-2", "--out", str(out)]) == 0
    assert main(["export", "chronology", "--person", "nobody", "--out", str(out)]) == 2
