"""The demo's sandbox platform: one local server that accepts every platform's reply call and
answers with each platform's documented success body, so `chorus run` shows replies going
out without touching a real network. Point the responder at it with
``RESPONDER_PLATFORM_BASE_URL=http://127.0.0.1:8099`` (and, for e-mail,
``RESPONDER_SMTP_HOST=127.0.0.1 RESPONDER_SMTP_PORT=8025`` with :func:`start_smtp_sink`).

It keeps what it received (``GET /sandbox/replies``) and serves the read endpoints the
responder uses to reconcile after a crash, so exactly-once delivery works against it too.
This is demo tooling, not a test fake: it never fails on purpose.
"""

from __future__ import annotations

import os
from typing import Any

from fastapi import FastAPI

from chorus_cli.sandbox_platforms import ROUTERS
from chorus_cli.sandbox_store import SandboxStore

DEFAULT_PORT = 8099
DEFAULT_SMTP_PORT = 8025


def create_sandbox_app() -> FastAPI:
    """The sandbox as an ASGI app (serve it with uvicorn on port 8099)."""
    app = FastAPI(title="Chorus sandbox platform", version="0.1.0")
    store = SandboxStore()
    app.state.store = store

    @app.get("/sandbox/replies")
    async def received(platform: str | None = None) -> dict[str, Any]:
        items = store.items if platform is None else store.of(platform)
        return {"count": len(items), "replies": items[-200:]}

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    for platform in ROUTERS:
        app.include_router(platform(store))
    return app


def start_smtp_sink(port: int = DEFAULT_SMTP_PORT, host: str = "127.0.0.1") -> Any:
    """An SMTP server that accepts and discards mail (for e-mail replies in the demo).
    Returns the aiosmtpd Controller; call ``.stop()`` to end it."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Sink

    controller = Controller(Sink(), hostname=host, port=port)
    controller.start()
    return controller


def main() -> None:
    """Serve the sandbox (HTTP on PORT, default 8099) and its SMTP sink (SMTP_PORT, 8025)."""
    import uvicorn

    smtp = start_smtp_sink(int(os.environ.get("SMTP_PORT", DEFAULT_SMTP_PORT)))
    try:
        uvicorn.run(
            create_sandbox_app(),
            host="127.0.0.1",
            port=int(os.environ.get("PORT", DEFAULT_PORT)),
            log_level="warning",
        )
    finally:
        smtp.stop()


if __name__ == "__main__":
    main()
