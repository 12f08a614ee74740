"""``field__any_of=AnyOfIds(ids)``: membership in a list passed as one JSON parameter.

``__in`` with a few hundred ids makes a statement of a few hundred placeholders, each value checked
by Django and escaped by psycopg, and a union of a dozen such statements (need to know asking every
source about a page of people) spent most of its time there. Here the ids go as one JSON text, read
by PostgreSQL's ``jsonb_array_elements_text`` and SQLite's
``json_each``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.db.models import CharField, ForeignKey, Lookup


class AnyOfIds:
    """Ids for ``__any_of`` (not a list, so that Django does not resolve each one)."""

    def __init__(self, ids: Iterable[Any]) -> None:
        self.json = json.dumps([str(i) for i in ids])


class AnyOf(Lookup):
    lookup_name = "any_of"
    prepare_rhs = False

    def get_prep_lookup(self) -> Any:
        if not isinstance(self.rhs, AnyOfIds):
            raise TypeError("__any_of takes AnyOfIds(ids)")
        return self.rhs

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if connection.vendor == "postgresql":
            sql = f"{lhs} IN (SELECT jsonb_array_elements_text(%s::jsonb))"
        else:
            sql = f"{lhs} IN (SELECT value FROM json_each(%s))"
        return sql, (*lhs_params, self.rhs.json)


def register() -> None:
    CharField.register_lookup(AnyOf)
    ForeignKey.register_lookup(AnyOf)
