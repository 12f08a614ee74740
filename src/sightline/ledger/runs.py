"""Verification runs: verify the ledger (in full, or incrementally from the last run that passed)
and keep what each run found in ``ledger_verification_run``, which pages show.

Pages never verify: the board report shows the latest run and its time. Runs happen on a schedule,
in ``sightline serve`` (``sightline.ledger.jobs``) or from cron with ``sightline ledger verify
--incremental``; a full run (``sightline ledger verify``) re-reads every entry and should be
scheduled too, less often (docs/deploy.md).

Once a run has failed, later incremental runs carry its problems forward: only a full run that
passes clears them, since an incremental run does not re-read the entries that failed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.utils import timezone

from sightline.ledger.models import VerificationRun
from sightline.ledger.selectors.incremental import Verified, verify_since
from sightline.ledger.selectors.report import Report
from sightline.ledger.selectors.verification import verify


def latest_run() -> VerificationRun | None:
    return VerificationRun.objects.order_by("-id").first()


def _base() -> Verified | None:
    run = VerificationRun.objects.filter(ok=True).order_by("-id").first()
    if run is None:
        return None
    return Verified(
        size=run.size,
        root=bytes(run.root),
        frontier=bytes(run.frontier),
        last_leaf=bytes(run.last_leaf_hash),
        checkpoint_id=run.checkpoint_id,
    )


def run_verification(
    *,
    full: bool = False,
    check_state: bool = True,
    workers: int = 1,
    limit: int | None = None,
    checkpoint_texts: Iterable[str] = (),
    progress: Callable[[int], None] | None = None,
) -> tuple[VerificationRun, Report]:
    """Verify and record the run. Incremental unless ``full`` or no run has passed yet."""
    started = timezone.now()
    base = None if full else _base()
    previous = latest_run()
    if base is None:
        report = verify(checkpoint_texts, check_state=check_state, progress=progress, workers=workers)
        kind, from_size = VerificationRun.Kind.FULL, 0
    else:
        report = verify_since(base, check_state=check_state, limit=limit)
        kind, from_size = VerificationRun.Kind.INCREMENTAL, base.size
    counts = dict(report.counts)
    if kind == VerificationRun.Kind.INCREMENTAL and previous is not None and not previous.ok:
        for problem_kind, n in (previous.problem_kinds or {}).items():
            counts[problem_kind] = max(counts.get(problem_kind, 0), int(n))
    run = VerificationRun.objects.create(
        kind=kind,
        started_at=started,
        finished_at=timezone.now(),
        from_size=from_size,
        size=report.size,
        root=report.root,
        frontier=report.frontier,
        last_leaf_hash=report.last_leaf,
        checkpoint_id=report.checkpoint_id,
        ok=not counts,
        problem_count=sum(counts.values()),
        problem_kinds=counts,
        entries_checked=report.entries_checked,
        checkpoints_checked=report.checkpoints_checked,
        rows_checked=report.rows_checked,
    )
    return run, report


def run_due(interval: dt.timedelta, progress: Callable[[int], None] | None = None) -> VerificationRun | None:
    """An incremental run if the latest is older than ``interval`` (for the scheduled job).
    ``progress`` may raise to abandon a run: nothing is recorded until the run ends."""
    last = latest_run()
    if last is not None and timezone.now() - last.finished_at < interval:
        return None
    return run_verification(progress=progress)[0]
