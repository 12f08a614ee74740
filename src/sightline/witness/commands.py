"""``sightline witness ...``: run a partner's witness, or check a cosigned checkpoint (no database)."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from sightline.ledger import note
from sightline.witness.client import load_witnesses
from sightline.witness.config import ConfigError, init_witness, load_witness
from sightline.witness.server import make_server


def register(sub: Any) -> None:
    witness = sub.add_parser("witness", help="a partner's transparency-log witness, and quorum checks")
    wsub = witness.add_subparsers(dest="witness_command", required=True, metavar="WITNESS_COMMAND")
    p = wsub.add_parser("init", help="create the witness's key and print its verifier key")
    p.add_argument("--dir", type=Path, required=True, help="the witness's own directory")
    p.add_argument("--name", required=True, help="the witness's key name, e.g. police.example/witness")
    p.add_argument("--key-file", type=Path, help="where the key lives (default: DIR/witness-key.pem)")
    p.set_defaults(func=cmd_init)
    p = wsub.add_parser("serve", help="answer tlog-witness add-checkpoint requests over HTTP")
    p.add_argument("--dir", type=Path, required=True, help="the witness's directory, as given to 'init'")
    p.add_argument("--key-file", type=Path, help="default: the key 'init' made")
    p.add_argument("--name", help="default: the name 'init' recorded")
    p.add_argument(
        "--log-key",
        action="append",
        required=True,
        metavar="VKEY",
        help="a log's checkpoint key (its name is the log's origin); as often as needed",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, required=True, help="port to listen on (0 picks a free one)")
    p.set_defaults(func=cmd_serve)
    p = wsub.add_parser("verify", help="check a checkpoint's log signature and its witnesses' quorum")
    p.add_argument("--checkpoint", type=Path, required=True, metavar="F", help="a cosigned checkpoint file")
    p.add_argument(
        "--log-key",
        required=True,
        metavar="VKEY",
        help="the log's verifier key ('sightline ledger public-key')",
    )
    p.add_argument("--witnesses", type=Path, required=True, metavar="KEYS", help="one witness key a line")
    p.add_argument(
        "--quorum", type=int, required=True, metavar="N", help="cosignatures needed from those witnesses"
    )
    p.set_defaults(func=cmd_verify)


def _fail(message: str) -> int:
    print(f"sightline: {message}", file=sys.stderr)
    return 2


def cmd_init(args: argparse.Namespace) -> int:
    try:
        vkey = init_witness(args.dir, args.name, args.key_file)
    except (ConfigError, note.NoteError) as exc:
        return _fail(str(exc))
    print(vkey)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        witness = load_witness(args.dir, args.log_key, key_file=args.key_file, name=args.name)
        server = make_server(witness, args.host, args.port)
    except (ConfigError, note.NoteError, ValueError, OSError) as exc:
        return _fail(str(exc))

    def stop(_signum: int, _frame: Any) -> None:
        # shutdown() waits for serve_forever(), so it cannot run on serve_forever's own thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    print(f"witness {witness.vkey}", flush=True)
    print(f"listening on {server.url}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    try:
        text = args.checkpoint.read_text(encoding="utf-8")
        keys = [w.key for w in load_witnesses(args.witnesses)]
        result = note.verify_cosigned(text, args.log_key, keys, args.quorum)
    except (OSError, ValueError) as exc:  # NoteError is a ValueError
        return _fail(str(exc))
    for problem in result.problems:
        print(f"PROBLEM: {problem}")
    cp = result.checkpoint
    what = f"{cp.origin} at size {cp.size}" if cp else str(args.checkpoint)
    cosigners = ", ".join(sorted(result.cosigners)) or "no known witness"
    verdict = "witnessed" if result.ok else "NOT witnessed"
    print(f"{what} {verdict}: cosigned by {cosigners} (quorum {result.quorum})")
    return 0 if result.ok else 1
