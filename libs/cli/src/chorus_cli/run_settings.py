"""What `chorus run` gives its services: environment, CPU pinning, databases and ports."""

from __future__ import annotations

from collections.abc import Mapping

from chorus_common.addresses import check_database_url
from chorus_common.settings_errors import ConfigError

from chorus_cli.procs import SERVICES
from chorus_cli.signin import CONSOLE_PORT, IDP_PORT, origin

SANDBOX_PORT = 8099
SMTP_PORT = 8025
DEFAULT_PORTS: dict[str, int] = {
    **SERVICES,
    "sandbox": SANDBOX_PORT,
    "smtp": SMTP_PORT,
    "idp": IDP_PORT,
    "console": CONSOLE_PORT,
}


def service_env(bootstrap: str, environ: Mapping[str, str]) -> dict[str, str]:
    """Environment every service gets from `chorus run` (on top of the inherited one)."""
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "KAFKA_SESSION_TIMEOUT_MS": environ.get("KAFKA_SESSION_TIMEOUT_MS", "6000"),
        # The console `chorus run` serves calls the services from its own origin.
        "CORS_ALLOW_ORIGINS": environ.get("CORS_ALLOW_ORIGINS", origin(CONSOLE_PORT)),
    }
    # Each service has its own fetch wait (router 20 ms; responder and analytics, which
    # gather anyway, longer); one set in the environment applies to all of them.
    if "KAFKA_FETCH_MAX_WAIT_MS" in environ:
        env["KAFKA_FETCH_MAX_WAIT_MS"] = environ["KAFKA_FETCH_MAX_WAIT_MS"]
    return env


# The routing path's two Python processes; `chorus run` gives each a CPU of its own.
PINNED = ("ingest", "router")


def routing_path_affinity(environ: Mapping[str, str], allowed: set[int]) -> dict[str, str]:
    """``CPU_AFFINITY`` per service: ingest and the router each pinned to a CPU of its own
    (chorus_common.priority says why), the others left to the scheduler. Nothing when fewer
    than two CPUs are allowed, when ``PIN_ROUTING_PATH=0``, or when ``CPU_AFFINITY`` is set
    in the environment (every service inherits that one)."""
    if environ.get("PIN_ROUTING_PATH", "1") == "0" or "CPU_AFFINITY" in environ:
        return {}
    if len(allowed) < 2:
        return {}
    return {name: str(cpu) for name, cpu in zip(PINNED, sorted(allowed), strict=False)}


def run_ports(overrides: list[str]) -> dict[str, int]:
    """The default ports with ``NAME=PORT`` overrides (ConfigError naming a bad one)."""
    ports = dict(DEFAULT_PORTS)
    for item in overrides:
        name, _, value = item.partition("=")
        if name not in ports or not value.isdigit() or not 0 < int(value) < 65536:
            raise ConfigError(
                f"invalid --port {item!r}: expected NAME=PORT, NAME one of {', '.join(ports)}"
            )
        ports[name] = int(value)
    return ports


def service_database_urls(environ: Mapping[str, str]) -> dict[str, str]:
    """The ``<SERVICE>_DATABASE_URL`` variables set, each checked (ConfigError naming it)."""
    urls: dict[str, str] = {}
    for name in SERVICES:
        variable = f"{name.upper()}_DATABASE_URL"
        if variable in environ:
            try:
                urls[name] = check_database_url(environ[variable])
            except ValueError as exc:
                raise ConfigError(f"invalid setting {variable}: {exc}") from None
    return urls
