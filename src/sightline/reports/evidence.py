"""Evidence packs for the independent reviewer: chosen ledger entries (every entry about a child, or
given indexes) with an RFC 9162 inclusion proof for each against a signed checkpoint, the checkpoint
note, the public key, a README and ``verify_pack.py``, which checks it all offline with nothing but
Python and ``cryptography``.

The pack proves that these exact bytes are in the ledger the council signed: anyone holding the
council's published key (or an earlier copy of the checkpoint) can check it without Sightline.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from sightline.ledger import merkle, note
from sightline.ledger.models import Checkpoint, Entry
from sightline.ledger.selectors import leaf_hashes, tree_size
from sightline.ledger.services import Actor, do_checkpoint, integrate, public_key, record_action
from sightline.people.need_to_know import person_history
from sightline.reports.marking import PROTECTIVE_MARKING, printed_by
from sightline.witness import publish

VERIFY_SCRIPT = Path(__file__).resolve().parent / "verify_pack.py"
MAX_ENTRIES = 5000
PERSON_TYPE = "people.person"


class EvidencePackError(ValueError):
    """The pack cannot be made as asked; the message says why."""


def parse_indexes(text: str, *, most: int = MAX_ENTRIES) -> list[int]:
    """Ledger indexes from text such as ``12, 15-20 31``: sorted, each once."""
    found: set[int] = set()
    for part in re.split(r"[\s,;]+", text.strip()):
        if not part:
            continue
        m = re.fullmatch(r"#?(\d+)(?:\s*[-\u2013]\s*#?(\d+))?", part)
        if m is None:
            raise EvidencePackError(f"{part!r} is not a ledger index or a range such as 15-20")
        first = int(m.group(1))
        last = int(m.group(2)) if m.group(2) else first
        if last < first:
            raise EvidencePackError(f"the range {part} runs backwards")
        if last - first + 1 + len(found) > most:
            raise EvidencePackError(f"a pack holds at most {most} entries")
        found.update(range(first, last + 1))
    if not found:
        raise EvidencePackError("give at least one ledger index")
    return sorted(found)


def person_indexes(person_id: str) -> list[int]:
    """Every ledger entry about a person: reads, refusals, and changes to them and their records."""
    integrate()
    return sorted(person_history(person_id).values_list("index", flat=True))


@dataclass(frozen=True)
class EvidencePack:
    filename: str
    data: bytes
    indexes: list[int]
    checkpoint: Checkpoint
    sha256: str


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _choose_checkpoint(checkpoint_id: int | None, highest: int, vkey: str, keys: Sequence[str]) -> Checkpoint:
    if checkpoint_id is not None:
        cp = Checkpoint.objects.filter(pk=checkpoint_id).first()
        if cp is None:
            raise EvidencePackError(f"there is no checkpoint {checkpoint_id}")
        if cp.size <= highest:
            raise EvidencePackError(
                f"checkpoint {cp.id} covers entries #0 to #{cp.size - 1}, so it cannot prove entry "
                f"#{highest}: choose a later checkpoint"
            )
    else:
        cp = _witnessed(highest, vkey, keys) if keys else None
        if cp is None:
            cp = Checkpoint.objects.order_by("-id").first()
            if cp is None or cp.size <= highest or keys:
                cp = do_checkpoint()  # sign the current head so that every chosen entry is covered
                if keys and publish.cosigned_note(cp) is None:
                    publish.submit_checkpoint(cp)  # the serving process's hook may have done it already
    try:
        note.verify_checkpoint(cp.note, vkey)
    except note.NoteError as exc:
        raise EvidencePackError(f"checkpoint {cp.id} does not verify with the signing key: {exc}") from exc
    return cp


def _witnessed(highest: int, vkey: str, keys: Sequence[str], *, look: int = 20) -> Checkpoint | None:
    """The newest of the latest few checkpoints covering ``highest`` that a quorum of the witnesses
    cosigned, if any."""
    quorum = publish.default_quorum(keys)
    for cp in Checkpoint.objects.filter(size__gt=highest).order_by("-id")[:look]:
        text = publish.cosigned_note(cp)
        if text is not None and len(publish.cosigners(text, vkey, keys).cosigners) >= quorum:
            return cp
    return None


def _witness_files(cp: Checkpoint, vkey: str, keys: Sequence[str]) -> tuple[str, dict[str, object] | None]:
    """The checkpoint note to ship (cosigned if the witnesses were asked) and what the manifest says
    of the witnesses: their keys, the partnership's quorum and who cosigned."""
    text = publish.cosigned_note(cp) or cp.note
    if not keys:
        return text, None
    found = publish.cosigners(text, vkey, keys)
    return text, {
        "keys": list(keys),
        "quorum": publish.default_quorum(keys),
        "cosigned_by": sorted(found.cosigners),
    }


def build_evidence_pack(
    *,
    actor: Actor,
    person_id: str = "",
    indexes: Sequence[int] = (),
    checkpoint_id: int | None = None,
    reason: str = "",
) -> EvidencePack:
    """Make the pack, check every proof in it, and ledger the export (with the pack's SHA-256)."""
    integrate()
    person_id = person_id.strip()
    if person_id and indexes:
        raise EvidencePackError("choose a person or ledger indexes, not both")
    if person_id:
        chosen = person_indexes(person_id)
        if not chosen:
            raise EvidencePackError(f"the ledger holds no entries about {person_id}")
        if len(chosen) > MAX_ENTRIES:
            raise EvidencePackError(
                f"{person_id} has {len(chosen)} entries; a pack holds at most {MAX_ENTRIES}"
            )
    else:
        chosen = sorted(set(indexes))
        if not chosen:
            raise EvidencePackError("choose a person or give ledger indexes")
    size_now = tree_size()
    beyond = [i for i in chosen if i < 0 or i >= size_now]
    if beyond:
        raise EvidencePackError(
            f"the ledger has entries #0 to #{size_now - 1}; there is no entry #{beyond[0]}"
        )
    vkey = public_key()
    keys = publish.witness_keys()
    cp = _choose_checkpoint(checkpoint_id, chosen[-1], vkey, keys)
    note_text, witnesses = _witness_files(cp, vkey, keys)
    tree = merkle.MemoryTree(leaf_hashes(cp.size))
    if tree.root() != bytes(cp.root):
        raise EvidencePackError(
            f"the ledger's first {cp.size} entries no longer hash to checkpoint {cp.id}'s signed root: "
            "run ledger verification to see what changed"
        )
    entries = {e.index: e for e in Entry.objects.filter(index__in=chosen)}
    altered = [i for i in chosen if merkle.leaf_hash(bytes(entries[i].canonical)) != tree.levels[0][i]]
    if altered:
        raise EvidencePackError(
            "these entries' bytes no longer match their leaf hashes (they were altered): "
            + ", ".join(f"#{i}" for i in altered)
        )
    now = timezone.now()
    stamp = f"{now:%Y%m%dT%H%M%SZ}"
    top = f"evidence-pack-{stamp}"
    manifest_entries = []
    files: dict[str, bytes] = {}
    for i in chosen:
        raw = bytes(entries[i].canonical)
        path = tree.proof(i)
        merkle.verify_inclusion(tree.levels[0][i], i, cp.size, path, bytes(cp.root))  # never ship a bad proof
        proof = {
            "leafIdx": i,
            "treeSize": cp.size,
            "root": _b64(bytes(cp.root)),
            "leafHash": _b64(tree.levels[0][i]),
            "proof": [_b64(p) for p in path],
        }
        entry_name, proof_name = f"entries/{i:012d}.json", f"proofs/{i:012d}.json"
        files[entry_name] = raw
        files[proof_name] = (json.dumps(proof, indent=2) + "\n").encode()
        e = entries[i]
        manifest_entries.append(
            {
                "index": i,
                "entry": entry_name,
                "proof": proof_name,
                "time": e.time.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
                "action": e.action,
                "object": f"{e.object_type}:{e.object_id}",
                "actor": e.actor_user,
            }
        )
    parsed = note.parse_checkpoint(cp.note)
    subject = {"person": person_id} if person_id else {"indexes": chosen}
    manifest: dict[str, object] = {
        "format": "sightline-evidence-pack/1",
        "protective_marking": PROTECTIVE_MARKING,
        "created": now.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "created_by": actor.user,
        "reason": reason,
        "subject": subject,
        "checkpoint": {"id": cp.id, "origin": parsed.origin, "size": cp.size, "root": _b64(bytes(cp.root))},
        "public_key": vkey,
        "entries": manifest_entries,
    }
    if witnesses is not None:
        manifest["witnesses"] = witnesses
    files["manifest.json"] = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode()
    files["checkpoint.txt"] = note_text.encode("utf-8")
    files["public-key.txt"] = (vkey + "\n").encode()
    if witnesses is not None:
        files["witnesses.txt"] = "".join(f"{k}\n" for k in keys).encode()
    files["verify_pack.py"] = VERIFY_SCRIPT.read_bytes()
    exported = printed_by(f"{actor.user} ({actor.agency})", now, verb="Exported")
    files["README.md"] = _readme(manifest, person_id, chosen, cp, exported).encode("utf-8")
    data = _zip(top, files, now)
    digest = hashlib.sha256(data).hexdigest()
    record_action(
        actor,
        "export_evidence_pack",
        PERSON_TYPE if person_id else "ledger.entry",
        person_id or (str(chosen[0]) if len(chosen) == 1 else f"{chosen[0]}-{chosen[-1]}"),
        data={"indexes": chosen, "checkpoint_size": cp.size, "root": _b64(bytes(cp.root)), "sha256": digest},
        reason=reason,
    )
    return EvidencePack(f"{top}.zip", data, chosen, cp, digest)


def _zip(top: str, files: dict[str, bytes], now: dt.datetime) -> bytes:
    buffer = io.BytesIO()
    stamp = timezone.localtime(now).timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(f"{top}/{name}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (0o755 if name.endswith(".py") else 0o644) << 16
            zf.writestr(info, files[name])
    return buffer.getvalue()


def _readme(
    manifest: Mapping[str, object], person_id: str, chosen: list[int], cp: Checkpoint, exported: str
) -> str:
    subject = (
        f"every ledger entry about person {person_id} (each opening of their record, each refusal, and "
        "each change to them and to the records about them)"
        if person_id
        else "the ledger entries "
        + ", ".join(f"#{i}" for i in chosen[:50])
        + (" ..." if len(chosen) > 50 else "")
    )
    origin = str(settings.LEDGER_ORIGIN)
    return f"""{PROTECTIVE_MARKING}

# Sightline evidence pack

{exported}, for the independent reviewer ({manifest["created"]}).

It holds {subject}: {len(chosen)} entries in all, each with a proof that it is in the ledger
`{origin}` as signed in checkpoint {cp.id} (tree size {cp.size}).

**This pack can hold personal data about a child. Keep it as securely as the case record itself.**

## What is in it

| file | what it is |
|---|---|
| `entries/NNNNNNNNNNNN.json` | each entry's bytes exactly as the ledger hashed them (canonical JSON) |
| `proofs/NNNNNNNNNNNN.json` | each entry's RFC 9162 inclusion proof (`leafIdx`, `treeSize`, `root`, ...) |
| `checkpoint.txt` | the signed checkpoint (a C2SP signed note: origin, tree size, root hash, signature) |
| `public-key.txt` | the checkpoint-signing public key, as `sightline ledger public-key` prints it |
| `witnesses.txt` | (when partners witness the ledger) their witnesses' keys; they cosigned `checkpoint.txt` |
| `manifest.json` | what was asked for, the checkpoint, the witnesses' quorum, each entry's index and time |
| `verify_pack.py` | checks all of the above offline |

## How to check it

1. Install Python 3.9 or later and the `cryptography` package (`pip install cryptography`).
2. Run `python3 verify_pack.py` in this folder (or `python3 verify_pack.py PACK.zip`).
   It prints `VERIFIED` and exits 0 when every check passes; otherwise each problem is printed on a
   line starting `PROBLEM:` and it exits 1.
3. Compare `public-key.txt` with the key the council publishes. The script proves the entries are in
   the ledger that key signed; it cannot tell you whose key it is.
4. If the pack has `witnesses.txt`, the script also checks that a quorum of those witnesses (the
   partnership's, in `manifest.json`: {_quorum_text(manifest)}) cosigned the checkpoint. Compare the
   keys with those the partners publish, or check against your own copy and quorum:
   `python3 verify_pack.py --witnesses KEYS.txt --quorum 2`.
5. To tie this checkpoint to others (an earlier copy kept elsewhere, a witness), compare tree sizes
   and roots, or ask for a consistency proof (`sightline ledger consistency --from S1 --to S2`).

## What the checks mean

- Each entry's leaf hash is SHA-256(0x00 || its bytes). If one byte of an entry is changed, its
  leaf hash changes and its proof no longer reaches the signed root.
- The proof's hashes combine with the leaf hash, in the order RFC 9162 section 2.1.3.2 sets, to give
  the root hash in the checkpoint, which the key signed. So the entry was in the ledger, at that
  index, when the checkpoint was signed, and cannot have been changed since.
- Each entry also carries its own index and the hash of the entry before it (`prev`), so entries
  cannot be moved or reordered without breaking the chain.
- A witness cosigns a checkpoint only after checking that it extends the last one the witness saw.
  With a quorum of partners' cosignatures, whoever runs Sightline could not have rewritten these
  entries and signed the result alone: the partners' witnesses would have refused.

{PROTECTIVE_MARKING}. {exported}.
"""


def _quorum_text(manifest: Mapping[str, object]) -> str:
    witnesses = manifest.get("witnesses")
    if not isinstance(witnesses, dict):
        return "none were asked for this pack"
    return f"{witnesses['quorum']} of {len(witnesses['keys'])}"
