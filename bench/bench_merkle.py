"""Merkle throughput: leaf hashing and root over synthetic ledger entries.

Usage: .venv/bin/python bench/bench_merkle.py [entries] [entry_bytes]
(defaults: 1,000,000 entries of 300 bytes). Pure CPU, no database.
"""

from __future__ import annotations

import os
import sys
import time

from sightline.ledger.merkle import CompactRange, consistency_proof, hash_leaves, inclusion_proof, root


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    size = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    print(f"building {n:,} synthetic entries of {size} bytes ...", flush=True)
    pad = os.urandom(size)
    # Distinct entries: a counter over random padding.
    entries = [i.to_bytes(8, "big") + pad[8:] for i in range(n)]

    t0 = time.perf_counter()
    leaves = hash_leaves(entries)
    t1 = time.perf_counter()
    r = root(leaves)
    t2 = time.perf_counter()
    cr = CompactRange.from_leaves(leaves)
    t3 = time.perf_counter()
    assert cr.root() == r

    hashing, rooting, compact = t1 - t0, t2 - t1, t3 - t2
    total = hashing + rooting
    print(f"leaf hashing        {hashing:7.3f} s  {n / hashing:12,.0f} entries/s")
    print(f"root()              {rooting:7.3f} s  {n / rooting:12,.0f} entries/s")
    print(f"hash + root (verify){total:7.3f} s  {n / total:12,.0f} entries/s")
    print(f"CompactRange.extend {compact:7.3f} s  {n / compact:12,.0f} entries/s")

    t4 = time.perf_counter()
    proof = inclusion_proof(leaves, n // 3, n)
    t5 = time.perf_counter()
    cproof = consistency_proof(leaves, n // 3, n)
    t6 = time.perf_counter()
    print(f"inclusion proof     {t5 - t4:7.3f} s  ({len(proof)} hashes, leaf {n // 3:,} of {n:,})")
    print(f"consistency proof   {t6 - t5:7.3f} s  ({len(cproof)} hashes, {n // 3:,} -> {n:,})")
    print(f"root {r.hex()}")


if __name__ == "__main__":
    main()
