"""When the demo happens: the synthetic town's story ends today and the sample plan is part way through.

The town (2011 to mid-2014) and the Rotherham 2014 plan are dated in the past; shown against today's
clock every action would be years overdue and every live figure empty. So the demo moves them, by whole
weeks (each day keeps its weekday), and records the moves on the plan's page
(docs/decisions/0013-demo-dated-to-today.md):

- the town ends a week before today, so the agencies' extracts are this week's;
- the plan moves so that today is its 19 January 2015: seven weeks after its November deadline and ten
  weeks before the March one, when some actions are done, some late and four still in progress;
- the plan's years (funding and staffing) move so that its financial year 2014/15 is the current one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import yaml

from sightline.synthetic import shift_to_end_on

PLAN_STORY_DAY = dt.date(2015, 1, 19)
TOWN_LEAD_DAYS = 7  # the extracts are dated up to 7 days after the town's period ends


def financial_year(day: dt.date) -> int:
    """The April-to-March year a day falls in, by its first year (2014 for 2014/15)."""
    return day.year if day.month >= 4 else day.year - 1


@dataclass(frozen=True)
class DemoDates:
    today: dt.date
    town_ends_on: dt.date
    plan_shift_days: int
    plan_year_shift: int

    def plan_day(self, day: dt.date) -> dt.date:
        """A date of the plan's own calendar, moved into the demo's."""
        return day + dt.timedelta(days=self.plan_shift_days)


def demo_dates(today: dt.date) -> DemoDates:
    ends_on = today - dt.timedelta(days=TOWN_LEAD_DAYS)
    weeks = (today - PLAN_STORY_DAY).days // 7
    shifted_story_day = PLAN_STORY_DAY + dt.timedelta(weeks=weeks)
    return DemoDates(
        today=today,
        town_ends_on=ends_on,
        plan_shift_days=weeks * 7,
        plan_year_shift=financial_year(shifted_story_day) - financial_year(PLAN_STORY_DAY),
    )


def town_shift_days(dates: DemoDates) -> int:
    return shift_to_end_on(dates.town_ends_on)


def _moved(value: Any, dates: DemoDates) -> Any:
    return dates.plan_day(value) if isinstance(value, dt.date) else value


def redated_plan(content: bytes, dates: DemoDates) -> bytes:
    """A YAML plan file with every date moved into the demo's calendar and a note saying so."""
    data = yaml.safe_load(content)
    head = data["plan"]
    head["published_on"] = _moved(head.get("published_on"), dates)
    weeks = dates.plan_shift_days // 7
    head["illustrative_note"] = (
        f"{head.get('illustrative_note', '')} In this demonstration every date of the plan is moved "
        f"{weeks:,} weeks later, and every year {dates.plan_year_shift} later, so that the plan's "
        f"{PLAN_STORY_DAY:%-d %B %Y} is today; its wording keeps the original dates."
    ).strip()
    for rec in data.get("recommendations") or []:
        rec["target_date"] = _moved(rec.get("target_date"), dates)
        for action in rec.get("actions") or []:
            if "target_date" in action:
                action["target_date"] = _moved(action["target_date"], dates)
    resources = data.get("resources") or {}
    for line in resources.get("funding") or []:
        line["financial_year"] = int(line["financial_year"]) + dates.plan_year_shift
    for line in resources.get("staffing") or []:
        line["year"] = int(line["year"]) + dates.plan_year_shift
    for event in data.get("engagement") or []:
        event["event_on"] = _moved(event.get("event_on"), dates)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110).encode("utf-8")
