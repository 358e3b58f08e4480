"""Retrying a step until its broker or database is back: one back-off policy, from tenacity."""

from __future__ import annotations

import logging

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

# 0.2 s doubling to 5 s between attempts: quick after a blip, gentle during an outage.
BACKOFF = wait_exponential(multiplier=0.2, max=5.0)


def until_it_works(logger: logging.Logger, message: str) -> AsyncRetrying:
    """Retry on any error, forever, logging each failure with its traceback (a cancel ends it)."""

    def failed(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome is not None else None
        logger.error(message, exc_info=exc)

    return AsyncRetrying(wait=BACKOFF, before_sleep=failed, reraise=True)


def a_few_times(
    attempts: int, retry_on: type[BaseException] | tuple[type[BaseException], ...]
) -> AsyncRetrying:
    """Retry a call that may fail for a moment (``retry_on``) at most ``attempts`` times in
    all, with the same back-off; the last failure is raised as it was."""
    return AsyncRetrying(
        wait=BACKOFF,
        stop=stop_after_attempt(attempts),
        retry=retry_if_exception_type(retry_on),
        reraise=True,
    )
