"""ICE configuration: which STUN/TURN servers to use and which host addresses to offer.

Two knobs, both settings of the deployment:

- :func:`rtc_configuration` builds the :class:`RTCConfiguration` of every peer connection. With no
  STUN/TURN URLs configured the server list is *empty*, never ``None``: aiortc replaces ``None``
  with Google's public STUN server, and a server (or a test) must not talk to the internet unasked.
  Its bundle policy is ``MAX_BUNDLE`` (what browsers do): with aiortc's default ``BALANCED``, a
  second m-line of the same kind is left on a transport that bundling discards, and its media is
  never sent (see :mod:`hearing_server.rtc.peer`).
- :func:`offer_host_addresses` restricts the host candidates a peer connection gathers.

Why the second knob exists: aioice gathers host candidates from every network interface and
silently skips ``127.0.0.1`` (``aioice.ice.get_host_addresses``). A test on loopback therefore gets
no usable candidate, and a server on a multi-homed machine offers (and sends connectivity checks
from) addresses nobody asked for. aioice has no option for this, so this module installs, once and
idempotently, a thin wrapper around ``aioice.ice.get_host_addresses`` that consults a
:class:`contextvars.ContextVar`:

- outside :func:`offer_host_addresses` the wrapper calls the original function (aioice's default);
- inside ``with offer_host_addresses(("127.0.0.1",)):`` it returns exactly those addresses
  (filtered by the IPv4/IPv6 flags aioice passes).

Candidate gathering runs in ``RTCPeerConnection.setLocalDescription``, in tasks that copy the
caller's context, so wrapping that call (as :class:`hearing_server.rtc.peer.PeerManager` does)
scopes the restriction to one connection without process-wide mutable configuration.
"""

from __future__ import annotations

import contextvars
import ipaddress
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import aioice.ice
from aiortc import RTCBundlePolicy, RTCConfiguration, RTCIceServer

__all__ = [
    "IceSettings",
    "install_host_address_hook",
    "offer_host_addresses",
    "rtc_configuration",
]

HostAddressGetter = Callable[[bool, bool], list[str]]

_offered_addresses: contextvars.ContextVar[tuple[str, ...] | None] = contextvars.ContextVar(
    "tingshen_ice_host_addresses", default=None
)


@dataclass(frozen=True)
class IceSettings:
    """ICE part of the server settings.

    ``host_addresses``: the only host candidates offered (e.g. ``("127.0.0.1",)`` in tests, the
    public interface's address in a deployment); empty means aioice's default (all interfaces but
    loopback). ``stun_urls``/``turn_urls``: ``stun:host:port`` / ``turn:host:port?transport=udp``.
    """

    host_addresses: tuple[str, ...] = ()
    stun_urls: tuple[str, ...] = ()
    turn_urls: tuple[str, ...] = ()
    turn_username: str | None = None
    turn_password: str | None = None

    def configuration(self) -> RTCConfiguration:
        return rtc_configuration(
            self.stun_urls,
            self.turn_urls,
            turn_username=self.turn_username,
            turn_password=self.turn_password,
        )


def rtc_configuration(
    stun_urls: Sequence[str] = (),
    turn_urls: Sequence[str] = (),
    *,
    turn_username: str | None = None,
    turn_password: str | None = None,
) -> RTCConfiguration:
    """The peer-connection configuration; no URLs means no STUN/TURN at all (not Google's)."""
    for url in stun_urls:
        if not url.startswith(("stun:", "stuns:")):
            raise ValueError(f"not a STUN URL: {url!r}")
    for url in turn_urls:
        if not url.startswith(("turn:", "turns:")):
            raise ValueError(f"not a TURN URL: {url!r}")
    servers: list[RTCIceServer] = [RTCIceServer(urls=list(stun_urls))] if stun_urls else []
    if turn_urls:
        servers.append(
            RTCIceServer(urls=list(turn_urls), username=turn_username, credential=turn_password)
        )
    # Explicit list, even when empty: aiortc substitutes a public STUN server for None.
    return RTCConfiguration(iceServers=servers, bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)


def _restricted(original: HostAddressGetter) -> HostAddressGetter:
    def get_host_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
        offered = _offered_addresses.get()
        if offered is None:
            return original(use_ipv4, use_ipv6)
        chosen = []
        for address in offered:
            version = ipaddress.ip_address(address).version
            if (version == 4 and use_ipv4) or (version == 6 and use_ipv6):
                chosen.append(address)
        return chosen

    get_host_addresses.__wrapped__ = original  # type: ignore[attr-defined]
    return get_host_addresses


def install_host_address_hook() -> None:
    """Wrap ``aioice.ice.get_host_addresses`` once; a no-op when already installed.

    The wrapper behaves exactly like the original outside :func:`offer_host_addresses`.
    """
    current = aioice.ice.get_host_addresses
    if getattr(current, "__wrapped__", None) is None:
        # mypy: a module function replaced by an equivalent callable.
        aioice.ice.get_host_addresses = _restricted(current)  # type: ignore[assignment]


@contextmanager
def offer_host_addresses(addresses: Sequence[str]) -> Iterator[None]:
    """Within this block (and tasks started in it) gather host candidates only on ``addresses``.

    An empty sequence leaves aioice's default in place. Addresses are validated here so that a
    typo in a setting fails at the first connection with a clear message.
    """
    if not addresses:
        yield
        return
    for address in addresses:
        ipaddress.ip_address(address)  # raises ValueError for a malformed address
    install_host_address_hook()
    token = _offered_addresses.set(tuple(addresses))
    try:
        yield
    finally:
        _offered_addresses.reset(token)
