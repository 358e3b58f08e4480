"""Reply constraints: which posts can be answered, how (public or private, create or update)
and how long the answer may be, from each platform's description (``chorus_platforms``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from chorus_platforms.registry import PLATFORMS
from chorus_platforms.spec import Limit, Visibility

Mode = Literal["create", "update"]


class ConstraintError(ValueError):
    """The reply breaks a platform rule; ``code`` is stable and ``field`` names the culprit."""

    def __init__(self, code: str, message: str, field: str = "text") -> None:
        super().__init__(message)
        self.code = code
        self.field = field


# The longest reply each sender takes, as its platform measures it.
LIMITS: dict[str, Limit] = {
    slug: p.limit for slug, p in PLATFORMS.items() if p.sender is not None and p.limit is not None
}


@dataclass(frozen=True, slots=True)
class ReplyPlan:
    adapter: str
    visibility: Visibility
    mode: Mode


def plan_reply(platform: str, kind: str, *, already_answered: bool) -> ReplyPlan:
    """How a reply to a ``kind`` post on ``platform`` goes out; raises :class:`ConstraintError`."""
    described = PLATFORMS.get(platform)
    routes = described.replies if described is not None else None
    if not routes:
        raise ConstraintError(
            "platform_not_supported", f"replies to {platform} posts cannot be sent", "post_id"
        )
    route = routes.get(kind)
    if route is None:
        allowed = ", ".join(sorted(routes))
        raise ConstraintError(
            "kind_not_supported",
            f"a {kind} on {platform} cannot be answered (answerable: {allowed})",
            "post_id",
        )
    single = described is not None and described.single_reply
    mode: Mode = "update" if single and already_answered else "create"
    return ReplyPlan(adapter=route.adapter, visibility=route.visibility, mode=mode)


def check_text(adapter: str, text: str) -> int:
    """Validate ``text`` for ``adapter``; returns its measured length."""
    if not text.strip():
        raise ConstraintError("empty_text", "the reply text is empty")
    limit = LIMITS[adapter]
    size = limit.measure(text)
    if size > limit.maximum:
        raise ConstraintError(
            "too_long",
            f"{adapter} allows {limit.maximum} {limit.unit}; this reply has {size}",
        )
    return size
