"""What an entry holds: who acted, the body the writer makes, and the bytes that are hashed."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from sightline.ledger.canonical import canonical_bytes


@dataclass(frozen=True)
class Actor:
    """Who did something: a user (or system process), their agency and their role."""

    user: str
    agency: str
    role: str

    def as_json(self) -> dict[str, str]:
        return {"agency": self.agency, "role": self.role, "user": self.user}


SYSTEM = Actor(user="system", agency="sightline", role="system")


def now_text() -> str:
    return timezone.now().astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def entry_body(
    actor: Actor,
    action: str,
    object_type: str,
    object_id: str,
    version: int | None,
    data: Any,
    reason: str,
) -> dict[str, Any]:
    """An entry without its index and prev (those are given when it is sequenced)."""
    return {
        "action": action,
        "actor": actor.as_json(),
        "data": data,
        "object": {"id": object_id, "type": object_type, "version": version},
        "reason": reason,
        "time": now_text(),
    }


def entry_bytes(body: dict[str, Any], index: int, prev: bytes) -> bytes:
    """The canonical bytes of a sequenced entry: its body plus its index and the previous leaf hash."""
    body = dict(body)
    body["index"] = index
    body["prev"] = base64.b64encode(prev).decode("ascii")
    return canonical_bytes(body)
