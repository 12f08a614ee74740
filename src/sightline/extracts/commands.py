"""``sightline import PATH...`` and ``sightline export ...`` (see shared/interfaces.md)."""

from __future__ import annotations

import argparse
import sys
from typing import Any


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

    e = sub.add_parser("export", help="export links, alerts, networks, a chronology or an i2 chart")
    esub = e.add_subparsers(dest="export_command", required=True, metavar="WHAT")
    x = esub.add_parser("links", help="CSV agency,record_id,person_id,match_probability")
    x.add_argument("--out", required=True, metavar="F")
    x.set_defaults(func=cmd_export_links)
    x = esub.add_parser("alerts", help="CSV alert_id,person_id,kind,score,reasons, highest score first")
    x.add_argument("--out", required=True, metavar="F")
    x.add_argument("--include-dismissed", action="store_true", help="also list dismissed alerts")
    x.set_defaults(func=cmd_export_alerts)
    x = esub.add_parser("networks", help="CSV network_id,member_type,member_id,role")
    x.add_argument("--out", required=True, metavar="F")
    x.set_defaults(func=cmd_export_networks)
    x = esub.add_parser("chronology", help="one person's chronology across every agency, as XLSX")
    x.add_argument("--person", required=True, metavar="P", help="a person id, or agency:record_id")
    x.add_argument("--out", required=True, metavar="F.xlsx")
    x.add_argument("--reason", default="", help="why the record is being exported (ledgered)")
    x.set_defaults(func=cmd_export_chronology)
    x = esub.add_parser("i2", help="a network as an i2 Analyst's Notebook link CSV")
    x.add_argument("--network", required=True, metavar="N")
    x.add_argument("--out", required=True, metavar="F")
    x.set_defaults(func=cmd_export_i2)

    from sightline.extracts.demo import add_demo_steps

    add_demo_steps()


def _fail(message: str) -> int:
    print(f"sightline: {message}", file=sys.stderr)
    return 2


def cmd_import(args: argparse.Namespace) -> int:
    from sightline.extracts import services
    from sightline.extracts.mapping import NO_MAPPING, MappingError, load_mapping
    from sightline.extracts.progress import TqdmProgress, wanted
    from sightline.ledger.services import checkpoint_if_due

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
        progress = TqdmProgress(path, enabled=show)
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
        progress = TqdmProgress(extract.path, enabled=show)
        result = services.do_import_parsed(extract, progress=progress)
        progress.close()
        print(result.summary())
    if parsed:
        checkpoint_if_due()
    return 2 if rejected else 0


def _done(what: str, rows: int, out: str) -> int:
    print(f"{what}: {rows} rows written to {out}")
    return 0


def cmd_export_links(args: argparse.Namespace) -> int:
    from sightline.extracts import exports

    return _done("links", exports.export_links(args.out), args.out)


def cmd_export_alerts(args: argparse.Namespace) -> int:
    from sightline.extracts import exports

    return _done(
        "alerts", exports.export_alerts(args.out, include_dismissed=args.include_dismissed), args.out
    )


def cmd_export_networks(args: argparse.Namespace) -> int:
    from sightline.extracts import exports

    return _done("networks", exports.export_networks(args.out), args.out)


def cmd_export_chronology(args: argparse.Namespace) -> int:
    from sightline.extracts import exports

    try:
        rows = exports.export_chronology(args.person, args.out, reason=args.reason)
    except exports.ExportError as exc:
        return _fail(str(exc))
    return _done("chronology", rows, args.out)


def cmd_export_i2(args: argparse.Namespace) -> int:
    from sightline.extracts import exports

    try:
        rows = exports.export_i2(args.network, args.out)
    except exports.ExportError as exc:
        return _fail(str(exc))
    return _done("i2 links", rows, args.out)
