"""The ledger's services: the one write path, and what keeps the ledger running.

- ``writes``: ``do_create``, ``do_update``, their bulk forms and ``record_action``, each writing its
  entry in the same transaction as the change; ``bulk``, the fast path behind the bulk forms.
- ``entries``: who acts (``Actor``), an entry's body and its canonical bytes.
- ``sequencer``: the queue, the integrator lock and ``integrate``, which gives entries their indexes.
- ``checkpoints``: signed tree heads; ``background``: the threads ``serve`` runs; ``rebuild``:
  current-state tables rewritten from the ledger.
"""

from sightline.ledger.errors import DirectWriteError, LedgerError, StaleVersionError
from sightline.ledger.services.background import (
    Checkpointer,
    Integrator,
    start_checkpointer,
    start_integrator,
)
from sightline.ledger.services.bulk import instances
from sightline.ledger.services.checkpoints import (
    checkpoint_hooks,
    checkpoint_if_due,
    do_checkpoint,
    key_name,
    public_key,
    signing_key,
)
from sightline.ledger.services.entries import SYSTEM, Actor, entry_body, entry_bytes
from sightline.ledger.services.overlap import copy_rows, overlapped
from sightline.ledger.services.rebuild import latest_versions, ledgered_models, rebuild, rebuild_hooks
from sightline.ledger.services.sequencer import Head, background_sequencing, integrate
from sightline.ledger.services.writes import (
    batched_actions,
    check_version,
    do_bulk_create,
    do_bulk_update,
    do_create,
    do_update,
    locked,
    record_action,
    replay,
    statement_forms,
    write_hooks,
)

__all__ = [
    "SYSTEM",
    "Actor",
    "Checkpointer",
    "DirectWriteError",
    "Head",
    "Integrator",
    "LedgerError",
    "StaleVersionError",
    "background_sequencing",
    "batched_actions",
    "check_version",
    "checkpoint_hooks",
    "checkpoint_if_due",
    "copy_rows",
    "do_bulk_create",
    "do_bulk_update",
    "do_checkpoint",
    "do_create",
    "do_update",
    "entry_body",
    "entry_bytes",
    "instances",
    "integrate",
    "key_name",
    "latest_versions",
    "ledgered_models",
    "locked",
    "overlapped",
    "public_key",
    "rebuild",
    "rebuild_hooks",
    "record_action",
    "replay",
    "signing_key",
    "start_checkpointer",
    "start_integrator",
    "statement_forms",
    "write_hooks",
]
