"""``sightline link``: one linkage run, from the database back to the database.

The engine (:func:`~sightline.people.linkage.engine.link_records`) is pure. A run reads the source
records and every human decision (``records``), links them, incrementally where the last run's state
is on disk (``state``), keeps person ids stable and writes what changed in one transaction through
the ledger (``store``), then saves its state for the next run.
"""

from __future__ import annotations

import logging
import time

from django.db import transaction

from sightline.ledger.services import SYSTEM, Actor
from sightline.people.linkage.encoded import empty_result, plain_only
from sightline.people.linkage.engine import Progress, link_records
from sightline.people.linkage.joint import with_encoded
from sightline.people.linkage.records import human_decisions, linkage_dir, load_records
from sightline.people.linkage.state import load_previous, save_encoded_pairs, save_state
from sightline.people.linkage.store import LinkSummary, store
from sightline.people.linkage.types import LinkageResult, PreviousLinkage

log = logging.getLogger(__name__)


def _first_line(exc: Exception) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text.splitlines()[0][:200] if text else ''}"


def do_link(
    actor: Actor = SYSTEM,
    *,
    progress: Progress | None = None,
    full: bool = False,
    backend: str | None = None,
    secret: bytes | None = None,
) -> tuple[LinkSummary, LinkageResult | None]:
    """Link every imported record into people, keeping person ids stable and human decisions honoured.
    ``full`` re-scores every pair instead of only new or changed records.

    Encoded records link within their agreement only (``encoded``). ``secret``, an agreement's
    secret given for this run alone and never stored, lets the hub encode the plain records too, so
    that they can link to that agreement's encoded records (docs/pprl.md, trust)."""
    seconds: dict[str, float] = {}
    t = time.perf_counter()
    inputs = load_records()
    seconds["load"] = time.perf_counter() - t
    if inputs.records.empty:
        return LinkSummary(records=0, people=0, incremental=False), None
    encoded_keys = inputs.encoded_keys
    plain = inputs.records[~inputs.records["record_key"].isin(encoded_keys)].reset_index(drop=True)
    previous, changed = (None, []) if full or plain.empty else load_previous(inputs.versions)
    if previous is not None and encoded_keys:
        previous, changed = plain_only(previous, changed, encoded_keys)
    t = time.perf_counter()
    decisions = human_decisions()

    def run(prev: PreviousLinkage | None) -> LinkageResult:
        return link_records(
            plain,
            decisions=decisions,
            model_path=linkage_dir() / "model.json",
            backend=backend,
            as_of=inputs.as_of,
            progress=progress,
            previous=prev,
            changed_keys=changed if prev is not None else (),
        )

    fallback = ""
    try:
        result = run(previous) if not plain.empty else empty_result()
    except Exception as exc:
        if previous is None:
            raise
        # An incremental run that fails (a state saved by an older engine, say) costs only time:
        # the full run gives the same people. Say so rather than hide it.
        fallback = _first_line(exc)
        log.warning("incremental linkage failed (%s); running in full", fallback)
        previous = None
        result = run(None)
    seconds["link"] = time.perf_counter() - t
    plain_result = result
    if inputs.encoded:
        t = time.perf_counter()
        result = with_encoded(plain_result, inputs.encoded, plain, secret, decisions)
        seconds["link_encoded"] = time.perf_counter() - t
    t = time.perf_counter()
    summary = LinkSummary(
        records=len(inputs.records),
        people=len(set(result.clusters.values())),
        incremental=previous is not None,
        conflicts=list(result.conflicts),
        fallback=fallback,
    )
    with transaction.atomic():
        versions = store(inputs, result, actor, summary)
    seconds["store"] = time.perf_counter() - t
    save_state(plain_result, versions)
    save_encoded_pairs(result.encoded_pairs)
    summary.seconds = seconds
    return summary, result
