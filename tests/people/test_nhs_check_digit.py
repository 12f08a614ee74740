"""The NHS number check has a fast path for plain digits; it must agree with the general one."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sightline.people.services import valid_nhs_number


@given(st.text(alphabet="0123456789", min_size=10, max_size=10))
def test_plain_digits_agree_with_the_general_check(number: str) -> None:
    # Spaced as people write it, the number takes the general path (normalised, then checked).
    spaced = f"{number[:3]} {number[3:6]} {number[6:]}"
    assert valid_nhs_number(number) == valid_nhs_number(spaced)


def test_known_numbers() -> None:
    assert valid_nhs_number("9434765919") and valid_nhs_number("943 476 5919")
    assert not valid_nhs_number("9434765918") and not valid_nhs_number("943476591")
