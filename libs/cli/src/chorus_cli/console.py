"""`chorus console`: serve the reference console (`console/`, static files) and its
`/config.json` (the identity provider, the console's client id and the services' URLs).

The console is a plain single-page app on the services' public APIs; this command only
serves files. Its one package (`oidc-client-ts`) is installed by `npm ci` on first use.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from chorus_common.contracts.platforms import PLATFORMS
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from chorus_cli.npm import npm_ci

ROOT = Path(__file__).resolve().parents[4]
CONSOLE = Path(os.environ.get("CHORUS_CONSOLE_DIR", ROOT / "console"))
VENDOR = Path("node_modules") / "oidc-client-ts" / "dist" / "browser"
DEFAULT_ISSUER = "http://127.0.0.1:9400"
CLIENT_ID = "chorus-console"
SERVICE_PORTS = {"ingest": 8001, "router": 8002, "responder": 8003, "analytics": 8004}
LANGUAGES = ("en", "fr")
# The page may load scripts and styles only from itself and talk to the configured origins.
CSP = "default-src 'self'; connect-src {connect}; img-src 'self' data:; frame-ancestors 'none'"


class ConsoleError(RuntimeError):
    """The console's files could not be installed or its configuration read."""


def default_config(
    *,
    issuer: str = DEFAULT_ISSUER,
    client_id: str = CLIENT_ID,
    services: dict[str, str] | None = None,
    host: str = "127.0.0.1",
) -> dict[str, Any]:
    """The configuration `chorus run` serves: local services on their usual ports."""
    urls = services or {name: f"http://{host}:{port}" for name, port in SERVICE_PORTS.items()}
    return {
        "issuer": issuer,
        "client_id": client_id,
        "services": dict(urls),
        "languages": list(LANGUAGES),
        "platforms": list(PLATFORMS),
    }


def load_config(path: Path) -> dict[str, Any]:
    """A JSON file with the same keys; missing ones take the defaults."""
    try:
        given = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ConsoleError(f"--config {path}: {exc}") from exc
    if not isinstance(given, dict):
        raise ConsoleError(f"--config {path}: expected a JSON object")
    base = default_config()
    services = {**base["services"], **(given.get("services") or {})}
    return {**base, **given, "services": services}


def install(console: Path = CONSOLE) -> None:
    """`npm ci` in console/ unless its packages are there already."""
    try:
        npm_ci(console, console / VENDOR, "the console's OpenID client library")
    except RuntimeError as exc:
        raise ConsoleError(str(exc)) from None


def _origins(config: dict[str, Any]) -> str:
    urls = [config["issuer"], *config["services"].values()]
    return " ".join(["'self'", *dict.fromkeys(u.rstrip("/") for u in urls)])


class _Headers:
    """Security headers on every answer (ASGI middleware)."""

    def __init__(self, app: Any, csp: str) -> None:
        self.app, self.csp = app, csp.encode()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] += [
                    (b"content-security-policy", self.csp),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"cache-control", b"no-cache"),
                ]
            await send(message)

        await self.app(scope, receive, with_headers)


def console_app(config: dict[str, Any], console: Path = CONSOLE) -> Any:
    """The ASGI app: `/config.json`, `/vendor/` (oidc-client-ts) and the console's files."""
    body = dict(config)

    async def config_json(_: Request) -> Response:
        return JSONResponse(body)

    async def ready(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    app = Starlette(
        routes=[
            Route("/config.json", config_json),
            Route("/healthz", ready),
            Route("/readyz", ready),
            Mount("/vendor", StaticFiles(directory=console / VENDOR), name="vendor"),
            Mount("/", StaticFiles(directory=console, html=True), name="console"),
        ]
    )
    return _Headers(app, CSP.format(connect=_origins(config)))


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser("console", help="serve the reference console")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--config", type=Path, help="JSON: issuer, client_id, services, languages")
    p.add_argument("--issuer", help="OpenID provider (overrides the config file)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    config = load_config(args.config) if args.config else default_config()
    if args.issuer:
        config["issuer"] = args.issuer
    install()
    print(f"console on http://{args.host}:{args.port}/ (issuer {config['issuer']})", flush=True)
    uvicorn.run(console_app(config), host=args.host, port=args.port, log_level="warning")
    return 0
