"""Evidence packs: proofs that match the ledger's own Merkle code, a pack that its standalone script
verifies in a separate process, and that stops verifying when anything in it is altered."""

from __future__ import annotations

import hashlib
import importlib
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import connection

from sightline.access.services import actor_for, ensure_standard_agencies
from sightline.ledger import merkle, note
from sightline.ledger.models import Checkpoint, Entry
from sightline.ledger.services import do_checkpoint, do_update, integrate, record_action
from sightline.people.models import Person
from sightline.people.need_to_know import person_history
from sightline.people.services import do_create_person
from sightline.reports import evidence
from tests.factories import COORDINATOR, POLICE

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 17, 31, 33, 64, 100])
def test_proof_tree_matches_the_ledger_merkle_code(size: int) -> None:
    leaves = [hashlib.sha256(b"\x00" + str(i).encode()).digest() for i in range(size)]
    tree = merkle.MemoryTree(leaves)
    assert tree.root() == merkle.root(leaves)
    for i in range(size):
        proof = tree.proof(i)
        assert proof == merkle.inclusion_proof(leaves, i, size)
        merkle.verify_inclusion(leaves[i], i, size, proof, tree.root())


def test_parse_indexes() -> None:
    assert evidence.parse_indexes("12, 15-17 #3;3") == [3, 12, 15, 16, 17]
    for bad, message in [("", "at least one"), ("7-3", "backwards"), ("ten", "not a ledger index")]:
        with pytest.raises(evidence.EvidencePackError, match=message):
            evidence.parse_indexes(bad)
    with pytest.raises(evidence.EvidencePackError, match="at most"):
        evidence.parse_indexes("0-99999")


def _child_with_history() -> Person:
    ensure_standard_agencies()
    child = do_create_person(actor=COORDINATOR, kind="child", given_name="Kayleigh", family_name="Brookes")
    child.postcode = "S60 1AA"
    do_update(child, actor=COORDINATOR, reason="new address from school")
    record_action(POLICE, "read", "people.person", child.id, data={"basis": "open investigation"})
    do_create_person(actor=COORDINATOR, kind="child", given_name="Other", family_name="Child")
    integrate()
    return child


def _run(target: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            str(target / "verify_pack.py") if target.is_dir() else str(_script(target)),
            str(target),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=target if target.is_dir() else target.parent,
    )


def _script(zip_path: Path) -> Path:
    out = zip_path.parent / "verify_pack.py"
    out.write_bytes(evidence.VERIFY_SCRIPT.read_bytes())
    return out


def _unzip(data: bytes, where: Path) -> Path:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        zf.extractall(where)
        [top] = {n.split("/", 1)[0] for n in zf.namelist()}
    return where / top


def test_a_pack_for_a_child_verifies_offline_and_fails_when_tampered(reviewer: Any, tmp_path: Path) -> None:
    child = _child_with_history()
    about_child = sorted(Entry.objects.filter(object_id=child.id).values_list("index", flat=True))
    pack = evidence.build_evidence_pack(
        actor=actor_for(reviewer), person_id=child.id, reason="Review of case 7"
    )
    assert pack.indexes == about_child  # created, updated, read
    assert pack.checkpoint.size > max(about_child)  # a checkpoint was signed to cover them
    folder = _unzip(pack.data, tmp_path / "pack")
    names = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert {"README.md", "verify_pack.py", "manifest.json", "checkpoint.txt", "public-key.txt"} <= names
    assert {f"entries/{i:012d}.json" for i in about_child} <= names
    assert {f"proofs/{i:012d}.json" for i in about_child} <= names
    for i in about_child:
        assert (folder / f"entries/{i:012d}.json").read_bytes() == bytes(Entry.objects.get(index=i).canonical)
    # marked, and it says who exported it and when
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("OFFICIAL-SENSITIVE\n") and readme.rstrip().endswith(".")
    exported = f"Exported by {reviewer.username} ({reviewer.agency_id}) on "
    assert readme.count(exported) == 2 and readme.rstrip().splitlines()[-1].startswith("OFFICIAL-SENSITIVE. ")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["protective_marking"] == "OFFICIAL-SENSITIVE"

    ok = _run(folder)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.startswith("VERIFIED:") and f"{len(about_child)} entries" in ok.stdout

    zip_path = tmp_path / pack.filename
    zip_path.write_bytes(pack.data)
    assert _run(zip_path).returncode == 0

    # Change one character of one entry: its leaf hash no longer matches, and its proof fails.
    target = folder / f"entries/{about_child[1]:012d}.json"
    target.write_bytes(target.read_bytes().replace(b"S60 1AA", b"S60 1AB"))
    bad = _run(folder)
    assert bad.returncode == 1
    assert f"PROBLEM: entry #{about_child[1]}: its bytes do not hash to the leaf hash proved" in bad.stdout
    assert "NOT VERIFIED" in bad.stdout


def test_a_forged_checkpoint_or_key_fails(reviewer: Any, tmp_path: Path) -> None:
    child = _child_with_history()
    pack = evidence.build_evidence_pack(actor=actor_for(reviewer), person_id=child.id)
    folder = _unzip(pack.data, tmp_path / "a")
    cp = folder / "checkpoint.txt"
    lines = cp.read_text().split("\n")
    lines[1] = str(int(lines[1]) + 1)  # claim a bigger tree
    cp.write_text("\n".join(lines))
    result = _run(folder)
    assert result.returncode == 1 and "signature does not match" in result.stdout

    folder = _unzip(pack.data, tmp_path / "b")

    other = note.verifier_key("sightline.example/ledger", Ed25519PrivateKey.generate().public_key())
    (folder / "public-key.txt").write_text(other + "\n")
    result = _run(folder)
    assert result.returncode == 1 and "not signed by the key" in result.stdout


def test_a_removed_or_unlisted_entry_is_named(reviewer: Any, tmp_path: Path) -> None:
    child = _child_with_history()
    pack = evidence.build_evidence_pack(actor=actor_for(reviewer), person_id=child.id)
    folder = _unzip(pack.data, tmp_path / "pack")
    first = pack.indexes[0]
    (folder / f"entries/{first:012d}.json").unlink()
    (folder / "entries/000000999999.json").write_bytes(b"{}")
    result = _run(folder)
    assert result.returncode == 1
    assert f"entry #{first}: entries/{first:012d}.json is missing" in result.stdout
    assert "entries/000000999999.json is in the pack but not in manifest.json" in result.stdout


def test_chosen_indexes_against_a_given_checkpoint(reviewer: Any, tmp_path: Path) -> None:
    _child_with_history()
    early = do_checkpoint()
    later_entry = integrate()  # the index the next entry gets
    do_create_person(actor=COORDINATOR, kind="child", given_name="Late", family_name="Arrival")
    integrate()
    with pytest.raises(evidence.EvidencePackError, match="cannot prove entry"):
        evidence.build_evidence_pack(
            actor=actor_for(reviewer), indexes=[0, later_entry], checkpoint_id=early.id
        )
    pack = evidence.build_evidence_pack(actor=actor_for(reviewer), indexes=[0, 1], checkpoint_id=early.id)
    assert pack.checkpoint.id == early.id
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(pack.data)).read(pack.filename[:-4] + "/manifest.json"))
    assert manifest["checkpoint"]["size"] == early.size and manifest["subject"] == {"indexes": [0, 1]}
    assert _run(_unzip(pack.data, tmp_path / "p")).returncode == 0
    with pytest.raises(evidence.EvidencePackError, match="no entry #"):
        evidence.build_evidence_pack(actor=actor_for(reviewer), indexes=[10**6])
    with pytest.raises(evidence.EvidencePackError, match="no checkpoint 999"):
        evidence.build_evidence_pack(actor=actor_for(reviewer), indexes=[0], checkpoint_id=999)


def test_the_export_is_ledgered_with_the_packs_digest(reviewer: Any) -> None:
    child = _child_with_history()
    pack = evidence.build_evidence_pack(actor=actor_for(reviewer), person_id=child.id, reason="Board inquiry")
    integrate()
    export = Entry.objects.filter(action="export_evidence_pack").get()
    assert export.actor_user == reviewer.username and export.object_id == child.id
    data = json.loads(bytes(export.canonical))["data"]
    assert data["sha256"] == hashlib.sha256(pack.data).hexdigest() == pack.sha256
    assert data["indexes"] == pack.indexes
    # ... and shows in the child's history of who saw what.
    assert export.index in set(person_history(child.id).values_list("index", flat=True))


def _alter_entry(index: int, old: bytes, new: bytes) -> None:
    """Change an entry's bytes in place, stepping around the append-only triggers as an insider could."""

    triggers = importlib.import_module("sightline.ledger.migrations.0002_append_only_triggers")
    raw = bytes(Entry.objects.get(index=index).canonical).replace(old, new)
    sql = 'UPDATE ledger_entry SET canonical = %s WHERE "index" = %s'
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("DROP TRIGGER IF EXISTS ledger_entry_no_update")
            cur.execute(sql, [raw, index])
            for statement in triggers._sqlite("ledger_entry"):
                cur.execute(statement)
        else:
            cur.execute("SET session_replication_role = replica")
            cur.execute(sql, [raw, index])
            cur.execute("SET session_replication_role = DEFAULT")


def test_a_person_with_no_history_and_an_altered_ledger_are_refused(reviewer: Any) -> None:
    child = _child_with_history()
    with pytest.raises(evidence.EvidencePackError, match="no entries about P-NOBODY"):
        evidence.build_evidence_pack(actor=actor_for(reviewer), person_id="P-NOBODY")
    do_checkpoint()
    updated = Entry.objects.get(object_id=child.id, version=2).index
    _alter_entry(updated, b"S60 1AA", b"S60 9ZZ")
    with pytest.raises(evidence.EvidencePackError, match=f"altered\\): #{updated}$"):
        evidence.build_evidence_pack(actor=actor_for(reviewer), person_id=child.id)
    assert not Entry.objects.filter(action="export_evidence_pack").exists()
    assert Checkpoint.objects.count() == 1
