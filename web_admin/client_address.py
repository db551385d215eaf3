"""Who is on the other end: the TCP peer, or what a trusted reverse proxy says it saw.

``X-Forwarded-For`` is only believed when the request comes from one of the proxies in
``BUDGETBOT_TRUSTED_PROXIES``; from anyone else it is an ordinary header anybody can
write. ``ClientAddressMiddleware`` settles the address once per request, so every route
(the login throttle, the Teams channel's loopback check) reads the same ``request.client``.
uvicorn's own proxy-header handling is switched off in ``budgetbot serve`` so that this
is the only place that decides.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_ip(value: str | None) -> IPAddress | None:
    """An IP address (``::ffff:1.2.3.4`` read as ``1.2.3.4``), or None if it is not one."""
    if not value:
        return None
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # 192.0.2.1:8080
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


class TrustedProxies:
    """The proxies (addresses or CIDR networks) whose ``X-Forwarded-For`` is believed."""

    def __init__(self, proxies: Iterable[str] = ()) -> None:
        self.networks: tuple[IPNetwork, ...] = tuple(
            ipaddress.ip_network(p.strip(), strict=False) for p in proxies if p.strip()
        )

    def trusts(self, address: IPAddress | None) -> bool:
        """True if ``address`` is one of the configured proxies."""
        return address is not None and any(address in net for net in self.networks)

    def client(self, peer: str | None, forwarded_for: Iterable[str]) -> str | None:
        """The client's address: ``peer`` unless it is a trusted proxy; then the nearest
        address in ``X-Forwarded-For`` (read right to left) that is not a trusted proxy.

        Each proxy appends the address it saw, so only the right end of the list is
        vouched for; whatever the client wrote itself stands to the left.
        """
        peer_ip = parse_ip(peer)
        if not self.trusts(peer_ip):
            return str(peer_ip) if peer_ip is not None else peer
        hops = [hop for value in forwarded_for for hop in value.split(",") if hop.strip()]
        nearest = peer_ip
        for hop in reversed(hops):
            address = parse_ip(hop)
            if address is None:  # garbage where a proxy should have written an address
                break
            nearest = address
            if not self.trusts(address):
                break
        return str(nearest)


class ClientAddressMiddleware:
    """Sets ``scope["client"]`` to the real client's address (pure ASGI)."""

    def __init__(self, app: ASGIApp, proxies: TrustedProxies) -> None:
        self.app = app
        self.proxies = proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            peer = scope.get("client")
            forwarded = [
                value.decode("latin-1")
                for name, value in scope.get("headers", [])
                if name == b"x-forwarded-for"
            ]
            host = self.proxies.client(peer[0] if peer else None, forwarded)
            if host is not None:
                port = peer[1] if peer and host == peer[0] else 0
                scope["client"] = (host, port)
        await self.app(scope, receive, send)


def client_address(request: Request) -> str:
    """The client's address as settled by ``ClientAddressMiddleware`` ("unknown" if none)."""
    return request.client.host if request.client else "unknown"
