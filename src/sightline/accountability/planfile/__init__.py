"""Reading a response plan from YAML or CSV into plain specs. No database: checks against agencies and
indicators that exist happen in ``services.plan_import``.

Every problem names the file, the line (YAML) or row (CSV, header is row 1) and the field, in the
``file:row:field: reason`` form the extract importer uses. All problems are collected, not just the first.

YAML (see ``plans/rotherham-2014.yaml``)::

    plan: {key, title, inquiry, published_on, summary, illustrative_note}
    indicators: [{key, name, definition, measure, unit, target, direction}]   # optional
    recommendations:
      - {ref, title, text, target_date, indicators: [keys], illustrative,
         actions: [{ref, description, owner: {agency, person, user}, target_date, status}]}
    resources:                                                                 # optional
      funding: [{name, agency, financial_year, amount, note}]
      staffing: [{agency, team, year, staff, note}]
    engagement: [{title, event_on, status, location, organised_by, communities, attendees,
                  issues_raised, notes}]                                       # optional

CSV: one row per action, with the columns in :data:`CSV_COLUMNS`.
"""

from sightline.accountability.planfile.csv_format import CSV_COLUMNS, parse_csv
from sightline.accountability.planfile.specs import (
    MAX_BYTES,
    ActionSpec,
    EngagementSpec,
    FundingSpec,
    PlanFileError,
    PlanSpec,
    RecommendationSpec,
    StaffingSpec,
)
from sightline.accountability.planfile.yaml_format import parse_yaml

__all__ = [
    "CSV_COLUMNS",
    "ActionSpec",
    "EngagementSpec",
    "FundingSpec",
    "PlanFileError",
    "PlanSpec",
    "RecommendationSpec",
    "StaffingSpec",
    "parse_csv",
    "parse_plan",
    "parse_yaml",
]


def parse_plan(content: bytes, name: str) -> PlanSpec:
    """A plan from a file's bytes; the format follows the name (.yaml/.yml or .csv)."""
    if len(content) > MAX_BYTES:
        raise PlanFileError([f"{name}:1:file: the file is larger than {MAX_BYTES // (1024 * 1024)} MB"])
    lower = name.lower()
    if lower.endswith((".yaml", ".yml")):
        return parse_yaml(content, name)
    if lower.endswith(".csv"):
        return parse_csv(content, name)
    raise PlanFileError([f"{name}:1:file: a plan must be a .yaml, .yml or .csv file"])
