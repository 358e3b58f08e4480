"""Header text for the e-mail connector: ``policy.default``'s results without its objects.

``policy.default`` turns every header it hands out into a rich header object
(``HeaderRegistry``, ``BaseHeader.__new__``, the header value parser); the connector only
ever reads their text, and building them would be most of the time it takes to normalize a
message (a dozen headers read per message, most of them ``Content-Type`` during the MIME walk).
:data:`TEXT_POLICY` is ``policy.default`` whose fetched headers are the *string* such an object
would be, computed directly for the shapes nearly every message has (plain or encoded-word
text, ``Name <addr>`` lists, ``type/subtype; name=value``, ``<id>``, dates) and by
``policy.default`` itself for anything else. ``policy.compat32`` is as fast but reads
differently (no RFC 2047 decoding on ``get()``, ``decode_header`` spaces and fails otherwise,
8-bit headers come back as ``Header`` objects). ``test_connector_email_equivalence.py``
checks that the output is ``policy.default``'s.
"""

from __future__ import annotations

import base64
import email.policy
import re
from collections.abc import Callable
from email.headerregistry import (
    AddressHeader,
    ContentDispositionHeader,
    ContentTransferEncodingHeader,
    ContentTypeHeader,
    DateHeader,
    HeaderRegistry,
    MessageIDHeader,
    UnstructuredHeader,
)
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime, parsedate_to_datetime
from typing import TYPE_CHECKING

#
# Each fast path below returns exactly ``str(policy.default.header_fetch_parse(name, value))``
# for the values it accepts, and None for anything else (then policy.default does the work).


if TYPE_CHECKING:
    _EmailPolicy = EmailPolicy[EmailMessage]
else:
    _EmailPolicy = EmailPolicy  # generic in typeshed only


class _TextHeaderPolicy(_EmailPolicy):
    """``policy.default`` whose fetched headers are plain strings, computed cheaply when the
    value has a common shape; parsing, message classes and defects are ``policy.default``'s."""

    def header_fetch_parse(self, name: str, value: str) -> str:
        value = value.replace("\r", "").replace("\n", "")
        text = _FAST_PATHS.get(name.lower(), _DEFAULT_FAST_PATH)(value)
        if text is None:
            return str(email.policy.default.header_fetch_parse(name, value))
        return text


_FastPath = Callable[[str], str | None]
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"  # RFC 5322 atext
_ADDR_SPEC = rf"{_ATOM}(?:\.{_ATOM})*@{_ATOM}(?:\.{_ATOM})*"
_QUOTED = r'"[^"\\\x00-\x1f\x7f]*"'
_TOKEN = r"[!#$%&'*+.^_`{|}~0-9A-Za-z-]+"  # RFC 2045 token
_PLAIN_ATTR = r"[!#$&+.^_`{|}~0-9A-Za-z-]+"  # a token without RFC 2231's * ' %
_CONTENT_TYPE_HEAD = re.compile(rf"[ \t]*{_TOKEN}/{_TOKEN}[ \t]*")
_DISPOSITION_HEAD = re.compile(rf"[ \t]*{_TOKEN}[ \t]*")
_PARAM = re.compile(
    rf"[ \t]*(?P<name>{_PLAIN_ATTR})[ \t]*=[ \t]*"
    rf'(?:(?P<token>{_PLAIN_ATTR})|"(?P<quoted>[^"\\\x00-\x1f\x7f]*)")[ \t]*(?:;|$)'
)
_TRAILING_SPACE = re.compile(r"[ \t]*$")
_SIMPLE_CTE = re.compile(rf"[ \t]*{_TOKEN}[ \t]*")
_SIMPLE_MSG_ID = re.compile(rf"[ \t]*<{_ADDR_SPEC}>[ \t]*")
_MAILBOX = re.compile(
    rf"[ \t]*(?:(?P<bare>{_ADDR_SPEC})|(?:(?P<quoted>{_QUOTED})"
    rf"|(?P<phrase>{_ATOM}(?:[ \t]+{_ATOM})*))?[ \t]*<(?P<angle>{_ADDR_SPEC})>)[ \t]*"
)
_B64 = r"[A-Za-z0-9+/]"
_ENCODED_WORD = re.compile(  # RFC 2047 §2, §4; Q text: printable ASCII but "=", "?" and escapes
    rf"=\?(?P<charset>[A-Za-z0-9_.:+-]+)\?"
    rf"(?:[Bb]\?(?P<b>(?:{_B64}{{4}})*(?:{_B64}{{4}}|{_B64}{{3}}=|{_B64}{{2}}==))"
    r"|[Qq]\?(?P<q>(?:[!-<>@-~]|=[0-9A-Fa-f]{2})+))\?="
)
_Q_ESCAPE = re.compile(rb"=([0-9A-Fa-f]{2})")
_WSP_RUNS = re.compile(r"([ \t]+)")
_ODD_SPACE = re.compile(r"[^\S \t]")  # white space but SP and HTAB: line breaks, NBSP …
_SPECIALS = frozenset('()<>@,:;.\\"[]')  # RFC 5322 specials: such a display name is quoted


def _unstructured(value: str) -> str | None:
    """Unstructured text (Subject, References …): encoded words decoded, the white space
    between two of them dropped (RFC 2047 §6.2), undecodable 8-bit bytes as U+FFFD."""
    text = value if "=?" not in value else _decode_encoded_words(value)
    return None if text is None else _sanitize(text)


def _decode_encoded_words(value: str) -> str | None:
    """Only values whose every ``=?`` starts a well-formed, white-space delimited encoded
    word in a known charset; the ill-formed ones are policy.default's business, and so are
    line breaks, NBSP & co. (its white space between words is any ``str.isspace``)."""
    if _ODD_SPACE.search(value):
        return None
    parts = _WSP_RUNS.split(value)  # word, white space, word, … (words may be empty)
    out: list[str] = []
    after_word = False
    for index in range(0, len(parts), 2):
        word, space = parts[index], parts[index - 1] if index else ""
        if "=?" in word:
            decoded = _encoded_word(word)
            if decoded is None:
                return None
            out.extend((decoded,) if after_word else (space, decoded))
            after_word = True
        else:
            out.extend((space, word))
            after_word = False
    return "".join(out)


def _encoded_word(word: str) -> str | None:
    """One whole encoded word, decoded as policy.default would; None where policy.default
    would have to recover (bad padding, stray characters, unknown charset, bad bytes)."""
    found = _ENCODED_WORD.fullmatch(word)
    if found is None:
        return None
    q = found["q"]
    if q is None:
        data = base64.b64decode(found["b"], validate=True)
    else:
        data = _Q_ESCAPE.sub(lambda m: bytes.fromhex(m[1].decode()), q.replace("_", " ").encode())
    try:
        return data.decode(found["charset"])
    except (LookupError, ValueError):  # unknown charset or bytes it cannot read
        return None


def _sanitize(text: str) -> str:
    """8-bit bytes (surrogate-escaped by the parser) read as UTF-8, U+FFFD where they are not."""
    if text.isascii():
        return text
    try:
        text.encode()
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return text


def _address_list(value: str) -> str | None:
    """Comma-separated ``addr-spec`` / ``[phrase] <addr-spec>`` / ``"quoted" <addr-spec>``,
    re-serialised the way ``headerregistry.Address`` prints them."""
    if not value.isascii():
        return None
    out: list[str] = []
    pos = 0
    while True:
        found = _MAILBOX.match(value, pos)
        mailbox = None if found is None else _mailbox_text(found)
        if found is None or mailbox is None:
            return None
        out.append(mailbox)
        pos = found.end()
        if pos == len(value):
            return ", ".join(out)
        if value[pos] != ",":
            return None
        pos += 1


def _mailbox_text(found: re.Match[str]) -> str | None:
    """One mailbox as ``str(headerregistry.Address)`` prints it (specials quoted)."""
    if found["bare"] is not None:
        return found["bare"] if "=?" not in found["bare"] else None
    address, quoted = found["angle"], found["quoted"]
    if "=?" in address:
        return None
    if quoted is not None:
        name: str | None = None if "=?" in quoted else quoted[1:-1]
    else:
        name = _phrase(found["phrase"]) if found["phrase"] else ""
    if name is None:
        return None
    if not _SPECIALS.isdisjoint(name):
        name = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{name} <{address}>" if name else address


def _phrase(phrase: str) -> str | None:
    """A display name of atoms and encoded words: one space between words, runs of white
    space inside an encoded word collapsed to one."""
    words: list[str] = []
    for word in _WSP_RUNS.split(phrase)[::2]:
        if "=?" not in word:
            words.append(word)
            continue
        decoded = _encoded_word(word)
        if decoded is None or not decoded.strip(" \t") or _ODD_SPACE.search(decoded):
            return None
        words.append(_WSP_RUNS.sub(" ", decoded))
    return " ".join(words)


def _date_text(value: str) -> str | None:
    """A readable date re-printed by ``format_datetime``, as ``DateHeader`` does."""
    if not value:
        return None
    try:
        return format_datetime(parsedate_to_datetime(value))
    except ValueError:
        return None


def _parameterized(head: re.Pattern[str]) -> _FastPath:
    """``value; name=value; …`` with plain names and values: policy.default prints the
    parameters back as ``; name="value"`` (a bare ``name`` when the value is empty)."""

    def fast(value: str) -> str | None:
        found = head.match(value) if value.isascii() and "=?" not in value else None
        if found is None:
            return None
        start = found.end()
        if start == len(value):
            return value
        if value[start] != ";":
            return None
        params = _params(value, start + 1)
        if params is None:
            return None
        return value[: start + 1] + (" " + "; ".join(params) if params else "")

    return fast


def _params(value: str, pos: int) -> list[str] | None:
    """The parameters from ``pos`` on, printed as policy.default prints them."""
    out: list[str] = []
    names: set[str] = set()
    while not _TRAILING_SPACE.fullmatch(value, pos):
        found = _PARAM.match(value, pos)
        if found is None or found["name"].lower() in names:
            return None  # RFC 2231 sections, duplicates, junk: policy.default's business
        names.add(found["name"].lower())
        text = found["token"] if found["quoted"] is None else found["quoted"]
        out.append(f'{found["name"]}="{text}"' if text else found["name"])
        pos = found.end()
    return out


def _matching(pattern: re.Pattern[str]) -> _FastPath:
    """Values of this plain ASCII shape are their own text."""

    def fast(value: str) -> str | None:
        if value.isascii() and "=?" not in value and pattern.fullmatch(value):
            return value
        return None

    return fast


def _no_fast_path(value: str) -> None:
    return None


def _fast_path(header: type) -> _FastPath:
    """The fast path for the header class policy.default uses for that name (none for a
    class this module does not know, e.g. one a later Python adds)."""
    for base, fast in (
        (UnstructuredHeader, _unstructured),
        (AddressHeader, _address_list),
        (DateHeader, _date_text),
        (MessageIDHeader, _matching(_SIMPLE_MSG_ID)),
        (ContentTypeHeader, _parameterized(_CONTENT_TYPE_HEAD)),
        (ContentDispositionHeader, _parameterized(_DISPOSITION_HEAD)),
        (ContentTransferEncodingHeader, _matching(_SIMPLE_CTE)),
    ):
        if issubclass(header, base):
            return fast
    return _no_fast_path


_REGISTRY = HeaderRegistry()
_FAST_PATHS = {name: _fast_path(cls) for name, cls in _REGISTRY.registry.items()}
_DEFAULT_FAST_PATH = _fast_path(_REGISTRY.default_class)
TEXT_POLICY = _TextHeaderPolicy()
