"""Sign-in with a second factor, sign-out, the dashboard, access histories, break-glass and accounts.

Views parse input and call ``sightline.access`` services and selectors; need to know and
break-glass on a person are ``sightline.people``'s.
"""

from __future__ import annotations

import time
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_ip_address, get_cool_off
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.signals import user_login_failed
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from sightline.access import selectors, services
from sightline.access.decorators import cap_required, fully_signed_in, signed_in
from sightline.access.forms import (
    BreakGlassForm,
    ChangeRoleForm,
    NewUserForm,
    PersonIdForm,
    ReviewForm,
    SecondFactorForm,
    SignInForm,
)
from sightline.access.middleware import TIMED_OUT_KEY
from sightline.access.models import User
from sightline.access.permissions import Cap, Role, capabilities
from sightline.access.role_changes import do_request_role_change
from sightline.core.labels import with_article
from sightline.ledger.services import Actor
from sightline.people import need_to_know
from sightline.people.services import do_break_glass
from sightline.web.forms import STALE, ReasonForm, form_view, submit_service
from sightline.web.navigation import person_url

PENDING_KEY = "sign_in_pending"
PENDING_SECONDS = 600
PAGE_SIZE = 50
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _ip(request: HttpRequest) -> str:
    return str(get_client_ip_address(request) or "")


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("web:dashboard")


def _locked(request: HttpRequest, username: str) -> bool:
    return not AxesProxyHandler.is_allowed(request, {"username": username})


# --- sign in -------------------------------------------------------------------------------------


def sign_in(request: HttpRequest) -> HttpResponse:
    if fully_signed_in(request):
        return redirect(_safe_next(request, request.GET.get("next")))
    timed_out = request.session.pop(TIMED_OUT_KEY, None) == "idle"
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        already_locked = _locked(request, username)
        user = authenticate(request, username=username, password=form.cleaned_data["password"])
        if user is None:
            if already_locked:
                services.do_record_failed_login(
                    username=username, stage="locked", ip=_ip(request), locked_out=True
                )
            else:
                locked_now = bool(getattr(request, "axes_locked_out", False))
                services.do_record_failed_login(
                    username=username, stage="password", ip=_ip(request), locked_out=locked_now
                )
                if locked_now:
                    services.do_record_lockout(
                        username=username,
                        ip=_ip(request),
                        failures=getattr(request, "axes_failures_since_start", None),
                    )
            # When locked, django-axes' middleware replaces this response with lockout_response().
            form.add_error(None, "Enter a correct username and password")
        else:
            assert isinstance(user, User)
            return _after_password(request, user)
    return render(
        request,
        "web/access/sign_in.html",
        {"form": form, "timed_out": timed_out, "idle_minutes": settings.SESSION_IDLE_SECONDS // 60},
    )


def _after_password(request: HttpRequest, user: User) -> HttpResponse:
    nxt = _safe_next(request, request.GET.get("next") or request.POST.get("next"))
    if not services.second_factor_required(user):
        login(request, user, backend=MODEL_BACKEND)
        services.do_record_login(user, ip=_ip(request), second_factor="none")
        return redirect(nxt)
    if not services.has_second_factor(user):
        services.do_record_failed_login(
            username=user.username,
            stage="no_second_factor",
            ip=_ip(request),
            reason="no authenticator app set up",
        )
        return render(request, "web/access/no_second_factor.html", status=403)
    request.session.cycle_key()
    request.session[PENDING_KEY] = {"user": user.pk, "at": int(time.time()), "next": nxt}
    return redirect("web:login_code")


def _pending_user(request: HttpRequest) -> tuple[User | None, str]:
    pending = request.session.get(PENDING_KEY)
    if not pending or int(time.time()) - int(pending.get("at", 0)) > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None, ""
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    return user, str(pending.get("next") or "")


def second_factor(request: HttpRequest) -> HttpResponse:
    user, nxt = _pending_user(request)
    if user is None:
        messages.info(request, "Your sign-in has expired. Enter your username and password again.")
        return redirect("web:login")
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ip = _ip(request)
        if _locked(request, user.username):
            request.session.pop(PENDING_KEY, None)
            services.do_record_failed_login(username=user.username, stage="locked", ip=ip, locked_out=True)
            return lockout_response(request)
        result = services.verify_second_factor(user, form.cleaned_data["code"])
        if result.ok:
            request.session.pop(PENDING_KEY, None)
            if result.device is not None:
                user.otp_device = result.device  # type: ignore[attr-defined]  # django-otp persists it on login
            login(request, user, backend=MODEL_BACKEND)
            request.session["last_seen"] = int(time.time())
            services.do_record_login(user, ip=ip, second_factor=result.method)
            return redirect(_safe_next(request, nxt))
        services.do_record_failed_login(username=user.username, stage="second_factor", ip=ip)
        # Wrong codes count towards the same lockout as wrong passwords.
        user_login_failed.send(sender=__name__, credentials={"username": user.username}, request=request)
        if getattr(request, "axes_locked_out", False):
            request.session.pop(PENDING_KEY, None)
            services.do_record_lockout(
                username=user.username, ip=ip, failures=getattr(request, "axes_failures_since_start", None)
            )
            return lockout_response(request)
        form.add_error("code", "The security code is not correct. Check your app and try again.")
    return render(
        request,
        "web/access/second_factor.html",
        {"form": form, "demo_factor": services.demo_factor_allowed(user)},
    )


def lockout_response(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """django-axes' AXES_LOCKOUT_CALLABLE: the GOV.UK 'too many attempts' page."""
    cool_off = get_cool_off(request)
    minutes = int(cool_off.total_seconds() // 60) if cool_off else 0
    return render(
        request, "web/access/locked_out.html", {"minutes": minutes, "hours": minutes // 60}, status=429
    )


def sign_out(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "web/access/sign_out.html")
    if request.user.is_authenticated:
        services.do_record_logout(request.user)
    logout(request)
    messages.info(request, "You have signed out.")
    return redirect("web:login")


# --- dashboard and own history -------------------------------------------------------------------


def _optional_template(name: str) -> str:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return ""
    return name


@signed_in
def dashboard(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    return render(
        request,
        "web/dashboard.html",
        {
            "role_label": Role(user.role).label,
            "capabilities": [c.label for c in capabilities(user.role)],
            "panels_template": _optional_template("web/cases/dashboard_panels.html"),
            "accountability_panels": _optional_template("web/accountability/dashboard_panels.html"),
        },
    )


def _page(request: HttpRequest, qs: Any) -> Any:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


@signed_in
def my_activity(request: HttpRequest) -> HttpResponse:
    page = _page(request, selectors.my_activity(request.user))  # type: ignore[arg-type]
    return render(request, "web/access/activity.html", {"page": page})


# --- break-glass ---------------------------------------------------------------------------------


def _minutes() -> int:
    return int(services.break_glass_duration().total_seconds() // 60)


@cap_required(Cap.BREAK_GLASS)
def break_glass(request: HttpRequest, person_id: str) -> HttpResponse:
    user: Any = request.user
    target = _safe_next(request, request.GET.get("next") or request.POST.get("next") or person_url(person_id))
    if need_to_know.person_access(user, person_id).allowed:
        return redirect(target)
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        ok, _grant = submit_service(
            form, lambda: do_break_glass(user, person_id=person_id, reason=reason), stale_message=STALE
        )
        if ok:
            messages.warning(
                request,
                f"You have break-glass access to this record for {_minutes()} minutes. It will be reviewed.",
            )
            return redirect(target)
    return render(
        request,
        "web/access/break_glass.html",
        {"form": form, "person_id": person_id, "next": target, "minutes": _minutes()},
    )


@cap_required(Cap.REVIEW_BREAK_GLASS)
def break_glass_queue(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/access/break_glass_queue.html",
        {
            "waiting": selectors.break_glass_queue(),
            "reviewed": _page(request, selectors.break_glass_queue(reviewed=True)),
        },
    )


@cap_required(Cap.REVIEW_BREAK_GLASS)
def break_glass_review(request: HttpRequest, grant_id: str) -> HttpResponse:
    grant = selectors.break_glass_grant(grant_id)
    return form_view(
        request,
        ReviewForm(request.POST or None),
        template="web/access/break_glass_review.html",
        call=lambda cd: services.do_review_break_glass(
            request.user,  # type: ignore[arg-type]
            grant_id=grant.id,
            outcome=cd["outcome"],
            note=cd["note"],
        ),
        success=lambda _: reverse("web:break_glass_queue"),
        message=f"Review of {grant.user.username}'s access recorded.",
        context={"grant": grant, "reads": need_to_know.reads_under_grant(grant)},
    )


# --- who saw a record (independent reviewer) -----------------------------------------------------


@cap_required(Cap.VIEW_LEDGER)
def person_access_search(request: HttpRequest) -> HttpResponse:
    form = PersonIdForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return redirect("web:person_access_log", person_id=form.cleaned_data["person_id"].strip())
    return render(request, "web/access/person_access_search.html", {"form": form})


@signed_in
def person_access_log(request: HttpRequest, person_id: str) -> HttpResponse:
    log = need_to_know.person_access_log(request.user, person_id)  # type: ignore[arg-type]
    page = _page(request, log)
    return render(request, "web/access/person_access_log.html", {"page": page, "person_id": person_id})


# --- accounts (system administrator) -------------------------------------------------------------


@cap_required(Cap.MANAGE_ACCOUNTS)
def users(request: HttpRequest) -> HttpResponse:
    return render(request, "web/access/users.html", {"page": _page(request, selectors.users())})


def _me(request: HttpRequest) -> Actor:
    return services.actor_for(request.user)  # type: ignore[arg-type]


def _credentials(request: HttpRequest, account: User, **shown: Any) -> HttpResponse:
    """The page that shows a new password or authenticator key once."""
    return render(request, "web/access/user_credentials.html", {"account": account, **shown})


@cap_required(Cap.MANAGE_ACCOUNTS)
def user_new(request: HttpRequest) -> HttpResponse:
    form = NewUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        password = services.generate_password()
        me = _me(request)

        def create() -> tuple[User, services.Enrolment]:
            user = services.do_create_user(
                me,
                username=data["username"],
                role=data["role"],
                agency=data["agency"],
                password=password,
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
            )
            return user, services.do_enrol_totp(me, username=user.username, reason="new account")

        ok, created = submit_service(form, create, stale_message=STALE)
        if ok:
            user, enrolment = created
            return _credentials(request, user, password=password, enrolment=enrolment, created=True)
    return render(request, "web/access/user_new.html", {"form": form})


@cap_required(Cap.MANAGE_ACCOUNTS)
def user_detail(request: HttpRequest, username: str) -> HttpResponse:
    account = selectors.user_by_username(username)
    return render(
        request,
        "web/access/user_detail.html",
        {
            "account": account,
            "role_label": Role(account.role).label,
            "capabilities": [c.label for c in capabilities(account.role)],
            "has_second_factor": services.has_second_factor(account),
            "role_form": ChangeRoleForm(initial={"role": account.role}),
            "reason_form": ReasonForm(),
            "pending": account.role_change_requests.filter(status="pending").first(),
            "awaiting_approval": selectors.awaiting_approval(account),
        },
    )


@cap_required(Cap.MANAGE_ACCOUNTS)
def user_role(request: HttpRequest, username: str) -> HttpResponse:
    """Change a role, or, where a second account manager must approve it, ask for the change."""
    account = selectors.user_by_username(username)
    me = _me(request)

    def change(cd: dict[str, Any]) -> tuple[User, bool]:
        if services.needs_second_person(me, account.username, cd["role"]):
            do_request_role_change(me, username=account.username, role=cd["role"], reason=cd["reason"])
            return account, True
        user = services.do_change_role(me, username=account.username, role=cd["role"], reason=cd["reason"])
        return user, False

    def said(done: tuple[User, bool]) -> str:
        user, pending = done
        if pending:
            return f"Role change for {user.username} requested. Another account manager must approve it."
        return f"{user.username} is now {with_article(Role(user.role).label)}."

    return form_view(
        request,
        ChangeRoleForm(request.POST or None, initial={"role": account.role}),
        template="web/access/user_role.html",
        call=change,
        success=lambda done: reverse("web:user_detail", kwargs={"username": done[0].username}),
        message=said,
        context={"account": account},
    )


ACCOUNT_ACTIONS = {
    "deactivate": "Deactivate this account",
    "reactivate": "Reactivate this account",
    "unlock": "Unlock this account",
    "password": "Issue a new password",
    "authenticator": "Set up a new authenticator app",
}


@cap_required(Cap.MANAGE_ACCOUNTS)
def user_action(request: HttpRequest, username: str, action: str) -> HttpResponse:
    """Deactivate, reactivate, unlock, or issue a new password or authenticator app, with a reason."""
    account = selectors.user_by_username(username)
    if action not in ACCOUNT_ACTIONS:
        raise Http404("No such account action")
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        me, reason, name = _me(request), form.cleaned_data["reason"], account.username
        if action == "password":
            password = services.generate_password()
            ok, _user = submit_service(
                form,
                lambda: services.do_set_password(me, username=name, password=password, reason=reason),
                stale_message=STALE,
            )
            if ok:
                return _credentials(request, account, password=password)
        elif action == "authenticator":
            ok, enrolment = submit_service(
                form, lambda: services.do_enrol_totp(me, username=name, reason=reason), stale_message=STALE
            )
            if ok:
                return _credentials(request, account, enrolment=enrolment)
        else:
            change = {
                "deactivate": services.do_deactivate_user,
                "reactivate": services.do_reactivate_user,
                "unlock": services.do_unlock_user,
            }[action]
            ok, _done = submit_service(
                form, lambda: change(me, username=name, reason=reason), stale_message=STALE
            )
            if ok:
                messages.success(request, f"{ACCOUNT_ACTIONS[action]}: done for {name}.")
                return redirect("web:user_detail", username=name)
    return render(
        request,
        "web/access/user_action.html",
        {"form": form, "account": account, "title": ACCOUNT_ACTIONS[action], "action": action},
    )
