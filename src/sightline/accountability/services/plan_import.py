"""Importing a response plan from its YAML or CSV plan file (``accountability/plans/`` holds samples).

All or nothing: the file is parsed (``planfile``), checked against the agencies, users and indicators
that exist, then written in one transaction. Importing a plan with the same key again updates what
changed, adds what is new and keeps what the file no longer has (nothing is deleted); moving a target
date that way needs a reason. Statuses in the file apply only to new actions. Re-importing the identical
file changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from sightline.access.models import Agency, User
from sightline.access.permissions import Cap, require_cap
from sightline.accountability.models import Action, EngagementEvent, Recommendation, ResponsePlan
from sightline.accountability.planfile import (
    ActionSpec,
    PlanFileError,
    PlanSpec,
    RecommendationSpec,
    parse_plan,
)
from sightline.accountability.services.engagement import do_record_engagement_event
from sightline.accountability.services.indicator_targets import upsert_indicator
from sightline.accountability.services.recommendations import move_date
from sightline.accountability.services.resources import do_set_funding, do_set_staffing
from sightline.accountability.services.validation import indicator_keys, now_or, set_fields
from sightline.ledger.models import LedgeredModel
from sightline.ledger.services import Actor, do_create, do_update

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "plans"


@dataclass
class ImportSummary:
    plan: ResponsePlan
    created: bool
    unchanged: bool = False
    recommendations_created: int = 0
    recommendations_updated: int = 0
    actions_created: int = 0
    actions_updated: int = 0
    dates_moved: int = 0
    indicators: int = 0
    funding: int = 0
    staffing: int = 0
    engagement: int = 0
    kept: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.unchanged:
            return f"plan {self.plan.key}: unchanged (this file was already imported)"
        verb = "imported" if self.created else "updated"
        parts = [
            f"plan {self.plan.key} {verb}:",
            f"{self.recommendations_created} recommendations created, "
            f"{self.recommendations_updated} updated;",
            f"{self.actions_created} actions created, {self.actions_updated} updated;",
            f"{self.dates_moved} target dates moved;",
            f"{self.indicators} indicators, {self.funding} funding lines, {self.staffing} staffing levels, "
            f"{self.engagement} engagement events",
        ]
        if self.kept:
            parts.append(f"; kept (not in the file, nothing is deleted): {', '.join(self.kept)}")
        return " ".join(parts)


def _spec_problems(spec: PlanSpec, name: str) -> list[str]:
    """Checks against the database: agencies, users, indicators."""
    problems: list[str] = []
    agencies = set(Agency.objects.values_list("pk", flat=True))
    users = dict(User.objects.values_list("username", "agency_id"))
    keys = indicator_keys() | {d.key for d in spec.indicators}
    for rec in spec.recommendations:
        for key in rec.indicators:
            if key not in keys:
                problems.append(f"{name}:{rec.where}:indicators: unknown indicator {key!r}")
        for act in rec.actions:
            if act.owner_agency not in agencies:
                problems.append(f"{name}:{act.where}:owner agency: there is no agency {act.owner_agency!r}")
            if act.owner_user:
                if act.owner_user not in users:
                    problems.append(f"{name}:{act.where}:owner user: there is no user {act.owner_user!r}")
                elif users[act.owner_user] != act.owner_agency:
                    problems.append(
                        f"{name}:{act.where}:owner user: "
                        f"{act.owner_user} does not work for {act.owner_agency}"
                    )
    for f in spec.funding:
        if f.agency and f.agency not in agencies:
            problems.append(f"{name}:{f.where}:agency: there is no agency {f.agency!r}")
    for s in spec.staffing:
        if s.agency not in agencies:
            problems.append(f"{name}:{s.where}:agency: there is no agency {s.agency!r}")
    for e in spec.engagement:
        if e.organised_by not in agencies:
            problems.append(f"{name}:{e.where}:organised_by: there is no agency {e.organised_by!r}")
    return problems


def _dirty(obj: LedgeredModel) -> bool:
    """Whether the in-memory object differs from its row (so an update would change something)."""
    stored = type(obj)._default_manager.filter(pk=obj.pk).first()
    return stored is None or stored.snapshot() != obj.snapshot()


@dataclass
class _Import:
    """One import in progress: who, why, when, and what it has done so far."""

    actor: Actor
    reason: str
    now: dt.datetime
    summary: ImportSummary
    moved: list[tuple[str, str]] = field(default_factory=list)  # (where in the file, what moved)

    def move(self, obj: Recommendation | Action, new: dt.date, where: str, what: str) -> None:
        """A target date the file moves: moved now if there is a reason, else reported at the end."""
        if new == obj.target_date:
            return
        self.moved.append((where, f"{what} from {obj.target_date} to {new}"))
        if self.reason.strip():
            move_date(obj, new, self.reason, self.actor, self.now)
            self.summary.dates_moved += 1

    def plan(self, spec: PlanSpec, name: str, digest: str, plan: ResponsePlan | None) -> ResponsePlan:
        head = {
            "title": spec.title,
            "inquiry": spec.inquiry,
            "published_on": spec.published_on,
            "summary": spec.summary,
            "illustrative_note": spec.illustrative_note,
            "source_name": Path(name).name[:300],
            "source_sha256": digest,
        }
        if plan is None:
            return do_create(
                ResponsePlan(key=spec.key, imported_at=self.now, imported_by=self.actor.user, **head),
                actor=self.actor,
                action="import",
                reason=self.reason,
            )
        set_fields(plan, {**head, "imported_at": self.now, "imported_by": self.actor.user})
        return do_update(plan, actor=self.actor, action="import", reason=self.reason)

    def recommendation(
        self, plan: ResponsePlan, rs: RecommendationSpec, pos: int, rec: Recommendation | None
    ) -> None:
        values = {
            "title": rs.title,
            "text": rs.text,
            "indicator_keys": rs.indicators,
            "illustrative": rs.illustrative,
            "position": pos,
        }
        if rec is None:
            rec = do_create(
                Recommendation(plan=plan, ref=rs.ref, target_date=rs.target_date, **values),
                actor=self.actor,
                action="import",
            )
            self.summary.recommendations_created += 1
        else:
            self.move(rec, rs.target_date, rs.where, rec.ref)
            set_fields(rec, values)
            if _dirty(rec):
                do_update(rec, actor=self.actor, action="import", reason=self.reason)
                self.summary.recommendations_updated += 1
        existing = {a.ref: a for a in Action.objects.select_for_update().filter(recommendation=rec)}
        for apos, acs in enumerate(rs.actions):
            self.action(rec, acs, apos, existing.pop(acs.ref, None))
        self.summary.kept += [f"{rec.ref}/{ref}" for ref in existing]

    def action(self, rec: Recommendation, acs: ActionSpec, pos: int, act: Action | None) -> None:
        values = {
            "description": acs.description,
            "owner_agency_id": acs.owner_agency,
            "owner_name": acs.owner_name,
            "owner_user": acs.owner_user,
            "position": pos,
        }
        if act is None:
            do_create(
                Action(
                    recommendation=rec,
                    ref=acs.ref,
                    target_date=acs.target_date,
                    status=acs.status,
                    **values,
                ),
                actor=self.actor,
                action="import",
            )
            self.summary.actions_created += 1
            return
        self.move(act, acs.target_date, acs.where, f"{rec.ref}/{act.ref}")
        set_fields(act, values)
        if _dirty(act):
            do_update(act, actor=self.actor, action="import", reason=self.reason)
            self.summary.actions_updated += 1

    def resources_and_events(self, spec: PlanSpec, plan: ResponsePlan) -> None:
        why = self.reason or f"from plan {plan.key}"
        for f in spec.funding:
            do_set_funding(
                self.actor,
                name=f.name,
                agency=f.agency,
                financial_year=f.financial_year,
                amount=f.amount,
                note=f.note,
                reason=why,
            )
            self.summary.funding += 1
        for s in spec.staffing:
            do_set_staffing(
                self.actor, agency=s.agency, team=s.team, year=s.year, staff=s.staff, note=s.note, reason=why
            )
            self.summary.staffing += 1
        known = set(EngagementEvent.objects.filter(plan=plan).values_list("title", "event_on"))
        for e in spec.engagement:
            if (e.title, e.event_on) in known:
                continue
            do_record_engagement_event(
                self.actor,
                plan_id=plan.id,
                title=e.title,
                event_on=e.event_on,
                status=e.status,
                location=e.location,
                organised_by=e.organised_by,
                communities=e.communities,
                attendees=e.attendees,
                issues_raised=e.issues_raised,
                notes=e.notes,
            )
            self.summary.engagement += 1


def do_import_plan(
    actor: Actor,
    *,
    content: bytes,
    name: str,
    reason: str = "",
    now: dt.datetime | None = None,
) -> ImportSummary:
    """Import a plan file (YAML or CSV), all or nothing. Raises PlanFileError listing every problem,
    including each target date the file moves when there is no ``reason``."""
    require_cap(actor, Cap.MANAGE_RECOMMENDATIONS)
    spec = parse_plan(content, name)
    problems = _spec_problems(spec, name)
    if problems:
        raise PlanFileError(problems)
    digest = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        plan = ResponsePlan.objects.select_for_update().filter(key=spec.key).first()
        if plan is not None and plan.source_sha256 == digest:
            return ImportSummary(plan=plan, created=False, unchanged=True)
        run = _Import(
            actor, reason, now_or(now), ImportSummary(plan=plan or ResponsePlan(), created=plan is None)
        )
        plan = run.summary.plan = run.plan(spec, name, digest, plan)
        for d in spec.indicators:
            upsert_indicator(d, actor, reason or f"defined by plan {plan.key}")
            run.summary.indicators += 1
        existing = {r.ref: r for r in Recommendation.objects.select_for_update().filter(plan=plan)}
        for pos, rs in enumerate(spec.recommendations):
            run.recommendation(plan, rs, pos, existing.pop(rs.ref, None))
        run.summary.kept += list(existing)
        if run.moved and not reason.strip():
            raise PlanFileError(
                [f"{name}:{where}:target_date: moving {what} needs a reason" for where, what in run.moved]
            )
        run.resources_and_events(spec, plan)
    return run.summary


def sample_plans() -> list[Path]:
    return sorted(SAMPLE_DIR.glob("*.yaml"))


def sample_plan_path(key: str) -> Path:
    for path in sample_plans():
        if path.stem == key:
            return path
    raise FileNotFoundError(
        f"there is no sample plan {key!r}; samples: {', '.join(p.stem for p in sample_plans())}"
    )


def do_import_sample_plan(actor: Actor, *, key: str, reason: str = "") -> ImportSummary:
    path = sample_plan_path(key)
    return do_import_plan(actor, content=path.read_bytes(), name=path.name, reason=reason)
