"""Writes for accounts and access: agencies, accounts, second factors, sign-in events, break-glass
grants and API tokens. Every change is ledgered in the same transaction.

Services take the acting ledger actor first and everything else by keyword; accounts are named by
username (their id in the ledger), grants and tokens by id. Users are Django auth users (not ledgered
rows), so each change to one is recorded with ``record_action`` carrying the account's snapshot
without its password hash. Break-glass grants and API tokens are ledgered rows written through
``do_create``/``do_update``.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import qrcode
import qrcode.image.svg
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from sightline.access.models import (
    TOKEN_DOMAINS,
    TOKEN_MODES,
    TOKEN_SCOPES,
    Agency,
    ApiToken,
    ApiTokenUse,
    BreakGlass,
    RoleChangeRequest,
    User,
)
from sightline.access.permissions import (
    CASE_DATA_CAPS,
    MATRIX,
    SECOND_FACTOR_CAPS,
    Cap,
    Role,
    can,
    capabilities,
    needs_second_factor,
    require_cap,
)
from sightline.core.errors import NotFound
from sightline.ledger.services import SYSTEM, Actor, do_create, do_update, record_action

STANDARD_AGENCIES = [
    ("police", "Police", "police"),
    ("social_care", "Children's social care", "council"),
    ("health", "Health", "health"),
    ("education", "Education", "council"),
    ("youth_service", "Youth service", "council"),
    ("licensing", "Licensing", "council"),
    ("housing", "Housing", "council"),
    ("mash", "Multi-agency safeguarding hub", "partnership"),
    ("independent_review", "Independent reviewer", "oversight"),
    ("sightline_ops", "Sightline operations", "operations"),
]

USER_TYPE = "access.user"
ANONYMOUS = Actor(user="anonymous", agency="", role="anonymous")
BREAK_GLASS_MIN_REASON = 20
DEMO_PASSWORD = "sightline-demo-only-2026"  # noqa: S105  # demo accounts only, printed by `demo`
DEMO_SECOND_FACTOR = "000000"
# Names that would clash with account page addresses or with ledger actors.
RESERVED_USERNAMES = {"new", "system", "anonymous", "role-changes", "tokens"}


def ensure_standard_agencies(actor: Actor = SYSTEM) -> list[Agency]:
    """Create the standard partner agencies that do not exist yet. Idempotent."""
    out = []
    with transaction.atomic():
        for code, name, kind in STANDARD_AGENCIES:
            agency = Agency.objects.filter(pk=code).first()
            if agency is None:
                agency = do_create(Agency(id=code, name=name, kind=kind), actor=actor)
            out.append(agency)
    return out


AGENCY_CODE = re.compile(r"[a-z][a-z0-9_]{0,63}")


def do_add_agency(actor: Actor, *, code: str, name: str, kind: str = "") -> Agency:
    """Register a partner agency beyond the standard ones, so that its extracts import (their
    manifest's ``agency`` is this code). Agencies are never deleted."""
    code, name, kind = code.strip(), name.strip(), kind.strip()
    errors: dict[str, str] = {}
    if not AGENCY_CODE.fullmatch(code):
        errors["code"] = (
            f"{code!r} is not an agency code: a lower-case letter, then lower-case letters, digits or _"
            " (at most 64 characters)"
        )
    elif Agency.objects.filter(pk=code).exists():
        errors["code"] = f"the agency {code!r} is already registered"
    if not name:
        errors["name"] = "give the agency's name, as pages should show it"
    elif len(name) > 200:
        errors["name"] = "the name is longer than 200 characters"
    if len(kind) > 40:
        errors["kind"] = "the kind is longer than 40 characters"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        return do_create(Agency(id=code, name=name, kind=kind), actor=actor, action="agency_add")


def actor_for(user: User) -> Actor:
    """The ledger actor for a signed-in user (or a token's owner)."""
    return Actor(user=user.username, agency=user.agency_id or "", role=user.role)


def user_snapshot(user: User) -> dict[str, Any]:
    """What the ledger keeps about an account: everything except the password hash."""
    return {
        "id": user.pk,
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "agency_id": user.agency_id or "",
        "role": user.role,
        "capabilities": [str(c) for c in capabilities(user.role)],
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "demo_account": user.demo_account,
        "date_joined": user.date_joined,
    }


def _ledger_user(actor: Actor, action: str, user: User, reason: str = "", **extra: Any) -> None:
    record_action(
        actor, action, USER_TYPE, user.username, data={**user_snapshot(user), **extra}, reason=reason
    )


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise ValidationError({"role": f"Choose a role from the list ({role!r} is not a role)"})


def _check_agency(agency: str) -> None:
    if not Agency.objects.filter(pk=agency, active=True).exists():
        raise ValidationError({"agency": f"Choose an agency from the list ({agency!r} is not an agency)"})


# --- accounts ------------------------------------------------------------------------------------
# Accounts are named by username: the ledger's id for them, and what pages and commands show.


def _account(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise NotFound(f"There is no account called {username!r}")
    return user


def _require_reason(reason: str, what: str) -> None:
    if not reason.strip():
        raise ValidationError({"reason": f"Enter why {what}"})


def do_create_user(
    actor: Actor,
    *,
    username: str,
    role: str,
    agency: str,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    demo_account: bool = False,
    reason: str = "",
) -> User:
    """Create an account. Without a password the account cannot sign in until one is set. An account
    manager creating an account with a case role creates it unable to sign in, with its role waiting
    for a second account manager (``access.role_changes``); the system actor creates it directly."""
    require_cap(actor, Cap.MANAGE_ACCOUNTS)
    username = username.strip()
    if not username:
        raise ValidationError({"username": "Enter a username"})
    if username.lower() in RESERVED_USERNAMES:
        raise ValidationError({"username": f"{username!r} is reserved; choose another username"})
    _check_role(role)
    _check_agency(agency)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": "An account with this username already exists"})
    user = User(
        username=username,
        role=role,
        agency_id=agency,
        first_name=first_name,
        last_name=last_name,
        email=email,
        demo_account=demo_account,
    )
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
        user.set_password(password)
    else:
        user.set_unusable_password()
    pending = needs_second_person(actor, username, role)
    user.is_active = not pending
    with transaction.atomic():
        user.full_clean(exclude=["password"])
        user.save()
        _ledger_user(actor, "create", user, reason=reason, awaiting_approval=pending)
        if pending:
            pending_role_change(actor, user=user, role=role, reason=reason or "new account", new_account=True)
    return user


# A role holding any of these needs a second account manager to grant: case data, anything personal
# (the ledger, intelligence), and managing accounts (or one manager could mint their own approver).
SECOND_PERSON_CAPS = CASE_DATA_CAPS | SECOND_FACTOR_CAPS


def needs_second_person(actor: Actor, username: str, role: str) -> bool:
    """Whether giving ``username`` the role ``role`` needs a second account manager's approval: any
    change to one's own role, and any role holding one of ``SECOND_PERSON_CAPS``. The system actor
    (the command line, run by whoever runs the service) changes roles directly."""
    if actor.role == SYSTEM.role:
        return False
    return username == actor.user or bool(MATRIX.get(role, frozenset()) & SECOND_PERSON_CAPS)


def pending_role_change(
    actor: Actor, *, user: User, role: str, reason: str, new_account: bool = False
) -> RoleChangeRequest:
    """Ledger a role change for a second account manager to decide (``access.role_changes``). A new
    account (which cannot sign in until approved) has a blank ``from_role``."""
    if RoleChangeRequest.objects.filter(user=user, status=RoleChangeRequest.Status.PENDING).exists():
        raise ValidationError({"role": "A role change for this account is already waiting for approval"})
    return do_create(
        RoleChangeRequest(
            user=user,
            from_role="" if new_account else user.role,
            to_role=role,
            reason=reason,
            requested_by=actor.user,
            requested_at=timezone.now(),
        ),
        actor=actor,
        action="request",
        reason=reason,
    )


def apply_role(actor: Actor, user: User, role: str, *, reason: str, **approval: Any) -> User:
    """Set the role and ledger the capabilities gained and lost (with who approved it, if anyone)."""
    before = set(capabilities(user.role))
    after = set(capabilities(role))
    old = user.role
    user.role = role
    user.save(update_fields=["role"])
    _ledger_user(
        actor,
        "change_role",
        user,
        reason=reason,
        previous_role=old,
        capabilities_added=sorted(str(c) for c in after - before),
        capabilities_removed=sorted(str(c) for c in before - after),
        **approval,
    )
    return user


def do_change_role(actor: Actor, *, username: str, role: str, reason: str) -> User:
    """Give the account another role, where no second person is needed (see
    :func:`needs_second_person`; otherwise request it with ``role_changes.do_request_role_change``).
    The capabilities gained and lost are ledgered with it."""
    require_cap(actor, Cap.MANAGE_ACCOUNTS)
    _check_role(role)
    _require_reason(reason, "the role is changing")
    user = _account(username)
    if user.role == role:
        return user
    if RoleChangeRequest.objects.filter(user=user, status=RoleChangeRequest.Status.PENDING).exists():
        raise ValidationError(
            {"role": "A role change for this account is waiting for approval; decide it first"}
        )
    if needs_second_person(actor, username, role):
        raise PermissionDenied(
            "This role change needs a second account manager: request it, and another account manager "
            "approves it"
        )
    second = "not required: command line" if actor.role == SYSTEM.role else "not required"
    with transaction.atomic():
        return apply_role(actor, user, role, reason=reason, second_person=second)


def do_change_agency(actor: Actor, *, username: str, agency: str, reason: str) -> User:
    require_cap(actor, Cap.MANAGE_ACCOUNTS)
    _check_agency(agency)
    _require_reason(reason, "the agency is changing")
    user = _account(username)
    old = user.agency_id or ""
    with transaction.atomic():
        user.agency_id = agency
        user.save(update_fields=["agency"])
        _ledger_user(actor, "change_agency", user, reason=reason, previous_agency=old)
    return user


def _set_active(actor: Actor, username: str, *, active: bool, action: str, reason: str) -> User:
    require_cap(actor, Cap.MANAGE_ACCOUNTS)
    _require_reason(reason, f"the account is being {action}d")
    user = _account(username)
    with transaction.atomic():
        user.is_active = active
        user.save(update_fields=["is_active"])
        _ledger_user(actor, action, user, reason=reason)
    return user


def do_deactivate_user(actor: Actor, *, username: str, reason: str) -> User:
    """Stop an account signing in. Accounts are never deleted: their history stays attributable."""
    return _set_active(actor, username, active=False, action="deactivate", reason=reason)


def do_reactivate_user(actor: Actor, *, username: str, reason: str) -> User:
    requests = RoleChangeRequest.objects.filter(user__username=username, from_role="")
    if requests.exists() and not requests.filter(status=RoleChangeRequest.Status.APPROVED).exists():
        raise ValidationError({"__all__": "This new account's role is waiting for a second account manager"})
    return _set_active(actor, username, active=True, action="reactivate", reason=reason)


def do_set_password(actor: Actor, *, username: str, password: str, reason: str = "") -> User:
    require_cap(actor, Cap.MANAGE_ACCOUNTS)
    user = _account(username)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        _ledger_user(actor, "set_password", user, reason=reason)
    return user


def generate_password() -> str:
    """A random initial password for the account holder to change (passes the validators)."""
    return "-".join(secrets.token_urlsafe(6) for _ in range(3))


# --- second factor -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Enrolment:
    device: TOTPDevice
    secret: str  # base32, for typing into an authenticator app by hand
    uri: str  # otpauth:// provisioning URI

    def qr_svg(self) -> str:
        return qr_svg(self.uri)

    def qr_data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.qr_svg().encode()).decode()

    def qr_text(self) -> str:
        return qr_text(self.uri)


def enrolment_for(device: TOTPDevice) -> Enrolment:
    return Enrolment(device=device, secret=base64.b32encode(device.bin_key).decode(), uri=device.config_url)


def do_enrol_totp(actor: Actor, *, username: str, confirmed: bool = False, reason: str = "") -> Enrolment:
    """Give the account a new authenticator-app secret, replacing any it had.

    The secret is shown once (to the administrator or the account holder) and never ledgered. An
    unconfirmed device is confirmed by the first correct code at sign-in.
    """
    require_cap(actor, Cap.MANAGE_ACCOUNTS)
    user = _account(username)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()  # old secrets must stop working
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=confirmed)
        _ledger_user(
            actor,
            "enrol_second_factor",
            user,
            reason=reason,
            device=device.persistent_id,
            confirmed=confirmed,
        )
    return enrolment_for(device)


def current_totp_code(device: TOTPDevice, at: float | None = None) -> str:
    """The code an authenticator app shows now (used by tests and the demo; never by sign-in)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if at is not None:
        totp.time = at
    return f"{totp.token():0{device.digits}d}"


def qr_svg(uri: str) -> str:
    img = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return str(img.to_string(encoding="unicode"))


def qr_text(uri: str) -> str:
    qr = qrcode.QRCode(border=1)
    qr.add_data(uri)
    out = io.StringIO()
    qr.print_ascii(out=out, invert=True)
    return out.getvalue()


@dataclass(frozen=True)
class SecondFactorResult:
    ok: bool
    method: str = ""  # "totp" or "demo"
    device: TOTPDevice | None = None


def demo_factor_allowed(user: User) -> bool:
    """The insecure demo code works only for demo accounts while the service runs in demo mode."""
    return bool(settings.DEMO_MODE and user.demo_account)


def verify_second_factor(user: User, code: str) -> SecondFactorResult:
    """Check a code against the account's authenticator app (or the demo code in demo mode)."""
    code = "".join(code.split())
    devices = list(TOTPDevice.objects.filter(user=user))
    if code == DEMO_SECOND_FACTOR and demo_factor_allowed(user):
        return SecondFactorResult(True, "demo", devices[0] if devices else None)
    for device in devices:
        if device.verify_token(code):
            if not device.confirmed:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            return SecondFactorResult(True, "totp", device)
    return SecondFactorResult(False)


def has_second_factor(user: User) -> bool:
    return bool(TOTPDevice.objects.filter(user=user).exists())


def second_factor_required(user: User) -> bool:
    """Roles that see personal data must use one; anyone who has enrolled an app is asked too."""
    return needs_second_factor(user.role) or has_second_factor(user)


# --- sign-in events ------------------------------------------------------------------------------


def do_record_login(user: User, *, ip: str = "", second_factor: str = "none") -> None:
    record_action(
        actor_for(user),
        "login",
        USER_TYPE,
        user.username,
        data={"ip": ip, "second_factor": second_factor},
    )


def do_record_failed_login(
    *, username: str, stage: str, ip: str = "", locked_out: bool = False, reason: str = ""
) -> None:
    """Ledger a failed sign-in. Unknown usernames are not recorded (people mistype passwords there)."""
    known = User.objects.filter(username=username).exists()
    record_action(
        ANONYMOUS,
        "login_failed",
        USER_TYPE,
        username if known else "unknown",
        data={"ip": ip, "stage": stage, "locked_out": locked_out, "username_known": known},
        reason=reason,
    )


def do_record_lockout(*, username: str, ip: str = "", failures: int | None = None) -> None:
    known = User.objects.filter(username=username).exists()
    record_action(
        ANONYMOUS,
        "lockout",
        USER_TYPE,
        username if known else "unknown",
        data={"ip": ip, "failures": failures, "username_known": known},
        reason="too many failed sign-in attempts",
    )


def do_record_logout(user: User, *, reason: str = "signed out") -> None:
    record_action(actor_for(user), "logout", USER_TYPE, user.username, reason=reason)


def do_unlock_user(actor: Actor, *, username: str, reason: str) -> int:
    """Clear a lockout before its cool-off ends."""
    require_cap(actor, Cap.MANAGE_ACCOUNTS)
    _require_reason(reason, "the account is being unlocked")
    user = _account(username)
    with transaction.atomic():
        cleared = int(AxesProxyHandler.reset_attempts(username=user.username))
        _ledger_user(actor, "unlock", user, reason=reason, attempts_cleared=cleared)
    return cleared


# --- break-glass ---------------------------------------------------------------------------------
# The rules for grants and their review. Opening one goes through ``people.services.do_break_glass``,
# which knows whether the person exists.


def break_glass_duration() -> dt.timedelta:
    return dt.timedelta(minutes=int(getattr(settings, "BREAK_GLASS_MINUTES", 240)))


def check_break_glass(user: User, reason: str) -> str:
    """Refuse a role without break-glass, or a reason too short to review; return the reason as kept."""
    if not can(user.role, Cap.BREAK_GLASS):
        raise PermissionDenied("Your role cannot open records outside your access")
    reason = reason.strip(" \t\r\n")  # the API schema's pattern says the same
    if len(reason) < BREAK_GLASS_MIN_REASON:
        raise ValidationError(
            {"reason": f"Explain why you need this record in at least {BREAK_GLASS_MIN_REASON} characters"}
        )
    return reason


def do_grant_break_glass(user: User, *, person_id: str, reason: str) -> BreakGlass:
    """Open ``person_id``'s record to ``user`` for a limited time, with a reason. The grant is
    ledgered and waits in the independent reviewer's queue. The caller has checked that the person
    exists (``people.services.do_break_glass`` does)."""
    reason = check_break_glass(user, reason)
    now = timezone.now()
    grant = BreakGlass(
        user=user, person_id=person_id, reason=reason, granted_at=now, expires_at=now + break_glass_duration()
    )
    return do_create(grant, actor=actor_for(user), action="break_glass", reason=reason)


REVIEW_OUTCOMES = ("appropriate", "concern")


def do_review_break_glass(reviewer: User, *, grant_id: str, outcome: str, note: str) -> BreakGlass:
    if not can(reviewer.role, Cap.REVIEW_BREAK_GLASS):
        raise PermissionDenied("Your role cannot review break-glass access")
    if outcome not in REVIEW_OUTCOMES:
        raise ValidationError({"outcome": "Select whether the access was appropriate"})
    if outcome == "concern" and not note.strip(" \t\r\n"):
        raise ValidationError({"note": "Enter what concerns you about this access"})
    with transaction.atomic():
        grant = BreakGlass.objects.select_for_update().filter(pk=grant_id).first()
        if grant is None:
            raise NotFound("No such break-glass grant")
        if grant.reviewed_at is not None:
            raise ValidationError({"outcome": "This access has already been reviewed"})
        grant.reviewed_by = reviewer
        grant.reviewed_at = timezone.now()
        grant.review_outcome = outcome
        grant.review_note = note.strip()
        return do_update(grant, actor=actor_for(reviewer), action="review", reason=note.strip())


# --- API tokens ----------------------------------------------------------------------------------


MAX_TOKEN_DAYS = 365
# How stale the recorded last use may get: writing it on every request would cost a write per read.
TOKEN_USE_RESOLUTION = dt.timedelta(minutes=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def default_token_days() -> int:
    return int(getattr(settings, "API_TOKEN_DAYS", 90))


def _check_scopes(scopes: Sequence[str]) -> list[str]:
    unknown = sorted(set(scopes) - set(TOKEN_SCOPES))
    if unknown:
        raise ValidationError({"scopes": f"Unknown scopes {', '.join(unknown)}; choose from {TOKEN_SCOPES}"})
    if not set(scopes) & set(TOKEN_MODES) or not set(scopes) & set(TOKEN_DOMAINS):
        raise ValidationError({"scopes": "Give read, write or both, and at least one domain"})
    return [s for s in TOKEN_SCOPES if s in scopes]  # in a stable order


def do_create_api_token(
    actor: Actor,
    *,
    username: str,
    name: str,
    scopes: Sequence[str] = TOKEN_SCOPES,
    days: int | None = None,
) -> tuple[ApiToken, str]:
    """Mint a token for system-to-system use that acts as the account ``username``, within
    ``scopes`` (read, write and API domains; all by default), for ``days`` days (default
    ``SIGHTLINE_API_TOKEN_DAYS``, 90). Returns the row and the token (shown only now)."""
    require_cap(actor, Cap.MANAGE_ACCOUNTS)
    if not name.strip():
        raise ValidationError({"name": "Enter a name that says which system uses the token"})
    days = default_token_days() if days is None else days
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise ValidationError({"days": f"A token lasts from 1 to {MAX_TOKEN_DAYS} days"})
    kept = _check_scopes(scopes)
    owner = _account(username)
    if not owner.is_active:
        raise ValidationError({"owner": "The account is deactivated"})
    token = "sl_" + secrets.token_urlsafe(32)
    now = timezone.now()
    row = ApiToken(
        owner=owner,
        name=name.strip(),
        token_hash=hash_token(token),
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
        scopes=kept,
    )
    do_create(row, actor=actor, action="create")
    return row, token


def note_token_use(row: ApiToken, *, now: dt.datetime | None = None) -> None:
    """Record that the token was used, at most once a minute (a read of the last use comes with the
    token; only a stale one is written)."""
    now = now or timezone.now()
    try:
        last = row.use.last_used_at
    except ApiTokenUse.DoesNotExist:
        ApiTokenUse.objects.bulk_create([ApiTokenUse(token=row, last_used_at=now)], ignore_conflicts=True)
        return
    if now - last >= TOKEN_USE_RESOLUTION:
        ApiTokenUse.objects.filter(token=row, last_used_at__lte=now - TOKEN_USE_RESOLUTION).update(
            last_used_at=now
        )


def do_revoke_api_token(actor: Actor, *, token_id: str, reason: str) -> ApiToken:
    require_cap(actor, Cap.MANAGE_ACCOUNTS)
    _require_reason(reason, "the token is being revoked")
    with transaction.atomic():
        row = ApiToken.objects.select_for_update().filter(pk=token_id).first()
        if row is None:
            raise NotFound(f"There is no token {token_id!r}")
        if row.revoked_at is not None:
            return row
        row.revoked_at = timezone.now()
        return do_update(row, actor=actor, action="revoke", reason=reason)


# --- demo ----------------------------------------------------------------------------------------

# One account per role, spread across agencies, plus practitioners in two more agencies.
DEMO_ACCOUNTS = [
    ("demo-practitioner", Role.PRACTITIONER, "social_care", "Priya", "Shah"),
    ("demo-police", Role.PRACTITIONER, "police", "Sam", "Okafor"),
    ("demo-youth-worker", Role.PRACTITIONER, "youth_service", "Jordan", "Reyes"),
    ("demo-school-dsl", Role.DSL, "education", "Dana", "Lewis"),
    ("demo-health", Role.PRACTITIONER, "health", "Harper", "Nwosu"),
    ("demo-coordinator", Role.CSE_COORDINATOR, "mash", "Chris", "Hughes"),
    ("demo-analyst", Role.ANALYST, "police", "Alex", "Murray"),
    ("demo-manager", Role.MANAGER, "social_care", "Morgan", "Price"),
    ("demo-board", Role.BOARD_MEMBER, "mash", "Bernie", "Walsh"),
    ("demo-reviewer", Role.INDEPENDENT_REVIEWER, "independent_review", "Rowan", "Ellis"),
    ("demo-admin", Role.SYSADMIN, "sightline_ops", "Ash", "Patel"),
]


@dataclass(frozen=True)
class DemoUser:
    user: User
    password: str
    enrolment: Enrolment


def create_demo_users(actor: Actor = SYSTEM) -> list[DemoUser]:
    """One demo account per role with the known demo password and a real authenticator secret.

    Idempotent: existing demo accounts keep their secret and get the demo password back.
    """
    ensure_standard_agencies(actor)
    out = []
    for username, role, agency, first, last in DEMO_ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = do_create_user(
                actor,
                username=username,
                role=role,
                agency=agency,
                password=DEMO_PASSWORD,
                first_name=first,
                last_name=last,
                email=f"{username}@demo.sightline.example",  # notifications reach the console
                demo_account=True,
                reason="demo account",
            )
        elif not user.check_password(DEMO_PASSWORD):
            do_set_password(actor, username=username, password=DEMO_PASSWORD, reason="demo account")
        device = TOTPDevice.objects.filter(user=user).first()
        enrolment = (
            enrolment_for(device)
            if device
            else do_enrol_totp(actor, username=username, confirmed=True, reason="demo")
        )
        out.append(DemoUser(user, DEMO_PASSWORD, enrolment))
    return out
