#!/usr/bin/env python3
"""Check a Sightline evidence pack offline, without Sightline.

Usage:  python3 verify_pack.py [PACK] [--witnesses KEYS] [--quorum N]

PACK is the unzipped pack folder (by default, the folder this script is in) or the pack's .zip file.
KEYS is a file of witness verifier keys (one a line, as the partners publish them); by default the
pack's own witnesses.txt. N is how many of them must have cosigned; by default the quorum in
manifest.json (a majority).
Needs Python 3.9 or later and the ``cryptography`` package (pip install cryptography); nothing else.

It checks that:
  1. public-key.txt is a well-formed Ed25519 note verifier key (name+key ID+key) whose ID matches;
  2. checkpoint.txt is a C2SP signed note carrying a valid signature by that key, and its tree size and
     root hash are the ones manifest.json names;
  3. for every entry listed in manifest.json: its bytes hash (SHA-256 of 0x00 || bytes, RFC 9162) to
     the leaf hash in its proof, the entry says it is at the index the proof proves, and the RFC 9162
     inclusion proof leads from that leaf to the signed root;
  4. no entry file is missing and none is there that the manifest does not list;
  5. when the pack names witnesses (or KEYS or N is given): at least N distinct witnesses among the
     keys cosigned checkpoint.txt (C2SP cosignature/v1), and no line claiming to be one of them is
     forged, copied from another checkpoint or dated in the future.

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
import time
import zipfile
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

SIG_PREFIX = "\u2014 "  # an em dash and a space start each signature line
HASH_SIZE = 32
FUTURE_SKEW_SECONDS = 600  # a witness's clock may drift, not leap


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


def parse_witness_key(text: str) -> tuple[str, bytes, bytes]:
    """(name, key ID, Ed25519 key) of a cosignature/v1 witness key ``name+hexid+base64(0x04||key)``."""
    parts = text.strip().split("+", 2)
    if len(parts) != 3:
        raise PackError(f"witness key {text.strip()!r} is not of the form <name>+<key id>+<key>")
    name, kid_hex, key_b64 = parts
    try:
        kid = bytes.fromhex(kid_hex)
    except ValueError as exc:
        raise PackError(f"witness key {name}: the key ID is not hex") from exc
    data = _b64(key_b64, f"witness key {name}")
    if len(kid) != 4 or len(data) != 33 or data[0] != 0x04:
        raise PackError(f"witness key {name} is not an Ed25519 cosignature/v1 key")
    if hashlib.sha256(name.encode() + b"\n" + data).digest()[:4] != kid:
        raise PackError(f"witness key {name}: the key ID does not match the name and key")
    return name, kid, data[1:]


def read_witness_keys(text: str) -> list[tuple[str, bytes, bytes]]:
    """Witness keys, one a line (anything after the key, such as a URL, and # comments ignored)."""
    keys = [
        parse_witness_key(line.split("#", 1)[0].split()[0])
        for line in text.splitlines()
        if line.split("#", 1)[0].strip()
    ]
    if len({k[0] for k in keys}) != len(keys) or len({k[2] for k in keys}) != len(keys):
        raise PackError("each witness must have its own name and its own key: one partner, one vote")
    return keys


def check_cosignatures(
    text: str, keys: list[tuple[str, bytes, bytes]], quorum: int, now: int
) -> tuple[list[str], list[str]]:
    """Problems with the checkpoint's cosignatures, and the names of the witnesses that cosigned."""
    if not 1 <= quorum <= len(keys):
        return [f"the quorum {quorum} must be between 1 and the {len(keys)} witness keys"], []
    cut = text.rfind("\n\n")
    body, lines = text[: cut + 1], text[cut + 2 :].split("\n")[:-1]
    problems: list[str] = []
    good: list[str] = []
    for name, kid, key in keys:
        public = Ed25519PublicKey.from_public_bytes(key)
        for line in lines:
            signer, _, sig_b64 = line[len(SIG_PREFIX) :].partition(" ")
            raw = _b64(sig_b64, "a checkpoint signature")
            if signer != name or raw[:4] != kid:
                continue
            if len(raw) != 4 + 8 + 64:
                problems.append(f"the cosignature by {name} is not a cosignature/v1 signature")
                continue
            stamp = int.from_bytes(raw[4:12], "big")
            message = f"cosignature/v1\ntime {stamp}\n{body}".encode()
            try:
                public.verify(raw[12:], message)
            except InvalidSignature:
                problems.append(
                    f"the cosignature by {name} does not match this checkpoint (forged or copied)"
                )
                continue
            if stamp > now + FUTURE_SKEW_SECONDS:
                problems.append(f"the cosignature by {name} is dated in the future")
                continue
            if name not in good:
                good.append(name)
    if len(good) < quorum:
        problems.append(
            f"{len(good)} of the {len(keys)} witnesses cosigned the checkpoint "
            f"({', '.join(good) or 'none'}); the quorum is {quorum}"
        )
    return problems, good


def _witnesses(
    files: dict[str, bytes], manifest: dict, keys_text: str | None, quorum: int | None
) -> tuple[list[tuple[str, bytes, bytes]], int] | None:
    """The witness keys and quorum to check against, or None when the pack names none and none are
    asked for."""
    if keys_text is None and "witnesses.txt" in files:
        keys_text = files["witnesses.txt"].decode("utf-8")
    if keys_text is None:
        if quorum is not None:
            raise PackError("the pack names no witnesses: give their keys with --witnesses")
        return None
    keys = read_witness_keys(keys_text)
    if quorum is None:
        stated = (manifest.get("witnesses") or {}).get("quorum")
        quorum = stated if isinstance(stated, int) else len(keys) // 2 + 1
    return keys, quorum


def check(
    files: dict[str, bytes],
    *,
    keys_text: str | None = None,
    quorum: int | None = None,
    now: int | None = None,
) -> tuple[list[str], str]:
    """Every problem found, and a summary line. ``keys_text`` and ``quorum``: the verifier's own
    witness keys and quorum, instead of the pack's."""
    problems: list[str] = []
    try:
        manifest = json.loads(files["manifest.json"])
        name, kid, key = parse_key(files["public-key.txt"].decode("utf-8"))
        note_text = files["checkpoint.txt"].decode("utf-8")
        origin, size, root = verify_checkpoint(note_text, name, kid, key)
        witnesses = _witnesses(files, manifest, keys_text, quorum)
    except KeyError as exc:
        return [f"the pack has no {exc.args[0]}"], ""
    except (PackError, ValueError) as exc:
        return [str(exc)], ""
    cosigned: list[str] = []
    if witnesses is not None:
        found, cosigned = check_cosignatures(note_text, witnesses[0], witnesses[1], int(now or time.time()))
        problems += found
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
    if witnesses is not None:
        summary += f", cosigned by {', '.join(cosigned)} (quorum {witnesses[1]} of {len(witnesses[0])})"
    return problems, summary


def _options(argv: list[str]) -> tuple[Path, str | None, int | None]:
    """PACK, the --witnesses file's text and --quorum from the command line (PackError if malformed)."""
    target, keys_path, quorum = None, None, None
    args = list(argv[1:])
    while args:
        arg = args.pop(0)
        if arg in ("--witnesses", "--quorum") and not args:
            raise PackError(f"{arg} needs a value")
        if arg == "--witnesses":
            keys_path = args.pop(0)
        elif arg == "--quorum":
            value = args.pop(0)
            if not value.isdigit():
                raise PackError(f"--quorum {value!r} is not a number")
            quorum = int(value)
        elif target is None and not arg.startswith("--"):
            target = Path(arg)
        else:
            raise PackError(f"unexpected argument {arg!r}")
    keys_text = Path(keys_path).read_text(encoding="utf-8") if keys_path else None
    return target or Path(__file__).resolve().parent, keys_text, quorum


def main(argv: list[str]) -> int:
    try:
        target, keys_text, quorum = _options(argv)
        files = read_pack(target)
    except (PackError, OSError, zipfile.BadZipFile) as exc:
        print(f"PROBLEM: {exc}")
        return 2
    problems, summary = check(files, keys_text=keys_text, quorum=quorum)
    for problem in problems:
        print(f"PROBLEM: {problem}")
    if problems:
        print(f"NOT VERIFIED: {len(problems)} problem(s)")
        return 1
    print(f"VERIFIED: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
