"""Plain words for the codes agencies and the analysis use, in one table for pages, exports and the
analysis's own reasons. Nothing here imports Django: the analysis engine uses it too."""

from __future__ import annotations

import datetime as dt
import re

# Event kinds of the multi-agency extract format (docs/import.md).
EVENT_KINDS: dict[str, str] = {
    "referral": "Referral",
    "assessment": "Assessment",
    "strategy_meeting": "Strategy meeting",
    "missing": "Missing (whereabouts unknown)",
    "absent": "Absent (without authorisation)",
    "return_interview": "Return interview",
    "placement": "Placement",
    "police_incident": "Police incident",
    "intelligence": "Intelligence",
    "arrest": "Arrest",
    "charge": "Charge",
    "bail": "Bail",
    "self_referral": "Came forward (self-referral)",
    "health_attendance": "Health attendance",
    "sexual_health": "Sexual health",
    "school_absence": "School absence",
    "exclusion": "Exclusion",
    "outreach_contact": "Outreach contact",
    "taxi_complaint": "Taxi complaint",
    "other": "Other",
}
SEX: dict[str, str] = {"F": "Female", "M": "Male", "U": "Not known"}

_SMALL_WORDS = frozenset({"of", "and", "the", "on", "in", "at", "by", "upon", "under"})
_POSTCODE = re.compile(r"\b([A-Z]{1,2}\d[A-Z\d]?) ?(\d[A-Z]{2})\b", re.IGNORECASE)


def code_label(code: str) -> str:
    """A code as words, for codes no table knows: ``social_care`` -> ``social care``."""
    return str(code or "").replace("_", " ").strip()


def kind_label(kind: str) -> str:
    """An event kind as a practitioner says it: ``police_incident`` -> ``Police incident``."""
    return EVENT_KINDS.get(kind) or code_label(kind).capitalize()


def kinds_text(kinds: list[str] | tuple[str, ...] | set[str]) -> str:
    """Several kinds in lower case, for the middle of a sentence: ``intelligence, police incident``."""
    return ", ".join(sorted({kind_label(k).lower() for k in kinds if k}))


def sex_label(code: str) -> str:
    return SEX.get(str(code or "").upper(), "") if code else ""


def place_label(text: str) -> str:
    """A place or address as people write it: a spelling all in lower or all in upper case gets
    capitals on each word, a postcode upper case. ``flat 1 hawthorn house rowan place, s65 7sl`` ->
    ``Flat 1 Hawthorn House Rowan Place, S65 7SL``. Mixed case is left as the agency wrote it."""
    text = str(text or "").strip()
    bare = _POSTCODE.sub("", text)
    if bare in (bare.lower(), bare.upper()):
        words = text.lower().split(" ")
        text = " ".join(w if i and w in _SMALL_WORDS else w[:1].upper() + w[1:] for i, w in enumerate(words))
    return _POSTCODE.sub(lambda m: f"{m.group(1).upper()} {m.group(2).upper()}", text)


# Initialisms read letter by letter take "an" when their first letter's name starts with a vowel.
_VOWEL_LETTERS = set("AEFHILMNORSX")


def with_article(label: str) -> str:
    """A role or other noun phrase with "a" or "an", in the middle of a sentence: "a CSE coordinator",
    "an independent reviewer", "an analyst". Initialisms keep their capitals."""
    label = str(label or "").strip()
    if not label:
        return label
    first = label.split()[0]
    initialism = len(first) > 1 and first.isupper()
    phrase = label if initialism else label[:1].lower() + label[1:]
    vowel = first[0] in _VOWEL_LETTERS if initialism else first[0].lower() in "aeiou"
    return f"{'an' if vowel else 'a'} {phrase}"


def birth_date(value: str, today: dt.date | None = None) -> str:
    """A date of birth as held, possibly partial, in words; the age when the day is known."""
    text = str(value or "").strip()
    parts = text.split("-")
    try:
        if len(parts) == 3:
            born = dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
            today = today or dt.date.today()
            age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
            return f"{born.day} {born:%B %Y} (age {age})"
        if len(parts) == 2:
            return f"{dt.date(int(parts[0]), int(parts[1]), 1):%B %Y}"
    except ValueError:
        return text  # not a date we can read: show it as it was given
    return text
