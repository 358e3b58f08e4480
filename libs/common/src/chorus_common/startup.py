"""A service process from its first line to its exit code.

Settings are read before the application is imported, so a bad variable is refused within
a second or two with one line on stderr (exit 78). The runtime (database, broker) is started
before uvicorn, in a task that SIGTERM or SIGINT cancels at once: an unreachable dependency
is waited for up to DEPENDENCY_WAIT_SECONDS, then the process exits 69 with one line naming
it (78 when the dependency refused: bad credentials, no such database, no idempotence where
it is required). Then uvicorn serves until SIGTERM/SIGINT, which run the lifespan shutdown.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, NoReturn, TypeVar

from chorus_common.settings import CommonSettings
from chorus_common.settings_errors import EX_CONFIG, EX_UNAVAILABLE, ConfigError, load_settings

# FastAPI, uvicorn and the runtime are imported only once the settings are valid: they
# are most of a service's import time, and a bad variable is refused sooner without them.
if TYPE_CHECKING:
    import uvicorn
    from fastapi import FastAPI

    from chorus_common.runtime import Runtime

log = logging.getLogger(__name__)
S = TypeVar("S", bound=CommonSettings)
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
# Closing what a failed or interrupted start opened (engine, clients) takes milliseconds.
STOP_TIMEOUT_S = 5.0


def fail(service: str, message: str, code: int) -> NoReturn:
    """The one line a process that cannot start leaves on stderr, then its exit code."""
    print(f"{service}: {message}", file=sys.stderr, flush=True)
    sys.exit(code)


def run_service(
    settings_cls: type[S],
    build_app: Callable[[S], FastAPI],
    *,
    prepare: Callable[[S], None] | None = None,
) -> NoReturn:
    """Read the settings, build the app (after ``prepare``), start its runtime, serve it."""
    service = str(settings_cls.model_fields["service_name"].default)
    try:
        settings = load_settings(settings_cls)
    except ConfigError as exc:
        fail(service, str(exc), EX_CONFIG)
    try:
        sys.exit(_run(settings, build_app, prepare))
    except KeyboardInterrupt:  # Ctrl-C while importing, before the loop handles signals
        sys.exit(128 + signal.SIGINT)


def _run(
    settings: S, build_app: Callable[[S], FastAPI], prepare: Callable[[S], None] | None
) -> int:
    from chorus_common.logging import configure_logging
    from chorus_common.priority import lower_priority, pin_cpus

    configure_logging(settings.service_name, settings.log_level, settings.log_json)
    lower_priority(settings.cpu_nice)
    pin_cpus(settings.cpu_affinity)
    if prepare is not None:
        prepare(settings)
    app = build_app(settings)
    tune_gc(app, settings.gc_tune)
    config = server_config(app, settings)
    with asyncio.Runner(loop_factory=config.get_loop_factory()) as runner:
        return runner.run(_serve(app, config))


def server_config(app: FastAPI, settings: CommonSettings) -> uvicorn.Config:
    """How a service is served. No access log: a stream's URL carries its ticket."""
    import uvicorn

    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        loop="uvloop",
        http="httptools",
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=10,
    )


async def _serve(app: FastAPI, config: uvicorn.Config) -> int:
    import uvicorn

    code = await start_interruptibly(app.state.runtime)
    if code is not None:
        return code
    server = uvicorn.Server(config)
    await server.serve()  # its lifespan finds the runtime started, and stops it at the end
    return 0 if server.started else 1


async def start_interruptibly(runtime: Runtime) -> int | None:
    """Start ``runtime``; SIGTERM/SIGINT cancel the start at once. None once started, else
    the exit code (after the one line saying why)."""
    from chorus_common.dependencies import DependencyRefused, DependencyUnavailable

    service = runtime.settings.service_name
    loop = asyncio.get_running_loop()
    starting = asyncio.ensure_future(runtime.start())
    received: list[int] = []

    def on_signal(sig: int) -> None:
        received.append(sig)
        starting.cancel()

    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, on_signal, sig)
    code: int | None = None
    try:
        await starting
    except asyncio.CancelledError:
        if not received:
            raise
    except DependencyRefused as exc:
        print(f"{service}: {exc}", file=sys.stderr, flush=True)
        code = EX_CONFIG
    except DependencyUnavailable as exc:
        print(f"{service}: {exc}", file=sys.stderr, flush=True)
        code = EX_UNAVAILABLE
    finally:
        for sig in STOP_SIGNALS:
            loop.remove_signal_handler(sig)
    if received and code is None:  # also when the signal came as the start completed
        log.info("stopped while starting", extra={"signal": signal.Signals(received[0]).name})
        code = 128 + received[0]
    if code is not None:
        try:
            await asyncio.wait_for(runtime.stop(), STOP_TIMEOUT_S)
        except Exception as exc:  # the reason above matters more than a failed clean-up
            log.warning("clean-up after start-up failed", extra={"error": repr(exc)})
    return code


GC_GEN0_THRESHOLD = 10_000


def tune_gc(app: FastAPI, enabled: bool) -> None:
    """Keep the cyclic GC off the hot path of a long-running service process (``GC_TUNE``).

    Imported modules and what the lifespan builds at start-up are moved out of the collected
    generations (``gc.freeze``), so a full collection does not walk them; the first
    generation is collected every 10,000 allocations instead of 700, because decoding a
    batch allocates tens of thousands. Off: the interpreter's defaults.
    """
    if not enabled:
        return
    gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(GC_GEN0_THRESHOLD, gen1, gen2)
    app.state.gc_freeze = True
