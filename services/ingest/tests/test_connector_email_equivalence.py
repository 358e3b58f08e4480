"""E-mail normalization through the fast header policy is what ``policy.default`` gave.

The corpus below covers the tricky parts of RFC 2045/2047/2231/5322 (encoded words, transfer
encodings, nested multiparts, RFC 2231 parameters, folding, dates, threading, 8-bit headers)
and a few hostile headers; every expected field is written out — the values the
``policy.default`` implementation produced. The same inputs, byte-edited ones and generated
header values are also run through plain ``policy.default`` and must come out identical.
"""

from __future__ import annotations

import base64
import email.policy
import json
from typing import Any
from unittest import mock

import pytest
from chorus_platforms.email import inbound as email_connector
from chorus_platforms.email.inbound import MAX_MESSAGE_BYTES, EmailConnector
from chorus_platforms.kit.inbound import NormalizeError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.ingest.tests.connector_kit import byte_edits, canonical, expected, fixture, raw
from services.ingest.tests.handmade_email import HANDMADE_HTML_ONLY, HANDMADE_REPLY_MULTIPART

pytestmark = pytest.mark.unit
EM = EmailConnector()
RFC822 = "message/rfc822"
CRLF = "\r\n"


def eml(*lines: str, body: str = "Hello") -> bytes:
    return (CRLF.join(lines) + CRLF + CRLF + body).encode("utf-8")


def post(**fields: Any) -> dict[str, Any]:
    return expected(platform="email", kind="email", **fields)


def error(code: str, message: str, field: str | None) -> tuple[str, str, str | None]:
    return (code, message, field)


CORPUS: dict[str, bytes] = {
    "rfc2047_utf8_b_subject_and_q_from": eml(
        "From: =?UTF-8?Q?Fran=C3=A7oise_M=C3=BCller?= <Francoise@Example.COM>",
        "To: support@brand.example",
        "Subject: =?UTF-8?B?Q29tbWFuZGUgbm9uIHJlw6d1ZSDwn5Om?=",
        "Date: Tue, 04 Jun 2024 10:15:00 +0200",
        "Message-ID: <ew-1@example.com>",
        "Content-Type: text/plain; charset=utf-8",
        body="Bonjour",
    ),
    "rfc2047_latin1_words_joined_and_b_from": eml(
        "From: =?ISO-8859-1?B?Suly9G1lIEzpdnk=?= <jerome@example.fr>",
        "To: Service Client <sav@brand.example>",
        "Subject: Re: =?ISO-8859-1?Q?R=E9clamation?= =?ISO-8859-1?Q?_urgente?= !",
        "Date: Tue, 04 Jun 2024 10:15:00 +0200",
        "Message-ID: <ew-2@example.fr>",
        body="Merci",
    ),
    "base64_utf8_body": eml(
        "From: Ana <ana@example.org>",
        "Date: Wed, 05 Jun 2024 07:00:00 +0000",
        "Message-ID: <b64@example.org>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=UTF-8",
        "Content-Transfer-Encoding: base64",
        body="Qm9uam91ciwKbW9uIGNvbGlzIGVzdCBhcnJpdsOpIGFiw65tw6kg8J+Yni4K",
    ),
    "quoted_printable_latin1_body_with_soft_breaks": eml(
        "From: Bob <bob@example.org>",
        "Date: Wed, 05 Jun 2024 07:00:00 +0000",
        "Message-ID: <qp@example.org>",
        'Content-Type: text/plain; charset="iso-8859-1"',
        "Content-Transfer-Encoding: quoted-printable",
        body="Tr=E8s d=E9=E7u par la livraison, le produit =E9tait cass=E9 et le service =\r\n"
        "client ne r=E9pond pas.\r\n",
    ),
    "multipart_alternative_prefers_text_plain": eml(
        "From: Carla <carla@example.org>",
        "Date: Wed, 05 Jun 2024 07:00:00 +0000",
        "Message-ID: <alt@example.org>",
        "Subject: Two bodies",
        'Content-Type: multipart/alternative; boundary="=_alt"',
        body="--=_alt\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nPlain version\r\n"
        "--=_alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>HTML version</p>\r\n"
        "--=_alt--\r\n",
    ),
    "multipart_alternative_blank_text_falls_back_to_html": eml(
        "From: Carla <carla@example.org>",
        "Date: Wed, 05 Jun 2024 07:00:00 +0000",
        "Message-ID: <alt2@example.org>",
        "Content-Type: multipart/alternative; boundary=alt",
        body="--alt\r\nContent-Type: text/plain\r\n\r\n \r\n\r\n"
        "--alt\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n"
        "\r\nPHA+SGVsbG88L3A+\r\n--alt--\r\n",
    ),
    "html_only_with_entities_and_script": eml(
        "From: shop@example.net",
        "Date: Wed, 05 Jun 2024 07:00:00 +0000",
        "Message-ID: <html@example.net>",
        "Content-Type: text/html; charset=utf-8",
        body="<html><head><title>t</title></head><body><p>Caf&eacute; &amp; th&#233;</p>"
        "<script>alert(1)</script><div>Fin</div></body></html>",
    ),
    "rfc2231_charset_param_and_attachment_filename": eml(
        "From: Dora <dora@example.org>",
        "Date: Wed, 05 Jun 2024 07:00:00 +0000",
        "Message-ID: <rfc2231@example.org>",
        "Content-Type: multipart/mixed; boundary=mix",
        body="--mix\r\nContent-Type: text/plain; charset*=us-ascii'en'iso-8859-1\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n\r\nd=E9j=E0 vu\r\n"
        "--mix\r\nContent-Type: text/plain; name*=utf-8''r%C3%A9sum%C3%A9.txt\r\n"
        "Content-Disposition: attachment; filename*0*=utf-8''r%C3%A9sum;\r\n"
        " filename*1*=%C3%A9.txt\r\n\r\nnot the body\r\n--mix--\r\n",
    ),
    "folded_headers": eml(
        "From: Eve Example",
        " <eve@example.org>",
        "To: First <first@example.org>,",
        "\tsecond@example.org",
        "Subject: A subject that was",
        " folded over",
        "\tthree lines",
        "Date: Wed, 05 Jun 2024",
        " 07:00:00 +0000",
        "Message-ID:",
        " <folded@example.org>",
        "References: <r1@example.org>",
        " <r2@example.org>",
        " <r3@example.org>",
        "In-Reply-To:",
        " <r3@example.org>",
    ),
    "missing_date_uses_last_received": eml(
        "Received: from mx.example.org by in.brand.example; Thu, 06 Jun 2024 09:30:00 +0100",
        "From: Finn <finn@example.org>",
        "Message-ID: <nodate@example.org>",
    ),
    "missing_date_and_received": eml(
        "From: Finn <finn@example.org>",
        "Message-ID: <nodate2@example.org>",
    ),
    "bad_date": eml(
        "From: Finn <finn@example.org>",
        "Date: the day after tomorrow",
        "Message-ID: <baddate@example.org>",
    ),
    "out_of_range_date": eml(
        "From: Finn <finn@example.org>",
        "Date: Mon, 31 Feb 2024 08:00:00 +0000",
        "Message-ID: <feb31@example.org>",
    ),
    "date_minus_0000_is_utc": eml(
        "From: Finn <finn@example.org>",
        "Date: 6 Jun 24 09:30 -0000",
        "Message-ID: <minus0@example.org>",
    ),
    "missing_message_id_hashes_the_bytes": eml(
        "From: Gus <gus@example.org>",
        "To: support@brand.example",
        "Date: Wed, 05 Jun 2024 07:00:00 +0000",
    ),
    "references_with_several_ids": eml(
        "From: Hana <hana@example.org>",
        "Date: Wed, 05 Jun 2024 07:00:00 +0000",
        "Message-ID: <m4@example.org>",
        "In-Reply-To: <m3@example.org>",
        "References: <m1@example.org> <m2@example.org>\t<m3@example.org>",
    ),
    "in_reply_to_only": eml(
        "From: Hana <hana@example.org>",
        "Date: Wed, 05 Jun 2024 07:00:00 +0000",
        "Message-ID: <m5@example.org>",
        "In-Reply-To: <m4@example.org> (Hana's message of Wed)",
    ),
    "message_id_without_brackets": eml(
        "From: Hana <hana@example.org>",
        "Date: Wed, 05 Jun 2024 07:00:00 +0000",
        "Message-ID: bare-id@example.org",
    ),
    "unknown_charset_reads_as_utf8": (
        b"From: Ivo <ivo@example.org>\r\nDate: Wed, 05 Jun 2024 07:00:00 +0000\r\n"
        b"Message-ID: <klingon@example.org>\r\nContent-Type: text/plain; charset=x-klingon\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\nQapla\xe2\x80\x99 \xff!"
    ),
    "attachments_only": eml(
        "From: Jo <jo@example.org>",
        "Date: Wed, 05 Jun 2024 07:00:00 +0000",
        "Message-ID: <att@example.org>",
        "Subject: Invoice attached",
        "Content-Type: multipart/mixed; boundary=b",
        body="--b\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=a.txt"
        "\r\n\r\nattached text\r\n--b\r\nContent-Type: application/pdf\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n--b--\r\n",
    ),
    "nested_multipart_mixed": eml(
        "From: Kim <kim@example.org>",
        "Date: Wed, 05 Jun 2024 07:00:00 +0000",
        "Message-ID: <nested@example.org>",
        "Subject: Nested",
        'Content-Type: multipart/mixed; boundary="outer"',
        body="preamble\r\n--outer\r\nContent-Type: multipart/alternative; boundary=inner\r\n\r\n"
        "--inner\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<b>html first</b>\r\n"
        "--inner\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n\r\nthe plain=20part =E2=9C=93\r\n"
        "--inner--\r\n--outer\r\nContent-Type: text/plain\r\nContent-Disposition: attachment\r\n"
        "\r\nlog\r\n--outer--\r\n",
    ),
    "raw_8bit_headers": (
        "From: Léa Martin <lea@example.org>\r\nSubject: Café ☕ froid\r\n".encode()
        + b"To: Andr\xe9 <andre@example.org>\r\nDate: Wed, 05 Jun 2024 07:00:00 +0000\r\n"
        b"Message-ID: <8bit@example.org>\r\n\r\nCorps"
    ),
    "quoted_display_name_with_comma": eml(
        'From: "Doe, Jane" <jane.doe@example.org>',
        "Date: Wed, 05 Jun 2024 07:00:00 +0000",
        "Message-ID: <quoted@example.org>",
    ),
    "quoted_display_name_with_escapes": eml(
        'From: "Doe, John \\"JD\\"" <john.doe@example.org>',
        "Date: Wed, 05 Jun 2024 07:00:00 +0000",
        "Message-ID: <escaped@example.org>",
    ),
    "rfc2047_display_name_with_comma": eml(
        "From: =?utf-8?q?Dupont=2C_Marie?= =?utf-8?q?-Th=C3=A9r=C3=A8se?= <mt@example.fr>",
        "Date: Wed, 05 Jun 2024 07:00:00 +0000",
        "Message-ID: <ewcomma@example.fr>",
    ),
    "two_received_headers_top_one_counts": eml(
        "Received: by in.brand.example; Thu, 06 Jun 2024 10:00:05 +0000",
        "Received: from relay.example.org by mx.example.org; Thu, 06 Jun 2024 09:59:00 +0000",
        "From: finn@example.org",
        "Message-ID: <received2@example.org>",
    ),
    "address_with_comment_only": eml(
        "From: jdoe@example.org (John Doe)",
        "Date: Wed, 05 Jun 2024 07:00:00 +0000",
        "Message-ID: <comment@example.org>",
    ),
    "delivered_to_and_content_language": eml(
        "From: Lu <lu@example.org>",
        "To: Someone Else <else@example.org>",
        "Delivered-To: Brand Inbox <Inbox@Brand.example>",
        "Content-Language: pt-BR, en",
        "Date: Wed, 05 Jun 2024 07:00:00 +0000",
        "Message-ID: <lang@example.org>",
    ),
    "ill_formed_encoded_words": eml(
        "From: =?UTF-8?B?####?= <mo@example.org>",
        "Subject: =?utf-8?q?ok?= and =?utf-8?b?bad!?= and x=?utf-8?q?glued?=y",
        "Date: Wed, 05 Jun 2024 07:00:00 +0000",
        "Message-ID: <badew@example.org>",
    ),
    "unterminated_quote_in_from": eml(
        'From: "unterminated <a@example.org>',
        "Date: Wed, 05 Jun 2024 07:00:00 +0000",
        "Message-ID: <unterminated@example.org>",
    ),
    "encoded_line_break_in_display_name": eml(
        "From: =?utf-8?q?a=0D=0Ab?= <x@example.org>",
        "Date: Wed, 05 Jun 2024 07:00:00 +0000",
        "Message-ID: <crlf@example.org>",
    ),
    "truncated_address": eml(
        "From: a@",
        "Date: Wed, 05 Jun 2024 07:00:00 +0000",
        "Message-ID: <trunc@example.org>",
    ),
    "missing_from": eml(
        "Subject: nobody",
        "Date: Wed, 05 Jun 2024 07:00:00 +0000",
    ),
    "no_header_section": b"just some words, no headers at all",
    "empty": b"  \r\n",
}


EXPECTED: dict[str, dict[str, Any] | tuple[str, str, str | None]] = {
    "rfc2047_utf8_b_subject_and_q_from": post(
        id="email:ew-1@example.com",
        native_id="ew-1@example.com",
        thread_id="email:ew-1@example.com",
        channel="support@brand.example",
        author={
            "id": "francoise@example.com",
            "handle": "Francoise@Example.COM",
            "display_name": "Françoise Müller",
        },
        text="Commande non reçue 📦\n\nBonjour",
        created_at="2024-06-04T08:15:00Z",
    ),
    "rfc2047_latin1_words_joined_and_b_from": post(
        id="email:ew-2@example.fr",
        native_id="ew-2@example.fr",
        thread_id="email:ew-2@example.fr",
        channel="sav@brand.example",
        author={
            "id": "jerome@example.fr",
            "handle": "jerome@example.fr",
            "display_name": "Jérôme Lévy",
        },
        text="Re: Réclamation urgente !\n\nMerci",
        created_at="2024-06-04T08:15:00Z",
    ),
    "base64_utf8_body": post(
        id="email:b64@example.org",
        native_id="b64@example.org",
        thread_id="email:b64@example.org",
        channel="email",
        author={"id": "ana@example.org", "handle": "ana@example.org", "display_name": "Ana"},
        text="Bonjour,\nmon colis est arrivé abîmé 😞.",
        created_at="2024-06-05T07:00:00Z",
    ),
    "quoted_printable_latin1_body_with_soft_breaks": post(
        id="email:qp@example.org",
        native_id="qp@example.org",
        thread_id="email:qp@example.org",
        channel="email",
        author={"id": "bob@example.org", "handle": "bob@example.org", "display_name": "Bob"},
        text="Très déçu par la livraison, le produit était cassé et le service "
        "client ne répond pas.",  # the soft line break joined
        created_at="2024-06-05T07:00:00Z",
    ),
    "multipart_alternative_prefers_text_plain": post(
        id="email:alt@example.org",
        native_id="alt@example.org",
        thread_id="email:alt@example.org",
        channel="email",
        author={"id": "carla@example.org", "handle": "carla@example.org", "display_name": "Carla"},
        text="Two bodies\n\nPlain version",
        created_at="2024-06-05T07:00:00Z",
    ),
    "multipart_alternative_blank_text_falls_back_to_html": post(
        id="email:alt2@example.org",
        native_id="alt2@example.org",
        thread_id="email:alt2@example.org",
        channel="email",
        author={"id": "carla@example.org", "handle": "carla@example.org", "display_name": "Carla"},
        text="Hello",
        created_at="2024-06-05T07:00:00Z",
    ),
    "html_only_with_entities_and_script": post(
        id="email:html@example.net",
        native_id="html@example.net",
        thread_id="email:html@example.net",
        channel="email",
        author={"id": "shop@example.net", "handle": "shop@example.net"},
        text="Café & thé\n\nFin",
        created_at="2024-06-05T07:00:00Z",
    ),
    "rfc2231_charset_param_and_attachment_filename": post(
        id="email:rfc2231@example.org",
        native_id="rfc2231@example.org",
        thread_id="email:rfc2231@example.org",
        channel="email",
        author={"id": "dora@example.org", "handle": "dora@example.org", "display_name": "Dora"},
        text="déjà vu",
        created_at="2024-06-05T07:00:00Z",
    ),
    # unfolding drops only CRLF (RFC 5322 §2.2.3): the tab before 'three' stays
    "folded_headers": post(
        id="email:folded@example.org",
        native_id="folded@example.org",
        thread_id="email:r1@example.org",
        in_reply_to="email:r3@example.org",
        channel="first@example.org",
        author={
            "id": "eve@example.org",
            "handle": "eve@example.org",
            "display_name": "Eve Example",
        },
        text="A subject that was folded over\tthree lines\n\nHello",
        created_at="2024-06-05T07:00:00Z",
    ),
    "missing_date_uses_last_received": post(
        id="email:nodate@example.org",
        native_id="nodate@example.org",
        thread_id="email:nodate@example.org",
        channel="email",
        author={"id": "finn@example.org", "handle": "finn@example.org", "display_name": "Finn"},
        text="Hello",
        created_at="2024-06-06T08:30:00Z",
    ),
    "missing_date_and_received": error(
        "missing_time", "neither Date nor Received carries a date", "Date"
    ),
    "bad_date": error("invalid_time", "Date is not an RFC 822 date", "Date"),
    "out_of_range_date": error("invalid_time", "Date is not an RFC 822 date", "Date"),
    "date_minus_0000_is_utc": post(
        id="email:minus0@example.org",
        native_id="minus0@example.org",
        thread_id="email:minus0@example.org",
        channel="email",
        author={"id": "finn@example.org", "handle": "finn@example.org", "display_name": "Finn"},
        text="Hello",
        created_at="2024-06-06T09:30:00Z",
    ),
    "missing_message_id_hashes_the_bytes": post(
        id="email:sha256:3ea60a0b7ff42b85c0c9adec6fd30b451c6bd8faba1e6f38f5d28b3d3197dc29",
        native_id="sha256:3ea60a0b7ff42b85c0c9adec6fd30b451c6bd8faba1e6f38f5d28b3d3197dc29",
        thread_id="email:sha256:3ea60a0b7ff42b85c0c9adec6fd30b451c6bd8faba1e6f38f5d28b3d3197dc29",
        channel="support@brand.example",
        author={"id": "gus@example.org", "handle": "gus@example.org", "display_name": "Gus"},
        text="Hello",
        created_at="2024-06-05T07:00:00Z",
    ),
    "references_with_several_ids": post(
        id="email:m4@example.org",
        native_id="m4@example.org",
        thread_id="email:m1@example.org",
        in_reply_to="email:m3@example.org",
        channel="email",
        author={"id": "hana@example.org", "handle": "hana@example.org", "display_name": "Hana"},
        text="Hello",
        created_at="2024-06-05T07:00:00Z",
    ),
    "in_reply_to_only": post(
        id="email:m5@example.org",
        native_id="m5@example.org",
        thread_id="email:m4@example.org",
        in_reply_to="email:m4@example.org",
        channel="email",
        author={"id": "hana@example.org", "handle": "hana@example.org", "display_name": "Hana"},
        text="Hello",
        created_at="2024-06-05T07:00:00Z",
    ),
    "message_id_without_brackets": post(
        id="email:bare-id@example.org",
        native_id="bare-id@example.org",
        thread_id="email:bare-id@example.org",
        channel="email",
        author={"id": "hana@example.org", "handle": "hana@example.org", "display_name": "Hana"},
        text="Hello",
        created_at="2024-06-05T07:00:00Z",
    ),
    "unknown_charset_reads_as_utf8": post(
        id="email:klingon@example.org",
        native_id="klingon@example.org",
        thread_id="email:klingon@example.org",
        channel="email",
        author={"id": "ivo@example.org", "handle": "ivo@example.org", "display_name": "Ivo"},
        text="Qapla\u2019 \ufffd!",  # the unknown charset read as UTF-8
        created_at="2024-06-05T07:00:00Z",
    ),
    "attachments_only": post(
        id="email:att@example.org",
        native_id="att@example.org",
        thread_id="email:att@example.org",
        channel="email",
        author={"id": "jo@example.org", "handle": "jo@example.org", "display_name": "Jo"},
        text="Invoice attached",
        created_at="2024-06-05T07:00:00Z",
    ),
    "nested_multipart_mixed": post(
        id="email:nested@example.org",
        native_id="nested@example.org",
        thread_id="email:nested@example.org",
        channel="email",
        author={"id": "kim@example.org", "handle": "kim@example.org", "display_name": "Kim"},
        text="Nested\n\nthe plain part ✓",
        created_at="2024-06-05T07:00:00Z",
    ),
    # raw UTF-8 header text is read as UTF-8 (RFC 6532); the Latin-1 'é' in To is not needed
    "raw_8bit_headers": post(
        id="email:8bit@example.org",
        native_id="8bit@example.org",
        thread_id="email:8bit@example.org",
        channel="andre@example.org",
        author={"id": "lea@example.org", "handle": "lea@example.org", "display_name": "Léa Martin"},
        text="Café ☕ froid\n\nCorps",
        created_at="2024-06-05T07:00:00Z",
    ),
    "quoted_display_name_with_comma": post(
        id="email:quoted@example.org",
        native_id="quoted@example.org",
        thread_id="email:quoted@example.org",
        channel="email",
        author={
            "id": "jane.doe@example.org",
            "handle": "jane.doe@example.org",
            "display_name": "Doe, Jane",
        },
        text="Hello",
        created_at="2024-06-05T07:00:00Z",
    ),
    "quoted_display_name_with_escapes": post(
        id="email:escaped@example.org",
        native_id="escaped@example.org",
        thread_id="email:escaped@example.org",
        channel="email",
        author={
            "id": "john.doe@example.org",
            "handle": "john.doe@example.org",
            "display_name": 'Doe, John "JD"',
        },
        text="Hello",
        created_at="2024-06-05T07:00:00Z",
    ),
    # policy.default keeps a space between encoded words in a phrase (RFC 2047 §6.2 drops it)
    "rfc2047_display_name_with_comma": post(
        id="email:ewcomma@example.fr",
        native_id="ewcomma@example.fr",
        thread_id="email:ewcomma@example.fr",
        channel="email",
        author={
            "id": "mt@example.fr",
            "handle": "mt@example.fr",
            "display_name": "Dupont, Marie -Thérèse",
        },
        text="Hello",
        created_at="2024-06-05T07:00:00Z",
    ),
    # the topmost Received (the last hop, added last) dates the message
    "two_received_headers_top_one_counts": post(
        id="email:received2@example.org",
        native_id="received2@example.org",
        thread_id="email:received2@example.org",
        channel="email",
        author={"id": "finn@example.org", "handle": "finn@example.org"},
        text="Hello",
        created_at="2024-06-06T10:00:05Z",
    ),
    # policy.default ignores comments: no display name from '(John Doe)'
    "address_with_comment_only": post(
        id="email:comment@example.org",
        native_id="comment@example.org",
        thread_id="email:comment@example.org",
        channel="email",
        author={"id": "jdoe@example.org", "handle": "jdoe@example.org"},
        text="Hello",
        created_at="2024-06-05T07:00:00Z",
    ),
    "delivered_to_and_content_language": post(
        id="email:lang@example.org",
        native_id="lang@example.org",
        thread_id="email:lang@example.org",
        channel="inbox@brand.example",
        author={"id": "lu@example.org", "handle": "lu@example.org", "display_name": "Lu"},
        text="Hello",
        lang="pt-BR",
        created_at="2024-06-05T07:00:00Z",
    ),
    # policy.default's leniency: bad base64 decoded anyway, a glued encoded word decoded
    "ill_formed_encoded_words": post(
        id="email:badew@example.org",
        native_id="badew@example.org",
        thread_id="email:badew@example.org",
        channel="email",
        author={"id": "mo@example.org", "handle": "mo@example.org"},
        text="ok and m� and xgluedy\n\nHello",
        created_at="2024-06-05T07:00:00Z",
    ),
    # policy.default reads the unterminated quoted string as the local part
    "unterminated_quote_in_from": post(
        id="email:unterminated@example.org",
        native_id="unterminated@example.org",
        thread_id="email:unterminated@example.org",
        channel="email",
        author={"id": "unterminated <a@example.org>", "handle": "unterminated <a@example.org>"},
        text="Hello",
        created_at="2024-06-05T07:00:00Z",
    ),
    # headerregistry.Address refuses CR/LF: the stdlib's ValueError becomes an item error
    "encoded_line_break_in_display_name": error(
        "invalid_item", "invalid arguments; address parts cannot contain CR or LF", None
    ),
    # an IndexError inside the stdlib address parser, kept as it was
    "truncated_address": error("invalid_item", "string index out of range", None),
    "missing_from": error("missing_author", "From is missing or unreadable", "From"),
    "no_header_section": error("invalid_message", "no RFC 5322 header section", None),
    "empty": error("empty_message", "message is empty", None),
}


@pytest.mark.parametrize("name", list(CORPUS))
def test_corpus_message_normalizes_to_the_expected_fields(name: str) -> None:
    result = EM.normalize(raw(CORPUS[name], RFC822))
    want = EXPECTED[name]
    if isinstance(want, dict):
        assert [canonical(p) for p in result.posts] == [want]
        assert result.errors == []
    else:
        assert result.posts == []
        assert [(e.code, e.message, e.field) for e in result.errors] == [want]


def test_message_over_the_size_limit_is_refused_before_parsing() -> None:
    body = b"From: a@x.example\r\n\r\n" + b"x" * MAX_MESSAGE_BYTES
    [err] = EM.normalize(raw(body, RFC822)).errors
    assert (err.code, err.message, err.field) == (
        "too_large",
        "message is larger than 10 MiB",
        None,
    )


RELAYED_LATIN1 = (
    "RnJvbTogWXZlcyA8eXZlc0BleGFtcGxlLm9yZz4NClRvOiBzYXZAYnJhbmQuZXhhbXBsZQ0KU3ViamVjdDogPT9pc28t"
    "ODg1OS0xP3E/cj1FOXBvbnNlPz0NCkRhdGU6IFdlZCwgMDUgSnVuIDIwMjQgMDc6MDA6MDAgKzAwMDANCk1lc3NhZ2Ut"
    "SUQ6IDxyZWxheS0yQGV4YW1wbGUub3JnPg0KQ29udGVudC1UeXBlOiB0ZXh0L3BsYWluOyBjaGFyc2V0PWlzby04ODU5"
    "LTENCkNvbnRlbnQtVHJhbnNmZXItRW5jb2Rpbmc6IDhiaXQNCg0KZOlq4A=="
)
ENVELOPE = {
    "messages": [
        {
            "raw": "From: Zoé <zoe@example.org>\r\nSubject: Envoyé par relais\r\n"
            "Date: Wed, 05 Jun 2024 07:00:00 +0000\r\n"
            "Message-ID: <relay-1@example.org>\r\n\r\nTexte",
            "channel": "relay@brand.example",
        },
        {"raw_base64": RELAYED_LATIN1},
        {"raw": "Subject: no sender\r\nDate: Wed, 05 Jun 2024 07:00:00 +0000\r\n\r\nhi"},
    ]
}


def test_json_envelope_with_raw_and_raw_base64() -> None:
    result = EM.normalize(raw(json.dumps(ENVELOPE).encode()))
    assert [canonical(p) for p in result.posts] == [
        post(
            id="email:relay-1@example.org",
            native_id="relay-1@example.org",
            thread_id="email:relay-1@example.org",
            channel="relay@brand.example",
            author={"id": "zoe@example.org", "handle": "zoe@example.org", "display_name": "Zoé"},
            text="Envoyé par relais\n\nTexte",
            created_at="2024-06-05T07:00:00Z",
        ),
        post(
            id="email:relay-2@example.org",
            native_id="relay-2@example.org",
            thread_id="email:relay-2@example.org",
            channel="sav@brand.example",
            author={"id": "yves@example.org", "handle": "yves@example.org", "display_name": "Yves"},
            text="réponse\n\ndéjà",
            created_at="2024-06-05T07:00:00Z",
        ),
    ]
    [err] = result.errors
    assert (err.code, err.message, err.field, err.index, err.native_id, err.raw) == (
        "missing_author",
        "From is missing or unreadable",
        "From",
        2,
        None,
        {"size": 63},
    )


# --------------------------------------------------------------------------- vs policy.default


def outcome(body: bytes, content_type: str = RFC822) -> Any:
    """Everything normalize() reports, as plain data."""
    try:
        result = EM.normalize(raw(body, content_type))
    except NormalizeError as exc:
        return ("NormalizeError", exc.code, str(exc))
    errors = [(e.code, e.message, e.field, e.index, e.native_id, e.raw) for e in result.errors]
    return [canonical(p) for p in result.posts], errors


def reference(body: bytes, content_type: str = RFC822) -> Any:
    """The same, parsed with plain ``policy.default`` (header objects and all)."""
    with mock.patch.object(email_connector, "_POLICY", email.policy.default):
        return outcome(body, content_type)


SAMPLES = {
    **CORPUS,
    **{
        name: fixture("email", name)
        for name in (
            "rfc5322_a11_simple.eml",
            "rfc5322_a2_reply.eml",
            "rfc5322_a2_reply_to_reply.eml",
        )
    },
    "handmade_reply_multipart": HANDMADE_REPLY_MULTIPART,
    "handmade_html_only": HANDMADE_HTML_ONLY,
}


@pytest.mark.parametrize("name", list(SAMPLES))
def test_samples_come_out_as_with_plain_policy_default(name: str) -> None:
    assert outcome(SAMPLES[name]) == reference(SAMPLES[name])


def test_json_envelope_comes_out_as_with_plain_policy_default() -> None:
    body = json.dumps(ENVELOPE).encode()
    assert outcome(body, "application/json") == reference(body, "application/json")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(list(SAMPLES.values())).flatmap(byte_edits))
def test_byte_edited_samples_come_out_as_with_plain_policy_default(body: bytes) -> None:
    assert outcome(body) == reference(body)


# --------------------------------------------------------------------------- header text

PIECES = [
    " ", "  ", "\t", "a", "Bob", "J.", "o'neil", "x@y", "jdoe@example.org", "<", ">", "@", ",",
    ";", ":", '"', "\\", ".", "(", ")", "[", "]", "=", "?", "=?", "?=", "/", "*", "'", "%", "_",
    "é", "\udce9", "\udcff", "\x0b", "\xa0", "\x00", "\x1c", "text", "plain", "charset",
    "utf-8", "boundary", "b1", "=?utf-8?q?a?=", "=?utf-8?b?w6k=?=",
]  # fmt: skip
CHARSETS = [
    "utf-8", "UTF-8", "iso-8859-1", "ISO-8859-15", "us-ascii", "windows-1252", "utf-16",
    "x-unknown", "utf-7", "rot13", "shift_jis",
]  # fmt: skip
TEXTS = ["a", "José", "a  b", " x ", "\t", "Doe, J", 'a"b', "a\\b", "é\r\nx", "😞", "\xa0", "", "_"]


@st.composite
def encoded_words(draw: st.DrawFn) -> str:
    """RFC 2047 words, mostly well formed, sometimes with a stray character inside."""
    charset = draw(st.sampled_from(CHARSETS))
    text = draw(st.sampled_from(TEXTS) | st.text(max_size=6))
    try:
        data = text.encode(charset)
    except (LookupError, UnicodeError):
        data = text.encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        encoding, payload = "b", base64.b64encode(data).decode()
        if draw(st.booleans()):
            payload = payload.rstrip("=")
    else:
        encoding = "q"
        payload = "".join(chr(b) if chr(b).isalnum() and b < 128 else f"={b:02X}" for b in data)
        payload = payload.replace("=20", "_") if draw(st.booleans()) else payload
    if draw(st.integers(0, 9)) == 0:
        at = draw(st.integers(0, len(payload)))
        payload = (
            payload[:at]
            + draw(st.sampled_from(["\udcff", "é", " ", "?", "=", "~", "=Z"]))
            + payload[at:]
        )
    return f"=?{charset}?{draw(st.sampled_from([encoding, encoding.upper()]))}?{payload}?="


def joined(*parts: st.SearchStrategy[str], max_size: int = 8) -> st.SearchStrategy[str]:
    return st.lists(st.one_of(*parts), max_size=max_size).map("".join)


SPACE = st.sampled_from(["", " ", "  ", "\t", " \t "])
ODD_SPACE = st.sampled_from([" \x0b ", "\t\x1c ", " \xa0", "\x0c"])  # str.isspace, not WSP
WORDS = (
    st.sampled_from(["John", "Doe", "J", "x-y", "o'neil", "a+b", "q=", "?", "J."]) | encoded_words()
)
ADDR_SPEC = st.sampled_from(
    ["a@b", "jdoe@machine.example", "JDoe@Machine.Example", "a..b@c", "a@b.", "a@[1.2.3.4]", "a"]
)
QUOTED = st.sampled_from(
    ["John Doe", "  J  D ", "Doe, J", "", 'a\\"b', "=?utf-8?q?a?=", "a(b)", "Zoé", "Andr\udce9"]
)
MAILBOX = st.one_of(
    st.tuples(SPACE, ADDR_SPEC, SPACE).map("".join),
    st.tuples(SPACE, ADDR_SPEC.map(lambda a: f"<{a}>"), SPACE).map("".join),
    st.tuples(SPACE, QUOTED.map(lambda q: f'"{q}"'), SPACE, ADDR_SPEC.map(lambda a: f"<{a}>")).map(
        "".join
    ),
    st.tuples(
        st.lists(st.tuples(WORDS, SPACE).map("".join), min_size=1, max_size=4).map("".join),
        SPACE,
        ADDR_SPEC.map(lambda a: f"<{a}>"),
        SPACE,
    ).map("".join),
)
TOKEN = st.sampled_from(["text", "plain", "multipart", "mixed", "html", "attachment", "inline"])
PARAM_VALUE = TOKEN | st.sampled_from(
    ['"b1"', '"a b"', '"x;y"', '"  a "', '""', '"a\\b"', "utf-8''caf%C3%A9", '"unterminated', "50%"]
)
PARAM = st.tuples(
    SPACE,
    st.sampled_from(
        ["charset", "Charset", "boundary", "name", "filename", "filename*", "filename*0*"]
    ),
    SPACE,
    PARAM_VALUE,
    SPACE,
).map(lambda p: f";{p[0]}{p[1]}{p[2]}={p[2]}{p[3]}{p[4]}")
PARAMS = st.lists(PARAM, max_size=3).map("".join)

HEADER_VALUES: dict[str, tuple[list[str], st.SearchStrategy[str]]] = {
    "unstructured": (
        ["Subject", "References", "In-Reply-To", "Delivered-To", "Received", "X-Other"],
        joined(st.sampled_from(PIECES), encoded_words(), SPACE, ODD_SPACE),
    ),
    "address": (
        ["From", "To", "Cc"],
        st.lists(MAILBOX, min_size=1, max_size=3).map(",".join) | joined(st.sampled_from(PIECES)),
    ),
    "content": (
        ["Content-Type", "Content-Disposition"],
        st.tuples(SPACE, TOKEN, st.sampled_from(["/", "", " /"]), TOKEN, SPACE, PARAMS).map("".join)
        | joined(st.sampled_from(PIECES)),
    ),
    "single": (
        ["Content-Transfer-Encoding", "Message-ID", "Date"],
        st.one_of(
            st.tuples(SPACE, TOKEN, SPACE).map("".join),
            st.tuples(SPACE, ADDR_SPEC.map(lambda a: f"<{a}>"), SPACE).map("".join),
            st.sampled_from(
                [
                    "Fri, 21 Nov 1997 09:55:06 -0600",
                    "21 Nov 97 09:55:06 GMT",
                    "Mon, 03 Jun 2024 08:00:00 -0000",
                    "Mon, 31 Feb 2024 08:00:00 +0000",
                    "Mon, 03 Jun 2024 08:00:00 +9999",
                    "Tue, 1 Jan 0001 00:00:00 +0100",
                    "not a date",
                    "",
                ]
            ),
            joined(st.sampled_from(PIECES)),
        ),
    ),
}


def fetched(policy: Any, name: str, value: str) -> tuple[str, str]:
    """What ``Message.get`` hands out under ``policy``, as text (or the error it raises)."""
    try:
        return ("text", str(policy.header_fetch_parse(name, value)))
    except Exception as exc:  # the stdlib's own parse errors must stay the same too
        return (type(exc).__name__, str(exc))


@pytest.mark.parametrize("kind", sorted(HEADER_VALUES))
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_header_text_is_what_policy_default_gives(kind: str, data: st.DataObject) -> None:
    names, values = HEADER_VALUES[kind]
    name, value = data.draw(st.sampled_from(names)), data.draw(values)
    if data.draw(st.booleans()):
        value = value.replace(" ", "\r\n ", 1)  # a folded line
    assert fetched(email_connector._POLICY, name, value) == fetched(
        email.policy.default, name, value
    )


TYPICAL_HEADERS = [
    ("Subject", "Re: Commande #4711 non reçue"),
    ("Subject", "=?UTF-8?B?UmU6IENvbW1hbmRlIG5vbiByZcOndWUg8J+Tpg==?="),
    ("Subject", "Re: =?ISO-8859-1?Q?R=E9clamation?= =?ISO-8859-1?Q?_urgente?="),
    ("From", "John Doe <jdoe@machine.example>"),
    ("From", '"Doe, John" <jdoe@machine.example>'),
    ("From", "=?UTF-8?Q?Jos=C3=A9_Doe?= <JDoe@machine.example>"),
    ("To", "Mary Smith <mary@example.net>, support@chorus.example.com"),
    ("To", "<noreply@shop.example>"),
    ("Date", "Fri, 21 Nov 1997 09:55:06 -0600"),
    ("Message-ID", "<1234@local.machine.example>"),
    ("References", "<1234@local.machine.example> <3456@example.net>"),
    ("Content-Type", 'multipart/alternative; boundary="b1"'),
    ("Content-Type", "text/plain; charset=utf-8; format=flowed"),
    ("Content-Disposition", "attachment; filename=invoice.pdf"),
    ("Content-Transfer-Encoding", "quoted-printable"),
]


@pytest.mark.parametrize(("name", "value"), TYPICAL_HEADERS)
def test_typical_headers_take_the_fast_path(name: str, value: str) -> None:
    """The speed-up depends on it: these build no ``headerregistry`` objects."""
    with mock.patch.object(
        email.policy.EmailPolicy, "header_fetch_parse", side_effect=AssertionError(name)
    ):
        text = email_connector._POLICY.header_fetch_parse(name, value)
    assert text == str(email.policy.default.header_fetch_parse(name, value))


def test_a_subject_of_200000_words_is_read_without_the_header_parser() -> None:
    """policy.default's header parser took ~9 s on such a Subject (a denial of service within
    the 10 MiB limit); the fast path reads it as text."""
    subject = " ".join(f"w{i}" for i in range(200_000))
    body = (
        b"From: Jane <jane@example.com>\r\nMessage-ID: <big@example.com>\r\n"
        b"Date: Fri, 21 Nov 2026 09:55:06 +0000\r\nSubject: "
        + subject.encode()
        + b"\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
    )
    with mock.patch.object(
        email.policy.EmailPolicy, "header_fetch_parse", side_effect=AssertionError("slow path")
    ):
        result = EM.normalize(raw(body, RFC822))
    assert result.errors == []
    [post] = result.posts
    assert post.native_id == "big@example.com"
    assert post.text.startswith("w0 w1 w2 w3")  # the subject leads the text (cut to its limit)
