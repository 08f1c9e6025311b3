"""Web settings, read from the environment when the app is created (never at import)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from alur.tenants.deployment import is_on
from alur.tenants.identity.throttle import ThrottleRules
from alur.tenants.storage.database import database_url
from alur.web.client_address import TrustedProxies

SECRET_FILE = ".alur-secret"


@dataclass(frozen=True)
class WebSettings:
    """``ALUR_DATABASE_URL``, ``ALUR_SECRET_KEY`` (else a random key kept in
    ``.alur-secret`` in the working directory, created once with mode 0600),
    ``ALUR_SECURE_COOKIES`` (set to 1 behind HTTPS), ``ALUR_SESSION_HOURS`` (default 9),
    ``ALUR_TRUSTED_PROXIES`` (reverse proxies whose ``X-Forwarded-For`` is believed: IP
    addresses and CIDR networks; default none), ``ALUR_LOGIN_MAX_PER_USERNAME`` (5),
    ``ALUR_LOGIN_MAX_PER_ADDRESS`` (20), ``ALUR_LOGIN_WINDOW_MINUTES`` (15): failed sign-ins
    allowed per username and per address in a window (:mod:`alur.tenants.identity.throttle`)."""

    database_url: str
    secret_key: str
    secure_cookies: bool = False
    session_hours: int = 9
    trusted_proxies: TrustedProxies = field(default_factory=TrustedProxies)
    login_throttle: ThrottleRules = field(default_factory=ThrottleRules)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> WebSettings:
        env = os.environ if environ is None else environ
        hours = env.get("ALUR_SESSION_HOURS", "9")
        return cls(
            database_url=database_url(dict(env)),
            secret_key=env.get("ALUR_SECRET_KEY") or _secret_from_file(Path(SECRET_FILE)),
            secure_cookies=is_on(env, "ALUR_SECURE_COOKIES"),
            session_hours=int(hours) if hours.isdigit() and int(hours) > 0 else 9,
            trusted_proxies=TrustedProxies.parse(env.get("ALUR_TRUSTED_PROXIES", "")),
            login_throttle=ThrottleRules(
                per_username=_positive(env, "ALUR_LOGIN_MAX_PER_USERNAME", 5),
                per_address=_positive(env, "ALUR_LOGIN_MAX_PER_ADDRESS", 20),
                window_seconds=60 * _positive(env, "ALUR_LOGIN_WINDOW_MINUTES", 15),
            ),
        )


def _positive(env: Mapping[str, str], name: str, default: int) -> int:
    value = env.get(name, "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else default


def _secret_from_file(path: Path) -> str:
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(key)
    return key
