"""`sightline pprl encode` on the town: the output is an extract in the same format, and nothing
plain that identifies anyone is in it."""

from __future__ import annotations

import argparse
import base64
import csv
import json
import re
import zipfile
from pathlib import Path

import pytest

from sightline.pprl import chunks, commands
from sightline.pprl import normalise as norm
from sightline.pprl.extract import Extract, read_extract
from sightline.pprl.records import EVENT_FIELDS, PEOPLE_FIELDS

from .conftest import SECRET


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    commands.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["pprl", *argv])
    return int(args.func(args))


@pytest.fixture(scope="module")
def secret_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("secret") / "agreement.secret"
    path.write_bytes(SECRET + b"\n")
    return path


@pytest.fixture(scope="module")
def encoded(
    extracts: list[tuple[Path, Extract]], secret_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    out = tmp_path_factory.mktemp("encoded")
    for folder, _ in extracts:
        code = _run("encode", str(folder), "--secret-file", str(secret_file), "--salt", "town-2014",
                    "--out", str(out / folder.name), "--no-progress")  # fmt: skip
        assert code == 0
    return out


def _plain_values(extracts: list[tuple[Path, Extract]]) -> dict[str, set[str]]:
    """Every identifying value in the plain extracts, in the forms it could leak in."""
    found: dict[str, set[str]] = {"word": set(), "string": set()}
    for _, extract in extracts:
        for row in extract.people:
            for column in ("given_name", "family_name", "other_names"):
                found["word"].update(w for n in norm.names(row.get(column, "")) for w in n.split())
            for column in ("date_of_birth", "email", "nhs_number", "upn", "pnc_id", "postcode", "address"):
                value = row.get(column, "").strip()
                if value and not (column == "date_of_birth" and len(value) == 4):  # a bare year is no leak
                    found["string"].update({value.lower(), re.sub(r"[^0-9a-z]", "", value.lower())})
            found["string"].update(norm.phones(row.get("phone", "")))
            found["string"].update(p.replace(" ", "") for p in row.get("phone", "").split(";") if p.strip())
        for event in extract.events:
            for column in ("place", "postcode"):
                value = event.get(column, "").strip()
                if value:
                    found["string"].update({value.lower(), re.sub(r"[^0-9a-z]", "", value.lower())})
            found["string"].update(norm.phones(event.get("phone", "")))
            found["string"].update(v.lower() for v in norm.vehicles(event.get("vehicle", "")))
    found["string"] = {s for s in found["string"] if len(s) >= 4}
    return found


class _Scanner:
    """Finds plain values in text: names as whole words, everything else anywhere in the text or
    in its letters and digits run together. Distinct texts are scanned once."""

    def __init__(self, plain: dict[str, set[str]]) -> None:
        self.words = plain["word"]
        longest_first = sorted(plain["string"], key=len, reverse=True)
        self.strings = re.compile("|".join(re.escape(v) for v in longest_first))
        self.seen: dict[str, list[str]] = {}

    def __call__(self, text: str) -> list[str]:
        if text not in self.seen:
            lowered = text.lower()
            hits = sorted(set(re.findall(r"[a-z]+", lowered)) & self.words)
            hits += self.strings.findall(lowered) + self.strings.findall(re.sub(r"[^0-9a-z]", "", lowered))
            self.seen[text] = hits
        return self.seen[text]


def test_nothing_plain_leaves_the_agency(
    extracts: list[tuple[Path, Extract]], encoded: Path, secret_file: Path
) -> None:
    plain = _plain_values(extracts)
    assert len(plain["word"]) > 300 and len(plain["string"]) > 3000  # the scan has something to find
    leaks = _Scanner(plain)
    person = extracts[0][1].people[0]
    for column in ("given_name", "postcode", "date_of_birth"):  # the scanner does find plain values
        assert leaks(f"x,{person[column].upper()}!"), column
    declared = {"people": {f.column: f for f in PEOPLE_FIELDS}, "events": {f.column: f for f in EVENT_FIELDS}}
    secret = secret_file.read_bytes().strip()
    forms_of_secret = {secret.decode(), secret.hex(), base64.b64encode(secret).decode()}
    scanned = 0
    for folder in sorted(encoded.iterdir()):
        manifest_text = (folder / "manifest.json").read_text(encoding="utf-8")
        assert not leaks(manifest_text), folder
        assert not any(form in manifest_text for form in forms_of_secret)
        encoding = json.loads(manifest_text)["encoding"]
        for part, name in (("people", "people.csv"), ("events", "events.csv")):
            if not (folder / name).exists():
                continue
            text = (folder / name).read_text(encoding="utf-8")
            assert not any(form in text for form in forms_of_secret)
            with (folder / name).open(encoding="utf-8") as handle:
                rows = list(csv.DictReader(handle))
            for row in rows:
                for column, cell in row.items():
                    scanned += 1
                    if column in declared[part] and declared[part][column].kind != "plain":
                        # An encoding is nothing but base64 of a filter or digest of fixed size.
                        size = encoding["filter_bits"] // 8 if "bloom" in declared[part][column].kind else 16
                        for item in filter(None, cell.split(";")):
                            assert len(base64.b64decode(item, validate=True)) == size, (folder, column)
                        continue
                    assert column in encoding["kept"][part] or column in declared[part], (folder, column)
                    if part == "events" and column in ("occurred_on", "ended_on"):
                        continue  # event dates are sent: what happened when is what linking is for
                    assert not leaks(cell), (folder, name, column, cell)
    assert scanned > 50_000


def test_encoded_extract_is_an_extract_with_an_encoding(
    extracts: list[tuple[Path, Extract]], encoded: Path
) -> None:
    folder, plain = next((f, e) for f, e in extracts if e.manifest["agency"] == "health")
    manifest = json.loads((encoded / folder.name / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format"] == "multi-agency-extract/1"
    assert {k: manifest[k] for k in plain.manifest} == plain.manifest
    enc = manifest["encoding"]
    assert enc["scheme"] == "sightline-bf/1" and enc["salt"] == "town-2014" and enc["hardening"] == "fold"
    assert enc["kept"]["people"] == ["record_id", "sex"]
    assert {"given_name", "date_of_birth", "ethnicity", "estimated_age", "description"} <= set(
        enc["dropped"]["people"]
    )
    assert "summary" in enc["dropped"]["events"]
    with (encoded / folder.name / "people.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["record_id"] for r in rows] == [r["record_id"] for r in plain.people]
    assert sum(bool(r["nhs_digest"]) for r in rows) == sum(bool(r["nhs_number"]) for r in plain.people)
    with pytest.raises(ValueError, match="already encoded"):  # nobody encodes twice
        read_extract(encoded / folder.name)


def test_the_same_person_encodes_alike_across_agencies(encoded: Path) -> None:
    """Two agencies' encodings meet where their plain values do: that is what linkage needs."""
    phones: dict[str, set[str]] = {}
    for folder in encoded.iterdir():
        with (folder / "people.csv").open(encoding="utf-8") as handle:
            for r in csv.DictReader(handle):
                for p in filter(None, r["phone_digest"].split(";")):
                    phones.setdefault(p, set()).add(folder.name.split("-")[0])
    assert any(len(agencies) > 1 for agencies in phones.values())


def test_workers_write_what_one_process_writes(
    extracts: list[tuple[Path, Extract]], encoded: Path, secret_file: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    folder, extract = max(extracts, key=lambda fe: len(fe[1].people))
    monkeypatch.setattr(chunks, "CHUNK", 150)  # several chunks for people and for events
    assert min(len(extract.people), len(extract.events)) > 3 * chunks.CHUNK
    out = tmp_path / "two"
    assert _run("encode", str(folder), "--secret-file", str(secret_file), "--salt", "town-2014",
                "--out", str(out), "--no-progress", "--workers", "2") == 0  # fmt: skip
    for name in ("manifest.json", "people.csv", "events.csv"):
        assert (out / name).read_bytes() == (encoded / folder.name / name).read_bytes()


def test_zip_in_zip_out_and_keep(
    extracts: list[tuple[Path, Extract]], secret_file: Path, tmp_path: Path
) -> None:
    folder = next(f for f, e in extracts if e.manifest["agency"] == "youth_service")
    archive = tmp_path / "youth.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for f in folder.iterdir():
            z.write(f, f"{folder.name}/{f.name}")
    out = tmp_path / "youth-encoded.zip"
    assert _run("encode", str(archive), "--secret-file", str(secret_file), "--salt", "s", "--out", str(out),
                "--keep", "ethnicity", "--hardening", "balance", "--no-progress") == 0  # fmt: skip
    with zipfile.ZipFile(out) as z:
        people = z.read("youth-encoded/people.csv").decode()
        manifest = json.loads(z.read("youth-encoded/manifest.json"))
    assert people.splitlines()[0].startswith("record_id,sex,ethnicity,dob_precision,")
    assert manifest["encoding"]["hardening"] == "balance"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--keep", "given_name"], "cannot keep identifying columns: given_name"),
        (["--keep", "shoe_size"], "does not have: shoe_size"),
        (["--keep", "summary"], "cannot keep identifying columns: summary"),
        (["--bits", "1000"], "multiple of 64"),
        (["--workers", "0"], "at least 1"),
    ],
)
def test_refusals(
    extracts: list[tuple[Path, Extract]], secret_file: Path, tmp_path: Path, extra: list[str], message: str,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    folder = extracts[0][0]
    code = _run("encode", str(folder), "--secret-file", str(secret_file), "--salt", "s",
                "--out", str(tmp_path / "out"), "--no-progress", *extra)  # fmt: skip
    assert code == 2 and message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_short_secret_is_refused_and_new_secret_is_private(
    extracts: list[tuple[Path, Extract]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    weak = tmp_path / "weak"
    weak.write_text("password\n")
    code = _run(
        "encode", str(extracts[0][0]), "--secret-file", str(weak), "--salt", "s", "--out", str(tmp_path / "o")
    )
    assert code == 2 and "at least 16 bytes" in capsys.readouterr().err
    fresh = tmp_path / "fresh.secret"
    assert _run("new-secret", str(fresh)) == 0
    assert fresh.stat().st_mode & 0o777 == 0o600 and len(fresh.read_text().strip()) == 64
    assert _run("new-secret", str(fresh)) == 2  # never overwrites a secret
