"""Tables owned by ingest (prefix ``ingest_``)."""

from __future__ import annotations

from chorus_common.messaging.outbox import outbox_table
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

outbox = outbox_table(metadata, "ingest_outbox")

# Durable dedup and edit order: one row per canonical post id with its current content hash,
# the platform's edit marker of that content and the short hashes of earlier contents.
seen_posts = Table(
    "ingest_seen_posts",
    metadata,
    Column("post_id", String(600), primary_key=True),
    Column("platform", String(32), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("first_seen_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Column("marker_kind", String(16), nullable=True),
    Column("marker", BigInteger, nullable=True),
    Column("prior_hashes", Text, nullable=False, server_default=""),
)

# Request bodies as received, stored once and referenced by every post they carried.
raw_payloads = Table(
    "ingest_raw_payloads",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(64), nullable=False),
    Column("content_type", String(128), nullable=True),
    Column("body", LargeBinary, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Index("ix_ingest_raw_payloads_received_at", "received_at"),
)

# What was accepted: the canonical post as published, with a link to its raw payload.
archive = Table(
    "ingest_archive",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("post_id", String(600), nullable=False),
    Column("platform", String(32), nullable=False),
    Column("channel", String(256), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("raw_id", Integer, nullable=True),
    Column("post", LargeBinary, nullable=False),  # orjson of the canonical Post
    # The trace id its post.received carried, and a digest of its URL (`chorus trace`).
    Column("trace_id", String(64), nullable=True),
    Column("url_key", String(64), nullable=True),
    Index("ix_ingest_archive_received_at", "received_at"),
    Index("ix_ingest_archive_platform_received_at", "platform", "received_at"),
    Index("ix_ingest_archive_post_id", "post_id"),
    Index("ix_ingest_archive_url_key", "url_key"),
)

channels = Table(
    "ingest_channels",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("platform", String(32), nullable=False),
    Column("external_id", String(1024), nullable=False),
    Column("display_name", String(256), nullable=True),
    Column("brand", String(256), nullable=True),
    Column("secrets", JSON, nullable=False),  # never returned by the API, never logged
    Column("poll_url", String(2048), nullable=True),
    Column("poll_interval_seconds", Float, nullable=True),
    Column("poll_config", JSON, nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("platform", "external_id", name="uq_ingest_channels_platform_external"),
)

poll_cursors = Table(
    "ingest_poll_cursors",
    metadata,
    Column("channel_id", String(64), primary_key=True),
    Column("cursor", JSON, nullable=False),
    Column("etag", String(512), nullable=True),
    Column("last_modified", String(128), nullable=True),
    Column("next_poll_at", DateTime(timezone=True), nullable=False),
    Column("failures", Integer, nullable=False),
    Column("last_error", Text, nullable=True),
    Column("last_status", Integer, nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
