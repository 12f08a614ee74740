"""The evidence pack carries the witnesses' cosignatures: with the partners' witnesses configured, a
pack verifies offline (its own script, in another process, nothing but Python and ``cryptography``)
only when a quorum of them cosigned its checkpoint, and fails without it."""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sightline.ledger import note
from sightline.ledger.models import Checkpoint
from sightline.ledger.services import Actor, do_checkpoint, public_key, record_action
from sightline.reports import evidence, verify_pack
from sightline.witness.config import init_witness

from .conftest import PARTNERS, Running

pytestmark = pytest.mark.django_db

REVIEWER = Actor(user="rev.iewer", agency="independent_review", role="independent_reviewer")
OFFICER = Actor(user="ola.officer", agency="police", role="practitioner")
NOWHERE = "http://127.0.0.1:9"  # nothing listens: a witness that is down


def _verify(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(folder / "verify_pack.py"), str(folder), *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=folder,
    )


def _unzip(data: bytes, where: Path) -> Path:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        zf.extractall(where)
        [top] = {n.split("/", 1)[0] for n in zf.namelist()}
    return where / top


def _witnesses(start_witness: Callable[..., Running], tmp_path: Path, settings: Any, *, up: int) -> list[str]:
    """The three partners' witnesses configured for the log, the first ``up`` of them serving."""
    lines, keys = [], []
    for i, name in enumerate(PARTNERS):
        if i < up:
            endpoint = start_witness(name, [public_key()]).endpoint
            key, url = endpoint.key, endpoint.url
        else:
            key, url = init_witness(tmp_path / f"down-{i}", name), NOWHERE
        lines.append(f"{key} {url}\n")
        keys.append(key)
    listing = tmp_path / "witnesses.txt"
    listing.write_text("".join(lines), encoding="utf-8")
    settings.LEDGER_WITNESSES = str(listing)
    return keys


def _pack(tmp_path: Path, name: str) -> tuple[evidence.EvidencePack, Path]:
    for i in range(3):
        record_action(OFFICER, "read", "people.person", "P-7", data={"basis": "agency", "n": i})
    pack = evidence.build_evidence_pack(actor=REVIEWER, person_id="P-7", reason="Court bundle")
    return pack, _unzip(pack.data, tmp_path / name)


def test_a_pack_cosigned_by_a_quorum_verifies_offline(
    start_witness: Callable[..., Running], tmp_path: Path, settings: Any
) -> None:
    keys = _witnesses(start_witness, tmp_path, settings, up=2)  # health's witness is down
    pack, folder = _pack(tmp_path, "pack")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["witnesses"] == {"keys": keys, "quorum": 2, "cosigned_by": sorted(PARTNERS[:2])}
    assert (folder / "witnesses.txt").read_text().split() == keys
    cosigned = (folder / "checkpoint.txt").read_text()
    assert cosigned.startswith(pack.checkpoint.note) and cosigned != pack.checkpoint.note

    ok = _verify(folder)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "cosigned by council.test/witness, police.test/witness (quorum 2 of 3)" in ok.stdout
    # The log's own verifier agrees: the pack's checkpoint carries the quorum.
    result = note.verify_cosigned(cosigned, public_key(), keys, 2)
    assert result.ok and set(result.cosigners) == set(PARTNERS[:2])

    # Asking for all three fails: health never cosigned.
    strict = _verify(folder, "--quorum", "3")
    assert strict.returncode == 1
    assert "PROBLEM: 2 of the 3 witnesses cosigned the checkpoint" in strict.stdout
    # Checked against the verifier's own list of keys, not the pack's: strangers' keys count for nothing.
    strangers = tmp_path / "strangers.txt"
    strangers.write_text(
        "".join(
            note.cosigner_verifier_key(name, Ed25519PrivateKey.generate().public_key()) + "\n"
            for name in PARTNERS
        )
    )
    assert "0 of the 3 witnesses cosigned" in _verify(folder, "--witnesses", str(strangers)).stdout

    # A cosignature altered (or copied from another checkpoint) fails the pack.
    lines = cosigned.rstrip("\n").split("\n")
    prefix, _, sig = lines[-1].rpartition(" ")
    raw = bytearray(base64.b64decode(sig))
    raw[-1] ^= 0x01
    forged = f"{prefix} {base64.b64encode(bytes(raw)).decode()}"
    (folder / "checkpoint.txt").write_text("\n".join([*lines[:-1], forged]) + "\n")
    bad = _verify(folder)
    assert bad.returncode == 1 and "does not match this checkpoint" in bad.stdout


def test_a_pack_without_the_quorum_fails(
    start_witness: Callable[..., Running], tmp_path: Path, settings: Any
) -> None:
    _witnesses(start_witness, tmp_path, settings, up=1)  # only the council's witness answers
    _, folder = _pack(tmp_path, "pack")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["witnesses"]["cosigned_by"] == [PARTNERS[0]]
    failed = _verify(folder)
    assert failed.returncode == 1
    assert (
        "PROBLEM: 1 of the 3 witnesses cosigned the checkpoint (council.test/witness); the quorum is 2"
        in (failed.stdout)
    )
    assert "NOT VERIFIED" in failed.stdout
    # The log-signed part alone still checks, when the verifier asks for one cosignature only.
    assert _verify(folder, "--quorum", "1").returncode == 0


def test_the_pack_prefers_a_checkpoint_the_quorum_cosigned(
    start_witness: Callable[..., Running], tmp_path: Path, settings: Any
) -> None:
    keys = _witnesses(start_witness, tmp_path, settings, up=3)
    first, folder = _pack(tmp_path, "first")
    witnessed = first.checkpoint
    assert note.verify_cosigned((folder / "checkpoint.txt").read_text(), public_key(), keys, 3).ok
    # A later checkpoint nobody cosigned (say the witnesses were unreachable when it was signed).
    settings.LEDGER_WITNESSES = ""
    do_checkpoint()
    settings.LEDGER_WITNESSES = str(tmp_path / "witnesses.txt")
    again = evidence.build_evidence_pack(actor=REVIEWER, indexes=first.indexes, reason="Second look")
    assert again.checkpoint.id == witnessed.id
    assert Checkpoint.objects.count() == 2  # it signed nothing new to make the pack


def test_a_pack_without_witnesses_is_refused_a_quorum(tmp_path: Path, settings: Any) -> None:
    settings.LEDGER_WITNESSES = ""
    _, folder = _pack(tmp_path, "pack")
    assert "witnesses" not in json.loads((folder / "manifest.json").read_text())
    assert not (folder / "witnesses.txt").exists()
    assert _verify(folder).returncode == 0
    asked = _verify(folder, "--quorum", "1")
    assert asked.returncode == 1 and "the pack names no witnesses" in asked.stdout


def test_the_packs_checker_refuses_a_cosignature_from_the_future() -> None:
    log = Ed25519PrivateKey.generate()
    text = note.sign_checkpoint("sightline.test/ledger", 3, bytes(32), log)
    witness = Ed25519PrivateKey.generate()
    vkey = note.cosigner_verifier_key(PARTNERS[0], witness.public_key())
    now = 1_800_000_000
    body = note.parse_checkpoint(text).body
    keys = verify_pack.read_witness_keys(vkey + "  # the council\n")
    on_time = text + note.cosign_checkpoint(body, witness, PARTNERS[0], now - 60).line()
    assert verify_pack.check_cosignatures(on_time, keys, 1, now) == ([], [PARTNERS[0]])
    ahead = text + note.cosign_checkpoint(body, witness, PARTNERS[0], now + 3600).line()
    problems, good = verify_pack.check_cosignatures(ahead, keys, 1, now)
    assert good == [] and f"the cosignature by {PARTNERS[0]} is dated in the future" in problems
    # One partner, one vote: the same key listed twice is refused.
    with pytest.raises(verify_pack.PackError, match="one partner, one vote"):
        verify_pack.read_witness_keys(f"{vkey}\n{vkey}\n")
