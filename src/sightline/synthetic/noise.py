"""The ways agencies get a name, a date or a place a little wrong."""

from __future__ import annotations

import random
import unicodedata
from datetime import date

from .model import Place

KEYBOARD_NEIGHBOURS = {
    "a": "qwsz",
    "b": "vghn",
    "c": "xdfv",
    "d": "serfcx",
    "e": "wsdr",
    "f": "drtgvc",
    "g": "ftyhbv",
    "h": "gyujnb",
    "i": "ujko",
    "j": "huikmn",
    "k": "jiolm",
    "l": "kop",
    "m": "njk",
    "n": "bhjm",
    "o": "iklp",
    "p": "ol",
    "q": "wa",
    "r": "edft",
    "s": "awedxz",
    "t": "rfgy",
    "u": "yhji",
    "v": "cfgb",
    "w": "qase",
    "x": "zsdc",
    "y": "tghu",
    "z": "asx",
}
SOUND_SWAPS = (
    ("ph", "f"),
    ("ie", "y"),
    ("ey", "y"),
    ("ll", "l"),
    ("ck", "k"),
    ("ee", "ea"),
    ("ai", "ay"),
    ("mm", "m"),
    ("nn", "n"),
    ("tt", "t"),
    ("ss", "s"),
    ("th", "t"),
    ("oo", "u"),
    ("ou", "ow"),
    ("c", "k"),
)
# Letters NFKD does not decompose.
FOLD_EXTRA = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ß": "ss"})


def fold(text: str) -> str:
    """Drop diacritics as older ASCII-only systems do: `Łukasz Wiśniewski` -> `Lukasz Wisniewski`."""
    decomposed = unicodedata.normalize("NFKD", text.translate(FOLD_EXTRA))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def typo(name: str, rng: random.Random) -> str:
    """One slip of the keyboard or ear; the first letter usually survives."""
    if len(name) < 3:
        return name
    lower = name.lower()
    roll = rng.random()
    if roll < 0.25:
        for old, new in rng.sample(SOUND_SWAPS, len(SOUND_SWAPS)):
            at = lower.find(old, 1)
            if at > 0:
                out = name[:at] + new + name[at + len(old) :]
                return out if out != name else name[:-1]
    i = rng.randrange(1, len(name))
    ch = name[i]
    if roll < 0.5 and ch.lower() in KEYBOARD_NEIGHBOURS:
        sub = rng.choice(KEYBOARD_NEIGHBOURS[ch.lower()])
        return name[:i] + (sub.upper() if ch.isupper() else sub) + name[i + 1 :]
    if roll < 0.7:
        return name[:i] + name[i + 1 :]
    if roll < 0.85 and i < len(name) - 1 and name[i] != name[i + 1]:
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    return name[:i] + ch + name[i:]


def transposed(dob: date) -> date | None:
    """The date with day and month swapped, when that is a different valid date."""
    if dob.day > 12 or dob.day == dob.month:
        return None
    return date(dob.year, dob.day, dob.month)


EXPANSIONS = (
    (" St", " Street"),
    (" Rd", " Road"),
    (" Ave", " Avenue"),
    (" Ln", " Lane"),
    (" Cl", " Close"),
    (" Dr", " Drive"),
    (" Cres", " Crescent"),
)


def place_text(place: Place, rng: random.Random) -> str:
    """A venue as someone writes it down: the full name, the short name, or a sloppier spelling."""
    roll = rng.random()
    if roll < 0.55:
        return place.name
    if roll < 0.8:
        return place.short
    if roll < 0.9:
        text = place.name
        for short, long in EXPANSIONS:
            if text.endswith(short):
                return text[: -len(short)] + long
        return text
    if roll < 0.95:
        return place.name.lower().replace(",", "")
    return place.short + "s" if place.category in ("takeaway", "shop") else place.name.upper()


BUILDS = ("slim", "stocky", "medium", "heavy", "thin", "muscular")
HAIR = (
    "short dark hair",
    "shaved head",
    "black hair",
    "brown hair",
    "receding hair",
    "curly hair",
    "blond hair",
)
EXTRAS = (
    "beard",
    "stubble",
    "neck tattoo",
    "glasses",
    "gold chain",
    "scar on left cheek",
    "local accent",
    "tracksuit",
    "leather jacket",
    "baseball cap",
)


def description(rng: random.Random, sex: str, age: int | None) -> str:
    who = "male" if sex == "M" else "female" if sex == "F" else "person"
    parts = [f"{who}, approx {age}" if age else who, f"{rng.choice(BUILDS)} build", rng.choice(HAIR)]
    if rng.random() < 0.7:
        parts.append(rng.choice(EXTRAS))
    return ", ".join(parts)
