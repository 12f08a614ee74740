"""The tables outside the ledger, each with the reason it is not a ledgered model.

Every other installed model is a ``LedgeredModel``, written only through the ledger's services
(``tests/ledger/test_write_path.py`` checks both). A new table goes in one list or the other.
"""

from __future__ import annotations

_DJANGO_CATALOGUE = "Django's own catalogue, written by migrate; no safeguarding data"
_UNUSED_PERMISSIONS = (
    "Django's groups and per-user permissions, unused: a user's role is a field of the user and what "
    "a role may do is code (access.permissions)"
)
_AXES = (
    "django-axes' failed sign-in counters, written on every attempt; each failure, lockout and "
    "unlock is ledgered by access.services through record_action"
)
_LEDGER = (
    "the ledger itself: append-only entries, their queue, the tree head, the stored subtree hashes "
    "that proofs are made from, and signed checkpoints"
)

_SEARCH_INDEX = (
    "the person search index: name tokens, their nickname, phonetic and trigram keys, and each "
    "person's and linked record's search terms, all derived from current-state rows (kept in step "
    "by the ledger's write hooks, rebuilt by `sightline people reindex`); it holds nothing that is "
    "not in those rows, and ledgering it would double every write"
)

_EVENT_MENTIONS = (
    "which records each agency event's `others` cell names, and in what role: derived from the "
    "events' current rows (kept in step by the ledger's write hooks, rebuilt after a ledger rebuild) "
    "so that a person's events are found by an index, not a scan of every event's JSON; it holds "
    "nothing that is not in those rows, and ledgering it would double every event written"
)

OUTSIDE_THE_LEDGER: dict[str, str] = {
    "access.User": (
        "Django's auth user (password hash, last login), which Django itself writes at sign-in; every "
        "change to an account is ledgered by access.services through record_action, with the "
        "account's snapshot but never its password hash"
    ),
    "access.User_groups": _UNUSED_PERMISSIONS,
    "access.User_user_permissions": _UNUSED_PERMISSIONS,
    "admin.LogEntry": "Django admin's change log; no ledgered model is registered with the admin",
    "auth.Group": _UNUSED_PERMISSIONS,
    "auth.Group_permissions": _UNUSED_PERMISSIONS,
    "auth.Permission": _DJANGO_CATALOGUE,
    "axes.AccessAttempt": _AXES,
    "axes.AccessAttemptExpiration": _AXES,
    "axes.AccessFailureLog": _AXES,
    "axes.AccessLog": _AXES,
    "contenttypes.ContentType": _DJANGO_CATALOGUE,
    "ledger.Checkpoint": _LEDGER,
    "ledger.Entry": _LEDGER,
    "ledger.PendingEntry": _LEDGER,
    "ledger.Subtree": _LEDGER,
    "ledger.TreeHead": _LEDGER,
    "ledger.VerificationRun": (
        "the record of verification runs (when, how far, the root and compact range reached, and "
        "problem counts by kind, never their messages), which pages show instead of verifying on a "
        "request and incremental runs start from; it is about the ledger, not in it: ledgering each "
        "run would give every run new entries to check, and a forged row is caught by the next full "
        "verification, which starts from nothing stored"
    ),
    "access.ApiTokenUse": (
        "when an API token was last used: a cheap timestamp written at most once a minute; ledgering "
        "it would add an entry to every API call's minute"
    ),
    "people.EventMention": _EVENT_MENTIONS,
    "people.NameKey": _SEARCH_INDEX,
    "people.NameToken": _SEARCH_INDEX,
    "people.SearchPosting": _SEARCH_INDEX,
    "otp_totp.TOTPDevice": (
        "authenticator-app secrets, which must be replaceable and never copied into an append-only "
        "ledger; issuing one is ledgered (without the secret) by access.services through record_action"
    ),
    "web.Draft": (
        "what a user has typed into a long form and not yet submitted: unfinished thinking, not a "
        "record. Only its owner reads it, and it is deleted on submit, on discard and after DRAFT_DAYS; "
        "the submitted form is ledgered by its service as usual"
    ),
    "notifications.Notification": (
        "each user's notifications: per-user delivery state (seen, emailed) derived from ledgered "
        "events; who was told about which child's event is ledgered on the child (notify)"
    ),
    "notifications.EmailPreference": (
        "how a user wants to hear by email (each event, a daily digest, none): a delivery setting; "
        "each change is ledgered on the account by notifications.services through record_action"
    ),
    "sessions.Session": (
        "sign-in sessions: short-lived server-side state; each sign-in and sign-out is ledgered by "
        "access.services through record_action"
    ),
}
