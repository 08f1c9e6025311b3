"""``alur serve`` logs in one format (issue 15, observability): uvicorn's own lines (here its
warning about a malformed request) come out as JSON like Alur's access lines, and a bad
``ALUR_LOG_FORMAT`` is refused with a message, not a traceback."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import httpx

from alur.web.testing import ServerProcess, free_port

ALUR = str(Path(sys.executable).parent / "alur")


def test_uvicorn_lines_are_json_too(tmp_path: Path) -> None:
    port = free_port()
    server = ServerProcess(
        [ALUR, "serve", "--port", str(port), "--no-jobs"],
        base=f"http://127.0.0.1:{port}",
        log_path=tmp_path / "serve.log",
        cwd=tmp_path,
        environ={
            "ALUR_DATABASE_URL": f"sqlite:///{tmp_path / 'alur.db'}",
            "ALUR_LOG_FORMAT": "json",
            "ALUR_LOG_LEVEL": "INFO",
        },
        ready_path="/healthz",
        startup_timeout=60,
    )
    with server:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
            raw.sendall(b"NOT HTTP AT ALL\r\n\r\n")
            raw.recv(1024)
        assert httpx.get(f"{server.base}/login", timeout=10).status_code == 200
    lines = server.log().splitlines()
    warned = [line for line in lines if "Invalid HTTP request" in line]
    assert warned, server.log()
    for line in warned:
        assert json.loads(line)["logger"] == "uvicorn.error"
    access = [json.loads(line) for line in lines if '"alur.access"' in line]
    assert [(r["route"], r["status"]) for r in access if r["route"] == "/login"] == [
        ("/login", 200)
    ]


def test_a_bad_log_format_is_refused(tmp_path: Path) -> None:
    result = subprocess.run(
        [ALUR, "serve", "--port", str(free_port())],
        env={"PATH": "/usr/bin:/bin", "ALUR_LOG_FORMAT": "xml", "HOME": str(tmp_path)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "ALUR_LOG_FORMAT='xml': use json or console" in result.stderr
    assert "Traceback" not in result.stderr
