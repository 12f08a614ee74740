"""Reads for reports: the counts behind the public statistics before disclosure control
(``public_counts``, over the ``periods``), and the independent reviewer's view of the ledger
(``ledger_browser``: entries with filters, checkpoints).

Nothing here returns a person: the public counts are whole-table aggregates, and the ledger reads are
for the reviewer's own pages, which check ``Cap.VIEW_LEDGER`` and ledger every look.
"""

from sightline.reports.selectors.ledger_browser import (
    CheckpointView,
    EntryFilter,
    checkpoints,
    distinct_values,
    get_checkpoint,
    get_entry,
    latest_checkpoint,
    ledger_entries,
)
from sightline.reports.selectors.periods import Period, Span, reporting_period, service_start
from sightline.reports.selectors.public_counts import (
    ETHNIC_GROUPS,
    PUBLIC_TABLES,
    RawTable,
    case_agencies,
    concerns_by_agency_and_quarter,
    ethnic_group,
    missing_episodes_by_month,
    people_by_ethnic_group,
    public_counts,
    screened_by_agency_and_band,
    victims_coming_forward_by_quarter,
)

__all__ = [
    "ETHNIC_GROUPS",
    "PUBLIC_TABLES",
    "CheckpointView",
    "EntryFilter",
    "Period",
    "RawTable",
    "Span",
    "case_agencies",
    "checkpoints",
    "concerns_by_agency_and_quarter",
    "distinct_values",
    "ethnic_group",
    "get_checkpoint",
    "get_entry",
    "latest_checkpoint",
    "ledger_entries",
    "missing_episodes_by_month",
    "people_by_ethnic_group",
    "public_counts",
    "reporting_period",
    "screened_by_agency_and_band",
    "service_start",
    "victims_coming_forward_by_quarter",
]
