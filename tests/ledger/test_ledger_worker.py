"""The ledger worker's own process loop: its threads start, a dead one is started again, and a stop
sequences what writers queued."""

from __future__ import annotations

import pytest
from django.db import connection

from sightline.ledger.models import Entry, PendingEntry
from sightline.ledger.services import background_sequencing
from sightline.ledger.worker import LedgerWorker
from tests import factories


@pytest.mark.usefixtures("committed")
def test_a_dead_thread_is_started_again_and_a_stop_sequences_the_queue() -> None:
    worker = LedgerWorker(verify_every=3600, interval=3600)
    worker.start()
    try:
        assert worker.jobs is not None and worker.jobs.is_alive()
        assert (worker.integrator is not None) == (connection.vendor == "postgresql")
        first = worker.jobs
        first.stop()
        assert not first.is_alive()
        worker.watch()
        assert worker.jobs is not first and worker.jobs.is_alive()
        assert worker.restarts == 1
        person = factories.person(given_name="Queued")  # queued only, on PostgreSQL
    finally:
        worker.stop()
        worker.watch()  # nothing is restarted once stopping
        worker._shutdown()
    assert worker.restarts == 1
    assert not background_sequencing.is_set()
    assert not worker.jobs.is_alive()
    assert not PendingEntry.objects.exists()
    assert Entry.objects.filter(object_id=person.pk, action="create").exists()
