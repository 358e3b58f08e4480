"""E-mail: RFC 5322 messages (RFC 5322 appendix examples), MIME bodies, threading, relay signature."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from chorus_platforms.email.inbound import EmailConnector
from chorus_platforms.kit.inbound import NormalizeError, SignatureError
from chorus_platforms.registry import CONNECTORS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.ingest.tests.connector_kit import (
    NOW,
    byte_edits,
    canonical,
    clean_outcome,
    expected,
    fixture,
    raw,
    relay_headers,
)
from services.ingest.tests.handmade_email import HANDMADE_HTML_ONLY, HANDMADE_REPLY_MULTIPART

pytestmark = pytest.mark.unit
EM = EmailConnector()
RFC822 = "message/rfc822"


def message(headers: str, body: str = "Hello", *, date: bool = True) -> bytes:
    head = headers + ("Date: Mon, 03 Jun 2024 08:00:00 +0000\r\n" if date else "")
    return (head + "\r\n" + body).encode("utf-8")


def test_email_is_registered() -> None:
    assert isinstance(CONNECTORS["email"], EmailConnector)


def test_rfc5322_simple_message_maps_every_canonical_field() -> None:
    [post] = EM.normalize(raw(fixture("email", "rfc5322_a11_simple.eml"), RFC822)).posts
    assert canonical(post) == expected(
        id="email:1234@local.machine.example",
        platform="email",
        channel="mary@example.net",
        kind="email",
        native_id="1234@local.machine.example",
        thread_id="email:1234@local.machine.example",
        author={
            "id": "jdoe@machine.example",
            "handle": "jdoe@machine.example",
            "display_name": "John Doe",
        },
        text='Saying Hello\n\nThis is a message just to say hello.\nSo, "Hello".',
        created_at="1997-11-21T15:55:06Z",
    )


def test_multipart_reply_prefers_text_plain_decodes_rfc2047_and_threads_by_references() -> None:
    [post] = EM.normalize(raw(HANDMADE_REPLY_MULTIPART, RFC822)).posts
    assert canonical(post) == expected(
        id="email:abcd.1234@local.machine.example",
        platform="email",
        channel="support@chorus.example.com",  # Delivered-To: the brand mailbox
        kind="email",
        native_id="abcd.1234@local.machine.example",
        thread_id="email:1234@local.machine.example",  # first id in References
        in_reply_to="email:3456@example.net",
        author={
            "id": "jdoe@machine.example",
            "handle": "JDoe@machine.example",
            "display_name": "José Doe",
        },
        text="Re: Commande non reçue 📦\n\nBonjour Mary,\n\n"
        "Le colis n'est jamais arrivé 😞 — commande #4711.\n"
        "Merci de me rappeler au +33 6 12 34 56 78.\n\n> Ancien message",
        lang="fr",
        created_at="1997-11-21T17:00:00Z",
    )


def test_html_only_message_is_reduced_to_text_and_charset_decoded() -> None:
    [post] = EM.normalize(raw(HANDMADE_HTML_ONLY, RFC822, channel="support")).posts
    assert canonical(post) == expected(
        id="email:html-only-1@example.org",
        platform="email",
        channel="support",
        kind="email",
        native_id="html-only-1@example.org",
        thread_id="email:html-only-1@example.org",
        author={"id": "client@example.org", "handle": "client@example.org"},
        text="Café\n\nCafé froid !\n\nMerci",
        created_at="2024-06-03T08:00:00Z",
    )


def test_in_reply_to_threads_when_there_are_no_references() -> None:
    body = message("From: a@x.example\r\nMessage-ID: <m2@x>\r\nIn-Reply-To: <m1@x>\r\n")
    [post] = EM.normalize(raw(body, RFC822)).posts
    assert (post.thread_id, post.in_reply_to) == ("email:m1@x", "email:m1@x")


def test_message_without_message_id_gets_a_stable_content_hash() -> None:
    body = message("From: a@x.example\r\nTo: b@y.example\r\n")
    first = EM.normalize(raw(body, RFC822)).posts[0]
    assert first.native_id.startswith("sha256:") and first.thread_id == first.id
    assert EM.normalize(raw(body, RFC822)).posts[0].native_id == first.native_id


def test_json_envelope_with_several_messages_keeps_good_ones_and_reports_bad_ones() -> None:
    good = fixture("email", "rfc5322_a11_simple.eml")
    envelope = {
        "messages": [
            {"raw": good.decode(), "channel": "support@chorus.example.com"},
            {"raw_base64": base64.b64encode(b"Subject: no sender, no date\r\n\r\nhi").decode()},
            {"raw_base64": base64.b64encode(HANDMADE_HTML_ONLY).decode()},
        ]
    }
    result = EM.normalize(raw(json.dumps(envelope).encode()))
    assert [(p.native_id, p.channel) for p in result.posts] == [
        ("1234@local.machine.example", "support@chorus.example.com"),
        ("html-only-1@example.org", "support@chorus.example.com"),
    ]
    [error] = result.errors
    assert (error.code, error.index, error.field) == ("missing_author", 1, "From")


@pytest.mark.parametrize(
    ("body", "content_type", "code"),
    [
        (b"{not json", "application/json", "invalid_json"),
        (b'{"raw_base64": "***"}', "application/json", "invalid_base64"),
        (b'{"messages": {}}', "application/json", "invalid_shape"),
        (b'{"nothing": 1}', "application/json", "invalid_shape"),
    ],
)
def test_envelopes_not_understood_raise_normalize_error(
    body: bytes, content_type: str, code: str
) -> None:
    with pytest.raises(NormalizeError) as info:
        EM.normalize(raw(body, content_type))
    assert info.value.code == code


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"", "empty_message"),
        (b"just some words, no headers at all", "invalid_message"),
        (message("From: a@x.example\r\n", date=False), "missing_time"),
        (message("From: a@x.example\r\nDate: not a date\r\n", date=False), "invalid_time"),
    ],
)
def test_unusable_messages_become_item_errors(body: bytes, code: str) -> None:
    result = EM.normalize(raw(body, RFC822))
    assert result.posts == []
    assert [e.code for e in result.errors] == [code]


def test_relay_signature_valid_missing_wrong_and_replayed() -> None:
    body = HANDMADE_REPLY_MULTIPART
    secrets = {"signing_secret": "mail-k"}
    EM.verify(raw(body, RFC822, headers=relay_headers("mail-k", body)), secrets, NOW)
    cases = [
        ({}, 401),
        (relay_headers("other", body), 403),
        (relay_headers("mail-k", body, at=NOW - timedelta(hours=1)), 403),
        (relay_headers("mail-k", body, at=NOW + timedelta(hours=1)), 403),
        (relay_headers("mail-k", body + b"x"), 403),
        ({"x-chorus-timestamp": "12ab", "x-chorus-signature": "sha256=00"}, 403),
    ]
    for headers, status in cases:
        with pytest.raises(SignatureError) as info:
            EM.verify(raw(body, RFC822, headers=headers), secrets, NOW)
        assert info.value.status == status


HOSTILE_MIME = [
    b"From: =?UTF-8?B?####?= <a@x>\r\nDate: Mon, 03 Jun 2024 08:00:00 +0000\r\n\r\nx",
    b"From: a@x\r\nContent-Type: multipart/mixed\r\nDate: Mon, 03 Jun 2024 08:00:00 +0000\r\n\r\nno boundary",
    b"From: a@x\r\nContent-Type: text/plain; charset=klingon\r\nDate: Mon, 03 Jun 2024 08:00:00 +0000\r\n\r\n\xff\xfe",
    b'From: "unterminated <a@x\r\nMessage-ID: <<<>>>\r\nReferences: <\r\n\r\n',
    b"Content-Type: multipart/mixed; boundary=b\r\n\r\n"
    + b"--b\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" * 300,
]


@pytest.mark.parametrize("body", HOSTILE_MIME)
def test_broken_mime_gives_a_post_or_an_item_error(body: bytes) -> None:
    outcome = clean_outcome(EM, raw(body, RFC822))
    assert not isinstance(outcome, NormalizeError)
    assert len(outcome.posts) + len(outcome.errors) == 1


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=400),
        byte_edits(HANDMADE_REPLY_MULTIPART),
        byte_edits(HANDMADE_HTML_ONLY),
        *(byte_edits(b) for b in HOSTILE_MIME[:4]),
    )
)
def test_hostile_messages_give_only_results_or_normalize_errors(body: bytes) -> None:
    clean_outcome(EM, raw(body, RFC822))


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300))
def test_hostile_json_envelopes_give_only_results_or_normalize_errors(data: bytes) -> None:
    envelope = {"raw_base64": base64.b64encode(data).decode(), "channel": "x"}
    clean_outcome(EM, raw(json.dumps(envelope).encode()))


@pytest.mark.parametrize(
    ("name", "native", "channel", "sender", "text", "at", "parent"),
    [
        (
            "rfc5322_a2_reply.eml",
            "3456@example.net",
            "jdoe@machine.example",
            ("mary@example.net", "Mary Smith"),
            "Re: Saying Hello\n\nThis is a reply to your hello.",
            "1997-11-21T16:01:10Z",
            "1234@local.machine.example",
        ),
        (
            "rfc5322_a2_reply_to_reply.eml",
            "abcd.1234@local.machine.test",
            "smith@home.example",
            ("jdoe@machine.example", "John Doe"),
            "Re: Saying Hello\n\nThis is a reply to your reply.",
            "1997-11-21T17:00:00Z",
            "3456@example.net",
        ),
    ],
)
def test_rfc5322_reply_messages_thread_on_the_first_reference(
    name: str,
    native: str,
    channel: str,
    sender: tuple[str, str],
    text: str,
    at: str,
    parent: str,
) -> None:
    (post,) = EM.normalize(raw(fixture("email", name), "message/rfc822")).posts
    assert canonical(post) == expected(
        id=f"email:{native}",
        platform="email",
        channel=channel,
        kind="email",
        native_id=native,
        thread_id="email:1234@local.machine.example",
        in_reply_to=f"email:{parent}",
        author={"id": sender[0], "handle": sender[0], "display_name": sender[1]},
        text=text,
        created_at=at,
    )
