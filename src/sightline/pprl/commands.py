"""``sightline pprl encode`` and ``sightline pprl new-secret`` (docs/pprl.md), run by an agency."""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from pathlib import Path
from typing import Any

from sightline.core.progress import Bar, wanted

from .bloom import HARDENINGS, Params, SecretError, read_secret
from .extract import ExtractError, encode_extract


def register(sub: Any) -> None:
    pprl = sub.add_parser(
        "pprl",
        help="encode an extract so that it links without names (run by the agency)",
        description="Privacy-preserving record linkage: see docs/pprl.md.",
    )
    commands = pprl.add_subparsers(dest="pprl_command", required=True, metavar="COMMAND")
    p = commands.add_parser(
        "encode",
        help="write an encoded copy of an extract: keyed Bloom filters and digests instead of identifiers",
        description="Reads a multi-agency-extract/1 folder or .zip and writes ENCODED (a folder, or a .zip "
        "when the name ends in .zip) in the same format, with the identifying columns replaced by "
        "encodings keyed by the agreement's secret. The secret is read, used in memory and never written.",
    )
    p.add_argument("extract", metavar="EXTRACT", type=Path, help="the agency's extract folder or .zip")
    p.add_argument("--secret-file", required=True, type=Path, metavar="F", help="the agreement's secret")
    p.add_argument(
        "--out", required=True, type=Path, metavar="ENCODED", help="where to write the encoded extract"
    )
    p.add_argument(
        "--salt", required=True, metavar="ID",
        help="the linkage agreement's identifier, the same for every agency in it (not a secret)",
    )  # fmt: skip
    p.add_argument(
        "--hardening", choices=HARDENINGS, default="fold",
        help="fold: XOR-folded filters (default); balance: balanced filters; off: neither, and names "
        "not salted by birth year (for tests of the attacks only)",
    )  # fmt: skip
    p.add_argument("--bits", type=int, default=1024, help="filter length in bits (default 1024)")
    p.add_argument(
        "--hashes", type=int, default=20, metavar="K", help="bit positions per element (default 20)"
    )
    p.add_argument(
        "--keep", action="append", default=[], metavar="COLUMN",
        help="also keep this non-identifying column as it is (e.g. ethnicity); may be repeated",
    )  # fmt: skip
    p.add_argument(
        "--workers", type=int, default=1, metavar="N",
        help="processes encoding chunks of rows (default 1); the output is the same for any N",
    )  # fmt: skip
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show progress on stderr (default: when stderr is a terminal)",
    )
    p.set_defaults(func=cmd_encode)

    s = commands.add_parser(
        "new-secret",
        help="write a new random agreement secret (256 bits) to a file only its owner can read",
    )
    s.add_argument("file", metavar="F", type=Path, help="the new secret's file (must not exist yet)")
    s.set_defaults(func=cmd_new_secret)


def cmd_encode(args: argparse.Namespace) -> int:
    try:
        secret = read_secret(args.secret_file.read_bytes())
        params = Params(salt=args.salt, hardening=args.hardening, bits=args.bits, k=args.hashes)
        if args.workers < 1:
            raise ValueError(f"--workers must be at least 1 (got {args.workers})")
    except (OSError, SecretError, ValueError) as exc:
        print(f"sightline: {exc}", file=sys.stderr)
        return 2
    bars = Bar.stages("encode", wanted(args.progress))
    try:
        summary = encode_extract(args.extract, secret, args.out, params, set(args.keep), bars, args.workers)
    except (ExtractError, OSError) as exc:
        print(f"sightline: {exc}", file=sys.stderr)
        return 2
    finally:
        bars.close()
    print(f"encoded {summary.people} person records and {summary.events} events into {summary.out}")
    print(f"  people.csv kept as they are: {', '.join(summary.kept_people)}")
    print(f"  people.csv not sent: {', '.join(summary.dropped_people) or '-'}")
    if summary.events:
        print(f"  events.csv kept as they are: {', '.join(summary.kept_events)}")
        print(f"  events.csv not sent: {', '.join(summary.dropped_events) or '-'}")
    return 0


def cmd_new_secret(args: argparse.Namespace) -> int:
    try:
        fd = os.open(args.file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        print(f"sightline: {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    print(f"new secret written to {args.file}; share it only with the agencies in the agreement")
    return 0
