"""The outbound adapters, one line per platform, and where each one's API lives by default."""

from __future__ import annotations

from chorus_responder.sending import google, meta, reddit, x
from chorus_responder.sending.base import Sender
from chorus_responder.sending.email import EmailSender
from chorus_responder.sending.mastodon import MastodonSender

SENDERS: dict[str, Sender] = {
    "x": x.XSender(),
    "facebook": meta.FacebookCommentSender(),
    "messenger": meta.MessengerSender(),
    "instagram": meta.InstagramSender(),
    "whatsapp": meta.WhatsAppSender(),
    "google_business": google.GoogleReviewSender(),
    "youtube": google.YouTubeSender(),
    "reddit": reddit.RedditSender(),
    "mastodon": MastodonSender(),
    "email": EmailSender(),
}

DEFAULT_BASE_URLS: dict[str, str] = {
    "x": x.DEFAULT_BASE,
    "facebook": meta.DEFAULT_BASE,
    "messenger": meta.DEFAULT_BASE,
    "instagram": meta.DEFAULT_BASE,
    "whatsapp": meta.DEFAULT_BASE,
    "google_business": google.BUSINESS_BASE,
    "youtube": google.YOUTUBE_BASE,
    "reddit": reddit.DEFAULT_BASE,
}
