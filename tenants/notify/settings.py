"""The delivery settings, read once from the environment (documented in docs/operations.md).

=============================  ==========================  =====================================
variable                       default                     meaning
=============================  ==========================  =====================================
``ALUR_SMTP_URL``              (none: no email)            ``smtp://user:pass@host:587?starttls=1``
                                                           or ``smtps://…:465`` (implicit TLS)
``ALUR_SMTP_FROM``             ``Alur <alur@HOST>``        the sender of every email
``ALUR_SMTP_TIMEOUT``          ``30``                      seconds per SMTP conversation
``ALUR_BASE_URL``              ``http://127.0.0.1:8000``   the installation's address, for links
``ALUR_DELIVERY_ATTEMPTS``     ``8``                       tries before a delivery is failed
``ALUR_DELIVERY_BACKOFF``      ``60``                      seconds before the first retry; each
                                                           next wait doubles (at most 6 hours)
``ALUR_DELIVERY_LEASE``        ``300``                     seconds a worker holds a delivery it
                                                           is sending; a killed worker's
                                                           deliveries are taken again after it
=============================  ==========================  =====================================
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import parse_qs, unquote, urlparse

from alur.core.errors import N_, AlurError
from alur.tenants.settings import is_on

MAX_BACKOFF = timedelta(hours=6)


class SettingsError(AlurError):
    code = "settings"
    template = N_("{name}={value!r} is not usable: {reason}")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    username: str | None
    password: str | None
    implicit_tls: bool  # smtps://
    starttls: bool  # smtp://…?starttls=1
    sender: str
    timeout: float

    def __repr__(self) -> str:  # never print the password
        return f"SmtpSettings(host={self.host!r}, port={self.port}, sender={self.sender!r})"


@dataclass(frozen=True)
class DeliverySettings:
    smtp: SmtpSettings | None
    base_url: str
    attempts: int
    backoff: timedelta
    lease: timedelta

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> DeliverySettings:
        env = os.environ if environ is None else environ
        return cls(
            smtp=smtp_settings(env),
            base_url=(env.get("ALUR_BASE_URL", "").strip() or "http://127.0.0.1:8000").rstrip("/"),
            attempts=_number(env, "ALUR_DELIVERY_ATTEMPTS", 8, 1, 100),
            backoff=timedelta(seconds=_number(env, "ALUR_DELIVERY_BACKOFF", 60, 1, 86400)),
            lease=timedelta(seconds=_number(env, "ALUR_DELIVERY_LEASE", 300, 1, 86400)),
        )

    def retry_after(self, attempts: int) -> timedelta:
        """The wait before the next try after ``attempts`` tries: backoff × 2^(attempts−1)."""
        return min(self.backoff * 2 ** max(attempts - 1, 0), MAX_BACKOFF)


def smtp_settings(env: Mapping[str, str]) -> SmtpSettings | None:
    raw = env.get("ALUR_SMTP_URL", "").strip()
    if not raw:
        return None
    url = urlparse(raw)
    shown = raw.replace(f":{url.password}@", ":***@") if url.password else raw
    if url.scheme not in ("smtp", "smtps") or not url.hostname:
        raise SettingsError(
            name="ALUR_SMTP_URL",
            value=shown,
            reason="use smtp://user:password@host:587?starttls=1 or smtps://host:465",
        )
    query = parse_qs(url.query)
    starttls = is_on({"starttls": query.get("starttls", [""])[0]}, "starttls")
    try:
        port = url.port or (465 if url.scheme == "smtps" else 25)
    except ValueError as exc:
        raise SettingsError(name="ALUR_SMTP_URL", value=shown, reason=str(exc)) from exc
    return SmtpSettings(
        host=url.hostname,
        port=port,
        username=unquote(url.username) if url.username else None,
        password=unquote(url.password) if url.password else None,
        implicit_tls=url.scheme == "smtps",
        starttls=starttls,
        sender=env.get("ALUR_SMTP_FROM", "").strip() or f"Alur <alur@{url.hostname}>",
        timeout=float(_number(env, "ALUR_SMTP_TIMEOUT", 30, 1, 600)),
    )


def _number(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise SettingsError(
            name=name, value=raw, reason=f"give a whole number from {low} to {high}"
        )
    return int(raw)
