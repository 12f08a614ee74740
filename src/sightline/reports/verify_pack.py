#!/usr/bin/env python3
"""Check a Sightline evidence pack offline, without Sightline.

Usage:  python3 verify_pack.py [PACK]

PACK is the unzipped pack folder (by default, the folder this script is in) or the pack's .zip file.
Needs Python 3.9 or later and the ``cryptography`` package (pip install cryptography); nothing else.

It checks that:
  1. public-key.txt is a well-formed Ed25519 note verifier key (name+key ID+key) whose ID matches;
  2. checkpoint.txt is a C2SP signed note carrying a valid signature by that key, and its tree size and
     root hash are the ones manifest.json names;
  3. for every entry listed in manifest.json: its bytes hash (SHA-256 of 0x00 || bytes, RFC 9162) to
     the leaf hash in its proof, the entry says it is at the index the proof proves, and the RFC 9162
     inclusion proof leads from that leaf to the signed root;
  4. no entry file is missing and none is there that the manifest does not list.

Each problem is printed on its own line starting "PROBLEM:". Exit status 0 means every check passed,
1 means at least one failed, 2 means the pack could not be read.

The script trusts the public key in the pack only as far as you do: compare it with the key the
council publishes (``sightline ledger public-key``) before relying on the result.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import sys
import zipfile
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

SIG_PREFIX = "\u2014 "  # an em dash and a space start each signature line
HASH_SIZE = 32


class PackError(Exception):
    pass


def _b64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError) as exc:
        raise PackError(f"{what} is not valid base64") from exc


def read_pack(path: Path) -> dict[str, bytes]:
    """Every file in the pack, by its path inside the pack (without the pack's own top folder)."""
    files: dict[str, bytes] = {}
    if path.is_file() and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if not n.endswith("/")]
            tops = {n.split("/", 1)[0] for n in names}
            strip = len(tops) == 1 and all("/" in n for n in names)
            for name in names:
                files[name.split("/", 1)[1] if strip else name] = zf.read(name)
        return files
    if not path.is_dir():
        raise PackError(f"{path} is neither a pack folder nor a zip file")
    for item in sorted(path.rglob("*")):
        if item.is_file():
            files[item.relative_to(path).as_posix()] = item.read_bytes()
    return files


def parse_key(text: str) -> tuple[str, bytes, bytes]:
    """(name, 4-byte key ID, 32-byte Ed25519 public key) from ``name+hexid+base64(0x01||key)``."""
    parts = text.strip().split("+", 2)
    if len(parts) != 3:
        raise PackError("public-key.txt is not of the form <name>+<key id>+<key>")
    name, kid_hex, key_b64 = parts
    try:
        kid = bytes.fromhex(kid_hex)
    except ValueError as exc:
        raise PackError("public-key.txt: the key ID is not hex") from exc
    data = _b64(key_b64, "public-key.txt's key")
    if len(kid) != 4 or len(data) != 33 or data[0] != 0x01:
        raise PackError("public-key.txt is not an Ed25519 note key")
    key = data[1:]
    expected = hashlib.sha256(name.encode() + b"\n" + b"\x01" + key).digest()[:4]
    if expected != kid:
        raise PackError("public-key.txt: the key ID does not match the name and key")
    return name, kid, key


def verify_checkpoint(text: str, name: str, kid: bytes, key: bytes) -> tuple[str, int, bytes]:
    """Check the note's signature by the key; return (origin, tree size, root hash)."""
    if not text.endswith("\n") or "\n\n" not in text:
        raise PackError("checkpoint.txt is not a signed note (no blank line before the signatures)")
    cut = text.rfind("\n\n")
    body, signatures = text[: cut + 1], text[cut + 2 :].split("\n")[:-1]
    public = Ed25519PublicKey.from_public_bytes(key)
    signed = False
    for line in signatures:
        if not line.startswith(SIG_PREFIX):
            raise PackError("checkpoint.txt has a signature line that does not start with an em dash")
        signer, _, sig_b64 = line[len(SIG_PREFIX) :].partition(" ")
        raw = _b64(sig_b64, "a checkpoint signature")
        if signer != name or raw[:4] != kid:
            continue  # another signer, e.g. a witness
        try:
            public.verify(raw[4:], body.encode("utf-8"))
        except InvalidSignature as exc:
            raise PackError("checkpoint.txt: the signature does not match the checkpoint (altered?)") from exc
        signed = True
    if not signed:
        raise PackError(f"checkpoint.txt is not signed by the key {name}")
    lines = body.split("\n")[:-1]
    if len(lines) < 3 or not lines[1].isdigit():
        raise PackError("checkpoint.txt does not hold an origin, a tree size and a root hash")
    root = _b64(lines[2], "the checkpoint's root hash")
    if len(root) != HASH_SIZE:
        raise PackError("the checkpoint's root hash is not 32 bytes")
    return lines[0], int(lines[1]), root


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def root_from_proof(leaf: bytes, index: int, size: int, proof: list[bytes]) -> bytes:
    """RFC 9162 section 2.1.3.2: the root an inclusion proof leads to (PackError if malformed)."""
    if not 0 <= index < size:
        raise PackError(f"leaf index {index} is outside a tree of {size}")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if len(p) != HASH_SIZE:
            raise PackError("a proof hash is not 32 bytes")
        if sn == 0:
            raise PackError("the proof is too long")
        if fn & 1 or fn == sn:
            r = _node(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = _node(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise PackError("the proof is too short")
    return r


def check(files: dict[str, bytes]) -> tuple[list[str], str]:
    """Every problem found, and a summary line."""
    problems: list[str] = []
    try:
        manifest = json.loads(files["manifest.json"])
        name, kid, key = parse_key(files["public-key.txt"].decode("utf-8"))
        origin, size, root = verify_checkpoint(files["checkpoint.txt"].decode("utf-8"), name, kid, key)
    except KeyError as exc:
        return [f"the pack has no {exc.args[0]}"], ""
    except (PackError, ValueError) as exc:
        return [str(exc)], ""
    cp = manifest.get("checkpoint") or {}
    if cp.get("size") != size or cp.get("root") != base64.b64encode(root).decode("ascii"):
        problems.append("manifest.json names a different checkpoint from checkpoint.txt")
    if cp.get("origin") not in (None, origin):
        problems.append(f"manifest.json names the log {cp.get('origin')!r}, the checkpoint {origin!r}")
    listed = set()
    for item in manifest.get("entries", []):
        index = item.get("index")
        entry_name, proof_name = item.get("entry"), item.get("proof")
        listed.add(entry_name)
        where = f"entry #{index}"
        if entry_name not in files or proof_name not in files:
            problems.append(f"{where}: {entry_name if entry_name not in files else proof_name} is missing")
            continue
        raw = files[entry_name]
        leaf = hashlib.sha256(b"\x00" + raw).digest()
        try:
            proof = json.loads(files[proof_name])
            body = json.loads(raw)
            path = [_b64(p, "a proof hash") for p in proof["proof"]]
            if proof["leafIdx"] != index or not isinstance(body, dict) or body.get("index") != index:
                problems.append(f"{where}: the entry, its proof and the manifest disagree about its index")
            if proof["treeSize"] != size or proof["root"] != base64.b64encode(root).decode("ascii"):
                problems.append(f"{where}: its proof is not against the signed checkpoint")
            if _b64(proof["leafHash"], "a leaf hash") != leaf:
                problems.append(
                    f"{where}: its bytes do not hash to the leaf hash proved (the entry was altered)"
                )
            if root_from_proof(leaf, index, size, path) != root:
                problems.append(f"{where}: its inclusion proof does not lead to the signed root")
        except (PackError, ValueError, KeyError, TypeError) as exc:
            problems.append(f"{where}: {exc}")
    for extra in sorted(n for n in files if n.startswith("entries/") and n not in listed):
        problems.append(f"{extra} is in the pack but not in manifest.json")
    summary = (
        f"{len(listed)} entries are included in the ledger {origin} of {size} entries, "
        f"root {base64.b64encode(root).decode('ascii')}, signed by {name}+{kid.hex()}"
    )
    return problems, summary


def main(argv: list[str]) -> int:
    target = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent
    try:
        files = read_pack(target)
    except (PackError, OSError, zipfile.BadZipFile) as exc:
        print(f"PROBLEM: {exc}")
        return 2
    problems, summary = check(files)
    for problem in problems:
        print(f"PROBLEM: {problem}")
    if problems:
        print(f"NOT VERIFIED: {len(problems)} problem(s)")
        return 1
    print(f"VERIFIED: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
