"""The evidence file store: documents kept by their SHA-256 through Django's Storage API.

The store is ``STORAGES["evidence"]`` (by default a ``FileSystemStorage`` under ``SIGHTLINE_HOME/evidence``
whose files are read-only once written). A document is named ``ab/abcdef…`` after its hash, so the same
document uploaded twice is kept once, and a changed file cannot hide: every read re-hashes it against the
SHA-256 the ledger recorded.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.core.files.storage import Storage, storages
from django.core.files.uploadedfile import TemporaryUploadedFile

from sightline.accountability.models import Evidence

STORAGE = "evidence"
MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
CHUNK = 1 << 16


class EvidenceFileError(Exception):
    """The stored document is missing or no longer matches the SHA-256 in the ledger."""


def evidence_storage() -> Storage:
    return storages[STORAGE]


def evidence_name(sha256: str) -> str:
    """The document's name in the store."""
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise ValueError("not a SHA-256")
    return f"{sha256[:2]}/{sha256}"


def store_document(stream: BinaryIO | Iterable[bytes]) -> tuple[str, int]:
    """Copy a document into the store; returns (sha256, size). Too large a document raises
    ValidationError before anything is stored."""
    reader = getattr(stream, "read", None)
    chunks: Iterable[bytes] = iter(lambda: reader(CHUNK), b"") if reader else stream
    digest = hashlib.sha256()
    size = 0
    # A temporary file that the file system storage moves into place, so a document never shows
    # half-written under its name.
    with TemporaryUploadedFile("document", "application/octet-stream", 0, None) as spool:
        for chunk in chunks:
            size += len(chunk)
            if size > MAX_EVIDENCE_BYTES:
                raise ValidationError(
                    {"document": f"the file is larger than {MAX_EVIDENCE_BYTES // (1 << 20)} MB"}
                )
            digest.update(chunk)
            spool.write(chunk)
        spool.flush()
        spool.seek(0)
        sha = digest.hexdigest()
        name = evidence_name(sha)
        storage = evidence_storage()
        if not storage.exists(name):
            saved = storage.save(name, spool)
            if saved != name:  # stored meanwhile by a concurrent upload of the same document
                storage.delete(saved)
    return sha, size


def read_document(evidence: Evidence) -> bytes:
    """The document's bytes, checked against the SHA-256 recorded in the ledger."""
    try:
        with evidence_storage().open(evidence_name(evidence.sha256), "rb") as f:
            data = f.read()
    except (OSError, ValueError):
        raise EvidenceFileError(
            f"the document for evidence {evidence.id} is missing from the store"
        ) from None
    if hashlib.sha256(data).hexdigest() != evidence.sha256:
        raise EvidenceFileError(f"the document for evidence {evidence.id} was altered after it was added")
    return bytes(data)
