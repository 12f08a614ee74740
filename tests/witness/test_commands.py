"""``sightline witness init`` and the witness's checks on every proof it is shown."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from sightline.cli import main
from sightline.ledger import merkle, note
from sightline.witness import protocol
from sightline.witness.config import init_witness, load_witness

from .conftest import Log


def test_init_makes_one_key_and_prints_its_verifier_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = tmp_path / "police"
    assert main(["witness", "init", "--dir", str(directory), "--name", "police.test/witness"]) == 0
    vkey = capsys.readouterr().out.strip()
    assert note.parse_cosigner_key(vkey).name == "police.test/witness"
    assert stat.S_IMODE((directory / "witness-key.pem").stat().st_mode) == 0o600
    # Safe to run again; the key is never replaced, and the directory keeps its name.
    assert main(["witness", "init", "--dir", str(directory), "--name", "police.test/witness"]) == 0
    assert capsys.readouterr().out.strip() == vkey
    assert main(["witness", "init", "--dir", str(directory), "--name", "health.test/witness"]) == 2
    assert "already belongs to witness 'police.test/witness'" in capsys.readouterr().err
    assert main(["witness", "init", "--dir", str(tmp_path / "x"), "--name", "has space"]) == 2


def test_serve_refuses_to_start_without_a_key_or_a_log(
    tmp_path: Path, log: Log, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["witness", "serve", "--dir", str(tmp_path / "none"), "--port", "0"]
    assert main([*argv, "--log-key", log.vkey]) == 2
    assert "witness init" in capsys.readouterr().err
    init_witness(tmp_path / "none", "police.test/witness")
    assert main([*argv, "--log-key", "not-a-key"]) == 2
    witness_key = load_witness(tmp_path / "none", [log.vkey]).vkey
    assert main([*argv, "--log-key", witness_key]) == 2  # a witness key is not a log key
    assert "not an Ed25519 key" in capsys.readouterr().err


@pytest.mark.parametrize(("old", "new"), [(1, 2), (2, 3), (3, 4), (4, 8), (5, 13), (8, 9), (7, 64), (63, 64)])
def test_every_altered_proof_is_refused(tmp_path: Path, log: Log, old: int, new: int) -> None:
    log.grow(new - len(log.leaves))
    init_witness(tmp_path, "police.test/witness")
    witness = load_witness(tmp_path, [log.vkey])
    assert witness.add_checkpoint(protocol.format_add_checkpoint(0, [], log.checkpoint(old))).status == 200
    proof = merkle.consistency_proof(log.leaves, old, new)
    text = log.checkpoint(new)
    for i in range(len(proof)):
        for altered in (
            [*proof[:i], bytes(32), *proof[i + 1 :]],  # one hash wrong
            proof[:i] + proof[i + 1 :],  # one missing
            [*proof, proof[i]],  # one too many
        ):
            reply = witness.add_checkpoint(protocol.format_add_checkpoint(old, altered, text))
            assert reply.status == 422, (i, reply)
    assert witness.add_checkpoint(protocol.format_add_checkpoint(old, proof, text)).status == 200
    assert witness.state.latest(log.origin).size == new
