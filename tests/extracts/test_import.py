"""`sightline import`: all or nothing, every problem named, idempotent, new versions for changes."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from sightline.cli import main
from sightline.ledger.models import Entry
from sightline.ledger.selectors import verify
from sightline.people.models import Extract, SourceEvent, SourceRecord
from tests import factories

from .helpers import EVENTS, PEOPLE, state, write_csv, write_extract

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _agencies() -> None:
    factories.agencies()


def zip_folder(folder: Path, out: Path) -> Path:
    with zipfile.ZipFile(out, "w") as zf:
        for f in sorted(folder.iterdir()):
            zf.write(f, f"{folder.name}/{f.name}")
    return out


def run_import(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["import", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_import_keeps_every_row_exactly_as_received(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_extract(tmp_path)
    before = state()
    code, out, err = run_import(capsys, str(folder))
    assert code == 0, err
    assert "3 new" in out
    extract = Extract.objects.get()
    assert extract.agency_id == "police" and extract.record_count == 3 and extract.event_count == 2
    rec = SourceRecord.objects.get(agency_id="police", record_id="POL-1")
    assert rec.data == {k: str(v) for k, v in PEOPLE[0].items()}  # unknown column "hair" kept
    assert rec.row_number == 2 and rec.extract_id == extract.id and rec.version == 1
    assert SourceRecord.objects.get(record_id="POL-3").postcode == "S60 1AA"
    e2 = SourceEvent.objects.get(event_id="E2")
    assert e2.record.record_id == "POL-3" and e2.occurred_on.isoformat() == "2013-06-01"
    assert e2.row_number == 3 and e2.data["others"] == "POL-2:suspect;POL-1:witness"
    after = state()
    # one entry for the extract, one per record and one per event
    assert after["size"] - before["size"] == 1 + 3 + 2
    assert Entry.objects.filter(object_type="people.sourcerecord", action="import").count() == 3


def test_an_extract_with_no_rows_is_recorded_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An agency that sent nothing for a period sent something: the extract is kept, with no rows."""
    folder = write_extract(tmp_path, people=[], events=[])
    (folder / "people.csv").write_text("record_id,given_name\r\n", encoding="utf-8")
    (folder / "events.csv").write_text("event_id,record_id,kind,occurred_on\r\n", encoding="utf-8")
    code, out, _ = run_import(capsys, str(folder))
    assert code == 0 and "imported as" in out and "0 new" in out
    extract = Extract.objects.get()
    assert (extract.record_count, extract.event_count) == (0, 0)
    assert Entry.objects.filter(object_type="people.extract", action="import").count() == 1
    code, out, _ = run_import(capsys, str(folder))
    assert code == 0 and "already imported" in out and Extract.objects.count() == 1


def test_importing_twice_adds_nothing_folder_or_zip(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_extract(tmp_path)
    assert run_import(capsys, str(folder))[0] == 0
    once = state()
    code, out, _ = run_import(capsys, str(folder))
    assert code == 0 and "nothing changed" in out
    assert state() == once
    # The same files zipped are the same extract.
    code, out, _ = run_import(capsys, str(zip_folder(folder, tmp_path / "police.zip")))
    assert code == 0 and "nothing changed" in out
    assert state() == once


def test_same_rows_in_another_order_add_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_import(capsys, str(write_extract(tmp_path)))[0] == 0
    once = state()
    again = write_extract(tmp_path, "again", people=list(reversed(PEOPLE)))
    assert run_import(capsys, str(again))[0] == 0
    assert state() == once


def test_changed_extract_adds_new_versions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_import(capsys, str(write_extract(tmp_path)))[0] == 0
    first = SourceRecord.objects.get(record_id="POL-1")
    people = [dict(p) for p in PEOPLE] + [{"record_id": "POL-4", "given_name": "Kay"}]
    people[0]["given_name"] = "Jessica"
    events = [dict(e) for e in EVENTS]
    events[1]["summary"] = "Seen at 23:15 with two men"
    later = write_extract(
        tmp_path,
        "police-2014-10-01",
        people=people,
        events=events,
        manifest_extra={"extracted_on": "2014-10-01", "period_end": "2014-09-30"},
    )
    before = state()
    code, out, err = run_import(capsys, str(later))
    assert code == 0, err
    assert "1 new, 1 updated, 2 unchanged" in out and "events 0 new, 1 updated, 1 unchanged" in out
    rec = SourceRecord.objects.get(record_id="POL-1")
    assert rec.pk == first.pk and rec.version == 2 and rec.data["given_name"] == "Jessica"
    new_extract = Extract.objects.get(extracted_on="2014-10-01")
    assert rec.extract_id == new_extract.id
    assert SourceRecord.objects.get(record_id="POL-2").version == 1
    assert SourceEvent.objects.get(event_id="E2").version == 2
    # history, not an overwrite: both versions are in the ledger
    versions = Entry.objects.filter(object_type="people.sourcerecord", object_id=rec.pk)
    assert sorted(v or 0 for v in versions.values_list("version", flat=True)) == [1, 2]
    assert state()["size"] - before["size"] == 1 + 2 + 1
    # an older extract arriving late does not overwrite the newer version
    stale = [dict(p) for p in PEOPLE]
    stale[0]["given_name"] = "Jezza"
    old = write_extract(
        tmp_path,
        "police-2014-01-01",
        people=stale,
        manifest_extra={"extracted_on": "2014-01-01", "period_end": "2013-12-31"},
    )
    assert run_import(capsys, str(old))[0] == 0
    assert SourceRecord.objects.get(record_id="POL-1").data["given_name"] == "Jessica"


def _break_missing_column(folder: Path) -> None:
    write_csv(folder / "events.csv", [{k: v for k, v in e.items() if k != "kind"} for e in EVENTS])


def _break_bad_date(folder: Path) -> None:
    people = [dict(p) for p in PEOPLE]
    people[2]["date_of_birth"] = "2001-13-40"
    write_csv(folder / "people.csv", people)


def _break_unknown_kind(folder: Path) -> None:
    events = [dict(e) for e in EVENTS]
    events[1]["kind"] = "picnic"
    write_csv(folder / "events.csv", events)


def _break_dangling_reference(folder: Path) -> None:
    events = [dict(e) for e in EVENTS]
    events[0]["others"] = "POL-9:associate"
    write_csv(folder / "events.csv", events)


def _break_nhs_number(folder: Path) -> None:
    people = [dict(p) for p in PEOPLE]
    people[0]["nhs_number"] = "9434765918"
    write_csv(folder / "people.csv", people)


def _break_utf8(folder: Path) -> None:
    raw = (folder / "people.csv").read_bytes().replace(b"Walker", b"Walk\xe9r")
    (folder / "people.csv").write_bytes(raw)


def _break_empty(folder: Path) -> None:
    (folder / "events.csv").write_bytes(b"")


BROKEN = {
    "missing column": (_break_missing_column, "events.csv:1:kind: required column is missing"),
    "bad date": (_break_bad_date, "people.csv:4:date_of_birth: '2001-13-40' is not a real date"),
    "unknown kind": (_break_unknown_kind, "events.csv:3:kind: 'picnic' is not a known event kind"),
    "dangling reference": (_break_dangling_reference, "events.csv:2:others: 'POL-9' is not a record_id"),
    "bad NHS number": (_break_nhs_number, "people.csv:2:nhs_number: '9434765918' is not a valid NHS number"),
    "non-UTF-8 file": (_break_utf8, "people.csv:2:family_name: not valid UTF-8"),
    "empty file": (_break_empty, "events.csv:1:*: the file is empty"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
@pytest.mark.parametrize("as_zip", [False, True], ids=["folder", "zip"])
def test_broken_extract_is_rejected_and_changes_nothing(
    case: str, as_zip: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_import(capsys, str(write_extract(tmp_path, "health-1", agency="health")))[0] == 0
    before = state()
    breaker, expected = BROKEN[case]
    folder = write_extract(tmp_path)
    breaker(folder)
    path = zip_folder(folder, tmp_path / "police.zip") if as_zip else folder
    code, out, err = run_import(capsys, str(path))
    assert code == 2
    prefix = f"{tmp_path}/police.zip/police-2014-07-01/" if as_zip else f"{folder}/"
    assert f"{prefix}{expected}" in err, err
    assert "nothing was written" in err and out == ""
    assert state() == before


def test_bad_zip_is_rejected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = state()
    bad = tmp_path / "police.zip"
    bad.write_bytes(b"PK\x03\x04 this is not really a zip")
    code, _, err = run_import(capsys, str(bad))
    assert code == 2
    assert f"{bad}:0:*: not a readable .zip file" in err
    # a zip whose member is corrupt is caught too
    good = zip_folder(write_extract(tmp_path), tmp_path / "good.zip")
    raw = bytearray(good.read_bytes())
    at = raw.find(b"record_id")  # stored uncompressed: flip a byte so the CRC fails
    raw[at] ^= 0xFF
    corrupt = tmp_path / "corrupt.zip"
    corrupt.write_bytes(bytes(raw))
    code, _, err = run_import(capsys, str(corrupt))
    assert (
        code == 2 and "corrupt.zip/police-2014-07-01/" in err and ":0:*: cannot be read from the zip" in err
    )
    assert state() == before


def test_every_problem_is_reported_not_just_the_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    people = [dict(p) for p in PEOPLE]
    people[0].update(date_of_birth="14/03/2000", sex="female", postcode="NOT A PC", estimated_age="x")
    people[1]["record_id"] = "POL-1"
    events = [dict(e) for e in EVENTS]
    events[0].update(occurred_on="yesterday", others="POL-2:friend;POL-7:suspect")
    events[1].update(record_id="POL-8", ended_on="2013-05-01")
    folder = write_extract(
        tmp_path,
        people=people,
        events=events,
        manifest_extra={"format": "other/2", "extracted_on": "2014-31-01"},
    )
    before = state()
    code, _, err = run_import(capsys, str(folder))
    assert code == 2
    lines = [line for line in err.splitlines() if line.startswith(str(folder))]
    found = {tuple(line[len(str(folder)) + 1 :].split(":")[:3]) for line in lines}
    assert found >= {
        ("manifest.json", "1", "format"),
        ("manifest.json", "1", "extracted_on"),
        ("people.csv", "2", "date_of_birth"),
        ("people.csv", "2", "sex"),
        ("people.csv", "2", "postcode"),
        ("people.csv", "2", "estimated_age"),
        ("people.csv", "3", "record_id"),
        ("events.csv", "2", "occurred_on"),
        ("events.csv", "2", "others"),
        ("events.csv", "3", "record_id"),
        ("events.csv", "3", "ended_on"),
    }, err
    # role "friend", and POL-2 and POL-7, neither of which is in people.csv any more
    assert sum(1 for line in lines if ":2:others:" in line) == 3
    assert state() == before


def test_missing_files_and_unregistered_agency(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_extract(tmp_path, agency="space_agency")
    (folder / "people.csv").unlink()
    code, _, err = run_import(capsys, str(folder), str(tmp_path / "nowhere"))
    assert code == 2
    assert f"{folder}/manifest.json:1:agency: 'space_agency' is not registered" in err
    assert f"{folder}/people.csv:0:*: missing" in err
    assert f"{tmp_path}/nowhere:0:*: no such extract folder" in err


def test_one_bad_extract_does_not_stop_the_good_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write_extract(tmp_path, "health", agency="health")
    bad = write_extract(tmp_path)
    _break_unknown_kind(bad)
    code, out, _ = run_import(capsys, str(bad), str(good))
    assert code == 2
    assert "imported" in out
    assert set(SourceRecord.objects.values_list("agency_id", flat=True)) == {"health"}


def test_column_mapping(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "yos"
    folder.mkdir()
    (folder / "manifest.json").write_text(
        json.dumps(
            {"format": "multi-agency-extract/1", "agency": "youth_service", "extracted_on": "2014-07-01"}
        )
    )
    write_csv(
        folder / "clients.csv",
        [
            {"Ref": "Y1", "Forename": "Jess", "DOB": "14/03/2000", "Gender": "Female", "Keyworker": "Sam"},
            {"Ref": "Y2", "Forename": "Mo", "DOB": "03/2001", "Gender": "Male", "Keyworker": ""},
        ],
    )
    write_csv(
        folder / "events.csv",
        [
            {
                "event_id": "C1",
                "record_id": "Y1",
                "kind": "DROPIN",
                "occurred_on": "02/05/2013 22:10",
                "others": "Y2:friend",
            },
        ],
    )
    mapping = tmp_path / "yos.toml"
    mapping.write_text(
        """
[files]
people = "clients.csv"

[people.columns]
Ref = "record_id"
Forename = "given_name"
DOB = "date_of_birth"
Gender = "sex"

[people.dates]
date_of_birth = ["%d/%m/%Y", "%m/%Y"]

[people.codes.sex]
Female = "F"
Male = "M"

[events.dates]
occurred_on = "%d/%m/%Y %H:%M"

[events.codes.kind]
DROPIN = "outreach_contact"

[events.codes.role]
friend = "associate"
""",
        encoding="utf-8",
    )
    code, _, err = run_import(capsys, str(folder))
    assert code == 2 and "clients.csv" not in err and "people.csv:0:*: missing" in err
    code, _, err = run_import(capsys, str(folder), "--mapping", str(mapping))
    assert code == 0, err
    y1 = SourceRecord.objects.get(record_id="Y1")
    assert (
        y1.data["date_of_birth"] == "2000-03-14" and y1.data["sex"] == "F" and y1.data["Keyworker"] == "Sam"
    )
    assert y1.data["_received"]["DOB"] == "14/03/2000" and y1.date_of_birth == "2000-03-14"
    assert SourceRecord.objects.get(record_id="Y2").data["date_of_birth"] == "2001-03"
    c1 = SourceEvent.objects.get(event_id="C1")
    assert c1.kind == "outreach_contact" and c1.data["others"] == "Y2:associate"
    assert c1.data["occurred_on"] == "2013-05-02T22:10"
    # a value the mapping cannot read is named like any other problem
    bad = tmp_path / "bad.toml"
    bad.write_text(mapping.read_text().replace('"%d/%m/%Y", "%m/%Y"', '"%Y-%m-%d"'))
    code, _, err = run_import(capsys, str(folder), "--mapping", str(bad))
    assert (
        code == 2 and "clients.csv:2:date_of_birth: '14/03/2000' matches none of the mapping's formats" in err
    )
    (tmp_path / "broken.toml").write_text("[people.columns\n")
    code, _, err = run_import(capsys, str(folder), "--mapping", str(tmp_path / "broken.toml"))
    assert code == 2 and "not valid TOML" in err


def test_import_ledger_verifies(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_import(capsys, str(write_extract(tmp_path)))[0] == 0
    people = [dict(p) for p in PEOPLE]
    people[1]["family_name"] = "Khan"
    later = write_extract(tmp_path, "later", people=people, manifest_extra={"extracted_on": "2014-08-01"})
    assert run_import(capsys, str(later))[0] == 0
    report = verify()
    assert report.ok, report.problems
