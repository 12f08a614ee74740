"""RFC 9162 (RFC 6962) Merkle tree hashing, proofs and compact ranges.

Written by hand on purpose: it is small, and it is the part of the ledger whose
correctness everything else rests on.

Tree shape: for n > 1 leaves the left subtree holds the largest power of two
strictly less than n leaves (RFC 9162 section 2.1.1). Building the tree level
by level and carrying an unpaired last node up unchanged gives the same root,
and avoids recursion and per-node Python calls.

All hashes are 32-byte SHA-256 digests. Functions that build trees trust their
``leaf_hashes`` input; verifiers trust nothing.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
from collections.abc import Callable, Iterable, Sequence

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "CompactRange",
    "ProofError",
    "consistency_proof",
    "consistency_ranges",
    "hash_leaves",
    "inclusion_proof",
    "inclusion_ranges",
    "is_valid_consistency",
    "is_valid_inclusion",
    "leaf_hash",
    "node_hash",
    "range_root",
    "root",
    "subtrees",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32
_LEAF = b"\x00"
_NODE = b"\x01"
_sha256 = hashlib.sha256

# CompactRange.extend hashes runs of at least this many leaves that make a whole subtree with root().
_WHOLE = 64

#: Root of the empty tree: SHA-256 of the empty string.
EMPTY_ROOT: bytes = _sha256(b"").digest()


class ProofError(ValueError):
    """A Merkle proof, root or hash failed verification or is malformed."""


def leaf_hash(data: bytes) -> bytes:
    """Return SHA-256(0x00 || data)."""
    return _sha256(_LEAF + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return SHA-256(0x01 || left || right)."""
    return _sha256(_NODE + left + right).digest()


def hash_leaves(entries: Iterable[bytes]) -> list[bytes]:
    """Return the leaf hash of each entry, in order."""
    sha, prefix = _sha256, _LEAF
    return [sha(prefix + e).digest() for e in entries]


def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """Return the Merkle tree hash (MTH) of ``leaf_hashes``.

    Iterative, one list comprehension per level: about one hashlib call per
    node and no other per-node Python work.
    """
    n = len(leaf_hashes)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return leaf_hashes[0]
    sha, prefix = _sha256, _NODE
    level: Sequence[bytes] = leaf_hashes
    while n > 1:
        it = iter(level)
        nxt = [sha(prefix + left + right).digest() for left, right in zip(it, it)]
        if n & 1:
            # The unpaired last node moves up unchanged (RFC split rule).
            nxt.append(level[-1])
        level = nxt
        n = len(nxt)
    return level[0]


def _split(n: int) -> int:
    """Largest power of two strictly less than ``n`` (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def _check_size(leaf_hashes: Sequence[bytes], size: int) -> None:
    if size < 0:
        raise ValueError(f"tree size {size} is negative")
    if size > len(leaf_hashes):
        raise ValueError(f"tree size {size} exceeds the {len(leaf_hashes)} leaf hashes given")


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int, size: int) -> list[bytes]:
    """Return the inclusion proof PATH(index, D[0:size]) (RFC 9162 2.1.3.1).

    Uses the first ``size`` leaf hashes. The proof is ordered from the leaf
    upwards. Cost is about ``size`` hashes (each sibling subtree is hashed once
    with the fast :func:`root`), with no cached interior nodes.
    """
    _check_size(leaf_hashes, size)
    return [root(leaf_hashes[lo:hi]) for lo, hi in inclusion_ranges(index, size)]


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The leaf ranges [lo, hi) whose tree hashes make PATH(index, D[0:size]), in proof order.

    Each is a node of the tree of ``size``: a perfect subtree, or one on its right edge.
    """
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of size {size}")
    ranges: list[tuple[int, int]] = []
    lo, hi = 0, size
    # Walk down from the root, collecting the sibling subtree at each split.
    while hi - lo > 1:
        mid = lo + _split(hi - lo)
        if index < mid:
            ranges.append((mid, hi))
            hi = mid
        else:
            ranges.append((lo, mid))
            lo = mid
    ranges.reverse()
    return ranges


class MemoryTree:
    """Every node of the tree over ``leaves``, held in memory, so each inclusion proof is a few
    look-ups: for proving many entries against one size at once (an evidence pack).

    Built level by level, an unpaired last node moving up unchanged: each node then covers leaves
    [j * 2^h, min((j + 1) * 2^h, size)), which are exactly the nodes :func:`inclusion_ranges` names."""

    def __init__(self, leaves: Sequence[bytes]) -> None:
        self.size = len(leaves)
        levels = [list(leaves)]
        while len(levels[-1]) > 1:
            level = levels[-1]
            it = iter(level)
            nxt = [node_hash(left, right) for left, right in zip(it, it)]
            if len(level) & 1:
                nxt.append(level[-1])
            levels.append(nxt)
        self.levels = levels

    def root(self) -> bytes:
        return self.levels[-1][0] if self.size else EMPTY_ROOT

    def node(self, lo: int, hi: int) -> bytes:
        height = (hi - lo - 1).bit_length()
        return self.levels[height][lo >> height]

    def proof(self, index: int) -> list[bytes]:
        return [self.node(lo, hi) for lo, hi in inclusion_ranges(index, self.size)]


def consistency_proof(leaf_hashes: Sequence[bytes], size1: int, size2: int) -> list[bytes]:
    """Return the consistency proof PROOF(size1, D[0:size2]) (RFC 9162 2.1.4.1).

    Defined for 0 < size1 <= size2; the proof is empty when the sizes are
    equal. Cost is about ``size2`` hashes.
    """
    _check_size(leaf_hashes, size2)
    return [root(leaf_hashes[lo:hi]) for lo, hi in consistency_ranges(size1, size2)]


def consistency_ranges(size1: int, size2: int) -> list[tuple[int, int]]:
    """The leaf ranges [lo, hi) whose tree hashes make PROOF(size1, D[0:size2]), in proof order.

    Each is a node of the tree of ``size2``.
    """
    if size1 <= 0:
        raise ValueError(f"consistency proofs need size1 > 0, got {size1}")
    if size1 > size2:
        raise ValueError(f"size1 {size1} is greater than size2 {size2}")
    ranges: list[tuple[int, int]] = []
    # Iterative SUBPROOF(m, D[lo:hi], whole): ``whole`` is the RFC's flag b.
    lo, hi, m, whole = 0, size2, size1, True
    while m != hi - lo:
        k = _split(hi - lo)
        if m <= k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo += k
            m -= k
            whole = False
    if not whole:
        ranges.append((lo, hi))
    ranges.reverse()
    return ranges


def consistency_proof_extending(old: CompactRange, new_leaves: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[0:n]) from the compact range of the first m leaves and the n - m leaves after
    them, without the first m leaves: every proof node left of m is a node of that range, or is
    made of its nodes. As :func:`consistency_proof`, for 0 < m <= n."""
    old._check_from_zero("a consistency proof")
    m, n = old.size, old.size + len(new_leaves)
    if m <= 0:
        raise ValueError(f"consistency proofs need size1 > 0, got {m}")
    nodes: dict[tuple[int, int], bytes] = {}
    start = 0
    for level, h in zip(_levels(0, m), old.hashes):
        nodes[(start, start + (1 << level))] = h
        start += 1 << level

    def mth(lo: int, hi: int) -> bytes:
        if lo >= m:
            return root(new_leaves[lo - m : hi - m])
        found = nodes.get((lo, hi))
        if found is not None:
            return found
        if hi - lo < 2:
            raise ValueError(f"leaf {lo} is inside the old range but not one of its nodes")
        k = _split(hi - lo)
        return node_hash(mth(lo, lo + k), mth(lo + k, hi))

    return [mth(lo, hi) for lo, hi in consistency_ranges(m, n)]


def subtrees(begin: int, end: int) -> list[tuple[int, int]]:
    """The perfect, aligned subtrees covering leaves [begin, end), left to right, each as (level,
    number): it holds the 2**level leaves from number * 2**level."""
    out: list[tuple[int, int]] = []
    start = begin
    for level in _levels(begin, end):
        out.append((level, start >> level))
        start += 1 << level
    return out


def range_root(begin: int, end: int, node: Callable[[int, int], bytes]) -> bytes:
    """MTH(D[begin:end]) from the perfect subtrees covering the range (``node(level, number)`` gives
    each one's hash), folded from the right as the RFC's split puts them. Defined for ranges whose
    subtrees shrink left to right, as every node of a tree does (``begin`` a multiple of a power of
    two of at least ``end - begin``)."""
    if end <= begin:
        raise ValueError(f"leaf range [{begin}, {end}) is empty")
    pieces = subtrees(begin, end)
    levels = [level for level, _number in pieces]
    if any(a <= b for a, b in itertools.pairwise(levels)):
        raise ValueError(f"leaf range [{begin}, {end}) is not a node of a Merkle tree")
    r = node(*pieces[-1])
    for level, number in reversed(pieces[:-1]):
        r = node_hash(node(level, number), r)
    return r


def _check_hash(value: bytes, what: str) -> None:
    if not isinstance(value, bytes | bytearray):
        raise ProofError(f"{what} must be bytes, not {type(value).__name__}")
    if len(value) != HASH_SIZE:
        raise ProofError(f"{what} is {len(value)} bytes, expected {HASH_SIZE}")


def _check_proof(proof: Sequence[bytes]) -> None:
    for i, p in enumerate(proof):
        _check_hash(p, f"proof element {i}")


def verify_inclusion(leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> None:
    """Check that ``leaf_hash`` is leaf ``index`` of the tree of ``size`` with ``root``.

    RFC 9162 section 2.1.3.2. Raises :class:`ProofError` on any failure.
    """
    if index < 0 or size < 0:
        raise ProofError(f"leaf index {index} and tree size {size} must not be negative")
    if index >= size:
        raise ProofError(f"leaf index {index} is not below tree size {size}")
    _check_hash(leaf_hash, "leaf hash")
    _check_hash(root, "root")
    _check_proof(proof)

    sha, prefix = _sha256, _NODE
    fn, sn = index, size - 1
    r = bytes(leaf_hash)
    for p in proof:
        if sn == 0:
            raise ProofError(f"inclusion proof for leaf {index} of {size} is too long ({len(proof)} hashes)")
        if fn & 1 or fn == sn:
            r = sha(prefix + p + r).digest()
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = sha(prefix + r + p).digest()
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(f"inclusion proof for leaf {index} of {size} is too short ({len(proof)} hashes)")
    if r != root:
        raise ProofError(f"inclusion proof for leaf {index} of {size} does not match the root")


def verify_consistency(size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes) -> None:
    """Check that the tree of ``size1`` with ``root1`` is a prefix of ``size2``/``root2``.

    RFC 9162 section 2.1.4.2, which defines proofs for 0 < size1 <= size2
    (a proof from the empty tree proves nothing and is rejected). Raises
    :class:`ProofError` on any failure.
    """
    if size1 < 0 or size2 < 0:
        raise ProofError(f"tree sizes {size1} and {size2} must not be negative")
    if size1 > size2:
        raise ProofError(f"size1 {size1} is greater than size2 {size2}")
    if size1 == 0:
        raise ProofError("consistency with the empty tree (size1 = 0) is not defined")
    if size1 == size2:
        if len(proof) != 0:
            raise ProofError(f"sizes are equal ({size1}) but the proof is not empty")
        if root1 != root2:
            raise ProofError(f"sizes are equal ({size1}) but the roots differ")
        return
    if len(proof) == 0:
        raise ProofError(f"consistency proof from {size1} to {size2} is empty")
    _check_hash(root1, "root1")
    _check_hash(root2, "root2")
    _check_proof(proof)

    path: list[bytes] = list(proof)
    if size1 & (size1 - 1) == 0:
        # size1 is a power of two: its root is a node of the new tree.
        path.insert(0, bytes(root1))
    sha, prefix = _sha256, _NODE
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError(f"consistency proof from {size1} to {size2} is too long ({len(proof)} hashes)")
        if fn & 1 or fn == sn:
            fr = sha(prefix + c + fr).digest()
            sr = sha(prefix + c + sr).digest()
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = sha(prefix + sr + c).digest()
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(f"consistency proof from {size1} to {size2} is too short ({len(proof)} hashes)")
    if fr != root1:
        raise ProofError(f"consistency proof from {size1} to {size2} does not match root1")
    if sr != root2:
        raise ProofError(f"consistency proof from {size1} to {size2} does not match root2")


def is_valid_inclusion(leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> bool:
    """Boolean form of :func:`verify_inclusion`."""
    try:
        verify_inclusion(leaf_hash, index, size, proof, root)
    except ProofError:
        return False
    return True


def is_valid_consistency(size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes) -> bool:
    """Boolean form of :func:`verify_consistency`."""
    try:
        verify_consistency(size1, size2, proof, root1, root2)
    except ProofError:
        return False
    return True


def _decompose(begin: int, end: int) -> tuple[int, int]:
    """The perfect subtrees that cover leaves [begin, end), as two bit masks of their sizes: the left
    part (listed smallest first) and the right part (largest first). As transparency-dev/merkle's
    ``compact.Decompose``."""
    if begin == 0:
        return 0, end
    xbegin = begin - 1
    # Where the paths to leaves begin-1 and end part: only the nodes below that are in the range.
    mask = (1 << ((xbegin ^ end).bit_length() - 1)) - 1
    return ~xbegin & mask, end & mask


def _levels(begin: int, end: int) -> list[int]:
    """The heights of the subtrees covering [begin, end), left to right."""
    left, right = _decompose(begin, end)
    return [i for i in range(left.bit_length()) if left >> i & 1] + [
        i for i in reversed(range(right.bit_length())) if right >> i & 1
    ]


class CompactRange:
    """The roots of the perfect subtrees covering leaves [begin, size), left to right.

    From leaf 0 (the usual case) that is one hash per set bit of ``size``, largest first, as in
    transparency-dev/merkle's compact ranges. Appending costs amortised one node hash; :meth:`root`
    costs at most log2(size) hashes. Small enough to persist in a database row so the tree can be
    extended without re-reading old leaves. A range that begins later is a piece of a tree built in
    parts (in parallel, say): :meth:`join` appends it to the range that ends where it begins.
    """

    __slots__ = ("_begin", "_hashes", "_record_level", "_recorded", "_size")

    _MAGIC = b"SLCR1"  # versioned so the stored form can change later

    def __init__(self, size: int = 0, hashes: Iterable[bytes] = (), begin: int = 0) -> None:
        hs = list(hashes)
        if size < 0:
            raise ValueError(f"compact range size {size} is negative")
        if not 0 <= begin <= size:
            raise ValueError(f"compact range begin {begin} is outside [0, {size}]")
        need = size.bit_count() if begin == 0 else len(_levels(begin, size))
        if len(hs) != need:
            where = f"size {size}" if begin == 0 else f"[{begin}, {size})"
            raise ValueError(f"compact range of {where} needs {need} hashes, got {len(hs)}")
        for i, h in enumerate(hs):
            if not isinstance(h, bytes) or len(h) != HASH_SIZE:
                raise ValueError(f"compact range hash {i} is not a {HASH_SIZE}-byte hash")
        self._begin = begin
        self._size = size
        self._hashes = hs
        self._record_level = -1
        self._recorded: list[tuple[int, int, bytes]] = []

    def record(self, min_level: int) -> list[tuple[int, int, bytes]]:
        """From now on keep every perfect subtree of 2**min_level leaves or more that appending
        completes, as (level, number, hash) (see :func:`subtrees`), in the list returned. Subtrees
        that :meth:`join` brings in whole are not kept again: their own range kept them."""
        if min_level < 0:
            raise ValueError(f"subtree level {min_level} is negative")
        self._record_level = min_level
        self._recorded = []
        return self._recorded

    @classmethod
    def from_leaves(cls, leaf_hashes: Iterable[bytes], begin: int = 0) -> CompactRange:
        """The range of ``leaf_hashes``, the first of which is leaf ``begin``."""
        cr = cls(begin, (), begin)
        cr.extend(leaf_hashes)
        return cr

    @property
    def begin(self) -> int:
        return self._begin

    @property
    def size(self) -> int:
        """The end of the range: the size of the tree it reaches."""
        return self._size

    @property
    def hashes(self) -> tuple[bytes, ...]:
        return tuple(self._hashes)

    def append(self, leaf_hash: bytes) -> None:
        if not isinstance(leaf_hash, bytes) or len(leaf_hash) != HASH_SIZE:
            raise ValueError(f"leaf hash must be {HASH_SIZE} bytes")
        self.extend((leaf_hash,))

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        """Append leaves. Runs of them that make whole subtrees are hashed with :func:`root`, a level
        at a time; the rest one by one. Leaves before a bad one stay appended."""
        leaves = leaf_hashes if isinstance(leaf_hashes, list) else list(leaf_hashes)
        i, n = 0, len(leaves)
        while i < n:
            size = self._size
            # The largest subtree that can start here: aligned at ``size``, and no more than is left.
            step = 1 << ((n - i).bit_length() - 1)
            if size & (step - 1):
                step = size & -size
            if self._record_level >= 0:
                # Whole runs hashed by root() no larger than the smallest subtree kept, so that
                # every larger one is made (and kept) by _push.
                step = min(step, 1 << self._record_level)
            if step >= _WHOLE:
                piece = leaves[i : i + step]
                if set(map(len, piece)) != {HASH_SIZE}:
                    bad = next(k for k, h in enumerate(piece) if len(h) != HASH_SIZE)
                    self.extend(piece[:bad])
                    raise ValueError(
                        f"leaf hash {self._size} is {len(piece[bad])} bytes, expected {HASH_SIZE}"
                    )
                self._push(root(piece), step.bit_length() - 1)
            else:
                h = leaves[i]
                if len(h) != HASH_SIZE:
                    raise ValueError(f"leaf hash {size} is {len(h)} bytes, expected {HASH_SIZE}")
                self._push(h, 0)
                step = 1
            i += step

    def join(self, other: CompactRange) -> None:
        """Append the leaves of ``other``, which begins where this range ends."""
        if other._begin != self._size:
            raise ValueError(
                f"a range that begins at {other._begin} cannot follow one ending at {self._size}"
            )
        for level, h in zip(_levels(other._begin, other._size), other._hashes):
            self._push(h, level, fresh=False)

    def _push(self, h: bytes, level: int, fresh: bool = True) -> None:
        """Append a perfect subtree of 2**level leaves (its root ``h``), which starts at a multiple of
        its size. Merge it with its left sibling while it is a right child and that sibling is in the
        range (always, from leaf 0): one merge per trailing 1 bit."""
        hashes = self._hashes
        start, step = self._size, 1 << level
        self._size = start + step
        keep = self._record_level
        if keep >= 0:
            if fresh and level >= keep:
                self._recorded.append((level, start >> level, h))
            while start & step and start - step >= self._begin:
                h = _sha256(_NODE + hashes.pop() + h).digest()
                start -= step
                step <<= 1
                level += 1
                if level >= keep:
                    self._recorded.append((level, start >> level, h))
            hashes.append(h)
            return
        while start & step and start - step >= self._begin:
            h = _sha256(_NODE + hashes.pop() + h).digest()
            start -= step
            step <<= 1
        hashes.append(h)

    def _check_from_zero(self, what: str) -> None:
        if self._begin != 0:
            raise ValueError(f"only a range from leaf 0 has {what}; this one begins at {self._begin}")

    def root(self) -> bytes:
        self._check_from_zero("a root")
        hashes = self._hashes
        if not hashes:
            return EMPTY_ROOT
        r = hashes[-1]
        for h in reversed(hashes[:-1]):
            r = node_hash(h, r)
        return r

    def copy(self) -> CompactRange:
        return CompactRange(self._size, self._hashes, self._begin)

    def to_bytes(self) -> bytes:
        """Magic, 8-byte big-endian size, then the hashes."""
        self._check_from_zero("a stored form")
        return self._MAGIC + self._size.to_bytes(8, "big") + b"".join(self._hashes)

    @classmethod
    def from_bytes(cls, data: bytes) -> CompactRange:
        magic = cls._MAGIC
        if not data.startswith(magic) or len(data) < len(magic) + 8:
            raise ValueError("not a serialised compact range (bad header)")
        size = int.from_bytes(data[len(magic) : len(magic) + 8], "big")
        body = data[len(magic) + 8 :]
        if len(body) != size.bit_count() * HASH_SIZE:
            raise ValueError(
                f"serialised compact range of size {size} has {len(body)} hash bytes, "
                f"expected {size.bit_count() * HASH_SIZE}"
            )
        return cls(size, [body[i : i + HASH_SIZE] for i in range(0, len(body), HASH_SIZE)])

    def to_json(self) -> str:
        self._check_from_zero("a stored form")
        return json.dumps(
            {"size": self._size, "hashes": [base64.b64encode(h).decode() for h in self._hashes]},
            separators=(",", ":"),
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> CompactRange:
        try:
            obj = json.loads(text)
            size = obj["size"]
            hashes = [base64.b64decode(h, validate=True) for h in obj["hashes"]]
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"not a JSON compact range: {exc}") from exc
        if not isinstance(size, int) or isinstance(size, bool):
            raise ValueError("JSON compact range 'size' must be an integer")
        return cls(size, hashes)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CompactRange):
            return NotImplemented
        return (self._begin, self._size, self._hashes) == (other._begin, other._size, other._hashes)

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        if self._begin:
            return f"CompactRange([{self._begin}, {self._size}))"
        return f"CompactRange(size={self._size}, root={self.root().hex()[:16]}...)"
