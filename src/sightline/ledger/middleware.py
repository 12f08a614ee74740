"""Each request's recorded actions (its reads, mostly) appended to the ledger together, once, before
the response leaves (``services.writes.batched_actions``)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from sightline.ledger.services.writes import batched_actions


class BatchedActionsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with batched_actions():
            return self.get_response(request)
