"""The image built from deploy/Containerfile with podman, and run: as uid 10001 on a read-only
root file system, it serves the sign-in page, renders a PDF with WeasyPrint's Debian
libraries, lists the bundled plugins, refuses unsafe settings, and its HEALTHCHECK answers
once /healthz exists.

No container registry is reachable here, so the base is a local Debian bookworm that
scripts/setup makes with debootstrap and imports as ``localhost/alur-test-bookworm:base``;
the Containerfile takes it as its BASE build argument (the real image names Debian's
bookworm-slim from a registry). Opt-in by availability: without podman or that base the test
skips, saying why. Bounded: the build by 6 minutes, the start by 90 seconds.

Three settings work around this machine, not the image: ``--runtime runc`` (crun refuses
cgroups in hybrid mode), explicit ``--ulimit`` values (podman's defaults exceed what this
sandbox may set) and the host's CA bundle mounted for pip during the build (``PIP_CERT``).
"""

from __future__ import annotations

import contextlib
import json
import resource
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from alur.tenants.audit.keys import new_key_entry
from alur.web.testing import free_port, sign_in_sync

ROOT = Path(__file__).resolve().parents[2]
BASE = "localhost/alur-test-bookworm:base"
TAG = "localhost/alur:suite-test"
HOST_CA = Path("/etc/ssl/certs/ca-certificates.crt")
BUILD_SECONDS = 900  # about 1 minute with podman's cache, 3-4 from nothing on a quiet machine
START_SECONDS = 90
UID = "10001"
PASSWORD = "rahasia-provinsi-2026"


def podman() -> str | None:
    found = shutil.which("podman")
    if found is None:
        return None
    exists = subprocess.run([found, "image", "exists", BASE], capture_output=True, timeout=60)
    return found if exists.returncode == 0 else None


PODMAN = podman()
pytestmark = pytest.mark.skipif(
    PODMAN is None,
    reason=f"needs podman and the base image {BASE} (scripts/setup makes both, as root on Debian)",
)


def sandbox_options() -> list[str]:
    nofile, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    options = ["--ulimit", f"nofile={nofile}:{nofile}", "--ulimit", "nproc=4096:4096"]
    if shutil.which("runc"):
        options += ["--runtime", "runc"]
    return options


def run(*args: str, timeout: float = 60, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(PODMAN), *args], capture_output=True, text=True, timeout=timeout, check=False
    )
    if check and done.returncode != 0:
        raise AssertionError(f"podman {' '.join(args)}: {done.stdout}\n{done.stderr}")
    return done


@pytest.fixture(scope="module")
def image() -> str:
    build = ["build", "--format", "docker", "--network", "host", *sandbox_options()]
    build += ["--build-arg", f"BASE={BASE}", "-f", "deploy/Containerfile", "-t", TAG]
    if HOST_CA.is_file():
        build += ["--volume", f"{HOST_CA}:/run/host-ca.crt:ro"]
        build += ["--build-arg", "PIP_CERT=/run/host-ca.crt"]
    previous = run("image", "inspect", "--format", "{{.Id}}", TAG, check=False).stdout.strip()
    try:
        done = subprocess.run(
            [str(PODMAN), *build, str(ROOT)],
            capture_output=True,
            text=True,
            timeout=BUILD_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        # A killed build leaves buildah's working containers behind: remove them.
        every = run("ps", "-a", "--external", "-q", check=False).stdout.split()
        for cid in set(every) - set(run("ps", "-a", "-q", check=False).stdout.split()):
            run("rm", "-f", cid, check=False)
        raise
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    current = run("image", "inspect", "--format", "{{.Id}}", TAG).stdout.strip()
    if previous and previous != current:  # keep one image of this test on the machine
        run("rmi", previous, check=False)
    # Untagged build stages older than a day go (about 700 MB each); newer ones are the cache.
    run("image", "prune", "-f", "--filter", "until=24h", timeout=120, check=False)
    return TAG


@contextlib.contextmanager
def container(
    image: str, data: Path, *command: str, host_network: bool = False, **env: str
) -> Iterator[tuple[str, str]]:
    """The image running detached with ``data`` as its working directory and the app's port
    8000 on a free local port (``host_network``: on the host's network, where ``command``
    chooses the port); yields (container id, base URL); removed afterwards."""
    port = free_port()
    options = ["run", "-d", *sandbox_options(), "--read-only", "-v", f"{data}:/var/lib/alur"]
    if host_network:
        options += ["--network", "host"]
    else:
        options += ["-p", f"127.0.0.1:{port}:8000"]
    for name, value in env.items():
        options += ["-e", f"{name}={value}"]
    started = run(*options, image, *command, timeout=120)
    cid = started.stdout.strip().splitlines()[-1]
    try:
        yield cid, f"http://127.0.0.1:{port}"
    finally:
        run("rm", "-f", "-t", "5", cid, timeout=60, check=False)


def wait_for(url: str, cid: str) -> httpx.Response:
    deadline = time.monotonic() + START_SECONDS
    while True:
        try:
            return httpx.get(url, timeout=5)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                logs = run("logs", cid, check=False)
                raise AssertionError(f"no answer at {url}: {logs.stdout}{logs.stderr}") from None
            time.sleep(1)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A working directory the image's user may write (the SQLite demo keeps its file there)."""
    data = tmp_path / "data"
    data.mkdir()
    shutil.chown(data, int(UID), int(UID))
    return data


def test_the_image_is_non_root_with_a_healthcheck(image: str) -> None:
    inspected = json.loads(run("image", "inspect", image).stdout)[0]
    config = inspected["Config"]
    assert config["User"].split(":")[0] == UID
    assert "/healthz" in " ".join(inspected["Healthcheck"]["Test"])
    assert config["Cmd"] == ["alur", "serve", "--host", "0.0.0.0", "--port", "8000"]


def test_the_image_serves_alur_on_sqlite(image: str, data_dir: Path) -> None:
    with container(image, data_dir, ALUR_SECRET_KEY="k" * 48) as (cid, base):
        response = wait_for(f"{base}/login", cid)
        assert response.status_code == 200
        assert "alur_session" not in response.headers.get("set-cookie", "")
        assert run("exec", cid, "id", "-u").stdout.strip() == UID
        plugins = run("exec", cid, "alur", "plugins", "list").stdout
        for plugin in ("satpolpp_banyumas", "kesbangpol_pekalongan", "biro_organisasi_kalbar"):
            assert plugin in plugins
        pdf = "import weasyprint; print(len(weasyprint.HTML(string='<p>Laporan</p>').write_pdf()))"
        assert int(run("exec", cid, "python3.11", "-c", pdf).stdout) > 1000
        # Nothing may be written outside the working directory (--read-only).
        touched = run("exec", cid, "touch", "/opt/alur/x", check=False)
        assert touched.returncode != 0
        if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
            health = run("healthcheck", "run", cid, check=False)
            assert health.returncode == 0, health.stdout + health.stderr
    assert (data_dir / "alur.db").exists()


def test_the_image_refuses_unsafe_settings(image: str, data_dir: Path) -> None:
    options = ["run", "--rm", *sandbox_options(), "--read-only", "-v", f"{data_dir}:/var/lib/alur"]
    done = run(*options, "-e", "ALUR_PROCESSES=2", image, timeout=120, check=False)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "unsafe setting(s)" in done.stderr
    assert not (data_dir / "alur.db").exists()


def test_the_image_runs_migrate_app_processes_and_worker_on_postgresql(
    image: str, data_dir: Path, fresh_databases
) -> None:
    """The compose and Kubernetes roles from this image on one PostgreSQL (on the host's
    network): ``alur migrate`` once, an operator created with the CLI, two app processes
    (``ALUR_PROCESSES=2``) that share sessions and the CSRF key — signed in through one, the
    other serves the next page — and ``alur worker`` running beside them."""
    settings = {
        "ALUR_DATABASE_URL": fresh_databases.url("postgresql", migrated=False),
        "ALUR_SECRET_KEY": "s" * 48,
        "ALUR_AUDIT_KEY": new_key_entry("k1"),
        "ALUR_PROCESSES": "2",
    }
    env_options = [option for k, v in settings.items() for option in ("-e", f"{k}={v}")]
    one_shot = ["run", "--rm", *sandbox_options(), "--read-only", "--network", "host"]
    one_shot += ["-v", f"{data_dir}:/var/lib/alur", *env_options, image]
    migrated = run(*one_shot, "alur", "migrate", timeout=180)
    assert "Applied" in migrated.stdout
    create = ["alur", "operators", "create", "--username", "prov.admin", "--password", PASSWORD]
    run(*one_shot, *create, timeout=120)
    ports = [free_port(), free_port()]
    with contextlib.ExitStack() as stack:
        apps = [
            stack.enter_context(
                container(
                    image,
                    data_dir,
                    *("alur", "serve", "--host", "127.0.0.1", "--port", str(port)),
                    host_network=True,
                    **settings,
                )
            )
            for port in ports
        ]
        worker, _ = stack.enter_context(
            container(image, data_dir, "alur", "worker", host_network=True, **settings)
        )
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for (cid, _), base in zip(apps, bases, strict=True):
            assert wait_for(f"{base}/login", cid).status_code == 200
        with httpx.Client(base_url=bases[0], timeout=10) as first:
            landed = sign_in_sync(first, "prov.admin", PASSWORD).headers["location"]
            with httpx.Client(base_url=bases[1], cookies=first.cookies, timeout=10) as second:
                page = second.get(landed)
        assert page.status_code == 200, page.text[:300]
        assert 'name="password"' not in page.text  # signed in, not sent back to the form
        state = run("inspect", "--format", "{{.State.Running}}", worker).stdout.strip()
        assert state == "true", run("logs", worker, check=False).stderr
