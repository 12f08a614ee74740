"""The weights behind every score, in one place so they can be read and argued about.

Each weight says how much one kind of recorded fact suggests sexual exploitation. They
were set by reasoning about practice (see docs/analysis.md) and then checked against the
synthetic town's ground truth with bench/bench_analysis.py; none is fitted to it.
"""

from __future__ import annotations

# How much an event of each kind, on its own, is a context of concern (0..1).
KIND_CONCERN: dict[str, float] = {
    "referral": 0.4,
    "assessment": 0.4,
    "strategy_meeting": 0.7,
    "missing": 1.0,
    "absent": 0.6,
    "return_interview": 0.6,
    "placement": 0.2,
    "police_incident": 0.8,
    "intelligence": 1.0,
    "arrest": 0.9,
    "charge": 1.0,
    "bail": 0.8,
    "self_referral": 1.0,
    "health_attendance": 0.4,
    "sexual_health": 0.9,
    "school_absence": 0.2,
    "exclusion": 0.2,
    "outreach_contact": 0.4,
    "taxi_complaint": 0.8,
    "other": 0.15,
}
DEFAULT_KIND_CONCERN = 0.15

# Extra concern when the event happened at night, involved a vehicle, or carried an
# exploitation-related factor code.
NIGHT_BONUS = 0.3
VEHICLE_BONUS = 0.3
FACTOR_BONUS = 0.5
NIGHT_START_HOUR = 21
NIGHT_END_HOUR = 6

# A contact is "of concern" at or above this event concern (or when someone is a suspect).
CONCERN_THRESHOLD = 0.6

# How strongly a person's role in an event ties them to the others in it.
ROLE_WEIGHT: dict[str, float] = {
    "suspect": 1.0,
    "associate": 0.9,
    "victim": 0.9,
    "subject": 0.9,
    "witness": 0.3,
    "carer": 0.15,
    "parent": 0.15,
    "professional": 0.0,
}
# Which role wins when one person appears twice in one event.
ROLE_PRIORITY = ["suspect", "associate", "victim", "subject", "witness", "carer", "parent", "professional"]
ROLES = frozenset(ROLE_WEIGHT) - {"subject"}

# Children in Need factor codes and screening codes that bear on exploitation.
FACTOR_WEIGHT: dict[str, float] = {
    "11A": 2.0,  # child sexual exploitation
    "12A": 1.5,  # trafficking
    "24A": 0.8,  # child criminal exploitation
    "13A": 0.8,  # gangs
    "10A": 0.5,  # going missing
}
CSE_FACTORS = frozenset({"11A", "12A", "24A"})

# A child's own indicators: (weight, count at which the indicator is ~63% saturated).
CHILD_INDICATORS: dict[str, tuple[float, float]] = {
    "missing": (2.0, 2.0),
    "sexual_health": (1.5, 1.0),
    "self_referral": (2.0, 1.0),
    "police_victim": (0.7, 1.0),
    "meetings": (0.4, 1.0),
    "school": (0.5, 3.0),
    "night": (0.5, 1.0),
    "vehicle": (0.5, 1.0),
    "outreach": (0.3, 1.0),
    "taxi": (0.5, 1.0),
}

# Recency: an event's weight halves every HALF_LIFE_YEARS, never below RECENCY_FLOOR
# (old abuse still matters; it just counts less than this month's).
HALF_LIFE_YEARS = 3.0
RECENCY_FLOOR = 0.3

# Each extra agency recording concerning contact adds this share to an adult's score.
AGENCY_CORROBORATION = 0.3

# Ordinary contact with children (school, club, shop) adds at most this much to an
# adult's score however many children are involved: it is how benign hubs are discounted.
ORDINARY_PER_CHILD = 0.05
ORDINARY_CAP = 0.5

# Professionals' contact with children is their job.
PROFESSIONAL_SHARE = 0.5
PROFESSIONAL_DISCOUNT = 0.1

# Places that are institutions: children gather there by design.
INSTITUTION_WORDS = frozenset(
    {
        "school",
        "academy",
        "college",
        "university",
        "nursery",
        "hospital",
        "clinic",
        "surgery",
        "police",
        "station",
        "council",
        "library",
        "health",
        "gp",
    }
)
INSTITUTION_DISCOUNT = 0.2
# "police station" and "bus station" differ: only these words make "station" an institution.
STATION_INSTITUTIONS = frozenset({"police", "fire", "ambulance"})

# Objects (vehicles, phones) shared by more people than this are not evidence of contact.
MEDIATOR_MAX_PEOPLE = 50
INDIRECT_FACTOR = 0.6
# An adult's own number on a child's record, the adult of another family (graph.strangers_numbers):
# contact of concern, weighing as much as one concerning record naming both.
STRANGERS_NUMBER = 1.0

# Exposure of a child to concern around them.
EXPOSURE_ADULT = 2.0
EXPOSURE_ADULT_ORDINARY = 0.2
EXPOSURE_PLACE = 1.0
EXPOSURE_OBJECT = 1.0
EXPOSURE_PEER = 0.5

ROUNDS = 3

# Minimum scores for an alert to be raised.
MIN_CHILD_SCORE = 1.0
MIN_ADULT_SCORE = 0.5
# An adult whose contact with children is mostly ordinary and public (more children met ordinarily
# than in a context of concern), or who is recorded as a professional, is alerted only on
# substantial evidence (this score) or on concern repeated in this many separate records: a coach
# or a shopkeeper will sometimes share a record with a child in trouble, but not again and again.
MIN_HUB_ADULT_SCORE = 5.0
HUB_REPEATED_INCIDENTS = 3
MIN_OBJECT_SCORE = 1.0
# Where the child list ends (docs/analysis.md, "Where the list ends"). Going missing, night-time
# trouble and a group of friends put a child at risk; they do not by themselves point at
# exploitation. A child is alerted only when a record ties them to an adult of concern (this far
# over the adult line) in an event that does: one of these kinds, or with the adult as a suspect,
# or through a phone or vehicle that such an event recorded.
POINTED_KINDS = frozenset(
    {
        "missing",
        "intelligence",
        "sexual_health",
        "self_referral",
        "taxi_complaint",
        "arrest",
        "charge",
        "bail",
        "outreach_contact",
    }
)
MIN_EVIDENCE_ADULT_SCORE = 1.0
# Contact a role explains (the child's foster carer or parent, a professional) is ordinary contact
# unless a record corroborates concern: the adult a suspect with the child, or one of these kinds.
# A foster carer's number and car are on every missing report of the children placed with them.
EXPLAINING_ROLES = frozenset({"carer", "parent", "professional"})
CORROBORATING_KINDS = frozenset(
    {"intelligence", "sexual_health", "self_referral", "taxi_complaint", "arrest", "charge", "bail"}
)
# A driver with a school-contract licence meets pupils daily: that contact is explained too, unless
# corroborated as above, at night, or in a missing episode (the child found in his car).
SCHOOL_CONTRACT_WORDS = r"\bschool[ -](?:contract|transport)\b|\bhome[ -]to[ -]school\b"
LICENCE_CORROBORATING_KINDS = CORROBORATING_KINDS | {"missing", "absent"}
MIN_GROUP_SCORE = 3.0
# A group alert needs at least one adult this far over the adult alert line.
MIN_GROUP_ADULT_SCORE = 1.0

CHILD_AGE = 18
# Up to this age, someone recorded as a victim, or as the subject of these kinds of event,
# while under 18 is scored as a child (transitional safeguarding).
YOUNG_ADULT_AGE = 21
# From this age a child recorded as the suspect, or as the subject of police action that names a
# victim, is scored as the exploiter the records describe (peer-on-peer exploitation).
YOUNG_EXPLOITER_AGE = 16
POLICE_ACTION_KINDS = frozenset({"intelligence", "arrest", "charge", "bail"})
CHILDRENS_SERVICES_KINDS = frozenset(
    {
        "missing",
        "absent",
        "return_interview",
        "referral",
        "assessment",
        "strategy_meeting",
        "placement",
        "sexual_health",
        "self_referral",
        "school_absence",
        "exclusion",
    }
)
# A person no record gives an age to, who is the subject of one of these (or named as a victim), is
# a young person: detached youth work's contacts are with young people, as children's services' are.
YOUNG_PERSONS_KINDS = CHILDRENS_SERVICES_KINDS | {"outreach_contact"}
# An adult this many years older than the child, at the child's sexual health appointment, is no
# same-age partner: that record points at exploitation whatever else is known of him.
PARTNER_AGE_GAP = 5

# What a child seen at a place or in a vehicle in a context of concern adds to it, before
# counting how much at risk the child is for other reasons.
OBJECT_BASE = 0.05
