"""WhatsApp: statuses of the business's own messages are skipped receipts; messages the
business sent from the WhatsApp Business app (``smb_message_echoes``) are its own DMs."""

from __future__ import annotations

import pytest
from chorus_platforms.whatsapp.inbound import WhatsAppConnector

from services.ingest.tests.connector_kit import canonical, expected, fixture, raw

pytestmark = pytest.mark.unit
WA = WhatsAppConnector()


def test_a_sent_status_is_a_skipped_receipt() -> None:
    result = WA.normalize(raw(fixture("whatsapp", "status_sent.json")))
    assert result.posts == [] and result.errors == []
    assert [(k.code, k.reason, k.index, k.native_id) for k in result.skipped] == [
        ("status", "a sent status of the business's own message", 0, "wamid.xyzxyz")
    ]


def test_a_business_app_echo_is_the_brands_own_dm_in_the_customers_conversation() -> None:
    (post,) = WA.normalize(raw(fixture("whatsapp", "smb_message_echo.json"))).posts
    assert canonical(post) == expected(
        id="whatsapp:<WHATSAPP_MESSAGE_ID>",
        platform="whatsapp",
        channel="1122334455667",
        kind="dm",
        native_id="<WHATSAPP_MESSAGE_ID>",
        thread_id="whatsapp:1122334455667:<WHATSAPP_USER_PHONE_NUMBER>",
        author={"id": "<BUSINESS_DISPLAY_PHONE_NUMBER>"},
        text="Test message",
        created_at="2023-10-11T16:53:43Z",
        from_brand=True,
    )


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ({"id": "wamid.S", "from": "1", "timestamp": "1", "type": "system"}, "system"),
        ({"id": "wamid.R", "from": "1", "timestamp": "1", "type": "reaction",
          "reaction": {"message_id": "wamid.X", "emoji": ""}}, "reaction_removed"),
    ],
)  # fmt: skip
def test_messages_that_are_not_posts_are_skipped(message: dict[str, object], code: str) -> None:
    value = {"metadata": {"phone_number_id": "1122334455667"}, "messages": [message]}
    doc = {"object": "whatsapp_business_account",
           "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}]}  # fmt: skip
    result = WA.normalize(raw(doc))
    assert result.posts == [] and [k.code for k in result.skipped] == [code]
