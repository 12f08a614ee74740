"""The demo's duties to share: sharing decisions about a child at risk (one not shared because it
would be more detrimental to her), reasons recorded for children with no NHS number, and a section 47
enquiry with its team from social work, education, health and police, their tasks and a decision.

Deterministic: the highest-scoring child at risk whom social care, education and health all know."""

from __future__ import annotations

import argparse
import datetime as dt

from django.utils import timezone

from sightline.access.models import User
from sightline.access.services import actor_for, create_demo_users
from sightline.demo.staff import town_children
from sightline.ledger.services import Actor
from sightline.people import nhs
from sightline.people.need_to_know import visible_people
from sightline.people.selectors import person_group_ids
from sightline.sharing import services
from sightline.sharing.models import SharingDecision

SOCIAL, SCHOOL, HEALTH, POLICE = "demo-practitioner", "demo-school-dsl", "demo-health", "demo-police"


def _actor(username: str) -> Actor:
    return actor_for(User.objects.get(username=username))


def step_sharing(args: argparse.Namespace) -> None:  # noqa: ARG001  # every step takes the arguments
    if SharingDecision.objects.exists():
        print("      sharing decisions are already recorded")
        return
    create_demo_users()  # the health account, for demo homes made before it existed
    today = timezone.localdate()
    at_risk, others = town_children(today)
    seen = {
        name: set(visible_people(User.objects.get(username=name)).values_list("pk", flat=True))
        for name in (SOCIAL, SCHOOL, HEALTH)
    }
    known_to_all = [c for c in at_risk if all(c.id in ids for ids in seen.values())]
    known = known_to_all or [c for c in at_risk if c.id in seen[SOCIAL]]
    if not known:
        print("      no child at risk that social care knows: nothing to record")
        return
    child = known[0].id
    social, school, health = _actor(SOCIAL), _actor(SCHOOL), _actor(HEALTH)
    services.do_record_sharing_decision(
        social,
        person_id=child,
        recipients=["police", "education"],
        what="Missing episodes this month and the return interview's account of the older men.",
        outcome="shared",
        decided_on=today - dt.timedelta(days=9),
    )
    services.do_record_sharing_decision(
        health if known_to_all else social,
        person_id=child,
        recipients=["police"],
        what="The sexual health clinic's notes of her disclosure, asked for by police.",
        outcome="not_shared",
        reason_code=SharingDecision.Reason.MORE_DETRIMENTAL,
        reason="She disclosed on the promise that the clinic would not tell the police yet; sharing now "
        "would end her only trusted contact. The clinic will share if she is at immediate risk.",
        decided_on=today - dt.timedelta(days=7),
    )
    services.do_record_sharing_decision(
        school if known_to_all else social,
        person_id=child,
        recipients=["social_care"],
        what="Attendance and the pastoral lead's notes.",
        outcome="shared",
        decided_on=today - dt.timedelta(days=6),
    )
    # Reasons for children without an NHS number (the first few, so the record shows them).
    reasons = ["not_yet_traced", "not_known_to_health", "not_applicable_non_uk"]
    statuses = 0
    for other in [c for c in at_risk[1:] + others if c.id in seen[SOCIAL]]:
        if statuses == len(reasons):
            break
        if nhs.holdings(person_group_ids(other.id)):
            continue
        nhs.do_record_nhs_status(social, person_id=other.id, reason_code=reasons[statuses])
        statuses += 1
    # The strategy discussion five days ago opened the enquiry with its team; they decided yesterday.
    opened = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=5), dt.time(10)))
    workspace = services.do_open_workspace(
        social,
        person_id=child,
        summary="Disclosure to the school nurse of sexual activity with an adult; missing twice this month.",
        opened_on=opened.date(),
        now=opened,
    )
    for member in (SCHOOL, HEALTH, POLICE):
        services.do_add_member(social, workspace_id=workspace.id, username=member, now=opened)
    due = today + dt.timedelta(days=3)
    tasks = [
        ("Joint visit with police to speak with her at school", POLICE),
        ("Check attendance and who collects her", SCHOOL),
        ("Health assessment with the school nurse she trusts", HEALTH),
    ]
    made = [
        services.do_add_task(social, workspace_id=workspace.id, description=text, assignee=who, due_on=due)
        for text, who in tasks
    ]
    services.do_complete_task(_actor(SCHOOL), workspace_id=workspace.id, task_id=made[1].id)
    services.do_record_joint_decision(
        social,
        workspace_id=workspace.id,
        decision="The threshold for significant harm is met: convene an initial child protection conference "
        "within 15 working days.",
        outcome="icpc",
        agreed_by=[SOCIAL, SCHOOL, HEALTH, POLICE],
        decided_on=today - dt.timedelta(days=1),
        now=timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=1), dt.time(15))),
    )
    print(f"      3 sharing decisions, {statuses} NHS number reasons, a section 47 enquiry ({workspace.id})")
