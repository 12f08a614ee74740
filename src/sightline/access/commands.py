"""``sightline user ...`` and ``sightline token ...``: accounts and API tokens from the command line.

Every change is ledgered with the system actor. Secrets (initial passwords, authenticator keys, API
tokens) are printed once and never stored in clear.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from django.core.management import call_command

from sightline.access.permissions import Role
from sightline.access.services import ensure_standard_agencies
from sightline.ledger import services as ledger


def register(sub: Any) -> None:
    init = sub.add_parser(
        "init", help="create or migrate the database, the ledger signing key and the standard agencies"
    )
    init.set_defaults(func=cmd_init)

    roles = ", ".join(Role.values)
    user = sub.add_parser("user", help="create accounts, change roles, deactivate, reset sign-in")
    us = user.add_subparsers(dest="user_command", required=True, metavar="USER_COMMAND")

    p = us.add_parser("create", help="create an account; prints its first password and authenticator key")
    p.add_argument("username")
    p.add_argument("--role", required=True, help=roles)
    p.add_argument("--agency", required=True, help="agency code, e.g. police, social_care")
    p.add_argument("--first-name", default="")
    p.add_argument("--last-name", default="")
    p.add_argument("--email", default="")
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    p.add_argument("--no-totp", action="store_true", help="do not set up an authenticator app now")
    p.set_defaults(func=cmd_create)

    p = us.add_parser("role", help="change an account's role")
    p.add_argument("username")
    p.add_argument("role", help=roles)
    p.add_argument("--reason", required=True)
    p.set_defaults(func=cmd_role)

    p = us.add_parser("deactivate", help="stop an account signing in (accounts are never deleted)")
    p.add_argument("username")
    p.add_argument("--reason", required=True)
    p.set_defaults(func=cmd_deactivate)

    p = us.add_parser("reactivate", help="let a deactivated account sign in again")
    p.add_argument("username")
    p.add_argument("--reason", required=True)
    p.set_defaults(func=cmd_reactivate)

    p = us.add_parser("password", help="set a new password (typed, from stdin, or generated)")
    p.add_argument("username")
    p.add_argument("--stdin", action="store_true", help="read the password from stdin")
    p.add_argument("--generate", action="store_true", help="generate one and print it")
    p.add_argument("--reason", default="password reset")
    p.set_defaults(func=cmd_password)

    p = us.add_parser("totp", help="set up a new authenticator app; prints the key and a QR code")
    p.add_argument("username")
    p.add_argument("--reason", default="new authenticator app")
    p.add_argument("--svg", metavar="FILE", help="also write the QR code as SVG to FILE")
    p.set_defaults(func=cmd_totp)

    p = us.add_parser("unlock", help="clear a lockout after too many failed sign-ins")
    p.add_argument("username")
    p.add_argument("--reason", required=True)
    p.set_defaults(func=cmd_unlock)

    p = us.add_parser("list", help="list accounts")
    p.set_defaults(func=cmd_list)

    token = sub.add_parser("token", help="API tokens for system-to-system use")
    ts = token.add_subparsers(dest="token_command", required=True, metavar="TOKEN_COMMAND")
    p = ts.add_parser("create", help="create a token that acts as USERNAME; prints it once")
    p.add_argument("username")
    p.add_argument("--name", required=True, help="which system uses it")
    p.set_defaults(func=cmd_token_create)
    p = ts.add_parser("revoke", help="revoke a token by its id (TK-...)")
    p.add_argument("token_id")
    p.add_argument("--reason", required=True)
    p.set_defaults(func=cmd_token_revoke)
    p = ts.add_parser("list", help="list tokens (never the tokens themselves)")
    p.set_defaults(func=cmd_token_list)


def _fail(message: str) -> int:
    print(f"sightline: {message}", file=sys.stderr)
    return 2


def _user(username: str) -> Any:
    from sightline.access.models import User

    return User.objects.filter(username=username).first()


def _errors(exc: Any) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
    return "; ".join(exc.messages)


def _print_enrolment(enrolment: Any) -> None:
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


def cmd_create(args: argparse.Namespace) -> int:
    from django.core.exceptions import ValidationError

    from sightline.access import services
    from sightline.ledger.services import SYSTEM

    services.ensure_standard_agencies()
    generated = not args.password_stdin
    password = services.generate_password() if generated else _read_password(True)
    try:
        user = services.do_create_user(
            username=args.username,
            role=args.role,
            agency=args.agency,
            actor=SYSTEM,
            password=password,
            first_name=args.first_name,
            last_name=args.last_name,
            email=args.email,
            reason="created from the command line",
        )
    except ValidationError as exc:
        return _fail(_errors(exc))
    print(f"Created {user.username}: {user.get_role_display()} in {user.agency_id}.")
    if generated:
        print(f"  first password: {password}")
    if not args.no_totp:
        _print_enrolment(services.do_enrol_totp(user, actor=SYSTEM, reason="new account"))
    return 0


def _change(args: argparse.Namespace, fn: Any, done: str, **kwargs: Any) -> int:
    from django.core.exceptions import ValidationError

    from sightline.ledger.services import SYSTEM

    user = _user(args.username)
    if user is None:
        return _fail(f"there is no account called {args.username!r}")
    try:
        fn(user, actor=SYSTEM, reason=args.reason, **kwargs)
    except ValidationError as exc:
        return _fail(_errors(exc))
    print(done.format(user=user))
    return 0


def cmd_role(args: argparse.Namespace) -> int:
    from sightline.access.services import do_change_role

    return _change(
        args, lambda u, **kw: do_change_role(u, args.role, **kw), "{user.username} is now {user.role}."
    )


def cmd_deactivate(args: argparse.Namespace) -> int:
    from sightline.access.services import do_deactivate_user

    return _change(args, do_deactivate_user, "{user.username} is deactivated (not deleted).")


def cmd_reactivate(args: argparse.Namespace) -> int:
    from sightline.access.services import do_reactivate_user

    return _change(args, do_reactivate_user, "{user.username} is active again.")


def cmd_unlock(args: argparse.Namespace) -> int:
    from sightline.access.services import do_unlock_user

    return _change(args, do_unlock_user, "{user.username} is unlocked.")


def cmd_password(args: argparse.Namespace) -> int:
    from django.core.exceptions import ValidationError

    from sightline.access import services
    from sightline.ledger.services import SYSTEM

    user = _user(args.username)
    if user is None:
        return _fail(f"there is no account called {args.username!r}")
    try:
        password = services.generate_password() if args.generate else _read_password(args.stdin)
        services.do_set_password(user, password, actor=SYSTEM, reason=args.reason)
    except ValueError as exc:
        return _fail(str(exc))
    except ValidationError as exc:
        return _fail(_errors(exc))
    print(f"Password set for {user.username}.")
    if args.generate:
        print(f"  password: {password}")
    return 0


def cmd_totp(args: argparse.Namespace) -> int:
    from sightline.access import services
    from sightline.ledger.services import SYSTEM

    user = _user(args.username)
    if user is None:
        return _fail(f"there is no account called {args.username!r}")
    enrolment = services.do_enrol_totp(user, actor=SYSTEM, reason=args.reason)
    print(f"New authenticator app for {user.username}; the old one no longer works.")
    _print_enrolment(enrolment)
    if args.svg:
        with open(args.svg, "w", encoding="utf-8") as fh:
            fh.write(enrolment.qr_svg())
        print(f"  QR code written to {args.svg}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from sightline.access.selectors import users

    for u in users():
        status = "active" if u.is_active else "deactivated"
        print(f"{u.username}\t{u.role}\t{u.agency_id or '-'}\t{status}")
    return 0


def cmd_token_create(args: argparse.Namespace) -> int:
    from django.core.exceptions import ValidationError

    from sightline.access.services import do_create_api_token
    from sightline.ledger.services import SYSTEM

    user = _user(args.username)
    if user is None:
        return _fail(f"there is no account called {args.username!r}")
    try:
        row, token = do_create_api_token(user, name=args.name, actor=SYSTEM)
    except ValidationError as exc:
        return _fail(_errors(exc))
    print(f"Token {row.id} acts as {user.username} ({user.role}). It is shown only now:")
    print(token)
    return 0


def cmd_token_revoke(args: argparse.Namespace) -> int:
    from django.core.exceptions import ValidationError

    from sightline.access.models import ApiToken
    from sightline.access.services import do_revoke_api_token
    from sightline.ledger.services import SYSTEM

    row = ApiToken.objects.filter(pk=args.token_id).first()
    if row is None:
        return _fail(f"there is no token {args.token_id!r}")
    try:
        do_revoke_api_token(row, actor=SYSTEM, reason=args.reason)
    except ValidationError as exc:
        return _fail(_errors(exc))
    print(f"Token {row.id} revoked.")
    return 0


def cmd_token_list(args: argparse.Namespace) -> int:
    from sightline.access.models import ApiToken

    for t in ApiToken.objects.select_related("owner"):
        status = f"revoked {t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "active"
        print(f"{t.id}\t{t.owner.username}\t{t.name}\t{t.created_at:%Y-%m-%d %H:%M}\t{status}")
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    call_command("migrate", interactive=False, verbosity=0)
    ledger.signing_key()
    ledger.integrate()
    ensure_standard_agencies()
    print(f"Database ready. Ledger signing key: {ledger.public_key()}")
    return 0
