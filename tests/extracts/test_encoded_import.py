"""`sightline import` of encoded extracts (docs/pprl.md): stored through the ledger like any other,
nothing plain kept, bad encodings refused whole with file, row and column named."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from sightline.cli import main
from sightline.ledger.models import Entry
from sightline.people.models import SourceEvent, SourceRecord
from sightline.people.pprl.models import EncodedRecord
from sightline.pprl.bloom import Params
from sightline.pprl.extract import encode_extract
from tests import factories

from .helpers import EVENTS, PEOPLE, state, write_extract

pytestmark = pytest.mark.django_db
SECRET = b"the agreement's secret, held by its agencies only"
PLAIN_VALUES = ["Jess", "Walker", "2000-03-14", "S65 2AB", "9434765919", "Amy", "Hart", "Star Kebab"]


@pytest.fixture(autouse=True)
def _agencies() -> None:
    factories.agencies()


def encoded(tmp_path: Path, name: str = "health-2014-07-01", **params: str) -> Path:
    plain = write_extract(tmp_path / "plain", name, agency="health")
    out = tmp_path / f"{name}-encoded"
    encode_extract(plain, SECRET, out, Params(salt="rotherham-cse-2024", **params))  # type: ignore[arg-type]
    return out


def run_import(capsys: pytest.CaptureFixture[str], path: Path) -> tuple[int, str, str]:
    code = main(["import", str(path)])
    out, err = capsys.readouterr()
    return code, out, err


def rewrite(folder: Path, name: str, change: dict[str, str], row: int = 0) -> None:
    with (folder / name).open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows[row].update(change)
    with (folder / name).open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_encoded_extract_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = encoded(tmp_path)
    code, out, err = run_import(capsys, folder)
    assert code == 0, err
    assert "3 new" in out
    records = {r.record_id: r for r in SourceRecord.objects.filter(agency_id="health")}
    assert set(records) == {p["record_id"] for p in PEOPLE}
    with (folder / "people.csv").open(encoding="utf-8") as fh:
        sent = {r["record_id"]: r for r in csv.DictReader(fh)}
    for rid, record in records.items():
        enc = EncodedRecord.objects.get(source=record)
        assert enc.agency_id == "health" and enc.record_id == rid and enc.extract_id == record.extract_id
        # Every encoded column exactly as sent, beside the record.
        assert enc.encoded == {k: v for k, v in sent[rid].items() if k.endswith(("_bf", "_digest", "_salts"))
                               or k == "birth_years"}  # fmt: skip
        # The record itself holds the reference, sex and precision, and no filter.
        assert set(record.data) == {"record_id", "sex", "dob_precision", "encoded"}
        assert not (record.given_name or record.family_name or record.date_of_birth or record.postcode)
    assert len({e.agreement for e in EncodedRecord.objects.all()}) == 1
    assert SourceEvent.objects.filter(agency_id="health").count() == len(EVENTS)
    assert Entry.objects.filter(object_type="pprl.encodedrecord", action="import").count() == 3
    # Re-importing changes nothing.
    before = state()
    code, out, _ = run_import(capsys, folder)
    assert code == 0 and "already imported" in out and state() == before


def test_nothing_plain_is_stored_for_encoded_records(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_import(capsys, encoded(tmp_path))[0] == 0
    stored = json.dumps(
        [
            *SourceRecord.objects.values_list(
                "data", "given_name", "family_name", "date_of_birth", "postcode"
            ),
            *EncodedRecord.objects.values_list("encoded", flat=True),
            *SourceEvent.objects.values_list("data", flat=True),
        ]
    ).lower()
    for value in PLAIN_VALUES:
        assert value.lower() not in stored, value


def test_a_changed_encoding_is_a_new_version(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = encoded(tmp_path)
    assert run_import(capsys, first)[0] == 0
    second = encoded(tmp_path / "later", "health-2014-08-01")
    manifest = json.loads((second / "manifest.json").read_text())
    manifest["extracted_on"] = "2014-08-01"
    (second / "manifest.json").write_text(json.dumps(manifest))
    with (first / "people.csv").open(encoding="utf-8") as fh:
        other = next(r for r in csv.DictReader(fh) if r["record_id"] == "POL-3")
    rewrite(second, "people.csv", {"given_bf": other["given_bf"], "given_salts": other["given_salts"]})
    code, out, err = run_import(capsys, second)
    assert code == 0, err
    assert "1 updated" in out
    enc = EncodedRecord.objects.get(record_id="POL-1")
    assert enc.version == 2 and enc.encoded["given_bf"] == other["given_bf"]


@pytest.mark.parametrize(
    ("file", "change", "expected"),
    [
        ("manifest", {"scheme": "clk/2"}, "manifest.json:1:encoding.scheme: is 'clk/2'"),
        ("manifest", {"filter_bits": 512}, "people.csv:2:given_bf: filter 1 is 1024 bits; the manifest says "
                                           "filter_bits 512"),
        ("manifest", {"salt": ""}, "manifest.json:1:encoding.salt: required"),
        ("people", {"given_salts": ""}, "people.csv:2:given_salts: missing: given_bf has"),
        ("people", {"family_bf": "AAAA"}, "people.csv:2:family_bf: filter 1 is 24 bits"),
        ("people", {"nhs_digest": "not*base64"}, "people.csv:2:nhs_digest: 'not*base64' is not a"),
        ("events", {"place_bf": "QUJD"}, "events.csv:2:place_bf: filter 1 is 24 bits"),
    ],
)  # fmt: skip
def test_bad_encodings_are_refused_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], file: str, change: dict[str, object], expected: str
) -> None:
    folder = encoded(tmp_path)
    if file == "manifest":
        manifest = json.loads((folder / "manifest.json").read_text())
        manifest["encoding"].update(change)
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=1))
    else:
        rewrite(folder, f"{file}.csv", {k: str(v) for k, v in change.items()})
    before = state()
    code, _, err = run_import(capsys, folder)
    assert code == 2
    assert expected in err, err
    assert state() == before


def test_a_plain_identifier_in_an_encoded_extract_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = encoded(tmp_path)
    rewrite(folder, "people.csv", {"given_name": "Jess"})
    before = state()
    code, _, err = run_import(capsys, folder)
    assert code == 2
    assert "people.csv:1:given_name: a plain identifying column in an encoded extract" in err
    assert state() == before
