"""docs/asyncapi.yaml: generated from the code, valid AsyncAPI 3.0, and true to what the
services really send and receive."""

from __future__ import annotations

import ast
import importlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from chorus_analytics.handlers import HANDLERS as ANALYTICS_HANDLERS
from chorus_cli.main import main as chorus
from chorus_common.contracts import topics
from chorus_common.contracts.asyncapi import CHANNELS, KEY_FIELDS, OPERATIONS, document, render
from chorus_common.contracts.event_types import EVENT_TYPES
from chorus_common.contracts.events import (
    AlertEvent,
    Author,
    CaseEvent,
    DeadLetter,
    HandOff,
    Media,
    Metrics,
    NativeReply,
    Post,
    PostReceived,
    ReplyEvent,
    Signals,
    TimeInHands,
)
from chorus_common.messaging.envelope import event_key, make_event
from chorus_responder.handlers import CONSUMERS as RESPONDER_CONSUMERS
from chorus_router.accountability.passes import with_accountability
from chorus_router.handlers import HANDLERS as ROUTER_HANDLERS
from chorus_router.settings import RouterSettings
from pydantic import BaseModel

from tests.support.asyncapi import ROOT, message_validator, spec_errors

pytestmark = pytest.mark.unit

COMMITTED = ROOT / "docs" / "asyncapi.yaml"
SERVICES = ("ingest", "router", "responder", "analytics")
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
# Calls that publish an event: the first string among their arguments is its type.
PUBLISHING_CALLS = frozenset({"emit", "make_event", "reply_event", "trusted", "_settle"})


def test_committed_document_is_what_the_code_generates() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == render(), (
        "docs/asyncapi.yaml is stale: run `uv run chorus asyncapi`"
    )
    assert yaml.safe_load(COMMITTED.read_text(encoding="utf-8")) == document()


def test_document_is_valid_asyncapi_3() -> None:
    assert spec_errors(document()) == []


def test_spec_validation_rejects_a_broken_document() -> None:
    doc = document()
    doc["operations"]["ingest-sends-posts"]["action"] = "publish"  # AsyncAPI 2's word
    doc["components"]["messages"]["post.received"]["bindings"]["kafka"]["partition"] = 1
    errors = spec_errors(doc)
    assert any(e.startswith("operations/ingest-sends-posts") for e in errors), errors
    assert any(e.startswith("components/messages/post.received") for e in errors), errors


def test_chorus_asyncapi_writes_the_document_and_checks_it(tmp_path: Path, capsys) -> None:
    out = tmp_path / "asyncapi.yaml"
    assert chorus(["asyncapi", "--output", str(out), "--check"]) == 1
    assert chorus(["asyncapi", "--output", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == COMMITTED.read_text(encoding="utf-8")
    assert chorus(["asyncapi", "--output", str(out), "--check"]) == 0
    out.write_text(out.read_text(encoding="utf-8").replace("case.assigned", "case.given"))
    assert chorus(["asyncapi", "--output", str(out), "--check"]) == 1
    assert "does not match" in capsys.readouterr().out


def test_every_event_type_is_a_message_of_its_topics_channel() -> None:
    doc = document()
    channels = {c["address"]: c for c in doc["channels"].values()}
    assert set(channels) == set(topics.ALL_TOPICS)
    for type_, kind in EVENT_TYPES.items():
        assert type_ in doc["components"]["messages"], type_
        assert type_ in channels[kind.topic]["messages"], (type_, kind.topic)
        message = doc["components"]["messages"][type_]
        schema = message["payload"]["allOf"][1]["properties"]["payload"]["$ref"]
        assert schema == f"#/components/schemas/{kind.payload.__name__}"
        assert message["bindings"]["kafka"]["key"]["type"] == "string"
    listed = {t for c in channels.values() for t in c["messages"]}
    assert listed == set(EVENT_TYPES), "a message no code knows"


def _samples() -> dict[type[BaseModel], BaseModel]:
    """One payload of each model with every field set, so every property's schema is used."""
    post = Post(
        id="x:1", platform="x", channel="brand", kind="mention", native_id="1",
        url="https://x.example/1", thread_id="x:t1", in_reply_to="x:0",
        author=Author(id="u1", handle="ann", display_name="Ann", followers=3, verified=True,
                      url="https://x.example/ann"),
        text="Where is my order?", lang="en", created_at=NOW, received_at=NOW, rating=2,
        metrics=Metrics(likes=1, shares=2, replies=3, views=4),
        media=(Media(type="image", url="https://x.example/1.png"),),
        signals=Signals(sentiment_score=-0.5, sentiment_label="negative", keywords=("order",),
                        entities={"order": ("A1",)}, personal_data=True),
    )  # fmt: skip
    case = CaseEvent(
        case_id="c1", thread_id="x:t1", status="assigned", team="support",
        collaborators=("legal",), assignee="m1", previous_assignee="m0", priority="P2",
        sla_due_at=NOW, tags=("delivery",), approvals_required=("legal",), platform="x",
        channel="brand", post_ids=("x:1",), latest_post_id="x:1", post_received_at=NOW,
        opened_at=NOW, reason="rule delivery", decision={"rule": "delivery", "score": 0.9},
        version=2, handoffs=(HandOff(at=NOW, event="case.assigned", from_team=None,
                                     from_member=None, to_team="support", to_member="m1",
                                     reason="rule"),),
        time_in_hands=(TimeInHands(team="support", member="m1", state="open", seconds=1.5),),
        time_in_hands_at=NOW,
        native_reply=NativeReply(post_id="x:2", url="https://x.example/2", created_at=NOW,
                                 first_response=True),
    )  # fmt: skip
    reply = ReplyEvent(
        reply_id="r1", case_id="c1", post_id="x:1", platform="x", channel="brand",
        team="support", author_member_id="m1", status="failed", text="Sorry!",
        approvals_required=("legal",), approver_member_id="m2", comment="ok",
        platform_reply_id="99", platform_url="https://x.example/99", error="429",
        error_code="rate_limited", drafted_at=NOW,
    )  # fmt: skip
    alert = AlertEvent(
        alert_id="a1", subject="buzz:brand", state="cleared", channel="brand", keyword="order",
        team="pr", case_id="c1", rate=3.5, baseline=1.0, zscore=4.2,
        sample_post_ids=("x:1",), message="bad buzz",
    )  # fmt: skip
    dead = DeadLetter.of(
        error="not JSON", error_code="invalid_json", source="router:chorus.posts.v1",
        original=b"{", original_topic=topics.POSTS, original_partition=1, original_offset=7,
        original_key="x:t1", field="payload.post", post_id="x:1",
    )  # fmt: skip
    out: dict[type[BaseModel], BaseModel] = {
        PostReceived: PostReceived(post=post, is_update=True, revision=2),
        CaseEvent: case,
        ReplyEvent: reply,
        AlertEvent: alert,
        DeadLetter: dead,
    }
    for model in out.values():
        assert model.model_fields_set == set(type(model).model_fields), type(model)
    return out


def test_what_chorus_writes_validates_against_each_messages_schema() -> None:
    doc = document()
    samples = _samples()
    for type_, kind in EVENT_TYPES.items():
        env = make_event(type_, samples[kind.payload], producer="test")
        value = json.loads(env.to_bytes())
        errors = [e.message for e in message_validator(doc, type_).iter_errors(value)]
        assert errors == [], (type_, errors)
        # the documented key is the one Chorus produces with
        where: Any = value["payload"]
        for part in KEY_FIELDS[kind.topic]:
            where = where[part]
        assert event_key(env) == where, type_


def test_message_schemas_reject_what_chorus_would_dead_letter() -> None:
    doc = document()
    samples = _samples()
    good = json.loads(make_event("case.assigned", samples[CaseEvent], producer="t").to_bytes())
    assert list(message_validator(doc, "case.assigned").iter_errors(good)) == []
    wrong_type = {**good, "type": "case.opened"}
    wrong_payload = {**good, "payload": json.loads(samples[PostReceived].model_dump_json())}
    extra = {**good, "payload": {**good["payload"], "colour": "red"}}
    missing = {k: v for k, v in good.items() if k != "producer"}
    bad_status = {**good, "payload": {**good["payload"], "status": "lost"}}
    for bad in (wrong_type, wrong_payload, extra, missing, bad_status):
        assert list(message_validator(doc, "case.assigned").iter_errors(bad)), bad


def _ops(action: str) -> dict[tuple[str, str], set[str]]:
    """(service, topic) → the types the document says it sends or receives."""
    out: dict[tuple[str, str], set[str]] = {}
    for op in OPERATIONS:
        if op.action == action:
            out.setdefault((op.service, op.topic), set()).update(op.types)
    return out


def _handled_types(service: str, group: str) -> set[str]:
    if service == "router":
        return set(with_accountability(ROUTER_HANDLERS, RouterSettings().router_accountability))
    if service == "analytics":
        return set(ANALYTICS_HANDLERS)
    if service == "responder":
        return set(RESPONDER_CONSUMERS[group.removeprefix("chorus-responder-")])
    raise AssertionError(f"{service} has no handler table")


def _subscriptions() -> dict[str, dict[str, tuple[str, ...]]]:
    """Each service's consumer groups and their topics, from its app as it is built."""
    out = {}
    for service in SERVICES:
        app = importlib.import_module(f"chorus_{service}.app")
        settings = importlib.import_module(f"chorus_{service}.settings").get_settings()
        out[service] = app.create_app(settings).state.runtime.subscriptions
    return out


def test_receive_operations_are_the_services_consumers_and_handlers() -> None:
    from_code: dict[tuple[str, str, str | None], set[str]] = {}
    for service, groups in _subscriptions().items():
        for group, subscribed in groups.items():
            handled = _handled_types(service, group)
            for topic in subscribed:
                acted = {t for t in handled if EVENT_TYPES[t].topic == topic}
                from_code[(service, topic, group)] = acted
    documented = {
        (op.service, op.topic, op.group): set(op.types)
        for op in OPERATIONS
        if op.action == "receive"
    }
    assert documented == from_code


def _published_literals(path: Path) -> set[str]:
    """Event types a module passes to a publishing call, directly or through a local name."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    names: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                names.setdefault(target.id, set()).update(_strings(node.value))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name not in PUBLISHING_CALLS:
            continue
        for arg in [*node.args, *(k.value for k in node.keywords)]:
            found |= _strings(arg)
            if isinstance(arg, ast.Name):
                found |= names.get(arg.id, set())
    return found & set(EVENT_TYPES)


def _strings(node: ast.AST) -> set[str]:
    return {n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)}  # fmt: skip


def test_send_operations_are_what_each_service_publishes() -> None:
    subscriptions = _subscriptions()
    for service in SERVICES:
        src = ROOT / "services" / service / "src" / f"chorus_{service}"
        published: set[str] = set()
        for path in src.rglob("*.py"):
            # migrations publish nothing; the router's bench module feeds posts to `make bench`
            if "migrations" in path.parts or path.name == "bench.py":
                continue
            published |= _published_literals(path)
        if subscriptions[service]:
            published.add("dead_letter")  # the shared consumer loop dead-letters for it
        documented = {t for (svc, _), ts in _ops("send").items() if svc == service for t in ts}
        assert documented == published, service
        for (svc, topic), ts in _ops("send").items():
            assert all(EVENT_TYPES[t].topic == topic for t in ts), (svc, topic)


def test_the_scan_finds_types_passed_through_a_local_name(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        'kind = "case.escalated" if x else "case.updated"\n'
        "emit(uow, kind, case)\n"
        'store.reply_event("reply.sent", row)\n'
        'notify(uow, "case.resolved")\n'
    )
    assert _published_literals(module) == {"case.escalated", "case.updated", "reply.sent"}


def test_every_channel_has_a_key_and_an_operation_each_way() -> None:
    for c in CHANNELS:
        assert c.key_field, c.topic
        assert any(op.topic == c.topic and op.action == "send" for op in OPERATIONS), c.topic
        assert any(op.topic == c.topic and op.action == "receive" for op in OPERATIONS), c.topic
