"""docs/streams.md is what `chorus streams` generates, and lists every event the two live
streams' code can send."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from chorus_common import topics
from chorus_common.asyncapi import types_of
from chorus_common.streams import ReplyActivity, event_names
from chorus_common.streams_doc import render
from pydantic import ValidationError

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[1]
_NAME = re.compile(r"""["']((?:case|reply)\.[a-z_]+)["']""")


def _literals(service: str, prefix: str) -> set[str]:
    """Event names written as string literals in ``service``'s code."""
    found: set[str] = set()
    for path in (ROOT / "services" / service / "src").rglob("*.py"):
        found |= {
            n for n in _NAME.findall(path.read_text(encoding="utf-8")) if n.startswith(prefix)
        }
    return found


def test_the_committed_streams_doc_is_the_generated_one() -> None:
    committed = (ROOT / "docs" / "streams.md").read_text(encoding="utf-8")
    assert committed == render(), "docs/streams.md is stale: run `make streams`"


def test_every_event_the_router_stream_sends_is_listed() -> None:
    listed = set(event_names("router"))
    # The hub sends every case event the router commits, and notifications.
    assert set(types_of(topics.CASES)) | {"notification"} <= listed
    assert _literals("router", "case.") <= listed
    hub = (ROOT / "services/router/src/chorus_router/hub.py").read_text(encoding="utf-8")
    assert '"notification"' in hub


def test_every_event_the_responder_stream_sends_is_listed() -> None:
    listed = set(event_names("responder"))
    # Each reply event committed is shown as a step, and the steps named in the code.
    assert set(types_of(topics.REPLIES)) <= listed
    assert _literals("responder", "reply.") <= listed
    assert {"reply.drafting", "reply.sending"} <= _literals("responder", "reply.")


def test_a_reply_step_not_listed_cannot_be_sent() -> None:
    with pytest.raises(ValidationError):
        ReplyActivity.model_validate(
            {
                "type": "reply.teleported",
                "reply_id": "r",
                "case_id": "c",
                "team": None,
                "collaborators": (),
                "approver_teams": (),
                "member": None,
                "status": "sent",
                "platform": None,
                "platform_url": None,
                "at": "2026-01-01T00:00:00Z",
            }
        )
    assert "reply.teleported" not in render()
    assert "`reply.drafting`" in render() and "`notification`" in render()
