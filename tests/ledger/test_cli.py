"""``sightline init`` and ``sightline ledger ...`` as a user or a partner's script runs them."""

from __future__ import annotations

import base64
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sightline.access.models import Agency
from sightline.ledger import merkle, note
from sightline.ledger.models import Entry
from sightline.ledger.services import SYSTEM, do_create, integrate, public_key
from sightline.people.models import Person


@pytest.mark.django_db
def test_public_key_is_the_note_verifier_key_and_stable(cli: Any) -> None:
    first = cli("ledger", "public-key")
    assert first.code == 0
    vkey = first.text.strip()
    assert first.text == vkey + "\n"
    parsed = note.parse_verifier_key(vkey)
    assert vkey.startswith(f"{parsed.name}+{parsed.key_id.hex()}+")
    assert cli("ledger", "public-key").text.strip() == vkey == public_key()


def test_the_console_script_makes_a_private_key_on_first_use(tmp_path: Path) -> None:
    exe = shutil.which("sightline", path=str(Path(sys.executable).parent))
    assert exe, "the sightline console script is installed with the package"
    env = dict(os.environ, SIGHTLINE_HOME=str(tmp_path / "home"))
    env.pop("DATABASE_URL", None)
    out = subprocess.run([exe, "ledger", "public-key"], env=env, capture_output=True, text=True, check=True)
    note.parse_verifier_key(out.stdout.strip())
    key = tmp_path / "home" / "ledger-signing-key.pem"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    again = subprocess.run([exe, "ledger", "public-key"], env=env, capture_output=True, text=True, check=True)
    assert again.stdout == out.stdout


@pytest.mark.usefixtures("committed")
def test_init_is_idempotent(cli: Any) -> None:
    first = cli("init")
    assert first.code == 0, first.err
    assert f"Ledger signing key: {public_key()}" in first.text
    size = integrate()
    assert Agency.objects.filter(pk="police").exists()
    second = cli("init")
    assert second.code == 0
    assert integrate() == size  # nothing new to ledger the second time
    assert cli("ledger", "verify").code == 0


@pytest.mark.django_db
def test_verify_reports_a_clean_ledger(cli: Any, tmp_path: Path) -> None:
    for i in range(5):
        do_create(Person(given_name=f"V{i}", family_name="Clean"), actor=SYSTEM)
    size = integrate()
    cp = tmp_path / "cp.txt"
    written = cli("ledger", "checkpoint", "--out", str(cp))
    root_line = cp.read_text(encoding="utf-8").splitlines()[2]  # C2SP checkpoint: origin, size, root
    leaves = [bytes(h) for h in Entry.objects.order_by("index").values_list("leaf_hash", flat=True)]
    assert root_line == base64.b64encode(merkle.root(leaves)).decode("ascii")
    # --out says what it wrote, with the root as the checkpoint and the web pages give it
    assert written.text == f"checkpoint of {size} entries, root {root_line}, written to {cp}\n"
    result = cli("ledger", "verify", "--checkpoint", str(cp), "--checkpoint", str(cp))
    assert result.code == 0
    assert result.text.startswith(f"ledger intact: {size} entries, root {root_line}, 3 checkpoints")
    assert "PROBLEM" not in result.text


@pytest.mark.django_db
def test_checkpoint_to_standard_output(cli: Any) -> None:
    do_create(Person(given_name="S", family_name="Out"), actor=SYSTEM)
    for args in (("ledger", "checkpoint"), ("ledger", "checkpoint", "--out", "-")):
        result = cli(*args)
        assert result.code == 0
        lines = result.text.splitlines()
        assert lines[1] == str(integrate()) and not Path("-").exists()
        assert note.verify_checkpoint(result.text, public_key()).size == integrate()


@pytest.mark.django_db
def test_verify_names_an_unreadable_checkpoint_file(cli: Any, tmp_path: Path) -> None:
    missing = cli("ledger", "verify", "--checkpoint", str(tmp_path / "absent.txt"))
    assert missing.code == 2 and "absent.txt" in missing.err
    junk = tmp_path / "junk.txt"
    junk.write_text("not a checkpoint\n")
    result = cli("ledger", "verify", "--checkpoint", str(junk))
    assert result.code == 1
    assert "PROBLEM: checkpoint file 1: signature or format is invalid" in result.text


@pytest.mark.django_db
def test_entry_prints_raw_bytes_for_non_ascii_content(cli: Any) -> None:
    person = do_create(Person(given_name="Zoë", family_name="Ōkubo 🚸"), actor=SYSTEM)
    integrate()
    entry = Entry.objects.get(object_id=person.id)
    out = cli("ledger", "entry", "--index", str(entry.index)).out
    assert out == bytes(entry.canonical)
    assert "Zoë".encode() in out and json.loads(out)["data"]["family_name"] == "Ōkubo 🚸"


@pytest.mark.django_db
def test_rebuild_on_a_clean_ledger_changes_nothing(cli: Any) -> None:
    people = [do_create(Person(given_name=f"B{i}", family_name="Build"), actor=SYSTEM) for i in range(3)]
    size = integrate()
    result = cli("ledger", "rebuild")
    assert result.code == 0
    assert "people.person: 3 rows" in result.text
    assert integrate() == size  # rebuilding is not a change: nothing is ledgered
    assert [Person.objects.get(pk=p.pk).version for p in people] == [1, 1, 1]
    assert cli("ledger", "verify").code == 0


def test_the_ledger_command_needs_a_subcommand(cli: Any) -> None:
    with pytest.raises(SystemExit) as exc:
        cli("ledger")
    assert exc.value.code == 2
