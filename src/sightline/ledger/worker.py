"""``sightline ledger worker``: the ledger's background work in a process of its own.

It sequences queued entries (PostgreSQL's integrator) and runs the scheduled jobs (checkpoints and
incremental verification). ``serve`` starts one beside its web workers, so hashing a day's entries
never holds a web worker's interpreter lock while it answers people; a deployment whose web servers
run elsewhere runs it once, under its service manager (docs/deploy.md).

A thread that dies is started again; SIGTERM or SIGINT stops both threads cleanly, sequencing
whatever is still queued.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from sightline.ledger.jobs import LedgerJobs, start_jobs
from sightline.ledger.services import Integrator, start_integrator

log = logging.getLogger(__name__)

CHECKPOINT_INTERVAL = 60.0  # seconds between rounds of the scheduled jobs
WATCH_EVERY = 1.0  # seconds between looks at the threads


@dataclass
class LedgerWorker:
    """The two threads, watched and restarted by :meth:`run` until :meth:`stop`."""

    verify_every: float
    interval: float = CHECKPOINT_INTERVAL
    integrator: Integrator | None = None
    jobs: LedgerJobs | None = None
    restarts: int = 0
    stopping: threading.Event = field(default_factory=threading.Event)

    def start(self) -> None:
        self.integrator = start_integrator()  # None on SQLite: writers sequence their own entries
        self.jobs = start_jobs(self.interval, self.verify_every)

    def watch(self) -> None:
        """Start again any thread that died (each already retries its own failures)."""
        if self.stopping.is_set():
            return
        if self.integrator is not None and not self.integrator.is_alive():
            log.error("the ledger integrator stopped; starting it again")
            self.integrator = start_integrator()
            self.restarts += 1
        if self.jobs is not None and not self.jobs.is_alive():
            log.error("the ledger's scheduled jobs stopped; starting them again")
            self.jobs = start_jobs(self.interval, self.verify_every)
            self.restarts += 1

    def run(self, ready: Callable[[], None] | None = None) -> None:
        self.start()
        if ready is not None:
            ready()
        while not self.stopping.wait(WATCH_EVERY):
            self.watch()
        self._shutdown()

    def stop(self) -> None:
        self.stopping.set()

    def _shutdown(self) -> None:
        if self.jobs is not None:
            self.jobs.stop(timeout=30)  # a round is all or nothing: it gives up at once
        if self.integrator is not None:
            self.integrator.stop()  # sequences what is still queued
        connection.close()


def run_until_signalled(verify_every: float, interval: float = CHECKPOINT_INTERVAL) -> int:
    interval = min(interval, verify_every)  # a round at least as often as a verification falls due
    worker = LedgerWorker(verify_every=verify_every, interval=interval)

    def on_signal(_signum: int, _frame: Any) -> None:
        worker.stop()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    sequencing = "sequencing queued entries, " if connection.vendor == "postgresql" else ""
    worker.run(
        ready=lambda: print(
            f"ledger worker: {sequencing}checkpoints every {interval:g} s, "
            f"verification every {verify_every:g} s",
            flush=True,
        )
    )
    return 0
