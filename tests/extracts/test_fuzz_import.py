"""Property: any extract, well formed or broken at random, either imports whole or is refused with
``file:row:column`` problems and exit 2, the ledger and every table exactly as they were. Never a
traceback. Bounded so that it runs in CI on SQLite and on PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sightline.access.services import ensure_standard_agencies
from sightline.cli import main
from sightline.extracts.validation import EVENT_KINDS, ROLES
from sightline.ledger.selectors import verify
from sightline.people.models import Extract, SourceEvent, SourceRecord

from .helpers import manifest, state

pytestmark = pytest.mark.django_db

PROBLEM = re.compile(r"^.+:\d+:.+?: \S.*$")  # file:row:column: reason
# Printable text (formula starts included); cells that break things come from the mutations.
CELL = st.text(st.characters(exclude_categories=["Cs", "Cc"]), max_size=12)
ANY_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
DATES = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2014, 6, 30))
BIRTH = st.one_of(st.just(""), DATES.map(lambda d: d.isoformat()), DATES.map(lambda d: f"{d:%Y-%m}"))
POSTCODES = st.sampled_from(["", "S65 2AB", "s60 1aa", "M1 1AE", "LS1 4DY"])
NHS = st.sampled_from(["", "9434765919", "943 476 5870"])


@st.composite
def people_rows(draw: Any) -> list[dict[str, str]]:
    n = draw(st.integers(1, 6))
    return [
        {
            "record_id": f"R{i}",
            "given_name": draw(CELL),
            "family_name": draw(CELL),
            "date_of_birth": draw(BIRTH),
            "sex": draw(st.sampled_from(["", "F", "M", "U"])),
            "postcode": draw(POSTCODES),
            "nhs_number": draw(NHS),
            draw(st.sampled_from(["hair", "notes", "=extra"])): draw(CELL),
        }
        for i in range(n)
    ]  # fmt: skip


@st.composite
def event_rows(draw: Any, ids: list[str]) -> list[dict[str, str]]:
    rows = []
    for i in range(draw(st.integers(0, 5))):
        when = draw(DATES)
        others = draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(sorted(ROLES))), max_size=2))
        rows.append(
            {
                "event_id": f"E{i}",
                "record_id": draw(st.sampled_from(ids)),
                "kind": draw(st.sampled_from(sorted(EVENT_KINDS))),
                "occurred_on": when.isoformat(),
                "ended_on": draw(st.sampled_from(["", when.isoformat()])),
                "others": ";".join(f"{r}:{role}" for r, role in others),
                "summary": draw(CELL),
            }
        )
    return rows


def csv_bytes(rows: list[dict[str, str]], header: list[str] | None = None) -> bytes:
    columns = (
        header
        or list(dict.fromkeys(k for row in rows for k in row))
        or ["event_id", "record_id", "kind", "occurred_on"]
    )
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | ANY_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(ANY_TEXT, inner, max_size=3),
    max_leaves=8,
)


@st.composite
def mutate(
    draw: Any, files: dict[str, bytes], people: list[dict[str, str]], events: list[dict[str, str]]
) -> str:
    """Break the extract in one of many ways; returns what was done."""
    kind = draw(
        st.sampled_from(
            ["cell", "drop column", "duplicate id", "manifest json", "manifest field", "deep manifest",
             "bytes", "truncate", "insert byte", "blank file", "remove file"]
        )
    )  # fmt: skip
    name = draw(st.sampled_from(sorted(files)))
    if kind == "cell":
        rows = people if draw(st.booleans()) or not events else events
        row = draw(st.sampled_from(rows))
        row[draw(st.sampled_from(sorted(row)))] = draw(ANY_TEXT)
        files["people.csv"], files["events.csv"] = csv_bytes(people), csv_bytes(events)
    elif kind == "drop column":
        target, rows = ("people.csv", people) if draw(st.booleans()) else ("events.csv", events)
        header = list(dict.fromkeys(k for row in rows for k in row))
        if header:
            header.remove(draw(st.sampled_from(header)))
            files[target] = csv_bytes(rows, header or ["x"])
    elif kind == "duplicate id" and len(people) > 1:
        people[-1]["record_id"] = people[0]["record_id"]
        files["people.csv"] = csv_bytes(people)
    elif kind == "manifest json":
        files["manifest.json"] = json.dumps(draw(JSON)).encode()
    elif kind == "manifest field":
        try:  # an earlier mutation may have removed the manifest or left it no object
            data = json.loads(files.get("manifest.json", b""))
        except (ValueError, RecursionError):
            data = None
        if isinstance(data, dict):
            data[
                draw(st.sampled_from(["format", "agency", "extracted_on", "period_start", "period_end", "x"]))
            ] = draw(JSON)
            files["manifest.json"] = json.dumps(data).encode()
    elif kind == "deep manifest" and "manifest.json" in files:
        depth = draw(st.integers(10, 5000))
        files["manifest.json"] = files["manifest.json"][:-1] + b', "n": ' + b"[" * depth + b"]" * depth + b"}"
    elif kind == "bytes":
        files[name] = draw(st.binary(max_size=200))
    elif kind == "truncate":
        files[name] = files[name][: draw(st.integers(0, len(files[name])))]
    elif kind == "insert byte":
        at = draw(st.integers(0, len(files[name])))
        files[name] = files[name][:at] + bytes([draw(st.integers(0, 255))]) + files[name][at:]
    elif kind == "blank file":
        files[name] = draw(st.sampled_from([b"", b"\n\n", b"\xef\xbb\xbf", b" \r\n"]))
    elif kind == "remove file":
        files.pop(name)
    return f"{kind} {name}"


@st.composite
def extracts(draw: Any) -> tuple[dict[str, bytes], list[str], bool]:
    """(files, what was broken, packed as a zip); nothing broken means it must import."""
    people = draw(people_rows())
    events = draw(event_rows([p["record_id"] for p in people]))
    extracted = draw(st.dates(min_value=dt.date(2014, 7, 1), max_value=dt.date(2016, 1, 1)))
    meta = manifest(
        draw(st.sampled_from(["police", "health", "education"])), extracted_on=extracted.isoformat()
    )
    files = {
        "manifest.json": json.dumps(meta).encode(),
        "people.csv": csv_bytes(people),
        "events.csv": csv_bytes(events),
    }
    broken = [draw(mutate(files, people, events)) for _ in range(draw(st.integers(0, 2)))]
    return files, broken, draw(st.booleans())


def write(folder: Path, files: dict[str, bytes], as_zip: bool, unsafe: str | None) -> Path:
    if not as_zip:
        folder.mkdir()
        for name, data in files.items():
            (folder / name).write_bytes(data)
        return folder
    path = folder.with_suffix(".zip")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(f"{folder.name}/{name}", data)
        if unsafe:
            zf.writestr(unsafe, b"x")
    return path


@pytest.fixture
def agencies() -> None:
    ensure_standard_agencies()


@pytest.mark.usefixtures("agencies")
@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(extract=extracts(), unsafe=st.sampled_from([None, None, None, "../up.csv", "/abs.csv"]))
def test_an_extract_imports_whole_or_is_refused_leaving_everything_as_it_was(
    capsys: pytest.CaptureFixture[str],
    extract: tuple[dict[str, bytes], list[str], bool],
    unsafe: str | None,
) -> None:
    files, broken, as_zip = extract
    unsafe = unsafe if as_zip else None
    with tempfile.TemporaryDirectory() as tmp, transaction.atomic():
        path = write(Path(tmp) / "fuzz-2014", files, as_zip, unsafe)
        before = state()
        capsys.readouterr()
        code = main(["import", str(path)])  # an exception here is a failure: never a traceback
        err = capsys.readouterr().err
        after = state()
        if code == 0:
            # whole: the extract, every row of it, one ledger entry each, and a ledger that verifies
            assert unsafe is None, "a zip with a member outside its folder was imported"
            imported = Extract.objects.order_by("-imported_at").first()
            assert imported is not None and Extract.objects.count() == before_extracts(before) + 1
            records = SourceRecord.objects.filter(extract=imported).count()
            events = SourceEvent.objects.filter(extract=imported).count()
            assert (records, events) == (imported.record_count, imported.event_count)
            assert after["size"] == before["size"] + 1 + records + events
            report = verify()
            assert report.ok, report.problems
        else:
            # refused: clearly, and with the ledger and every table exactly as they were
            assert code == 2
            assert broken or unsafe, f"a well-formed extract was refused:\n{err}"
            problems = [line for line in err.splitlines() if not line.endswith("nothing was written")]
            assert problems and all(PROBLEM.match(line) for line in problems), err
            assert after == before
        transaction.set_rollback(True)


def before_extracts(snapshot: dict[str, Any]) -> int:
    return int(snapshot["counts"]["people.Extract"])


@pytest.mark.usefixtures("agencies")
def test_problems_are_printed_as_file_row_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write(tmp_path / "x", {"manifest.json": b"{", "people.csv": b"record_id\n\x00\n"}, False, None)
    assert main(["import", str(folder)]) == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if "rejected" not in line]
    assert lines and all(PROBLEM.match(line) for line in lines), lines
