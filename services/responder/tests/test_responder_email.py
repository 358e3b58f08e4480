"""The e-mail adapter against a real local SMTP server: threading headers and SMTP errors."""

from __future__ import annotations

import email
from email import policy

import httpx
import pytest
from aiosmtpd.controller import Controller
from chorus_cli.embedded import free_port
from chorus_platforms.email.sender import EmailSender
from chorus_platforms.kit.outbound import (
    Channel,
    OutboundReply,
    PermanentSendError,
    TransientSendError,
)


class Sink:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("gone@"):
            return "550 5.1.1 mailbox unavailable"
        if address.startswith("busy@"):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp():
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


def _reply(to: str) -> OutboundReply:
    return OutboundReply(
        reply_id="r-1",
        idempotency_key="abc123",
        adapter="email",
        visibility="private",
        mode="create",
        text="Hello Ann,\nyour refund is on its way.",
        post_native_id="CAF=msg-1@mail.example",
        post_kind="email",
        post_url=None,
        parent_native_id="root-0@mail.example",
        author_id=to,
        author_handle=to,
    )


def _channel(port: int) -> Channel:
    return Channel(
        "email",
        "support@brand.example",
        "",
        {
            "smtp_host": "127.0.0.1",
            "smtp_port": str(port),
            "starttls": "false",
            "subject": "Re: your order",
        },
        {},
    )


@pytest.mark.unit
async def test_email_reply_is_threaded_under_the_customers_message(smtp) -> None:
    sink, port = smtp
    async with httpx.AsyncClient() as http:
        delivered = await EmailSender().send(_reply("ann@customer.example"), _channel(port), http)
    assert delivered.platform_reply_id == "<abc123@brand.example>"
    mail_from, rcpt, raw = sink.messages[0]
    assert mail_from == "support@brand.example"
    assert rcpt == ["ann@customer.example"]
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert msg["In-Reply-To"] == "<CAF=msg-1@mail.example>"
    assert msg["References"] == "<root-0@mail.example> <CAF=msg-1@mail.example>"
    assert msg["Message-ID"] == "<abc123@brand.example>"
    assert msg["Subject"] == "Re: your order"
    assert "your refund is on its way" in msg.get_content()


@pytest.mark.unit
async def test_email_smtp_refusals_are_permanent_and_deferrals_transient(smtp) -> None:
    _sink, port = smtp
    async with httpx.AsyncClient() as http:
        with pytest.raises(PermanentSendError) as gone:
            await EmailSender().send(_reply("gone@customer.example"), _channel(port), http)
        assert "mailbox unavailable" in str(gone.value)
        with pytest.raises(TransientSendError) as busy:
            await EmailSender().send(_reply("busy@customer.example"), _channel(port), http)
        assert "try again" in str(busy.value)
        with pytest.raises(TransientSendError) as down:
            await EmailSender().send(_reply("ann@customer.example"), _channel(free_port()), http)
        assert down.value.code == "connect_error" and not down.value.ambiguous
