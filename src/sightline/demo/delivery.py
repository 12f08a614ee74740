"""How far the demo's response plan has got by today (the plan's 19 January 2015, see ``dates``).

The four recommendations already in progress when the plan was published are still in progress; of the
eleven due in September and November, seven are done (evidence added, marked complete by the CSE
coordinator and signed off by a second person) and four are late: one waits for sign-off, two have an
action still in progress and one has an action not started. One action's date was moved, with a reason.
Everything goes through the accountability services, at the time it happened.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from sightline.accountability.models import Action, EngagementEvent, ResponsePlan
from sightline.accountability.services import (
    do_add_document,
    do_add_note,
    do_complete_action,
    do_sign_off_action,
    do_start_action,
    do_update_action,
    do_update_engagement_event,
)
from sightline.demo.staff import Staff, moment

SIGNED_OFF = ["R5.1", "R5.2", "R6.1", "R7.1", "R8.1", "R10.1", "R10.2", "R12.1", "R14.1", "R15.1"]
AWAITING_SIGN_OFF = ["R13.1", "R11.1"]
STARTED_LATE = ["R8.2", "R9.1"]  # R11.2 is left not started
PROGRESS_NOTES = {
    "R1.1": "Every child with an open concern now has a screening date in the case list; 84% on time.",
    "R2.1": "Hidden-victim alerts are reviewed at the daily hub meeting; median 3 days to action.",
    "R3.1": "Return interview service commissioned from a children's charity; started in November.",
}
EVIDENCE = {
    "R5.1": "Joint budget agreed at the executive group; council and police shares minuted.",
    "R5.2": "Police CSE team establishment confirmed by the Chief Constable.",
    "R6.1": "Live indicators and plan progress were a standing item at the last board meeting.",
    "R7.1": "Protected route to the independent reviewer live in Sightline and announced to all staff.",
    "R8.1": "All 41 licences linked to CSE intelligence reviewed; 6 suspended, 2 revoked.",
    "R10.1": "Community engagement plan published on the council website with the event log.",
    "R10.2": "Four meetings held directly with minority ethnic community groups; notes kept.",
    "R11.1": "Every out-of-area placement of a flagged child reviewed with the placing social worker.",
    "R12.1": "1,180 frontline staff trained in CSE awareness across schools, health, housing and licensing.",
    "R13.1": "Victim liaison officer tells each victim of bail decisions within 24 hours; log kept.",
    "R14.1": "Therapeutic support commissioned; no waiting list since the start of the contract.",
    "R15.1": "Quarterly audit of 20 CSE cases reported to the board with actions.",
}
DOCUMENTS = {"R15.1": ("case-audit-summary.txt", "Quarterly CSE case audit: summary of findings")}


@dataclass
class Delivery:
    signed_off: int = 0
    awaiting_sign_off: int = 0
    started: int = 0
    evidence: int = 0
    moved: int = 0

    def summary(self) -> str:
        return (
            f"{self.signed_off} actions complete and signed off, {self.awaiting_sign_off} awaiting sign-off, "
            f"{self.started} started, {self.evidence} pieces of evidence, {self.moved} date moved"
        )


def _at(day: dt.date, today: dt.date, hour: int = 11) -> dt.datetime:
    return moment(min(day, today - dt.timedelta(days=1)), hour)


def deliver_plan(plan: ResponsePlan, staff: Staff, today: dt.date) -> Delivery:
    done = Delivery()
    actions = {a.ref: a for a in Action.objects.filter(recommendation__plan=plan)}
    for ref, note in PROGRESS_NOTES.items():
        if ref in actions:
            a = actions[ref]
            do_add_note(
                staff.hub,
                action_id=a.id,
                title="Progress",
                note=note,
                now=_at(a.target_date - dt.timedelta(days=60), today),
            )
            done.evidence += 1
    for ref in STARTED_LATE:
        if ref in actions and actions[ref].status == "not_started":
            do_start_action(
                staff.hub, action_id=actions[ref].id, note="Work started; behind the target date."
            )
            done.started += 1
    for ref in SIGNED_OFF + AWAITING_SIGN_OFF:
        if ref not in actions:
            continue
        a = actions[ref]
        late = ref in AWAITING_SIGN_OFF
        completed = _at(a.target_date + dt.timedelta(days=12 if late else -9 - len(ref)), today)
        if a.status == "not_started":
            do_start_action(staff.hub, action_id=a.id)
        if ref in DOCUMENTS:
            name, title = DOCUMENTS[ref]
            do_add_document(
                staff.hub, action_id=a.id, stream=io.BytesIO(EVIDENCE[ref].encode() + b"\n"), file_name=name,
                title=title, content_type="text/plain", now=completed - dt.timedelta(hours=2),
            )  # fmt: skip
        else:
            do_add_note(
                staff.hub,
                action_id=a.id,
                title="Evidence",
                note=EVIDENCE[ref],
                now=completed - dt.timedelta(hours=2),
            )
        done.evidence += 1
        do_complete_action(staff.hub, action_id=a.id, note="Done; evidence attached.", now=completed)
        if late:
            done.awaiting_sign_off += 1
            continue
        signer = staff.manager if len(ref) % 2 else staff.board
        do_sign_off_action(
            signer, action_id=a.id, note="Checked against the evidence.", now=completed + dt.timedelta(days=4)
        )
        done.signed_off += 1
    if "R3.1" in actions:
        a = actions["R3.1"]
        do_update_action(
            staff.hub, action_id=a.id, target_date=a.target_date + dt.timedelta(days=61),
            reason="The provider could not start until November; the board agreed two more months.",
            now=_at(a.target_date - dt.timedelta(days=75), today),
        )  # fmt: skip
        done.moved += 1
    for event in EngagementEvent.objects.filter(status=EngagementEvent.Status.PLANNED, event_on__lt=today):
        do_update_engagement_event(
            staff.hub, event_id=event.id,
            changes={"status": "held", "attendees": 46, "issues_raised": "Want to know how to report "
                     "concerns safely and what happens next; asked for a female officer at the mosque."},
        )  # fmt: skip
    return done
