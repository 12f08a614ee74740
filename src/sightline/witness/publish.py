"""The log's side: submit each new checkpoint to the partners' witnesses and keep the cosigned note.

Configured by ``SIGHTLINE_WITNESSES`` (a file of ``<verifier key> <url>`` lines). A witness that does
not answer or refuses is logged; the checkpoint stands, and the next one brings that witness up to date.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path

from django.conf import settings

from sightline.ledger import note
from sightline.ledger.models import Checkpoint
from sightline.ledger.selectors import consistency_proof
from sightline.witness.client import json_proofs, load_witnesses, witness_checkpoint
from sightline.witness.state import write_atomically

log = logging.getLogger("sightline.witness")


def submit_checkpoint(cp: Checkpoint) -> str | None:
    """Ask every configured witness to cosign ``cp``; write and return the cosigned note."""
    if not settings.LEDGER_WITNESSES:
        return None
    folder = Path(settings.LEDGER_CHECKPOINT_DIR)
    sizes_path = folder / "witness-sizes.json"
    sizes = json.loads(sizes_path.read_text(encoding="utf-8")) if sizes_path.exists() else {}
    result = witness_checkpoint(
        cp.note, load_witnesses(settings.LEDGER_WITNESSES), json_proofs(consistency_proof), sizes
    )
    write_atomically(sizes_path, json.dumps(result.sizes, sort_keys=True).encode())
    write_atomically(cosigned_path(cp), result.note.encode())
    for url, why in result.failures.items():
        log.warning("witness %s did not cosign checkpoint %s: %s", url, cp.id, why)
    return result.note


def cosigned_path(cp: Checkpoint) -> Path:
    return Path(settings.LEDGER_CHECKPOINT_DIR) / f"checkpoint-{cp.size:012d}-{cp.id}.cosigned.txt"


def witness_keys() -> list[str]:
    """The configured witnesses' verifier keys (none when no witnesses are configured)."""
    if not settings.LEDGER_WITNESSES:
        return []
    return [w.key for w in load_witnesses(settings.LEDGER_WITNESSES)]


def default_quorum(keys: Sequence[str]) -> int:
    """A majority of the witnesses: 2 of 3, as the partnership agreed (docs/partnership.md)."""
    return len(keys) // 2 + 1 if keys else 0


def cosigned_note(cp: Checkpoint) -> str | None:
    """The cosigned note kept for ``cp``: the log's own note with the witnesses' lines. None if there
    is none, or if the file does not carry exactly ``cp``'s signed body (a file is not trusted)."""
    path = cosigned_path(cp)
    if not path.exists():
        return None
    text = path.read_text(encoding="utf-8")
    try:
        note.parse_checkpoint(text)
    except note.NoteError:
        return None
    # The witnesses' lines follow the log's note unchanged (``client.witness_checkpoint``).
    return text if text.startswith(cp.note) else None


def cosigners(text: str, log_key: str, keys: Sequence[str]) -> note.CosignedCheckpoint:
    """Which configured witnesses validly cosigned a note (quorum 1, for counting)."""
    return note.verify_cosigned(text, log_key, keys, 1)
