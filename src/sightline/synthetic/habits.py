"""How each agency records a person: the table behind every extract's quirks.

`AGENCY_HABITS` says, agency by agency, how carefully a person record is filled in: how often a name is
misspelt or shortened, a date of birth missing or partial, an age estimated, an identifier present. The
tables after it say how any agency writes up someone it meets only second-hand: a man known to police by a
street name, a professional, a parent named on a child's record, a child named by a third party.
Probabilities are per record unless a comment says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date


@dataclass(frozen=True, kw_only=True)
class Habits:
    """How carefully one agency records the people it deals with directly."""

    record_prefix: str  # record ids in the agency's own style, e.g. NOM-0012345
    event_prefix: str
    extracted_on: date
    extra_columns: tuple[str, ...] = ()  # people.csv columns of this agency's own
    # Names.
    typo: float = 0.02  # one slip in the given or the family name
    swap: float = 0.0  # given and family names the wrong way round
    variant: float = 0.0  # a short form or variant of the given name: Jess for Jessica
    fold: float = 0.3  # diacritics dropped
    upper_family: float = 0.0  # family name in capitals (and now and then the address too)
    family_name: float = 1.0  # a family name recorded at all
    # Date of birth, or failing that an age.
    dob_full: float = 0.97
    dob_partial: float = 0.0  # only YYYY-MM or YYYY
    dob_transpose: float = 0.01  # day and month swapped
    estimate_age: float = 0.0  # an estimated age when no date of birth is recorded
    # Where they live and how to reach them.
    address: float = 0.95
    short_street: float = 0.5  # "Brook Rd" for "Brook Road"
    postcode: float = 0.95
    stale_address: float = 0.1  # the address before a move
    phone: float = 0.5
    phone_style: str = "plain"  # plain, split (07700 900123) or triple (07700 900 123)
    email: float = 0.0  # adults only
    # Who they are.
    sex: float = 0.99
    ethnicity: float = 0.9
    not_recorded: float = 0.02  # of recorded ethnicities, written as refused or not obtained
    nhs: float = 0.0
    upn: float = 0.0  # of those who have one
    pnc: float = 0.0  # of those who have one
    # The book as a whole.
    duplicate: float = 0.02  # a second record for the same person, made on first contact
    datetime_events: bool = False  # events carry a time of day
    place_postcode: float = 0.5  # an event's place is written with its postcode


AGENCY_HABITS: dict[str, Habits] = {
    "police": Habits(
        record_prefix="NOM-",
        event_prefix="OCC-",
        extracted_on=date(2014, 7, 1),
        pnc=0.9,
        typo=0.05,
        swap=0.02,
        variant=0.12,
        fold=0.8,
        upper_family=0.4,
        dob_full=0.84,
        dob_partial=0.05,
        dob_transpose=0.025,
        estimate_age=0.5,
        address=0.85,
        postcode=0.8,
        stale_address=0.25,
        phone=0.35,
        phone_style="split",
        ethnicity=0.45,
        not_recorded=0.08,
        sex=0.98,
        duplicate=0.06,
        datetime_events=True,
        place_postcode=0.7,
    ),
    "social_care": Habits(
        record_prefix="CS",
        event_prefix="CSE",
        extracted_on=date(2014, 7, 2),
        typo=0.02,
        swap=0.005,
        variant=0.03,
        fold=0.2,
        dob_full=0.97,
        dob_partial=0.015,
        dob_transpose=0.01,
        address=0.95,
        postcode=0.95,
        stale_address=0.12,
        phone=0.45,
        phone_style="triple",
        ethnicity=0.95,
        not_recorded=0.02,
        duplicate=0.03,
        nhs=0.4,
        upn=0.2,
        email=0.15,
        place_postcode=0.4,
    ),
    "health": Habits(
        record_prefix="RH",
        event_prefix="ATT",
        extracted_on=date(2014, 7, 3),
        typo=0.03,
        swap=0.015,
        variant=0.02,
        fold=0.6,
        dob_full=0.985,
        dob_partial=0.005,
        dob_transpose=0.015,
        address=0.95,
        postcode=0.96,
        stale_address=0.3,
        phone=0.6,
        ethnicity=0.8,
        not_recorded=0.06,
        duplicate=0.02,
        nhs=0.96,
        place_postcode=0.2,
    ),
    "education": Habits(
        record_prefix="ED",
        event_prefix="EDE",
        extracted_on=date(2014, 7, 1),
        extra_columns=("school",),
        typo=0.01,
        swap=0.002,
        variant=0.0,
        fold=0.2,
        dob_full=0.995,
        dob_transpose=0.005,
        address=0.99,
        postcode=0.99,
        stale_address=0.08,
        phone=0.3,
        ethnicity=0.97,
        not_recorded=0.02,
        duplicate=0.007,
        upn=0.99,
        place_postcode=0.9,
    ),
    "youth_service": Habits(
        record_prefix="YS-",
        event_prefix="YSE-",
        extracted_on=date(2014, 7, 4),
        typo=0.05,
        swap=0.0,
        variant=0.3,
        fold=0.7,
        dob_full=0.45,
        dob_partial=0.15,
        dob_transpose=0.02,
        estimate_age=0.8,
        address=0.0,
        postcode=0.75,
        stale_address=0.2,
        phone=0.4,
        ethnicity=0.2,
        not_recorded=0.1,
        sex=0.9,
        duplicate=0.07,
        family_name=0.1,
        place_postcode=0.3,
        datetime_events=True,
    ),
    "licensing": Habits(
        record_prefix="LIC-",
        event_prefix="LCE-",
        extracted_on=date(2014, 7, 7),
        typo=0.01,
        swap=0.005,
        fold=0.5,
        dob_full=0.99,
        address=0.99,
        postcode=0.99,
        stale_address=0.05,
        phone=0.95,
        phone_style="split",
        ethnicity=0.3,
        duplicate=0.01,
        email=0.5,
        place_postcode=0.6,
    ),
    "housing": Habits(
        record_prefix="HSG",
        event_prefix="HSE",
        extracted_on=date(2014, 7, 2),
        typo=0.02,
        swap=0.01,
        fold=0.4,
        dob_full=0.9,
        dob_partial=0.02,
        address=1.0,
        postcode=1.0,
        stale_address=0.0,
        phone=0.7,
        phone_style="triple",
        ethnicity=0.6,
        duplicate=0.02,
        email=0.2,
        nhs=0.0,
        place_postcode=1.0,
    ),
}


def scaled_habits(duplicates: float, typos: float) -> dict[str, Habits]:
    """Every agency's habits with its duplicate records, and its slips in names and dates, scaled (a variant's
    `records.duplicates` and `records.typos`)."""

    def times(rate: float, factor: float) -> float:
        return min(0.5, rate * factor)

    return {
        agency: replace(
            h,
            duplicate=times(h.duplicate, duplicates),
            typo=times(h.typo, typos),
            swap=times(h.swap, typos),
            variant=times(h.variant, typos),
            dob_transpose=times(h.dob_transpose, typos),
        )
        for agency, h in AGENCY_HABITS.items()
    }


@dataclass(frozen=True)
class EveryAgency:
    """What every agency does alike when it records someone in person."""

    month_of_partial_dob: float = 0.4  # a partial date of birth keeps the month (YYYY-MM), else YYYY
    child_age_error: int = 1  # an estimated age is out by up to this many years either way
    adult_age_error: int = 4
    sex_unknown: float = 0.5  # sex not recorded as such is written U rather than left blank
    mixed_as_one_side: float = 0.15  # mixed heritage recorded as white British or white other
    old_address_before_move: float = 0.5  # before the family moved, the old address is the one given
    address_with_locality: float = 0.6
    address_in_capitals: float = 0.3  # by an agency that writes family names in capitals
    later_use_of_duplicate: float = 0.35  # a later event is filed on the duplicate record
    duplicate_typo_factor: float = 2.0  # a hurried second record is misspelt more often ...
    duplicate_dob_factor: float = 0.8  # ... and its date of birth is missing more often


@dataclass(frozen=True)
class Sighting:
    """How police write up a man known from intelligence, often by his street name only."""

    street_name: float = 0.6  # recorded under his street name
    variant: float = 0.4  # otherwise often under a variant of his given name
    family_name: float = 0.35
    family_typo: float = 0.2
    street_name_aside: float = 0.3  # the street name kept in other_names when another name is used
    estimated_age: float = 0.85
    adult_age_error: int = 5
    child_age_error: int = 1
    phone: float = 0.35
    new_record: float = 0.25  # a later sighting starts a record of its own ...
    most_records: int = 2  # ... up to this many per man


@dataclass(frozen=True)
class Professional:
    """How a professional (a teacher, a coach, a youth worker) is named on a child's event."""

    sex: float = 0.7
    phone: float = 0.5


@dataclass(frozen=True)
class Secondhand:
    """How a parent or carer named on a child's record is written up, compared with the child."""

    dob_full: float = 0.3
    dob_partial: float = 0.0
    ethnicity_share: float = 0.3  # of the agency's usual rate
    phone: float = 0.8


@dataclass(frozen=True)
class Named:
    """How a child named by a third party (a taxi complaint) is written up: name, guessed age, no more."""

    no_family_name: float = 0.4


EVERY_AGENCY = EveryAgency()
SIGHTING = Sighting()
PROFESSIONAL = Professional()
SECONDHAND = Secondhand()
NAMED = Named()
