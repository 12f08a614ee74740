"""The independent reviewer's ledger pages: entries, verification, checkpoints and evidence packs."""

from django.urls import path

from sightline.access.permissions import Cap
from sightline.web.navigation import register_nav
from sightline.web.views import ledger as v

urlpatterns = [
    path("ledger", v.entries, name="ledger_entries"),
    path("ledger/entries/<int:index>", v.entry, name="ledger_entry"),
    path("ledger/entries/<int:index>/raw", v.entry_raw, name="ledger_entry_raw"),
    path("ledger/verify", v.verify_ledger, name="ledger_verify"),
    path("ledger/checkpoints", v.checkpoints, name="ledger_checkpoints"),
    path("ledger/checkpoints/<int:checkpoint_id>.txt", v.checkpoint_note, name="ledger_checkpoint_note"),
    path("ledger/evidence-pack", v.evidence_pack, name="ledger_evidence_pack"),
]

register_nav("Ledger", "web:ledger_entries", caps=[Cap.VIEW_LEDGER], order=82)
