"""Missing and absent episodes and return interviews: a child's episodes, recording one and the
child's return, the offer of a return home interview, and the reply."""

from django.http import HttpRequest
from ninja import Router, Status

from sightline.api.auth import current_actor, current_user
from sightline.api.cases.schemas.episodes import (
    EpisodeIn,
    EpisodeOut,
    EpisodeReturnIn,
    EpisodeSummaryOut,
    ReturnInterviewOfferIn,
    ReturnInterviewOut,
    ReturnInterviewPatch,
)
from sightline.api.people import Id
from sightline.cases import selectors, services
from sightline.cases.models import MissingEpisode, ReturnInterview

router = Router()


@router.get(
    "/people/{person_id}/episodes",
    response=EpisodeSummaryOut,
    summary="A child's missing and absent episodes",
)
def episodes(request: HttpRequest, person_id: str = Id()) -> selectors.EpisodeSummary:
    return selectors.person_episodes(current_user(request), person_id)


@router.post(
    "/people/{person_id}/episodes", response={201: EpisodeOut}, summary="Record a missing or absent episode"
)
def record_episode(
    request: HttpRequest, payload: EpisodeIn, person_id: str = Id()
) -> Status[selectors.EpisodeView]:
    user = current_user(request)
    root = selectors.require_child_access(user, person_id, "record episode")
    episode = services.do_record_missing_episode(
        current_actor(request),
        person_id=root,
        category=payload.category,
        started_at=payload.started_at,
        ended_at=payload.ended_at,
        where_found=payload.where_found,
        notes=payload.notes,
    )
    return Status(201, selectors.get_episode(user, episode.id))


@router.post("/episodes/{episode_id}/return", response=EpisodeOut, summary="Record the child's return")
def end_episode(
    request: HttpRequest, payload: EpisodeReturnIn, episode_id: str = Id()
) -> selectors.EpisodeView:
    user = current_user(request)
    selectors.require_object_access(user, MissingEpisode, episode_id, "record return")
    services.do_end_missing_episode(
        current_actor(request),
        episode_id=episode_id,
        ended_at=payload.ended_at,
        where_found=payload.where_found,
        expected_version=payload.version,
    )
    return selectors.get_episode(user, episode_id)


@router.post(
    "/episodes/{episode_id}/return-interviews",
    response={201: ReturnInterviewOut},
    summary="Record a return interview offer",
)
def offer_interview(
    request: HttpRequest, payload: ReturnInterviewOfferIn, episode_id: str = Id()
) -> Status[ReturnInterview]:
    selectors.require_object_access(
        current_user(request), MissingEpisode, episode_id, "offer return interview"
    )
    interview = services.do_offer_return_interview(
        current_actor(request), episode_id=episode_id, offered_at=payload.offered_at
    )
    return Status(201, interview)


@router.patch(
    "/return-interviews/{interview_id}",
    response=ReturnInterviewOut,
    summary="Record the reply to an offer, and the outcome",
)
def respond_interview(
    request: HttpRequest, payload: ReturnInterviewPatch, interview_id: str = Id()
) -> ReturnInterview:
    selectors.require_object_access(current_user(request), ReturnInterview, interview_id, "return interview")
    return services.do_record_return_interview_response(
        current_actor(request),
        interview_id=interview_id,
        response=payload.response,
        held_at=payload.held_at,
        outcome=payload.outcome,
        disclosure=payload.disclosure,
        expected_version=payload.version,
    )
