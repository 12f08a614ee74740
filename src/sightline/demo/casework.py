"""Sixteen months of the demo's case work, written through the case services as the demo's staff would
have, each at the time it happened: concerns and triage, screenings and re-screens, missing episodes and
return interviews, placements and children's plans. The same seed and day give the same story.

The volumes follow the town's size (a 5,000-child town has about 20 concerns a month) and leave today
the loose ends of a working day: concerns waiting for triage, re-screens due, a child missing now.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from sightline.cases import selectors as case_selectors
from sightline.cases import services as cases
from sightline.cases.deadlines import add_months
from sightline.cases.models import MissingEpisode, Placement, TriageDecision
from sightline.demo.staff import Child, Staff, moment, working_time
from sightline.ledger.services import Actor
from sightline.people.models import SourceEvent

HISTORY_MONTHS = 16  # the public statistics' four quarters start up to 15 months back
Decision = TriageDecision.Decision

SEEN = {
    "police": [
        "Found in the early hours in a car with two adult men near the taxi rank.",
        "Reported missing overnight; came back with a new phone and would not say where they had been.",
        "Seen going into a takeaway's back door after closing with an older man.",
    ],
    "social_care": [
        "Carer reports the child came home at 3am smelling of alcohol, with money they cannot explain.",
        "Told their key worker about a man in his twenties who collects them from school.",
        "Keeps going missing from placement for a night at a time; friends say they are at a party flat.",
    ],
    "education": [
        "New phone, clothes and trainers; says an older friend bought them.",
        "Attendance has fallen sharply; picked up at lunchtime by men in different cars.",
        "A friend told a teacher the child is being made to meet men at a flat in town.",
    ],
    "mash": ["Partner agency intelligence shared at the daily hub meeting about adults around the child."],
}
NFA_REASONS = [
    "Checks with the school and family show no exploitation concern; normal teenage behaviour.",
    "Already known; the open plan covers this and the allocated worker has been told.",
]
# Answers that score into each band of the shipped indicator set (vulnerabilities count once).
BAND_ANSWERS: dict[str, tuple[int, int, int]] = {  # significant now, moderate, vulnerabilities
    "significant": (3, 1, 1),
    "moderate": (1, 5, 2),
    "mild": (1, 1, 1),
    "not_at_risk": (0, 2, 1),
}
SIGNIFICANT = ["S01", "S02", "S03", "S04", "S05", "S06", "S07", "S08"]
MODERATE = ["M01", "M02", "M03", "M04", "M05", "M06", "M07", "M08", "M09", "M10"]
VULNERABILITY = ["V01", "V02", "V03", "V04", "V05", "V06", "V07", "V08", "V09"]
PROVIDERS = {
    True: ["Oak Lodge children's home", "Family foster carers, Kimberworth"],
    False: ["Hilltop House, Leeds", "Independent fostering agency, Manchester", "Moorside, Bradford"],
}
WHERE_FOUND = ["At a friend's house", "In the town centre", "At a flat above a takeaway", "Returned home"]


@dataclass
class Casework:
    concerns: int = 0
    triaged: int = 0
    screenings: int = 0
    episodes: int = 0
    interviews: int = 0
    placements: int = 0
    plans: int = 0
    screened_children: set[str] = field(default_factory=set)

    def summary(self) -> str:
        return (
            f"{self.concerns} concerns ({self.triaged} triaged), {self.screenings} screenings of "
            f"{len(self.screened_children)} children, {self.episodes} missing episodes "
            f"({self.interviews} return interviews offered), {self.placements} placements, {self.plans} plans"
        )


def office_hours(at: dt.datetime) -> dt.datetime:
    """The same moment if it falls on a weekday between 8am and 6pm, else the next such morning."""
    local = timezone.localtime(at)
    if local.weekday() < 5 and 8 <= local.hour < 18:
        return at
    day = local.date() + dt.timedelta(days=local.hour >= 18)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return moment(day, 8 + local.minute % 3, local.minute)


def history_start(today: dt.date) -> dt.date:
    return add_months(today, -HISTORY_MONTHS)


class Story:
    """Writes the case work of the months from ``start`` to ``now``."""

    def __init__(
        self, staff: Staff, at_risk: list[Child], others: list[Child], now: dt.datetime, seed: int
    ) -> None:
        self.staff, self.at_risk, self.others, self.now = staff, at_risk, others, now
        self.today = now.date()
        self.start = history_start(self.today)
        self.rng = random.Random(f"sightline-demo/{seed}/{self.today.isoformat()}")
        self.done = Casework()
        self.news: dict[str, list[dt.datetime]] = {}  # when Sightline learnt something new, by child
        self.screened: set[str] = set()
        town = len(at_risk) + len(others)
        self.per_month = max(6, town // 120)

    # --- helpers --------------------------------------------------------------------------------

    def _when(self, earliest: dt.datetime, hours: float, office: bool = False) -> dt.datetime | None:
        """``hours`` after ``earliest`` (moved into office hours if ``office``), or None if that is
        still to come."""
        at = earliest + dt.timedelta(hours=hours)
        if office:
            at = office_hours(at)
        return at if at < self.now - dt.timedelta(minutes=10) else None

    def _pick(self, weight_at_risk: float) -> Child:
        pool = self.at_risk if self.at_risk and self.rng.random() < weight_at_risk else self.others
        pool = pool or self.at_risk
        # every child of a short list has case work; of a long one, the top two thirds
        top = pool[: max(6, len(pool) * 2 // 3)] if pool is self.at_risk else pool
        return self.rng.choice(top)

    def _spread(self, per_month: int, last: dt.date) -> list[dt.date]:
        """Days for ``per_month`` things a month (give or take a fifth) from the start to ``last``: every
        month gets its share, so no month of the indicators is empty by chance."""
        out: list[dt.date] = []
        first = self.start
        while first <= last:
            following = add_months(first.replace(day=1), 1)
            span = (min(following, last + dt.timedelta(days=1)) - first).days
            share = per_month * span / 30 * self.rng.uniform(0.8, 1.2)
            count = max(1, round(share)) if span >= 7 else round(share)
            out += sorted(first + dt.timedelta(days=self.rng.randrange(span)) for _ in range(count))
            first = following
        return out

    # --- concerns, triage and screening --------------------------------------------------------------

    def concerns(self) -> None:
        for day in self._spread(self.per_month, self.today):
            self._concern(day)

    def triage_queue(self) -> None:
        """Today's queue: a concern raised this morning, and two that have waited past their deadline."""
        for hours, urgent in ((2, False), (26, True), (100, False)):
            child = self._pick(0.5)
            actor = self.staff.raiser_for(child.agencies, self.rng)
            self._raise(child, actor, self.now - dt.timedelta(hours=hours), urgent)

    def _concern(self, day: dt.date) -> None:
        rng = self.rng
        child = self._pick(0.5)
        actor = self.staff.raiser_for(child.agencies, rng)
        raised = working_time(rng, day, late=actor is self.staff.police)
        if raised > self.now - dt.timedelta(minutes=30):
            return
        urgent = rng.random() < (0.4 if child.score else 0.1)
        concern_id = self._raise(child, actor, raised, urgent)
        hours = rng.uniform(1, 20) if urgent else rng.lognormvariate(3.0, 0.7)
        decided = self._when(raised, hours, office=not urgent)
        if decided is None or (raised > self.now - dt.timedelta(days=4) and rng.random() < 0.4):
            return  # waits in today's triage queue, perhaps past its deadline
        if child.score:
            decision = rng.choice([Decision.SCREENING] * 3 + [Decision.STRATEGY_MEETING, Decision.REFERRAL])
        else:
            decision = rng.choice([Decision.NO_FURTHER_ACTION, Decision.ADVICE, Decision.REFERRAL])
        reason = rng.choice(NFA_REASONS) if decision == Decision.NO_FURTHER_ACTION else ""
        cases.do_triage_concern(
            self.staff.hub, concern_id=concern_id, decision=decision, reason=reason, now=decided
        )
        self.done.triaged += 1
        if child.score and decision != Decision.ADVICE:
            self._screenings(child, concern_id, decided)

    def _raise(self, child: Child, actor: Actor, raised: dt.datetime, urgent: bool) -> str:
        rng = self.rng
        concern = cases.do_raise_concern(
            actor,
            person_id=child.id,
            what_was_seen=rng.choice(SEEN[actor.agency]),
            occurred_at=raised - dt.timedelta(hours=rng.randint(1, 72)),
            urgency="urgent" if urgent else "standard",
            indicators=sorted(rng.sample(MODERATE[:6] + SIGNIFICANT[:4], rng.randint(1, 3))),
            now=raised,
        )
        self.done.concerns += 1
        return concern.id

    def _band(self, child: Child, first: bool) -> str:
        if not child.score:
            return self.rng.choice(["not_at_risk", "mild"])
        weights = [0.1, 0.3, 0.35, 0.25] if first else [0.2, 0.35, 0.3, 0.15]
        return self.rng.choices(["not_at_risk", "mild", "moderate", "significant"], weights)[0]

    def _answers(self, band: str) -> dict[str, dict[str, bool]]:
        rng = self.rng
        significant, moderate, vulnerable = BAND_ANSWERS[band]
        answers = {code: {"current": True, "earlier": False} for code in rng.sample(SIGNIFICANT, significant)}
        for code in rng.sample(MODERATE, moderate) + rng.sample(VULNERABILITY, vulnerable):
            answers[code] = {"current": True, "earlier": False}
        return answers

    def _screenings(self, child: Child, concern_id: str, decided: dt.datetime) -> None:
        """The first screening within days of triage; then a re-screen when Sightline learns something
        new about the child (an incident, an episode, an interview), or at the latest every three months.
        Some are late, and the newest news may still be waiting for one."""
        if child.id in self.screened:
            return  # already screened regularly: this concern joins the same work
        self.screened.add(child.id)
        rng = self.rng
        news = self.news.get(child.id, [])
        at = self._when(decided, rng.uniform(4, 24 * 8), office=True)
        first = True
        while at is not None:
            actor = self.staff.hub if rng.random() < 0.7 else self.staff.manager
            cases.do_complete_screening(
                actor,
                person_id=child.id,
                answers=self._answers(self._band(child, first)),
                concern_id=concern_id if first else None,
                notes="Screened with the child's social worker and school." if first else "",
                now=at,
            )
            self.done.screenings += 1
            self.done.screened_children.add(child.id)
            first = False
            due = at + dt.timedelta(days=rng.uniform(95, 130) if rng.random() < 0.15 else rng.uniform(80, 91))
            learnt = next((when for when in news if when > at), None)
            if learnt is not None:
                delay = rng.uniform(1, 10) if rng.random() < 0.85 else rng.uniform(20, 45)
                due = min(due, max(learnt + dt.timedelta(days=delay), at + dt.timedelta(days=28)))
            at = self._when(due, 0, office=True)

    def learn_news(self) -> None:
        """When Sightline learnt of each agency incident, missing episode or return interview about an
        at-risk child: an event is known once the extract holding it was imported."""
        kinds = case_selectors.rescreen_triggers()
        ids = [c.id for c in self.at_risk]
        events = SourceEvent.objects.filter(kind__in=kinds, record__person_id__in=ids).values_list(
            "record__person_id", "occurred_on", "extract__imported_at"
        )
        for pid, occurred, imported in events.iterator(chunk_size=5000):
            self.news.setdefault(pid, []).append(max(moment(occurred, 23, 59), imported))
        for items in self.news.values():
            items.sort()

    # --- missing episodes ---------------------------------------------------------------------------

    def episodes(self) -> None:
        for day in self._spread(max(3, self.per_month * 6 // 10), self.today - dt.timedelta(days=1)):
            self._episode(self._pick(0.75), day)
        if self.at_risk:  # one child is missing now
            child = self.at_risk[0]
            cases.do_record_missing_episode(
                self.staff.social,
                person_id=child.id,
                category=MissingEpisode.Category.MISSING,
                started_at=self.now - dt.timedelta(hours=20),
                notes="Did not return to placement last night; police informed.",
                now=self.now - dt.timedelta(hours=19),
            )
            self.done.episodes += 1

    def _episode(self, child: Child, day: dt.date) -> None:
        rng = self.rng
        started = moment(day, rng.choice([16, 18, 20, 21, 22, 23]), rng.randint(0, 59))
        ended = self._when(started, rng.uniform(3, 60))
        if ended is None:
            return
        recorded = self._when(ended, 1) or self.now - dt.timedelta(minutes=15)
        episode = cases.do_record_missing_episode(
            self.staff.social,
            person_id=child.id,
            category=rng.choice([MissingEpisode.Category.MISSING] * 3 + [MissingEpisode.Category.ABSENT]),
            started_at=started,
            ended_at=ended,
            where_found=rng.choice(WHERE_FOUND),
            now=recorded,
        )
        self.done.episodes += 1
        self.news.setdefault(child.id, []).append(recorded)
        roll = rng.random()
        hours = rng.uniform(4, 70) if roll < 0.86 else rng.uniform(80, 200)
        if roll >= 0.95 and ended > self.now - dt.timedelta(days=6):
            return  # this week's: not offered yet, so due or overdue on Home
        offered = self._when(ended, hours, office=True)
        if offered is None:
            return
        interview = cases.do_offer_return_interview(
            self.staff.social, episode_id=episode.id, offered_at=offered, now=offered
        )
        self.news[child.id].append(offered)
        self.done.interviews += 1
        answered = self._when(offered, rng.uniform(6, 72), office=True)
        if answered is None:
            return
        accepted = rng.random() < 0.7
        if accepted:
            self.news[child.id].append(answered)
        cases.do_record_return_interview_response(
            self.staff.social,
            interview_id=interview.id,
            response="accepted" if accepted else "declined",
            held_at=answered if accepted else None,
            outcome="Talked about where they stayed and who with; safety plan agreed." if accepted else "",
            now=answered,
        )

    # --- placements and children's plans --------------------------------------------------------------

    def placements(self, authority: Callable[[], str] = case_selectors.local_authority) -> None:
        rng = self.rng
        council = authority() or "Sightline Borough Council"
        for i, child in enumerate(self.at_risk[1 : 1 + max(3, len(self.at_risk) // 12)]):
            out_of_area = i % 3 != 1
            started = self.today - dt.timedelta(days=rng.randint(60, 700))
            ended = None
            if i % 4 == 3:
                ended = min(self.today, started + dt.timedelta(days=rng.randint(30, 200)))
            cases.do_start_placement(
                self.staff.social,
                person_id=child.id,
                placement_type=rng.choice([Placement.Type.CHILDRENS_HOME, Placement.Type.FOSTER]),
                started_on=started,
                ended_on=ended,
                in_area=not out_of_area,
                placing_authority=council,
                provider=rng.choice(PROVIDERS[not out_of_area]),
            )
            self.done.placements += 1

    def plans(self) -> None:
        rng = self.rng
        for child in self.at_risk[: max(2, len(self.at_risk) // 8)]:
            made = moment(self.today - dt.timedelta(days=rng.randint(20, 150)), 11)
            plan = cases.do_create_plan(
                self.staff.social,
                person_id=child.id,
                title="Child in need plan: sexual exploitation",
                review_due_on=(made + dt.timedelta(weeks=12)).date(),
                summary="Keep the child safe from the adults around them and rebuild school and family ties.",
                now=made,
            )
            owners: list[tuple[str, Actor, str]] = [
                ("Weekly direct work sessions with the allocated worker.", self.staff.social, "social_care"),
                (
                    "Disrupt the adults seen with the child: intelligence to the CSE team.",
                    self.staff.police,
                    "police",
                ),
                (
                    "Agree a safe route to and from school with the designated safeguarding lead.",
                    self.staff.school,
                    "education",
                ),
            ]
            for description, owner, agency in owners:
                action = cases.do_add_plan_action(
                    self.staff.social,
                    plan_id=plan.id,
                    description=description,
                    owner_agency=agency,
                    owner_user=owner.user,
                    due_on=(made + dt.timedelta(days=rng.randint(14, 90))).date(),
                    now=made,
                )
                recent = action.due_on >= self.today - dt.timedelta(days=14)
                if action.due_on < self.today and (not recent or rng.random() < 0.6):
                    done_on = action.due_on + dt.timedelta(days=rng.choice([-3, -1, 0, 2, 6]))
                    cases.do_update_plan_action(
                        self.staff.social,
                        action_id=action.id,
                        status="done",
                        now=moment(min(done_on, self.today - dt.timedelta(days=1)), 15),
                    )
            self._reviews(plan.id, (made + dt.timedelta(weeks=12)).date())
            self.done.plans += 1

    def _reviews(self, plan_id: str, due: dt.date) -> None:
        """Reviews every twelve weeks, on time or nearly; the latest may be a few days late."""
        while True:
            held = due + dt.timedelta(days=self.rng.randint(-5, 4))
            if held >= self.today:
                return
            cases.do_review_plan(
                self.staff.social,
                plan_id=plan_id,
                summary="Reviewed with the child, their family and the agencies: the plan continues.",
                reviewed_on=held,
                next_review_on=held + dt.timedelta(weeks=12),
                now=moment(held, 14),
            )
            due = held + dt.timedelta(weeks=12)


def write_casework(
    staff: Staff, at_risk: list[Child], others: list[Child], now: dt.datetime, seed: int
) -> Casework:
    story = Story(staff, at_risk, others, now, seed)
    story.episodes()
    story.learn_news()
    story.concerns()
    story.triage_queue()
    story.placements()
    story.plans()
    return story.done
