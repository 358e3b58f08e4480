"""E-mail over SMTP, threaded under the customer's message with In-Reply-To and References."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate

import aiosmtplib
import httpx

from chorus_platforms.kit.outbound import (
    Channel,
    Delivered,
    OutboundReply,
    PermanentSendError,
    Reconcile,
    TransientSendError,
)


def _msgid(value: str) -> str:
    value = value.strip()
    return value if value.startswith("<") else f"<{value}>"


def recipient(reply: OutboundReply) -> str:
    for candidate in (reply.author_handle, reply.author_id):
        if candidate and "@" in candidate:
            return candidate.strip()
    raise PermanentSendError("no_recipient", "the customer's e-mail address is unknown")


def build_message(reply: OutboundReply, channel: Channel) -> EmailMessage:
    """The reply e-mail; its Message-ID derives from the reply's idempotency key."""
    sender = channel.option("from_address") or channel.channel
    domain = sender.rpartition("@")[2] or "chorus.invalid"
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = recipient(reply)
    msg["Subject"] = channel.option("subject") or "Re: your message"
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = f"<{reply.idempotency_key}@{domain}>"
    parent = _msgid(reply.post_native_id)
    msg["In-Reply-To"] = parent
    refs = [_msgid(reply.parent_native_id)] if reply.parent_native_id else []
    msg["References"] = " ".join([*[r for r in refs if r != parent], parent])
    msg.set_content(reply.text)
    return msg


class EmailSender:
    """SMTP submission. Mailboxes cannot be searched, so an interrupted send is never repeated
    automatically (it ends as ``outcome_unknown`` for a person to check)."""

    platform = "email"
    reconcile: Reconcile = "none"

    async def send(
        self, reply: OutboundReply, channel: Channel, http: httpx.AsyncClient
    ) -> Delivered:
        """Submits the message to the relay (not idempotent)."""
        msg = build_message(reply, channel)
        host = channel.option("smtp_host")
        if not host:
            raise PermanentSendError("channel_not_configured", "no SMTP host for this channel")
        port = int(channel.option("smtp_port") or 587)
        user = channel.credentials.get("username")
        tls = (channel.option("starttls") or "auto").lower()
        try:
            await aiosmtplib.send(
                msg,
                hostname=host,
                port=port,
                username=user or None,
                password=channel.credentials.get("password") if user else None,
                start_tls=None if tls == "auto" else tls == "true",
                timeout=float(channel.option("timeout") or 10),
            )
        except aiosmtplib.SMTPConnectError as exc:
            raise TransientSendError("connect_error", f"email: cannot connect ({exc})") from exc
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [r.code for r in exc.recipients]
            if codes and all(400 <= c < 500 for c in codes):
                raise TransientSendError("recipient_deferred", f"email: {exc}") from exc
            raise PermanentSendError("recipient_refused", f"email: {exc}") from exc
        except aiosmtplib.SMTPResponseException as exc:
            if 400 <= exc.code < 500:
                raise TransientSendError(f"smtp_{exc.code}", f"email: {exc.message}") from exc
            raise PermanentSendError(f"smtp_{exc.code}", f"email: {exc.message}") from exc
        except (TimeoutError, aiosmtplib.SMTPTimeoutError) as exc:
            raise TransientSendError("timeout", "email: relay timed out", ambiguous=True) from exc
        except aiosmtplib.SMTPException as exc:
            raise TransientSendError("smtp_error", f"email: {exc}", ambiguous=True) from exc
        return Delivered(str(msg["Message-ID"]))

    async def find(
        self, reply: OutboundReply, channel: Channel, http: httpx.AsyncClient
    ) -> Delivered | None:
        """Not available over SMTP."""
        return None
