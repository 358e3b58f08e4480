"""What Facebook Pages, Messenger, Instagram and WhatsApp webhooks share.

* Signature: ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app_secret, raw body)>``
  (https://developers.facebook.com/docs/graph-api/webhooks/getting-started#validate-payloads).
* Handshake: ``GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`` echoes the
  challenge when the verify token matches (``verify_token`` secret), else 403.
* Envelope: ``{"object": …, "entry": [{"id", "time", "changes": [{"field", "value"}],
  "messaging": [...]}]}``; Meta's documented examples wrap it in a list (``[{…}]``), which is
  read the same way, envelope by envelope.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chorus_platforms.kit import signatures
from chorus_platforms.kit.fields import ItemProblem, as_dict, as_id, as_list
from chorus_platforms.kit.inbound import (
    HandshakeResponse,
    NormalizeError,
    NormalizeResult,
    RawInput,
    SignatureError,
)
from chorus_platforms.kit.items import Built, Items, load_json, require_channel

SIGNATURE_HEADER = "x-hub-signature-256"
_MAX_CHALLENGE = 512


def verify_meta_signature(raw: RawInput, secrets: Mapping[str, str]) -> None:
    """Check ``X-Hub-Signature-256`` against the raw body; 401 missing, 403 wrong."""
    given = signatures.signature_header(raw, SIGNATURE_HEADER)
    secret = signatures.secret(secrets, "app_secret")
    if not given.startswith("sha256="):
        raise SignatureError(403, "bad_signature", f"{SIGNATURE_HEADER} must start with sha256=")
    expected = signatures.hmac_sha256(secret, raw.body).hex()
    if not signatures.equal(given[len("sha256=") :].lower(), expected):
        raise SignatureError(403, "bad_signature", f"{SIGNATURE_HEADER} does not match the body")


def meta_handshake(query: Mapping[str, str], secrets: Mapping[str, str]) -> HandshakeResponse:
    """Answer the ``hub.challenge`` subscription check: echo on a matching token, else 403."""
    expected = secrets.get("verify_token") or ""
    token = query.get("hub.verify_token") or ""
    challenge = query.get("hub.challenge") or ""
    if (
        query.get("hub.mode") != "subscribe"
        or not expected
        or not challenge
        or not signatures.equal(token, expected)
    ):
        return HandshakeResponse(403, b"verification failed")
    if len(challenge) > _MAX_CHALLENGE or not challenge.isprintable():
        return HandshakeResponse(400, b"invalid hub.challenge")
    return HandshakeResponse(200, challenge.encode("utf-8"))


class MetaConnector:
    """A Meta webhook adapter: ``X-Hub-Signature-256`` check and hub handshake; each platform
    gives its own pure ``normalize``."""

    platform: str = ""

    def normalize(self, raw: RawInput) -> NormalizeResult:
        """Parse a delivery or a Graph API page into posts; pure, no side effects."""
        raise NotImplementedError

    def verify(self, raw: RawInput, secrets: Mapping[str, str], now: datetime) -> None:
        """HMAC-SHA256 of the raw body with ``app_secret``; raises ``SignatureError``."""
        verify_meta_signature(raw, secrets)

    def handshake(
        self, query: Mapping[str, str], secrets: Mapping[str, str]
    ) -> HandshakeResponse | None:
        """Echo ``hub.challenge`` when ``hub.verify_token`` equals ``verify_token``."""
        return meta_handshake(query, secrets)


@dataclass(frozen=True)
class Entry:
    """One ``entry[]`` element: the account it concerns and when Meta sent it."""

    account_id: str
    time: Any
    raw: dict[str, Any]
    path: str


def is_envelope(data: Any) -> bool:
    """A webhook delivery (one envelope, or the list form of Meta's examples)."""
    if isinstance(data, list):
        return bool(data) and all(isinstance(e, dict) and "object" in e for e in data)
    return isinstance(data, dict) and "object" in data


def meta_envelope(data: Any, objects: tuple[str, ...]) -> list[tuple[str, Any]]:
    """The ``(path, entry)`` pairs of a delivery whose ``object`` is one of ``objects``."""
    many = isinstance(data, list)
    if many and not data:
        raise NormalizeError("unrecognized_payload", "expected a Meta webhook envelope")
    found: list[tuple[str, Any]] = []
    for n, envelope in enumerate(data if many else [data]):
        prefix = f"[{n}]." if many else ""
        if not isinstance(envelope, dict) or "object" not in envelope:
            raise NormalizeError("unrecognized_payload", "expected a Meta webhook envelope")
        if envelope.get("object") not in objects:
            wanted = " or ".join(objects)
            raise NormalizeError("wrong_object", f"object must be {wanted}", f"{prefix}object")
        listed = envelope.get("entry")
        if not isinstance(listed, list):
            raise NormalizeError("missing_entry", "entry must be a list", f"{prefix}entry")
        found.extend((f"{prefix}entry[{i}]", e) for i, e in enumerate(listed))
    return found


def entries(items: Items, pairs: list[tuple[str, Any]]) -> Iterator[Entry]:
    """The well-formed entries; a malformed one becomes an ``ItemError``."""
    for path, raw_entry in pairs:
        account = as_id(as_dict(raw_entry).get("id"))
        if account is None:
            items.add(path, raw_entry, None, _bad_entry)
            continue
        yield Entry(account, raw_entry.get("time"), raw_entry, path)


def _bad_entry() -> Built:
    raise ItemProblem("missing_field", "entry must be an object with an id", "id")


def load_envelope(raw: RawInput, objects: tuple[str, ...]) -> list[tuple[str, Any]]:
    return meta_envelope(load_json(raw), objects)


def changes(entry: Entry) -> Iterator[tuple[str, str | None, Any]]:
    """``(path, field, value)`` of each ``changes[]`` element of an entry."""
    for j, change in enumerate(as_list(entry.raw.get("changes"))):
        change_d = as_dict(change)
        field = change_d.get("field")
        yield f"{entry.path}.changes[{j}]", field if isinstance(field, str) else None, change


def read_meta(
    raw: RawInput,
    objects: tuple[str, ...],
    on_entry: Callable[[Items, Entry], None],
    on_page: Callable[[Items, str, list[Any]], None],
    one_key: str,
) -> NormalizeResult:
    """A webhook delivery (each entry to ``on_entry``), or a Graph list page ``{"data": […]}``
    or one object with ``id`` and ``one_key`` (to ``on_page``, with the channel)."""
    data = load_json(raw)
    items = Items()
    if is_envelope(data):
        for entry in entries(items, meta_envelope(data, objects)):
            on_entry(items, entry)
        return items.result
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        page: list[Any] = data["data"]
    elif isinstance(data, dict) and "id" in data and one_key in data:
        page = [data]
    else:
        wanted = " or ".join(objects)
        raise NormalizeError("unrecognized_payload", f"expected a {wanted} webhook or Graph page")
    on_page(items, require_channel(raw), page)
    return items.result
