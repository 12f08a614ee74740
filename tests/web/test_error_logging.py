"""The server log: a refused page (403) or a missing one (404) is one line, as the console handler writes
it; a server error keeps its traceback."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _written(record: logging.LogRecord) -> str:
    """The record as the console handler of settings.LOGGING writes it."""
    return logging.StreamHandler().format(record)


def test_a_refused_page_is_one_line_in_the_log(
    make_user: Callable[..., Any], login: Callable[..., Any], caplog: pytest.LogCaptureFixture
) -> None:
    client = login(Client(), make_user("practitioner", "health"))
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get("/accounts").status_code == 403
        assert client.get("/no-such-page").status_code == 404
    records = [r for r in caplog.records if r.name == "django.request"]
    assert [r.status_code for r in records] == [403, 404]  # type: ignore[attr-defined]
    lines = [_written(r) for r in records]
    assert lines == ["Forbidden (Permission denied): /accounts", "Not Found: /no-such-page"]


def test_a_server_error_keeps_its_traceback(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("django.request")
    with caplog.at_level(logging.ERROR, logger="django.request"):
        try:
            raise RuntimeError("boom")
        except RuntimeError as exc:
            logger.error("Internal Server Error: /x", exc_info=exc, extra={"status_code": 500})
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    text = _written(record)
    assert text.startswith("Internal Server Error: /x\nTraceback") and "RuntimeError: boom" in text
