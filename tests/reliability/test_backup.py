"""``sightline backup`` and ``sightline restore``: a restored copy verifies against checkpoints published
before the backup, backups taken while ``serve`` writes are consistent, and a tampered backup is
refused with the database left as it was. On SQLite and on PostgreSQL."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import sqlite3
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from sightline.access.services import ensure_standard_agencies
from sightline.cli import main
from sightline.ledger.backup import DATABASE
from sightline.ledger.models import Entry
from sightline.ledger.selectors import leaf_hashes, verify
from sightline.ledger.services import Actor, do_checkpoint, do_create, integrate, signing_key
from sightline.people.models import Person
from tests import factories

from .conftest import Server, Writers, wait_for

ACTOR = Actor("backup-test", "police", "analyst")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def people(n: int, tag: str) -> list[str]:
    return [do_create(Person(given_name=f"{tag}{i}", family_name="Backup"), actor=ACTOR).id for i in range(n)]


def fingerprint() -> tuple[int, list[bytes], int]:
    size = integrate()
    return size, leaf_hashes(size), Person.objects.count()


@pytest.mark.usefixtures("committed")
def test_a_restored_backup_verifies_against_checkpoints_published_before_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ensure_standard_agencies()
    early = people(5, "early")
    cp = tmp_path / "published.txt"
    do_checkpoint(out=cp)
    people(3, "middle")
    out = tmp_path / "sightline.backup"
    code, text, err = run(capsys, "backup", str(out))
    assert code == 0, err
    at_backup = fingerprint()
    assert f"{at_backup[0]} ledger entries" in text
    late = people(4, "late")  # written after the backup: gone once it is restored

    code, _, err = run(capsys, "restore", str(out), "--checkpoint", str(cp))
    assert code == 2 and "already holds a ledger" in err and "--replace" in err
    code, text, err = run(capsys, "restore", str(out), "--checkpoint", str(cp), "--replace")
    assert code == 0, err
    assert "ledger intact" in text
    assert fingerprint() == at_backup
    assert set(early) <= set(Person.objects.values_list("id", flat=True))
    assert not Person.objects.filter(id__in=late).exists()
    code, text, _ = run(capsys, "ledger", "verify", "--checkpoint", str(cp))
    assert code == 0 and "ledger intact" in text, text
    people(1, "after")  # and the restored database takes new writes
    assert verify([cp.read_text()]).ok


# --- tampering -----------------------------------------------------------------------------------


def _sqlite_edit(path: Path, sql: str) -> None:
    db = sqlite3.connect(path)
    for table in ("ledger_entry", "ledger_checkpoint"):
        db.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
        db.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
    db.execute(sql)
    db.commit()
    db.close()


def _copy_lines(dump: str) -> tuple[int, int]:
    """Where the ledger_entry rows are in a pg_dump file: (first line, line after the last)."""
    lines = dump.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("COPY public.ledger_entry ")) + 1
    end = lines.index("\\.", start)
    return start, end


def alter_database(folder: Path, how: str) -> None:
    """As someone with the file would: rewrite an entry's reason, or drop the last entry."""
    if connection.vendor == "sqlite":
        path = folder / DATABASE["sqlite"]
        if how == "change":
            text = "CAST(canonical AS TEXT)"
            _sqlite_edit(
                path,
                f"UPDATE ledger_entry SET canonical = CAST(replace({text}, 'early1', 'early9') AS BLOB) "
                f"WHERE instr({text}, 'early1') > 0",
            )
        else:
            _sqlite_edit(
                path, 'DELETE FROM ledger_entry WHERE "index" = (SELECT max("index") FROM ledger_entry)'
            )
        return
    path = folder / DATABASE["postgresql"]
    lines = path.read_text().split("\n")
    start, end = _copy_lines("\n".join(lines))
    if how == "change":
        hexed = b"early1".hex()
        at = next(i for i in range(start, end) if hexed in lines[i])
        lines[at] = lines[at].replace(hexed, b"early9".hex(), 1)
    else:
        del lines[end - 1]
    path.write_text("\n".join(lines))


def repack(
    original: Path, folder: Path, out: Path, *, resign: bool, edit: Callable[[dict[str, Any]], None] | None
) -> Path:
    """The unpacked backup in ``folder`` zipped again, its manifest edited or re-signed if asked."""
    with zipfile.ZipFile(original) as zf:
        names = zf.namelist()
    manifest = json.loads((folder / "manifest.json").read_text())
    if edit:
        edit(manifest)
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))
    if resign:  # as a thief of the signing key, or a backup taken of a database already altered
        for name in manifest["files"]:
            manifest["files"][name]["sha256"] = hashlib.sha256((folder / name).read_bytes()).hexdigest()
        text = json.dumps(manifest, indent=2, sort_keys=True).encode()
        (folder / "manifest.json").write_bytes(text)
        (folder / "manifest.sig").write_text(base64.b64encode(signing_key().sign(text)).decode() + "\n")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in names:
            zf.write(folder / name, name)
    return out


TAMPERING = {
    "changed entry": (
        "change",
        False,
        None,
        r"database\.\w+ does not match its SHA-256 in the signed manifest",
    ),
    "dropped entry": (
        "drop",
        False,
        None,
        r"database\.\w+ does not match its SHA-256 in the signed manifest",
    ),
    "edited manifest": (
        None,
        False,
        lambda m: m["ledger"].update(size=1),
        "the manifest's signature does not verify",
    ),
    "changed entry, re-signed": ("change", True, None, r"fails verification:\nPROBLEM: "),
    "dropped entry, re-signed": ("drop", True, None, r"fails verification:\nPROBLEM: "),
}


@pytest.mark.parametrize("case", list(TAMPERING))
@pytest.mark.usefixtures("committed")
def test_a_tampered_backup_is_refused_and_changes_nothing(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ensure_standard_agencies()
    people(4, "early")
    out = tmp_path / "sightline.backup"
    assert run(capsys, "backup", str(out))[0] == 0
    people(2, "later")
    before = fingerprint()
    how, resign, edit, expected = TAMPERING[case]
    folder = tmp_path / "unpacked"
    folder.mkdir()
    with zipfile.ZipFile(out) as zf:
        zf.extractall(folder)
    if how:
        alter_database(folder, how)
    bad = repack(out, folder, tmp_path / "tampered.backup", resign=resign, edit=edit)
    code, _, err = run(capsys, "restore", str(bad), "--replace")
    assert code == 2, err
    assert re.search(expected, err), err
    assert fingerprint() == before  # nothing restored, nothing lost
    assert verify().ok
    # the untouched backup still restores
    assert run(capsys, "restore", str(out), "--replace")[0] == 0


@pytest.mark.usefixtures("committed")
def test_not_a_backup_and_a_missing_key_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], settings: Any
) -> None:
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"PK\x03\x04 not a zip")
    code, _, err = run(capsys, "restore", str(junk))
    assert code == 2 and "not a Sightline backup" in err
    out = tmp_path / "b.backup"
    assert run(capsys, "backup", str(out))[0] == 0
    settings.LEDGER_KEY_PATH = tmp_path / "gone.pem"
    code, _, err = run(capsys, "restore", str(out), "--replace")
    assert code == 2 and "signing key" in err and "is missing" in err


# --- while serve writes --------------------------------------------------------------------------


@pytest.mark.usefixtures("committed")
def test_backups_taken_while_serve_writes_are_consistent_and_lose_nothing_acknowledged(
    make_user: Callable[..., Any],
    servers: Callable[[], Server],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    user = make_user("cse_coordinator", "mash", username="backup-writer")
    token = factories.api_token(user, "backup test")
    server = servers()
    writers = Writers(server.base, token, threads=3)
    backups = []
    try:
        for n in range(3):
            assert _wait_for_acks(writers, 10 * (n + 1))
            acknowledged = list(writers.acknowledged)  # all answered before this backup began
            out = tmp_path / f"during-{n}.backup"
            code, _, err = run(capsys, "backup", str(out))
            assert code == 0, err
            backups.append((out, acknowledged))
    finally:
        writers.stop()
        server.stop()
    assert not writers.errors, writers.errors[:5]
    final_size, final_leaves, _ = fingerprint()
    assert final_size > 0
    for out, acknowledged in backups:
        code, _, err = run(capsys, "restore", str(out), "--replace")
        assert code == 0, err
        size, leaves, _ = fingerprint()
        # one instant of the same ledger: a prefix of what it became, every acknowledged write in it
        assert 0 < size <= final_size and leaves == final_leaves[:size]
        held = set(
            Entry.objects.filter(action="create", object_type="people.person").values_list(
                "object_id", flat=True
            )
        )
        assert set(acknowledged) <= held
        assert set(Person.objects.values_list("id", flat=True)) == held
        report = verify()
        assert report.ok, report.problems


def _wait_for_acks(writers: Writers, n: int) -> bool:
    return wait_for(lambda: len(writers.acknowledged) >= n, 60)
