"""Retrying a step until its broker or database is back: one back-off policy, from tenacity."""

from __future__ import annotations

import logging

from tenacity import AsyncRetrying, RetryCallState, wait_exponential

# 0.2 s doubling to 5 s between attempts: quick after a blip, gentle during an outage.
BACKOFF = wait_exponential(multiplier=0.2, max=5.0)


def until_it_works(logger: logging.Logger, message: str) -> AsyncRetrying:
    """Retry on any error, forever, logging each failure with its traceback (a cancel ends it)."""

    def failed(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome is not None else None
        logger.error(message, exc_info=exc)

    return AsyncRetrying(wait=BACKOFF, before_sleep=failed, reraise=True)
