"""Tests for the RFC 9162 Merkle module: public vectors, an RFC-literal reference, properties."""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sightline.ledger import merkle
from sightline.ledger.merkle import (
    EMPTY_ROOT,
    CompactRange,
    ProofError,
    consistency_proof,
    hash_leaves,
    inclusion_proof,
    is_valid_consistency,
    is_valid_inclusion,
    leaf_hash,
    node_hash,
    root,
    verify_consistency,
    verify_inclusion,
)

# --- transparency-dev/merkle vectors (read from the shared folder, never copied) ---

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("SIGHTLINE_SHARED", REPO_ROOT.parent / "shared"))
VECTORS = SHARED / "ct-vectors"
EXPECTED_VECTOR_FILES = 196

# The RFC 6962 test tree (public test data) behind the vectors.
RFC_LEAVES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
RFC_LEAF_HASHES = [leaf_hash(d) for d in RFC_LEAVES]


def _vector_files() -> list[Path]:
    if not VECTORS.is_dir():
        return []
    return sorted(p for kind in ("inclusion", "consistency") for p in (VECTORS / kind).glob("**/*.json"))


VECTOR_FILES = _vector_files()


def _b64(value: str) -> bytes:
    return base64.b64decode(value)


def _proof(case: dict[str, Any]) -> list[bytes]:
    return [_b64(p) for p in case["proof"] or []]


def test_vector_folder_has_every_case() -> None:
    if not VECTORS.is_dir():
        pytest.skip(f"shared CT vectors not found at {VECTORS} (set SIGHTLINE_SHARED)")
    assert len(VECTOR_FILES) == EXPECTED_VECTOR_FILES


@pytest.mark.parametrize(
    "path",
    VECTOR_FILES or [pytest.param(None, marks=pytest.mark.skip(reason=f"no CT vectors at {VECTORS}"))],
    ids=lambda p: str(p.relative_to(VECTORS)) if isinstance(p, Path) else "missing",
)
def test_vector(path: Path) -> None:
    case = json.loads(path.read_text())
    kind = path.relative_to(VECTORS).parts[0]
    proof = _proof(case)
    if kind == "inclusion":
        args = (_b64(case["leafHash"]), case["leafIdx"], case["treeSize"], proof, _b64(case["root"]))
        if case["wantErr"]:
            with pytest.raises(ProofError):
                verify_inclusion(*args)
            assert not is_valid_inclusion(*args)
            return
        verify_inclusion(*args)
        leaf, index, size = args[0], args[1], args[2]
        if size <= len(RFC_LEAVES) and leaf == RFC_LEAF_HASHES[index]:
            # Built from the RFC tree: our generator must give the same proof and root.
            assert inclusion_proof(RFC_LEAF_HASHES, index, size) == proof
            assert root(RFC_LEAF_HASHES[:size]) == args[4]
    else:
        size1, size2 = case["size1"], case["size2"]
        root1, root2 = _b64(case["root1"]), _b64(case["root2"])
        if case["wantErr"]:
            with pytest.raises(ProofError):
                verify_consistency(size1, size2, proof, root1, root2)
            assert not is_valid_consistency(size1, size2, proof, root1, root2)
            return
        verify_consistency(size1, size2, proof, root1, root2)
        if size2 <= len(RFC_LEAVES) and root(RFC_LEAF_HASHES[:size2]) == root2:
            assert root(RFC_LEAF_HASHES[:size1]) == root1
            assert consistency_proof(RFC_LEAF_HASHES, size1, size2) == proof


def test_happy_vectors_are_reproduced_from_the_rfc_tree() -> None:
    """Guard against the test above silently skipping its generator checks."""
    if not VECTORS.is_dir():
        pytest.skip(f"shared CT vectors not found at {VECTORS}")
    reproduced = 0
    for path in VECTOR_FILES:
        case = json.loads(path.read_text())
        if case["wantErr"]:
            continue
        if "leafIdx" in case:
            idx, size = case["leafIdx"], case["treeSize"]
            if _b64(case["leafHash"]) == RFC_LEAF_HASHES[idx]:
                assert inclusion_proof(RFC_LEAF_HASHES, idx, size) == _proof(case)
                reproduced += 1
        elif root(RFC_LEAF_HASHES[: case["size2"]]) == _b64(case["root2"]):
            assert consistency_proof(RFC_LEAF_HASHES, case["size1"], case["size2"]) == _proof(case)
            reproduced += 1
    # 5 inclusion and 5 consistency happy paths come from the RFC tree.
    assert reproduced == 10


# --- RFC 9162 section 2.1, transcribed literally, as an independent reference ---


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def ref_mth(d: list[bytes]) -> bytes:
    if not d:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return d[0]
    k = _k(len(d))
    return node_hash(ref_mth(d[:k]), ref_mth(d[k:]))


def ref_path(m: int, d: list[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = _k(len(d))
    if m < k:
        return [*ref_path(m, d[:k]), ref_mth(d[k:])]
    return [*ref_path(m - k, d[k:]), ref_mth(d[:k])]


def ref_subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [ref_mth(d)]
    k = _k(n)
    if m <= k:
        return [*ref_subproof(m, d[:k], b), ref_mth(d[k:])]
    return [*ref_subproof(m - k, d[k:], False), ref_mth(d[:k])]


def _leaves(n: int, salt: bytes = b"") -> list[bytes]:
    return [leaf_hash(salt + i.to_bytes(4, "big")) for i in range(n)]


def test_hash_primitives() -> None:
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert leaf_hash(b"") == hashlib.sha256(b"\x00").digest()
    assert node_hash(b"a", b"b") == hashlib.sha256(b"\x01ab").digest()
    assert hash_leaves([b"x", b"y"]) == [leaf_hash(b"x"), leaf_hash(b"y")]
    assert root([]) == EMPTY_ROOT


def test_rfc_tree_root() -> None:
    # Known root of the 8-leaf RFC 6962 test tree.
    assert root(RFC_LEAF_HASHES).hex() == "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"


@pytest.mark.parametrize("n", range(0, 70))
def test_root_and_proofs_match_rfc_reference(n: int) -> None:
    d = _leaves(n)
    assert root(d) == ref_mth(d)
    for m in range(n):
        assert inclusion_proof(d, m, n) == ref_path(m, d)
    for m in range(1, n + 1):
        assert consistency_proof(d, m, n) == ref_subproof(m, d, True)


def test_proofs_use_only_the_first_size_leaves() -> None:
    d = _leaves(40)
    assert inclusion_proof(d, 3, 21) == inclusion_proof(d[:21], 3, 21)
    assert consistency_proof(d, 5, 21) == consistency_proof(d[:21], 5, 21)


@pytest.mark.parametrize(
    ("index", "size", "have"),
    [(0, 0, 0), (5, 5, 5), (-1, 3, 3), (0, 4, 3), (0, -1, 3)],
)
def test_inclusion_proof_rejects_bad_arguments(index: int, size: int, have: int) -> None:
    with pytest.raises(ValueError, match=r"(outside|exceeds|negative)"):
        inclusion_proof(_leaves(have), index, size)


@pytest.mark.parametrize(("size1", "size2", "have"), [(0, 3, 3), (4, 3, 5), (1, 6, 5), (-1, 2, 2)])
def test_consistency_proof_rejects_bad_arguments(size1: int, size2: int, have: int) -> None:
    with pytest.raises(ValueError):
        consistency_proof(_leaves(have), size1, size2)


def test_verify_errors_are_clear() -> None:
    d = _leaves(6)
    r = root(d)
    proof = inclusion_proof(d, 2, 6)
    with pytest.raises(ProofError, match="not below tree size"):
        verify_inclusion(d[2], 6, 6, proof, r)
    with pytest.raises(ProofError, match="too long"):
        verify_inclusion(d[2], 2, 6, [*proof, d[0]], r)
    with pytest.raises(ProofError, match="too short"):
        verify_inclusion(d[2], 2, 6, proof[:-1], r)
    with pytest.raises(ProofError, match="does not match the root"):
        verify_inclusion(d[3], 2, 6, proof, r)
    with pytest.raises(ProofError, match="proof element 1 is 31 bytes"):
        verify_inclusion(d[2], 2, 6, [proof[0], proof[1][:31], proof[2]], r)
    r3 = root(d[:3])
    cproof = consistency_proof(d, 3, 6)
    verify_consistency(3, 6, cproof, r3, r)
    with pytest.raises(ProofError, match="greater than"):
        verify_consistency(6, 3, cproof, r, r3)
    with pytest.raises(ProofError, match="empty tree"):
        verify_consistency(0, 6, [], EMPTY_ROOT, r)
    with pytest.raises(ProofError, match="is empty"):
        verify_consistency(3, 6, [], r3, r)
    with pytest.raises(ProofError, match="root1"):
        verify_consistency(3, 6, cproof, r, r)
    with pytest.raises(ProofError, match="root2"):
        verify_consistency(3, 6, cproof, r3, r3)
    with pytest.raises(ProofError, match="too long"):
        verify_consistency(3, 6, [*cproof, r], r3, r)
    with pytest.raises(ProofError, match="too short"):
        verify_consistency(3, 6, cproof[:-1], r3, r)


# --- properties ---

trees = st.lists(st.binary(max_size=24), min_size=1, max_size=140)


@settings(max_examples=120, deadline=None)
@given(data=trees, pick=st.data())
def test_every_generated_inclusion_proof_verifies(data: list[bytes], pick: st.DataObject) -> None:
    d = hash_leaves(data)
    n = len(d)
    size = pick.draw(st.integers(1, n), label="size")
    r = root(d[:size])
    for index in range(size):
        proof = inclusion_proof(d, index, size)
        verify_inclusion(d[index], index, size, proof, r)
    # Against any other root (here: the next tree's), the proofs fail.
    if size < n:
        other = root(d[: size + 1])
        assert not any(
            is_valid_inclusion(d[i], i, size, inclusion_proof(d, i, size), other) for i in range(size)
        )


@settings(max_examples=120, deadline=None)
@given(data=trees, pick=st.data())
def test_every_generated_consistency_proof_verifies(data: list[bytes], pick: st.DataObject) -> None:
    d = hash_leaves(data)
    n = len(d)
    size2 = pick.draw(st.integers(1, n), label="size2")
    r2 = root(d[:size2])
    for size1 in range(1, size2 + 1):
        verify_consistency(size1, size2, consistency_proof(d, size1, size2), root(d[:size1]), r2)


@settings(max_examples=150, deadline=None)
@given(
    n=st.integers(2, 300),
    pick=st.data(),
)
def test_flipping_any_bit_breaks_verification(n: int, pick: st.DataObject) -> None:
    d = _leaves(n, b"flip")
    size = pick.draw(st.integers(2, n), label="size")
    index = pick.draw(st.integers(0, size - 1), label="index")
    r = root(d[:size])
    proof = inclusion_proof(d, index, size)
    target = pick.draw(st.integers(0, len(proof) + 1), label="target")
    byte = pick.draw(st.integers(0, 31), label="byte")
    bit = 1 << pick.draw(st.integers(0, 7), label="bit")

    def flip(h: bytes) -> bytes:
        b = bytearray(h)
        b[byte] ^= bit
        return bytes(b)

    leaf, rr, pr = d[index], r, list(proof)
    if target == len(proof):
        leaf = flip(leaf)
    elif target == len(proof) + 1:
        rr = flip(rr)
    else:
        pr[target] = flip(pr[target])
    with pytest.raises(ProofError):
        verify_inclusion(leaf, index, size, pr, rr)

    size1 = pick.draw(st.integers(1, size - 1), label="size1")
    r1 = root(d[:size1])
    cproof = consistency_proof(d, size1, size)
    ctarget = pick.draw(st.integers(0, len(cproof) + 1), label="ctarget")
    c1, c2, cp = r1, r, list(cproof)
    if ctarget == len(cproof):
        c1 = flip(c1)
    elif ctarget == len(cproof) + 1:
        c2 = flip(c2)
    else:
        cp[ctarget] = flip(cp[ctarget])
    with pytest.raises(ProofError):
        verify_consistency(size1, size, cp, c1, c2)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 64), pick=st.data())
def test_inclusion_proof_is_bound_to_its_index(n: int, pick: st.DataObject) -> None:
    d = _leaves(n, b"idx")
    index = pick.draw(st.integers(0, n - 1), label="index")
    other = pick.draw(st.integers(0, n - 1).filter(lambda i: i != index), label="other")
    proof = inclusion_proof(d, index, n)
    assert not is_valid_inclusion(d[index], other, n, proof, root(d))


# --- compact ranges ---


@settings(max_examples=80, deadline=None)
@given(data=st.lists(st.binary(max_size=8), max_size=200))
def test_compact_range_root_matches_root_at_every_size(data: list[bytes]) -> None:
    d = hash_leaves(data)
    cr = CompactRange()
    assert cr.root() == EMPTY_ROOT
    for i, h in enumerate(d):
        cr.append(h)
        assert cr.size == i + 1
        assert cr.root() == root(d[: i + 1])
    assert len(cr.hashes) == len(d).bit_count()
    assert CompactRange.from_leaves(d) == cr


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 300), cut=st.data())
def test_compact_range_persists_and_resumes(n: int, cut: st.DataObject) -> None:
    d = _leaves(n, b"cr")
    k = cut.draw(st.integers(0, n), label="cut")
    first = CompactRange.from_leaves(d[:k])
    for restored in (
        CompactRange.from_bytes(first.to_bytes()),
        CompactRange.from_json(first.to_json()),
    ):
        assert restored == first
        restored.extend(d[k:])
        assert restored.size == n
        assert restored.root() == root(d)
    # The persisted state alone lets the next root be computed without old leaves.
    assert first.copy().root() == root(d[:k])


def test_compact_range_rejects_bad_state() -> None:
    good = CompactRange.from_leaves(_leaves(5)).to_bytes()
    with pytest.raises(ValueError, match="expected 64"):
        CompactRange.from_bytes(good[:-1])
    with pytest.raises(ValueError, match="bad header"):
        CompactRange.from_bytes(b"junk" + good)
    with pytest.raises(ValueError, match="needs 2 hashes"):
        CompactRange(5, [EMPTY_ROOT])
    with pytest.raises(ValueError, match="32-byte"):
        CompactRange(1, [b"short"])
    with pytest.raises(ValueError, match="not a JSON compact range"):
        CompactRange.from_json('{"size": 1, "hashes": ["!!"]}')
    with pytest.raises(ValueError, match="must be an integer"):
        CompactRange.from_json('{"size": true, "hashes": ["' + "A" * 43 + '="]}')
    cr = CompactRange()
    with pytest.raises(ValueError):
        cr.append(b"short")
    with pytest.raises(ValueError, match="leaf hash 2 is 3 bytes"):
        cr.extend([EMPTY_ROOT, EMPTY_ROOT, b"bad", EMPTY_ROOT])
    # Leaves before the bad one were appended; the range stays consistent.
    assert cr.size == 2
    assert cr.root() == root([EMPTY_ROOT, EMPTY_ROOT])


@settings(max_examples=80, deadline=None)
@given(n=st.integers(0, 700), pick=st.data())
def test_extending_in_any_pieces_gives_the_root_at_every_piece(n: int, pick: st.DataObject) -> None:
    # Pieces of 64 leaves or more that make whole subtrees are hashed level by level with root().
    d = _leaves(n, b"pieces")
    cr, at = CompactRange(), 0
    while at < n:
        k = pick.draw(st.integers(1, 300), label="piece")
        cr.extend(iter(d[at : at + k]))
        at = min(n, at + k)
        assert cr.root() == root(d[:at]) and cr.size == at
    assert cr == CompactRange.from_leaves(d)


@settings(max_examples=80, deadline=None)
@given(n=st.integers(0, 400), pick=st.data())
def test_ranges_from_any_leaf_join_into_the_whole_tree(n: int, pick: st.DataObject) -> None:
    d = _leaves(n, b"join")
    cuts = sorted(pick.draw(st.lists(st.integers(0, n), max_size=5), label="cuts"))
    bounds = [0, *cuts, n]
    pairs = list(itertools.pairwise(bounds))
    parts = [CompactRange.from_leaves(d[lo:hi], begin=lo) for lo, hi in pairs]
    for part, (lo, hi) in zip(parts, pairs):
        assert (part.begin, part.size) == (lo, hi)
        assert CompactRange(hi, part.hashes, lo) == part  # the hashes are the range's decomposition
    # Joined left to right, or the right-hand pieces first: the same tree.
    whole = parts[0].copy()
    for part in parts[1:]:
        whole.join(part)
    right = parts[-1]
    for part in reversed(parts[1:-1]):
        part = part.copy()
        part.join(right)
        right = part
    left = parts[0].copy()
    if len(parts) > 1:
        left.join(right)
    assert whole == left == CompactRange.from_leaves(d)
    assert whole.root() == root(d)


def test_a_range_from_a_later_leaf_has_no_root_until_joined() -> None:
    d = _leaves(9)
    later = CompactRange.from_leaves(d[5:], begin=5)
    assert (later.begin, later.size, len(later.hashes)) == (5, 9, 3)  # leaf 5, leaves 6-7, leaf 8
    with pytest.raises(ValueError, match="only a range from leaf 0 has a root"):
        later.root()
    with pytest.raises(ValueError, match="only a range from leaf 0 has a stored form"):
        later.to_bytes()
    with pytest.raises(ValueError, match="cannot follow one ending at 4"):
        CompactRange.from_leaves(d[:4]).join(later)
    with pytest.raises(ValueError, match="begin 6 is outside"):
        CompactRange(5, [], 6)
    with pytest.raises(ValueError, match=r"\[5, 9\) needs 3 hashes, got 2"):
        CompactRange(9, later.hashes[:2], 5)
    first = CompactRange.from_leaves(d[:5])
    first.join(later)
    assert first.root() == root(d)


def test_module_exports_are_present() -> None:
    for name in merkle.__all__:
        assert hasattr(merkle, name), name
