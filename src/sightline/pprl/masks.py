"""Element masks and filters a batch at a time with numpy: the bytes `Encoder.filter` returns.

A mask is stored as the big-endian bytes of the integer whose bit p is set for each position p,
so OR-ing masks bytewise, folding (first half XOR second half) and the balanced filter's constant
all work on bytes, and a filter's bytes are its hardened integer's ``to_bytes(.., "big")``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.uint8]
PIECE = 2048


class MaskStore:
    """One row of mask bytes per element; `index` in the encoder's tables points here."""

    def __init__(self, built_bits: int, width: int, spread: list[tuple[int, int]] | None) -> None:
        self.m = built_bits
        self.width = width  # bytes of a row: the built filter, or a balanced filter's output
        # balance: built position -> the output bit and its complement's bit (a keyed permutation)
        self.spread = np.array(spread, dtype=np.int64) if spread else None
        self.rows: Array = np.zeros((4096, width), np.uint8)
        self.n = 0

    def add(self, digests: list[bytes], ks: list[int]) -> None:
        """Appends the masks of elements whose HMACs are `digests`, `ks` positions each."""
        n = len(digests)
        if self.n + n + 1 > len(self.rows):
            grown = np.zeros((max(2 * len(self.rows), self.n + n + 1), self.width), np.uint8)
            grown[: self.n] = self.rows[: self.n]
            self.rows = grown
        words = np.frombuffer(b"".join(digests), dtype=">u8").reshape(n, 4).astype(np.uint64)
        # Pieces small enough that the bits being set stay in the processor's cache.
        for at in range(0, n, PIECE):
            piece = words[at : at + PIECE]
            self.rows[self.n + at : self.n + at + len(piece)] = self._masks(piece, ks[at : at + PIECE])
        self.n += n
        self.rows[self.n] = 0  # the empty mask, padding in `union`

    def _masks(self, words: npt.NDArray[np.uint64], ks: list[int]) -> Array:
        n, m = len(words), np.uint64(self.m)
        # Double hashing, (h1 + i*h2) mod m with h2 odd: reduced first, so nothing overflows.
        start, step = words[:, 0] % m, (words[:, 1] | np.uint64(1)) % m
        k = np.array(ks, dtype=np.uint64)
        i = np.arange(int(k.max()), dtype=np.uint64)
        pos = ((start[:, None] + i[None, :] * step[:, None]) % m).astype(np.int64)
        # Fewer positions (text fields): repeat the first, which sets no new bit.
        pos = np.where(i[None, :] < k[:, None], pos, pos[:, :1])
        if self.spread is not None:
            pos = self.spread[pos].reshape(n, -1)
        bits = np.zeros((n, self.width * 8), np.bool_)
        bits[np.arange(n)[:, None], self.width * 8 - 1 - pos] = True
        return np.packbits(bits, axis=1)

    def union(self, flat: list[int], sizes: list[int]) -> Array:
        """The OR of each group of masks (`flat` holds the groups one after another, `sizes` their
        lengths, none 0): one row of bytes per group."""
        lengths = np.array(sizes)
        longest = int(lengths.max())
        # Groups padded with the empty mask to one length, then OR-ed a column at a time.
        index = np.full((len(sizes), longest), self.n)
        index[np.arange(longest)[None, :] < lengths[:, None]] = flat
        words = self.rows[: self.n + 1].view(np.uint64)
        acc = words[index[:, 0]]
        for j in range(1, longest):
            acc |= words[index[:, j]]
        out: Array = acc.view(np.uint8)
        return out
