"""Per-platform reply constraints: which posts can be answered, how (public or private,
create or update) and how long the answer may be, each as the platform documents it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from chorus_responder.domain.textlength import mastodon_length, utf8_bytes, x_weighted_length

Visibility = Literal["public", "private"]
Mode = Literal["create", "update"]


class ConstraintError(ValueError):
    """The reply breaks a platform rule; ``code`` is stable and ``field`` names the culprit."""

    def __init__(self, code: str, message: str, field: str = "text") -> None:
        super().__init__(message)
        self.code = code
        self.field = field


@dataclass(frozen=True, slots=True)
class Limit:
    maximum: int
    unit: str
    measure: Callable[[str], int]


# Documented maxima: X 280 weighted characters; Facebook comments 8,000 characters;
# Messenger text 2,000; Instagram comments 2,200; WhatsApp text body 4,096; Google review
# replies 4,096 bytes; YouTube comments 10,000; Reddit comments 10,000; Mastodon 500 (its
# default instance limit, every URL counted as 23). E-mail has no platform limit: ours.
LIMITS: dict[str, Limit] = {
    "x": Limit(280, "weighted characters", x_weighted_length),
    "facebook": Limit(8000, "characters", len),
    "messenger": Limit(2000, "characters", len),
    "instagram": Limit(2200, "characters", len),
    "whatsapp": Limit(4096, "characters", len),
    "google_business": Limit(4096, "bytes", utf8_bytes),
    "youtube": Limit(10_000, "characters", len),
    "reddit": Limit(10_000, "characters", len),
    "mastodon": Limit(500, "characters", mastodon_length),
    "email": Limit(100_000, "characters", len),
}

PUBLIC_KINDS = frozenset({"post", "comment", "reply", "mention"})

# platform -> kind -> (adapter, visibility)
_ROUTES: dict[str, dict[str, tuple[str, Visibility]]] = {
    "x": {k: ("x", "public") for k in PUBLIC_KINDS},
    "facebook": {
        **{k: ("facebook", "public") for k in PUBLIC_KINDS},
        "dm": ("messenger", "private"),
    },
    "messenger": {k: ("messenger", "private") for k in (*PUBLIC_KINDS, "dm")},
    "instagram": {k: ("instagram", "public") for k in ("comment", "reply", "mention")},
    "whatsapp": {k: ("whatsapp", "private") for k in (*PUBLIC_KINDS, "dm")},
    "google_business": {"review": ("google_business", "public")},
    "youtube": {k: ("youtube", "public") for k in ("comment", "reply")},
    "reddit": {**{k: ("reddit", "public") for k in PUBLIC_KINDS}, "dm": ("reddit", "private")},
    "mastodon": {
        **{k: ("mastodon", "public") for k in PUBLIC_KINDS},
        "dm": ("mastodon", "private"),
    },
    "email": {"email": ("email", "private"), "dm": ("email", "private")},
}

# Platforms where the brand holds a single, editable answer per post.
SINGLE_EDITABLE_REPLY = frozenset({"google_business"})


@dataclass(frozen=True, slots=True)
class ReplyPlan:
    adapter: str
    visibility: Visibility
    mode: Mode


def plan_reply(platform: str, kind: str, *, already_answered: bool) -> ReplyPlan:
    """How a reply to a ``kind`` post on ``platform`` goes out; raises :class:`ConstraintError`."""
    routes = _ROUTES.get(platform)
    if routes is None:
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
    adapter, visibility = route
    mode: Mode = "update" if platform in SINGLE_EDITABLE_REPLY and already_answered else "create"
    return ReplyPlan(adapter=adapter, visibility=visibility, mode=mode)


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
