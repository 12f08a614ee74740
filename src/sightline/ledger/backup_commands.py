"""``sightline backup OUT`` and ``sightline restore IN`` (docs/reliability.md)."""

from __future__ import annotations

import argparse
import base64
import sys
from typing import Any

from sightline.ledger.backup import BackupError, backup, restore


def register(sub: Any) -> None:
    p = sub.add_parser(
        "backup",
        help="write a signed, consistent backup of the database, ledger and checkpoints to OUT",
        description="Safe while `sightline serve` is writing: the backup is of one instant.",
    )
    p.add_argument("out", metavar="OUT", help="the backup file to write (a zip)")
    p.set_defaults(func=cmd_backup)
    p = sub.add_parser(
        "restore",
        help="verify a backup, then make it the database",
        description="The backup's signature, hashes and ledger are verified in a scratch copy first; "
        "a backup that fails is refused (exit 2) and nothing changes. Stop `sightline serve` first.",
    )
    p.add_argument("backup", metavar="IN", help="a file written by `sightline backup`")
    p.add_argument(
        "--checkpoint",
        action="append",
        default=[],
        metavar="F",
        help="a checkpoint published before the backup, which the restored ledger must match (repeatable)",
    )
    p.add_argument("--replace", action="store_true", help="replace a database that already holds a ledger")
    p.set_defaults(func=cmd_restore)


def _fail(message: str) -> int:
    print(f"sightline: {message}", file=sys.stderr)
    return 2


def b64(root: bytes) -> str:
    """A root hash in base64, as checkpoints, ``ledger verify`` and the web pages give it."""
    return base64.b64encode(root).decode("ascii")


def cmd_backup(args: argparse.Namespace) -> int:
    try:
        done = backup(args.out)
    except (BackupError, OSError) as exc:
        return _fail(str(exc))
    print(
        f"backup {done.path}: {done.size} ledger entries, root {b64(done.root)}, "
        f"{done.checkpoints} checkpoint files, {done.bytes:,} bytes"
    )
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    texts = []
    for path in args.checkpoint:
        try:
            with open(path, encoding="utf-8") as fh:
                texts.append(fh.read())
        except OSError as exc:
            return _fail(f"{path}: {exc.strerror}")
    try:
        done = restore(args.backup, texts, replace=args.replace)
    except (BackupError, OSError) as exc:
        return _fail(str(exc))
    print(
        f"restored {done.path}: ledger intact, {done.size} entries, root "
        f"{b64(done.root)}, {done.checkpoints} checkpoints checked"
    )
    return 0
