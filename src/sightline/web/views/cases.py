"""Case-work pages: raise a concern, the triage queue and decision, screening, missing episodes and
return interviews, plans, placements and investigations.

Views parse forms, check the role (``cap_required``) and need to know (selectors that ledger the read)
and call ``sightline.cases.services``; every rule about case work is in those services, whose
ValidationErrors come back onto the form's fields.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from sightline.access.decorators import cap_required
from sightline.access.models import Agency
from sightline.access.permissions import Cap, can
from sightline.access.services import actor_for
from sightline.cases import screening as tool
from sightline.cases import selectors as cases
from sightline.cases import services
from sightline.cases.models import Concern, Placement, PlanAction, ReturnInterview
from sightline.ledger.services import Actor
from sightline.people import need_to_know as access
from sightline.people import selectors as people
from sightline.people.models import Person
from sightline.people.services import do_create_person
from sightline.web.charts import Series, bar_chart
from sightline.web.forms import ReasonForm, submit_service
from sightline.web.forms_cases import (
    ActionUpdateForm,
    ChildDetailsForm,
    ConcernForm,
    EpisodeEndForm,
    EpisodeForm,
    InterviewOfferForm,
    InterviewResponseForm,
    InvestigationForm,
    LinkPersonForm,
    PlacementEndForm,
    PlacementForm,
    PlanActionForm,
    PlanForm,
    PlanReviewForm,
    ScreeningForm,
    SelfReferralForm,
    SuspectStatusForm,
    TriageForm,
)

STALE = (
    "Someone else changed this record while you were working on it. Check the latest details and try again."
)


def _actor(request: HttpRequest) -> Actor:
    return actor_for(request.user)  # type: ignore[arg-type]


def _person_url(person_id: str, anchor: str = "") -> str:
    url = reverse("web:person", kwargs={"person_id": person_id})
    return f"{url}#{anchor}" if anchor else url


def _submit(form: Form, call: Callable[[], Any], aliases: dict[str, str] | None = None) -> tuple[bool, Any]:
    return submit_service(form, call, aliases, stale_message=STALE)


def _child(request: HttpRequest, person_id: str, purpose: str) -> Person:
    """The child, after the need-to-know check (ledgered). Raises NeedToKnowDenied or Http404."""
    root = people.resolve_person_id(person_id)
    return people.get_person(request.user, root, purpose=purpose).person


# --- concerns ------------------------------------------------------------------------------------


@cap_required(Cap.RAISE_CONCERN)
def concern_start(request: HttpRequest) -> HttpResponse:
    """Raise a concern: first find the child, or give their details if Sightline does not know them."""
    from sightline.web.forms_people import SearchForm

    return render(request, "web/cases/concern_start.html", {"form": SearchForm()})


@cap_required(Cap.RAISE_CONCERN)
def concern_new(request: HttpRequest, person_id: str = "") -> HttpResponse:
    """Raise a concern about a known child (``person_id``) or, with the child's details, about a child
    Sightline does not know yet (the concern then makes the raising agency involved with them)."""
    child = _child(request, person_id, "raise a concern") if person_id else None
    data = request.POST if request.method == "POST" else None
    form = ConcernForm(data)
    child_form = ChildDetailsForm(data, prefix="child") if child is None else None
    if data is not None and form.is_valid() and (child_form is None or child_form.is_valid()):
        cd = form.cleaned_data
        actor = _actor(request)

        def raise_it() -> Concern:
            subject = child or do_create_person(
                actor=actor,
                kind=Person.Kind.CHILD,
                reason="concern raised",
                **child_form.person_fields(),  # type: ignore[union-attr]
            )
            others = []
            for i, (who, role) in enumerate(cd["others"]):
                if form.is_person_id(who):
                    others.append((who.upper(), role))
                    continue
                given, _, family = who.partition(" ")
                try:
                    other = do_create_person(
                        actor=actor,
                        kind=Person.Kind.UNKNOWN,
                        given_name=given,
                        family_name=family,
                        reason="named in a concern",
                    )
                except ValidationError as exc:
                    raise ValidationError({f"others[{i}].person": exc.messages}) from None
                others.append((other.id, role))
            return services.do_raise_concern(
                actor=actor,
                person_id=subject.id,
                what_was_seen=cd["what_was_seen"],
                occurred_at=cd["occurred_at"],
                urgency=cd["urgency"],
                place=cd.get("place", ""),
                postcode=cd.get("postcode", ""),
                indicators=cd["indicators"],
                others=others,
            )

        ok, concern = _submit(form, raise_it, ConcernForm.service_aliases())
        if ok:
            due = concern.triage_due_at
            messages.success(
                request,
                f"Concern {concern.id} raised. It is in the triage queue and is due to be triaged by "
                f"{due:%H:%M on %d %B %Y}.",
            )
            return redirect("web:concern", concern_id=concern.id)
    return render(
        request,
        "web/cases/concern_new.html",
        {
            "form": form,
            "child_form": child_form,
            "child": child,
            "hours": services.triage_hours(),
            "indicator_groups": [
                form["vulnerabilities"],
                form["moderate"],
                form["significant"],
            ],
        },
    )


@cap_required(Cap.VIEW_OWN_AGENCY_PEOPLE, Cap.VIEW_ALL_PEOPLE)
def concern_detail(request: HttpRequest, concern_id: str) -> HttpResponse:
    detail = cases.get_concern(request.user, concern_id)
    return render(
        request,
        "web/cases/concern.html",
        {
            "detail": detail,
            "concern": detail.concern,
            "can_triage": can(request.user.role, Cap.TRIAGE),  # type: ignore[union-attr]
        },
    )


@cap_required(Cap.RAISE_CONCERN)
def concern_withdraw(request: HttpRequest, concern_id: str) -> HttpResponse:
    """Withdraw a concern raised in error. It stays on record, with the reason."""
    detail = cases.get_concern(request.user, concern_id)
    form = ReasonForm(request.POST or None, label="Why are you withdrawing this concern?")
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        ok, _ = _submit(
            form,
            lambda: services.do_withdraw_concern(detail.concern.id, actor=_actor(request), reason=reason),
        )
        if ok:
            messages.success(request, "Concern withdrawn. It stays on the child's record with your reason.")
            return redirect("web:concern", concern_id=detail.concern.id)
    return render(
        request,
        "web/cases/concern_withdraw.html",
        {"form": form, "concern": detail.concern, "child": detail.concern.person},
    )


@cap_required(Cap.TRIAGE, Cap.SEE_OVERDUE)
def triage_queue(request: HttpRequest) -> HttpResponse:
    items = cases.triage_queue(request.user)
    return render(
        request,
        "web/cases/triage_queue.html",
        {
            "items": items,
            "overdue": sum(1 for i in items if i.overdue),
            "can_triage": can(request.user.role, Cap.TRIAGE),  # type: ignore[union-attr]
            "hours": services.triage_hours(),
        },
    )


@cap_required(Cap.TRIAGE)
def triage(request: HttpRequest, concern_id: str) -> HttpResponse:
    detail = cases.get_concern(request.user, concern_id)
    concern = detail.concern
    form = TriageForm(request.POST or None, initial={"version": concern.version})
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        ok, decision = _submit(
            form,
            lambda: services.do_triage_concern(
                concern.id,
                actor=_actor(request),
                decision=cd["decision"],
                reason=cd.get("reason", ""),
                expected_version=cd.get("version"),
            ),
        )
        if ok:
            messages.success(request, f"Triage decision recorded: {decision.get_decision_display()}.")
            if decision.decision == decision.Decision.SCREENING and can(request.user.role, Cap.SCREEN):  # type: ignore[union-attr]
                url = reverse("web:screening_new", kwargs={"person_id": concern.person_id})
                return redirect(f"{url}?concern={concern.id}")
            return redirect("web:triage_queue")
    return render(request, "web/cases/triage.html", {"detail": detail, "concern": concern, "form": form})


# --- screening -----------------------------------------------------------------------------------


@cap_required(Cap.SCREEN)
def screening_new(request: HttpRequest, person_id: str) -> HttpResponse:
    """The screening form. "Calculate the score" shows the score and band from the indicator set;
    "Save" records it. The band can be overridden with a reason: the score supports judgement."""
    history = cases.screening_history(request.user, person_id)  # need to know, ledgered
    root = people.resolve_person_id(person_id)
    child = people.person_record(root).person
    initial = {"concern": request.GET.get("concern", "")}
    form = ScreeningForm(request.POST or None, initial=initial)
    result = None
    if request.method == "POST" and form.is_valid():
        indicator_set = form.indicator_set
        result = tool.score_answers(indicator_set, tool.parse_answers(indicator_set, form.answers()))
        if request.POST.get("action") == "save":
            cd = form.cleaned_data
            ok, screening = _submit(
                form,
                lambda: services.do_complete_screening(
                    actor=_actor(request),
                    person_id=root,
                    answers=form.answers(),
                    override_band=cd.get("override_band", ""),
                    override_reason=cd.get("override_reason", ""),
                    notes=cd.get("notes", ""),
                    concern_id=cd.get("concern") or None,
                ),
            )
            if ok:
                labels = {b.key: b.label for b in indicator_set.bands}
                messages.success(
                    request,
                    f"Screening saved: score {screening.score}, "
                    f"{labels.get(screening.band, screening.band).lower()}. "
                    f"Screen again by {screening.next_due_on:%d %B %Y}.",
                )
                return redirect(_person_url(root, "screenings"))
    return render(
        request,
        "web/cases/screening_new.html",
        {
            "form": form,
            "child": child,
            "result": result,
            "last": history[0] if history else None,
            "indicator_set": form.indicator_set,
        },
    )


# --- missing episodes and return interviews ------------------------------------------------------


@cap_required(Cap.MANAGE_CASE)
def episode_new(request: HttpRequest, person_id: str) -> HttpResponse:
    child = _child(request, person_id, "record a missing episode")
    form = EpisodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        ok, episode = _submit(
            form,
            lambda: services.do_record_missing_episode(
                actor=_actor(request),
                person_id=child.id,
                category=cd["category"],
                started_at=cd["started_at"],
                ended_at=cd["ended_at"],
                where_found=cd.get("where_found", ""),
                notes=cd.get("notes", ""),
            ),
            EpisodeForm.ALIASES,
        )
        if ok:
            messages.success(request, f"{episode.get_category_display().split(' (')[0]} episode recorded.")
            return redirect("web:episode", episode_id=episode.id)
    return render(request, "web/cases/episode_new.html", {"form": form, "child": child})


@cap_required(Cap.VIEW_OWN_AGENCY_PEOPLE, Cap.VIEW_ALL_PEOPLE)
def episode_detail(request: HttpRequest, episode_id: str) -> HttpResponse:
    view = cases.get_episode(request.user, episode_id)
    summary = cases.episodes_for(view.episode.person_id)
    return render(
        request,
        "web/cases/episode.html",
        {
            "view": view,
            "episode": view.episode,
            "child": view.episode.person,
            "summary": summary,
            "can_manage": can(request.user.role, Cap.MANAGE_CASE),  # type: ignore[union-attr]
        },
    )


@cap_required(Cap.MANAGE_CASE)
def episode_end(request: HttpRequest, episode_id: str) -> HttpResponse:
    view = cases.get_episode(request.user, episode_id)
    episode = view.episode
    if episode.ended_at is not None:
        messages.info(request, "This episode has already ended.")
        return redirect("web:episode", episode_id=episode.id)
    form = EpisodeEndForm(request.POST or None, initial={"version": episode.version})
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        ok, _ = _submit(
            form,
            lambda: services.do_end_missing_episode(
                episode.id,
                actor=_actor(request),
                ended_at=cd["ended_at"],
                where_found=cd.get("where_found", ""),
                expected_version=cd.get("version"),
            ),
            EpisodeEndForm.ALIASES,
        )
        if ok:
            messages.success(request, "Return recorded. Offer a return home interview within 72 hours.")
            return redirect("web:episode", episode_id=episode.id)
    return render(
        request, "web/cases/episode_end.html", {"form": form, "episode": episode, "child": episode.person}
    )


@cap_required(Cap.MANAGE_CASE)
def interview_new(request: HttpRequest, episode_id: str) -> HttpResponse:
    """Record the offer of a return home interview and, if known, the child's answer and the outcome."""
    view = cases.get_episode(request.user, episode_id)
    episode = view.episode
    form = InterviewOfferForm(request.POST or None, initial={"response": ReturnInterview.Response.PENDING})
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        actor = _actor(request)

        def offer() -> ReturnInterview:
            interview = services.do_offer_return_interview(
                episode.id, actor=actor, offered_at=cd["offered_at"]
            )
            if cd["response"] != ReturnInterview.Response.PENDING or cd["held_at"] or cd.get("outcome"):
                interview = services.do_record_return_interview_response(
                    interview.id,
                    actor=actor,
                    response=cd["response"],
                    held_at=cd["held_at"],
                    outcome=cd.get("outcome", ""),
                )
            return interview

        ok, _ = _submit(form, offer, InterviewOfferForm.ALIASES)
        if ok:
            messages.success(request, "Return home interview recorded.")
            return redirect("web:episode", episode_id=episode.id)
    return render(
        request,
        "web/cases/interview_new.html",
        {"form": form, "episode": episode, "view": view, "child": episode.person},
    )


@cap_required(Cap.MANAGE_CASE)
def interview_response(request: HttpRequest, interview_id: str) -> HttpResponse:
    interview = ReturnInterview.objects.filter(pk=interview_id).select_related("episode").first()
    if interview is None:
        raise Http404("No such interview")
    view = cases.get_episode(request.user, interview.episode_id)  # need to know, ledgered
    form = InterviewResponseForm(
        request.POST or None,
        initial={"response": interview.response, "outcome": interview.outcome, "version": interview.version},
    )
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        ok, _ = _submit(
            form,
            lambda: services.do_record_return_interview_response(
                interview.id,
                actor=_actor(request),
                response=cd["response"],
                held_at=cd["held_at"],
                outcome=cd.get("outcome", ""),
                expected_version=cd.get("version"),
            ),
            InterviewResponseForm.ALIASES,
        )
        if ok:
            messages.success(request, "Return home interview updated.")
            return redirect("web:episode", episode_id=interview.episode_id)
    return render(
        request,
        "web/cases/interview_response.html",
        {"form": form, "interview": interview, "episode": view.episode, "child": view.episode.person},
    )


# --- plans ---------------------------------------------------------------------------------------


@cap_required(Cap.MANAGE_CASE)
def plan_new(request: HttpRequest, person_id: str) -> HttpResponse:
    child = _child(request, person_id, "open a plan")
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        ok, plan = _submit(
            form,
            lambda: services.do_create_plan(
                actor=_actor(request),
                person_id=child.id,
                title=cd["title"],
                summary=cd.get("summary", ""),
                review_due_on=cd["review_due_on"],
            ),
        )
        if ok:
            messages.success(request, f"Plan opened: {plan.title}. Add its actions.")
            return redirect("web:plan", plan_id=plan.id)
    return render(request, "web/cases/plan_new.html", {"form": form, "child": child})


def _agencies() -> list[tuple[str, str]]:
    return list(Agency.objects.filter(active=True).order_by("name").values_list("pk", "name"))


@cap_required(Cap.VIEW_OWN_AGENCY_PEOPLE, Cap.VIEW_ALL_PEOPLE)
def plan_detail(request: HttpRequest, plan_id: str) -> HttpResponse:
    view = cases.get_plan(request.user, plan_id)
    return render(
        request,
        "web/cases/plan.html",
        {
            "view": view,
            "plan": view.plan,
            "child": view.plan.person,
            "can_manage": can(request.user.role, Cap.MANAGE_CASE),  # type: ignore[union-attr]
        },
    )


@cap_required(Cap.MANAGE_CASE)
def action_new(request: HttpRequest, plan_id: str) -> HttpResponse:
    view = cases.get_plan(request.user, plan_id)
    user: Any = request.user
    form = PlanActionForm(
        request.POST or None, agencies=_agencies(), initial={"owner_agency": user.agency_id}
    )
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        ok, _ = _submit(
            form,
            lambda: services.do_add_plan_action(
                view.plan.id,
                actor=_actor(request),
                description=cd["description"],
                owner_agency=cd["owner_agency"],
                owner_user=cd.get("owner_user", ""),
                due_on=cd["due_on"],
            ),
        )
        if ok:
            messages.success(request, "Action added to the plan.")
            return redirect("web:plan", plan_id=view.plan.id)
    return render(
        request, "web/cases/action_new.html", {"form": form, "plan": view.plan, "child": view.plan.person}
    )


@cap_required(Cap.MANAGE_CASE)
def action_update(request: HttpRequest, action_id: str) -> HttpResponse:
    action = PlanAction.objects.filter(pk=action_id).select_related("plan").first()
    if action is None:
        raise Http404("No such action")
    view = cases.get_plan(request.user, action.plan_id)  # need to know, ledgered
    form = ActionUpdateForm(
        request.POST or None,
        initial={"status": action.status, "note": action.note, "version": action.version},
    )
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        ok, _ = _submit(
            form,
            lambda: services.do_update_plan_action(
                action.id,
                actor=_actor(request),
                status=cd["status"],
                note=cd.get("note", ""),
                reason=cd.get("reason", ""),
                expected_version=cd.get("version"),
            ),
        )
        if ok:
            messages.success(request, "Action updated.")
            return redirect("web:plan", plan_id=action.plan_id)
    return render(
        request,
        "web/cases/action_update.html",
        {"form": form, "action": action, "plan": view.plan, "child": view.plan.person},
    )


@cap_required(Cap.MANAGE_CASE)
def plan_review(request: HttpRequest, plan_id: str) -> HttpResponse:
    view = cases.get_plan(request.user, plan_id)
    form = PlanReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        ok, _ = _submit(
            form,
            lambda: services.do_review_plan(
                view.plan.id,
                actor=_actor(request),
                summary=cd["summary"],
                next_review_on=cd["next_review_on"],
            ),
        )
        if ok:
            messages.success(request, "Plan review recorded.")
            return redirect("web:plan", plan_id=view.plan.id)
    return render(
        request, "web/cases/plan_review.html", {"form": form, "plan": view.plan, "child": view.plan.person}
    )


@cap_required(Cap.MANAGE_CASE)
def plan_close(request: HttpRequest, plan_id: str) -> HttpResponse:
    view = cases.get_plan(request.user, plan_id)
    form = ReasonForm(request.POST or None, label="Why is the plan closing?")
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        ok, _ = _submit(
            form, lambda: services.do_close_plan(view.plan.id, actor=_actor(request), reason=reason)
        )
        if ok:
            messages.success(request, "Plan closed.")
            return redirect("web:plan", plan_id=view.plan.id)
    return render(
        request, "web/cases/plan_close.html", {"form": form, "plan": view.plan, "child": view.plan.person}
    )


# --- placements ----------------------------------------------------------------------------------


@cap_required(Cap.MANAGE_CASE)
def placement_new(request: HttpRequest, person_id: str) -> HttpResponse:
    child = _child(request, person_id, "record a placement")
    form = PlacementForm(request.POST or None, initial={"placing_authority": cases.local_authority()})
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        ok, _ = _submit(
            form,
            lambda: services.do_start_placement(
                actor=_actor(request),
                person_id=child.id,
                placement_type=cd["placement_type"],
                started_on=cd["started_on"],
                ended_on=cd.get("ended_on"),
                in_area=cd["in_area"] == "yes",
                placing_authority=cd["placing_authority"],
                provider=cd.get("provider", ""),
                postcode=cd.get("postcode", ""),
            ),
        )
        if ok:
            messages.success(request, "Placement recorded.")
            return redirect(_person_url(child.id, "placements"))
    return render(request, "web/cases/placement_new.html", {"form": form, "child": child})


@cap_required(Cap.MANAGE_CASE)
def placement_end(request: HttpRequest, placement_id: str) -> HttpResponse:
    placement = Placement.objects.filter(pk=placement_id).first()
    if placement is None:
        raise Http404("No such placement")
    child = _child(request, placement.person_id, "end a placement")
    form = PlacementEndForm(request.POST or None, initial={"version": placement.version})
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        ok, _ = _submit(
            form,
            lambda: services.do_end_placement(
                placement.id,
                actor=_actor(request),
                ended_on=cd["ended_on"],
                end_reason=cd["end_reason"],
                expected_version=cd.get("version"),
            ),
        )
        if ok:
            messages.success(request, "Placement ended.")
            return redirect(_person_url(child.id, "placements"))
    return render(
        request, "web/cases/placement_end.html", {"form": form, "placement": placement, "child": child}
    )


# --- investigations ------------------------------------------------------------------------------


SELF_REFERRAL_WEEKS = 12


def self_referral_chart() -> Any:
    """Victims coming forward per week over the last 12 weeks (a count: no one is named)."""
    from django.utils import timezone

    end = timezone.localdate()
    weeks = cases.self_referrals_per_week(end - dt.timedelta(weeks=SELF_REFERRAL_WEEKS - 1), end)
    return bar_chart(
        chart_id="self-referrals",
        title=f"Victims coming forward per week, last {SELF_REFERRAL_WEEKS} weeks",
        x_label="Week beginning",
        y_label="People",
        series=[Series("Came forward", [(week, count) for week, count in weeks])],
        x_format=lambda d: f"{d:%d %b}".lstrip("0"),
    )


@cap_required(Cap.INVESTIGATE, Cap.VIEW_ALL_PEOPLE)
def investigations(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/cases/investigations.html",
        {
            "investigations": cases.investigations(request.user),
            "can_investigate": can(request.user.role, Cap.INVESTIGATE),  # type: ignore[union-attr]
            "chart": self_referral_chart(),
        },
    )


@cap_required(Cap.INVESTIGATE)
def investigation_new(request: HttpRequest) -> HttpResponse:
    form = InvestigationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        ok, inv = _submit(
            form,
            lambda: services.do_open_investigation(
                actor=_actor(request),
                operation_name=cd["operation_name"],
                opened_on=cd["opened_on"],
                summary=cd.get("summary", ""),
                lead_officer=cd.get("lead_officer", ""),
            ),
        )
        if ok:
            messages.success(request, f"Investigation {inv.operation_name} opened.")
            return redirect("web:investigation", investigation_id=inv.id)
    return render(request, "web/cases/investigation_new.html", {"form": form})


@cap_required(Cap.INVESTIGATE, Cap.VIEW_ALL_PEOPLE)
def investigation_detail(request: HttpRequest, investigation_id: str) -> HttpResponse:
    view = cases.get_investigation(request.user, investigation_id)
    return render(
        request,
        "web/cases/investigation.html",
        {
            "view": view,
            "investigation": view.investigation,
            "can_investigate": can(request.user.role, Cap.INVESTIGATE),  # type: ignore[union-attr]
        },
    )


@cap_required(Cap.INVESTIGATE)
def investigation_link(request: HttpRequest, investigation_id: str) -> HttpResponse:
    view = cases.get_investigation(request.user, investigation_id)
    form = LinkPersonForm(request.POST or None, initial={"role": request.GET.get("role", "")})
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        pid = cd["person"].strip().upper()
        if Person.objects.filter(pk=pid).exists():
            # Linking shows the person's name on the investigation: the same need to know applies.
            access.require_person_access(request.user, people.resolve_person_id(pid), "link to investigation")
        ok, link = _submit(
            form,
            lambda: services.do_link_investigation_person(
                view.investigation.id, actor=_actor(request), person_id=pid, role=cd["role"]
            ),
        )
        if ok:
            messages.success(request, f"{link.person} linked as a {link.get_role_display().lower()}.")
            return redirect("web:investigation", investigation_id=view.investigation.id)
    return render(
        request, "web/cases/investigation_link.html", {"form": form, "investigation": view.investigation}
    )


@cap_required(Cap.INVESTIGATE)
def suspect_status(request: HttpRequest, investigation_id: str) -> HttpResponse:
    view = cases.get_investigation(request.user, investigation_id)
    suspects = [(s.link.person_id, str(s.link.person)) for s in view.suspects]
    form = SuspectStatusForm(
        request.POST or None, suspects=suspects, initial={"person": request.GET.get("person", "")}
    )
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        ok, status = _submit(
            form,
            lambda: services.do_record_suspect_status(
                view.investigation.id,
                actor=_actor(request),
                person_id=cd["person"],
                status=cd["status"],
                effective_on=cd["effective_on"],
                bail_conditions=cd.get("bail_conditions", ""),
                bail_end_on=cd.get("bail_end_on"),
                note=cd.get("note", ""),
            ),
        )
        if ok:
            messages.success(request, f"{status.person}: {status.get_status_display().lower()} recorded.")
            return redirect("web:investigation", investigation_id=view.investigation.id)
    return render(
        request,
        "web/cases/suspect_status.html",
        {"form": form, "investigation": view.investigation, "has_suspects": bool(suspects)},
    )


@cap_required(Cap.INVESTIGATE)
def self_referral_new(request: HttpRequest, investigation_id: str) -> HttpResponse:
    """Record a victim coming forward to this investigation. They may not be known yet."""
    view = cases.get_investigation(request.user, investigation_id)
    form = SelfReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        pid = (cd.get("person") or "").strip().upper()
        if pid and Person.objects.filter(pk=pid).exists():
            access.require_person_access(request.user, people.resolve_person_id(pid), "self-referral")
        ok, _ = _submit(
            form,
            lambda: services.do_record_self_referral(
                actor=_actor(request),
                received_on=cd["received_on"],
                person_id=pid or None,
                investigation_id=view.investigation.id,
                channel=cd.get("channel", ""),
                summary=cd.get("summary", ""),
            ),
        )
        if ok:
            messages.success(request, "Recorded: someone came forward.")
            return redirect("web:investigation", investigation_id=view.investigation.id)
    return render(
        request, "web/cases/self_referral_new.html", {"form": form, "investigation": view.investigation}
    )
