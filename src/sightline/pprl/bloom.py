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
part of what is hashed. Masks are cached per element, so repeated bigrams cost a dict lookup.
"""

from __future__ import annotations

import base64
import hmac
from dataclasses import dataclass, field

SCHEME = "sightline-bf/1"
# Digests of values that repeat across records (salts, birth years, name forms, areas) are kept.
CACHED_DIGESTS = frozenset(
    {"salt", "year", "canon", "dob-year", "dob-month", "dob-day", "postcode-sector", "postcode-district"}
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


@dataclass
class Encoder:
    """Encodes elements under one agreement. Holds the derived keys, never writes them anywhere."""

    params: Params
    _bloom_key: bytes = field(repr=False)
    _digest_key: bytes = field(repr=False)
    key_check: str = ""
    _masks: dict[tuple[str, str, str], int] = field(default_factory=dict, repr=False)
    _digests: dict[tuple[str, str, str], str] = field(default_factory=dict, repr=False)
    _permutation: list[int] = field(default_factory=list, repr=False)
    _constant: int = 0
    # Position -> the mask it sets in the output filter (a balanced filter's bit and its complement's).
    _bits: list[int] = field(default_factory=list, repr=False)

    @classmethod
    def create(cls, secret: bytes, params: Params) -> Encoder:
        p = params
        enc = cls(p, _subkey(secret, p.salt, "bloom"), _subkey(secret, p.salt, "digest"))
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

    def _mask(self, domain: str, salt: str, element: str) -> int:
        key = (domain, salt, element)
        mask = self._masks.get(key)
        if mask is not None:
            return mask
        # The positions of `positions`, walked by adding h2 modulo m rather than multiplying, and
        # set from a table of single bits: the same mask, at about half the cost.
        msg = _SEP.join((domain.encode(), salt.encode(), element.encode()))
        d = hmac.digest(self._bloom_key, msg, "sha256")
        m = len(self._bits)
        at = int.from_bytes(d[:8], "big") % m
        step = (int.from_bytes(d[8:16], "big") | 1) % m
        k = self.params.k_text if domain in TEXT_DOMAINS else self.params.k
        bits = self._bits
        mask = 0
        for _ in range(k):
            mask |= bits[at]
            at += step
            if at >= m:
                at -= m
        self._masks[key] = mask
        return mask

    def filter(self, domain: str, salt: str, elements: tuple[str, ...] | list[str]) -> bytes | None:
        """The hardened filter of a set of elements, as bytes; None for no elements."""
        if not elements:
            return None
        acc = 0
        for element in elements:
            acc |= self._mask(domain, salt, element)
        p = self.params
        if p.hardening == "fold":
            acc = (acc >> p.bits) ^ (acc & ((1 << p.bits) - 1))
        elif p.hardening == "balance":
            # perm(a || a) xor perm(0 || ones) == perm(a || not a): the balanced filter.
            acc ^= self._constant
        return acc.to_bytes(p.bits // 8, "big")

    def filter_b64(self, domain: str, salt: str, elements: tuple[str, ...] | list[str]) -> str:
        raw = self.filter(domain, salt, elements)
        return base64.b64encode(raw).decode("ascii") if raw is not None else ""

    def digest(self, domain: str, value: str, salt: str = "") -> str:
        """A 128-bit keyed digest of an exact value, base64: for fields compared only for equality."""
        key = (domain, salt, value)
        out = self._digests.get(key)
        if out is None:
            msg = _SEP.join((domain.encode(), salt.encode(), value.encode()))
            out = base64.b64encode(hmac.digest(self._digest_key, msg, "sha256")[:16]).decode("ascii")
            if domain in CACHED_DIGESTS:
                self._digests[key] = out
        return out
