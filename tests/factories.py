"""Test data, made through the real services so that every row is ledgered as it would be in use.

Accounts and sign-in, people and the agency records that involve agencies with them, case work, the
sample improvement plan, and generated towns run through import, linkage and analysis. The fixtures in
tests/fixtures.py (``make_user``, ``login``, the users by role) are thin wrappers of these.
"""

from __future__ import annotations

import datetime as dt
import itertools
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from sightline.access.models import User
from sightline.access.services import (
    current_totp_code,
    do_create_api_token,
    do_create_user,
    do_enrol_totp,
    ensure_standard_agencies,
)
from sightline.accountability.models import ResponsePlan
from sightline.accountability.services import do_import_sample_plan
from sightline.cases import services as cases
from sightline.cases.models import Concern, Screening, TriageDecision
from sightline.cli import main
from sightline.ledger.services import SYSTEM, Actor, do_create
from sightline.people.models import Extract, Person, SourceEvent, SourceRecord
from sightline.people.services import do_create_person
from sightline.synthetic import generate_town

TEST_PASSWORD = "correct horse battery staple"

# Actors as the services see them: case data needs no account behind the actor.
COORDINATOR = Actor(user="cse.coord", agency="mash", role="cse_coordinator")
POLICE = Actor(user="pc.officer", agency="police", role="manager")
HEALTH = Actor(user="school.nurse", agency="health", role="manager")
YOUTH = Actor(user="youth.worker", agency="youth_service", role="manager")

# Screening answers: a score of 6 (mild risk) and of 1 (not at risk).
MILD = {"S01": {"current": True}, "V01": {"current": True}}
NOT_AT_RISK = {"V01": {"current": True}}

_serial = itertools.count(1)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """``at(2026, 5, 1, 9)``: that wall-clock time in the deployment's time zone."""
    return timezone.make_aware(dt.datetime(year, month, day, hour, minute))


def on(day: dt.date, hour: int = 10) -> dt.datetime:
    """``hour`` o'clock on ``day``, in the deployment's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


# --- accounts --------------------------------------------------------------------------------------


def agencies() -> None:
    """The standard partner agencies (idempotent)."""
    ensure_standard_agencies()


def user(
    role: str = "practitioner",
    agency: str = "social_care",
    username: str | None = None,
    *,
    totp: bool = True,
    password: str = TEST_PASSWORD,
    demo_account: bool = False,
) -> User:
    """An account of ``role`` at ``agency`` with the password ``TEST_PASSWORD`` and, unless
    ``totp=False``, a confirmed authenticator app, as a real account would have."""
    agencies()
    made = do_create_user(
        SYSTEM,
        username=username or f"{role}-{agency}-{next(_serial)}",
        role=role,
        agency=agency,
        password=password,
        demo_account=demo_account,
    )
    if totp:
        do_enrol_totp(SYSTEM, username=made.username, confirmed=True)
    return made


def totp_code(account: User) -> str:
    """The code the account's authenticator app shows now."""
    return current_totp_code(TOTPDevice.objects.get(user=account))


def signed_in(account: User, client: Client | None = None) -> Client:
    """``client`` (or a new one) signed in as ``account`` as the real sign-in leaves it: authenticated
    and, where the account has an authenticator app, verified with it. Tests of the sign-in itself post
    the forms instead."""
    client = client or Client()
    client.force_login(account, backend="django.contrib.auth.backends.ModelBackend")
    device = TOTPDevice.objects.filter(user=account, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def api_token(account: User, name: str = "test system") -> str:
    """A new API token of ``account``."""
    _row, token = do_create_api_token(SYSTEM, username=account.username, name=name)
    return token


def bearer(account: User) -> dict[str, Any]:
    """Headers for Django's test client that authenticate as ``account`` with a new API token."""
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token(account)}"}


# --- people and agency records ---------------------------------------------------------------------


def person(kind: str = "child", *, actor: Actor = SYSTEM, **fields: Any) -> Person:
    """A person created by hand; ``fields`` are the person's (``given_name``, ``date_of_birth``...)."""
    return do_create_person(actor, kind=kind, **fields)


def child(given_name: str = "Jessica", **fields: Any) -> Person:
    """A child (Jessica Walker, born 14 March 2000, unless ``fields`` say otherwise)."""
    values = {"family_name": "Walker", "date_of_birth": "2000-03-14", **fields}
    return person("child", given_name=given_name, **values)


def adult(given_name: str = "Adult", **fields: Any) -> Person:
    """An adult (a suspect, say), by name only unless ``fields`` say more."""
    return person("adult", given_name=given_name, **{"family_name": "Suspect", **fields})


def extract(agency: str = "police", *, imported_at: dt.datetime | None = None) -> Extract:
    """An imported extract of ``agency``, with nothing in it yet."""
    n = next(_serial)
    return do_create(
        Extract(
            agency_id=agency,
            source_name=f"{agency}-{n}",
            manifest={"format": "multi-agency-extract/1", "agency": agency},
            digest=f"{n:064d}",
            extracted_on=dt.date(2014, 7, 1),
            imported_at=imported_at or timezone.now(),
        ),
        actor=SYSTEM,
    )


def record(
    owner: Person | None,
    agency: str = "police",
    record_id: str | None = None,
    *,
    imported_at: dt.datetime | None = None,
    row_number: int = 2,
    **data: Any,
) -> SourceRecord:
    """A record ``agency`` sent about ``owner`` (in an extract of its own); ``data`` are its columns."""
    agencies()
    record_id = record_id or f"R{next(_serial)}"
    return do_create(
        SourceRecord(
            agency_id=agency,
            record_id=record_id,
            extract=extract(agency, imported_at=imported_at),
            row_number=row_number,
            data={"record_id": record_id, **data},
            person=owner,
            given_name=str(data.get("given_name", "")),
            family_name=str(data.get("family_name", "")),
            date_of_birth=str(data.get("date_of_birth", "")),
            postcode=str(data.get("postcode", "")),
        ),
        actor=SYSTEM,
    )


def event(
    rec: SourceRecord,
    kind: str,
    occurred_on: dt.date,
    event_id: str = "E1",
    *,
    row_number: int = 2,
    **data: Any,
) -> SourceEvent:
    """An event in the record's extract: a missing episode, a strategy meeting..."""
    return do_create(
        SourceEvent(
            agency_id=rec.agency_id,
            event_id=event_id,
            extract=rec.extract,
            row_number=row_number,
            record=rec,
            kind=kind,
            occurred_on=occurred_on,
            data={
                "event_id": event_id,
                "record_id": rec.record_id,
                "kind": kind,
                "occurred_on": occurred_on.isoformat(),
                **data,
            },
        ),
        actor=SYSTEM,
    )


def known_child(
    *agencies_involved: str, given: str = "Kayleigh", family: str = "Brookes", **fields: Any
) -> Person:
    """A child with one record from each of ``agencies_involved`` (so those agencies work with her)."""
    values = {"date_of_birth": "2010-05-04", **fields}
    made = person("child", given_name=given, family_name=family, **values)
    for agency in agencies_involved:
        record(made, agency, given_name=given, family_name=family, date_of_birth=values["date_of_birth"])
    return made


# --- case work ---------------------------------------------------------------------------------------


def concern(
    about: Person,
    raised: dt.datetime | None = None,
    urgency: str = "standard",
    *,
    actor: Actor = SYSTEM,
    what_was_seen: str = "Seen getting into a car with an older man",
    **extra: Any,
) -> Concern:
    """A concern about ``about`` raised at ``raised`` (now by default), about something an hour before."""
    raised = raised or timezone.now()
    return cases.do_raise_concern(
        actor,
        person_id=about.id,
        what_was_seen=what_was_seen,
        occurred_at=extra.pop("occurred_at", raised - dt.timedelta(hours=1)),
        urgency=urgency,
        now=raised,
        **extra,
    )


def triage(
    raised: Concern, decided: dt.datetime, decision: str = "screening", *, actor: Actor = SYSTEM
) -> TriageDecision:
    """The concern's triage; no further action comes with the reason it needs."""
    reason = "checked, no concern" if decision == "no_further_action" else ""
    return cases.do_triage_concern(actor, concern_id=raised.id, decision=decision, reason=reason, now=decided)


def screening(
    screened: Person,
    when: dt.datetime,
    answers: Mapping[str, Any] | None = None,
    *,
    actor: Actor = SYSTEM,
) -> Screening:
    """A screening of ``screened`` at ``when`` (mild risk unless ``answers`` say otherwise)."""
    return cases.do_complete_screening(actor, person_id=screened.id, answers=answers or MILD, now=when)


def sample_plan(actor: Actor = SYSTEM) -> ResponsePlan:
    """The shipped sample improvement plan, imported."""
    agencies()
    return do_import_sample_plan(actor, key="rotherham-2014").plan


# --- generated towns ---------------------------------------------------------------------------------


def generated_town(out: Path, children: int = 60, seed: int = 4) -> Path:
    """A generated town's extracts and truth under ``out``."""
    generate_town(out, children, seed)
    return out


def import_town(generated: Path) -> None:
    """Every extract of a generated town, imported with ``sightline import``."""
    agencies()
    assert main(["import", *sorted(str(p) for p in (generated / "extracts").iterdir())]) == 0


def link_town(model_cache: Path) -> None:
    """``sightline link`` into ``settings.HOME``. Training is the slow part, so the first run's model is
    kept in ``model_cache`` and later runs start from it."""
    cached = model_cache / "model.json"
    model = Path(settings.HOME) / "linkage" / "model.json"
    if cached.exists():
        model.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(cached, model)
    assert main(["link", "--no-progress"]) == 0
    if not cached.exists():
        shutil.copy(model, cached)


def analyse_town() -> None:
    """``sightline analyse`` over what is imported and linked."""
    assert main(["analyse"]) == 0
