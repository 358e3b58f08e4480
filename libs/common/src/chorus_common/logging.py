"""Structured JSON logging with the current event's ``trace_id``.

Every value goes through JSON encoding, so nothing a payload carries reaches a log line
unescaped; keys that look like secrets are masked.
"""

from __future__ import annotations

import contextvars
import logging
import sys
from typing import Any

from pythonjsonlogger.orjson import OrjsonFormatter

trace_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("trace_id", default=None)

_SECRET_HINTS = ("secret", "token", "password", "authorization", "signature", "api_key")


def _mask(key: str, value: Any) -> Any:
    if any(h in key.lower() for h in _SECRET_HINTS):
        return "***"
    return value


class JsonFormatter(OrjsonFormatter):
    """One JSON object a line: ts, level, service, logger, msg, trace_id, the record's extras."""

    def __init__(self, service: str) -> None:
        super().__init__(
            "{levelname}{name}{message}",
            style="{",
            rename_fields={
                "levelname": "level",
                "name": "logger",
                "message": "msg",
                "exc_info": "exc",
            },
            static_fields={"service": service},
            timestamp="ts",
        )

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        log_data["level"] = str(log_data["level"]).lower()
        trace = trace_id_var.get()
        if trace:
            log_data["trace_id"] = trace
        return {key: _mask(key, value) for key, value in log_data.items()}


def configure_logging(service: str, level: str = "INFO", json: bool = True) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if json:
        handler.setFormatter(JsonFormatter(service))
    else:
        handler.setFormatter(
            logging.Formatter(f"%(asctime)s {service} %(levelname)s %(name)s %(message)s")
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # INFO is for decisions: the HTTP clients' per-request lines (URLs that carry platform
    # ids) and access logs go only at WARNING and above.
    for noisy in ("aiokafka", "uvicorn.access", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
