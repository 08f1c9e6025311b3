"""The docs' reverse-proxy example, executed: a real nginx terminating TLS in front of the app.

docs/security.md ("Running behind a TLS proxy") tells operators to set ALUR_SECURE_COOKIES=1,
list the proxy in ALUR_TRUSTED_PROXIES and put its nginx ``location / {...}`` block in front
of Alur. Here that block, taken verbatim from the docs (only the upstream port changed), runs
in Debian's nginx on a free 127.0.0.1 port with a certificate made by openssl for the test,
in front of a real uvicorn process (:func:`alur.web.testing.running_app`). Clients connect
from 127.0.0.3 and 127.0.0.4 (Linux routes all of 127.0.0.0/8 to the loopback), so nginx's
``$remote_addr`` is theirs while every request the app sees comes from nginx at 127.0.0.1.

nginx never runs as the system service: it gets its own prefix, configuration, pid file,
logs and temp directories in the test's directory and is stopped when the test ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import ssl
import subprocess
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from alur.web import security_headers
from alur.web.testing import ServerProcess, free_port, running_app
from tests.identity.login_helpers import PASSWORD, _provision, client_from, post_login

DOCS = Path(__file__).resolve().parents[2] / "docs" / "security.md"
DOCS_UPSTREAM = "127.0.0.1:8000"
PER_ADDRESS = 3  # ALUR_LOGIN_MAX_PER_ADDRESS here (5 per username stays the default)
TIMEOUT = 30.0  # seconds, for every request (real argon2 on a shared machine)


def docs_location_block() -> str:
    """The one fenced ``nginx`` block of docs/security.md, dedented, checked to be the
    ``location / {...}`` that proxies to the documented upstream."""
    blocks = re.findall(r"^[ \t]*```nginx\n(.*?)^[ \t]*```", DOCS.read_text(), re.S | re.M)
    assert len(blocks) == 1, f"expected one ```nginx block in {DOCS}, found {len(blocks)}"
    block = textwrap.dedent(blocks[0]).strip()
    assert block.startswith("location / {"), block
    assert block.endswith("}"), block
    assert block.count(DOCS_UPSTREAM) == 1, block
    return block


def nginx_binary() -> str:
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    if found is None:
        pytest.fail("nginx is not installed: run scripts/setup (Debian package 'nginx')")
    return found


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """(certificate, key) for 127.0.0.1, made with the openssl command line."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"),
            *("-addext", "subjectAltName=IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


def nginx_conf(directory: Path, port: int, location: str, cert: Path, key: Path) -> str:
    temp = "\n".join(
        f"    {kind}_temp_path {directory / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # As root nginx would run its workers as nobody, who cannot enter pytest's directories.
    user = "user root;\n" if os.geteuid() == 0 else ""
    return (
        f"{user}worker_processes 1;\n"
        f"pid {directory / 'nginx.pid'};\n"
        f"error_log {directory / 'error.log'} info;\n"
        "events { worker_connections 64; }\n"
        "http {\n"
        f"    access_log {directory / 'access.log'};\n"
        f"{temp}\n"
        "    server {\n"
        f"        listen 127.0.0.1:{port} ssl;\n"
        "        server_name localhost;\n"
        f"        ssl_certificate {cert};\n"
        f"        ssl_certificate_key {key};\n"
        f"{textwrap.indent(location, ' ' * 8)}\n"
        "    }\n"
        "}\n"
    )


@contextlib.contextmanager
def running_nginx(directory: Path, upstream_port: int) -> Iterator[tuple[str, ssl.SSLContext]]:
    """nginx with the docs' location block proxying to ``upstream_port``; yields its https
    base URL and an SSL context trusting its certificate."""
    directory.mkdir()
    cert, key = self_signed_certificate(directory)
    location = docs_location_block().replace(DOCS_UPSTREAM, f"127.0.0.1:{upstream_port}")
    port = free_port()
    conf = directory / "nginx.conf"
    conf.write_text(nginx_conf(directory, port, location, cert, key))
    binary = nginx_binary()
    command = [binary, "-p", str(directory), "-c", str(conf), "-e", str(directory / "error.log")]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
    trust = ssl.create_default_context(cafile=str(cert))
    nginx = ServerProcess(
        [*command, "-g", "daemon off;"],  # SIGTERM: nginx's fast shutdown, workers included
        base=f"https://127.0.0.1:{port}",
        log_path=directory / "nginx.out",
        error_log=directory / "error.log",
        verify=trust,
        startup_timeout=30,
        stop_timeout=15,
    )
    with nginx:
        yield nginx.base, trust


@dataclass(frozen=True)
class Proxied:
    base: str  # https://127.0.0.1:PORT, nginx
    trust: ssl.SSLContext
    directory: Path

    def client(self, source: str) -> httpx.Client:
        return client_from(source, verify=self.trust, timeout=TIMEOUT)


@contextlib.contextmanager
def behind_nginx(url: str, workdir: Path, **environ: str) -> Iterator[Proxied]:
    """The app on ``url`` with the docs' TLS settings plus ``environ``, behind nginx."""
    asyncio.run(_provision(url))
    settings = {
        "ALUR_SECURE_COOKIES": "1",
        "ALUR_LOGIN_MAX_PER_ADDRESS": str(PER_ADDRESS),
        **environ,
    }
    with running_app(url, workdir, environ=settings) as (app, _log):
        upstream_port = int(app.rsplit(":", 1)[1])
        with running_nginx(workdir / "nginx", upstream_port) as (base, trust):
            yield Proxied(base, trust, workdir / "nginx")


TRUSTING_NGINX = {"ALUR_TRUSTED_PROXIES": "127.0.0.1"}


def test_https_through_nginx_keeps_the_headers_and_secure_cookies(
    fresh_databases, tmp_path: Path
) -> None:
    with (
        behind_nginx(fresh_databases.url("sqlite"), tmp_path, **TRUSTING_NGINX) as proxied,
        proxied.client("127.0.0.3") as c,
    ):
        page = c.get(f"{proxied.base}/login")
        assert page.status_code == 200
        assert page.url.scheme == "https"
        assert page.headers["strict-transport-security"] == security_headers.HSTS
        assert page.headers["content-security-policy"] == security_headers.CSP
        assert page.headers["x-frame-options"] == "DENY"
        assert page.headers["x-content-type-options"] == "nosniff"

        r = post_login(c, proxied.base, "staf", PASSWORD)
        assert r.status_code == 303, r.text[:300]
        cookies = r.headers.get_list("set-cookie")
        session = [h for h in cookies if h.startswith("alur_session=")]
        assert len(session) == 1, cookies
        attributes = [a.strip().lower() for a in session[0].split(";")[1:]]
        assert "secure" in attributes, session[0]
        assert "httponly" in attributes, session[0]
        assert r.headers["location"].startswith("/")  # a path: nginx's Host has no port
        home = c.get(f"{proxied.base}{r.headers['location']}", follow_redirects=True)
        assert home.status_code == 200
        assert str(home.url).startswith(proxied.base)  # no redirect lost nginx's port
        assert "/login" not in home.url.path  # signed in: the Secure cookie came back

    clients = {line.split(" ", 1)[0] for line in (proxied.directory / "access.log").open()}
    assert "127.0.0.3" in clients, clients  # nginx saw the client's own address


def lock_one_client(proxied: Proxied) -> None:
    """From 127.0.0.3: wrong passwords for PER_ADDRESS usernames, each try with a new
    ``X-Forwarded-For`` written by the client; then even the right password is refused."""
    with proxied.client("127.0.0.3") as c:
        for n in range(PER_ADDRESS):
            spoofed = {"X-Forwarded-For": f"203.0.113.{9 + n}"}
            r = post_login(c, proxied.base, f"tebakan-{n}", "salah", **spoofed)
            assert r.status_code == 401, r.text[:300]
        r = post_login(c, proxied.base, "kepala", PASSWORD, **{"X-Forwarded-For": "203.0.113.99"})
        assert r.status_code == 429, r.text[:300]


def test_the_address_limit_counts_the_client_nginx_saw(fresh_databases, tmp_path: Path) -> None:
    with behind_nginx(fresh_databases.url("sqlite"), tmp_path, **TRUSTING_NGINX) as proxied:
        lock_one_client(proxied)
        with proxied.client("127.0.0.4") as other:  # another client: not locked
            assert post_login(other, proxied.base, "kepala", PASSWORD).status_code == 303


def test_without_trusted_proxies_every_client_is_nginx(fresh_databases, tmp_path: Path) -> None:
    """The control: with ALUR_TRUSTED_PROXIES unset the app counts nginx's own address, so
    locking one client locks them all (the per-address limit then limits the proxy)."""
    unset = {"ALUR_TRUSTED_PROXIES": ""}
    with behind_nginx(fresh_databases.url("sqlite"), tmp_path, **unset) as proxied:
        lock_one_client(proxied)
        with proxied.client("127.0.0.4") as other:
            assert post_login(other, proxied.base, "kepala", PASSWORD).status_code == 429
