"""Sign in through a real TLS-terminating nginx, configured exactly as docs/deploy.md says, in front of a
real ``sightline serve``: the forms pass the CSRF origin check, HSTS is sent and cookies are Secure."""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django_otp.plugins.otp_totp.models import TOTPDevice

from sightline.access.services import current_totp_code

from .conftest import REPO, free_port, nginx_binary, wait_for

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"  # make_user's default


def self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "proxy.pem", folder / "proxy.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


def documented_server_blocks(replacements: dict[str, str]) -> str:
    """The nginx configuration of docs/deploy.md, with its ports and certificate made local."""
    doc = (REPO / "docs" / "deploy.md").read_text(encoding="utf-8")
    match = re.search(r"```nginx\n(.*?)```", doc, re.DOTALL)
    assert match, "docs/deploy.md has an nginx block"
    conf = match.group(1)
    for old, new in replacements.items():
        assert conf.count(old) == 1, f"docs/deploy.md's nginx block no longer has {old!r} once"
        conf = conf.replace(old, new)
    return conf


@pytest.fixture
def nginx(tmp_path: Path) -> Iterator[Callable[[int], tuple[str, str]]]:
    """``nginx(upstream_port)``: run the documented proxy; returns its https and http base URLs."""
    binary = nginx_binary()
    procs: list[subprocess.Popen[bytes]] = []
    folder = tmp_path / "nginx"

    def start(upstream: int) -> tuple[str, str]:
        folder.mkdir()
        cert, key = self_signed(folder)
        https_port, http_port = free_port(), free_port()
        servers = documented_server_blocks(
            {
                "listen 443 ssl;": f"listen 127.0.0.1:{https_port} ssl;",
                "listen 80;": f"listen 127.0.0.1:{http_port};",
                "/etc/ssl/certs/sightline.example.org.pem": str(cert),
                "/etc/ssl/private/sightline.example.org.key": str(key),
                "http://127.0.0.1:8000": f"http://127.0.0.1:{upstream}",
            }
        )
        temp = "\n".join(
            f"    {kind}_temp_path {folder / kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        (folder / "nginx.conf").write_text(
            f"daemon off;\nmaster_process off;\npid {folder / 'nginx.pid'};\n"
            f"error_log {folder / 'error.log'} warn;\nevents {{ worker_connections 64; }}\n"
            f"http {{\n    access_log {folder / 'access.log'};\n{temp}\n{servers}\n}}\n"
        )
        proc = subprocess.Popen(
            [binary, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-e", str(folder / "error.log")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        procs.append(proc)

        wait_for(lambda: _redirects(http_port) or proc.poll() is not None, 30)
        log = (folder / "error.log").read_text() if (folder / "error.log").exists() else ""
        assert proc.poll() is None, f"nginx did not start: {log}"
        return f"https://127.0.0.1:{https_port}", f"http://127.0.0.1:{http_port}"

    yield start
    for proc in procs:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _redirects(port: int) -> bool:
    try:
        return requests.get(f"http://127.0.0.1:{port}/", timeout=2, allow_redirects=False).status_code == 301
    except requests.RequestException:
        return False


@pytest.mark.usefixtures("committed")
def test_sign_in_through_a_tls_proxy_with_hsts_and_secure_cookies(
    make_user: Callable[..., Any],
    serve: Callable[..., str],
    nginx: Callable[[int], tuple[str, str]],
    chromium: Any,
) -> None:
    user = make_user("cse_coordinator", "mash", username="proxied-coordinator")
    upstream = serve(SIGHTLINE_TRUSTED_PROXY="127.0.0.1", SIGHTLINE_ALLOWED_HOSTS="127.0.0.1,localhost")
    https, http = nginx(int(urlparse(upstream).port or 0))

    plain = requests.get(f"{http}/sign-in", timeout=10, allow_redirects=False)
    assert plain.status_code == 301 and plain.headers["Location"].startswith("https://")

    context = chromium.new_context(base_url=https, ignore_https_errors=True)
    try:
        page = context.new_page()
        page.set_default_timeout(20_000)
        first = page.goto("/sign-in")
        assert first is not None and first.status == 200
        assert first.headers.get("strict-transport-security") == "max-age=31536000; includeSubDomains"
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Continue").click()
        # Before the proxy was trusted this POST failed Django's CSRF origin check (403).
        page.wait_for_url("**/sign-in/security-code")
        code = current_totp_code(TOTPDevice.objects.get(user=user))
        page.get_by_label("Enter your security code").fill(code)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: urlparse(url).path == "/")
        assert urlparse(page.url).scheme == "https" and urlparse(page.url).netloc == urlparse(https).netloc
        assert page.get_by_role("heading", level=1).inner_text().startswith("Welcome")

        home = page.goto("/")
        assert home is not None and home.status == 200
        assert home.headers.get("strict-transport-security") == "max-age=31536000; includeSubDomains"
        cookies = {c["name"]: c for c in context.cookies()}
        assert {"sessionid", "csrftoken"} <= set(cookies), cookies
        for name in ("sessionid", "csrftoken"):
            assert cookies[name]["secure"] is True, cookies[name]
        assert cookies["sessionid"]["httpOnly"] is True
    finally:
        context.close()
