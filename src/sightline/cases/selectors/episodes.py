"""Missing and absent episodes and return interviews: a child's episodes with where each stands
against the 72-hour expectation for offering a return home interview, and the counts for indicators."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sightline.cases.deadlines import RETURN_INTERVIEW_HOURS
from sightline.cases.models import MissingEpisode, ReturnInterview
from sightline.cases.selectors.access_hooks import require_child_access
from sightline.cases.selectors.clock import now_or
from sightline.core.errors import NotFound
from sightline.people.events import CHILD_ROLES, named_events
from sightline.people.models import SourceRecord
from sightline.people.selectors import person_group_ids

MISSING_KINDS = ("missing", "absent")


@dataclass(frozen=True)
class ReturnInterviewStatus:
    """Where an episode stands against the 72-hour expectation for offering a return interview.

    ``state``: ``open`` (not back yet), ``due`` (back, not offered, still inside 72 hours),
    ``overdue`` (back, not offered, 72 hours passed), ``within_72h`` / ``outside_72h`` (offered; first
    offer inside or outside 72 hours of the return).
    """

    state: str
    due_by: dt.datetime | None
    first_offered_at: dt.datetime | None

    @property
    def within_72h(self) -> bool | None:
        return {"within_72h": True, "outside_72h": False, "overdue": False}.get(self.state)

    @property
    def needs_action(self) -> bool:
        return self.state in {"due", "overdue"}


def return_interview_status(
    episode: MissingEpisode,
    interviews: Sequence[ReturnInterview] | None = None,
    *,
    now: dt.datetime | None = None,
) -> ReturnInterviewStatus:
    if episode.ended_at is None:
        return ReturnInterviewStatus("open", None, None)
    due_by = episode.ended_at + dt.timedelta(hours=RETURN_INTERVIEW_HOURS)
    if interviews is None:
        interviews = list(episode.return_interviews.all())
    first = min((ri.offered_at for ri in interviews), default=None)
    if first is None:
        return ReturnInterviewStatus("overdue" if now_or(now) > due_by else "due", due_by, None)
    return ReturnInterviewStatus("within_72h" if first <= due_by else "outside_72h", due_by, first)


@dataclass(frozen=True)
class EpisodeView:
    episode: MissingEpisode
    number: int  # 1 for the child's first recorded episode, 2 for the second...
    interviews: list[ReturnInterview]
    interview_status: ReturnInterviewStatus

    @property
    def duration_hours(self) -> float | None:
        if self.episode.ended_at is None:
            return None
        return round((self.episode.ended_at - self.episode.started_at).total_seconds() / 3600, 1)


@dataclass(frozen=True)
class EpisodeSummary:
    """A child's missing and absent episodes: those recorded in Sightline (``episodes``, the
    ``missing_count`` and ``absent_count``) and the missing or absent events agencies sent that name
    the child as subject, victim or associate (``imported_missing_events``, counted as the analysis
    counts them; an agency's record may repeat an episode recorded here). ``total`` and
    ``last_90_days`` count both."""

    episodes: list[EpisodeView]  # newest first
    missing_count: int
    absent_count: int
    last_90_days: int
    imported_missing_events: int

    @property
    def recorded(self) -> int:
        return self.missing_count + self.absent_count

    @property
    def total(self) -> int:
        return self.recorded + self.imported_missing_events

    @property
    def repeat(self) -> bool:
        return self.total >= 2


def episodes_for(person_id: str, *, now: dt.datetime | None = None) -> EpisodeSummary:
    group = person_group_ids(person_id)
    episodes = list(
        MissingEpisode.objects.filter(person_id__in=group)
        .prefetch_related("return_interviews")
        .order_by("started_at")
    )
    views = [
        EpisodeView(
            ep,
            i + 1,
            list(ep.return_interviews.all()),
            return_interview_status(ep, list(ep.return_interviews.all()), now=now),
        )
        for i, ep in enumerate(episodes)
    ]
    since = now_or(now) - dt.timedelta(days=90)
    imported = [
        n.event
        for n in named_events(SourceRecord.objects.filter(person_id__in=group))
        if n.event.kind in MISSING_KINDS and n.role in CHILD_ROLES
    ]
    return EpisodeSummary(
        episodes=list(reversed(views)),
        missing_count=sum(1 for e in episodes if e.category == MissingEpisode.Category.MISSING),
        absent_count=sum(1 for e in episodes if e.category == MissingEpisode.Category.ABSENT),
        last_90_days=sum(1 for e in episodes if e.started_at >= since)
        + sum(1 for ev in imported if ev.occurred_on >= since.date()),
        imported_missing_events=len(imported),
    )


def person_episodes(user: Any, person_id: str, *, now: dt.datetime | None = None) -> EpisodeSummary:
    root = require_child_access(user, person_id, "missing episodes")
    return episodes_for(root, now=now)


def get_episode(user: Any, episode_id: str, *, now: dt.datetime | None = None) -> EpisodeView:
    episode = MissingEpisode.objects.filter(pk=episode_id).first()
    if episode is None:
        raise NotFound("No such episode")
    root = require_child_access(user, episode.person_id, f"episode {episode_id}")
    for view in episodes_for(root, now=now).episodes:
        if view.episode.id == episode_id:
            return view
    raise NotFound("No such episode")  # pragma: no cover - the episode belongs to the group


def get_interview(
    user: Any, interview_id: str, *, now: dt.datetime | None = None
) -> tuple[ReturnInterview, EpisodeView]:
    """A return interview and its episode, after the need-to-know check on the child (ledgered)."""
    interview = ReturnInterview.objects.filter(pk=interview_id).first()
    if interview is None:
        raise NotFound("No such interview")
    return interview, get_episode(user, interview.episode_id, now=now)


def return_interview_timeliness(
    *, since: dt.date | None = None, until: dt.date | None = None, now: dt.datetime | None = None
) -> dict[str, int]:
    """Counts of ended episodes by return-interview state (for the 72-hour indicator)."""
    qs = MissingEpisode.objects.filter(ended_at__isnull=False).prefetch_related("return_interviews")
    if since:
        qs = qs.filter(ended_at__date__gte=since)
    if until:
        qs = qs.filter(ended_at__date__lte=until)
    counts: dict[str, int] = defaultdict(int)
    for ep in qs:
        counts[return_interview_status(ep, list(ep.return_interviews.all()), now=now).state] += 1
    return dict(counts)
