"""Hand-made e-mail messages (not copied from a source): an RFC 5322 A.2 style reply made
multipart/alternative with RFC 2047 encoded headers and a quoted-printable part, and a
base64 text/html-only message in ISO-8859-1 (RFC 2045); CRLF line ends as on the wire."""

from __future__ import annotations

# formerly fixtures/email/reply_multipart.eml
HANDMADE_REPLY_MULTIPART = r"""From: =?UTF-8?Q?Jos=C3=A9_Doe?= <JDoe@machine.example>
To: Mary Smith <mary@example.net>
Delivered-To: support@chorus.example.com
Subject: =?UTF-8?B?UmU6IENvbW1hbmRlIG5vbiByZcOndWUg8J+Tpg==?=
Date: Fri, 21 Nov 1997 11:00:00 -0600
Message-ID: <abcd.1234@local.machine.example>
In-Reply-To: <3456@example.net>
References: <1234@local.machine.example>
 <3456@example.net>
Content-Language: fr
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Bonjour Mary,

Le colis n'est jamais arriv=C3=A9 =F0=9F=98=9E =E2=80=94 commande #4711.
Merci de me rappeler au +33 6 12 34 56 78.

> Ancien message

--b1
Content-Type: text/html; charset=utf-8

<html><body><p>Bonjour Mary,</p><p>Le colis n'est jamais arriv&eacute;</p></body></html>
--b1--
""".replace("\n", "\r\n").encode()

# formerly fixtures/email/html_only.eml
HANDMADE_HTML_ONLY = r"""From: client@example.org
To: Brand Support <support@chorus.example.com>, other@example.net
Subject: =?ISO-8859-1?Q?Caf=E9?=
Date: Mon, 03 Jun 2024 08:00:00 +0000
Message-ID: <html-only-1@example.org>
MIME-Version: 1.0
Content-Type: text/html; charset=ISO-8859-1
Content-Transfer-Encoding: base64

PGh0bWw+PGhlYWQ+PHN0eWxlPnB7fTwvc3R5bGU+PC9oZWFkPjxib2R5PjxwPkNhZukgZnJvaWQm
bmJzcDshPC9wPjxzY3JpcHQ+eCgpPC9zY3JpcHQ+PHA+TWVyY2k8L3A+PC9ib2R5PjwvaHRtbD4=
""".replace("\n", "\r\n").encode()
