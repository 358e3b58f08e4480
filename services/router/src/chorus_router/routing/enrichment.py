"""Signals the rules need, computed the way ingest computes them, when a post lacks them."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import cache

from chorus_common.contracts.events import Post

log = logging.getLogger(__name__)


@cache
def _enricher() -> Callable[[Post], Post] | None:
    try:
        from chorus_signals import enrich
    except ImportError:  # the signals package is optional: rules then see what the post has
        log.warning("chorus_signals not installed; posts are routed without computed signals")
        return None
    fn: Callable[[Post], Post] = enrich
    return fn


def needs_signals(post: Post) -> bool:
    return bool(post.text) and (post.lang is None or post.signals.sentiment_label is None)


def with_signals(post: Post) -> tuple[Post, bool]:
    """``post`` with language and signals filled in if missing; the flag says if it changed."""
    if not needs_signals(post):
        return post, False
    fn = _enricher()
    if fn is None:
        return post, False
    try:
        return fn(post), True
    except Exception:
        log.exception("signal enrichment failed; routing with the post as received")
        return post, False
