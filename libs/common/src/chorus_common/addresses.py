"""Broker and database addresses, checked when the settings are read.

``KAFKA_BOOTSTRAP_SERVERS`` and ``DATABASE_URL`` are refused at start-up with the reason
(syntax, scheme, driver, host) instead of failing later inside a client library. The
messages never repeat a URL, which may carry a password.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

# RFC 1123 host names; "_" too, which Docker's and Kubernetes' DNS serve.
_LABEL = r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
_HOSTNAME = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})*\.?$")
BOOTSTRAP_FORM = "host:port, comma-separated (kafka-1:9092,kafka-2:9092)"
DATABASE_FORMS = (
    "postgresql+asyncpg://user:password@host:5432/name or sqlite+aiosqlite:///path/to/file.db"
)
# Each database Chorus runs on and the asyncio driver it needs.
DRIVERS = {"postgresql": "asyncpg", "sqlite": "aiosqlite"}


@dataclass(frozen=True)
class HostPort:
    host: str
    port: int

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


def check_host(host: str) -> str:
    """``host`` when it is a host name or an IP address, else ValueError."""
    if _HOSTNAME.match(host):
        return host
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        raise ValueError(f"{host!r} is not a host name or an IP address") from None


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ValueError("the port must be a number from 1 to 65535")
    return int(text)


def parse_bootstrap(value: str) -> list[HostPort]:
    """The brokers of a bootstrap list; ValueError naming the entry that is wrong."""
    entries = [e.strip() for e in value.split(",")]
    if not any(entries):
        raise ValueError(f"empty: expected {BOOTSTRAP_FORM}")
    out: list[HostPort] = []
    for entry in entries:
        if not entry:
            raise ValueError(f"an empty entry between commas: expected {BOOTSTRAP_FORM}")
        if "://" in entry:
            raise ValueError(f"{entry!r}: no scheme, expected {BOOTSTRAP_FORM}")
        bracketed = re.fullmatch(r"\[([0-9A-Fa-f:.]+)\]:(.*)", entry)
        if bracketed:
            host, port = bracketed.group(1), bracketed.group(2)
        elif entry.count(":") == 1:
            host, port = entry.split(":")
        else:
            raise ValueError(
                f"{entry!r} is not host:port (an IPv6 address goes in brackets: [::1]:9092)"
            )
        try:
            out.append(HostPort(check_host(host), _port(port)))
        except ValueError as exc:
            raise ValueError(f"{entry!r}: {exc}") from None
    return out


def check_database_url(url: str) -> str:
    """``url`` when Chorus can run on it (database, asyncio driver, host); else ValueError."""
    # The standard library's parser, not SQLAlchemy's: importing SQLAlchemy is most of the
    # settings' import time, and a bad variable is refused sooner without it.
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValueError("the port must be a number from 1 to 65535") from None
    if not parts.scheme or "://" not in url:
        raise ValueError(f"not a database URL: expected {DATABASE_FORMS}")
    backend, _, driver = parts.scheme.partition("+")
    if backend not in DRIVERS:
        raise ValueError(f"database {backend!r} is not supported: expected {DATABASE_FORMS}")
    if driver != DRIVERS[backend]:
        got = f"driver {driver!r}" if driver else "no driver"
        raise ValueError(
            f"{got} for {backend}: Chorus needs {backend}+{DRIVERS[backend]}:// ({DATABASE_FORMS})"
        )
    if backend == "postgresql":
        host = parts.hostname or parse_qs(parts.query).get("host", [""])[0]
        if not host:
            raise ValueError(f"no host: expected {DATABASE_FORMS}")
        if not host.startswith("/"):  # a directory: a Unix socket
            check_host(host)
        if port == 0:
            raise ValueError("the port must be a number from 1 to 65535")
        if not parts.path.strip("/"):
            raise ValueError(f"no database name: expected {DATABASE_FORMS}")
    return url


def database_address(url: str) -> HostPort | None:
    """Where a PostgreSQL URL's server listens over TCP; None for SQLite and Unix sockets."""
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgresql") or not parts.hostname:
        return None
    return HostPort(parts.hostname, parts.port or 5432)


ORIGIN_FORM = "scheme://host[:port], comma-separated (https://console.example.com)"
_DEFAULT_PORTS = {"http": 80, "https": 443}


def parse_origins(value: str) -> tuple[str, ...]:
    """CORS origins as a browser sends them in ``Origin`` (lower case, no default port);
    ValueError naming the entry that is not one. ``*`` is refused: origins are listed."""
    out: list[str] = []
    for entry in (e.strip() for e in value.split(",")):
        if not entry:
            continue
        if "*" in entry:
            raise ValueError(f"{entry!r}: wildcards are refused; list exact origins, {ORIGIN_FORM}")
        out.append(_origin(entry))
    return tuple(dict.fromkeys(out))


def _origin(entry: str) -> str:
    try:
        parts = urlsplit(entry)
        port = parts.port
    except ValueError:
        raise ValueError(f"{entry!r} is not an origin: expected {ORIGIN_FORM}") from None
    if parts.scheme.lower() not in _DEFAULT_PORTS or not parts.hostname:
        raise ValueError(f"{entry!r} is not an http(s) origin: expected {ORIGIN_FORM}")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise ValueError(f"{entry!r} has more than an origin (a path?): expected {ORIGIN_FORM}")
    scheme, host = parts.scheme.lower(), parts.hostname.lower()
    try:
        check_host(host)
    except ValueError as exc:
        raise ValueError(f"{entry!r}: {exc}") from None
    shown = f"[{host}]" if ":" in host else host
    if port is None or port == _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{shown}"
    return f"{scheme}://{shown}:{port}"
