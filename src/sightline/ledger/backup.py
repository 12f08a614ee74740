"""Backups that restore only to a ledger that verifies (docs/reliability.md).

A backup is one zip: the database as of one instant, the checkpoint files published up to then, and
a manifest (each file's SHA-256, the ledger's size and root) signed with the ledger's key.

- SQLite: the online backup API copies the live database in one step, inside one read transaction,
  so writers carry on (WAL) and the copy is of a single instant.
- PostgreSQL: ``pg_dump`` (postgresql-client, the server's major version or later) reads a snapshot
  exported from a REPEATABLE READ, READ ONLY transaction, the same one the manifest's ledger size
  and root come from.

Restoring checks the signature and every hash, loads the backup into a scratch copy (a temporary
file or database), verifies the ledger there against its own checkpoints and any the caller holds,
and only then replaces the live database. Anything else is refused with the reason.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from cryptography.exceptions import InvalidSignature
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from sightline.ledger import note
from sightline.ledger.selectors import Report, verify
from sightline.ledger.services import integrate, key_name, public_key, signing_key

FORMAT = "sightline-backup/1"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
DATABASE = {"sqlite": "database.sqlite3", "postgresql": "database.sql"}
CHECKPOINTS = "checkpoints/"


class BackupError(Exception):
    """A backup that cannot be made, or a backup refused; the message says why."""


@dataclass
class Summary:
    path: str
    size: int
    root: bytes
    checkpoints: int
    bytes: int = 0


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1024**2):
            h.update(chunk)
    return h.hexdigest()


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is needed for PostgreSQL backups (Debian: apt-get install postgresql-client)"
        )
    return found


def _pg_env(name: str | None = None) -> dict[str, str]:
    db = connection.settings_dict
    env = dict(os.environ, PGDATABASE=str(name or db["NAME"]))
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    return env


def _run(argv: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{what} failed: {done.stderr.strip()[-2000:]}")


# --- taking a backup -----------------------------------------------------------------------------


def _sign(size: int, root: bytes) -> str:
    return note.sign_checkpoint(str(settings.LEDGER_ORIGIN), size, root, signing_key(), key_name())


def _sqlite_snapshot(out: Path) -> tuple[int, bytes]:
    live = sqlite3.connect(str(connection.settings_dict["NAME"]), timeout=30)
    copy = sqlite3.connect(str(out))
    try:
        live.backup(copy)  # every page in one step: one read transaction, one instant
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        row = copy.execute("SELECT size, root FROM ledger_treehead WHERE id = 1").fetchone()
    finally:
        copy.close()
        live.close()
    return (int(row[0]), bytes(row[1])) if row else (0, b"")


def _pg_snapshot(out: Path) -> tuple[int, bytes]:
    raw = connection.get_new_connection(connection.get_connection_params())
    try:
        raw.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        raw.read_only = True
        with raw.cursor() as cur:
            cur.execute("SELECT pg_export_snapshot()")
            snapshot = cur.fetchone()[0]
            cur.execute("SELECT size, root FROM ledger_treehead WHERE id = 1")
            row = cur.fetchone()
            argv = [_tool("pg_dump"), "--format=plain", "--no-owner", "--no-privileges", "--clean",
                    "--if-exists", f"--snapshot={snapshot}", f"--file={out}"]  # fmt: skip
            _run(argv, _pg_env(), "pg_dump")
        raw.rollback()
    finally:
        raw.close()
    return (int(row[0]), bytes(row[1])) if row else (0, b"")


def _checkpoint_files(up_to: int) -> list[Path]:
    """The published checkpoint files of trees no larger than the backup's."""
    folder = Path(settings.LEDGER_CHECKPOINT_DIR)
    out = []
    for path in sorted(folder.glob("checkpoint-*.txt")) if folder.is_dir() else []:
        try:
            if note.parse_checkpoint(path.read_text(encoding="utf-8")).size <= up_to:
                out.append(path)
        except (note.NoteError, OSError, UnicodeDecodeError):
            continue  # not a checkpoint this backup can vouch for
    return out


def backup(out: str | Path) -> Summary:
    """Write a signed backup of the whole database to ``out``, consistent while others write."""
    integrate()
    vendor = connection.vendor
    if vendor not in DATABASE:
        raise BackupError(f"backups of {vendor} databases are not supported")
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix=".backup-", dir=out.parent) as tmp:
        db_file = Path(tmp) / DATABASE[vendor]
        size, root = _sqlite_snapshot(db_file) if vendor == "sqlite" else _pg_snapshot(db_file)
        members = {DATABASE[vendor]: db_file}
        cps = _checkpoint_files(size)
        members.update({CHECKPOINTS + p.name: p for p in cps})
        manifest = {
            "format": FORMAT,
            "created": dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z"),
            "database": vendor,
            "origin": str(settings.LEDGER_ORIGIN),
            "key": public_key(),
            # The backup's instant as a signed checkpoint: a restored ledger must still hash to it.
            "ledger": {"size": size, "root": _b64(root), "checkpoint": _sign(size, root)},
            "files": {name: {"sha256": _sha256(p), "bytes": p.stat().st_size} for name, p in members.items()},
        }
        text = json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8")
        partial = Path(tmp) / "backup.zip"
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(MANIFEST, text)
            zf.writestr(SIGNATURE, _b64(signing_key().sign(text)) + "\n")
            for name, p in members.items():
                zf.write(p, name)
        with partial.open("rb") as fh:
            os.fsync(fh.fileno())
        os.replace(partial, out)
    return Summary(str(out), size, root, len(cps), out.stat().st_size)


# --- restoring -----------------------------------------------------------------------------------


def _open_backup(path: Path, folder: Path) -> dict[str, Any]:
    """Check the signature and every hash, unpack into ``folder`` and return the manifest."""
    if not Path(settings.LEDGER_KEY_PATH).exists():
        raise BackupError(
            f"the ledger signing key {settings.LEDGER_KEY_PATH} is missing: put it back "
            "(SIGHTLINE_LEDGER_KEY) before restoring a backup signed with it"
        )
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise BackupError(f"{path}: not a Sightline backup ({exc})") from exc
    with zf:
        names = {i.filename for i in zf.infolist() if not i.is_dir()}
        if not {MANIFEST, SIGNATURE} <= names:
            raise BackupError(f"{path}: not a Sightline backup (no signed {MANIFEST})")
        text, signature = zf.read(MANIFEST), zf.read(SIGNATURE)
        try:
            signing_key().public_key().verify(base64.b64decode(signature.strip(), validate=True), text)
        except (InvalidSignature, ValueError) as exc:
            raise BackupError(
                f"{path}: the manifest's signature does not verify with this deployment's ledger key "
                f"({public_key()}): the manifest was edited, or the backup belongs to another deployment"
            ) from exc
        manifest = json.loads(text)
        if manifest.get("format") != FORMAT:
            raise BackupError(f"{path}: format {manifest.get('format')!r}; this version restores {FORMAT!r}")
        if manifest.get("database") != connection.vendor:
            raise BackupError(
                f"{path}: a {manifest.get('database')} backup cannot be restored into {connection.vendor}"
            )
        files = manifest["files"]
        if set(files) != names - {MANIFEST, SIGNATURE}:
            extra = sorted(names - {MANIFEST, SIGNATURE} - set(files))
            missing = sorted(set(files) - names)
            raise BackupError(f"{path}: files added {extra} or removed {missing} since the backup was signed")
        for name, expected in sorted(files.items()):
            target = folder / name
            if not target.resolve().is_relative_to(folder.resolve()):
                raise BackupError(f"{path}: member {name!r} would land outside the restore folder")
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(name) as src, target.open("wb") as dst:
                shutil.copyfileobj(src, dst, 1024**2)
            if _sha256(target) != expected["sha256"]:
                raise BackupError(
                    f"{path}: {name} does not match its SHA-256 in the signed manifest: "
                    "the backup was altered"
                )
    return dict(manifest)


@contextmanager
def _pointed_at(name: str) -> Iterator[None]:
    """Django's connection on another database (file or name) for a while."""
    connection.close()
    original = connection.settings_dict["NAME"]
    connection.settings_dict["NAME"] = name
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = original


def _pg_load(dump: Path, database: str) -> None:
    argv = [_tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-f", str(dump)]
    _run(argv, _pg_env(database), "loading the backup with psql")


@contextmanager
def _scratch(db_file: Path) -> Iterator[None]:
    """The backup loaded beside the live database, with Django's connection on it."""
    if connection.vendor == "sqlite":
        with _pointed_at(str(db_file)):
            yield
        return
    name = f"{str(connection.settings_dict['NAME'])[:40]}_restore_{secrets.token_hex(4)}"
    admin = connection.get_new_connection(connection.get_connection_params())
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        try:
            _pg_load(db_file, name)
            with _pointed_at(name):
                yield
        finally:
            with admin.cursor() as cur:
                cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.close()


def _check(report: Report, where: str) -> None:
    problems = list(report.problems)
    if problems:
        raise BackupError(f"{where} fails verification:\n" + "\n".join(f"PROBLEM: {p}" for p in problems))


def _entries_held() -> int:
    tables = connection.introspection.table_names()
    if "ledger_entry" not in tables:
        return 0
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM ledger_entry")
        return int(cur.fetchone()[0])


def _replace_live(db_file: Path) -> None:
    connection.close()
    if connection.vendor == "sqlite":
        copy = sqlite3.connect(str(db_file))
        live = sqlite3.connect(str(connection.settings_dict["NAME"]), timeout=30)
        try:
            copy.backup(live)  # through SQLite itself: the live file's WAL stays consistent
        finally:
            live.close()
            copy.close()
    else:
        _pg_load(db_file, str(connection.settings_dict["NAME"]))


def restore(path: str | Path, checkpoint_texts: Iterable[str] = (), *, replace: bool = False) -> Summary:
    """Verify the backup at ``path`` in a scratch copy, then make it the live database."""
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix=".restore-") as tmp:
        folder = Path(tmp)
        manifest = _open_backup(path, folder)
        if not isinstance(manifest.get("ledger"), dict) or "checkpoint" not in manifest["ledger"]:
            raise BackupError(f"{path}: the signed manifest has no checkpoint of the backup's ledger")
        db_file = folder / DATABASE[connection.vendor]
        published = [p.read_text(encoding="utf-8") for p in sorted((folder / CHECKPOINTS).glob("*.txt"))]
        # The backup's own checkpoint first: entries queued but not yet sequenced at the backup's
        # instant are sequenced after it, so the ledger may be longer, never different.
        texts = [manifest["ledger"]["checkpoint"], *published, *checkpoint_texts]
        with _scratch(db_file):
            _check(verify(texts), f"the ledger in {path}")
        held = _entries_held()
        if held and not replace:
            raise BackupError(
                f"this database already holds a ledger of {held} entries, which restoring replaces: "
                "pass --replace to do so"
            )
        _replace_live(db_file)
        call_command("migrate", interactive=False, verbosity=0)
        folder_out = Path(settings.LEDGER_CHECKPOINT_DIR)
        folder_out.mkdir(parents=True, exist_ok=True)
        for p in sorted((folder / CHECKPOINTS).glob("*.txt")):
            if not (folder_out / p.name).exists():
                shutil.copy2(p, folder_out / p.name)
        report = verify(texts)
        _check(report, "the restored database")
    return Summary(str(path), report.size, report.root, report.checkpoints_checked)
