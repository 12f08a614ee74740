"""``sightline ledger ...`` (see docs/cli.md)."""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
from typing import Any

from django.conf import settings

from sightline.ledger import note
from sightline.ledger.errors import LedgerError
from sightline.ledger.models import Subtree
from sightline.ledger.runs import run_verification
from sightline.ledger.selectors import consistency_proof, entry_bytes, inclusion_proof, verify
from sightline.ledger.services import do_checkpoint, public_key, rebuild
from sightline.ledger.services.subtrees import rebuild_subtrees
from sightline.ledger.worker import run_until_signalled


def register(sub: Any) -> None:
    ledger = sub.add_parser("ledger", help="checkpoints, proofs and verification of the ledger")
    lsub = ledger.add_subparsers(dest="ledger_command", required=True, metavar="LEDGER_COMMAND")
    p = lsub.add_parser(
        "checkpoint",
        help="sign a checkpoint, keep it in the checkpoint folder and print it (or write it to --out)",
    )
    p.add_argument("--out", metavar="F", help="write the checkpoint to this file instead, or - for stdout")
    p.set_defaults(func=cmd_checkpoint)
    p = lsub.add_parser("public-key", help="print the checkpoint-signing public key (note-key form)")
    p.set_defaults(func=cmd_public_key)
    p = lsub.add_parser("prove", help="print an RFC 9162 inclusion proof as JSON")
    p.add_argument("--index", type=int, required=True, help="the entry's index (from 0)")
    p.add_argument("--size", type=int, help="the tree size to prove against (default: the whole ledger)")
    p.set_defaults(func=cmd_prove)
    p = lsub.add_parser("consistency", help="print an RFC 9162 consistency proof as JSON")
    p.add_argument("--from", dest="size1", type=int, required=True, help="the older tree size")
    p.add_argument("--to", dest="size2", type=int, required=True, help="the newer tree size")
    p.set_defaults(func=cmd_consistency)
    p = lsub.add_parser("entry", help="print an entry's canonical bytes exactly as hashed")
    p.add_argument("--index", type=int, required=True, help="the entry's index (from 0)")
    p.set_defaults(func=cmd_entry)
    p = lsub.add_parser("verify", help="verify every entry, checkpoint and current-state row")
    p.add_argument(
        "--checkpoint",
        action="append",
        default=[],
        metavar="F",
        help="a checkpoint file kept outside the database; the ledger must extend it (repeatable)",
    )
    p.add_argument(
        "--incremental",
        action="store_true",
        help="check only what was added since the last verification that passed (for cron)",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=min(os.cpu_count() or 1, 4),
        help="processes that check a large ledger in parallel (default: the CPUs, at most 4)",
    )
    p.add_argument(
        "--witnesses",
        metavar="KEYS",
        help="a file of witness verifier keys, one a line (docs/partnership.md)",
    )
    p.add_argument(
        "--quorum", type=int, default=0, metavar="N", help="witness cosignatures each --checkpoint needs"
    )
    p.set_defaults(func=cmd_verify)
    p = lsub.add_parser("rebuild", help="rebuild the current-state tables from the ledger")
    p.set_defaults(func=cmd_rebuild)
    p = lsub.add_parser(
        "subtrees", help="the stored subtree hashes that proofs are made from: count, or --rebuild"
    )
    p.add_argument(
        "--rebuild",
        action="store_true",
        help="store every missing one from the entries' leaf hashes, and count those stored wrong",
    )
    p.set_defaults(func=cmd_subtrees)
    p = lsub.add_parser(
        "worker",
        help="sequence queued entries and run scheduled checkpoints and verification until stopped "
        "(serve starts one; run it yourself where serve runs with --no-ledger-worker)",
    )
    p.add_argument(
        "--verify-every",
        type=float,
        default=None,
        metavar="SECONDS",
        help="incremental verification interval (default SIGHTLINE_VERIFY_EVERY or 300)",
    )
    p.set_defaults(func=cmd_worker)


def cmd_checkpoint(args: argparse.Namespace) -> int:
    to_file = args.out not in (None, "-")
    cp = do_checkpoint(out=args.out if to_file else None)
    if not to_file:
        sys.stdout.write(cp.note)
        return 0
    print(f"checkpoint of {cp.size} entries, root {_root(bytes(cp.root))}, written to {args.out}")
    return 0


def _root(root: bytes) -> str:
    """A root hash as checkpoints and the web pages show it: standard base64 (C2SP tlog-checkpoint)."""
    return base64.b64encode(root).decode("ascii")


def cmd_public_key(args: argparse.Namespace) -> int:
    print(public_key())
    return 0


def _fail(message: str) -> int:
    print(f"sightline: {message}", file=sys.stderr)
    return 2


def cmd_prove(args: argparse.Namespace) -> int:
    try:
        print(json.dumps(inclusion_proof(args.index, args.size), indent=2))
    except (ValueError, LedgerError) as exc:
        return _fail(str(exc))
    return 0


def cmd_consistency(args: argparse.Namespace) -> int:
    try:
        print(json.dumps(consistency_proof(args.size1, args.size2), indent=2))
    except (ValueError, LedgerError) as exc:
        return _fail(str(exc))
    return 0


def cmd_entry(args: argparse.Namespace) -> int:
    try:
        data = entry_bytes(args.index)
    except ValueError as exc:
        return _fail(str(exc))
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    texts = []
    for path in args.checkpoint:
        try:
            with open(path, encoding="utf-8") as fh:
                texts.append(fh.read())
        except OSError as exc:
            return _fail(f"{path}: {exc.strerror}")
    witness_problems: list[str] = []
    if args.witnesses or args.quorum:
        try:
            witness_problems = _witness_problems(args.checkpoint, texts, args.witnesses, args.quorum)
        except (OSError, TypeError, note.NoteError, ValueError) as exc:
            return _fail(f"--witnesses: {exc}")
    progress = None
    if sys.stderr.isatty():  # long runs show how far they are

        def progress(done: int) -> None:
            print(f"\r  {done:,} entries checked", end="", file=sys.stderr, flush=True)

    if args.incremental and texts:
        return _fail("--checkpoint files need a full verification (leave out --incremental)")
    run, report = run_verification(
        full=not args.incremental, checkpoint_texts=texts, workers=max(args.workers, 1), progress=progress
    )
    if progress is not None:
        print(file=sys.stderr)
    problems = [*report.problems, *witness_problems]
    for problem in problems:
        print(f"PROBLEM: {problem}")
    if report.ok and not run.ok:
        problems.append(
            f"an earlier verification failed ({run.problem_kinds}); a full verification must pass to clear it"
        )
        print(f"PROBLEM: {problems[-1]}")
    ok = run.ok and not witness_problems
    status = "intact" if ok else f"NOT intact ({len(problems)} problems)"
    since = f", from entry #{run.from_size}" if run.kind == run.Kind.INCREMENTAL else ""
    print(
        f"ledger {status}: {report.size} entries, root {_root(report.root)}, "
        f"{report.checkpoints_checked} checkpoints and {report.rows_checked} current-state rows checked "
        f"({run.kind} check of {report.entries_checked} entries{since})"
    )
    return 0 if ok else 1


def _witness_problems(paths: list[str], texts: list[str], keys_file: str, quorum: int) -> list[str]:
    """Each checkpoint must carry cosignatures from ``quorum`` distinct known witnesses."""
    with open(keys_file, encoding="utf-8") as fh:
        keys = [line.split("#", 1)[0].split()[0] for line in fh if line.split("#", 1)[0].strip()]
    if not texts:
        raise ValueError("needs at least one --checkpoint to check")
    problems: list[str] = []
    for path, text in zip(paths, texts, strict=True):
        result = note.verify_cosigned(text, public_key(), keys, quorum)
        problems += [f"{path}: {problem}" for problem in result.problems]
    return problems


def cmd_rebuild(args: argparse.Namespace) -> int:

    # Rebuilding from a damaged ledger would copy the damage into every table.
    report = verify(check_state=False)
    if not report.ok:
        for problem in report.problems:
            print(f"PROBLEM: {problem}", file=sys.stderr)
        print("sightline: the ledger itself fails verification; not rebuilding from it", file=sys.stderr)
        return 1
    counts = rebuild()
    for kind, n in counts.items():
        print(f"{kind}: {n} rows")
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    every = args.verify_every if args.verify_every is not None else settings.LEDGER_VERIFY_EVERY
    if every <= 0:
        return _fail("--verify-every must be positive")
    return run_until_signalled(float(every))


def cmd_subtrees(args: argparse.Namespace) -> int:
    if not args.rebuild:
        print(f"{Subtree.objects.count()} subtree hashes stored")
        return 0

    def progress(done: int, total: int) -> None:
        if sys.stderr.isatty():
            print(f"\r  {done:,} of {total:,} entries read", end="", file=sys.stderr, flush=True)

    result = rebuild_subtrees(progress)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(f"{result.entries} entries read, {result.added} subtree hashes stored")
    if result.wrong:
        print(
            f"PROBLEM: {result.wrong} stored subtree hashes do not match the entries "
            "(ledger_subtree was altered; `sightline ledger verify` names them)"
        )
        return 1
    return 0
