"""One page's repeated reads answered once.

A child's record is built by a dozen sections, and each asks who was merged into the child: the
same query a dozen times. While a safe request (GET or HEAD, which merges no one) runs,
:func:`memoised` keeps each answer for the rest of that request; outside one it always computes.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponse

T = TypeVar("T")
_memo: ContextVar[dict[Hashable, Any] | None] = ContextVar("sightline_request_memo", default=None)


@contextmanager
def reads_memo() -> Iterator[None]:
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def memoised(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, or what it gave earlier in this request. Callers must not change the result."""
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    found: T = memo[key]
    return found


class ReadsMemoMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        with reads_memo():
            return self.get_response(request)
