"""GOV.UK Frontend's stylesheet with the system font stack, as its Sass would build it for a service that
is not on a gov.uk domain.

GDS Transport is licensed for GOV.UK only, and its files are not served here, so a page that asks for it
gets a 404. GOV.UK Frontend's guidance for other domains is to set ``$govuk-font-family`` to another font
stack, which turns ``$govuk-include-default-font-face`` off. We ship the package's built CSS rather than
a Sass toolchain, so this finder makes the same change to the built file: the two ``@font-face`` rules
go, and every ``font-family`` that named GDS Transport names the system fonts instead. It refuses a
stylesheet whose font rules it does not recognise, so an upgrade cannot quietly bring the font back.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal, overload

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import CheckMessage
from django.core.files.storage import FileSystemStorage

SOURCE = "govuk-frontend.min.css"
SERVED_AS = "govuk/govuk-frontend.system-font.min.css"
SYSTEM_FONTS = 'system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",arial,sans-serif'
_FONT_FACE = re.compile(r"@font-face\{[^}]*\}")
_FONT_NOTICE = re.compile(r"/\*! Copyright \(c\) 2011 by Margaret Calvert[^*]*\*/")  # the font's own notice
_FAMILY = "font-family:GDS Transport,arial,sans-serif"


class FontStylesheetError(ValueError):
    """GOV.UK Frontend's built CSS no longer has the font rules this module replaces."""


def with_system_fonts(css: str) -> str:
    faces = _FONT_FACE.findall(css)
    if len(faces) != 2 or not all("GDS Transport" in face for face in faces) or _FAMILY not in css:
        raise FontStylesheetError("GOV.UK Frontend's font rules have changed: review web/staticfiles.py")
    out = _FONT_NOTICE.sub("", _FONT_FACE.sub("", css)).replace(_FAMILY, f"font-family:{SYSTEM_FONTS}")
    if "GDS Transport" in out or "/assets/fonts/" in out:
        raise FontStylesheetError("GDS Transport is still named after the system fonts were put in")
    return out


def _govuk_dist() -> Path | None:
    for prefix, root in settings.STATICFILES_DIRS:
        if prefix == "govuk":
            return Path(root)
    return None


class SystemFontFinder(BaseFinder):
    """Finds ``govuk/govuk-frontend.system-font.min.css``, written next to the static root on first use
    and again whenever GOV.UK Frontend's file (or this module) is newer."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.location = Path(settings.STATIC_ROOT).parent / "static-build"
        self.storage = FileSystemStorage(location=str(self.location))

    def check(self, **kwargs: Any) -> list[CheckMessage]:  # noqa: ARG002  # nothing to configure
        return []

    def _built(self) -> Path | None:
        dist = _govuk_dist()
        if dist is None or not (dist / SOURCE).exists():
            return None
        target = self.location / SERVED_AS
        source = dist / SOURCE
        newest = max(source.stat().st_mtime, Path(__file__).stat().st_mtime)
        if not target.exists() or target.stat().st_mtime < newest:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
            tmp.write_text(with_system_fonts(source.read_text(encoding="utf-8")), encoding="utf-8")
            tmp.replace(target)
        return target

    @overload
    def find(self, path: str, find_all: Literal[False] = False) -> str | None: ...
    @overload
    def find(self, path: str, find_all: Literal[True]) -> list[str]: ...
    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> str | list[str] | None:  # noqa: ARG002
        built = self._built() if path == SERVED_AS else None
        if built is None:
            return [] if find_all else None
        return [str(built)] if find_all else str(built)

    def list(
        self,
        ignore_patterns: Iterable[str] | None,  # noqa: ARG002  # one generated file: nothing to ignore
    ) -> Iterator[tuple[str, FileSystemStorage]]:
        if self._built() is not None:
            yield SERVED_AS, self.storage
