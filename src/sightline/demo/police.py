"""The demo's police and intelligence work: operations against the groups the analysis found, with
victims and suspects and each suspect's arrest, bail and charge; victims coming forward every week; and
the hub working through this week's alerts. Written through the services at the times they happened."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from sightline.cases import services as cases
from sightline.cases.models import SuspectStatus
from sightline.demo.staff import Child, Staff, moment
from sightline.intelligence.models import Alert, NetworkMember
from sightline.intelligence.services import do_set_alert_status

OPERATIONS = ["Operation Kestrel", "Operation Linden", "Operation Harrow", "Operation Brook"]
BAIL_CONDITIONS = (
    "Not to contact any victim or witness, directly or through others; not to enter the town centre "
    "between 8pm and 6am; to live and sleep at his home address."
)
CHANNELS = ["phone", "online form", "in person", "via school", "via health", "via a support charity"]
COMING_FORWARD = [
    "Now an adult; describes being groomed and passed between men as a teenager.",
    "Told a school nurse about an older man who gives them lifts and asks them to bring friends.",
    "Called after seeing the campaign; says a younger sister is going to the same flat.",
    "Wants to talk about abuse by taxi drivers when they were in care.",
]
Status = SuspectStatus.Status


@dataclass
class PoliceWork:
    investigations: int = 0
    victims: int = 0
    suspects: int = 0
    on_bail_now: int = 0
    self_referrals: int = 0
    alerts_reviewed: int = 0

    def summary(self) -> str:
        return (
            f"{self.investigations} investigations ({self.victims} victims, {self.suspects} suspects, "
            f"{self.on_bail_now} on bail now), {self.self_referrals} victims coming forward, "
            f"{self.alerts_reviewed} alerts worked on"
        )


def _groups() -> list[tuple[list[str], list[str]]]:
    """(children, adults) of each group alert's network, highest score first."""
    out = []
    for network_id in Alert.objects.filter(kind=Alert.Kind.GROUP, active=True).values_list(
        "subject_id", flat=True
    ):
        members = NetworkMember.objects.filter(network_id=network_id, member_type="person", active=True)
        children = sorted(members.filter(role="child").values_list("member_id", flat=True))
        adults = sorted(members.filter(role="adult").values_list("member_id", flat=True))
        if adults:
            out.append((children, adults))
    if not out:  # a town too small for groups: the adults of concern, together
        adults = sorted(
            Alert.objects.filter(kind=Alert.Kind.ADULT_OF_CONCERN, active=True).values_list(
                "subject_id", flat=True
            )
        )
        if adults:
            out.append(([], adults))
    return out


class Police:
    def __init__(self, staff: Staff, at_risk: list[Child], now: dt.datetime, seed: int) -> None:
        self.staff, self.at_risk, self.now = staff, at_risk, now
        self.today = now.date()
        self.rng = random.Random(f"sightline-demo/{seed}/police/{self.today.isoformat()}")
        self.done = PoliceWork()
        self.investigation_ids: list[str] = []

    def investigations(self) -> None:
        opened_ago = [330, 210, 120, 480]  # days; the oldest one is closed
        for i, (children, adults) in enumerate(_groups()[: len(OPERATIONS)]):
            opened = self.today - dt.timedelta(days=opened_ago[i])
            inv = cases.do_open_investigation(
                self.staff.analyst,
                operation_name=OPERATIONS[i],
                opened_on=opened,
                summary="Sexual exploitation of girls by a group of men around the town centre and its "
                "takeaways; found by the multi-agency network analysis.",
                lead_officer="DI Jane Carr",
            )
            self.investigation_ids.append(inv.id)
            self.done.investigations += 1
            victims = children[:6] or [c.id for c in self.at_risk[:3]]
            for pid in victims:
                cases.do_link_investigation_person(
                    self.staff.analyst,
                    investigation_id=inv.id,
                    person_id=pid,
                    role="victim",
                    linked_on=opened,
                )
                self.done.victims += 1
            closed = i == 3
            for j, pid in enumerate(adults[:5]):
                cases.do_link_investigation_person(
                    self.staff.analyst,
                    investigation_id=inv.id,
                    person_id=pid,
                    role="suspect",
                    linked_on=opened,
                )
                self.done.suspects += 1
                self._suspect(inv.id, pid, opened, j, closed)
            if closed:
                cases.do_close_investigation(
                    self.staff.analyst,
                    investigation_id=inv.id,
                    closed_on=opened + dt.timedelta(days=300),
                    reason="Two men convicted; the others face no further action on the evidence available.",
                )

    def _suspect(self, inv_id: str, pid: str, opened: dt.date, j: int, closed: bool) -> None:
        """Arrest, then bail renewed every three months; one suspect released under investigation, and
        in the closed operation the history ends in conviction or no further action."""
        rng = self.rng

        def record(status: str, on: dt.date, **extra: object) -> None:
            cases.do_record_suspect_status(
                self.staff.analyst, investigation_id=inv_id, person_id=pid, status=status,
                effective_on=on, now=moment(on, 18), **extra,  # type: ignore[arg-type]
            )  # fmt: skip

        arrested = opened + dt.timedelta(days=rng.randint(10, 60))
        if arrested >= self.today:
            return
        record(Status.ARRESTED, arrested)
        if j == 4:
            record(Status.RELEASED_UNDER_INVESTIGATION, arrested + dt.timedelta(days=1))
            return
        on = arrested + dt.timedelta(days=1)
        while on < self.today:
            end = on + dt.timedelta(days=90)
            if closed and end > opened + dt.timedelta(days=290):
                record(Status.CONVICTED if j < 2 else Status.NO_FURTHER_ACTION, on)
                return
            if j == 0 and not closed and on > opened + dt.timedelta(days=200):
                record(Status.CHARGED, on, note="Charged with rape of a child and trafficking.")
                return
            record(Status.BAIL, on, bail_conditions=BAIL_CONDITIONS, bail_end_on=end)
            if end >= self.today:
                self.done.on_bail_now += 1
            on = end

    def self_referrals(self, start: dt.date) -> None:
        rng = self.rng
        day = start
        while day < self.today:
            if rng.random() < 0.6:
                person = rng.choice(self.at_risk).id if self.at_risk and rng.random() < 0.3 else None
                inv = (
                    rng.choice(self.investigation_ids)
                    if self.investigation_ids and rng.random() < 0.3
                    else None
                )
                cases.do_record_self_referral(
                    self.staff.police,
                    received_on=day,
                    person_id=person,
                    investigation_id=inv,
                    channel=rng.choice(CHANNELS),
                    summary=rng.choice(COMING_FORWARD),
                    now=moment(day, 17),
                )
                self.done.self_referrals += 1
            day += dt.timedelta(days=1)

    def alerts(self) -> None:
        """The hub has worked through the top child-at-risk alerts raised by this week's analysis."""
        alerts = list(
            Alert.objects.filter(kind=Alert.Kind.CHILD_AT_RISK, active=True, status=Alert.Status.NEW)
        )
        for i, alert in enumerate(alerts[: max(3, len(alerts) // 2)]):
            status = Alert.Status.ACTIONED if i % 3 != 2 else Alert.Status.UNDER_REVIEW
            reason = "Concern raised and screening booked." if status == Alert.Status.ACTIONED else ""
            do_set_alert_status(self.staff.hub, alert_id=alert.id, status=status, reason=reason)
            self.done.alerts_reviewed += 1


def write_police_work(
    staff: Staff, at_risk: list[Child], now: dt.datetime, seed: int, start: dt.date
) -> PoliceWork:
    police = Police(staff, at_risk, now, seed)
    police.investigations()
    police.self_referrals(start)
    police.alerts()
    return police.done
