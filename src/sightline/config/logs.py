"""Logging: a refused or missing page is one line in the server log, not a traceback.

Django logs every 4xx answer it turns an exception into (403 for ``PermissionDenied``, 404, 400) with the
exception's traceback. Those are users being told no, not faults: the traceback only buries real errors.
Server errors (5xx) keep theirs.
"""

from __future__ import annotations

import logging


class ClientErrorsOnOneLine(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True
