"""Column mappings: let an agency whose CSV differs from multi-agency-extract/1 send it as it is.

A mapping is a TOML file (see docs/import.md)::

    [files]                      # optional: the agency's own file names
    people = "persons.csv"

    [people.columns]             # their header = our column
    "Person Ref" = "record_id"

    [people.dates]               # strptime formats, tried in order; output is ISO
    date_of_birth = ["%d/%m/%Y", "%m/%Y", "%Y"]

    [people.codes.sex]           # their code = our code
    Female = "F"

    [events.codes.role]          # roles inside the ``others`` cell
    sus = "suspect"
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class MappingError(ValueError):
    """A mapping file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class TableMapping:
    columns: dict[str, str] = field(default_factory=dict)
    dates: dict[str, tuple[str, ...]] = field(default_factory=dict)
    codes: dict[str, dict[str, str]] = field(default_factory=dict)

    def rename(self, header: list[str]) -> list[str]:
        return [self.columns.get(h, h) for h in header]

    @property
    def empty(self) -> bool:
        return not (self.columns or self.dates or self.codes)


@dataclass(frozen=True)
class Mapping:
    people: TableMapping = field(default_factory=TableMapping)
    events: TableMapping = field(default_factory=TableMapping)
    people_file: str = "people.csv"
    events_file: str = "events.csv"
    text: str = ""
    """The mapping file as read, so that the extract's digest covers it."""

    @property
    def empty(self) -> bool:
        return self.people.empty and self.events.empty


NO_MAPPING = Mapping()


def _str_table(where: str, value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise MappingError(f"{where}: expected a table of text values")
    return {str(k): v for k, v in value.items()}


def _table(path: str, name: str, raw: Any) -> TableMapping:
    if raw is None:
        return TableMapping()
    if not isinstance(raw, dict):
        raise MappingError(f"{path}: [{name}] must be a table")
    unknown = set(raw) - {"columns", "dates", "codes"}
    if unknown:
        raise MappingError(f"{path}: [{name}] has unknown keys {', '.join(sorted(unknown))}")
    columns = _str_table(f"{path}: [{name}.columns]", raw.get("columns", {}))
    dates: dict[str, tuple[str, ...]] = {}
    for column, formats in raw.get("dates", {}).items():
        fmts = (formats,) if isinstance(formats, str) else formats
        if not isinstance(fmts, list | tuple) or not fmts or not all(isinstance(f, str) for f in fmts):
            raise MappingError(f"{path}: [{name}.dates] {column}: expected a format or a list of formats")
        dates[column] = tuple(fmts)
    codes_raw = raw.get("codes", {})
    if not isinstance(codes_raw, dict):
        raise MappingError(f"{path}: [{name}.codes] must be a table")
    codes = {col: _str_table(f"{path}: [{name}.codes.{col}]", v) for col, v in codes_raw.items()}
    return TableMapping(columns=columns, dates=dates, codes=codes)


def load_mapping(path: str | Path) -> Mapping:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
        raw = tomllib.loads(text)
    except OSError as exc:
        raise MappingError(f"{p}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise MappingError(f"{p}: not valid UTF-8") from exc
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"{p}: not valid TOML: {exc}") from exc
    unknown = set(raw) - {"files", "people", "events"}
    if unknown:
        raise MappingError(f"{p}: unknown sections {', '.join(sorted(unknown))}")
    files = _str_table(f"{p}: [files]", raw.get("files", {}))
    return Mapping(
        people=_table(str(p), "people", raw.get("people")),
        events=_table(str(p), "events", raw.get("events")),
        people_file=files.get("people", "people.csv"),
        events_file=files.get("events", "events.csv"),
        text=text,
    )


def convert_date(value: str, formats: tuple[str, ...]) -> str | None:
    """An agency's date in ISO form, as precise as the matching format allows; None if none match."""
    for fmt in formats:
        try:
            parsed = dt.datetime.strptime(value, fmt)
        except ValueError:
            continue
        if any(d in fmt for d in ("%H", "%I", "%M")):
            return parsed.isoformat(timespec="minutes" if "%S" not in fmt else "seconds")
        if "%d" in fmt or "%j" in fmt:
            return parsed.date().isoformat()
        if "%m" in fmt or "%b" in fmt or "%B" in fmt:
            return f"{parsed.year:04d}-{parsed.month:02d}"
        return f"{parsed.year:04d}"
    return None
