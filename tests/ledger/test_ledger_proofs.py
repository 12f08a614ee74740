"""Proofs, checkpoints and the public key, through the real ``sightline ledger`` commands."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from sightline.ledger import merkle, note
from sightline.ledger.models import Checkpoint, Entry
from sightline.ledger.services import SYSTEM, do_create, integrate, record_action
from sightline.people.models import Person

pytestmark = pytest.mark.django_db


def _grow(n: int) -> int:
    for i in range(n):
        if i % 3:
            record_action(SYSTEM, "read", "people.person", f"P-{i}")
        else:
            do_create(Person(given_name=f"Proof{i}", family_name="Tree"), actor=SYSTEM)
    return integrate()


def _b(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


VECTORS = (
    Path(os.environ.get("SIGHTLINE_SHARED", Path(__file__).resolve().parents[3] / "shared")) / "ct-vectors"
)


def _vector_keys(kind: str) -> set[str]:
    if not (VECTORS / kind).is_dir():
        pytest.skip(f"{VECTORS} is absent: the shared contracts are not beside this checkout")
    sample = next(iter(sorted((VECTORS / kind).glob("**/*.json"))))
    return set(json.loads(sample.read_text())) - {"desc", "wantErr"}


def test_inclusion_proofs_verify_and_have_the_ct_vector_shape(cli: Any) -> None:
    size = _grow(13)
    leaves = [bytes(h) for h in Entry.objects.order_by("index").values_list("leaf_hash", flat=True)]
    for index, tree in [(0, size), (size - 1, size), (5, size), (3, 7), (0, 1), (6, 7)]:
        result = cli("ledger", "prove", "--index", str(index), "--size", str(tree))
        assert result.code == 0, result.err
        proof = json.loads(result.out)
        assert set(proof) == {"leafIdx", "treeSize", "root", "leafHash", "proof"}
        assert proof["leafIdx"] == index and proof["treeSize"] == tree
        assert _b(proof["leafHash"]) == leaves[index]
        assert _b(proof["root"]) == merkle.root(leaves[:tree])
        merkle.verify_inclusion(
            _b(proof["leafHash"]), index, tree, [_b(p) for p in proof["proof"]], _b(proof["root"])
        )
        # A proof for another leaf must not pass for this one.
        other = leaves[(index + 1) % tree]
        if tree > 1:
            assert not merkle.is_valid_inclusion(
                other, index, tree, [_b(p) for p in proof["proof"]], _b(proof["root"])
            )
    assert set(proof) == _vector_keys("inclusion")

    latest = json.loads(cli("ledger", "prove", "--index", "2").out)
    assert latest["treeSize"] == size  # --size defaults to the whole tree


def test_consistency_proofs_verify_and_have_the_ct_vector_shape(cli: Any) -> None:
    size = _grow(11)
    for size1, size2 in [(1, size), (4, size), (7, 8), (size, size), (3, 5)]:
        result = cli("ledger", "consistency", "--from", str(size1), "--to", str(size2))
        assert result.code == 0, result.err
        proof = json.loads(result.out)
        assert set(proof) == {"size1", "size2", "root1", "root2", "proof"} == _vector_keys("consistency")
        assert (proof["size1"], proof["size2"]) == (size1, size2)
        merkle.verify_consistency(
            size1, size2, [_b(p) for p in proof["proof"]], _b(proof["root1"]), _b(proof["root2"])
        )
        if size1 < size2:
            with pytest.raises(merkle.ProofError):
                merkle.verify_consistency(
                    size1, size2, [_b(p) for p in proof["proof"]], _b(proof["root2"]), _b(proof["root1"])
                )


@pytest.mark.parametrize(
    "argv",
    [
        ["ledger", "prove", "--index", "99"],
        ["ledger", "prove", "--index", "-1"],
        ["ledger", "prove", "--index", "1", "--size", "1"],
        ["ledger", "prove", "--index", "0", "--size", "999"],
        ["ledger", "consistency", "--from", "3", "--to", "2"],
        ["ledger", "consistency", "--from", "0", "--to", "2"],
        ["ledger", "consistency", "--from", "1", "--to", "999"],
        ["ledger", "entry", "--index", "999"],
    ],
)
def test_impossible_requests_exit_2_with_a_reason(cli: Any, argv: list[str]) -> None:
    _grow(3)
    result = cli(*argv)
    assert result.code == 2
    assert result.out == b""
    assert result.err.startswith("sightline: ") and len(result.err) > 20


def test_checkpoints_are_stored_written_out_and_verify_against_the_public_key(
    cli: Any, tmp_path: Path
) -> None:
    size = _grow(6)
    key = cli("ledger", "public-key")
    assert key.code == 0
    vkey = key.text.strip()
    parsed = note.parse_verifier_key(vkey)
    assert parsed.name == settings.LEDGER_ORIGIN

    out = tmp_path / "given.txt"
    result = cli("ledger", "checkpoint", "--out", str(out))
    assert result.code == 0
    text = out.read_text(encoding="utf-8")
    cp = note.verify_checkpoint(text, vkey, origin=settings.LEDGER_ORIGIN)
    leaves = [bytes(h) for h in Entry.objects.order_by("index").values_list("leaf_hash", flat=True)]
    assert cp.size == size and cp.root == merkle.root(leaves)
    lines = text.split("\n")
    assert lines[:3] == [settings.LEDGER_ORIGIN, str(size), base64.b64encode(cp.root).decode()]
    assert lines[3] == "" and lines[4].startswith(f"\u2014 {parsed.name} ")

    stored = Checkpoint.objects.get()
    assert stored.note == text and stored.size == size and bytes(stored.root) == cp.root
    files = list(Path(settings.LEDGER_CHECKPOINT_DIR).glob("checkpoint-*.txt"))
    assert [f.read_text(encoding="utf-8") for f in files] == [text]

    # Without --out the note goes to standard output.
    printed = cli("ledger", "checkpoint")
    assert note.verify_checkpoint(printed.text, vkey).size == size
    assert Checkpoint.objects.count() == 2

    forged = text.replace(f"\n{size}\n", f"\n{size + 1}\n")
    with pytest.raises(note.NoteError):
        note.verify_checkpoint(forged, vkey)
    other_key = note.verifier_key(parsed.name, note.generate_signing_key().public_key())
    with pytest.raises(note.NoteError):
        note.verify_checkpoint(text, other_key)

    verified = cli("ledger", "verify", "--checkpoint", str(out))
    assert verified.code == 0, verified.text
    assert "3 checkpoints" in verified.text


def test_a_checkpoint_is_consistent_with_every_later_tree(cli: Any) -> None:
    first = _grow(5)
    older = note.parse_checkpoint(cli("ledger", "checkpoint").text)
    later = _grow(9)
    newer = note.parse_checkpoint(cli("ledger", "checkpoint").text)
    assert (older.size, newer.size) == (first, later)
    proof = json.loads(cli("ledger", "consistency", "--from", str(first), "--to", str(later)).out)
    merkle.verify_consistency(first, later, [_b(p) for p in proof["proof"]], older.root, newer.root)
