"""Writes for accountability. Each service takes the actor, then keyword-only arguments (objects by id);
it checks the actor's capability, validates, and writes through the ledger's one write path in one
transaction. Nothing is deleted. Validation problems raise ``ValidationError`` with a message per field;
a missing object raises ``sightline.core.errors.NotFound``.

- ``plan_import``: a response plan from its YAML or CSV file;
- ``recommendations``: recommendations and actions, and moving their target dates (with a reason);
- ``action_progress``: start, complete, sign-off by a second person, send back, reopen;
- ``evidence`` and ``evidence_store``: evidence for an action, and the file store for its documents;
- ``indicator_targets``, ``resources``, ``engagement`` and ``protected_concerns``.
"""

from sightline.accountability.services.action_progress import (
    do_complete_action,
    do_reopen_action,
    do_return_action,
    do_sign_off_action,
    do_start_action,
    live_evidence,
)
from sightline.accountability.services.engagement import (
    do_record_engagement_event,
    do_update_engagement_event,
)
from sightline.accountability.services.evidence import (
    EVIDENCE_EXTENSIONS,
    do_add_document,
    do_add_ledger_link,
    do_add_note,
    do_withdraw_evidence,
)
from sightline.accountability.services.evidence_store import (
    MAX_EVIDENCE_BYTES,
    EvidenceFileError,
    evidence_name,
    evidence_storage,
    read_document,
    store_document,
)
from sightline.accountability.services.indicator_targets import do_update_indicator
from sightline.accountability.services.plan_import import (
    ImportSummary,
    do_import_plan,
    do_import_sample_plan,
    sample_plan_path,
    sample_plans,
)
from sightline.accountability.services.protected_concerns import (
    do_raise_protected_concern,
    do_respond_to_protected_concern,
)
from sightline.accountability.services.recommendations import (
    do_add_action,
    do_add_recommendation,
    do_update_action,
    do_update_recommendation,
)
from sightline.accountability.services.resources import do_set_funding, do_set_staffing
from sightline.accountability.services.validation import may_progress

__all__ = [
    "EVIDENCE_EXTENSIONS",
    "MAX_EVIDENCE_BYTES",
    "EvidenceFileError",
    "ImportSummary",
    "do_add_action",
    "do_add_document",
    "do_add_ledger_link",
    "do_add_note",
    "do_add_recommendation",
    "do_complete_action",
    "do_import_plan",
    "do_import_sample_plan",
    "do_raise_protected_concern",
    "do_record_engagement_event",
    "do_reopen_action",
    "do_respond_to_protected_concern",
    "do_return_action",
    "do_set_funding",
    "do_set_staffing",
    "do_sign_off_action",
    "do_start_action",
    "do_update_action",
    "do_update_engagement_event",
    "do_update_indicator",
    "do_update_recommendation",
    "do_withdraw_evidence",
    "evidence_name",
    "evidence_storage",
    "live_evidence",
    "may_progress",
    "read_document",
    "sample_plan_path",
    "sample_plans",
    "store_document",
]
