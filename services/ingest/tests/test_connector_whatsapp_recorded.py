"""WhatsApp deliveries copied from pywa's recorded test data (one case each), field by field."""

from __future__ import annotations

from typing import Any

import pytest
from chorus_platforms.whatsapp.inbound import WhatsAppConnector

from services.ingest.tests.connector_kit import canonical, expected, fixture, raw

pytestmark = pytest.mark.unit
WA = WhatsAppConnector()
PHONE = "1122334455667"
SENDER = {"id": "972987654321", "display_name": "Test Name"}


def _dm(text: str, at: str, **more: Any) -> dict[str, Any]:
    return expected(
        id="whatsapp:wamid.xyzxyz",
        platform="whatsapp",
        channel=PHONE,
        kind="dm",
        native_id="wamid.xyzxyz",
        thread_id=f"whatsapp:{PHONE}:972987654321",
        author=SENDER,
        text=text,
        created_at=at,
        **more,
    )


@pytest.mark.parametrize(
    ("case", "want"),
    [
        (
            "reply",
            _dm("replied text", "2023-10-11T17:19:06Z", in_reply_to="whatsapp:wamid.xyzxyz=="),
        ),
        (
            "video",
            _dm(
                "caption",
                "2023-10-11T17:12:42Z",
                media=[{"type": "video", "url": "https://graph.facebook.com/765756756"}],
            ),
        ),
        (
            "image",
            _dm(
                "",
                "2023-10-11T16:56:19Z",
                media=[{"type": "image", "url": "https://graph.facebook.com/65463453"}],
            ),
        ),
        (
            "current_location",
            _dm(
                "",
                "2023-10-11T17:15:57Z",
                media=[{"type": "location", "url": "geo:12.25089,43.90539"}],
            ),
        ),
        ("reaction", _dm("😮", "2023-10-11T17:14:16Z", in_reply_to="whatsapp:wamid.yzxyzx=")),
    ],
)
def test_recorded_messages_map_every_field(case: str, want: dict[str, Any]) -> None:
    result = WA.normalize(raw(fixture("whatsapp", f"pywa_message_{case}.json")))
    assert result.errors == [] and result.skipped == []
    assert [canonical(p) for p in result.posts] == [want]


@pytest.mark.parametrize(
    ("case", "code", "field"),
    [
        ("unsupported", "unsupported_message", "type"),
        ("interactive_message_with_err", "missing_field", "interactive.title"),
    ],
)
def test_recorded_messages_whatsapp_could_not_render_are_clear_item_errors(
    case: str, code: str, field: str
) -> None:
    result = WA.normalize(raw(fixture("whatsapp", f"pywa_message_{case}.json")))
    assert result.posts == [] and result.skipped == []
    prefix = "entry[0].changes[0].value.messages[0]."
    assert [(e.code, e.field) for e in result.errors] == [(code, prefix + field)]
