"""The client's address, trusting ``X-Forwarded-For`` only from the operator's proxies.

``ALUR_TRUSTED_PROXIES`` lists the reverse proxies in front of Alur (IP addresses and CIDR
networks, e.g. ``10.0.0.5, 10.1.0.0/16``; default: none). A request's address is its direct
peer's, unless that peer is a trusted proxy: then ``X-Forwarded-For`` is read from the right
(each proxy appends the address it saw) and the right-most address that is not a trusted
proxy is the client. Whatever a client writes into the header itself stays to the left of
that and is never used, so rotating the header changes nothing. If every hop is trusted, the
left-most one is the client.

uvicorn rewrites the peer address from ``X-Forwarded-For`` by itself when the peer is in its
``--forwarded-allow-ips`` (127.0.0.1 by default), so Alur's own ways of starting uvicorn
turn that off (``proxy_headers=False``); start it with ``--no-proxy-headers`` when running
it yourself.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from litestar.types import Scope

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class TrustedProxiesError(ValueError):
    pass


class TrustedProxies:
    """The networks of the operator's reverse proxies (``ALUR_TRUSTED_PROXIES``)."""

    def __init__(self, networks: Iterable[Network] = ()) -> None:
        self.networks = tuple(networks)

    @classmethod
    def parse(cls, text: str) -> TrustedProxies:
        """IP addresses and networks separated by commas or spaces; a bad entry is an error."""
        networks: list[Network] = []
        for item in text.replace(",", " ").split():
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                raise TrustedProxiesError(
                    f"ALUR_TRUSTED_PROXIES: {item!r} is not an IP address or network "
                    "(e.g. 10.0.0.5 or 10.0.0.0/24)"
                ) from None
        return cls(networks)

    def __contains__(self, ip: Address | None) -> bool:
        return ip is not None and any(ip in network for network in self.networks)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TrustedProxies) and other.networks == self.networks

    def __hash__(self) -> int:
        return hash(self.networks)

    def __repr__(self) -> str:
        return f"TrustedProxies({', '.join(map(str, self.networks))})"


def _ip(text: str) -> Address | None:
    """An address from a peer or an X-Forwarded-For entry (``1.2.3.4:5``, ``[::1]:5`` too)."""
    text = text.strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def client_address(scope: Scope, trusted_proxies: TrustedProxies) -> str:
    """The address a request came from (see the module docstring)."""
    peer = scope.get("client")
    host = str(peer[0]) if peer else ""
    ip = _ip(host)
    if ip not in trusted_proxies:
        return str(ip) if ip is not None else host or "?"
    forwarded = [
        entry
        for name, value in scope.get("headers", ())
        if name.lower() == b"x-forwarded-for"
        for entry in value.decode("latin-1").split(",")
    ]
    client = ip
    for entry in reversed(forwarded):
        hop = _ip(entry)
        if hop is None:  # not written by a proxy: stop at the last address a proxy vouched for
            break
        client = hop
        if hop not in trusted_proxies:
            break
    return str(client)
