"""Safe XML for feeds: defusedxml parsing (no entity expansion, no external entities) and
namespace-agnostic element look-ups by local name."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from chorus_platforms.kit.inbound import NormalizeError, RawInput
from chorus_platforms.kit.items import check_size


# Not feedparser: it expands entity declarations and is slower than this whole connector
# (measured in docs/connectors-feeds.md).
def parse(raw: RawInput) -> ET.Element:
    """Parse XML with entity expansion, external entities and external DTDs refused."""
    check_size(raw)
    try:
        root = SafeET.fromstring(
            raw.body, forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException as exc:
        raise NormalizeError("unsafe_xml", f"refused XML construct: {type(exc).__name__}") from exc
    except (ET.ParseError, ValueError, LookupError, UnicodeError) as exc:
        raise NormalizeError("invalid_xml", f"not well-formed XML: {str(exc)[:200]}") from exc
    if not isinstance(root, ET.Element):
        raise NormalizeError("invalid_xml", "no root element")
    return root


def local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def child(el: ET.Element, *names: str) -> ET.Element | None:
    for name in names:
        for c in el:
            if local(c.tag) == name:
                return c
    return None


def child_text(el: ET.Element, *names: str) -> str | None:
    c = child(el, *names)
    text = "".join(c.itertext()).strip() if c is not None else ""
    return text or None
