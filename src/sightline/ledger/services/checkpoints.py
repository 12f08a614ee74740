"""Checkpoints: signed tree heads, kept in the database and in a folder outside it
(docs/decisions/0003-checkpoints.md)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.db import transaction

from sightline.ledger import note
from sightline.ledger.models import Checkpoint
from sightline.ledger.services.sequencer import integrate, read_head


def signing_key() -> Ed25519PrivateKey:
    return note.load_or_create_signing_key(settings.LEDGER_KEY_PATH)


def key_name() -> str:
    return str(settings.LEDGER_ORIGIN)


def public_key() -> str:
    return note.verifier_key(key_name(), signing_key().public_key())


def _write_file(path: Path, text: str) -> None:
    """Write via a temporary file and rename, so no reader sees half a checkpoint."""
    fd, tmp = tempfile.mkstemp(prefix=".checkpoint-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# Called with each new checkpoint once it is written, e.g. to submit it to the partners' witnesses.
# The ledger sits below the witness layer, so the witness registers itself here (``sightline.cli``).
checkpoint_hooks: list[Callable[[Checkpoint], object]] = []


def do_checkpoint(out: Any = None) -> Checkpoint:
    """Sign the current tree head, keep it in the database and write it to the checkpoint folder."""
    integrate()
    with transaction.atomic():
        head = read_head()
        origin = str(settings.LEDGER_ORIGIN)
        text = note.sign_checkpoint(origin, head.size, head.root, signing_key(), key_name())
        cp = Checkpoint.objects.create(size=head.size, root=head.root, note=text)
    folder = Path(settings.LEDGER_CHECKPOINT_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    _write_file(folder / f"checkpoint-{head.size:012d}-{cp.id}.txt", text)
    if out is not None:
        with open(out, "w", encoding="utf-8") as fh:
            fh.write(text)
    for hook in checkpoint_hooks:
        hook(cp)
    return cp


def checkpoint_if_due(min_growth: int | None = None) -> Checkpoint | None:
    """Checkpoint when the tree has grown by ``min_growth`` entries (LEDGER_CHECKPOINT_EVERY by default)
    since the last checkpoint. Also sequences anything left in the queue."""
    growth = settings.LEDGER_CHECKPOINT_EVERY if min_growth is None else min_growth
    size = integrate()
    last = Checkpoint.objects.order_by("-id").first()
    if size > 0 and (last is None or size - last.size >= max(growth, 1)):
        return do_checkpoint()
    return None
