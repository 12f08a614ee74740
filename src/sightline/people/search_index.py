"""The person search index: what search looks up instead of comparing a query with every name.

Three tables, outside the ledger, derived from people and the agency records linked to them and
kept in step by the ledger's write hooks (registered in ``apps.PeopleConfig.ready``):

- ``people_search_posting``: each row's search terms (name tokens, ``#y`` year of birth, ``#p``
  postcode district) and the person they lead to;
- ``people_name_token``: every distinct name token, the vocabulary. On PostgreSQL a pg_trgm GIN
  index on it finds misspellings (``token % query``);
- ``people_name_key``: keys that find tokens: nickname canonical forms, metaphone and NYSIIS codes,
  and trigrams where pg_trgm is not there (SQLite).

A query token is matched against the vocabulary through these indexes (a few dozen candidate
tokens), each candidate is scored in Python by ``token_similarity``, and the postings of those that
match give the people. Nothing loops over every name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db import connection

from sightline.ledger.services import replay
from sightline.people.linkage.names import canonical_forms, metaphone, name_tokens, nysiis

# Candidates by trigrams share at least this similarity with the query token (pg_trgm's measure).
TRIGRAM_THRESHOLD = 0.25
CHUNK = 1000


def trigrams(token: str) -> set[str]:
    padded = f"  {token} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def postcode_district(value: str) -> str:
    key = re.sub(r"\s+", "", value or "").upper()
    return key[:-3] if len(key) > 4 else key


def person_terms(given: str, family: str, other: str, dob: str, postcode: str) -> set[str]:
    terms = set(name_tokens(given)) | set(name_tokens(family)) | set(name_tokens(other))
    if dob[:4].isdigit():
        terms.add(f"#y{dob[:4]}")
    if postcode:
        terms.add(f"#p{postcode_district(postcode)}")
    return terms


def _record_terms(record: Any) -> set[str]:
    data = record.data if isinstance(record.data, dict) else {}
    other = str(data.get("other_names") or "")
    return person_terms(record.given_name, record.family_name, other, record.date_of_birth, record.postcode)


def has_pg_trgm() -> bool:
    if connection.vendor != "postgresql":
        return False
    cached = getattr(connection, "_sightline_pg_trgm", None)
    if cached is None:
        with connection.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
            cached = cur.fetchone() is not None
        connection._sightline_pg_trgm = cached  # type: ignore[attr-defined]
    return bool(cached)


def token_keys(token: str, with_trigrams: bool) -> set[str]:
    keys = {f"c:{form}" for form in canonical_forms(token)}
    if len(token) >= 3:
        for prefix, code in (("m", metaphone(token)), ("n", nysiis(token))):
            if code:
                keys.add(f"{prefix}:{code}")
    if with_trigrams:
        keys |= {f"g:{t}" for t in trigrams(token)}
    return keys


def _marks(n: int) -> str:
    return ", ".join(["%s"] * n)


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _add_tokens(tokens: set[str]) -> None:
    """Put new name tokens, with their keys, into the vocabulary."""
    if not tokens:
        return
    ordered = sorted(tokens)
    new: list[str] = []
    with connection.cursor() as cur:
        for chunk in _chunks(ordered):
            marks = ", ".join(["(%s)"] * len(chunk))
            if connection.vendor == "postgresql":
                cur.execute(
                    f"INSERT INTO people_name_token (token) VALUES {marks} "
                    "ON CONFLICT DO NOTHING RETURNING token",
                    list(chunk),
                )
                new += [row[0] for row in cur.fetchall()]
            else:  # the write transaction is SQLite's only writer: look, then add what is missing
                cur.execute(
                    f"SELECT token FROM people_name_token WHERE token IN ({_marks(len(chunk))})",
                    list(chunk),
                )
                known = {row[0] for row in cur.fetchall()}
                missing = [t for t in chunk if t not in known]
                cur.executemany("INSERT INTO people_name_token (token) VALUES (%s)", [(t,) for t in missing])
                new += missing
    _add_keys(new)


# One write's postings and new tokens in one round trip: the CTEs run on one snapshot, so the DELETE
# removes only the rows that were there before.
_ONE_TRIP = """
WITH gone AS (DELETE FROM people_search_posting WHERE %(replace)s AND owner_id = ANY(%(owners)s)),
added AS (
    INSERT INTO people_search_posting (owner_id, person_id, term)
    SELECT * FROM unnest(%(owner)s::text[], %(person)s::text[], %(term)s::text[])
)
INSERT INTO people_name_token (token) SELECT DISTINCT unnest(%(tokens)s::text[])
ON CONFLICT DO NOTHING RETURNING token
"""


def _add_keys(new: list[str]) -> None:
    with_trigrams = not has_pg_trgm()
    rows = [(key, token) for token in new for key in sorted(token_keys(token, with_trigrams))]
    conflict = " ON CONFLICT DO NOTHING" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cur:
        for chunk in _chunks(rows, 5000):
            cur.executemany(
                f"INSERT INTO people_name_key (key, token) VALUES (%s, %s){conflict}", list(chunk)
            )


def _replace_small_postgresql(
    owners: Sequence[str], postings: list[tuple[str, str, str]], created: bool
) -> None:
    tokens = sorted({term for _o, _p, term in postings if not term.startswith("#")})
    with connection.cursor() as cur:
        cur.execute(
            _ONE_TRIP,
            {
                "replace": not created,
                "owners": list(owners),
                "owner": [o for o, _p, _t in postings],
                "person": [p for _o, p, _t in postings],
                "term": [t for _o, _p, t in postings],
                "tokens": tokens,
            },
        )
        new = [row[0] for row in cur.fetchall()]
    if new:
        _add_keys(new)


def _replace_postings(owners: Sequence[str], postings: list[tuple[str, str, str]], created: bool) -> None:
    if connection.vendor == "postgresql" and len(postings) <= 100:  # one write (a person, a record)
        _replace_small_postgresql(owners, postings, created)
        return
    with connection.cursor() as cur:
        if not created and connection.vendor == "postgresql":
            # A table grown in this transaction (a first link) has no statistics, and PostgreSQL then
            # scans every posting (or the whole owner index, for a join) for each chunk: 560 s of a
            # million's link. One probe of the owner index per owner is always the way: = ANY, one
            # table, with scans off for these statements only (4M postings: 24 ms, not 12 s).
            cur.execute(
                "SELECT current_setting('enable_seqscan'), current_setting('jit'), "
                "set_config('enable_seqscan', 'off', true), set_config('jit', 'off', true)"
            )
            seqscan, jit, _s, _j = cur.fetchone()
            for chunk in _chunks(owners, 20_000):
                cur.execute(
                    "DELETE FROM people_search_posting WHERE owner_id = ANY(%s::text[])", [list(chunk)]
                )
            cur.execute(
                "SELECT set_config('enable_seqscan', %s, true), set_config('jit', %s, true)", [seqscan, jit]
            )
        elif not created:
            for chunk in _chunks(owners):
                cur.execute(
                    f"DELETE FROM people_search_posting WHERE owner_id IN ({_marks(len(chunk))})",
                    list(chunk),
                )
        if connection.vendor == "postgresql" and len(postings) > 100:  # linkage and imports: COPY
            with cur.cursor.copy("COPY people_search_posting (owner_id, person_id, term) FROM STDIN") as copy:
                for row in postings:
                    copy.write_row(row)
        else:
            for chunk in _chunks(postings, 5000):
                cur.executemany(
                    "INSERT INTO people_search_posting (owner_id, person_id, term) VALUES (%s, %s, %s)",
                    list(chunk),
                )
    _add_tokens({term for _o, _p, term in postings if not term.startswith("#")})


def index_people(people: Sequence[Any], created: bool) -> None:
    """Write hook for people: their own names, year of birth and postcode district."""
    postings = [
        (p.pk, p.pk, term)
        for p in people
        for term in person_terms(p.given_name, p.family_name, p.other_names, p.date_of_birth, p.postcode)
    ]
    _replace_postings([p.pk for p in people], postings, created)


# A new person's or record's postings, new tokens and their keys as CTEs of the create's own statement
# (``ledger.services.statement_forms``). Only tokens this statement added to the vocabulary get their
# keys: one that another transaction is adding waits for it, and then it has them.
_CREATE_CTES = """
search_postings AS (
    INSERT INTO people_search_posting (owner_id, person_id, term) SELECT %s, %s, unnest(%s::text[])
),
search_tokens AS (
    INSERT INTO people_name_token (token) SELECT unnest(%s::text[]) ON CONFLICT DO NOTHING RETURNING token
),
search_keys AS (
    INSERT INTO people_name_key (key, token)
    SELECT k.key, k.token FROM unnest(%s::text[], %s::text[]) AS k (key, token)
    WHERE k.token IN (SELECT token FROM search_tokens)
    ON CONFLICT DO NOTHING
)"""


def _create_statement(owner: str, person: str, terms: set[str]) -> tuple[str, list[Any]]:
    tokens = sorted(term for term in terms if not term.startswith("#"))
    with_trigrams = not has_pg_trgm()
    keys = [(key, token) for token in tokens for key in sorted(token_keys(token, with_trigrams))]
    return _CREATE_CTES, [
        owner,
        person,
        sorted(terms),
        tokens,
        [k for k, _t in keys],
        [t for _k, t in keys],
    ]


def person_statement(person: Any) -> tuple[str, list[Any]] | None:
    """Statement form of :func:`index_people` for one new person (PostgreSQL)."""
    terms = person_terms(
        person.given_name, person.family_name, person.other_names, person.date_of_birth, person.postcode
    )
    return _create_statement(person.pk, person.pk, terms)


def record_statement(record: Any) -> tuple[str, list[Any]] | None:
    """Statement form of :func:`index_records` for one new agency record (PostgreSQL)."""
    if not record.person_id:
        return None
    return _create_statement(record.pk, record.person_id, _record_terms(record))


def index_records(records: Sequence[Any], created: bool) -> None:
    """Write hook for agency records: a linked record's names, year of birth and postcode district
    lead to its person; an unlinked record leads nowhere."""
    postings = [(r.pk, r.person_id, term) for r in records if r.person_id for term in _record_terms(r)]
    if created and not postings:
        return  # an import: records are linked later
    _replace_postings([r.pk for r in records], postings, created)


def reindex() -> int:
    """Rebuild the whole index from the current rows (after a ledger rebuild, or by command)."""
    from sightline.people.models import Person, SourceRecord  # noqa: PLC0415

    with connection.cursor() as cur:
        for table in ("people_search_posting", "people_name_key", "people_name_token"):
            cur.execute(f"DELETE FROM {table}")
    people = Person.objects.only(
        "id", "given_name", "family_name", "other_names", "date_of_birth", "postcode"
    )
    records = SourceRecord.objects.filter(person__isnull=False).only(
        "id", "person_id", "given_name", "family_name", "date_of_birth", "postcode", "data"
    )
    return replay(index_people, people.iterator(chunk_size=5000)) + replay(
        index_records, records.iterator(chunk_size=5000)
    )


# --- lookups -------------------------------------------------------------------------------------


def candidate_tokens(query: str) -> set[str]:
    """Vocabulary tokens that may match the query token: exact, nickname, sounds alike, similar
    spelling (trigrams) or starting with it. The caller scores them."""
    found: set[str] = set()
    keys = sorted(token_keys(query, False))
    pg = connection.vendor == "postgresql"
    with connection.cursor() as cur:
        cur.execute(f"SELECT DISTINCT token FROM people_name_key WHERE key IN ({_marks(len(keys))})", keys)
        found.update(row[0] for row in cur.fetchall())
        if len(query) >= 2:
            if pg:  # LIKE 'q%' uses the primary key's varchar_pattern_ops index
                cur.execute(
                    "SELECT token FROM people_name_token WHERE token LIKE %s AND length(token) <= %s",
                    [query.replace("\\", "").replace("%", "").replace("_", "") + "%", 2 * len(query)],
                )
            else:  # tokens hold only a-z, all before '{'
                cur.execute(
                    "SELECT token FROM people_name_token "
                    "WHERE token >= %s AND token < %s AND length(token) <= %s",
                    [query, query + "{", 2 * len(query)],
                )
            found.update(row[0] for row in cur.fetchall())
        if has_pg_trgm():
            cur.execute(f"SET pg_trgm.similarity_threshold = {TRIGRAM_THRESHOLD}")
            cur.execute("SELECT token FROM people_name_token WHERE token %% %s", [query])
        else:
            grams = sorted(f"g:{t}" for t in trigrams(query))
            # similarity = shared / (|A| + |B| - shared) >= 1/4  <=>  5 * shared >= |A| + |B|,
            # with |B| = length + 1 (the distinct trigrams of a padded token, near enough).
            cur.execute(
                f"SELECT token FROM people_name_key WHERE key IN ({_marks(len(grams))}) "
                "GROUP BY token HAVING 5 * count(*) >= %s + length(token) + 1",
                [*grams, len(grams)],
            )
        found.update(row[0] for row in cur.fetchall())
    return found


def people_with(terms: Iterable[str]) -> Iterator[tuple[str, str]]:
    """(person id, term) for every posting of ``terms``."""
    ordered = sorted(set(terms))
    with connection.cursor() as cur:
        for chunk in _chunks(ordered, 500):
            cur.execute(
                f"SELECT person_id, term FROM people_search_posting WHERE term IN ({_marks(len(chunk))})",
                list(chunk),
            )
            yield from ((str(pid), str(term)) for pid, term in cur.fetchall())


def people_matching(groups: Sequence[set[str]], needed: int) -> dict[str, set[str]]:
    """person id -> the terms they hold, for the people holding terms of at least ``needed`` of the
    ``groups`` (the candidate tokens of each query token). The database counts the groups, so only
    the people who qualify come back: at a million people a common surname's holders are thousands."""
    pairs = sorted({(term, g) for g, terms in enumerate(groups) for term in terms})
    held: dict[str, set[str]] = {}
    if not pairs:
        return held
    if needed <= 1:
        for pid, term in people_with(term for term, _g in pairs):
            held.setdefault(pid, set()).add(term)
        return held
    values = ", ".join(["(%s, %s)"] * len(pairs))
    # Who qualifies, by one flag a group (a hash aggregate; counting distinct groups sorted every
    # posting of a common name, on disk at a million people), then only their terms.
    groups_held = " + ".join(f"max(CASE WHEN q.grp = {g} THEN 1 ELSE 0 END)" for g in range(len(groups)))
    sql = (
        f"WITH q(term, grp) AS (VALUES {values}), "
        "ok AS (SELECT p.person_id FROM people_search_posting p JOIN q ON p.term = q.term "
        f"GROUP BY p.person_id HAVING {groups_held} >= %s) "
        "SELECT p.person_id, p.term FROM people_search_posting p JOIN q ON p.term = q.term "
        "JOIN ok ON ok.person_id = p.person_id"
    )
    with connection.cursor() as cur:
        cur.execute(sql, [*(v for pair in pairs for v in pair), needed])
        for pid, term in cur.fetchall():
            held.setdefault(str(pid), set()).add(str(term))
    return held
