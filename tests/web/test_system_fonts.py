"""GOV.UK Frontend's stylesheet is served with the system font stack, as its Sass builds it with
``$govuk-font-family`` set for a service outside gov.uk: no @font-face, no GDS Transport."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client

from sightline.web.staticfiles import SERVED_AS, SOURCE, SYSTEM_FONTS, FontStylesheetError, with_system_fonts


def _shipped() -> str:
    dist = next(Path(root) for prefix, root in settings.STATICFILES_DIRS if prefix == "govuk")
    return (dist / SOURCE).read_text(encoding="utf-8")


def test_the_shipped_stylesheet_loses_its_font_and_nothing_else() -> None:
    shipped = _shipped()
    ours = with_system_fonts(shipped)
    assert "@font-face" not in ours and "GDS Transport" not in ours and "/assets/fonts/" not in ours
    uses = shipped.count("font-family:GDS Transport,arial,sans-serif")
    assert uses > 20 and ours.count(f"font-family:{SYSTEM_FONTS}") == uses
    # everything else is byte for byte the same: only the font rules differ
    start, end = shipped.index("/*! Copyright (c) 2011"), shipped.rindex("@font-face")
    without_font = shipped[:start] + shipped[shipped.index("}", end) + 1 :]
    assert ours == without_font.replace("GDS Transport,arial,sans-serif", SYSTEM_FONTS)


def test_a_stylesheet_whose_font_rules_changed_is_refused() -> None:
    with pytest.raises(FontStylesheetError):
        with_system_fonts(".govuk-body{font-family:GDS Transport,arial,sans-serif}")
    shipped = _shipped()
    with pytest.raises(FontStylesheetError):
        with_system_fonts(shipped + ".x{font-family:GDS Transport}")


@pytest.mark.django_db
def test_pages_link_the_system_font_stylesheet_and_it_is_found() -> None:
    found = finders.find(SERVED_AS)
    assert isinstance(found, str) and "GDS Transport" not in Path(found).read_text(encoding="utf-8")
    html = Client().get("/", follow=True).content.decode()  # the sign-in page
    assert f"/static/{SERVED_AS}" in html and "govuk-frontend.min.css" not in html
