"""Keyed Bloom-filter and digest encodings: the cryptographic core of `sightline-bf/1`.

An element (a bigram, a whole token) is hashed with HMAC-SHA256 under a key derived from the
linkage agreement's secret; the digest's first two 64-bit words give the k bit positions by double
hashing (Schnell, Bachteler and Reiher 2009; Kirsch and Mitzenmacher 2006). Hardening (docs/pprl.md):

- ``fold``: the filter is built twice as long and XOR-folded in half (Schnell, Borgs and Encarnacao
  2016), so no output bit is the plain OR of element bits;
- ``balance``: the filter is built half as long, its complement appended and the whole permuted
  with a keyed permutation (Schnell 2016), so every output has the same number of ones;
- ``off``: the plain keyed filter, kept only to show in tests what hardening is for.

The year salt that flattens name frequencies is chosen by the caller (rows.py); here it is just
part of what is hashed. Filters are built a batch at a time (`Encoder.filters`): each new
(domain, salt, element) costs one HMAC (its key's pads hashed once, hmacs.py); its mask is then
kept, and the masks and filters of the whole batch are built with numpy (masks.py).
"""

from __future__ import annotations

import binascii
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .hmacs import Hmac as _Hmac
from .masks import MaskStore

SCHEME = "sightline-bf/1"
# Digests of values that repeat across records (salts, birth years, dates, name forms, areas) are
# kept; identifiers (phone, NHS number...) mostly do not repeat, so they are not.
CACHED_DIGESTS = frozenset(
    {"salt", "year", "canon", "dob", "dob-year", "dob-month", "dob-day"}
    | {"postcode-sector", "postcode-district"}
)
TEXT_DOMAINS = frozenset({"address", "place"})
HARDENINGS = ("fold", "balance", "off")
MIN_SECRET_BYTES = 16
_SEP = b"\x1f"


class SecretError(ValueError):
    """The secret is missing or too short to key the encodings."""


def read_secret(raw: bytes) -> bytes:
    """The secret as used: surrounding whitespace (a trailing newline) is not part of it."""
    secret = raw.strip()
    if len(secret) < MIN_SECRET_BYTES:
        raise SecretError(f"the secret must be at least {MIN_SECRET_BYTES} bytes (got {len(secret)})")
    return secret


@dataclass(frozen=True)
class Params:
    """What both sides of an agreement must choose alike; written to the manifest's `encoding`."""

    salt: str
    hardening: str = "fold"
    bits: int = 1024
    k: int = 20
    k_text: int = 8  # addresses and places: long, so fewer positions each keeps the filter sparse
    dob_year_spread: int = 1
    age_year_spread: int = 3
    # Salting names by birth year goes with hardening; apart only to measure what each part does.
    salt_names: bool | None = None

    def __post_init__(self) -> None:
        if self.hardening not in HARDENINGS:
            raise ValueError(f"hardening must be one of {', '.join(HARDENINGS)} (got {self.hardening!r})")
        if self.bits < 64 or self.bits % 64:
            raise ValueError(f"filter length must be a multiple of 64 bits, at least 64 (got {self.bits})")
        if not (1 <= self.k <= 64 and 1 <= self.k_text <= 64):
            raise ValueError(f"k must be between 1 and 64 (got {self.k}, {self.k_text})")
        if not self.salt or len(self.salt) > 200:
            raise ValueError("the agreement salt must be 1 to 200 characters")
        if min(self.dob_year_spread, self.age_year_spread) < 0:
            raise ValueError("year spreads cannot be negative")

    @property
    def salted_by_year(self) -> bool:
        return self.hardening != "off" if self.salt_names is None else self.salt_names

    @property
    def built_bits(self) -> int:
        """Length of the filter before hardening turns it into `bits` output bits."""
        return {"fold": 2 * self.bits, "balance": self.bits // 2, "off": self.bits}[self.hardening]


def _subkey(secret: bytes, salt: str, purpose: str) -> bytes:
    return hmac.digest(secret, _SEP.join((SCHEME.encode(), purpose.encode(), salt.encode())), "sha256")


class _Table:
    """One (domain, salt): its started HMAC and where each element's mask is in the store."""

    __slots__ = ("index", "k", "prefix")

    def __init__(self, prefix: Any, k: int) -> None:
        self.index: dict[str, int] = {}
        self.prefix = prefix
        self.k = k


# Masks kept before the store starts afresh (a fold-1024 mask is 256 bytes, so 256 MB): bounds memory on
# large extracts; what is built is the same either way.
MAX_MASKS = 1_000_000
Need = tuple[str, str, Sequence[str]]  # domain, salt, elements


@dataclass
class Encoder:
    """Encodes elements under one agreement. Holds the derived keys, never writes them anywhere."""

    params: Params
    _bloom_key: bytes = field(repr=False)
    _digest_key: bytes = field(repr=False)
    key_check: str = ""
    _tables: dict[tuple[str, str], _Table] = field(default_factory=dict, repr=False)
    _digests: dict[tuple[str, str, str], str] = field(default_factory=dict, repr=False)
    _store: MaskStore | None = field(default=None, repr=False)
    _constant: bytes = b""  # balance: the ones the complement half sets whatever the filter holds
    _bloom: _Hmac | None = field(default=None, repr=False)
    _digest: _Hmac | None = field(default=None, repr=False)

    @classmethod
    def create(cls, secret: bytes, params: Params) -> Encoder:
        p = params
        enc = cls(p, _subkey(secret, p.salt, "bloom"), _subkey(secret, p.salt, "digest"))
        enc._bloom, enc._digest = _Hmac(enc._bloom_key), _Hmac(enc._digest_key)
        # Lets the hub see that two extracts share secret and salt without learning either.
        enc.key_check = _subkey(secret, p.salt, "key-check")[:8].hex()
        spread = None
        if p.hardening == "balance":
            perm_key = _subkey(secret, p.salt, "permutation")
            order = sorted(range(p.bits), key=lambda i: hmac.digest(perm_key, i.to_bytes(4, "big"), "sha256"))
            half = p.bits // 2
            spread = [(order[j], order[j + half]) for j in range(half)]
            constant = sum(1 << order[half + j] for j in range(half))
            enc._constant = constant.to_bytes(p.bits // 8, "big")
        width = p.bits // 8 if p.hardening == "balance" else p.built_bits // 8
        enc._store = MaskStore(p.built_bits, width, spread)
        return enc

    def positions(self, domain: str, salt: str, element: str) -> list[int]:
        """The k positions (0 .. built_bits-1) of one element, by keyed double hashing."""
        msg = _SEP.join((domain.encode(), salt.encode(), element.encode()))
        d = hmac.digest(self._bloom_key, msg, "sha256")
        h1 = int.from_bytes(d[:8], "big")
        h2 = int.from_bytes(d[8:16], "big") | 1
        m = self.params.built_bits
        k = self.params.k_text if domain in TEXT_DOMAINS else self.params.k
        return [(h1 + i * h2) % m for i in range(k)]

    @property
    def hmacs(self) -> int:
        """HMACs computed so far (filters' elements and digests)."""
        return sum(h.calls for h in (self._bloom, self._digest) if h is not None)

    def _table(self, domain: str, salt: str) -> _Table:
        assert self._bloom is not None
        k = self.params.k_text if domain in TEXT_DOMAINS else self.params.k
        table = _Table(self._bloom.start(domain.encode() + _SEP + salt.encode() + _SEP), k)
        self._tables[(domain, salt)] = table
        return table

    def filters(self, needs: Sequence[Need]) -> list[bytes | None]:
        """The hardened filter of each set of elements, as bytes; None for no elements.

        A batch at a time: new elements' HMACs first, then their masks and the filters with numpy.
        """
        store, bloom = self._store, self._bloom
        assert store is not None and bloom is not None
        if store.n > MAX_MASKS:
            self._tables.clear()
            store.n = 0
        flat: list[int] = []
        sizes: list[int] = []
        digests: list[bytes] = []
        ks: list[int] = []
        outer, start = bloom.outer, store.n
        fresh = start  # the store row of the next new element
        for domain, salt, elements in needs:
            if not elements:
                continue
            table = self._tables.get((domain, salt)) or self._table(domain, salt)
            index, prefix = table.index, table.prefix
            for element in elements:
                i = index.get(element)
                if i is None:
                    # Hmac.finish inlined: this loop is most of the encoder's time.
                    h = prefix.copy()
                    h.update(element.encode())
                    o = outer.copy()
                    o.update(h.digest())
                    digests.append(o.digest())
                    i = index[element] = fresh
                    fresh += 1
                flat.append(i)
            sizes.append(len(elements))
            ks += [table.k] * (fresh - start - len(ks))
        bloom.calls += len(digests)
        if digests:
            store.add(digests, ks)
        if not sizes:
            return [None] * len(needs)
        built = store.union(flat, sizes)
        p = self.params
        if p.hardening == "fold":
            built = built[:, : p.bits // 8] ^ built[:, p.bits // 8 :]
        elif p.hardening == "balance":
            # perm(a || a) xor perm(0 || ones) == perm(a || not a): the balanced filter.
            built = built ^ np.frombuffer(self._constant, np.uint8)
        raw, n, at = built.tobytes(), p.bits // 8, 0
        out: list[bytes | None] = []
        for _, _, elements in needs:
            out.append(raw[at : at + n] if elements else None)
            at += n if elements else 0
        return out

    def filter(self, domain: str, salt: str, elements: Sequence[str]) -> bytes | None:
        """The hardened filter of a set of elements, as bytes; None for no elements."""
        return self.filters([(domain, salt, elements)])[0]

    def filters_b64(self, needs: Sequence[Need]) -> list[str]:
        b64 = binascii.b2a_base64
        return [b64(f, newline=False).decode("ascii") if f is not None else "" for f in self.filters(needs)]

    def filter_b64(self, domain: str, salt: str, elements: Sequence[str]) -> str:
        return self.filters_b64([(domain, salt, elements)])[0]

    def forget(self, limit: int) -> None:
        """Starts the digest cache afresh past `limit` entries (the output is the same)."""
        if len(self._digests) > limit:
            self._digests.clear()

    def digest(self, domain: str, value: str, salt: str = "") -> str:
        """A 128-bit keyed digest of an exact value, base64: for fields compared only for equality."""
        key = (domain, salt, value)
        out = self._digests.get(key)
        if out is None:
            assert self._digest is not None
            msg = _SEP.join((domain.encode(), salt.encode(), value.encode()))
            out = binascii.b2a_base64(self._digest.digest(msg)[:16], newline=False).decode("ascii")
            if domain in CACHED_DIGESTS:
                self._digests[key] = out
        return out

    def digests(self, domain: str, items: Iterable[tuple[str, str]]) -> list[str]:
        """`digest` of each (value, salt), in one loop: names' salts and forms come many a record."""
        hmac_, cache, keep = self._digest, self._digests, domain in CACHED_DIGESTS
        assert hmac_ is not None
        started, outer, b64 = hmac_.start(domain.encode() + _SEP), hmac_.outer, binascii.b2a_base64
        out = []
        for value, salt in items:
            key = (domain, salt, value)
            hit = cache.get(key) if keep else None
            if hit is None:
                # Hmac.finish inlined, the domain hashed once (see `filters`).
                h = started.copy()
                h.update(salt.encode() + _SEP + value.encode())
                o = outer.copy()
                o.update(h.digest())
                hit = b64(o.digest()[:16], newline=False).decode("ascii")
                hmac_.calls += 1
                if keep:
                    cache[key] = hit
            out.append(hit)
        return out
