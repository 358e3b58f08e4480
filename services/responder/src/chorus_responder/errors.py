"""Application errors with a stable code; the API turns them into HTTP answers."""

from __future__ import annotations

from typing import Any


class ResponderError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        field: str | None = None,
        extra: dict[str, Any] | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.field = field
        self.extra = extra or {}
        self.retry_after = retry_after  # seconds: the answer may change by then (503)

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "message": str(self), "field": self.field, **self.extra}


def not_found(what: str, ident: str) -> ResponderError:
    return ResponderError(404, f"{what}_not_found", f"no {what} {ident}")
