"""Identifiers in the forms agencies use: NHS numbers, UPNs, PNC ids, postcodes, registrations, phones."""

from __future__ import annotations

import random
import re

# Inward-code unit letters never include C, I, K, M, O or V.
POSTCODE_UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
POSTCODE_RE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][ABD-HJLNP-UW-Z]{2}$")
# Registration letters never include I or Q; Z is not used in the area code.
REG_LETTERS = "ABCDEFGHJKLMNOPRSTUVWXYZ"
YORKSHIRE_AREA_LETTERS = "ABCDEFGHJKLMNOPRSTUVWXY"
UPN_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
PNC_CHECK_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"


def nhs_check_digit(first_nine: str) -> int | None:
    """Modulus 11 check digit of an NHS number, or None when no valid number starts with these digits."""
    total = sum(int(d) * (10 - i) for i, d in enumerate(first_nine))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def nhs_number(rng: random.Random) -> str:
    while True:
        first = f"{rng.choice((4, 6))}{rng.randrange(100_000_000):08d}"
        check = nhs_check_digit(first)
        if check is not None:
            return first + str(check)


def nhs_is_valid(number: str) -> bool:
    if len(number) != 10 or not number.isdigit():
        return False
    return nhs_check_digit(number[:9]) == int(number[9])


def upn(la_code: str, establishment: str, year: int, serial: int) -> str:
    """A unique pupil number: check letter, LA, establishment, two-digit year, serial (DfE algorithm)."""
    body = f"{la_code}{establishment}{year % 100:02d}{serial:03d}"
    total = sum(int(d) * (i + 2) for i, d in enumerate(body))
    return UPN_CHECK_LETTERS[total % 23] + body


def pnc_id(year: int, serial: int) -> str:
    """A Police National Computer id, e.g. `09/123456A`."""
    check = PNC_CHECK_LETTERS[int(f"{year % 100:02d}{serial:07d}") % 23]
    return f"{year % 100:02d}/{serial}{check}"


def postcode(district: str, sector: int, rng: random.Random) -> str:
    return f"{district} {sector}{rng.choice(POSTCODE_UNIT_LETTERS)}{rng.choice(POSTCODE_UNIT_LETTERS)}"


def registration(rng: random.Random) -> str:
    """A current-style UK registration from a Yorkshire office, e.g. `YX09 ABC`."""
    year = rng.randrange(2, 15)
    age = f"{year:02d}" if rng.random() < 0.5 else f"{year + 50:02d}"
    letters = "".join(rng.choice(REG_LETTERS) for _ in range(3))
    return f"Y{rng.choice(YORKSHIRE_AREA_LETTERS)}{age} {letters}"


def partial_registration(reg: str, rng: random.Random) -> str:
    """What a witness caught of a registration: unknown characters written `?`."""
    chars = list(reg)
    roll = rng.random()
    if roll < 0.55:  # the start, as seen as a car drives off
        for i in range(len(chars) - rng.choice((1, 2, 2, 3)), len(chars)):
            chars[i] = "?"
    elif roll < 0.8:
        chars[1] = "?"
        if rng.random() < 0.4:
            chars[-1] = "?"
    elif roll < 0.92:
        chars[2] = chars[3] = "?"
    else:
        for i in (0, 1, 2, 3):
            chars[i] = "?"
    return "".join(chars)


def mobile(rng: random.Random) -> str:
    return f"07{rng.choice((4, 5, 7, 7, 8, 9))}{rng.randrange(100_000_000):08d}"


def format_phone(number: str, style: str) -> str:
    """Phone numbers as each agency's system writes them."""
    if style == "split":
        return f"{number[:5]} {number[5:]}"
    if style == "triple":
        return f"{number[:5]} {number[5:8]} {number[8:]}"
    return number
