"""Missing episode and return interview pages: record an episode, read it, record the child's
return, the offer of a return home interview, and the child's answer."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from sightline.access.decorators import cap_required
from sightline.access.permissions import Cap
from sightline.cases import selectors as cases
from sightline.cases import services
from sightline.cases.models import MissingEpisode, ReturnInterview
from sightline.web.forms import form_view
from sightline.web.forms_cases import EpisodeEndForm, EpisodeForm, InterviewOfferForm, InterviewResponseForm
from sightline.web.views.cases.common import actor, child, user_can


def _episode_url(episode_id: str) -> str:
    return reverse("web:episode", kwargs={"episode_id": episode_id})


@cap_required(Cap.MANAGE_CASE)
def episode_new(request: HttpRequest, person_id: str) -> HttpResponse:
    person = child(request, person_id, "record a missing episode")

    def record(cd: dict[str, Any]) -> MissingEpisode:
        return services.do_record_missing_episode(
            actor(request),
            person_id=person.id,
            category=cd["category"],
            started_at=cd["started_at"],
            ended_at=cd["ended_at"],
            where_found=cd.get("where_found", ""),
            notes=cd.get("notes", ""),
        )

    return form_view(
        request,
        EpisodeForm(request.POST or None),
        template="web/cases/episode_new.html",
        call=record,
        success=lambda episode: _episode_url(episode.id),
        message=lambda episode: f"{episode.get_category_display().split(' (')[0]} episode recorded.",
        context={"child": person},
        aliases=EpisodeForm.ALIASES,
    )


@cap_required(Cap.VIEW_OWN_AGENCY_PEOPLE, Cap.VIEW_ALL_PEOPLE)
def episode_detail(request: HttpRequest, episode_id: str) -> HttpResponse:
    view = cases.get_episode(request.user, episode_id)
    return render(
        request,
        "web/cases/episode.html",
        {
            "view": view,
            "episode": view.episode,
            "child": view.episode.person,
            "summary": cases.episodes_for(view.episode.person_id),
            "can_manage": user_can(request, Cap.MANAGE_CASE),
        },
    )


@cap_required(Cap.MANAGE_CASE)
def episode_end(request: HttpRequest, episode_id: str) -> HttpResponse:
    episode = cases.get_episode(request.user, episode_id).episode
    if episode.ended_at is not None:
        messages.info(request, "This episode has already ended.")
        return redirect(_episode_url(episode.id))
    return form_view(
        request,
        EpisodeEndForm(request.POST or None, initial={"version": episode.version}),
        template="web/cases/episode_end.html",
        call=lambda cd: services.do_end_missing_episode(
            actor(request),
            episode_id=episode.id,
            ended_at=cd["ended_at"],
            where_found=cd.get("where_found", ""),
            expected_version=cd.get("version"),
        ),
        success=lambda _: _episode_url(episode.id),
        message="Return recorded. Offer a return home interview within 72 hours.",
        context={"episode": episode, "child": episode.person},
        aliases=EpisodeEndForm.ALIASES,
    )


@cap_required(Cap.MANAGE_CASE)
def interview_new(request: HttpRequest, episode_id: str) -> HttpResponse:
    """Record the offer of a return home interview and, if known, the child's answer and the outcome."""
    view = cases.get_episode(request.user, episode_id)
    episode = view.episode

    def offer(cd: dict[str, Any]) -> ReturnInterview:
        who = actor(request)
        interview = services.do_offer_return_interview(
            who, episode_id=episode.id, offered_at=cd["offered_at"]
        )
        answered = cd["response"] != ReturnInterview.Response.PENDING or cd["held_at"] or cd.get("outcome")
        if answered or cd.get("disclosure"):
            interview = services.do_record_return_interview_response(
                who,
                interview_id=interview.id,
                response=cd["response"],
                held_at=cd["held_at"],
                outcome=cd.get("outcome", ""),
                disclosure=bool(cd.get("disclosure")),
            )
        return interview

    return form_view(
        request,
        InterviewOfferForm(
            request.POST or None,
            initial={"response": ReturnInterview.Response.PENDING},
            rescreen_hours=cases.rescreen_hours().get("disclosure"),
        ),
        template="web/cases/interview_new.html",
        call=offer,
        success=lambda _: _episode_url(episode.id),
        message="Return home interview recorded.",
        context={"episode": episode, "view": view, "child": episode.person},
        aliases=InterviewOfferForm.ALIASES,
    )


@cap_required(Cap.MANAGE_CASE)
def interview_response(request: HttpRequest, interview_id: str) -> HttpResponse:
    interview, view = cases.get_interview(request.user, interview_id)  # need to know, ledgered
    initial = {
        "response": interview.response,
        "outcome": interview.outcome,
        "disclosure": interview.disclosure,
        "version": interview.version,
    }
    hours = cases.rescreen_hours().get("disclosure")
    return form_view(
        request,
        InterviewResponseForm(request.POST or None, initial=initial, rescreen_hours=hours),
        template="web/cases/interview_response.html",
        call=lambda cd: services.do_record_return_interview_response(
            actor(request),
            interview_id=interview.id,
            response=cd["response"],
            held_at=cd["held_at"],
            outcome=cd.get("outcome", ""),
            disclosure=bool(cd.get("disclosure")),
            expected_version=cd.get("version"),
        ),
        success=lambda _: _episode_url(interview.episode_id),
        message="Return home interview updated.",
        context={"interview": interview, "episode": view.episode, "child": view.episode.person},
        aliases=InterviewResponseForm.ALIASES,
    )
