"""The SSRF guard: decide whether a URL may be fetched, and to which IP addresses.

Every URL the crawler fetches (the first one and each redirect hop) goes through `check_target`:

- only ``http`` and ``https``; no credentials (``user:pass@``); a host made of DNS characters or an IP
  literal — anything else is ``FetchError(code="invalid_url")``;
- the host is resolved through a `Resolver` (by default the system's ``getaddrinfo``), and legacy numeric
  IPv4 spellings that ``inet_aton`` accepts (``2130706433``, ``0x7f.1``, ``0177.0.0.1``, ``127.1``) are
  normalised as well, so they cannot sneak past as "names";
- every address must be public: private (10/8, 172.16/12, 192.168/16, fc00::/7), loopback, link-local
  (including the cloud metadata address 169.254.169.254), unspecified, multicast, reserved, CGNAT
  (100.64/10) and documentation ranges are refused, as are IPv6 forms that embed such an IPv4 address
  (IPv4-mapped ``::ffff:a.b.c.d``, NAT64 ``64:ff9b::/96``, 6to4, Teredo). One bad address blocks the URL,
  because the connection could land on any of them;
- a host listed in ``HIGHPIPE_ALLOW_HOSTS`` (``host`` or ``host:port``) skips the address check, but is
  still resolved through the resolver so that the connection goes where the resolver says.

The checked addresses are returned so that the transport (`pinning`) connects to exactly those, which
closes the DNS-rebinding window between "check" and "connect".
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

import httpx

from highpipe.ports.fetch import FetchError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Ranges that `ipaddress`'s flags do not all cover in Python 3.11, listed explicitly as a second net.
_BLOCKED_NETS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "::/128",
        "::1/128",
        "fc00::/7",
        "fe80::/10",
        "fec0::/10",
        "ff00::/8",
    )
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_HOSTNAME_RE = re.compile(r"^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\.?$")
_NUMERIC_PART_RE = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$")

ALLOW_HINT = "Allow-list the host in HIGHPIPE_ALLOW_HOSTS if this is intended."


class Resolver(Protocol):
    """Turns a host name into the IP addresses a connection to it may use."""

    async def resolve(self, host: str, port: int) -> list[str]: ...


class SystemResolver:
    """The operating system's resolver (``getaddrinfo``), run off the event loop."""

    async def resolve(self, host: str, port: int) -> list[str]:
        loop = asyncio.get_running_loop()
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        # sockaddr[0] is the address; an IPv6 one may carry a "%scope" suffix, which is kept.
        return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True, slots=True)
class Target:
    """A URL that passed the guard: where to connect (``host``/``port``) and which IPs are allowed."""

    url: httpx.URL
    host: str
    port: int
    addresses: tuple[str, ...]
    allow_listed: bool


def invalid_url(detail_ko: str, detail_en: str) -> FetchError:
    return FetchError(f"{detail_ko} / {detail_en}", code="invalid_url")


def blocked(host: str, address: str) -> FetchError:
    shown = address if host == address else f"{host} → {address}"
    return FetchError(
        "내부 네트워크 주소는 가져올 수 없습니다 / Refusing to fetch a private, loopback or link-local "
        f"address ({shown}). {ALLOW_HINT}",
        code="blocked_address",
    )


def parse_legacy_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """Read `host` the way ``inet_aton`` would (1-4 parts, each decimal, 0-octal or 0x-hex), else None."""
    host = host.lower().removesuffix(".")
    parts = host.split(".")
    if not 1 <= len(parts) <= 4 or not all(_NUMERIC_PART_RE.match(p) for p in parts):
        return None
    values: list[int] = []
    for part in parts:
        if part.startswith("0x"):
            values.append(int(part[2:] or "0", 16))
        elif len(part) > 1 and part.startswith("0"):
            if any(c in "89" for c in part):
                return None
            values.append(int(part, 8))
        else:
            values.append(int(part))
    # The last part fills all the bytes the earlier parts did not.
    last_bits = 8 * (5 - len(values))
    if any(v > 255 for v in values[:-1]) or values[-1] >= 1 << last_bits:
        return None
    number = values[-1]
    for i, v in enumerate(values[:-1]):
        number |= v << (24 - 8 * i)
    return ipaddress.IPv4Address(number)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    found: list[ipaddress.IPv4Address] = []
    if ip.ipv4_mapped is not None:
        found.append(ip.ipv4_mapped)
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)
    if ip in _NAT64:
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


def is_public_address(ip: IPAddress) -> bool:
    """True only for a globally routable unicast address (and, for IPv6, any IPv4 it embeds)."""
    if isinstance(ip, ipaddress.IPv6Address):
        ip = ipaddress.IPv6Address(ip.packed)  # drops a "%scope" suffix
        if ip.ipv4_mapped is not None:  # ::ffff:a.b.c.d is that IPv4 address on the wire
            return is_public_address(ip.ipv4_mapped)
        if not all(is_public_address(v4) for v4 in _embedded_ipv4(ip)):
            return False
    flags = (
        ip.is_private,
        ip.is_loopback,
        ip.is_link_local,
        ip.is_multicast,
        ip.is_reserved,
        ip.is_unspecified,
        not ip.is_global,
    )
    return not any(flags) and not any(ip in net for net in _BLOCKED_NETS if net.version == ip.version)


def is_allow_listed(host: str, port: int, allow_hosts: Iterable[str]) -> bool:
    host = host.lower().removesuffix(".")
    for entry in allow_hosts:
        entry = entry.strip().lower()
        if not entry:
            continue
        if entry.strip("[]").removesuffix(".") == host:
            return True
        name, sep, entry_port = entry.rpartition(":")
        if sep and entry_port.isdigit() and name.strip("[]").removesuffix(".") == host:
            if int(entry_port) == port:
                return True
    return False


def parse_url(url: str | httpx.URL) -> httpx.URL:
    """Parse with httpx — the same parser the client uses, so the guard sees what is sent."""
    if isinstance(url, httpx.URL):
        parsed = url
    else:
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL as exc:
            raise _invalid_parse(url, str(exc)) from None
    if parsed.scheme not in ("http", "https"):
        shown = parsed.scheme or "(none)"
        raise invalid_url(
            f"http 또는 https 주소만 가져올 수 있습니다 (스킴: {shown})",
            f"Only http and https URLs can be fetched (scheme: {shown})",
        )
    if parsed.userinfo:
        raise invalid_url(
            "사용자 이름이나 비밀번호가 들어간 주소는 가져올 수 없습니다",
            "URLs with credentials (user:password@) are not accepted",
        )
    if not parsed.raw_host:
        raise invalid_url("주소에 호스트가 없습니다", f"The URL has no host: {url}")
    return parsed


def _invalid_parse(url: str, why: str) -> FetchError:
    # httpx refuses "0177.0.0.1" (leading zeros) although inet_aton reads it as 127.0.0.1; call such a
    # URL what it is, so that the user hears "internal address" rather than "malformed".
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        host = ""
    ip = parse_legacy_ipv4(host) if host else None
    if ip is not None and not is_public_address(ip):
        return blocked(host, str(ip))
    return invalid_url("올바른 주소가 아닙니다", f"This is not a valid URL ({why})")


async def check_target(url: str | httpx.URL, resolver: Resolver, allow_hosts: Iterable[str]) -> Target:
    """Validate `url` and return the addresses a connection to it may use; raise FetchError if refused."""
    parsed = parse_url(url)
    host = parsed.raw_host.decode("ascii").lower()
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    allowed = is_allow_listed(host, port, allow_hosts)

    literal: IPAddress | None = None
    if ":" in host:  # IPv6 literal; httpx percent-encodes a zone id as %25
        try:
            literal = ipaddress.IPv6Address(host.split("%", 1)[0])
        except ValueError:
            raise invalid_url("올바른 IPv6 주소가 아닙니다", f"Invalid IPv6 address: {host}") from None
    else:
        if not _HOSTNAME_RE.match(host):
            raise invalid_url(
                "호스트 이름에 쓸 수 없는 문자가 있습니다", f"Invalid characters in host: {host}"
            )
        literal = parse_legacy_ipv4(host)

    if literal is not None and not allowed and not is_public_address(literal):
        raise blocked(host, str(literal))
    if literal is None:
        addresses = await _resolve(resolver, host, port)
    elif isinstance(literal, ipaddress.IPv4Address) and host.removesuffix(".") != str(literal):
        # A legacy spelling: also ask the resolver, in case it reads the name differently.
        try:
            extra = await _resolve(resolver, host, port)
        except FetchError:
            extra = []
        addresses = list(dict.fromkeys([str(literal), *extra]))
    else:
        addresses = [str(literal)]
    if not allowed:
        for address in addresses:
            try:
                ip = ipaddress.ip_address(address)
            except ValueError:
                raise blocked(host, address) from None
            if not is_public_address(ip):
                raise blocked(host, address)
    return Target(url=parsed, host=host, port=port, addresses=tuple(addresses), allow_listed=allowed)


async def _resolve(resolver: Resolver, host: str, port: int) -> list[str]:
    try:
        addresses = await resolver.resolve(host, port)
    except (OSError, UnicodeError) as exc:
        raise unreachable(host, str(exc)) from None
    if not addresses:
        raise unreachable(host, "no addresses")
    return list(addresses)


def unreachable(host: str, why: str) -> FetchError:
    return FetchError(
        f"사이트에 연결할 수 없습니다 ({host}) / Could not reach the site ({host}): {why}",
        code="unreachable",
    )


async def check_url(url: str | httpx.URL, resolver: Resolver, allow_hosts: Iterable[str]) -> None:
    """Raise FetchError (``invalid_url`` / ``blocked_address`` / ``unreachable``) unless `url` may be fetched."""
    await check_target(url, resolver, allow_hosts)
