"""The shared web base: layout, static files, strict CSP, error pages, form fields, pagination, nav."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.core.paginator import Paginator
from django.template import Context, Template
from django.test import Client

from sightline.access import selectors
from sightline.access.permissions import Cap
from sightline.web import navigation
from sightline.web.forms import GovukDateField

pytestmark = pytest.mark.django_db

STATIC = [
    "govuk/govuk-frontend.min.css",
    "govuk/govuk-frontend.min.js",
    "web/app.js",
    "web/body-start.js",
    "web/site.css",
    "web/print.css",
    "web/favicon.svg",
]


@pytest.fixture
def signed_in(client: Client, make_user: Callable[..., Any], login: Callable[..., Any]) -> Client:
    login(client, make_user("sysadmin", "sightline_ops", username="admin"))
    return client


def test_static_files_are_found() -> None:
    for name in STATIC:
        assert finders.find(name), f"{name} is not found by the static files finders"


def test_every_static_reference_in_a_page_resolves(client: Client) -> None:
    html = client.get("/sign-in").content.decode()
    refs = re.findall(r'(?:src|href)="/static/([^"]+)"', html)
    wanted = {"govuk/govuk-frontend.system-font.min.css", "web/app.js", "web/body-start.js", "web/print.css"}
    assert set(refs) >= wanted
    for ref in refs:
        assert finders.find(ref), ref


def test_collectstatic_gathers_gov_uk_frontend_for_whitenoise(settings: Any, tmp_path: Path) -> None:
    settings.STATIC_ROOT = tmp_path / "static"
    call_command("collectstatic", interactive=False, verbosity=0)
    root = settings.STATIC_ROOT
    for name in STATIC:
        assert (root / name).is_file(), name
    assert (root / "govuk/govuk-frontend.min.css.gz").is_file()  # whitenoise's compressed copy
    assert (root / "govuk/govuk-frontend.system-font.min.css").is_file()  # what pages link (no web font)
    # app.js imports GOV.UK Frontend by a relative path, which must exist after collection.
    imported = re.search(r"from '([^']+)'", (root / "web/app.js").read_text()).group(1)  # type: ignore[union-attr]
    assert (root / "web" / imported).resolve().is_file()
    assert not (root / "govuk-prototype-kit").exists()


def test_layout_has_skip_link_header_phase_banner_footer_and_print_css(client: Client) -> None:
    html = client.get("/sign-in").content.decode()
    body = html.split("<body", 1)[1]
    first_link = re.search(r"<a [^>]*>", body).group(0)  # type: ignore[union-attr]
    assert 'href="#main-content"' in first_link and "govuk-skip-link" in first_link
    assert 'id="main-content"' in html and '<html lang="en-GB" class="govuk-template">' in html
    assert "govuk-service-navigation__service-name" in html and "govuk-phase-banner" in html
    assert 'class="govuk-footer"' in html
    assert '<link rel="stylesheet" href="/static/web/print.css" media="print">' in html
    assert 'href="/api/docs"' in html


def test_signed_in_layout_has_navigation_and_sign_out(signed_in: Client) -> None:
    html = signed_in.get("/accounts").content.decode()
    assert 'aria-current="page"' in html  # the current section is marked
    assert 'action="/sign-out"' in html and 'name="csrfmiddlewaretoken"' in html


def test_demo_mode_says_so(client: Client, settings: Any) -> None:
    settings.DEMO_MODE = True
    assert "Every person and record in it is made up" in client.get("/sign-in").content.decode()


def _inline(html: str) -> list[str]:
    problems = []
    for tag in re.findall(r"<script\b[^>]*>", html):
        if "src=" not in tag:
            problems.append(tag)
    problems += re.findall(r"<style\b", html)
    problems += re.findall(r"\sstyle=", html)
    problems += re.findall(r"\son[a-z]+=", html)  # inline event handlers
    return problems


@pytest.mark.parametrize(
    "path",
    ["/", "/account/activity", "/accounts", "/accounts/new", "/accounts/admin", "/no-such-page", "/api/docs"],
)
def test_no_inline_script_or_style(signed_in: Client, path: str) -> None:
    response = signed_in.get(path)
    assert response.status_code in {200, 404}
    assert _inline(response.content.decode()) == []
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe" not in csp


def test_sign_in_pages_have_no_inline_script_or_style(client: Client, make_user: Callable[..., Any]) -> None:
    assert _inline(client.get("/sign-in").content.decode()) == []
    make_user(username="ann")
    client.post("/sign-in", {"username": "ann", "password": "correct horse battery staple"})
    assert _inline(client.get("/sign-in/security-code").content.decode()) == []


def test_error_pages_are_gov_uk_pages(
    signed_in: Client,
    make_user: Callable[..., Any],
    login: Callable[..., Any],
    monkeypatch: Any,
) -> None:
    response = signed_in.get("/no-such-page")
    assert response.status_code == 404 and "Page not found" in response.content.decode()
    api = signed_in.get("/api/no-such-thing")
    assert api.status_code == 404 and api["Content-Type"] == "application/problem+json"

    other = Client()
    login(other, make_user("practitioner", "health"))
    response = other.get("/accounts")
    assert response.status_code == 403 and "You do not have access to this page" in response.content.decode()

    def broken(_user: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "my_activity", broken)
    failing = Client(raise_request_exception=False)
    login(failing, make_user("practitioner", "health"))
    response = failing.get("/account/activity")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()
    assert "boom" not in response.content.decode()


def test_expired_form_page() -> None:
    response = Client(enforce_csrf_checks=True).post("/sign-in", {"username": "x", "password": "y"})
    assert response.status_code == 403 and "Your page has expired" in response.content.decode()


def test_dashboard_includes_the_case_work_panels_when_they_exist(
    signed_in: Client, settings: Any, tmp_path: Path
) -> None:
    (tmp_path / "web" / "cases").mkdir(parents=True)
    (tmp_path / "web" / "cases" / "dashboard_panels.html").write_text(
        "<p>PANELS-MARKER {{ user.username }}</p>"
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    assert "PANELS-MARKER admin" in signed_in.get("/").content.decode()


# --- form fields -------------------------------------------------------------------------------------


class KitchenSink(forms.Form):
    name = forms.CharField(label="Name", help_text="As they give it")
    notes = forms.CharField(label="Notes", widget=forms.Textarea)
    agency = forms.ChoiceField(
        label="Agency", choices=[("", "Choose"), ("police", "Police"), ("health", "Health")]
    )
    urgency = forms.ChoiceField(
        label="Urgency", choices=[("urgent", "Urgent"), ("routine", "Routine")], widget=forms.RadioSelect
    )
    indicators = forms.MultipleChoiceField(
        label="Indicators", choices=[("a", "A"), ("b", "B"), ("c", "C")], widget=forms.CheckboxSelectMultiple
    )
    seen_on = GovukDateField(label="Date seen", past_only=True)
    consent = forms.BooleanField(label="Consent given")
    secret = forms.CharField(label="Password", widget=forms.PasswordInput)


def _render(form: forms.Form) -> str:
    fields = "".join(f"{{% govuk_field form.{name} %}}" for name in form.fields)
    return Template("{% load govuk %}{% govuk_error_summary form %}" + fields).render(Context({"form": form}))


def test_fields_keep_what_was_typed_and_link_errors_to_fields() -> None:
    form = KitchenSink(
        {
            "name": "Jo <b>",
            "notes": "line one\nline two",
            "agency": "health",
            "urgency": "",
            "indicators": ["a", "c"],
            "seen_on_0": "31",
            "seen_on_1": "2",
            "seen_on_2": "2025",
            "secret": "hunter2",
        }
    )
    assert not form.is_valid()
    html = _render(form)
    assert 'value="Jo &lt;b&gt;"' in html  # kept, and escaped
    assert ">line one\nline two</textarea>" in html
    assert '<option value="health" selected>' in html
    assert re.search(r'id="id_indicators_0"[^>]*value="a" checked', html)
    assert not re.search(r'id="id_indicators_1"[^>]*checked', html)
    assert 'value="31"' in html and 'value="2025"' in html  # the impossible date is kept as typed
    assert "hunter2" not in html  # passwords never come back
    # Errors: in the summary, linking to the field (the first box or option for groups)...
    assert '<a href="#id_urgency_0">' in html
    assert '<a href="#id_seen_on_0">Date seen must be a real date</a>' in html
    assert '<a href="#id_consent">' in html
    # ...and beside the field, which is described by its hint and error.
    assert 'aria-describedby="id_name-hint"' in html
    assert 'id="id_urgency-error" class="govuk-error-message"' in html
    assert "govuk-form-group--error" in html and "govuk-input--error" in html


def test_date_field_rules() -> None:
    field = GovukDateField(label="Date seen", past_only=True)
    assert field.clean(["1", "2", "2024"]) == dt.date(2024, 2, 1)
    for parts, message in [
        (["", "", ""], "Enter date seen"),
        (["1", "", "2024"], "must include a month"),
        (["30", "2", "2024"], "must be a real date"),
        (["1", "1", str(dt.date.today().year + 1)], "must be today or in the past"),
    ]:
        with pytest.raises(forms.ValidationError) as err:
            field.clean(parts)
        assert message in str(err.value), parts


def test_pagination_links_keep_the_query(rf: Any) -> None:
    page = Paginator(list(range(500)), 10).get_page(25)
    request = rf.get("/x", {"kind": "read", "page": "25"})
    html = Template("{% load govuk %}{% govuk_pagination page %}").render(
        Context({"page": page, "request": request})
    )
    assert 'href="?kind=read&amp;page=24" rel="prev"' in html
    assert 'href="?kind=read&amp;page=26" rel="next"' in html
    assert 'aria-current="page">25</a>' in html
    assert "govuk-pagination__item--ellipses" in html
    assert 'aria-label="Page 1"' in html and 'aria-label="Page 50"' in html


def test_navigation_registry_skips_pages_not_built_and_respects_caps() -> None:
    navigation.register_nav("Ghost", "web:not_built_yet")
    navigation.register_nav("Reports", "web:my_activity", caps=[Cap.VIEW_AGGREGATE], order=60)
    try:
        board = [i["text"] for i in navigation.nav_items("board_member")]
        practitioner = [i["text"] for i in navigation.nav_items("practitioner")]
        assert "Ghost" not in board
        assert "Reports" in board and "Reports" not in practitioner
    finally:
        navigation._NAV.pop("web:not_built_yet")
        navigation._NAV.pop("web:my_activity")
