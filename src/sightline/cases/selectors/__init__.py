"""Reads for case work: the child's record and chronology, queues, tasks and the figures built on them.

Two layers:

* Functions taking a ``user`` are what pages and the API call. Person-level ones check need to know and
  ledger the read (``access_hooks.require_child_access``); lists across children show only people the
  user may see and ledger which ones they showed (``need_to_know.visible_among`` / ``ledger_list``).
* Functions without a user (``*_for`` helpers, ``rescreen_due_for``, ``return_interview_status``,
  ``self_referrals_per_week``...) compute from the tables with no access check. They are for the
  checked functions, aggregate figures and indicators, never for showing a person to someone.

Everything that can change with the clock takes ``now`` so tests and reports can ask "as at".

Where things live: ``access_hooks`` (who may see a child's case data), ``chronology``, ``tasks`` (my
tasks, overdue items, the dashboard), ``record`` (the child's page), and one module per kind of case
work: ``concerns``, ``screenings``, ``plans``, ``episodes``, ``placements``, ``investigations``.
"""

from sightline.cases.selectors.access_hooks import (
    register_access_hooks,
    require_child_access,
    require_object_access,
)
from sightline.cases.selectors.chronology import (
    CASE_KINDS,
    EXTRACT_KINDS,
    ChronologyEntry,
    chronology,
    chronology_filters,
    chronology_for,
    kind_label,
    record_chronology,
)
from sightline.cases.selectors.concerns import (
    NEW_CONCERN_DAYS,
    ConcernDetail,
    QueueItem,
    get_concern,
    new_concerns,
    overdue_triage,
    overdue_triage_for,
    time_to_triage_hours,
    triage_queue,
)
from sightline.cases.selectors.episodes import (
    EpisodeSummary,
    EpisodeView,
    ReturnInterviewStatus,
    episodes_for,
    get_episode,
    get_interview,
    person_episodes,
    return_interview_status,
    return_interview_timeliness,
)
from sightline.cases.selectors.investigations import (
    InvestigationView,
    SuspectView,
    current_suspect_statuses,
    get_investigation,
    investigations,
    person_investigations,
    self_referrals_per_week,
    suspects_on_bail,
)
from sightline.cases.selectors.placements import (
    PlacementView,
    get_placement,
    local_authority,
    person_placements,
    placements_for,
)
from sightline.cases.selectors.plans import (
    ActionView,
    PlanView,
    action_overdue,
    action_view,
    get_action,
    get_plan,
    person_plans,
    plan_view,
    plans_for,
)
from sightline.cases.selectors.record import ChildRecord, child_record
from sightline.cases.selectors.screenings import (
    DEFAULT_RESCREEN_TRIGGERS,
    SCREENING_LOOKBACK,
    RescreenDue,
    RescreenTrigger,
    ScreeningPrefill,
    ScreeningView,
    rescreen_due_for,
    rescreen_hours,
    rescreen_triggers,
    rescreens_due,
    rescreens_due_all,
    screening_history,
    screening_prefill,
    screening_view,
    screenings_for,
)
from sightline.cases.selectors.tasks import Dashboard, TaskItem, dashboard, my_tasks, overdue_items

__all__ = [
    "CASE_KINDS",
    "DEFAULT_RESCREEN_TRIGGERS",
    "EXTRACT_KINDS",
    "NEW_CONCERN_DAYS",
    "SCREENING_LOOKBACK",
    "ActionView",
    "ChildRecord",
    "ChronologyEntry",
    "ConcernDetail",
    "Dashboard",
    "EpisodeSummary",
    "EpisodeView",
    "InvestigationView",
    "PlacementView",
    "PlanView",
    "QueueItem",
    "RescreenDue",
    "RescreenTrigger",
    "ReturnInterviewStatus",
    "ScreeningPrefill",
    "ScreeningView",
    "SuspectView",
    "TaskItem",
    "action_overdue",
    "action_view",
    "child_record",
    "chronology",
    "chronology_filters",
    "chronology_for",
    "current_suspect_statuses",
    "dashboard",
    "episodes_for",
    "get_action",
    "get_concern",
    "get_episode",
    "get_interview",
    "get_investigation",
    "get_placement",
    "get_plan",
    "investigations",
    "kind_label",
    "local_authority",
    "my_tasks",
    "new_concerns",
    "overdue_items",
    "overdue_triage",
    "overdue_triage_for",
    "person_episodes",
    "person_investigations",
    "person_placements",
    "person_plans",
    "placements_for",
    "plan_view",
    "plans_for",
    "record_chronology",
    "register_access_hooks",
    "require_child_access",
    "require_object_access",
    "rescreen_due_for",
    "rescreen_hours",
    "rescreen_triggers",
    "rescreens_due",
    "rescreens_due_all",
    "return_interview_status",
    "return_interview_timeliness",
    "screening_history",
    "screening_prefill",
    "screening_view",
    "screenings_for",
    "self_referrals_per_week",
    "suspects_on_bail",
    "time_to_triage_hours",
    "triage_queue",
]
