"""Catching a split view: the log showing different trees to different people.

Each honest witness cosigns only one history, but a log could keep two and show each to a
different set of witnesses. Whoever holds checkpoints from both can see it: two checkpoints signed
by the log for the same size with different roots cannot both be true. Checkpoints can come from
anywhere: published cosigned notes, evidence packs, or each witness's monitoring endpoint.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass

from sightline.ledger import note
from sightline.witness import protocol
from sightline.witness.client import connect
from sightline.witness.state import origin_hash


@dataclass(frozen=True)
class Fork:
    """Signed checkpoints of one size that disagree: root (base64) -> the labels that show it."""

    origin: str
    size: int
    roots: dict[str, tuple[str, ...]]

    def __str__(self) -> str:
        views = "; ".join(f"{root} in {', '.join(labels)}" for root, labels in sorted(self.roots.items()))
        return f"{self.origin} has {len(self.roots)} different trees of size {self.size}: {views}"


def find_forks(notes: Iterable[tuple[str, str]], log_key: str) -> tuple[list[Fork], list[str]]:
    """Compare ``(label, note)`` pairs: the forks among the log-signed ones, and the problems with
    those the log did not validly sign (they prove nothing and are left out)."""
    seen: dict[tuple[str, int], dict[str, list[str]]] = {}
    problems: list[str] = []
    for label, text in notes:
        try:
            cp = note.verify_checkpoint(text, log_key)
        except note.NoteError as exc:
            problems.append(f"{label}: {exc}")
            continue
        root = base64.b64encode(cp.root).decode("ascii")
        seen.setdefault((cp.origin, cp.size), {}).setdefault(root, []).append(label)
    forks = [
        Fork(origin, size, {root: tuple(labels) for root, labels in roots.items()})
        for (origin, size), roots in sorted(seen.items())
        if len(roots) > 1
    ]
    return forks, problems


def fetch_latest(monitor_url: str, origin: str, timeout: float = 10.0) -> str | None:
    """The latest checkpoint a witness cosigned for ``origin`` (its monitoring endpoint), or None."""
    conn, prefix = connect(monitor_url, timeout)
    try:
        conn.request("GET", f"{prefix}/{origin_hash(origin)}/checkpoint")
        resp = conn.getresponse()
        data = resp.read(protocol.MAX_REQUEST_BYTES)
    finally:
        conn.close()
    if resp.status == 404:
        return None
    if resp.status != 200:
        raise ValueError(f"witness {monitor_url} answered HTTP {resp.status}")
    return data.decode("utf-8")
