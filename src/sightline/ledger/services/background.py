"""Background threads for ``serve``: the periodic checkpointer and the integrator."""

from __future__ import annotations

import logging
import threading

from django.db import connection

from sightline.ledger.services.checkpoints import checkpoint_if_due
from sightline.ledger.services.sequencer import background_sequencing, integrate

log = logging.getLogger(__name__)


class _Background(threading.Thread):
    """A daemon thread for ``serve`` that runs until ``stop()``."""

    def __init__(self, name: str) -> None:
        super().__init__(name=name, daemon=True)
        self._stop_event = threading.Event()

    def stop(self, timeout: float | None = 10) -> None:
        self._stop_event.set()
        if self.is_alive() and threading.current_thread() is not self:
            self.join(timeout)


class Checkpointer(_Background):
    """Background thread for ``serve``: every interval, sequence the queue and checkpoint any growth."""

    def __init__(self, interval_seconds: float) -> None:
        super().__init__("sightline-checkpointer")
        self.interval = interval_seconds

    def run(self) -> None:
        # ``connection`` is this thread's own (Django keeps one per thread).
        try:
            while not self._stop_event.wait(self.interval):
                try:
                    checkpoint_if_due(min_growth=1)
                except Exception:
                    log.exception("periodic ledger checkpoint failed; will retry")
                    connection.close()  # a broken connection must not poison the next round
        finally:
            connection.close()


class Integrator(_Background):
    """Background sequencing for ``serve`` on PostgreSQL: drain the queue whenever it holds entries,
    looking again at once while it does and backing off (up to ``max_wait``) while it is empty.

    It takes the integrator lock only for each drain, so ``integrate()`` and checkpoints elsewhere
    still work, and any number of processes may run one. Entries queued but not yet sequenced when
    it stops stay queued, committed, for the next integrator: nothing is lost.
    """

    def __init__(self, min_wait: float = 0.001, max_wait: float = 0.01) -> None:
        super().__init__("sightline-integrator")
        self.min_wait, self.max_wait = min_wait, max_wait

    def run(self) -> None:
        wait = self.min_wait
        try:
            while not self._stop_event.is_set():
                try:
                    with connection.cursor() as cur:
                        cur.execute("SELECT id FROM ledger_pending ORDER BY id LIMIT 1")
                        queued = cur.fetchone() is not None
                    if queued and integrate(wait=False) >= 0:
                        wait = self.min_wait
                        continue
                except Exception:
                    log.exception("background ledger integration failed; will retry")
                    connection.close()
                self._stop_event.wait(wait)
                wait = min(wait * 2, self.max_wait)
        finally:
            connection.close()

    def stop(self, timeout: float | None = 10) -> None:
        super().stop(timeout)
        background_sequencing.clear()
        integrate()  # sequence whatever is still queued, as writers would have


def start_integrator() -> Integrator | None:
    """Start background sequencing (PostgreSQL only; SQLite writers sequence in their own
    transaction). Call ``.stop()`` on the result at shutdown."""
    if connection.vendor != "postgresql":
        return None
    thread = Integrator()
    background_sequencing.set()
    thread.start()
    return thread


def start_checkpointer(interval_seconds: float = 300) -> Checkpointer:
    """Start the periodic checkpointer; call ``.stop()`` on the result at shutdown."""
    if interval_seconds <= 0:
        raise ValueError("checkpoint interval must be positive")
    thread = Checkpointer(interval_seconds)
    thread.start()
    return thread
