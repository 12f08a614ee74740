"""``sightline user ...``, ``agency ...`` and ``token ...``: accounts, partner agencies and API tokens from
the command line.

Every change is ledgered with the system actor. Secrets (initial passwords, authenticator keys, API
tokens) are printed once and never stored in clear.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management import call_command

from sightline.access import selectors, services
from sightline.access.models import TOKEN_SCOPES
from sightline.access.permissions import Role
from sightline.core.errors import NotFound
from sightline.ledger import services as ledger
from sightline.ledger.services import SYSTEM

Command = Callable[[argparse.Namespace], int]


def register(sub: Any) -> None:
    init = sub.add_parser(
        "init", help="create or migrate the database, the ledger signing key and the standard agencies"
    )
    init.set_defaults(func=cmd_init)

    roles = ", ".join(Role.values)
    user = sub.add_parser("user", help="create accounts, change roles, deactivate, reset sign-in")
    us = user.add_subparsers(dest="user_command", required=True, metavar="USER_COMMAND")

    p = us.add_parser("create", help="create an account; prints its first password and authenticator key")
    p.add_argument("username", help="the new account's user name")
    p.add_argument("--role", required=True, help=roles)
    p.add_argument("--agency", required=True, help="agency code, e.g. police, social_care")
    p.add_argument("--first-name", default="", help="shown on pages and in the ledger's who-did-what")
    p.add_argument("--last-name", default="", help="shown on pages and in the ledger's who-did-what")
    p.add_argument("--email", default="", help="contact address (Sightline sends no email)")
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    p.add_argument("--no-totp", action="store_true", help="do not set up an authenticator app now")
    p.set_defaults(func=cmd_create)

    p = us.add_parser("role", help="change an account's role")
    p.add_argument("username", help="the account's user name")
    p.add_argument("role", help=roles)
    p.add_argument("--reason", required=True, help="why the role changes (ledgered)")
    p.set_defaults(func=cmd_role)

    p = us.add_parser("deactivate", help="stop an account signing in (accounts are never deleted)")
    p.add_argument("username", help="the account's user name")
    p.add_argument("--reason", required=True, help="why the account stops (ledgered)")
    p.set_defaults(func=cmd_deactivate)

    p = us.add_parser("reactivate", help="let a deactivated account sign in again")
    p.add_argument("username", help="the account's user name")
    p.add_argument("--reason", required=True, help="why the account may sign in again (ledgered)")
    p.set_defaults(func=cmd_reactivate)

    p = us.add_parser("password", help="set a new password (typed, from stdin, or generated)")
    p.add_argument("username", help="the account's user name")
    p.add_argument("--stdin", action="store_true", help="read the password from stdin")
    p.add_argument("--generate", action="store_true", help="generate one and print it")
    p.add_argument("--reason", default="password reset", help="why (ledgered; default: password reset)")
    p.set_defaults(func=cmd_password)

    p = us.add_parser("totp", help="set up a new authenticator app; prints the key and a QR code")
    p.add_argument("username", help="the account's user name")
    p.add_argument(
        "--reason", default="new authenticator app", help="why (ledgered; default: new authenticator app)"
    )
    p.add_argument("--svg", metavar="FILE", help="also write the QR code as SVG to FILE")
    p.set_defaults(func=cmd_totp)

    p = us.add_parser("unlock", help="clear a lockout after too many failed sign-ins")
    p.add_argument("username", help="the account's user name")
    p.add_argument("--reason", required=True, help="why the lockout is cleared (ledgered)")
    p.set_defaults(func=cmd_unlock)

    p = us.add_parser("list", help="list accounts")
    p.set_defaults(func=cmd_list)

    agency = sub.add_parser(
        "agency", help="register partner agencies beyond the standard ones, and list them"
    )
    ag = agency.add_subparsers(dest="agency_command", required=True, metavar="AGENCY_COMMAND")
    p = ag.add_parser("add", help="register an agency, so that extracts naming its code import")
    p.add_argument("code", help="its code in extract manifests: a lower-case letter, then a-z, 0-9 or _")
    p.add_argument("--name", required=True, help="its name, as pages show it")
    p.add_argument("--kind", default="", help="what sort of body it is, e.g. council, health, voluntary")
    p.set_defaults(func=cmd_agency_add)
    p = ag.add_parser("list", help="list agencies: code, name, kind, active, accounts")
    p.set_defaults(func=cmd_agency_list)

    token = sub.add_parser("token", help="API tokens for system-to-system use")
    ts = token.add_subparsers(dest="token_command", required=True, metavar="TOKEN_COMMAND")
    p = ts.add_parser("create", help="create a token that acts as USERNAME; prints it once")
    p.add_argument("username", help="the account the token acts as, with its role and need to know")
    p.add_argument("--name", required=True, help="which system uses it")
    p.add_argument(
        "--scope",
        action="append",
        choices=TOKEN_SCOPES,
        help="read, write and API domains, once each (default: all of them)",
    )
    p.add_argument("--days", type=int, default=None, help="days until it expires (default 90, at most 365)")
    p.set_defaults(func=cmd_token_create)
    p = ts.add_parser("revoke", help="revoke a token by its id (TK-...)")
    p.add_argument("token_id", help="the token's id, TK-... ('sightline token list' shows them)")
    p.add_argument("--reason", required=True, help="why it is revoked (ledgered)")
    p.set_defaults(func=cmd_token_revoke)
    p = ts.add_parser("list", help="list tokens with scopes, expiry and last use (never the tokens)")
    p.set_defaults(func=cmd_token_list)


def _fail(message: str) -> int:
    print(f"sightline: {message}", file=sys.stderr)
    return 2


def _errors(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
    return "; ".join(exc.messages)


def _refusals(cmd: Command) -> Command:
    """Report a refused change (no such account or token, invalid input) as exit status 2."""

    @wraps(cmd)
    def wrapper(args: argparse.Namespace) -> int:
        try:
            return cmd(args)
        except NotFound as exc:
            return _fail(str(exc))
        except ValidationError as exc:
            return _fail(_errors(exc))
        except ValueError as exc:  # a password typed twice differently
            return _fail(str(exc))

    return wrapper


def _print_enrolment(enrolment: services.Enrolment) -> None:
    print("Authenticator app: scan this QR code, or type the key into the app.")
    print(enrolment.qr_text())
    print(f"  key: {enrolment.secret}")
    print(f"  URI: {enrolment.uri}")


def _read_password(stdin: bool) -> str:
    if stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("New password: ")
    if getpass.getpass("Repeat it: ") != first:
        raise ValueError("the passwords do not match")
    return first


@_refusals
def cmd_create(args: argparse.Namespace) -> int:
    services.ensure_standard_agencies()
    generated = not args.password_stdin
    password = services.generate_password() if generated else _read_password(True)
    user = services.do_create_user(
        SYSTEM,
        username=args.username,
        role=args.role,
        agency=args.agency,
        password=password,
        first_name=args.first_name,
        last_name=args.last_name,
        email=args.email,
        reason="created from the command line",
    )
    print(f"Created {user.username}: {user.get_role_display()} in {user.agency_id}.")
    if generated:
        print(f"  first password: {password}")
    if not args.no_totp:
        _print_enrolment(services.do_enrol_totp(SYSTEM, username=user.username, reason="new account"))
    return 0


@_refusals
def cmd_role(args: argparse.Namespace) -> int:
    # Whoever runs the command line runs the service; the ledger records it as the system's change.
    user = services.do_change_role(SYSTEM, username=args.username, role=args.role, reason=args.reason)
    print(f"{user.username} is now {user.role} (command line: no second person needed; ledgered).")
    return 0


@_refusals
def cmd_deactivate(args: argparse.Namespace) -> int:
    user = services.do_deactivate_user(SYSTEM, username=args.username, reason=args.reason)
    print(f"{user.username} is deactivated (not deleted).")
    return 0


@_refusals
def cmd_reactivate(args: argparse.Namespace) -> int:
    user = services.do_reactivate_user(SYSTEM, username=args.username, reason=args.reason)
    print(f"{user.username} is active again.")
    return 0


@_refusals
def cmd_unlock(args: argparse.Namespace) -> int:
    services.do_unlock_user(SYSTEM, username=args.username, reason=args.reason)
    print(f"{args.username} is unlocked.")
    return 0


@_refusals
def cmd_password(args: argparse.Namespace) -> int:
    selectors.user_by_username(args.username)  # say so before asking for a password
    password = services.generate_password() if args.generate else _read_password(args.stdin)
    services.do_set_password(SYSTEM, username=args.username, password=password, reason=args.reason)
    print(f"Password set for {args.username}.")
    if args.generate:
        print(f"  password: {password}")
    return 0


@_refusals
def cmd_totp(args: argparse.Namespace) -> int:
    enrolment = services.do_enrol_totp(SYSTEM, username=args.username, reason=args.reason)
    print(f"New authenticator app for {args.username}; the old one no longer works.")
    _print_enrolment(enrolment)
    if args.svg:
        with open(args.svg, "w", encoding="utf-8") as fh:
            fh.write(enrolment.qr_svg())
        print(f"  QR code written to {args.svg}")
    return 0


@_refusals
def cmd_agency_add(args: argparse.Namespace) -> int:
    agency = services.do_add_agency(SYSTEM, code=args.code, name=args.name, kind=args.kind)
    print(f"agency {agency.pk} ({agency.name}) registered: its extracts can now be imported")
    return 0


def cmd_agency_list(args: argparse.Namespace) -> int:
    for a in selectors.agencies():
        status = "active" if a.active else "inactive"
        accounts = getattr(a, "accounts", 0)  # annotated by the selector
        print(f"{a.pk}\t{a.name}\t{a.kind or '-'}\t{status}\t{accounts} accounts")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    for u in selectors.users():
        status = "active" if u.is_active else "deactivated"
        print(f"{u.username}\t{u.role}\t{u.agency_id or '-'}\t{status}")
    return 0


@_refusals
def cmd_token_create(args: argparse.Namespace) -> int:
    row, token = services.do_create_api_token(
        SYSTEM,
        username=args.username,
        name=args.name,
        scopes=args.scope or TOKEN_SCOPES,
        days=args.days,
    )
    print(
        f"Token {row.id} acts as {row.owner.username} ({row.owner.role}), scopes {','.join(row.scopes)}, "
        f"until {row.expires_at:%Y-%m-%d %H:%M} UTC. It is shown only now:"
    )
    print(token)
    return 0


@_refusals
def cmd_token_revoke(args: argparse.Namespace) -> int:
    row = services.do_revoke_api_token(SYSTEM, token_id=args.token_id, reason=args.reason)
    print(f"Token {row.id} revoked.")
    return 0


def cmd_token_list(args: argparse.Namespace) -> int:
    for t in selectors.api_tokens():
        status = selectors.token_status(t)
        if t.revoked_at:
            status += f" {t.revoked_at:%Y-%m-%d %H:%M}"
        last = selectors.token_last_used(t)
        used = f"last used {last:%Y-%m-%d %H:%M}" if last else "never used"
        print(
            f"{t.id}\t{t.owner.username}\t{t.name}\t{','.join(t.scopes)}\t{t.created_at:%Y-%m-%d %H:%M}"
            f"\texpires {t.expires_at:%Y-%m-%d}\t{used}\t{status}"
        )
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    call_command("migrate", interactive=False, verbosity=0)
    ledger.signing_key()
    ledger.integrate()
    services.ensure_standard_agencies()
    print(f"Database ready. Ledger signing key: {ledger.public_key()}")
    return 0
