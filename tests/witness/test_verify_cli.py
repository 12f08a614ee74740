"""`sightline ledger verify --witnesses KEYS --quorum N`: a checkpoint counts only with the quorum."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sightline.cli import main
from sightline.ledger.selectors import consistency_proof
from sightline.ledger.services import Actor, do_checkpoint, public_key, record_action
from sightline.witness.client import json_proofs, witness_checkpoint

from .conftest import PARTNERS, Running

pytestmark = pytest.mark.django_db

OFFICER = Actor(user="ola.officer", agency="police", role="practitioner")


def _verify(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["ledger", "verify", "--workers", "1", *args])
    return code, capsys.readouterr().out


def test_verify_passes_with_the_quorum_and_fails_without(
    start_witness: Callable[..., Running], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    partners = [start_witness(name, [public_key()]) for name in PARTNERS]
    endpoints = [p.endpoint for p in partners]
    for i in range(5):
        record_action(OFFICER, "read", "people.person", f"P-{i}", data={"basis": "test"})
    # Health is offline: council and police cosign.
    result = witness_checkpoint(do_checkpoint().note, endpoints[:2], json_proofs(consistency_proof))
    assert len(result.cosigners) == 2, result.failures
    cosigned = tmp_path / "cosigned.txt"
    cosigned.write_text(result.note, encoding="utf-8")
    keys = tmp_path / "witnesses.txt"
    keys.write_text("".join(f"{e.key}  # {e.name}\n" for e in endpoints), encoding="utf-8")

    code, out = _verify(capsys, "--checkpoint", str(cosigned), "--witnesses", str(keys), "--quorum", "2")
    assert code == 0, out
    code, out = _verify(capsys, "--checkpoint", str(cosigned), "--witnesses", str(keys), "--quorum", "3")
    assert code == 1 and "PROBLEM:" in out and "NOT intact" in out

    bare = tmp_path / "bare.txt"
    bare.write_text(do_checkpoint().note, encoding="utf-8")
    code, out = _verify(capsys, "--checkpoint", str(bare), "--witnesses", str(keys), "--quorum", "1")
    assert code == 1 and "PROBLEM:" in out
    # Without the witnesses' keys the same log-signed checkpoint still verifies: the quorum is opt-in.
    assert _verify(capsys, "--checkpoint", str(bare))[0] == 0


def test_each_new_checkpoint_is_submitted_to_the_configured_witnesses(
    start_witness: Callable[..., Running],
    tmp_path: Path,
    settings: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    partners = [start_witness(name, [public_key()]) for name in PARTNERS]
    witnesses = tmp_path / "witnesses.txt"
    witnesses.write_text("".join(f"{p.endpoint.key} {p.endpoint.url}\n" for p in partners), encoding="utf-8")
    keys = tmp_path / "keys.txt"
    keys.write_text("".join(f"{p.endpoint.key}\n" for p in partners), encoding="utf-8")
    settings.LEDGER_WITNESSES = str(witnesses)
    settings.LEDGER_CHECKPOINT_DIR = tmp_path / "checkpoints"
    for round_ in range(2):  # the second round needs a consistency proof from the first
        record_action(OFFICER, "read", "people.person", f"P-round-{round_}", data={"basis": "test"})
        assert main(["ledger", "checkpoint"]) == 0
    capsys.readouterr()
    cosigned = sorted((tmp_path / "checkpoints").glob("*.cosigned.txt"))
    assert len(cosigned) == 2
    code, out = _verify(capsys, "--checkpoint", str(cosigned[-1]), "--witnesses", str(keys), "--quorum", "3")
    assert code == 0, out
