"""Normalising places, postcodes, vehicle registrations and phone numbers.

Agencies write the same place, car or phone in different ways; these functions turn
each into one canonical key so that the graph joins them.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable

from sightline.core.labels import place_label

# Street-type abbreviations as partner agencies write them. "st" is handled apart
# because at the start of a name it means "saint" ("St Mary's School").
_ABBREVIATIONS = {
    "rd": "road",
    "ave": "avenue",
    "av": "avenue",
    "ln": "lane",
    "dr": "drive",
    "cl": "close",
    "ct": "court",
    "cres": "crescent",
    "pl": "place",
    "sq": "square",
    "tce": "terrace",
    "gdns": "gardens",
    "gr": "grove",
    "pk": "park",
    "hwy": "highway",
    "bldgs": "buildings",
    "ctr": "centre",
    "center": "centre",
    "n": "north",
    "s": "south",
    "e": "east",
    "w": "west",
    "&": "and",
    "fc": "football club",
}
_STOPWORDS = {"the"}
# Names that say nothing about where: without a postcode they are no place at all
# (every child's "home" is not one place).
GENERIC_PLACES = frozenset(
    {
        "home",
        "home address",
        "friends house",
        "friends",
        "relatives",
        "unknown",
        "not known",
        "na",
        "none",
        "address",
    }
)
_NON_WORD = re.compile(r"[^a-z0-9&]+")
_POSTCODE_SHAPE = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?[0-9][A-Z]{2}$")


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def normalise_place(name: str | None) -> str:
    """Case-, punctuation- and abbreviation-insensitive key for a place name.

    >>> normalise_place("Star Kebab, Main St")
    'star kebab main street'
    >>> normalise_place("St. Mary's School")
    'saint marys school'
    """
    if not name:
        return ""
    text = _ascii(str(name)).lower().replace("'", "").replace("\u2019", "")
    tokens = [t for t in _NON_WORD.split(text.replace("&", " & ")) if t]
    out: list[str] = []
    for token in tokens:
        if token in _STOPWORDS and out == []:
            continue
        if token == "st":  # noqa: S105 - a street abbreviation, not a password
            out.append("saint" if not out else "street")
            continue
        out.append(_ABBREVIATIONS.get(token, token))
    return " ".join(out)


def normalise_postcode(postcode: str | None) -> str:
    """Upper-case UK postcode with one space before the inward code ("s652ab" -> "S65 2AB").

    Anything that does not look like a postcode is returned upper-cased without spaces,
    so it still compares equal to itself.
    """
    if not postcode:
        return ""
    compact = re.sub(r"[^A-Za-z0-9]", "", str(postcode)).upper()
    if _POSTCODE_SHAPE.match(compact):
        return f"{compact[:-3]} {compact[-3:]}"
    return compact


def normalise_plate(plate: str | None) -> str:
    """Upper-case registration without spaces or punctuation; ``?`` is kept as a wildcard."""
    if not plate:
        return ""
    return re.sub(r"[^A-Z0-9?]", "", str(plate).upper())


def display_plate(plate: str) -> str:
    """Current-style UK plates read ``AB12 CDE``; others are shown as stored."""
    if len(plate) == 7:
        return f"{plate[:4]} {plate[4:]}"
    return plate


def normalise_phone(phone: str | None) -> str:
    """Digits only, with +44 / 0044 turned into the national leading 0."""
    if not phone:
        return ""
    digits = re.sub(r"\D", "", str(phone))
    if digits.startswith("0044"):
        digits = "0" + digits[4:]
    elif digits.startswith("44") and len(digits) == 12:
        digits = "0" + digits[2:]
    return digits


def split_list(cell: object) -> list[str]:
    """Split a ``;``-separated cell into its non-blank items."""
    if cell is None:
        return []
    text = str(cell)
    if not text or text == "nan":
        return []
    return [item.strip() for item in text.split(";") if item.strip()]


def match_partial_plates(
    plates: Iterable[str],
) -> dict[str, list[str]]:
    """Map each partial plate (containing ``?``) to the full plates it could be.

    A ``?`` stands for exactly one unknown character, so only plates of the same length
    can match. Uses an index of (position, character) so the cost grows with the number
    of candidates, not with partials x full plates.
    """
    full: list[str] = []
    partial: list[str] = []
    for plate in set(plates):
        if not plate:
            continue
        (partial if "?" in plate else full).append(plate)
    index: dict[tuple[int, int, str], set[str]] = defaultdict(set)
    by_length: dict[int, set[str]] = defaultdict(set)
    for plate in full:
        by_length[len(plate)].add(plate)
        for pos, char in enumerate(plate):
            index[(len(plate), pos, char)].add(plate)
    matches: dict[str, list[str]] = {}
    for plate in sorted(partial):
        known = [(len(plate), pos, char) for pos, char in enumerate(plate) if char != "?"]
        if not known:
            matches[plate] = []
            continue
        sets = sorted((index.get(k, set()) for k in known), key=len)
        found = set(sets[0])
        for other in sets[1:]:
            found &= other
            if not found:
                break
        matches[plate] = sorted(found)
    return matches


def place_key(name: str) -> str:
    """The comparison key of a normalised place name: plurals folded ("star kebabs")."""
    return " ".join(
        t[:-1] if len(t) > 3 and t.endswith("s") and not t.endswith("ss") else t for t in name.split()
    )


def match_partial_to_partial(partials: Iterable[str]) -> dict[str, list[str]]:
    """For partial plates, the other partial plates that could be the same car.

    Two partials fit when they have the same length and agree wherever both are known
    ("YV13 NA?" and "Y?13 NAC"). Used for cars never seen in full.
    """
    plates = sorted({p for p in partials if p and "?" in p})
    index: dict[tuple[int, int, str], set[str]] = defaultdict(set)
    for plate in plates:
        for pos, char in enumerate(plate):
            index[(len(plate), pos, char)].add(plate)
    out: dict[str, list[str]] = {}
    for plate in plates:
        n = len(plate)
        found: set[str] | None = None
        known = [(pos, char) for pos, char in enumerate(plate) if char != "?"]
        known.sort(key=lambda pc: len(index.get((n, pc[0], pc[1]), ())))
        for pos, char in known:
            fits = index.get((n, pos, char), set()) | index.get((n, pos, "?"), set())
            found = set(fits) if found is None else found & fits
            if not found:
                break
        out[plate] = sorted((found or set()) - {plate}) if known else []
    return out


def canonical_places(
    pairs: Iterable[tuple[str, str]],
) -> dict[tuple[str, str], tuple[str, str]]:
    """Give every (raw name, raw postcode) pair a canonical (place_id, label).

    Names are compared after :func:`normalise_place` and :func:`place_key`. A name seen
    with exactly one postcode is one place even where some records leave the postcode
    blank; a name seen with several postcodes (two branches of a chain) is split by
    postcode, and blank postcodes stay with the bare name. A short name ("Star Kebab")
    that begins exactly one longer name ("star kebab main street"), and was never given
    a postcode the longer one lacks, is that place. Generic names ("home") without a
    postcode are no place. The label is the longest spelling seen, as an agency wrote it
    (capitalised if written all in lower case).
    """
    normalised: dict[tuple[str, str], tuple[str, str]] = {}
    postcodes_for: dict[str, set[str]] = defaultdict(set)
    spelling: dict[str, tuple[int, str, bool, str]] = {}  # key -> (-length, normalised, one case, as written)
    for raw_name, raw_pc in set(pairs):
        label = normalise_place(raw_name)
        pc = normalise_postcode(raw_pc)
        if label in GENERIC_PLACES:
            label = ""
        name = place_key(label)
        normalised[(raw_name, raw_pc)] = (name, pc)
        if name:
            postcodes_for.setdefault(name, set())
            written = " ".join(str(raw_name).split())
            # The longest name; of its spellings, one in mixed case (as people write) before capitals.
            candidate = (-len(label), label, written in (written.upper(), written.lower()), written)
            if name not in spelling or candidate < spelling[name]:
                spelling[name] = candidate
        if name and pc:
            postcodes_for[name].add(pc)
    longer: dict[str, set[str]] = defaultdict(set)
    for name in postcodes_for:
        tokens = name.split()
        for k in range(2, len(tokens)):
            longer[" ".join(tokens[:k])].add(name)
    merged: dict[str, str] = {}
    for name, candidates in longer.items():
        if name not in postcodes_for:
            continue
        own = postcodes_for[name]
        fitting = [c for c in candidates if own <= postcodes_for[c]] if own else list(candidates)
        if len(fitting) == 1:
            merged[name] = fitting[0]
    out: dict[tuple[str, str], tuple[str, str]] = {}
    for raw, (name, pc) in normalised.items():
        if not name and not pc:
            continue
        name = merged.get(name, name)
        known = postcodes_for.get(name, set()) if name else set()
        if name and not pc and len(known) == 1:
            pc = next(iter(known))
        # A name with one postcode is one place: its id need not carry the postcode.
        pc_part = "" if name and pc and len(known) == 1 else pc.replace(" ", "")
        slug = name.replace(" ", "-")
        place_id = "place:" + (f"{slug}@{pc_part}" if slug and pc_part else slug or pc_part)
        shown = place_label(spelling[name][3]) if name in spelling else name
        label = f"{shown}, {pc}" if shown and pc else shown or pc
        out[raw] = (place_id, label)
    return out
