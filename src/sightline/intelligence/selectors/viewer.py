"""What every intelligence read does for its viewer: check the role, find which people the viewer
may open, ledger the people shown, and page a list so that only the page shown is ledgered."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Generic, TypeVar, overload

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from sightline.access.permissions import require_cap
from sightline.access.services import actor_for
from sightline.ledger.services import Actor, record_action
from sightline.people import need_to_know as access

T = TypeVar("T")
U = TypeVar("U")


def viewer_actor(user: Any, cap: str) -> Actor:
    """The ledger actor for a signed-in viewer whose role holds ``cap``; PermissionDenied otherwise."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise PermissionDenied("Sign in to see this")
    actor = actor_for(user)
    require_cap(actor, cap)
    return actor


def ledger_shown(actor: Actor, what: str, person_ids: Iterable[str]) -> None:
    """One ``read_list`` entry naming every person a page showed (nothing when it showed no one)."""
    ids = sorted(set(person_ids))
    if ids:
        record_action(actor, "read_list", access.PERSON_TYPE, what, data={"people": ids}, reason=what)


class Listing(Generic[T]):
    """A list as one viewer sees it. Counting reads nothing personal; taking a slice (the page shown)
    turns those rows into view objects for the viewer and ledgers the people they name. Django's
    ``Paginator`` and the API's ``paginate`` both take one slice, so both ledger exactly the page."""

    def __init__(self, rows: QuerySet[Any] | list[Any], show: Callable[[list[Any]], list[T]]) -> None:
        self._rows = rows
        self._show = show

    def count(self) -> int:
        return len(self._rows) if isinstance(self._rows, list) else self._rows.count()

    def __len__(self) -> int:
        return self.count()

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            return self._show(list(self._rows[index]))
        return self._show([self._rows[index]])[0]

    def __iter__(self) -> Iterator[T]:
        return iter(self[:])

    def map(self, fn: Callable[[T], U]) -> Listing[U]:
        """The same listing, each view object passed through ``fn`` (an API's output schema)."""
        show = self._show
        return Listing(self._rows, lambda rows: [fn(item) for item in show(rows)])
