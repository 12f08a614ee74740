"""Missing and absent episodes and return home interviews: recording an episode and the child's
return, the offer of an interview, and the child's answer and the outcome."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sightline.access.permissions import Cap, require_cap
from sightline.cases.models import MissingEpisode, ReturnInterview
from sightline.cases.services import checks
from sightline.ledger.services import Actor, check_version, do_create, do_update, locked
from sightline.people import news


def do_record_missing_episode(
    actor: Actor,
    *,
    person_id: str,
    category: str,
    started_at: dt.datetime,
    ended_at: dt.datetime | None = None,
    where_found: str = "",
    notes: str = "",
    now: dt.datetime | None = None,
) -> MissingEpisode:
    """Record a missing (M) or absent (A) episode, open or already ended."""
    require_cap(actor, Cap.MANAGE_CASE)
    checks.required({"category": category, "started_at": started_at})
    checks.choice(category, MissingEpisode.Category.values, "category")
    now = checks.utc(now)
    started_at = checks.aware(started_at, "started_at")
    checks.not_future(started_at, "started_at", now)
    if ended_at is not None:
        ended_at = checks.aware(ended_at, "ended_at")
        checks.not_future(ended_at, "ended_at", now)
        if ended_at < started_at:
            raise ValidationError({"ended_at": "the return must be after the start"})
    child = checks.child(person_id)
    with transaction.atomic():
        agency = checks.actor_agency(actor)
        episode = do_create(
            MissingEpisode(
                person=child,
                category=category,
                started_at=started_at,
                ended_at=ended_at,
                reported_by_agency=agency,
                recorded_by=actor.user,
                recorded_at=now,
                where_found=where_found.strip(),
                notes=notes.strip(),
            ),
            actor=actor,
        )
        news.announce_entry(
            actor,
            news.Entered(
                child.id,
                "missing" if category == MissingEpisode.Category.MISSING else "absent",
                timezone.localdate(started_at),
                agency.id,
                episode.ledger_type(),
                episode.id,
            ),
        )
    return episode


def do_end_missing_episode(
    actor: Actor,
    *,
    episode_id: str,
    ended_at: dt.datetime,
    where_found: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> MissingEpisode:
    """Record the child's return (or being found)."""
    require_cap(actor, Cap.MANAGE_CASE)
    now = checks.utc(now)
    ended_at = checks.aware(ended_at, "ended_at")
    checks.not_future(ended_at, "ended_at", now)
    with transaction.atomic():
        episode = locked(MissingEpisode, episode_id)
        check_version(episode, expected_version)
        if episode.ended_at is not None:
            raise ValidationError({"ended_at": "this episode has already ended"})
        if ended_at < episode.started_at:
            raise ValidationError({"ended_at": "the return must be after the start"})
        episode.ended_at = ended_at
        if where_found:
            episode.where_found = where_found.strip()
        return do_update(episode, actor=actor, action="end")


def do_offer_return_interview(
    actor: Actor, *, episode_id: str, offered_at: dt.datetime, now: dt.datetime | None = None
) -> ReturnInterview:
    """Record that a return home interview was offered (expected within 72 hours of the return)."""
    require_cap(actor, Cap.MANAGE_CASE)
    now = checks.utc(now)
    offered_at = checks.aware(offered_at, "offered_at")
    checks.not_future(offered_at, "offered_at", now)
    with transaction.atomic():
        episode = locked(MissingEpisode, episode_id)
        if episode.ended_at is None:
            raise ValidationError({"offered_at": "record the child's return before offering the interview"})
        if offered_at < episode.ended_at:
            raise ValidationError({"offered_at": "the offer must be after the return"})
        agency = checks.actor_agency(actor)
        interview = do_create(
            ReturnInterview(
                episode=episode,
                offered_at=offered_at,
                offered_by_agency=agency,
                recorded_by=actor.user,
                recorded_at=now,
            ),
            actor=actor,
        )
    return interview


def do_record_return_interview_response(
    actor: Actor,
    *,
    interview_id: str,
    response: str,
    held_at: dt.datetime | None = None,
    outcome: str = "",
    disclosure: bool = False,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> ReturnInterview:
    """Record whether the child accepted or declined, and the outcome of an interview that took place.
    ``disclosure``: the child disclosed harm or exploitation in it, which makes a re-screen due soon
    (``SIGHTLINE_RESCREEN_HOURS``)."""
    require_cap(actor, Cap.MANAGE_CASE)
    checks.choice(response, ReturnInterview.Response.values, "response")
    now = checks.utc(now)
    with transaction.atomic():
        interview = locked(ReturnInterview, interview_id)
        check_version(interview, expected_version)
        if held_at is not None:
            if response != ReturnInterview.Response.ACCEPTED:
                raise ValidationError({"held_at": "only an accepted interview can have taken place"})
            held_at = checks.aware(held_at, "held_at")
            checks.not_future(held_at, "held_at", now)
            if held_at < interview.offered_at:
                raise ValidationError({"held_at": "the interview cannot be before it was offered"})
        if disclosure and held_at is None:
            raise ValidationError({"held_at": "enter when the interview with the disclosure took place"})
        interview.response = response
        interview.held_at = held_at
        interview.outcome = outcome.strip()
        interview.disclosure = disclosure
        return do_update(interview, actor=actor, action="respond")
