"""Reading ``ledger_entry`` fast: a raw cursor, and every entry in index order, in chunks, with its
searchable columns checked against its bytes.

The searchable columns are the database's copy of what each entry's bytes say, for queries; they
must agree with the bytes. SQLite checks them itself with its JSON functions (in C, on the helper
thread, while the caller hashes); PostgreSQL's JSON parsing is slower than building the expected
bytes here, so there the columns are fetched and compared byte for byte. Either way, the hashing is
done by the caller and trusted to nobody.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from json.encoder import encode_basestring
from typing import Any

from django.db import connection

from sightline.ledger.services.sequencer import driver

CHUNK = 16_384

Row = tuple[Any, ...]


def raw_cursor() -> Any:
    """A DB-API cursor without Django's per-row wrapping; binary transfer on PostgreSQL."""
    connection.ensure_connection()
    raw = connection.connection
    assert raw is not None
    if connection.vendor == "postgresql":
        # Django's cursors bind client-side, which cannot return binary results.
        psycopg = driver()
        cur = psycopg.Cursor(raw)
        cur.format = psycopg.pq.Format.BINARY
        return cur
    return raw.cursor()


def sql(text: str) -> str:
    """``text`` with the placeholders of the raw cursor's driver."""
    return text.replace("%s", "?") if connection.vendor == "sqlite" else text


_COLUMNS = "action, actor_agency, actor_role, actor_user, object_id, object_type, version, reason"
_SQLITE_COLUMNS_OK = " AND ".join(
    f"{column} IS json_extract(CAST(canonical AS TEXT), '$.{path}')"
    for column, path in [
        ('"index"', "index"),
        ("action", "action"),
        ("actor_agency", "actor.agency"),
        ("actor_role", "actor.role"),
        ("actor_user", "actor.user"),
        ("object_id", "object.id"),
        ("object_type", "object.type"),
        ("version", "object.version"),
        ("reason", "reason"),
        ("replace(\"time\", ' ', 'T') || 'Z'", "time"),
    ]
)


def _sqlite_sql(with_object: bool) -> str:
    extra = ", object_type, object_id, version" if with_object else ""
    return sql(
        f'SELECT "index", canonical, leaf_hash, ({_SQLITE_COLUMNS_OK}){extra} FROM ledger_entry '
        'WHERE "index" >= %s AND "index" < %s'
    )


def _columns_checker() -> Callable[[Row], bool]:
    """For rows of :func:`full_sql` on PostgreSQL: do the columns say exactly what the bytes say?

    Rebuilds the bytes around ``data`` and ``prev`` from the columns (the actor part is cached:
    few distinct actors write most entries) and compares them in place; no JSON parsing.
    """
    enc, fromiso = encode_basestring, dt.datetime.fromisoformat
    heads: dict[tuple[str, str, str, str], bytes] = {}
    encoded: dict[str, bytes] = {}

    def ok(row: Row) -> bool:
        index, raw, _stored, action, agency, role, user, oid, otype, version, reason, tcol = row
        key = (action, agency, role, user)
        head = heads.get(key)
        if head is None:
            head = heads[key] = (
                f'{{"action":{enc(action)},"actor":{{"agency":{enc(agency)},"role":{enc(role)},'
                f'"user":{enc(user)}}},"data":'
            ).encode()
        etype = encoded.get(otype)
        if etype is None:
            etype = encoded[otype] = enc(otype).encode()
        ereason = encoded.get(reason)
        if ereason is None:
            ereason = encoded[reason] = b'","reason":' + enc(reason).encode() + b',"time":"'
        p = raw.rfind(b',"prev":"')
        if p < 0 or not raw.startswith(head) or not raw.endswith(b'"}'):
            return False
        mid = b',"index":%d,"object":{"id":%s,"type":%s,"version":%s}' % (
            index,
            enc(oid).encode(),
            etype,
            b"null" if version is None else b"%d" % version,
        )
        pe = raw.find(b'"', p + 9)  # the end of the prev hash
        if not raw.endswith(mid, 0, p) or not raw.startswith(ereason, pe):
            return False
        try:
            return bool(fromiso(raw[pe + len(ereason) : -2].decode()) == tcol)
        except ValueError:
            return False

    return ok


def full_sql(where: str) -> str:
    """Every column, for checking entries here and for saying what differs."""
    return sql(f'SELECT "index", canonical, leaf_hash, {_COLUMNS}, "time" FROM ledger_entry WHERE {where}')


def _columns_match(row: Row) -> bool:
    """Python's version of the database's check, for a row of :func:`full_sql`."""
    differences = column_differences(row)
    return differences is not None and not differences


def column_differences(row: Row) -> list[tuple[str, Any, Any]] | None:
    """(column, column value, hashed value) for each difference in a row of :func:`full_sql`; None
    if the bytes are not JSON."""
    try:
        entry = json.loads(bytes(row[1]))
    except ValueError:
        return None
    if not isinstance(entry, dict):
        return None
    obj = entry["object"] if isinstance(entry.get("object"), dict) else {}
    actor = entry["actor"] if isinstance(entry.get("actor"), dict) else {}
    pairs = [
        ("action", row[3], entry.get("action")),
        ("actor_agency", row[4], actor.get("agency")),
        ("actor_role", row[5], actor.get("role")),
        ("actor_user", row[6], actor.get("user")),
        ("object_id", row[7], obj.get("id")),
        ("object_type", row[8], obj.get("type")),
        ("version", row[9], obj.get("version")),
        ("reason", row[10], entry.get("reason")),
        ("time", _time_text(row[11]), entry.get("time")),
    ]
    return [(name, column, hashed) for name, column, hashed in pairs if column != hashed]


def _time_text(value: Any) -> str:
    """A time column as the entry's text (``...Z``; no fraction when it is zero)."""
    if isinstance(value, str):  # SQLite stores "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC
        value = dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)
    return str(value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"))


def entry_rows(
    with_object: bool = False, lo: int | None = None, hi: int | None = None
) -> Iterator[list[Row]]:
    """Every entry in index order, in chunks of ``(index, bytes, stored leaf hash, columns agree)``
    and, ``with_object``, the object's type, id and version.

    The next chunk is fetched on a helper thread while the caller checks this one, so the database
    and the hashing overlap (waiting for the database releases the GIL).
    """
    full = full_sql('"index" >= %s AND "index" < %s')
    pg = connection.vendor == "postgresql"
    fast = None if pg else _sqlite_sql(with_object)
    check = _columns_checker()
    db_error: type[Exception] = driver().Error
    cur = raw_cursor()

    def from_full(rows: list[Row], ok: Callable[[Row], bool]) -> list[Row]:
        if with_object:
            return [(r[0], r[1], r[2], ok(r), r[8], r[7], r[9]) for r in rows]
        return [(r[0], r[1], r[2], ok(r)) for r in rows]

    def fetch(start: int) -> list[Row]:
        # Ranges of the primary key rather than ORDER BY ... LIMIT: the planner then never sorts
        # the whole table, and rows come back in (nearly) index order, sorted here.
        params = [start, start + CHUNK if hi is None else min(start + CHUNK, hi)]
        if fast is None:
            cur.execute(full, params)
            rows = from_full(cur.fetchall(), check)
        else:
            try:
                cur.execute(fast, params)
                rows = cur.fetchall()
            except db_error:  # an entry SQLite cannot parse (altered bytes): check this chunk here
                cur.execute(full, params)
                rows = from_full(cur.fetchall(), _columns_match)
        rows.sort(key=_first)
        return rows

    try:
        cur.execute(
            sql('SELECT min("index"), max("index") FROM ledger_entry WHERE "index" >= %s AND "index" < %s'),
            [-(2**62) if lo is None else lo, 2**62 if hi is None else hi],
        )
        start, last = cur.fetchone()
        with ThreadPoolExecutor(1, thread_name_prefix="ledger-verify-fetch") as pool:
            ahead = pool.submit(fetch, start) if start is not None else None
            while ahead is not None:
                rows = ahead.result()
                if not rows:  # a hole (deleted entries, or a forged far-away index): jump over it
                    cur.execute(sql('SELECT min("index") FROM ledger_entry WHERE "index" >= %s'), [start])
                    start = cur.fetchone()[0]
                    if start is not None and start > last:
                        start = None
                    ahead = pool.submit(fetch, start) if start is not None else None
                    continue
                start += CHUNK
                ahead = pool.submit(fetch, start) if start <= last else None
                yield rows
    finally:
        cur.close()


def _first(row: Row) -> Any:
    return row[0]
