"""Messenger's documented examples, copied verbatim (bare events and one entry, as Meta's
reference prints them, placeholders included), field by field."""

from __future__ import annotations

import pytest
from chorus_platforms.messenger.inbound import MessengerConnector

from services.ingest.tests.connector_kit import canonical, expected, fixture, raw

pytestmark = pytest.mark.unit
MS = MessengerConnector()
PSID = {"id": "<PSID>"}


def test_the_documented_text_message_maps_every_field() -> None:
    (post,) = MS.normalize(raw(fixture("messenger", "docs_text_message.json"))).posts
    assert canonical(post) == expected(
        id="messenger:mid.1457764197618:41d102a3e1ae206a38",
        platform="messenger",
        channel="<PAGE_ID>",
        kind="dm",
        native_id="mid.1457764197618:41d102a3e1ae206a38",
        thread_id="messenger:<PAGE_ID>:<PSID>",
        author=PSID,
        text="hello, world!",
        created_at="2016-03-23T00:25:52.478000Z",
    )


def test_the_documented_reply_answers_the_message_it_names() -> None:
    (post,) = MS.normalize(raw(fixture("messenger", "docs_reply_message.json"))).posts
    assert canonical(post) == expected(
        id="messenger:m_1457764197618:41d102a3e1ae206a38",
        platform="messenger",
        channel="<PAGE_ID>",
        kind="dm",
        native_id="m_1457764197618:41d102a3e1ae206a38",
        thread_id="messenger:<PAGE_ID>:<PSID>",
        in_reply_to="messenger:m_1fTq8oLumEyIp3Q2MR-aY7IfLZDamVrALniheU",
        author=PSID,
        text="hello, world!",
        created_at="2016-03-23T00:25:52.478000Z",
    )


def test_the_documented_attachment_entry_keeps_the_message_without_the_placeholder_url() -> None:
    result = MS.normalize(raw(fixture("messenger", "docs_attachment_entry.json")))
    assert result.errors == [] and result.skipped == []
    (post,) = result.posts
    # the example's type and URL are placeholders ("<image|video|…>", "<ATTACHMENT_URL>")
    assert canonical(post) == expected(
        id="messenger:mid.$cAAJdkrCd2ORnva8ErFhjGm0X_Q_c",
        platform="messenger",
        channel="682498302938465",
        kind="dm",
        native_id="mid.$cAAJdkrCd2ORnva8ErFhjGm0X_Q_c",
        thread_id="messenger:682498302938465:<PSID>",
        author=PSID,
        text="",
        created_at="2018-02-12T23:46:35.308000Z",
    )
