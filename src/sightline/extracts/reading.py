"""Opening an extract's files, in a folder or a ``.zip``, as streams that enforce the import limits.

Nothing is read whole: each file is decoded and split into CSV lines as it streams, so the limits
(rows, row length, bytes unpacked, compression ratio) stop a hostile extract before it costs memory.
Every refusal is a :class:`Problem`, ``file:row:column: reason``.
"""

from __future__ import annotations

import hashlib
import io
import lzma
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any, NamedTuple

from django.conf import settings

MANIFEST = "manifest.json"
MANIFEST_MAX_BYTES = 1024**2
MAX_MEMBERS = 10_000
# The ratio is judged only once a member has unpacked this much: small files compress unevenly.
RATIO_FLOOR = 1024**2
CHUNK = 1024**2
# C0 controls but tab, line feed and carriage return; DEL; and lone surrogates (decoding turns bytes
# that are not UTF-8 into U+DC80..U+DCFF). PostgreSQL refuses NUL outright; none belongs in a record.
SUSPECT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# Errors a damaged, encrypted or exotic zip member raises while it is read.
READ_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
    EOFError,
    OSError,
    NotImplementedError,
    RuntimeError,
)


class Problem(NamedTuple):
    file: str
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row}:{self.column}: {self.reason}"


class Refused(Exception):
    """A limit was reached: the extract is refused at once, with this problem."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


@dataclass(frozen=True)
class Limits:
    """Import limits (docs/import.md); each is a setting, from an environment variable."""

    max_rows: int = 1_000_000  # per CSV file, the header and blank lines included
    max_row_length: int = 1024**2  # characters in one CSV record, quoted line breaks included
    max_bytes: int = 1024**3  # everything in the extract, unpacked
    max_ratio: int = 100  # unpacked size over compressed size, per zip member

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            max_rows=getattr(settings, "IMPORT_MAX_ROWS", cls.max_rows),
            max_row_length=getattr(settings, "IMPORT_MAX_ROW_LENGTH", cls.max_row_length),
            max_bytes=getattr(settings, "IMPORT_MAX_BYTES", cls.max_bytes),
            max_ratio=getattr(settings, "IMPORT_MAX_RATIO", cls.max_ratio),
        )


def control_problem(text: str) -> str | None:
    """Why a cell or value cannot be stored, or None: bytes that are not UTF-8, or a control byte."""
    m = SUSPECT.search(text)
    if m is None:
        return None
    ch, at = m.group(), m.start() + 1
    if "\udc80" <= ch <= "\udcff":
        raw = ch.encode("utf-8", "surrogateescape")
        return f"not valid UTF-8 (byte {raw.hex()} at character {at} of the cell)"
    if "\ud800" <= ch <= "\udfff":
        return f"holds the lone surrogate U+{ord(ch):04X} at character {at}, which UTF-8 cannot encode"
    return f"holds the control character U+{ord(ch):04X} at character {at}; control bytes are refused"


class _Counted(io.RawIOBase):
    """A file's bytes as they stream: hashed for the digest, counted against the limits."""

    def __init__(self, source: Source, name: str, raw: IO[bytes], compressed: int | None) -> None:
        super().__init__()
        self.source, self.name, self.raw = source, name, raw
        self.compressed = compressed
        self.sha = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(min(len(buffer), CHUNK))
        n = len(data)
        if not n:
            self.source.digests[self.name] = self.sha.hexdigest()
            return 0
        self.size += n
        self.source.total += n
        limits, label = self.source.limits, f"{self.source.label}/{self.name}"
        if self.source.total > limits.max_bytes:
            raise Refused(
                Problem(label, 0, "*", f"the extract unpacks to more than {limits.max_bytes:,} bytes "
                        "(SIGHTLINE_IMPORT_MAX_BYTES)")
            )  # fmt: skip
        if self.compressed is not None and self.size > max(RATIO_FLOOR, limits.max_ratio * self.compressed):
            raise Refused(
                Problem(label, 0, "*", f"unpacks to more than {limits.max_ratio} times its compressed size, "
                        "as a zip bomb does (SIGHTLINE_IMPORT_MAX_RATIO)")
            )  # fmt: skip
        self.sha.update(data)
        buffer[:n] = data
        return n

    def close(self) -> None:
        self.raw.close()
        super().close()


class Source:
    """The files of one extract, a folder or a zip; ``open`` streams one of them."""

    where = ""  # how a file that cannot be read is described: "cannot be read{where}"

    def __init__(self, label: str, limits: Limits) -> None:
        self.label = label
        self.limits = limits
        self.total = 0
        self.digests: dict[str, str] = {}

    def _open(self, name: str) -> tuple[IO[bytes], int | None] | None:
        raise NotImplementedError

    def open(self, name: str) -> _Counted | None:
        opened = self._open(name)
        return None if opened is None else _Counted(self, name, *opened)

    def text(self, name: str) -> io.TextIOWrapper | None:
        """The file decoded as UTF-8 (a byte-order mark dropped); bytes that are not UTF-8 become
        lone surrogates, which :data:`SUSPECT` finds."""
        stream = self.open(name)
        if stream is None:
            return None
        return io.TextIOWrapper(
            io.BufferedReader(stream, CHUNK), encoding="utf-8-sig", errors="surrogateescape", newline=""
        )

    def close(self) -> None:
        pass


class FolderSource(Source):
    def __init__(self, root: Path, limits: Limits) -> None:
        super().__init__(str(root).rstrip("/"), limits)
        self.root = root

    def _open(self, name: str) -> tuple[IO[bytes], int | None] | None:
        path = self.root / name
        return (path.open("rb"), None) if path.is_file() else None


def unsafe_member(name: str) -> bool:
    """An absolute name, a drive letter or a ``..`` step: a member that would land outside the folder."""
    parts = re.split(r"[/\\]", name)
    return name.startswith(("/", "\\")) or bool(re.match(r"^[A-Za-z]:", name)) or ".." in parts


class ZipSource(Source):
    where = " from the zip"

    def __init__(self, path: Path, zf: zipfile.ZipFile, root: str, limits: Limits) -> None:
        super().__init__(f"{path}/{root.rstrip('/')}" if root else str(path), limits)
        self.zf, self.root = zf, root
        self.members = {i.filename: i for i in zf.infolist() if not i.is_dir()}

    @classmethod
    def open_zip(cls, path: Path, limits: Limits, problems: list[Problem]) -> ZipSource | None:
        """The zip, or None with the problems that refuse it before anything is unpacked."""
        label = str(path)
        try:
            zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            problems.append(Problem(label, 0, "*", f"not a readable .zip file ({exc})"))
            return None
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            problems.append(
                Problem(label, 0, "*", f"the zip holds {len(infos):,} members, more than {MAX_MEMBERS:,}")
            )
        for info in infos:
            if unsafe_member(info.filename):
                problems.append(
                    Problem(label, 0, "*", f"member {info.filename!r} has an absolute path or a '..' step")
                )
        members = [i for i in infos if not i.is_dir()]
        if sum(i.file_size for i in members) > limits.max_bytes:
            problems.append(
                Problem(label, 0, "*", f"the zip unpacks to more than {limits.max_bytes:,} bytes "
                        "(SIGHTLINE_IMPORT_MAX_BYTES)")
            )  # fmt: skip
        for i in members:
            if i.file_size > max(RATIO_FLOOR, limits.max_ratio * i.compress_size):
                problems.append(
                    Problem(f"{label}/{i.filename}", 0, "*", f"unpacks to more than {limits.max_ratio} times "
                            "its compressed size, as a zip bomb does (SIGHTLINE_IMPORT_MAX_RATIO)")
                )  # fmt: skip
        if problems:
            zf.close()
            return None
        manifests = sorted(
            (i.filename for i in members if PurePosixPath(i.filename).name == MANIFEST),
            key=lambda n: (n.count("/"), n),
        )
        root = str(PurePosixPath(manifests[0]).parent) if manifests else ""
        return cls(path, zf, "" if root == "." else root + "/", limits)

    def _open(self, name: str) -> tuple[IO[bytes], int | None] | None:
        info = self.members.get(self.root + name)
        if info is None:
            return None
        return self.zf.open(info), info.compress_size

    def close(self) -> None:
        self.zf.close()


class Lines:
    """The lines of one CSV file, handed to ``csv.reader`` one at a time: each record is bounded in
    length, and records holding a control byte or a byte that is not UTF-8 are marked for checking."""

    def __init__(self, text: io.TextIOWrapper, label: str, limits: Limits) -> None:
        self.text, self.label, self.limit = text, label, limits.max_row_length
        self.row = 1  # the record being read, numbered as a spreadsheet shows it
        self.length = 0
        self.suspect = False
        self.nonblank = False

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = self.text.readline(self.limit + 1)
        if not line:
            raise StopIteration
        self.length += len(line)
        if self.length > self.limit:
            raise Refused(
                Problem(self.label, self.row, "*", f"the row is longer than {self.limit:,} characters "
                        "(SIGHTLINE_IMPORT_MAX_ROW_LENGTH)")
            )  # fmt: skip
        if not self.nonblank and not line.isspace():
            self.nonblank = True
        if SUSPECT.search(line):
            self.suspect = True
        return line

    def next_record(self) -> bool:
        """Start the next record; True if the one just read was marked."""
        marked = self.suspect
        self.row += 1
        self.length = 0
        self.suspect = False
        return marked
