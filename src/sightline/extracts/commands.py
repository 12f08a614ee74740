"""``sightline import PATH...`` (see docs/cli.md)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from sightline.core.progress import Bar, wanted
from sightline.extracts import services
from sightline.extracts.mapping import NO_MAPPING, MappingError, load_mapping
from sightline.ledger.services import checkpoint_if_due


def register(sub: Any) -> None:
    p = sub.add_parser(
        "import",
        help="import agency extract folders or .zip files (all or nothing per extract)",
        description="Check each extract in full, then import it in one transaction. Problems are printed "
        "as file:row:column: reason on stderr and the command exits 2; a rejected extract changes nothing.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="an extract folder or .zip file")
    p.add_argument("--mapping", metavar="F", help="a column-mapping TOML file (docs/import.md)")
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show rows per second and time left on stderr (default: when stderr is a terminal)",
    )
    p.set_defaults(func=cmd_import)


def _fail(message: str) -> int:
    print(f"sightline: {message}", file=sys.stderr)
    return 2


def cmd_import(args: argparse.Namespace) -> int:

    mapping = NO_MAPPING
    if args.mapping:
        try:
            mapping = load_mapping(args.mapping)
        except MappingError as exc:
            return _fail(str(exc))
    show = wanted(args.progress)
    rejected = 0
    parsed = []
    for path in args.paths:
        progress = Bar(path, enabled=show)
        extract = services.read_for_import(path, mapping, progress)
        progress.close()
        if extract.problems:
            rejected += 1
            for problem in extract.problems:
                print(problem, file=sys.stderr)
            print(f"{path}: rejected, {len(extract.problems)} problems; nothing was written", file=sys.stderr)
        else:
            parsed.append(extract)
    # Oldest first, so that a later extract from an agency updates an earlier one in the same run.
    parsed.sort(key=lambda x: (x.agency, x.extracted_on, x.path))
    for extract in parsed:
        progress = Bar(extract.path, enabled=show)
        result = services.do_import_parsed(extract, progress=progress)
        progress.close()
        print(result.summary())
    if parsed:
        checkpoint_if_due()
    return 2 if rejected else 0
