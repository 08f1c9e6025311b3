"""Who may read ``/metrics``: a caller with ``Authorization: Bearer $ALUR_METRICS_TOKEN``
(compared in constant time) or one whose address is in ``ALUR_METRICS_ALLOW`` (IP addresses and
CIDR networks; the client address as :mod:`alur.web.client_address` determines it, so behind
``ALUR_TRUSTED_PROXIES``). Neither set: nobody — the endpoint answers 404 like any unknown path,
and so it does to everyone else (a scanner learns nothing). ``alur worker --metrics-port``
applies the same rule.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass

from alur.tenants.settings import SettingError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class MetricsAccessError(SettingError):
    pass


@dataclass(frozen=True)
class MetricsAccess:
    token: str = ""
    allow: tuple[Network, ...] = ()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> MetricsAccess:
        env = os.environ if environ is None else environ
        networks = []
        for item in env.get("ALUR_METRICS_ALLOW", "").replace(",", " ").split():
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                raise MetricsAccessError(
                    f"ALUR_METRICS_ALLOW: {item!r} is not an IP address or network "
                    "(e.g. 10.0.0.5 or 10.0.0.0/24)"
                ) from None
        return cls(token=env.get("ALUR_METRICS_TOKEN", "").strip(), allow=tuple(networks))

    def allows(self, authorization: str | None, address: str | None) -> bool:
        """True for the right bearer token or an allowed address."""
        if self.token and authorization:
            scheme, _, given = authorization.partition(" ")
            if scheme.lower() == "bearer" and hmac.compare_digest(
                given.strip().encode(), self.token.encode()
            ):
                return True
        if self.allow and address:
            try:
                ip = ipaddress.ip_address(address)
            except ValueError:
                return False
            return any(ip in network for network in self.allow)
        return False
