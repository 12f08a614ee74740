"""How often things happen in the town, and to whom: the table the story is told from.

Families, ordinary children, children who run away, victims (by how visible their abuse is), the men who
exploit them, the benign adults who meet many children openly, and what agencies do around an episode.
Probabilities are per person (or per household, per episode) unless a comment says otherwise; pairs are
inclusive ranges of a count or of days. Outcome tables list the upper bound of a uniform roll for each
outcome, in order.
"""

from __future__ import annotations

from dataclasses import dataclass

Span = tuple[int, int]
Outcomes = tuple[tuple[float, str], ...]

SCHOOL_AGE = (5, 17)
YOUTH_SERVICE_AGE = (11, 18)


def outcome(table: Outcomes, roll: float) -> str:
    """The outcome a roll in [0, 1) lands on."""
    return next(name for upto, name in table if roll < upto)


@dataclass(frozen=True)
class Everyday:
    """The town's everyday business: family referrals, domestic incidents, tenancies and taxi complaints."""

    referred: float = 0.035  # a family referred once in the period, every child born by then
    referred_before_end: int = 30  # days
    assessed: float = 0.7
    assessment_after: Span = (10, 45)
    strategy_discussion: float = 0.12
    strategy_after: Span = (1, 10)
    domestic_incident: float = 0.015
    youngest_witness: int = 3  # children this old or older are named as witnesses
    police_notify: float = 0.6  # per child witness
    notified_after: Span = (1, 5)
    tenancy: float = 0.25  # housing holds the tenancy of the household's first adult
    tenancy_from: int = 3000  # days before the period its start may lie
    housing_complaint: float = 0.04
    taxi_complaint: float = 0.15  # per licensed driver who is neither an offender nor a hub


@dataclass(frozen=True)
class Childhood:
    """An ordinary child: what reaches an agency of a childhood that is nobody's concern."""

    absences: float = 0.1
    absence_spells: Span = (1, 3)
    secondary_exclusion: float = 0.015
    hospital: float = 0.14
    hospital_visits: Span = (1, 3)
    parent_at_hospital: float = 0.6
    sexual_health_age: int = 15
    sexual_health: float = 0.04
    runs_off_age: int = 10  # the age for running off once and for trouble with police
    runs_off: float = 0.01  # one night, back by the morning
    trouble: float = 0.025
    friends_in_trouble: Span = (0, 3)
    trouble_later_by: Span = (0, 180)  # minutes after a daytime hour
    outreach: float = 0.05
    outreach_contacts: Span = (1, 3)


@dataclass(frozen=True)
class Runaways:
    """A child who goes missing again and again but is not exploited."""

    from_age: float = 10.5
    late_span: int = 200  # days before the end, for a child too young for the whole period
    known: float = 0.8  # known to social care (always when flagged or in care)
    referral_within: int = 200  # days of the first possible episode
    assessment_after: Span = (10, 40)
    extra_factors: Span = (0, 2)
    strategy_after: Span = (20, 60)
    placement_after: Span = (30, 120)
    episodes: Span = (2, 9)
    found: Outcomes = ((0.35, "friend"), (0.45, "relative"), (0.7, "town"), (1.0, "home"))
    absences: float = 0.55
    absence_spells: Span = (2, 6)
    exclusion: float = 0.15
    hospital: float = 0.35
    sexual_health_age: int = 14
    sexual_health: float = 0.15
    outreach: float = 0.35
    outreach_contacts: Span = (1, 4)


@dataclass(frozen=True)
class Visibility:
    """How much of one victim's abuse reaches any agency; one row per level."""

    known_to_social_care: float  # always when flagged
    flag_factors: tuple[str, ...]  # recorded on a flagged child's assessment, with one more
    missing_episodes: Span
    found_with_men: float  # per missing episode ending at a place
    comes_forward: float
    sexual_health: float
    hospital: float
    absences: float
    outreach: float
    named_in_intelligence: float  # per intelligence report while the child is exploited


VISIBILITY: dict[str, Visibility] = {
    "high": Visibility(0.6, ("11A", "10A"), (1, 8), 0.45, 0.06, 0.75, 0.5, 0.85, 0.65, 1.0),
    "medium": Visibility(0.45, ("11A", "10A"), (0, 3), 0.25, 0.06, 0.55, 0.3, 0.7, 0.5, 0.6),
    "low": Visibility(0.2, ("11A",), (0, 1), 0.0, 0.0, 0.5, 0.25, 0.5, 0.8, 0.15),
}


@dataclass(frozen=True)
class Victims:
    """What happens to every victim, whatever their visibility."""

    line_phone_on_assessment: float = 0.3  # a flagged child's assessment notes the group's phone
    assessment_after: Span = (10, 40)
    hidden_factors: Span = (1, 2)  # factors of an assessment that misses the exploitation
    strategy_meetings: Span = (1, 3)
    meetings_within: Span = (20, 300)  # days after the referral
    placement_within: Span = (30, 200)
    found: Outcomes = ((0.55, "hotspot"), (0.75, "public"), (1.0, "home"))
    men_found: Span = (1, 2)
    car_when_found: float = 0.4
    registration_when_found: float = 0.2  # the whole registration, not part of it
    most_visible_stops: Span = (1, 4)  # vehicle stops and welfare checks with the men
    stop_skipped_once_met: float = 0.5  # medium visibility: no stop after being found with the men
    men_stopped: Span = (1, 3)
    men_as_suspects: float = 0.6
    friends_stopped: Span = (0, 2)
    stopped_in_car: float = 0.7
    registration_when_stopped: float = 0.35
    line_phone_when_stopped: float = 0.25
    men_named_by_child: Span = (1, 3)
    sexual_health_visits: Span = (1, 4)
    man_waits_outside: float = 0.2
    hospital_visits: Span = (1, 3)
    man_as_cousin: float = 0.25
    absence_spells: Span = (2, 8)
    exclusion: float = 0.15
    car_at_school_gates: float = 0.1
    registration_at_school: float = 0.1
    outreach_contacts: Span = (1, 5)
    outreach_at_hotspot: float = 0.5  # else in a public place
    outreach_car: float = 0.35
    registration_at_outreach: float = 0.1
    outreach_man: float = 0.25
    outreach_friend: float = 0.15  # per other victim of the group, at most two named
    outreach_friends: int = 2


@dataclass(frozen=True)
class Offenders:
    """How a group of men operates and what each agency hears of it."""

    reports: Span = (2, 8)  # intelligence reports on the group
    reports_tiny: Span = (1, 2)
    associates_named: Span = (0, 3)
    victims_named: Span = (0, 3)
    place_given: float = 0.7
    car_given: float = 0.7
    registration_given: float = 0.4
    phone_given: float = 0.5
    nominal_street_name: float = 0.6  # a man's nominal record lists his street name
    arrests: float = 0.4
    arrests_tiny: float = 0.2
    arrested: Span = (1, 2)
    victims_in_arrest: Span = (1, 2)
    bail: float = 0.7
    bail_days: Span = (28, 90)
    charged: float = 0.3
    charge_after: Span = (30, 120)
    taxi_complaints: float = 0.7  # a driver among the men draws complaints
    complaints: Span = (1, 3)
    child_named_in_complaint: float = 0.6
    flat_tenancy: float = 0.6  # a council flat used by the group is let to one of the men
    tenancy_before: int = 400  # days before the group's first activity the tenancy may start
    neighbour_complaints: Span = (1, 4)
    car_at_flat: float = 0.3
    registration_at_flat: float = 0.1


@dataclass(frozen=True)
class Practice:
    """What agencies do around an episode, whoever the child is."""

    carer_reports: float = 0.8  # a child in care is reported by the carer, not a parent
    mother_named: float = 0.7  # the parent on a record is the mother, if there is one
    missing_hours: Span = (3, 60)
    men_as_suspects: float = 0.5  # men found with a victim are recorded as suspects
    social_care_told: float = 0.7  # of a known child's missing episode
    absent_hours: int = 12  # back within this long from a placement ...
    absent_not_missing: float = 0.5  # ... the episode may be recorded as absence
    return_interview: float = 0.6
    interview_after: Span = (0, 3)
    absence_sessions: Span = (1, 10)
    exclusion_parent: float = 0.5
    exclusion_teacher: float = 0.6
    exclusion_days: Span = (1, 5)
    meeting_teacher: float = 0.5
    meeting_youth_worker: float = 0.3
    residential_home: float = 0.5  # else foster carers
    friends_age_gap: int = 2  # years
    friends_from_age: int = 10
    friends_at_outreach: Span = (0, 2)  # named with a child a youth worker meets by day


@dataclass(frozen=True)
class Hubs:
    """How many children a benign hub meets, and from which age."""

    children_met: Span = (15, 60)
    pool_from_age: int = 8  # at the period's end
    smallest_pool: int = 15  # below this, children from the whole town
    first_meeting_age: int = 7
    at_school: tuple[str, ...] = ("teacher", "school_driver")  # meet pupils of their school, on weekdays


@dataclass(frozen=True)
class HubScene:
    """One way a benign hub meets a child on an agency's record.

    `agency` is the book that records it, as an event of `kind` with the hub in `hub_role`; the hub's own
    place, the hospital or nowhere (`at`); `timed` events take a daytime hour. With no agency, `kind` names
    a scene the story plays itself (an outreach session, a child found at a shop, an exclusion).
    """

    upto: float  # upper bound of the roll that picks this scene
    agency: str
    kind: str
    hub_role: str = ""
    summary: str = ""
    at: str = "hub"  # hub, hospital or ""
    timed: bool = False
    vehicle: bool = False
    night: bool = False  # at night rather than by day (implies timed)


HUB_SCENES: dict[str, tuple[HubScene, ...]] = {
    "coach": (
        HubScene(
            0.3,
            "police",
            "police_incident",
            "witness",
            "Disturbance at junior football match; coach gave an account",
            timed=True,
        ),
        HubScene(
            0.6,
            "health",
            "health_attendance",
            "associate",
            "Injury at football training, brought in by coach",
            at="hospital",
        ),
        HubScene(
            0.7,
            "social_care",
            "referral",
            "professional",
            "Referral from football coach: child often hungry at training",
            at="",
        ),
        HubScene(1.0, "", "outreach_with_hub"),
    ),
    "shopkeeper": (
        HubScene(
            0.5,
            "police",
            "police_incident",
            "witness",
            "Shoplifting: sweets and energy drinks, shopkeeper reported",
            timed=True,
        ),
        HubScene(0.65, "", "found_at_hub"),
        HubScene(1.0, "", "outreach_with_hub"),
    ),
    "youth_worker": (
        HubScene(0.7, "", "outreach_by_hub"),
        HubScene(0.9, "social_care", "referral", "professional", "Referral from youth service", at=""),
        HubScene(
            1.0,
            "police",
            "police_incident",
            "professional",
            "Youth worker reported a fight outside the youth centre",
            timed=True,
        ),
    ),
    "teacher": (
        HubScene(0.55, "education", "other", "professional", "Pastoral support meeting"),
        HubScene(0.75, "", "excluded_by_hub"),
        HubScene(
            0.95,
            "social_care",
            "referral",
            "professional",
            "Referral from school designated safeguarding lead",
            at="",
        ),
        HubScene(
            1.0,
            "police",
            "police_incident",
            "witness",
            "Scuffle outside school gates; teacher intervened",
            timed=True,
        ),
    ),
    "school_driver": (
        HubScene(
            1.0,
            "education",
            "other",
            "professional",
            "Home to school transport arranged with {firm}",
            vehicle=True,
        ),
    ),
    # Only in a town made from a variant.
    "takeaway_owner": (
        HubScene(
            0.4,
            "police",
            "police_incident",
            "witness",
            "Youths causing trouble outside the takeaway; owner called police",
            night=True,
        ),
        HubScene(0.6, "", "found_at_hub"),
        HubScene(1.0, "", "outreach_with_hub"),
    ),
    "foster_carer": (  # with the children placed with them
        HubScene(0.35, "health", "health_attendance", "carer", "Brought in by foster carer", at="hospital"),
        HubScene(
            0.7, "education", "other", "carer", "Meeting with foster carer and designated teacher", at=""
        ),
        HubScene(
            1.0,
            "police",
            "police_incident",
            "carer",
            "Foster carer reported child not home by curfew; child returned later",
            at="",
            night=True,
        ),
    ),
}

EVERYDAY = Everyday()
CHILDHOOD = Childhood()
RUNAWAYS = Runaways()
VICTIMS = Victims()
OFFENDERS = Offenders()
PRACTICE = Practice()
HUBS = Hubs()
