"""Keyed Bloom-filter and digest encodings: the cryptographic core of `sightline-bf/1`.

An element (a bigram, a whole token) is hashed with HMAC-SHA256 under a key derived from the
linkage agreement's secret; the digest's first two 64-bit words give the k bit positions by double
hashing (Schnell, Bachteler and Reiher 2009; Kirsch and Mitzenmacher 2006). Hardening (docs/pprl.md):

- ``fold``: the filter is built twice as long and XOR-folded in half (Schnell, Borgs and Encarnacao
  2016), so no output bit is the plain OR of element bits;
- ``balance``: the filter is built half as long, its complement appended and the whole permuted
  with a keyed permutation (Schnell 2016), so every output has the same number of ones;
- ``off``: the plain keyed filter, kept only to show in tests what hardening is for.

The year salt that flattens name frequencies is chosen by the caller (records.py); here it is just
part of what is hashed. Masks are cached per (domain, salt) and element, so a repeated salted
bigram costs a dict lookup; a new one costs one HMAC (its key's pads hashed once, see `_Hmac`) and,
when the built length is a power of two, one rotation of a precomputed mask.
"""

from __future__ import annotations

import binascii
import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Any

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


class _Hmac:
    """HMAC-SHA256 under one key with the key's inner and outer blocks hashed once (RFC 2104).

    The same digests as ``hmac.digest``: each message then costs two SHA-256 compressions rather
    than four, and no OpenSSL HMAC context is set up per call. ``start`` absorbs a prefix shared by
    many messages (a domain and salt) once; ``finish`` completes a started message.
    """

    def __init__(self, key: bytes) -> None:
        if len(key) > 64:
            key = hashlib.sha256(key).digest()
        key = key.ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))
        self.calls = 0  # messages hashed, for the bench

    def start(self, prefix: bytes) -> Any:
        h = self._inner.copy()
        h.update(prefix)
        return h

    def digest(self, msg: bytes) -> bytes:
        return self.finish(self._inner, msg)

    def finish(self, started: Any, rest: bytes) -> bytes:
        self.calls += 1
        h = started.copy()
        h.update(rest)
        o = self._outer.copy()
        o.update(h.digest())
        return o.digest()


class _Table:
    """The masks of one (domain, salt): element -> the bits it sets in the built filter."""

    __slots__ = ("k", "masks", "prefix")

    def __init__(self, prefix: Any, k: int) -> None:
        self.masks: dict[str, int] = {}
        self.prefix = prefix
        self.k = k


@dataclass
class Encoder:
    """Encodes elements under one agreement. Holds the derived keys, never writes them anywhere."""

    params: Params
    _bloom_key: bytes = field(repr=False)
    _digest_key: bytes = field(repr=False)
    key_check: str = ""
    _tables: dict[tuple[str, str], _Table] = field(default_factory=dict, repr=False)
    _digests: dict[tuple[str, str, str], str] = field(default_factory=dict, repr=False)
    _permutation: list[int] = field(default_factory=list, repr=False)
    _constant: int = 0
    # Position -> the mask it sets in the output filter (a balanced filter's bit and its complement's).
    _bits: list[int] = field(default_factory=list, repr=False)
    # (k, step) -> the mask of positions i*step mod m, i < k: rotated by the start, an element's mask.
    _templates: dict[tuple[int, int], int] = field(default_factory=dict, repr=False)
    _rotate: int = 0  # the built length when masks are rotated templates (a power of two), else 0
    _full: int = 0
    _bloom: _Hmac | None = field(default=None, repr=False)
    _digest: _Hmac | None = field(default=None, repr=False)

    @classmethod
    def create(cls, secret: bytes, params: Params) -> Encoder:
        p = params
        enc = cls(p, _subkey(secret, p.salt, "bloom"), _subkey(secret, p.salt, "digest"))
        enc._bloom, enc._digest = _Hmac(enc._bloom_key), _Hmac(enc._digest_key)
        # Lets the hub see that two extracts share secret and salt without learning either.
        enc.key_check = _subkey(secret, p.salt, "key-check")[:8].hex()
        if p.hardening == "balance":
            perm_key = _subkey(secret, p.salt, "permutation")
            order = sorted(range(p.bits), key=lambda i: hmac.digest(perm_key, i.to_bytes(4, "big"), "sha256"))
            enc._permutation = order
            half = p.bits // 2
            # The complement half contributes these ones whatever the filter holds.
            enc._constant = sum(1 << order[half + j] for j in range(half))
            enc._bits = [(1 << order[j]) | (1 << order[j + half]) for j in range(half)]
        else:
            enc._bits = [1 << j for j in range(p.built_bits)]
            m = p.built_bits
            if m & (m - 1) == 0:
                enc._rotate, enc._full = m, (1 << m) - 1
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

    def _template(self, k: int, step: int) -> int:
        template = 0
        for i in range(k):
            template |= 1 << (i * step % self._rotate)
        self._templates[(k, step)] = template
        return template

    def _mask(self, table: _Table, element: str) -> int:
        """The bits `positions` gives, as one integer in the built filter's bit order."""
        assert self._bloom is not None
        d = self._bloom.finish(table.prefix, element.encode())
        h = int.from_bytes(d[:16], "big")  # h1 = h >> 64, h2 = the low 64 bits
        k = table.k
        if self._rotate:
            # m a power of two: positions at + i*step (mod m) are the template of `step` rotated
            # left by `at`, so a mask costs a few big-integer operations rather than k.
            m = self._rotate
            at = (h >> 64) & (m - 1)
            step = (h | 1) & (m - 1)
            template = self._templates.get((k, step))
            if template is None:
                template = self._template(k, step)
            mask = ((template << at) & self._full | (template >> (m - at))) if at else template
        else:
            # Walked by adding `step` modulo m and set from the table of single bits (a balanced
            # filter's bit and its complement's, permuted).
            bits = self._bits
            m = len(bits)
            at = (h >> 64) % m
            step = ((h & 0xFFFFFFFFFFFFFFFF) | 1) % m
            mask = 0
            for _ in range(k):
                mask |= bits[at]
                at += step
                if at >= m:
                    at -= m
        table.masks[element] = mask
        return mask

    def filter(self, domain: str, salt: str, elements: tuple[str, ...] | list[str]) -> bytes | None:
        """The hardened filter of a set of elements, as bytes; None for no elements."""
        if not elements:
            return None
        table = self._tables.get((domain, salt)) or self._table(domain, salt)
        masks = table.masks
        acc = 0
        for element in elements:
            mask = masks.get(element)
            acc |= mask if mask is not None else self._mask(table, element)
        p = self.params
        if p.hardening == "fold":
            acc = (acc >> p.bits) ^ (acc & ((1 << p.bits) - 1))
        elif p.hardening == "balance":
            # perm(a || a) xor perm(0 || ones) == perm(a || not a): the balanced filter.
            acc ^= self._constant
        return acc.to_bytes(p.bits // 8, "big")

    def filter_b64(self, domain: str, salt: str, elements: tuple[str, ...] | list[str]) -> str:
        raw = self.filter(domain, salt, elements)
        return binascii.b2a_base64(raw, newline=False).decode("ascii") if raw is not None else ""

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
