"""The world the generated permission matrix runs in: one account (with a token and a signed-in
browser) per role, and one object of every kind that a page or API operation can be asked about.

Case work comes in two copies: about a child every role's agency knows (``in``) and about a child
known only to licensing, an agency no role here works for (``out``). Other objects are not about one
child, so there is one of each. People have names found nowhere else, so a page that shows one can be
caught showing it without a ledger entry.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from sightline.access.models import User
from sightline.access.permissions import Role
from sightline.access.services import (
    actor_for,
    do_create_api_token,
    do_create_user,
    do_enrol_totp,
    ensure_standard_agencies,
    pending_role_change,
)
from sightline.accountability import services as acc
from sightline.accountability.indicators import shipped_definitions
from sightline.accountability.models import Action, Recommendation, ResponsePlan
from sightline.cases import services as cases
from sightline.intelligence.models import Alert, Network, NetworkMember
from sightline.ledger.models import Entry, new_id
from sightline.ledger.services import SYSTEM, do_checkpoint, do_create, integrate
from sightline.notifications.models import Notification
from sightline.outreach import services as outreach
from sightline.people.models import Extract, LinkReview, Person, SourceRecord
from sightline.people.services import do_break_glass, do_merge_people
from sightline.sharing import services as sharing

# Each role works in one agency. Every agency here knows the "in" child; none knows the "out" child.
AGENCY = {
    Role.PRACTITIONER: "social_care",
    Role.DSL: "education",
    Role.CSE_COORDINATOR: "mash",
    Role.ANALYST: "police",
    Role.MANAGER: "social_care",
    Role.BOARD_MEMBER: "mash",
    Role.INDEPENDENT_REVIEWER: "independent_review",
    Role.SYSADMIN: "sightline_ops",
}
ROLE_AGENCIES = sorted(set(AGENCY.values()))
OUTSIDE = "licensing"

# Names that appear nowhere else, so that a response showing one can be found.
NAMES = {
    "in": ("Kimberley", "Inchbald"),
    "out": ("Oriana", "Outhwaite"),
    "spare": ("Sorcha", "Sparrowhawk"),
    "merged": ("Maisie", "Mergatroyd"),
}


@dataclass
class World:
    users: dict[str, User]
    tokens: dict[str, str]
    clients: dict[str, Client]
    # kind -> variant ("in", "out", or "" for objects not about one child) -> id
    ids: dict[str, dict[str, str]] = field(default_factory=dict)
    people: dict[str, str] = field(default_factory=dict)  # given name -> the person's id
    baseline: dict[int, set[str]] = field(default_factory=dict)  # user pk -> people they may open

    def id(self, kind: str, variant: str) -> str:
        by_variant = self.ids[kind]
        return by_variant.get(variant) or by_variant[""]


_n = {"i": 0}


def _record(agency: str, person: Person, given: str, family: str) -> SourceRecord:
    _n["i"] += 1
    extract = do_create(
        Extract(
            agency_id=agency,
            source_name=f"matrix-{_n['i']}",
            digest=f"{_n['i']:064d}",
            extracted_on=dt.date(2025, 1, 1),
            imported_at=timezone.now(),
            manifest={"agency": agency},
        ),
        actor=SYSTEM,
    )
    rid = f"{agency[:3].upper()}-{_n['i']}"
    return do_create(
        SourceRecord(
            agency_id=agency,
            record_id=rid,
            extract=extract,
            row_number=2,
            data={"record_id": rid, "given_name": given},
            person=person,
            given_name=given,
            family_name=family,
        ),
        actor=SYSTEM,
    )


def _child(key: str, agencies: list[str]) -> tuple[Person, list[SourceRecord]]:
    given, family = NAMES[key]
    person = do_create(
        Person(kind="child", given_name=given, family_name=family, date_of_birth="2011-05-03"), actor=SYSTEM
    )
    return person, [_record(a, person, given, family) for a in agencies]


def _user(role: str, agency: str, username: str) -> User:
    user = do_create_user(SYSTEM, username=username, role=role, agency=agency, password="matrix passphrase 1")
    do_enrol_totp(SYSTEM, username=username, confirmed=True)
    return user


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()
    return client


def _case_work(key: str, person: Person, owner: str, world: World) -> None:
    """A concern, plan with an action, episodes (one open, one ended with an interview offered), a
    placement and a screening about the child, written by someone of ``owner``'s agency."""
    lic = world.users[owner]
    who = actor_for(lic)
    now = timezone.now()
    # The child's name in what was typed, so that a list showing the text is caught showing the child.
    given = person.given_name
    concern = cases.do_raise_concern(
        who,
        person_id=person.id,
        what_was_seen=f"{given} seen with older men",
        occurred_at=now - dt.timedelta(days=2),
        urgency="standard",
    )
    plan = cases.do_create_plan(
        who,
        person_id=person.id,
        title=f"{given}: sexual health",
        review_due_on=dt.date.today() - dt.timedelta(days=3),
    )
    action = cases.do_add_plan_action(
        who,
        plan_id=plan.id,
        description=f"{given} to be taken to the clinic",
        owner_agency=lic.agency_id or "",
        due_on=dt.date.today() - dt.timedelta(days=2),
    )
    open_episode = cases.do_record_missing_episode(
        who, person_id=person.id, category="M", started_at=now - dt.timedelta(hours=5)
    )
    ended = cases.do_record_missing_episode(
        who,
        person_id=person.id,
        category="A",
        started_at=now - dt.timedelta(days=3),
        ended_at=now - dt.timedelta(days=2, hours=20),
    )
    interview = cases.do_offer_return_interview(
        who, episode_id=ended.id, offered_at=now - dt.timedelta(days=2)
    )
    placement = cases.do_start_placement(
        who,
        person_id=person.id,
        placement_type="foster",
        started_on=dt.date.today() - dt.timedelta(days=30),
        in_area=True,
        placing_authority="Sightline Borough Council",
    )
    cases.do_complete_screening(SYSTEM, person_id=person.id, answers={"V01": {"current": True}})
    for kind, obj in [
        ("concern", concern),
        ("plan", plan),
        ("plan action", action),
        ("open episode", open_episode),
        ("episode", ended),
        ("interview", interview),
        ("placement", placement),
    ]:
        world.ids.setdefault(kind, {})[key] = obj.id
    integrate()
    cited = Entry.objects.filter(object_type=open_episode.ledger_type(), object_id=open_episode.id).first()
    assert cited is not None
    world.ids.setdefault("chronology entry", {})[key] = str(cited.index)


def _alert_about(person: Person, key: str, alert_id: str) -> Alert:
    return do_create(
        Alert(
            id=alert_id,
            kind="child_at_risk",
            subject_id=person.id,
            subject_label=" ".join(NAMES[key]),
            score=11.0,
            first_raised_at=timezone.now(),
            reasons="Seen with older men.",
        ),
        actor=SYSTEM,
    )


def _outreach(world: World, out_alert: Alert, inside: Person, spare: Person) -> None:
    """Outreach to each child, assigned to a team of the agency that knows them (the "in" child's to
    social care, where the practitioner and manager work), and an alert with no outreach yet about a
    child every role's agency knows, to assign from."""
    in_alert = _alert_about(inside, "in", "A-MATRIX-IN")
    for key, source, agency, worker in [
        ("in", in_alert, "social_care", "inside"),
        ("out", out_alert, OUTSIDE, "lic"),
    ]:
        made = outreach.do_assign_outreach(SYSTEM, alert_id=source.id, agency=agency, worker=worker)
        world.ids.setdefault("outreach", {})[key] = made.id
    world.ids["outreach alert"] = {"": _alert_about(spare, "spare", "A-MATRIX-SPARE").id}


def _sharing(world: World, inside: Person, outside: Person) -> None:
    """A sharing decision about each child (the reviewer's list names both), and a section 47 enquiry
    about each: the "in" one led by social care with the designated safeguarding lead and the analyst
    as members, the "out" one by licensing with only its practitioner."""
    for key, person, opener, members in [
        ("in", inside, "inside", ["as-dsl", "as-analyst"]),
        ("out", outside, "lic", []),
    ]:
        sharing.do_record_sharing_decision(
            SYSTEM, person_id=person.id, recipients=["police"], what="Missing episodes", outcome="shared"
        )
        workspace = sharing.do_open_workspace(actor_for(world.users[opener]), person_id=person.id)
        for username in members:
            sharing.do_add_member(SYSTEM, workspace_id=workspace.id, username=username)
        member = members[0] if members else opener
        task = sharing.do_add_task(
            SYSTEM,
            workspace_id=workspace.id,
            description="Visit",
            assignee=member,
            due_on=dt.date.today() + dt.timedelta(days=3),
        )
        world.ids.setdefault("s47 workspace", {})[key] = workspace.id
        world.ids.setdefault("s47 task", {})[key] = task.id
        world.ids.setdefault("s47 member", {})[key] = member


def _notifications(world: World, inside: Person, outside: Person) -> None:
    """A notification about each child for every account: the inbox must name only the children the
    account may open, and ledger them."""
    for user in world.users.values():
        for person in (inside, outside):
            Notification.objects.create(
                id=new_id("NT"),
                user=user,
                person_id=person.id,
                kind="missing",
                occurred_on=dt.date(2025, 1, 3),
                agency=OUTSIDE,
                source_type="cases.missingepisode",
                source_id=new_id("ME"),
                basis="plan",
                created_at=timezone.now(),
            )


def build_world() -> World:
    ensure_standard_agencies()
    users = {str(role): _user(role, agency, f"as-{role}") for role, agency in AGENCY.items()}
    tokens = {
        role: do_create_api_token(SYSTEM, username=user.username, name="matrix")[1]
        for role, user in users.items()
    }
    world = World(users=users, tokens=tokens, clients={r: _signed_in(u) for r, u in users.items()})
    # Helpers that are none of the roles above: a licensing practitioner, a second administrator.
    world.users["lic"] = _user(Role.PRACTITIONER, OUTSIDE, "lic")
    world.users["inside"] = _user(Role.PRACTITIONER, "social_care", "inside")
    target = _user(Role.BOARD_MEMBER, "mash", "target")

    inside, in_records = _child("in", ROLE_AGENCIES)
    outside, out_records = _child("out", [OUTSIDE])
    spare, _ = _child("spare", ROLE_AGENCIES)
    merged, _ = _child("merged", ROLE_AGENCIES)
    do_merge_people(SYSTEM, source_id=merged.id, target_id=spare.id, reason="the same child")
    for key, person in [("in", inside), ("out", outside), ("spare", spare), ("merged", merged)]:
        world.people[NAMES[key][0]] = person.id
    world.ids["person"] = {"in": inside.id, "out": outside.id}
    world.ids["spare person"] = {"": spare.id}
    world.ids["merged person"] = {"": merged.id}
    _case_work("in", inside, "inside", world)
    _case_work("out", outside, "lic", world)

    # An investigation naming each child as a suspect: opening one checks need to know on everyone named.
    for key, person in [("in", inside), ("out", outside)]:
        investigation = cases.do_open_investigation(
            SYSTEM, operation_name=f"Operation {key}", opened_on=dt.date(2025, 1, 2)
        )
        cases.do_link_investigation_person(
            SYSTEM, investigation_id=investigation.id, person_id=person.id, role="suspect"
        )
        world.ids.setdefault("investigation", {})[key] = investigation.id
    world.ids["operation"] = {"": world.ids["investigation"]["out"]}
    # Not about one child.
    grant = do_break_glass(world.users["lic"], person_id=inside.id, reason="Matrix grant waiting for review")
    alert = do_create(
        Alert(
            id="A-MATRIX",
            kind="child_at_risk",
            subject_id=outside.id,
            subject_label=" ".join(NAMES["out"]),
            score=12.0,
            first_raised_at=timezone.now(),
            reasons="Missing twice.",
        ),
        actor=SYSTEM,
    )
    _outreach(world, alert, inside, spare)
    _notifications(world, inside, outside)
    _sharing(world, inside, outside)
    network = do_create(
        Network(
            id="N-MATRIX",
            label=f"Group around {' '.join(NAMES['out'])} (2 members)",  # names a child: lists ledger her
            name_without_person="Group around a child outside your access (2 members)",
            named_person=outside.id,
            size=2,
            children=2,
            adults=0,
            score=3.0,
            links=[],
        ),
        actor=SYSTEM,
    )
    for person, key in [(inside, "in"), (outside, "out")]:
        do_create(
            NetworkMember(
                network=network,
                member_type="person",
                member_id=person.id,
                label=" ".join(NAMES[key]),
                role="child",
            ),
            actor=SYSTEM,
        )
    left, right = sorted(
        [f"{in_records[0].agency_id}:{in_records[0].record_id}", f"{OUTSIDE}:{out_records[0].record_id}"]
    )
    review = do_create(
        LinkReview(
            record_key_l=left,
            record_key_r=right,
            match_probability=0.6,
            match_weight=1.0,
            raised_at=timezone.now(),
            group="LGmatrix",
            group_kind="household",
        ),
        actor=SYSTEM,
    )
    change = pending_role_change(SYSTEM, user=target, role=Role.ANALYST, reason="moving to the hub")
    acc.do_import_sample_plan(SYSTEM, key="rotherham-2014")
    acc_action = Action.objects.order_by("ref").first()
    assert acc_action is not None
    evidence = acc.do_add_document(
        SYSTEM, action_id=acc_action.id, stream=io.BytesIO(b"%PDF-1.4 minutes"), file_name="minutes.pdf"
    )
    event = acc.do_record_engagement_event(
        actor=SYSTEM, title="Drop-in", event_on=dt.date(2025, 3, 1), organised_by="youth_service"
    )
    protected = acc.do_raise_protected_concern(
        actor=actor_for(world.users["lic"]), about="service", what_happened="Referrals were not answered"
    )
    indicator = shipped_definitions()[0]
    integrate()
    checkpoint = do_checkpoint()
    plan = ResponsePlan.objects.get()
    rec = Recommendation.objects.order_by("ref").first()
    assert rec is not None
    world.ids.update(
        {
            "grant": {"": grant.id},
            "alert": {"": alert.id},
            "network": {"": network.id},
            "link review": {"": review.id},
            "link review group": {"": review.group},
            "account": {"": target.username},
            "account action": {"": "deactivate"},
            "role change": {"": change.id},
            "ledger entry": {"": "1"},
            "checkpoint": {"": str(checkpoint.id)},
            "accountability plan": {"": plan.key},
            "recommendation": {"": rec.id},
            "accountability action": {"": acc_action.id},
            "evidence": {"": evidence.id},
            "engagement event": {"": event.id},
            "indicator": {"": indicator.key},
            "protected concern": {"": protected.id},
            "record keys": {"": f"{left}|{right}"},
        }
    )
    return world
