"""Sharing decisions about a child (theirs, recording one, and every decision for the reviewer) and
the section 47 workspace (open, read, members, tasks, joint decisions)."""

from django.http import HttpRequest
from ninja import Query, Router, Status

from sightline.access.permissions import Cap
from sightline.api.auth import current_actor, current_user
from sightline.api.cases.schemas.sharing import (
    JointDecisionIn,
    MemberIn,
    MemberRemoveIn,
    NhsNumberIn,
    NhsNumberOut,
    SharingDecisionIn,
    SharingDecisionOut,
    SharingReviewParams,
    TaskIn,
    WorkspaceIn,
    WorkspaceOut,
)
from sightline.api.core import Pagination, paginate
from sightline.api.people import Id
from sightline.cases.selectors.access_hooks import require_child_access, require_viewer_cap
from sightline.intelligence.selectors import Listing
from sightline.people import nhs
from sightline.sharing import selectors, services
from sightline.sharing.models import Workspace

router = Router()


@router.get(
    "/people/{person_id}/sharing-decisions",
    response=list[SharingDecisionOut],
    summary="Sharing decisions about a child",
)
def child_decisions(request: HttpRequest, person_id: str = Id()) -> list[selectors.DecisionRow]:
    return selectors.child_decisions(current_user(request), person_id)[1]


@router.post(
    "/people/{person_id}/sharing-decisions",
    response={201: SharingDecisionOut},
    summary="Record a decision to share information about a child, or not to",
)
def record_decision(
    request: HttpRequest, payload: SharingDecisionIn, person_id: str = Id()
) -> Status[selectors.DecisionRow]:
    """Not sharing needs a reason code (and ``reason`` in words for ``other``)."""
    user = current_user(request)
    root, _ = selectors.child_decisions(user, person_id, "record a sharing decision")
    made = services.do_record_sharing_decision(
        current_actor(request),
        person_id=root,
        recipients=payload.recipients,
        what=payload.what,
        outcome=payload.outcome,
        reason_code=payload.reason_code,
        reason=payload.reason,
        decided_on=payload.decided_on,
    )
    return Status(201, next(r for r in selectors.child_summary(root) if r.id == made.id))


@router.get(
    "/sharing-decisions", response=list[SharingDecisionOut], summary="Every sharing decision (the reviewer)"
)
@paginate(Pagination)
def review(request: HttpRequest, params: Query[SharingReviewParams]) -> Listing[selectors.DecisionRow]:
    """The children the page names are ledgered as read."""
    return selectors.reviewer_decisions(
        current_user(request), outcome=params.outcome, reason_code=params.reason_code, agency=params.agency
    )


def _nhs(person_id: str) -> dict[str, object]:
    status = nhs.status_of([person_id])
    return {
        "person_id": person_id,
        "numbers": nhs.holdings([person_id]),
        "absent_reason": status.reason_code if status else "",
        "absent_note": status.note if status else "",
    }


@router.get(
    "/people/{person_id}/nhs-number", response=NhsNumberOut, summary="A child's NHS numbers and their sources"
)
def get_nhs_number(request: HttpRequest, person_id: str = Id()) -> dict[str, object]:
    user = current_user(request)
    require_viewer_cap(user, Cap.RAISE_CONCERN)
    return _nhs(require_child_access(user, person_id, "NHS number"))


@router.post(
    "/people/{person_id}/nhs-number",
    response={201: NhsNumberOut},
    summary="Record a child's NHS number, or why there is none",
)
def record_nhs_number(
    request: HttpRequest, payload: NhsNumberIn, person_id: str = Id()
) -> Status[dict[str, object]]:
    user = current_user(request)
    require_viewer_cap(user, Cap.RAISE_CONCERN)
    root = require_child_access(user, person_id, "record the NHS number")
    if payload.nhs_number:
        nhs.do_record_nhs_number(current_actor(request), person_id=root, value=payload.nhs_number)
    else:
        nhs.do_record_nhs_status(
            current_actor(request), person_id=root, reason_code=payload.reason_code, note=payload.note
        )
    return Status(201, _nhs(root))


@router.post(
    "/people/{person_id}/s47", response={201: WorkspaceOut}, summary="Open a section 47 enquiry's workspace"
)
def open_workspace(
    request: HttpRequest, payload: WorkspaceIn, person_id: str = Id()
) -> Status[selectors.WorkspaceView]:
    user = current_user(request)
    require_viewer_cap(user, Cap.MANAGE_CASE)
    root = require_child_access(user, person_id, "open a section 47 enquiry")
    made = services.do_open_workspace(current_actor(request), person_id=root, summary=payload.summary)
    return Status(201, selectors.get_workspace(user, made.id, "section 47 enquiry opened"))


@router.get("/s47/{workspace_id}", response=WorkspaceOut, summary="A section 47 enquiry (its team only)")
def get_workspace(request: HttpRequest, workspace_id: str = Id()) -> selectors.WorkspaceView:
    return selectors.get_workspace(current_user(request), workspace_id)


@router.post("/s47/{workspace_id}/members", response={201: WorkspaceOut}, summary="Add a member to the team")
def add_member(
    request: HttpRequest, payload: MemberIn, workspace_id: str = Id()
) -> Status[selectors.WorkspaceView]:
    user = current_user(request)
    selectors.get_workspace(user, workspace_id, "add a section 47 member")
    services.do_add_member(
        current_actor(request),
        workspace_id=workspace_id,
        username=payload.username,
        discipline=payload.discipline,
    )
    return Status(201, selectors.get_workspace(user, workspace_id, "section 47 member added"))


@router.post(
    "/s47/{workspace_id}/members/{username}/remove",
    response={201: WorkspaceOut},
    summary="Remove a member from the team, with the reason",
)
def remove_member(
    request: HttpRequest, payload: MemberRemoveIn, workspace_id: str = Id(), username: str = Id()
) -> Status[selectors.WorkspaceView]:
    """A member who removes themselves gets the workspace as it is now, once: they were of the team
    when they asked (checked and ledgered)."""
    user = current_user(request)
    seen = selectors.get_workspace(user, workspace_id, "remove a section 47 member")
    services.do_remove_member(
        current_actor(request), workspace_id=workspace_id, username=username, reason=payload.reason
    )
    return Status(201, selectors.view_of(Workspace.objects.get(pk=seen.workspace.id)))


@router.post("/s47/{workspace_id}/tasks", response={201: WorkspaceOut}, summary="Give a member a task")
def add_task(
    request: HttpRequest, payload: TaskIn, workspace_id: str = Id()
) -> Status[selectors.WorkspaceView]:
    user = current_user(request)
    selectors.get_workspace(user, workspace_id, "add a section 47 task")
    services.do_add_task(
        current_actor(request),
        workspace_id=workspace_id,
        description=payload.description,
        assignee=payload.assignee,
        due_on=payload.due_on,
    )
    return Status(201, selectors.get_workspace(user, workspace_id, "section 47 task added"))


@router.post(
    "/s47/{workspace_id}/tasks/{task_id}/done", response={201: WorkspaceOut}, summary="Mark a task done"
)
def complete_task(
    request: HttpRequest, workspace_id: str = Id(), task_id: str = Id()
) -> Status[selectors.WorkspaceView]:
    user = current_user(request)
    selectors.get_workspace(user, workspace_id, "complete a section 47 task")
    services.do_complete_task(current_actor(request), workspace_id=workspace_id, task_id=task_id)
    return Status(201, selectors.get_workspace(user, workspace_id, "section 47 task done"))


@router.post(
    "/s47/{workspace_id}/decisions", response={201: WorkspaceOut}, summary="Record the team's joint decision"
)
def record_joint_decision(
    request: HttpRequest, payload: JointDecisionIn, workspace_id: str = Id()
) -> Status[selectors.WorkspaceView]:
    user = current_user(request)
    selectors.get_workspace(user, workspace_id, "record a section 47 decision")
    services.do_record_joint_decision(
        current_actor(request),
        workspace_id=workspace_id,
        decision=payload.decision,
        outcome=payload.outcome,
        agreed_by=payload.agreed_by,
        decided_on=payload.decided_on,
    )
    return Status(201, selectors.get_workspace(user, workspace_id, "section 47 decision recorded"))
