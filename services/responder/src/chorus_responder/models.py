"""Tables owned by the responder (prefix ``responder_``)."""

from __future__ import annotations

from chorus_common.messaging.outbox import outbox_table
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

outbox = outbox_table(metadata, "responder_outbox")

case_view = Table(
    "responder_case_view",
    metadata,
    Column("case_id", String(64), primary_key=True),
    Column("thread_id", String(600), nullable=False),
    Column("status", String(32), nullable=False),
    Column("team", String(64), nullable=True),
    Column("assignee", String(64), nullable=True),
    Column("priority", String(4), nullable=False),
    Column("platform", String(32), nullable=True),
    Column("channel", String(256), nullable=True),
    Column("latest_post_id", String(600), nullable=True),
    Column("tags", JSON, nullable=False),
    Column("approvals_required", JSON, nullable=False),
    Column("collaborators", JSON, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# The responder's own copy of the posts it may answer (from chorus.posts.v1).
post_view = Table(
    "responder_post_view",
    metadata,
    Column("post_id", String(600), primary_key=True),
    Column("platform", String(32), nullable=False),
    Column("channel", String(256), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("native_id", String(512), nullable=False),
    Column("url", String(4096), nullable=True),
    Column("thread_id", String(600), nullable=False, index=True),
    Column("in_reply_to", String(600), nullable=True),
    Column("author_id", String(256), nullable=False),
    Column("author_handle", String(256), nullable=True),
    Column("author_display_name", String(512), nullable=True),
    Column("rating", Integer, nullable=True),
    Column("text", Text, nullable=False),
    Column("lang", String(16), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revision", Integer, nullable=False),
)

# The brand's replies written in the platforms' own apps, per case (collisions).
native_replies = Table(
    "responder_native_replies",
    metadata,
    Column("post_id", String(600), primary_key=True),
    Column("case_id", String(64), nullable=False, index=True),
    Column("url", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("seen_at", DateTime(timezone=True), nullable=False),
)

replies = Table(
    "responder_replies",
    metadata,
    Column("reply_id", String(36), primary_key=True),
    Column("case_id", String(64), nullable=False, index=True),
    Column("post_id", String(600), nullable=False),
    Column("platform", String(32), nullable=False),
    Column("adapter", String(32), nullable=False),
    Column("channel", String(256), nullable=False),
    Column("visibility", String(8), nullable=False),
    Column("mode", String(8), nullable=False),
    Column("team", String(64), nullable=True),
    Column("author_id", String(256), nullable=False),
    Column("text", Text, nullable=False),
    Column("lang", String(16), nullable=True),
    Column("template_id", String(36), nullable=True),
    Column("status", String(20), nullable=False),
    Column("version", Integer, nullable=False),
    Column("needed", JSON, nullable=False),
    Column("approvals", JSON, nullable=False),
    Column("idempotency_key", String(64), nullable=False, unique=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", DateTime(timezone=True), nullable=True),
    Column("lease_owner", String(64), nullable=True),
    Column("lease_until", DateTime(timezone=True), nullable=True),
    Column("needs_check", Boolean, nullable=False, default=False),
    Column("platform_reply_id", String(256), nullable=True),
    Column("platform_url", String(2048), nullable=True),
    Column("error", Text, nullable=True),
    Column("error_code", String(64), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    Index("ix_responder_replies_due", "status", "next_attempt_at"),
)

reply_history = Table(
    "responder_reply_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("reply_id", String(36), nullable=False, index=True),
    Column("case_id", String(64), nullable=False, index=True),
    Column("step", String(40), nullable=False),
    Column("actor", String(256), nullable=True),
    Column("comment", Text, nullable=True),
    Column("data", JSON, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

templates = Table(
    "responder_templates",
    metadata,
    Column("template_id", String(36), primary_key=True),
    Column("team", String(64), nullable=False),
    Column("lang", String(16), nullable=False),
    Column("name", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_by", String(256), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("team", "lang", "name", name="uq_responder_templates_name"),
)

policies = Table(
    "responder_policies",
    metadata,
    Column("policy_id", String(64), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("body", JSON, nullable=False),
    Column("updated_by", String(256), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Outbound configuration per brand account; ``credentials`` is never returned by the API.
channels = Table(
    "responder_channels",
    metadata,
    Column("platform", String(32), nullable=False),
    Column("channel", String(256), nullable=False),
    Column("base_url", String(2048), nullable=True),
    Column("options", JSON, nullable=False),
    Column("credentials", JSON, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("platform", "channel"),
)
