"""Proxy, CSRF-origin and HSTS settings come from the environment; the proxy's headers are believed from
its address only; a form posted over HTTPS through the proxy passes Django's origin check."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from waitress.proxy_headers import proxy_headers_middleware

from sightline.web.commands import proxy_options

from .conftest import REPO

SETTINGS = REPO / "src" / "sightline" / "config" / "settings.py"
PROXY_ENV = {
    "SIGHTLINE_TRUSTED_PROXY": "127.0.0.1",
    "SIGHTLINE_CSRF_TRUSTED_ORIGINS": "https://sightline.example.org, https://other.example.org",
    "SIGHTLINE_HSTS_SECONDS": "600",
    "SIGHTLINE_HSTS_INCLUDE_SUBDOMAINS": "0",
    "SIGHTLINE_HSTS_PRELOAD": "1",
}


def load_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **env: str) -> dict[str, Any]:
    """The settings module run afresh under ``env``, as a deployment would start it."""
    monkeypatch.setenv("SIGHTLINE_HOME", str(tmp_path / "home"))
    for name in [*PROXY_ENV, "SIGHTLINE_DEMO", "SIGHTLINE_DEBUG", "SIGHTLINE_INSECURE_HTTP"]:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))


def test_defaults_send_hsts_and_trust_no_forwarded_header(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    conf = load_settings(monkeypatch, tmp_path)
    assert conf["SECURE_HSTS_SECONDS"] == 31536000 and conf["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert conf["SECURE_HSTS_PRELOAD"] is False
    assert "SECURE_PROXY_SSL_HEADER" not in conf and not conf.get("USE_X_FORWARDED_HOST")
    assert conf["TRUSTED_PROXY"] == "" and conf["CSRF_TRUSTED_ORIGINS"] == []
    assert conf["SESSION_COOKIE_SECURE"] is True and conf["CSRF_COOKIE_SECURE"] is True


def test_proxy_origins_and_hsts_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    conf = load_settings(monkeypatch, tmp_path, **PROXY_ENV)
    assert conf["TRUSTED_PROXY"] == "127.0.0.1"
    assert conf["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert conf["USE_X_FORWARDED_HOST"] is True
    assert conf["CSRF_TRUSTED_ORIGINS"] == ["https://sightline.example.org", "https://other.example.org"]
    assert conf["SECURE_HSTS_SECONDS"] == 600
    assert conf["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False and conf["SECURE_HSTS_PRELOAD"] is True


def _through_waitress(trusted: str, peer: str) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    def app(environ: dict[str, Any], _start_response: Any) -> list[bytes]:
        seen.update(environ)
        return []

    wrapped = proxy_headers_middleware(app, **proxy_options(trusted))
    wrapped(
        {
            "REMOTE_ADDR": peer,
            "wsgi.url_scheme": "http",
            "HTTP_HOST": "127.0.0.1:8000",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "HTTP_X_FORWARDED_PROTO": "https",
            "HTTP_X_FORWARDED_HOST": "sightline.example.org",
            "HTTP_X_FORWARDED_FOR": "203.0.113.9",
        },
        lambda *_: None,
    )
    return seen


def test_serve_believes_forwarded_headers_from_the_proxy_only() -> None:
    assert proxy_options("") == {}
    from_proxy = _through_waitress("127.0.0.1", "127.0.0.1")
    assert from_proxy["wsgi.url_scheme"] == "https"
    assert from_proxy["HTTP_HOST"] == "sightline.example.org"
    assert from_proxy["REMOTE_ADDR"] == "203.0.113.9"
    forged = _through_waitress("127.0.0.1", "198.51.100.7")
    assert forged["wsgi.url_scheme"] == "http" and forged["HTTP_HOST"] == "127.0.0.1:8000"
    assert not any(k.startswith("HTTP_X_FORWARDED") for k in forged)


FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "sightline.example.org"}


def _post_sign_in(user: Any) -> Any:
    client = Client(enforce_csrf_checks=True)
    page = client.get("/sign-in", headers=FORWARDED)
    token = page.cookies["csrftoken"].value
    response = client.post(
        "/sign-in",
        {"username": user.username, "password": "correct horse battery staple", "csrfmiddlewaretoken": token},
        headers={**FORWARDED, "Origin": "https://sightline.example.org"},
    )
    return page, response


@pytest.mark.django_db
def test_a_form_posted_over_https_through_the_proxy_passes_the_origin_check(
    settings: Any, make_user: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    user = make_user("cse_coordinator", "mash")
    settings.ALLOWED_HOSTS = ["sightline.example.org", "testserver"]
    # Not behind a trusted proxy: Sightline thinks it is on plain HTTP and refuses the HTTPS origin.
    _page, refused = _post_sign_in(user)
    assert refused.status_code == 403

    conf = load_settings(monkeypatch, tmp_path, SIGHTLINE_TRUSTED_PROXY="127.0.0.1")
    for name in (
        "SECURE_PROXY_SSL_HEADER",
        "USE_X_FORWARDED_HOST",
        "SECURE_HSTS_SECONDS",
        "CSRF_COOKIE_SECURE",
    ):
        setattr(settings, name, conf[name])
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = conf["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    page, accepted = _post_sign_in(user)
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert page.cookies["csrftoken"]["secure"]
    assert accepted.status_code == 302 and accepted.url.endswith("/sign-in/security-code"), accepted
