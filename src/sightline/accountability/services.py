"""Writes for accountability. Each function checks the actor's capability, validates, and writes through
the ledger's one write path in one transaction. Nothing is deleted.

Rules kept here (and nowhere else):
- an action's status is typed as not started, in progress or complete; overdue follows from the date;
- "complete" needs live evidence, and stands only when a second person (not the one who marked it
  complete) signs it off with the ``sign_off`` capability;
- moving a target date needs a reason and leaves a ``TargetDateChange`` row for the board report;
- a protected concern is written once and never changed; only the independent reviewer answers it, with
  new records.

Validation problems raise ``django.core.exceptions.ValidationError`` with a message per field.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from sightline.access.models import Agency, User
from sightline.access.permissions import Cap, has_cap, require_cap
from sightline.accountability import indicators as ind
from sightline.accountability.models import (
    Action,
    ActionStatus,
    EngagementEvent,
    Evidence,
    FundingLine,
    Indicator,
    ProtectedConcern,
    ProtectedConcernResponse,
    Recommendation,
    ResponsePlan,
    StaffingLevel,
    TargetDateChange,
    citable_as_evidence,
)
from sightline.accountability.planfile import PlanFileError, PlanSpec, parse_plan
from sightline.ledger.models import Entry, LedgeredModel
from sightline.ledger.services import Actor, StaleVersionError, do_create, do_update, integrate

SAMPLE_DIR = Path(__file__).resolve().parent / "plans"
MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
EVIDENCE_EXTENSIONS = frozenset(
    {
        ".pdf",
        ".doc",
        ".docx",
        ".odt",
        ".rtf",
        ".txt",
        ".csv",
        ".xls",
        ".xlsx",
        ".ods",
        ".ppt",
        ".pptx",
        ".odp",
        ".png",
        ".jpg",
        ".jpeg",
        ".eml",
        ".msg",
    }
)
_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$")


# --- helpers -------------------------------------------------------------------------------------


def _now(now: dt.datetime | None = None) -> dt.datetime:
    return now or timezone.now()


def _required(values: Mapping[str, Any]) -> None:
    errors = {
        k: "this is required"
        for k, v in values.items()
        if v is None or (isinstance(v, str) and not v.strip())
    }
    if errors:
        raise ValidationError(errors)


def _date_ok(name: str, value: dt.date | None) -> None:
    if value is not None and (not isinstance(value, dt.date) or not 1900 <= value.year <= 2100):
        raise ValidationError({name: "enter a real date between 1900 and 2100"})


def _agency(code: str, fld: str) -> Agency:
    agency = Agency.objects.filter(pk=code).first()
    if agency is None:
        raise ValidationError({fld: f"there is no agency {code!r}"})
    return agency


def _owner_user(username: str, agency: Agency, fld: str = "owner_user") -> str:
    if not username:
        return ""
    user = User.objects.filter(username=username).first()
    if user is None:
        raise ValidationError({fld: f"there is no user {username!r}"})
    if user.agency_id != agency.id:
        raise ValidationError({fld: f"{username} does not work for {agency.name}"})
    return username


def _check_version(obj: LedgeredModel, expected: int | None) -> None:
    if expected is not None and obj.version != expected:
        raise StaleVersionError(f"{obj.ledger_type()} {obj.pk} is at version {obj.version}, not {expected}")


def _get(model: type[Any], pk: str) -> Any:
    obj = model.objects.select_for_update().filter(pk=pk).first()
    if obj is None:
        raise Http404(f"No such {model._meta.verbose_name}")
    return obj


def _indicator_keys() -> set[str]:
    return set(Indicator.objects.values_list("key", flat=True)) | {d.key for d in ind.shipped_definitions()}


def _check_indicators(keys: Iterable[str], fld: str = "indicator_keys") -> list[str]:
    keys = [k for k in keys if k]
    unknown = sorted(set(keys) - _indicator_keys())
    if unknown:
        raise ValidationError({fld: f"unknown indicator(s): {', '.join(unknown)}"})
    return list(dict.fromkeys(keys))


def _move_date(
    obj: Recommendation | Action, new: dt.date, reason: str, actor: Actor, now: dt.datetime
) -> TargetDateChange | None:
    """Set a new target date; a move needs a reason and leaves a TargetDateChange (same transaction)."""
    if new == obj.target_date:
        return None
    if not reason.strip():
        raise ValidationError({"reason": "say why the target date is moving"})
    change = do_create(
        TargetDateChange(
            recommendation=obj if isinstance(obj, Recommendation) else None,
            action=obj if isinstance(obj, Action) else None,
            old_date=obj.target_date,
            new_date=new,
            reason=reason.strip(),
            changed_by=actor.user,
            changed_at=now,
        ),
        actor=actor,
        reason=reason.strip(),
    )
    obj.target_date = new
    return change


def may_progress(actor: Actor, action: Action) -> bool:
    """The action's named owner, or anyone who manages recommendations, may record progress on it."""
    return has_cap(actor, Cap.MANAGE_RECOMMENDATIONS) or (
        bool(action.owner_user) and action.owner_user == actor.user
    )


def _require_progress(actor: Actor, action: Action) -> None:
    if not may_progress(actor, action):
        raise PermissionDenied("only the action's owner or someone who manages recommendations may do this")


# --- importing a plan ----------------------------------------------------------------------------


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
    keys = _indicator_keys() | {d.key for d in spec.indicators}
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


def _set_fields(obj: LedgeredModel, values: Mapping[str, Any]) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def do_import_plan(
    content: bytes,
    name: str,
    *,
    actor: Actor,
    reason: str = "",
    now: dt.datetime | None = None,
) -> ImportSummary:
    """Import a plan file (YAML or CSV), all or nothing.

    A new plan is created with its recommendations, actions, indicators, resources and engagement events.
    Importing a plan with the same key again updates what changed, adds what is new and keeps what the
    file no longer has (nothing is deleted). Moving any target date that way needs ``reason``. Statuses in
    the file apply only to new actions; progress after that is recorded in Sightline. Re-importing the
    identical file changes nothing. Raises PlanFileError listing every problem.
    """
    require_cap(actor, Cap.MANAGE_RECOMMENDATIONS)
    now = _now(now)
    spec = parse_plan(content, name)
    problems = _spec_problems(spec, name)
    if problems:
        raise PlanFileError(problems)
    digest = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        plan = ResponsePlan.objects.select_for_update().filter(key=spec.key).first()
        if plan is not None and plan.source_sha256 == digest:
            return ImportSummary(plan=plan, created=False, unchanged=True)
        summary = ImportSummary(plan=plan or ResponsePlan(), created=plan is None)
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
            plan = do_create(
                ResponsePlan(key=spec.key, imported_at=now, imported_by=actor.user, **head),
                actor=actor,
                action="import",
                reason=reason,
            )
        else:
            _set_fields(plan, {**head, "imported_at": now, "imported_by": actor.user})
            do_update(plan, actor=actor, action="import", reason=reason)
        summary.plan = plan
        for d in spec.indicators:
            _upsert_indicator(d, actor, reason or f"defined by plan {plan.key}")
            summary.indicators += 1
        moved: list[tuple[str, str]] = []
        existing_recs = {r.ref: r for r in Recommendation.objects.select_for_update().filter(plan=plan)}
        for pos, rs in enumerate(spec.recommendations):
            rec = existing_recs.pop(rs.ref, None)
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
                    actor=actor,
                    action="import",
                )
                summary.recommendations_created += 1
            else:
                if rs.target_date != rec.target_date:
                    moved.append((rs.where, f"{rec.ref} from {rec.target_date} to {rs.target_date}"))
                    if reason.strip():
                        _move_date(rec, rs.target_date, reason, actor, now)
                        summary.dates_moved += 1
                _set_fields(rec, values)
                if _dirty(rec):
                    do_update(rec, actor=actor, action="import", reason=reason)
                    summary.recommendations_updated += 1
            existing_actions = {
                a.ref: a for a in Action.objects.select_for_update().filter(recommendation=rec)
            }
            for apos, acs in enumerate(rs.actions):
                act = existing_actions.pop(acs.ref, None)
                avalues = {
                    "description": acs.description,
                    "owner_agency_id": acs.owner_agency,
                    "owner_name": acs.owner_name,
                    "owner_user": acs.owner_user,
                    "position": apos,
                }
                if act is None:
                    do_create(
                        Action(
                            recommendation=rec,
                            ref=acs.ref,
                            target_date=acs.target_date,
                            status=acs.status,
                            **avalues,
                        ),
                        actor=actor,
                        action="import",
                    )
                    summary.actions_created += 1
                    continue
                if acs.target_date != act.target_date:
                    moved.append(
                        (acs.where, f"{rec.ref}/{act.ref} from {act.target_date} to {acs.target_date}")
                    )
                    if reason.strip():
                        _move_date(act, acs.target_date, reason, actor, now)
                        summary.dates_moved += 1
                _set_fields(act, avalues)
                if _dirty(act):
                    do_update(act, actor=actor, action="import", reason=reason)
                    summary.actions_updated += 1
            summary.kept += [f"{rec.ref}/{ref}" for ref in existing_actions]
        summary.kept += list(existing_recs)
        if moved and not reason.strip():
            raise PlanFileError(
                [f"{name}:{where}:target_date: moving {what} needs a reason" for where, what in moved]
            )
        for f in spec.funding:
            do_set_funding(
                actor=actor,
                name=f.name,
                agency=f.agency,
                financial_year=f.financial_year,
                amount=f.amount,
                note=f.note,
                reason=reason or f"from plan {plan.key}",
            )
            summary.funding += 1
        for s in spec.staffing:
            do_set_staffing(
                actor=actor,
                agency=s.agency,
                team=s.team,
                year=s.year,
                staff=s.staff,
                note=s.note,
                reason=reason or f"from plan {plan.key}",
            )
            summary.staffing += 1
        known_events = set(EngagementEvent.objects.filter(plan=plan).values_list("title", "event_on"))
        for e in spec.engagement:
            if (e.title, e.event_on) in known_events:
                continue
            do_record_engagement_event(
                actor=actor,
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
            summary.engagement += 1
    return summary


def _dirty(obj: LedgeredModel) -> bool:
    """Whether the in-memory object differs from its row (so an update would change something)."""
    stored = type(obj)._default_manager.filter(pk=obj.pk).first()
    return stored is None or stored.snapshot() != obj.snapshot()


def sample_plans() -> list[Path]:
    return sorted(SAMPLE_DIR.glob("*.yaml"))


def sample_plan_path(key: str) -> Path:
    for path in sample_plans():
        if path.stem == key:
            return path
    raise FileNotFoundError(
        f"there is no sample plan {key!r}; samples: {', '.join(p.stem for p in sample_plans())}"
    )


def do_import_sample_plan(key: str, *, actor: Actor, reason: str = "") -> ImportSummary:
    path = sample_plan_path(key)
    return do_import_plan(path.read_bytes(), path.name, actor=actor, reason=reason)


# --- recommendations and actions -----------------------------------------------------------------


def do_add_recommendation(
    plan_id: str,
    *,
    actor: Actor,
    ref: str,
    title: str,
    target_date: dt.date,
    text: str = "",
    indicator_keys: Sequence[str] = (),
) -> Recommendation:
    require_cap(actor, Cap.MANAGE_RECOMMENDATIONS)
    _required({"ref": ref, "title": title, "target_date": target_date})
    _date_ok("target_date", target_date)
    if not _REF.match(ref.strip()):
        raise ValidationError({"ref": "use up to 20 letters, digits, dots, dashes or underscores"})
    keys = _check_indicators(indicator_keys)
    with transaction.atomic():
        plan = _get(ResponsePlan, plan_id)
        if Recommendation.objects.filter(plan=plan, ref=ref.strip()).exists():
            raise ValidationError({"ref": f"the plan already has a recommendation {ref.strip()}"})
        position = Recommendation.objects.filter(plan=plan).count()
        return do_create(
            Recommendation(
                plan=plan,
                ref=ref.strip(),
                title=title.strip(),
                text=text.strip(),
                target_date=target_date,
                indicator_keys=keys,
                position=position,
            ),
            actor=actor,
        )


def do_update_recommendation(
    recommendation_id: str,
    *,
    actor: Actor,
    title: str | None = None,
    text: str | None = None,
    target_date: dt.date | None = None,
    indicator_keys: Sequence[str] | None = None,
    reason: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Recommendation:
    """Edit a recommendation. Moving its target date needs a reason (and is shown on the report)."""
    require_cap(actor, Cap.MANAGE_RECOMMENDATIONS)
    _date_ok("target_date", target_date)
    now = _now(now)
    with transaction.atomic():
        rec = _get(Recommendation, recommendation_id)
        _check_version(rec, expected_version)
        if title is not None:
            _required({"title": title})
            rec.title = title.strip()
        if text is not None:
            rec.text = text.strip()
        if indicator_keys is not None:
            rec.indicator_keys = _check_indicators(indicator_keys)
        moved = target_date is not None and _move_date(rec, target_date, reason, actor, now)
        return do_update(rec, actor=actor, action="move_target_date" if moved else "update", reason=reason)


def _next_ref(rec: Recommendation) -> str:
    refs = set(Action.objects.filter(recommendation=rec).values_list("ref", flat=True))
    n = len(refs) + 1
    while f"{rec.ref}.{n}" in refs:
        n += 1
    return f"{rec.ref}.{n}"[:20]


def do_add_action(
    recommendation_id: str,
    *,
    actor: Actor,
    description: str,
    owner_agency: str,
    target_date: dt.date,
    owner_name: str = "",
    owner_user: str = "",
    ref: str = "",
    engagement_event_id: str | None = None,
) -> Action:
    """Add an action (optionally a follow-up of a community engagement event)."""
    require_cap(actor, Cap.MANAGE_RECOMMENDATIONS)
    _required({"description": description, "owner_agency": owner_agency, "target_date": target_date})
    _date_ok("target_date", target_date)
    if ref and not _REF.match(ref.strip()):
        raise ValidationError({"ref": "use up to 20 letters, digits, dots, dashes or underscores"})
    agency = _agency(owner_agency, "owner_agency")
    owner_user = _owner_user(owner_user.strip(), agency)
    event = None
    if engagement_event_id:
        event = EngagementEvent.objects.filter(pk=engagement_event_id).first()
        if event is None:
            raise ValidationError({"engagement_event": f"there is no engagement event {engagement_event_id}"})
    with transaction.atomic():
        rec = _get(Recommendation, recommendation_id)
        ref = ref.strip() or _next_ref(rec)
        if Action.objects.filter(recommendation=rec, ref=ref).exists():
            raise ValidationError({"ref": f"{rec.ref} already has an action {ref}"})
        return do_create(
            Action(
                recommendation=rec,
                ref=ref,
                description=description.strip(),
                owner_agency=agency,
                owner_name=owner_name.strip(),
                owner_user=owner_user,
                target_date=target_date,
                engagement_event=event,
                position=Action.objects.filter(recommendation=rec).count(),
            ),
            actor=actor,
        )


def do_update_action(
    action_id: str,
    *,
    actor: Actor,
    description: str | None = None,
    owner_agency: str | None = None,
    owner_name: str | None = None,
    owner_user: str | None = None,
    target_date: dt.date | None = None,
    reason: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Action:
    """Edit an action's wording, owner or target date. Moving the date needs a reason."""
    require_cap(actor, Cap.MANAGE_RECOMMENDATIONS)
    _date_ok("target_date", target_date)
    now = _now(now)
    with transaction.atomic():
        action = _get(Action, action_id)
        _check_version(action, expected_version)
        if description is not None:
            _required({"description": description})
            action.description = description.strip()
        if owner_agency is not None:
            action.owner_agency = _agency(owner_agency, "owner_agency")
        if owner_name is not None:
            action.owner_name = owner_name.strip()
        if owner_user is not None or owner_agency is not None:
            user = action.owner_user if owner_user is None else owner_user.strip()
            action.owner_user = _owner_user(user, action.owner_agency)
        moved = target_date is not None and _move_date(action, target_date, reason, actor, now)
        return do_update(action, actor=actor, action="move_target_date" if moved else "update", reason=reason)


def live_evidence(action: Action) -> list[Evidence]:
    return list(Evidence.objects.filter(action=action, withdrawn=False))


def do_start_action(action_id: str, *, actor: Actor, note: str = "") -> Action:
    with transaction.atomic():
        action = _get(Action, action_id)
        _require_progress(actor, action)
        if action.status != ActionStatus.NOT_STARTED:
            raise ValidationError({"status": "only an action that has not started can be started"})
        action.status = ActionStatus.IN_PROGRESS
        return do_update(action, actor=actor, action="start", reason=note.strip())


def do_complete_action(
    action_id: str, *, actor: Actor, note: str = "", now: dt.datetime | None = None
) -> Action:
    """Mark an action complete. It needs evidence; it then waits for a second person's sign-off."""
    with transaction.atomic():
        action = _get(Action, action_id)
        _require_progress(actor, action)
        if action.status == ActionStatus.COMPLETE:
            raise ValidationError({"status": "this action is already marked complete"})
        if not live_evidence(action):
            raise ValidationError({"status": "add evidence before marking the action complete"})
        action.status = ActionStatus.COMPLETE
        action.completed_by = actor.user
        action.completed_at = _now(now)
        action.signed_off_by = ""
        action.signed_off_at = None
        action.sign_off_note = ""
        return do_update(action, actor=actor, action="complete", reason=note.strip())


def do_sign_off_action(
    action_id: str, *, actor: Actor, note: str = "", now: dt.datetime | None = None
) -> Action:
    """A second person confirms a completed action. The one who marked it complete cannot."""
    require_cap(actor, Cap.SIGN_OFF)
    with transaction.atomic():
        action = _get(Action, action_id)
        if action.status != ActionStatus.COMPLETE:
            raise ValidationError({"__all__": "only an action marked complete can be signed off"})
        if action.signed_off_at is not None:
            raise ValidationError(
                {"__all__": f"this action was already signed off by {action.signed_off_by}"}
            )
        if action.completed_by == actor.user:
            raise ValidationError(
                {"__all__": "you marked this action complete: a second person must sign it off"}
            )
        if not live_evidence(action):
            raise ValidationError({"__all__": "this action has no evidence left: it cannot be signed off"})
        action.signed_off_by = actor.user
        action.signed_off_at = _now(now)
        action.sign_off_note = note.strip()
        return do_update(action, actor=actor, action="sign_off", reason=note.strip())


def do_return_action(action_id: str, *, actor: Actor, reason: str) -> Action:
    """Refuse sign-off: the action goes back to in progress, with the reason."""
    require_cap(actor, Cap.SIGN_OFF)
    _required({"reason": reason})
    with transaction.atomic():
        action = _get(Action, action_id)
        if action.status != ActionStatus.COMPLETE or action.signed_off_at is not None:
            raise ValidationError({"__all__": "only an action awaiting sign-off can be sent back"})
        if action.completed_by == actor.user:
            raise ValidationError({"__all__": "you marked this action complete: a second person must decide"})
        action.status = ActionStatus.IN_PROGRESS
        action.completed_by = ""
        action.completed_at = None
        return do_update(action, actor=actor, action="return", reason=reason.strip())


def do_reopen_action(action_id: str, *, actor: Actor, reason: str) -> Action:
    """Reopen a completed (or signed-off) action, for example when the evidence turned out wrong."""
    require_cap(actor, Cap.MANAGE_RECOMMENDATIONS)
    _required({"reason": reason})
    with transaction.atomic():
        action = _get(Action, action_id)
        if action.status != ActionStatus.COMPLETE:
            raise ValidationError({"__all__": "only a completed action can be reopened"})
        action.status = ActionStatus.IN_PROGRESS
        action.completed_by = ""
        action.completed_at = None
        action.signed_off_by = ""
        action.signed_off_at = None
        action.sign_off_note = ""
        return do_update(action, actor=actor, action="reopen", reason=reason.strip())


# --- evidence ------------------------------------------------------------------------------------


def evidence_dir() -> Path:
    configured = getattr(settings, "SIGHTLINE_EVIDENCE_DIR", "")
    return Path(configured) if configured else Path(settings.HOME) / "evidence"


def evidence_path(sha256: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise ValueError("not a SHA-256")
    return evidence_dir() / sha256[:2] / sha256


class EvidenceFileError(Exception):
    """The stored document is missing or no longer matches the SHA-256 in the ledger."""


def store_document(stream: BinaryIO | Iterable[bytes]) -> tuple[str, int]:
    """Copy a document into the content-addressed store under SIGHTLINE_HOME; returns (sha256, size).

    Stored by hash, so the same document uploaded twice is kept once and a changed file cannot hide.
    """
    folder = evidence_dir()
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    reader = getattr(stream, "read", None)
    chunks: Iterable[bytes] = iter(lambda: reader(1 << 16), b"") if reader else stream
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                size += len(chunk)
                if size > MAX_EVIDENCE_BYTES:
                    raise ValidationError(
                        {"document": f"the file is larger than {MAX_EVIDENCE_BYTES // (1 << 20)} MB"}
                    )
                digest.update(chunk)
                out.write(chunk)
        sha = digest.hexdigest()
        final = evidence_path(sha)
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists():
            os.unlink(tmp)
        else:
            os.replace(tmp, final)
            os.chmod(final, 0o440)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return sha, size


def read_document(evidence: Evidence) -> bytes:
    """The document's bytes, checked against the SHA-256 recorded in the ledger."""
    try:
        data = evidence_path(evidence.sha256).read_bytes()
    except (OSError, ValueError):
        raise EvidenceFileError(
            f"the document for evidence {evidence.id} is missing from the store"
        ) from None
    if hashlib.sha256(data).hexdigest() != evidence.sha256:
        raise EvidenceFileError(f"the document for evidence {evidence.id} was altered after it was added")
    return data


def _evidence_action(action_id: str, actor: Actor) -> Action:
    action = _get(Action, action_id)
    _require_progress(actor, action)
    if action.status == ActionStatus.COMPLETE and action.signed_off_at is not None:
        raise ValidationError({"__all__": "this action is signed off: reopen it before adding evidence"})
    return action


def do_add_document(
    action_id: str,
    *,
    actor: Actor,
    stream: BinaryIO | Iterable[bytes],
    file_name: str,
    title: str = "",
    content_type: str = "",
    note: str = "",
    now: dt.datetime | None = None,
) -> Evidence:
    """Add an uploaded document as evidence. The file is kept under SIGHTLINE_HOME by its SHA-256, which
    the ledger records, so any later change to the file shows."""
    base = Path(file_name or "").name.strip()
    if not base:
        raise ValidationError({"document": "choose a file"})
    if Path(base).suffix.lower() not in EVIDENCE_EXTENSIONS:
        kinds = ", ".join(sorted(e.lstrip(".") for e in EVIDENCE_EXTENSIONS))
        raise ValidationError({"document": f"the file must be one of: {kinds}"})
    with transaction.atomic():
        action = _evidence_action(action_id, actor)
        sha, size = store_document(stream)
        if size == 0:
            raise ValidationError({"document": "the file is empty"})
        return do_create(
            Evidence(
                action=action,
                kind=Evidence.Kind.DOCUMENT,
                title=(title.strip() or base)[:200],
                note=note.strip(),
                file_name=base[:255],
                content_type=(content_type or "application/octet-stream")[:100],
                size=size,
                sha256=sha,
                added_by=actor.user,
                added_at=_now(now),
            ),
            actor=actor,
        )


def do_add_ledger_link(
    action_id: str,
    *,
    actor: Actor,
    ledger_index: int,
    title: str = "",
    note: str = "",
    now: dt.datetime | None = None,
) -> Evidence:
    """Link a ledger entry (for example the record of a training session or a policy change) as evidence."""
    integrate()
    entry = Entry.objects.filter(index=ledger_index).first()
    if entry is None:
        raise ValidationError({"ledger_index": f"there is no ledger entry #{ledger_index}"})
    if not citable_as_evidence(entry.object_type, entry.version):
        raise ValidationError(
            {"ledger_index": f"entry #{ledger_index} is not a record of the partnership's plans or actions"}
        )
    with transaction.atomic():
        action = _evidence_action(action_id, actor)
        return do_create(
            Evidence(
                action=action,
                kind=Evidence.Kind.LEDGER_ENTRY,
                title=(title.strip() or f"Ledger entry #{entry.index}: {entry.action} {entry.object_type}")[
                    :200
                ],
                note=note.strip(),
                ledger_index=entry.index,
                added_by=actor.user,
                added_at=_now(now),
            ),
            actor=actor,
        )


def do_add_note(
    action_id: str, *, actor: Actor, title: str, note: str, now: dt.datetime | None = None
) -> Evidence:
    _required({"title": title, "note": note})
    with transaction.atomic():
        action = _evidence_action(action_id, actor)
        return do_create(
            Evidence(
                action=action,
                kind=Evidence.Kind.NOTE,
                title=title.strip()[:200],
                note=note.strip(),
                added_by=actor.user,
                added_at=_now(now),
            ),
            actor=actor,
        )


def do_withdraw_evidence(evidence_id: str, *, actor: Actor, reason: str) -> Evidence:
    """Withdraw evidence added in error. It stays on record (and in the store) with the reason."""
    _required({"reason": reason})
    with transaction.atomic():
        evidence = _get(Evidence, evidence_id)
        action = Action.objects.select_for_update().get(pk=evidence.action_id)
        if not (has_cap(actor, Cap.MANAGE_RECOMMENDATIONS) or evidence.added_by == actor.user):
            raise PermissionDenied(
                "only whoever added it or someone who manages recommendations may withdraw it"
            )
        if evidence.withdrawn:
            raise ValidationError({"__all__": "this evidence is already withdrawn"})
        if action.status == ActionStatus.COMPLETE:
            raise ValidationError(
                {"__all__": "the action is marked complete: reopen it before withdrawing evidence"}
            )
        evidence.withdrawn = True
        evidence.withdrawn_reason = reason.strip()
        return do_update(evidence, actor=actor, action="withdraw", reason=reason.strip())


# --- indicators ----------------------------------------------------------------------------------


def _upsert_indicator(d: ind.Definition, actor: Actor, reason: str) -> Indicator:
    row = Indicator.objects.select_for_update().filter(key=d.key).first()
    values = {
        "name": d.name,
        "definition": d.definition,
        "measure": d.measure,
        "unit": d.unit,
        "target": d.target,
        "direction": d.direction,
    }
    if row is None:
        shipped = [s.key for s in ind.shipped_definitions()]
        position = shipped.index(d.key) if d.key in shipped else len(shipped) + Indicator.objects.count()
        return do_create(Indicator(key=d.key, position=position, **values), actor=actor, reason=reason)
    if _set_fields(row, values):
        return do_update(row, actor=actor, reason=reason)
    return row


def do_update_indicator(
    key: str,
    *,
    actor: Actor,
    target: float | None,
    direction: str,
    reason: str,
    name: str | None = None,
    definition: str | None = None,
) -> Indicator:
    """Change an indicator's target or direction (a shipped one is stored on its first change)."""
    require_cap(actor, Cap.MANAGE_RECOMMENDATIONS)
    if direction not in ind.DIRECTIONS:
        raise ValidationError({"direction": "choose higher or lower"})
    with transaction.atomic():
        row = Indicator.objects.select_for_update().filter(key=key).first()
        if row is None:
            shipped = {d.key: d for d in ind.shipped_definitions()}
            if key not in shipped:
                raise Http404("No such indicator")
            row = _upsert_indicator(shipped[key], actor, "shipped indicator stored before its first change")
        changes = {"target": target, "direction": direction}
        if name is not None:
            _required({"name": name})
            changes["name"] = name.strip()
        if definition is not None:
            _required({"definition": definition})
            changes["definition"] = " ".join(definition.split())
        if not _set_fields(row, changes):
            return row
        _required({"reason": reason})
        return do_update(row, actor=actor, reason=reason.strip())


# --- resources -----------------------------------------------------------------------------------


def do_set_funding(
    *,
    actor: Actor,
    name: str,
    financial_year: int,
    amount: Decimal | int | float | str,
    agency: str = "",
    note: str = "",
    reason: str = "",
) -> FundingLine:
    """Record (or correct, with a reason) the money for one line in one financial year."""
    require_cap(actor, Cap.MANAGE_RECOMMENDATIONS)
    _required({"name": name})
    if not isinstance(financial_year, int) or not 1990 <= financial_year <= 2100:
        raise ValidationError({"financial_year": "enter a year between 1990 and 2100"})
    try:
        value = Decimal(str(amount))
    except ArithmeticError:
        raise ValidationError({"amount": "enter an amount in pounds"}) from None
    if not value.is_finite() or value < 0 or value >= Decimal("1e12"):
        raise ValidationError({"amount": "enter an amount of zero or more"})
    value = value.quantize(Decimal("0.01"))
    agency_obj = _agency(agency, "agency") if agency else None
    with transaction.atomic():
        row = (
            FundingLine.objects.select_for_update()
            .filter(name=name.strip(), agency=agency_obj, financial_year=financial_year)
            .first()
        )
        if row is None:
            return do_create(
                FundingLine(
                    name=name.strip(),
                    agency=agency_obj,
                    financial_year=financial_year,
                    amount=value,
                    note=note.strip(),
                ),
                actor=actor,
                reason=reason,
            )
        if row.amount == value and row.note == note.strip():
            return row
        if row.amount != value and not reason.strip():
            raise ValidationError({"reason": "say why the amount is changing"})
        row.amount, row.note = value, note.strip()
        return do_update(row, actor=actor, reason=reason.strip())


def do_set_staffing(
    *,
    actor: Actor,
    agency: str,
    team: str,
    year: int,
    staff: Decimal | int | float | str,
    note: str = "",
    reason: str = "",
) -> StaffingLevel:
    """Record (or correct, with a reason) the staff in an agency's team in one year."""
    require_cap(actor, Cap.MANAGE_RECOMMENDATIONS)
    _required({"agency": agency, "team": team})
    if not isinstance(year, int) or not 1990 <= year <= 2100:
        raise ValidationError({"year": "enter a year between 1990 and 2100"})
    try:
        value = Decimal(str(staff))
    except ArithmeticError:
        raise ValidationError({"staff": "enter a number of staff"}) from None
    if not value.is_finite() or value < 0 or value >= Decimal("1e6"):
        raise ValidationError({"staff": "enter a number of staff of zero or more"})
    value = value.quantize(Decimal("0.1"))
    agency_obj = _agency(agency, "agency")
    with transaction.atomic():
        row = (
            StaffingLevel.objects.select_for_update()
            .filter(agency=agency_obj, team=team.strip(), year=year)
            .first()
        )
        if row is None:
            return do_create(
                StaffingLevel(
                    agency=agency_obj, team=team.strip(), year=year, staff=value, note=note.strip()
                ),
                actor=actor,
                reason=reason,
            )
        if row.staff == value and row.note == note.strip():
            return row
        if row.staff != value and not reason.strip():
            raise ValidationError({"reason": "say why the number is changing"})
        row.staff, row.note = value, note.strip()
        return do_update(row, actor=actor, reason=reason.strip())


# --- community engagement ------------------------------------------------------------------------


def _communities(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(" ".join(v.split()) for v in values if v and v.strip()))


def do_record_engagement_event(
    *,
    actor: Actor,
    title: str,
    event_on: dt.date,
    organised_by: str,
    status: str = EngagementEvent.Status.PLANNED,
    location: str = "",
    communities: Sequence[str] = (),
    attendees: int | None = None,
    issues_raised: str = "",
    notes: str = "",
    plan_id: str | None = None,
) -> EngagementEvent:
    """Add an event to the community engagement plan (planned) or log (held)."""
    require_cap(actor, Cap.MANAGE_RECOMMENDATIONS)
    _required({"title": title, "event_on": event_on, "organised_by": organised_by})
    _date_ok("event_on", event_on)
    if status not in EngagementEvent.Status.values:
        raise ValidationError({"status": f"choose one of: {', '.join(EngagementEvent.Status.values)}"})
    if attendees is not None and attendees < 0:
        raise ValidationError({"attendees": "enter zero or more"})
    if status != EngagementEvent.Status.HELD and (attendees or issues_raised.strip()):
        raise ValidationError(
            {"status": "attendees and issues raised can only be recorded for an event that was held"}
        )
    agency = _agency(organised_by, "organised_by")
    plan = None
    if plan_id:
        plan = ResponsePlan.objects.filter(pk=plan_id).first()
        if plan is None:
            raise ValidationError({"plan": f"there is no plan {plan_id}"})
    return do_create(
        EngagementEvent(
            plan=plan,
            title=title.strip(),
            event_on=event_on,
            status=status,
            location=location.strip(),
            organised_by=agency,
            communities=_communities(communities),
            attendees=attendees,
            issues_raised=issues_raised.strip(),
            notes=notes.strip(),
            recorded_by=actor.user,
        ),
        actor=actor,
    )


def do_update_engagement_event(
    event_id: str,
    *,
    actor: Actor,
    changes: Mapping[str, Any],
    reason: str = "",
    expected_version: int | None = None,
) -> EngagementEvent:
    """Record how an event went (held, attendees, communities reached, issues raised) or change the plan.
    Cancelling or moving the date needs a reason."""
    require_cap(actor, Cap.MANAGE_RECOMMENDATIONS)
    allowed = {
        "title",
        "event_on",
        "status",
        "location",
        "communities",
        "attendees",
        "issues_raised",
        "notes",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({"__all__": f"cannot change {', '.join(sorted(unknown))}"})
    with transaction.atomic():
        event = _get(EngagementEvent, event_id)
        _check_version(event, expected_version)
        values = dict(changes)
        if "communities" in values:
            values["communities"] = _communities(values["communities"])
        for k in ("title", "location", "issues_raised", "notes"):
            if k in values:
                values[k] = str(values[k] or "").strip()
        if "title" in values:
            _required({"title": values["title"]})
        if "event_on" in values:
            _required({"event_on": values["event_on"]})
            _date_ok("event_on", values["event_on"])
        status = values.get("status", event.status)
        if status not in EngagementEvent.Status.values:
            raise ValidationError({"status": f"choose one of: {', '.join(EngagementEvent.Status.values)}"})
        attendees = values.get("attendees", event.attendees)
        if attendees is not None and attendees < 0:
            raise ValidationError({"attendees": "enter zero or more"})
        needs_reason = (status == EngagementEvent.Status.CANCELLED and event.status != status) or (
            "event_on" in values and values["event_on"] != event.event_on
        )
        if needs_reason and not reason.strip():
            raise ValidationError({"reason": "say why the event is cancelled or moved"})
        if not _set_fields(event, values):
            return event
        if event.status != EngagementEvent.Status.HELD and (event.attendees or event.issues_raised):
            raise ValidationError(
                {"status": "attendees and issues raised can only be recorded for an event that was held"}
            )
        return do_update(event, actor=actor, reason=reason.strip())


# --- protected concerns --------------------------------------------------------------------------


def do_raise_protected_concern(
    *,
    actor: Actor,
    about: str,
    what_happened: str,
    case_reference: str = "",
    agency_concerned: str = "",
    now: dt.datetime | None = None,
) -> ProtectedConcern:
    """Raise a concern about how a case or the service is handled. Only the independent reviewer sees it."""
    require_cap(actor, Cap.RAISE_PROTECTED_CONCERN)
    _required({"about": about, "what_happened": what_happened})
    if about not in ProtectedConcern.About.values:
        raise ValidationError({"about": "choose a case or the service"})
    if about == ProtectedConcern.About.CASE and not case_reference.strip():
        raise ValidationError({"case_reference": "enter the case, person or concern reference"})
    agency = _agency(agency_concerned, "agency_concerned") if agency_concerned else None
    return do_create(
        ProtectedConcern(
            about=about,
            case_reference=case_reference.strip()[:100],
            agency_concerned=agency,
            what_happened=what_happened.strip(),
            raised_by=actor.user,
            raised_by_agency=actor.agency,
            raised_by_role=actor.role,
            raised_at=_now(now),
        ),
        actor=actor,
        action="raise",
    )


def do_respond_to_protected_concern(
    concern_id: str, *, actor: Actor, outcome: str, text: str, now: dt.datetime | None = None
) -> ProtectedConcernResponse:
    """The independent reviewer's response: a new record; the concern itself never changes."""
    require_cap(actor, Cap.REVIEW_BREAK_GLASS)
    _required({"outcome": outcome, "text": text})
    if outcome not in ProtectedConcernResponse.Outcome.values:
        raise ValidationError({"outcome": "choose an outcome from the list"})
    concern = ProtectedConcern.objects.filter(pk=concern_id).first()
    if concern is None:
        raise Http404("No such protected concern")
    if concern.raised_by == actor.user:
        raise ValidationError({"__all__": "you raised this concern: another reviewer must respond"})
    return do_create(
        ProtectedConcernResponse(
            concern=concern,
            outcome=outcome,
            text=text.strip(),
            responded_by=actor.user,
            responded_at=_now(now),
        ),
        actor=actor,
        action="respond",
    )
