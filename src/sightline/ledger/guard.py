"""One write path, enforced: rows of ledgered tables change only inside the ledger's services.

``LedgeredModel.save()`` and ``delete()``, and the ``update()``, ``delete()``, ``bulk_create()`` and
``bulk_update()`` of its querysets, call :func:`refuse_outside_ledger` first. The services (and
nothing else) run their own writes inside :func:`ledger_writes`. A context variable rather than a
thread-local, so code run through asgiref's ``sync_to_async`` keeps the caller's answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sightline.ledger.errors import DirectWriteError

_open: ContextVar[bool] = ContextVar("sightline_ledger_writes", default=False)

NO_DELETE = "do_update (ledgered objects are never deleted: record a new version, e.g. a status)"


@contextmanager
def ledger_writes() -> Iterator[None]:
    """Permit writes to ledgered tables for the length of the block. Only the ledger's services
    open it, around writes whose entries they ledger in the same transaction."""
    token = _open.set(True)
    try:
        yield
    finally:
        _open.reset(token)


def refuse_outside_ledger(label: str, operation: str, service: str) -> None:
    """Raise unless inside :func:`ledger_writes`. ``service`` names what to call instead."""
    if not _open.get():
        raise DirectWriteError(
            f"{label}: {operation} outside the ledger's services is refused; "
            f"write through sightline.ledger.services.{service}"
        )
