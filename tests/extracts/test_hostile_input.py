"""Hostile extracts are refused with exit 2 and ``file:row:column``, never a traceback, and change
nothing: zip bombs and the import limits (checked while the extract streams in), control bytes in
cells, deeply nested or unstorable manifests, and zip members that climb out of the archive."""

from __future__ import annotations

import json
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

import pytest

from sightline.access.services import ensure_standard_agencies
from sightline.cli import main
from sightline.people.models import SourceRecord

from .helpers import EVENTS, PEOPLE, state, write_csv, write_extract

pytestmark = pytest.mark.django_db

MiB = 1024**2


@pytest.fixture(autouse=True)
def _agencies() -> None:
    ensure_standard_agencies()


def refused(capsys: pytest.CaptureFixture[str], path: Path, *expected: str) -> str:
    """Import ``path``; it must be refused (exit 2) naming each of ``expected``, and change nothing."""
    before = state()
    code = main(["import", str(path)])
    out, err = capsys.readouterr()
    assert code == 2, (out, err)
    for text in expected:
        assert text in err, err
    assert "nothing was written" in err and out == ""
    assert state() == before
    return err


def zip_folder(folder: Path, out: Path, extra: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(folder.iterdir()):
            zf.write(f, f"{folder.name}/{f.name}")
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return out


def peak_memory(capsys: pytest.CaptureFixture[str], path: Path, expected: str) -> int:
    """Bytes allocated at the peak of refusing ``path`` (after a first run has loaded every module)."""
    main(["import", str(path.parent / "nowhere")])
    tracemalloc.start()
    try:
        refused(capsys, path, expected)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def newline_bomb(tmp_path: Path, mib: int) -> Path:
    """The reported case: a small zip whose people.csv is ``mib`` MiB of newlines after a header."""
    folder = write_extract(tmp_path)
    out = tmp_path / "bomb.zip"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.write(folder / "manifest.json", "bomb/manifest.json")
        with zf.open("bomb/people.csv", "w") as fh:
            fh.write(b"record_id,given_name\n")
            for _ in range(mib):
                fh.write(b"\n" * MiB)
    return out


def test_a_zip_bomb_is_refused_before_it_is_unpacked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bomb = newline_bomb(tmp_path, 256)
    assert bomb.stat().st_size < 400_000
    expected = f"{bomb}/bomb/people.csv:0:*: unpacks to more than 100 times its compressed size"
    assert peak_memory(capsys, bomb, expected) < 16 * MiB


def test_limits_hold_while_streaming_even_when_the_ratio_is_allowed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], settings: Any
) -> None:
    settings.IMPORT_MAX_RATIO = 10**6
    settings.IMPORT_MAX_ROWS = 200_000
    bomb = newline_bomb(tmp_path, 64)
    expected = f"{bomb}/bomb/people.csv:200001:*: the file has more than 200,000 rows"
    # Read whole, the file would be 64 MiB as bytes and as much again as text.
    assert peak_memory(capsys, bomb, expected) < 16 * MiB
    settings.IMPORT_MAX_ROWS = 10**9
    settings.IMPORT_MAX_BYTES = 8 * MiB
    refused(capsys, bomb, f"{bomb}:0:*: the zip unpacks to more than 8,388,608 bytes")


def test_rows_row_length_and_total_bytes_are_limited_in_folders_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], settings: Any
) -> None:
    settings.IMPORT_MAX_ROWS = 50
    people = [{"record_id": f"POL-{i}", "given_name": "Jo"} for i in range(60)]
    folder = write_extract(tmp_path, "many", people=people, events=[])
    refused(capsys, folder, f"{folder}/people.csv:51:*: the file has more than 50 rows")
    settings.IMPORT_MAX_ROWS = 1000
    settings.IMPORT_MAX_ROW_LENGTH = 500
    long = [dict(p) for p in PEOPLE]
    long[1]["family_name"] = "x" * 600
    folder = write_extract(tmp_path, "long", people=long)
    refused(capsys, folder, f"{folder}/people.csv:3:*: the row is longer than 500 characters")
    # one enormous line with no line break is cut off at the limit, not read whole
    folder = write_extract(tmp_path, "endless")
    (folder / "events.csv").write_bytes(b"event_id," + b"y" * (8 * MiB))
    refused(capsys, folder, f"{folder}/events.csv:1:*: the row is longer than 500 characters")
    settings.IMPORT_MAX_ROW_LENGTH = 10**9
    settings.IMPORT_MAX_BYTES = 4 * MiB
    refused(capsys, folder, f"{folder}/events.csv:0:*: the extract unpacks to more than 4,194,304 bytes")
    settings.IMPORT_MAX_BYTES = 10**9
    assert main(["import", str(write_extract(tmp_path, "fine"))]) == 0  # limits raised: imports


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x08", "\x0b", "\x1b", "\x7f"])
@pytest.mark.parametrize("as_zip", [False, True], ids=["folder", "zip"])
def test_control_bytes_in_cells_are_refused(
    char: str, as_zip: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    people = [dict(p) for p in PEOPLE]
    people[2]["given_name"] = f"Am{char}y"
    events = [dict(e) for e in EVENTS]
    events[1]["summary"] = f"seen{char}"
    folder = write_extract(tmp_path, people=people, events=events)
    path = zip_folder(folder, tmp_path / "police.zip") if as_zip else folder
    prefix = f"{path}/{folder.name}" if as_zip else str(folder)
    refused(
        capsys,
        path,
        f"{prefix}/people.csv:4:given_name: holds the control character U+{ord(char):04X} at character 3",
        f"{prefix}/events.csv:3:summary: holds the control character U+{ord(char):04X} at character 5",
    )


def test_control_bytes_in_a_header_and_line_breaks_in_a_cell(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_extract(tmp_path, people=[{**p, "no\x00te": ""} for p in PEOPLE])
    err = refused(capsys, folder, f"{folder}/people.csv:1:#9: holds the control character U+0000")
    assert "\x00" not in err  # the column is named by position, not echoed
    people = [dict(p) for p in PEOPLE]
    people[0]["given_name"] = "Jess\tAnn\r\nWalker"  # tabs and line breaks inside a quoted cell are text
    assert main(["import", str(write_extract(tmp_path, "ok", people=people))]) == 0
    assert SourceRecord.objects.get(record_id="POL-1").data["given_name"] == "Jess\tAnn\r\nWalker"


def test_deeply_nested_manifest_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_extract(tmp_path)
    base = json.dumps({"format": "multi-agency-extract/1", "agency": "police", "extracted_on": "2014-07-01"})
    (folder / "manifest.json").write_text(base[:-1] + ',\n"notes": ' + "[" * 100_000 + "]" * 100_000 + "}")
    refused(capsys, folder, f"{folder}/manifest.json:2:*: nests deeper than 16 levels")
    (folder / "manifest.json").write_text(base[:-1] + ', "notes": ' + "[" * 40 + "]" * 40 + "}")
    refused(capsys, folder, f"{folder}/manifest.json:1:*: nests deeper than 16 levels")


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"notes": "a\u0000b"}, "manifest.json:1:notes: holds the control character U+0000"),
        ({"by": {"team": ["x", "\x1b[31m"]}}, "manifest.json:1:by: holds the control character U+001B"),
        ({"count": 2**60}, "manifest.json:1:count: the number 1152921504606846976 is outside the range"),
        ({"ratio": float("inf")}, "manifest.json:1:ratio: inf is not a finite number"),
        ({"bad\u0000key": 1}, "manifest.json:1:*: holds the control character U+0000"),
        ({"lone": "\udc80"}, "manifest.json:1:lone: not valid UTF-8"),
    ],
)
def test_manifest_values_no_table_can_hold_are_refused(
    extra: dict[str, Any], expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_extract(tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    (folder / "manifest.json").write_text(json.dumps({**manifest, **extra}))
    refused(capsys, folder, f"{folder}/{expected}")


@pytest.mark.parametrize(
    "member", ["/etc/cron.d/evil", "../evil.csv", "police/../../evil.csv", "..\\evil.csv"]
)
def test_zip_members_with_absolute_or_climbing_paths_are_refused(
    member: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = zip_folder(write_extract(tmp_path), tmp_path / "police.zip", {member: b"x"})
    refused(capsys, path, f"{path}:0:*: member {member!r} has an absolute path or a '..' step")


def test_an_encrypted_zip_member_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = zip_folder(write_extract(tmp_path), tmp_path / "police.zip")
    raw = bytearray(path.read_bytes())
    # Mark every member encrypted (general-purpose flag bit 0), in local and central headers.
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = raw.find(signature)
        while at >= 0:
            raw[at + offset] |= 1
            at = raw.find(signature, at + 4)
    path.write_bytes(bytes(raw))
    refused(capsys, path, "/people.csv:0:*: cannot be read from the zip", "encrypted")


def test_a_refused_extract_can_be_fixed_and_imported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    people = [dict(p) for p in PEOPLE]
    people[0]["given_name"] = "Je\x00ss"
    folder = write_extract(tmp_path, people=people)
    refused(capsys, folder, "people.csv:2:given_name")
    people[0]["given_name"] = "Jess"
    write_csv(folder / "people.csv", people)
    assert main(["import", str(folder)]) == 0
    assert SourceRecord.objects.count() == 3
