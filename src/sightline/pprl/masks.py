"""Element masks and filters a batch at a time with numpy: the bytes `Encoder.filter` returns.

A mask is stored as the big-endian bytes of the integer whose bit p is set for each position p,
so OR-ing masks bytewise, folding (first half XOR second half) and the balanced filter's constant
all work on bytes, and a filter's bytes are its hardened integer's ``to_bytes(.., "big")``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.uint8]


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
        words = np.frombuffer(b"".join(digests), dtype=">u8").reshape(n, 4).astype(np.uint64)
        m = np.uint64(self.m)
        # Double hashing, (h1 + i*h2) mod m with h2 odd: reduced first, so nothing overflows.
        start, step = words[:, 0] % m, (words[:, 1] | np.uint64(1)) % m
        k = np.array(ks)
        i = np.arange(int(k.max()), dtype=np.uint64)
        pos = ((start[:, None] + i[None, :] * step[:, None]) % m).astype(np.int64)
        # Fewer positions (text fields): repeat the first, which sets no new bit.
        pos = np.where(i[None, :] < k[:, None].astype(np.uint64), pos, pos[:, :1])
        if self.spread is not None:
            pos = self.spread[pos].reshape(n, -1)
        bits = np.zeros((n, self.width * 8), np.bool_)
        bits[np.arange(n)[:, None], self.width * 8 - 1 - pos] = True
        if self.n + n > len(self.rows):
            grown = np.zeros((max(2 * len(self.rows), self.n + n), self.width), np.uint8)
            grown[: self.n] = self.rows[: self.n]
            self.rows = grown
        self.rows[self.n : self.n + n] = np.packbits(bits, axis=1)
        self.n += n

    def union(self, groups: list[list[int]]) -> Array:
        """The OR of each group's masks: one row of bytes per group (groups are not empty)."""
        flat = [i for g in groups for i in g]
        starts = np.zeros(len(groups), np.int64)
        np.cumsum([len(g) for g in groups[:-1]], out=starts[1:])
        words = self.rows[: self.n].view(np.uint64)[flat]
        return np.bitwise_or.reduceat(words, starts, axis=0).view(np.uint8)
