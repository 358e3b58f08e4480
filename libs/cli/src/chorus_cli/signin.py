"""What `chorus run` adds for people: the development identity provider, where the demo
directory's members sign in, and the reference console; and the settings that make the
services trust the one and answer the other's browser."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

from chorus_cli.demo_directory import EMAIL_DOMAIN, LEADS, MEMBERS, PASSWORD, idp_users
from chorus_cli.devidp import DevIdP, DevIdPError, IdPClient
from chorus_cli.procs import ServiceProcess, start_service

IDP_PORT = 9400
CONSOLE_PORT = 8080
CONSOLE_CLIENT = "chorus-console"
AUDIENCE = "urn:chorus:api"


def origin(port: int) -> str:
    return f"http://127.0.0.1:{port}"


def service_env(issuer: str | None, console_port: int | None) -> dict[str, str]:
    """Settings every service gets: the tokens' issuer and audience, the console's origin."""
    env = {"OIDC_AUDIENCE": AUDIENCE}
    if issuer:
        env["OIDC_ISSUER"] = issuer
    if console_port:
        env["CORS_ALLOW_ORIGINS"] = origin(console_port)
    return env


class IdPHandle:
    """The identity provider started in a thread, and stopped even if that start is still
    under way when `chorus run` stops (``close`` then stops it as soon as it is up)."""

    def __init__(self, var: Path, port: int, console_port: int) -> None:
        redirect = origin(console_port) + "/"
        client = IdPClient(CONSOLE_CLIENT, (redirect,), post_logout_redirect_uris=(redirect,))
        self.idp = DevIdP(port, var / "idp", users=idp_users(), clients=[client])
        self.running = False
        self._closed = False
        self._lock = threading.Lock()

    def start(self) -> str | None:
        """The issuer once it answers; None (after one line saying why) when it cannot run."""
        try:
            self.idp.start(timeout=60)
        except (DevIdPError, OSError, subprocess.SubprocessError) as exc:
            print(f"sign-in   identity provider not started ({_why(exc)}): OIDC sign-in is off")
            return None
        with self._lock:
            if self._closed:
                self.idp.stop()
                return None
            self.running = True
        return self.idp.issuer

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self.running:
                self.idp.stop()
                self.running = False


def _why(exc: BaseException) -> str:
    if isinstance(exc, subprocess.CalledProcessError):
        return f"`{' '.join(map(str, exc.cmd))}` exited {exc.returncode}"
    return str(exc) or type(exc).__name__


def console_config(issuer: str | None, urls: dict[str, str]) -> dict[str, Any]:
    """What the console serves as /config.json."""
    return {
        "issuer": issuer or "",
        "client_id": CONSOLE_CLIENT,
        "services": urls,
        "languages": ["en", "fr"],
    }


def start_console(var: Path, port: int, config: dict[str, Any]) -> ServiceProcess | None:
    """`chorus console` on ``port`` serving ``config``, as a supervised process; None (after
    one line saying why) without node and npm, which the console's build needs."""
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        print(f"console   not started: {' and '.join(missing)} not found on PATH")
        return None
    path = var / "console-config.json"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(config, fh, indent=2)
    return start_service(
        "console",
        port=port,
        env={},
        log_dir=var / "log",
        module="chorus_cli.main",
        args=("console", "--port", str(port), "--config", str(path)),
    )


def sign_in_lines(issuer: str | None, console: ServiceProcess | None) -> list[str]:
    """The summary's lines on where to sign in and as whom."""
    if console is None and issuer is None:
        return []
    lines = []
    if console is not None:
        lines.append(f"console   {console.url}/")
    if issuer is not None:
        lines.append(f"sign-in   {issuer}  (OpenID provider, client {CONSOLE_CLIENT})")
        leads = ", ".join(LEADS.values())
        lines.append(
            f"          demo users <member>@{EMAIL_DOMAIN}, password {PASSWORD!r}: "
            f"{', '.join(m.id for m in MEMBERS)} (team leads: {leads})"
        )
    return lines
