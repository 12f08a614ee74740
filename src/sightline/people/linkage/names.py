"""Name normalisation, nickname variants and phonetic keys.

Splink has no nickname support (its issue #906), so each record carries a precomputed
array of "canonical" forms of its given name: the name itself plus every formal name the
`nicknames` package lists it as a nickname of. Two given names are nickname variants when
these arrays overlap (Jess -> {jess, jessica, jessie} meets Jessica -> {jessica}; Mike and
Mick meet at michael). Sharing only a nickname (Alan and Alfred both give "Al") is not
enough, which keeps the relation tight.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import jellyfish
from nicknames import NickNamer

# Variants common in UK records but missing from the (US-centred) nicknames data.
# Each group is a set of spellings/short forms of one name; every member maps to the
# first entry as its canonical form.
_SUPPLEMENTARY_GROUPS: tuple[tuple[str, ...], ...] = (
    (
        "muhammad",
        "mohammed",
        "mohammad",
        "muhammed",
        "mohamed",
        "mohamad",
        "mohd",
        "mo",
        "moe",
        "mohammod",
        "mohamud",
    ),
    ("abdullah", "abdulla", "abdallah"),
    ("yusuf", "yousef", "yousuf", "youssef", "yosef"),
    ("aisha", "ayesha", "aysha", "aishah"),
    ("fatima", "fatimah", "fatma"),
    ("sean", "shaun", "shawn", "shaune"),
    ("alfred", "alfie", "alf"),
    ("evelyn", "evie", "eve"),
    ("isabella", "izzy", "izzie", "bella", "issy", "isabelle", "isobel", "isabel"),
    ("kayleigh", "kayley", "kaylee", "kayla", "kailey"),
    ("caitlin", "kaitlyn", "katelyn", "caitlyn", "kaitlin"),
    ("zachary", "zach", "zak", "zack"),
    ("jayden", "jaden", "jaiden", "jaydon"),
    ("mohsin", "mohsen"),
)


def _build_supplement() -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for group in _SUPPLEMENTARY_GROUPS:
        canonical = group[0]
        for name in group:
            out.setdefault(name, set()).add(canonical)
    return {k: frozenset(v) for k, v in out.items()}


_SUPPLEMENT = _build_supplement()
_NICKNAMER = NickNamer()
_NON_ALPHA = re.compile(r"[^a-z\s'-]")
_SEPARATORS = re.compile(r"[\s'-]+")


def normalise_text(value: str | None) -> str:
    """Lower-case, strip accents and anything that is not a letter, space, hyphen or
    apostrophe; returns '' for blanks."""
    if not value:
        return ""
    decomposed = unicodedata.normalize("NFKD", value)
    ascii_only = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    return _NON_ALPHA.sub(" ", ascii_only).strip()


def name_tokens(value: str | None) -> list[str]:
    """Split a name into tokens: apostrophes join, hyphens and spaces split
    ("Mary-Jane O'Neil" -> mary, jane, oneil)."""
    text = normalise_text(value).replace("'", "")
    return [t for t in _SEPARATORS.split(text) if t]


@lru_cache(maxsize=200_000)
def canonical_forms(name: str) -> tuple[str, ...]:
    """The name itself plus the formal names it is a nickname or variant of."""
    if not name:
        return ()
    forms = {name}
    forms.update(_NICKNAMER.canonicals_of(name))
    forms.update(_SUPPLEMENT.get(name, ()))
    return tuple(sorted(forms))


@lru_cache(maxsize=200_000)
def metaphone(name: str) -> str | None:
    return jellyfish.metaphone(name) or None if name else None


@lru_cache(maxsize=200_000)
def nysiis(name: str) -> str | None:
    return jellyfish.nysiis(name) or None if name else None


@lru_cache(maxsize=200_000)
def soundex(name: str) -> str | None:
    return jellyfish.soundex(name) or None if name else None
