"""The log's side: submit each new checkpoint to the partners' witnesses and keep the cosigned note.

Configured by ``SIGHTLINE_WITNESSES`` (a file of ``<verifier key> <url>`` lines). A witness that does
not answer or refuses is logged; the checkpoint stands, and the next one brings that witness up to date.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from django.conf import settings

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
    write_atomically(folder / f"checkpoint-{cp.size:012d}-{cp.id}.cosigned.txt", result.note.encode())
    for url, why in result.failures.items():
        log.warning("witness %s did not cosign checkpoint %s: %s", url, cp.id, why)
    return result.note
