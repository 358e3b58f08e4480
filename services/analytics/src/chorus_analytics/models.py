"""Tables owned by analytics (prefix ``analytics_``).

Facts (one row per post, case, reply) keep what late or out-of-order events need to be
placed correctly; the ``*_buckets`` tables are the persisted minute/hour/day aggregates.
Bucket dimensions use ``""`` for "unknown" so they can be part of the primary key.
"""

from __future__ import annotations

from datetime import datetime

from chorus_common.messaging.outbox import outbox_table, processed_table
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
)

metadata = MetaData()

outbox = outbox_table(metadata, "analytics_outbox")
processed = processed_table(metadata, "analytics_processed_events")


def _ts(name: str, nullable: bool = True) -> Column[datetime]:
    return Column(name, DateTime(timezone=True), nullable=nullable)


# ----------------------------------------------------------------------------- facts

posts = Table(
    "analytics_posts",
    metadata,
    Column("post_id", String(600), primary_key=True),
    Column("thread_id", String(600), nullable=False),
    Column("platform", String(32), nullable=False),
    Column("channel", String(256), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("lang", String(16), nullable=False),
    Column("sentiment", String(16), nullable=False),
    Column("sentiment_score", Float, nullable=True),
    Column("team", String(64), nullable=False),
    Column("author_id", String(256), nullable=False),
    Column("author_handle", String(256), nullable=True),
    Column("author_followers", BigInteger, nullable=False),
    Column("author_verified", Boolean, nullable=False),
    _ts("created_at", nullable=False),
    Column("likes", BigInteger, nullable=False),
    Column("shares", BigInteger, nullable=False),
    Column("replies", BigInteger, nullable=False),
    Column("views", BigInteger, nullable=False),
    Column("terms", JSON, nullable=False),
    Column("revision", Integer, nullable=False),
    Index("ix_analytics_posts_created", "created_at"),
    Index("ix_analytics_posts_author", "author_id"),
)

# ``team`` follows the post's (its case's owner team, "" before routing), so keyword reports
# can be scoped to the caller's teams without reading every post.
post_terms = Table(
    "analytics_post_terms",
    metadata,
    Column("post_id", String(600), primary_key=True),
    Column("term", String(128), primary_key=True),
    Column("channel", String(256), nullable=False),
    Column("team", String(64), nullable=False, server_default=""),
    Column("negative", Boolean, nullable=False),
    _ts("created_at", nullable=False),
    Index("ix_analytics_post_terms_term_created", "term", "created_at"),
    Index("ix_analytics_post_terms_team_created", "team", "created_at"),
)

post_cases = Table(
    "analytics_post_cases",
    metadata,
    Column("post_id", String(600), primary_key=True),
    Column("case_id", String(64), nullable=False, index=True),
)

cases = Table(
    "analytics_cases",
    metadata,
    Column("case_id", String(64), primary_key=True),
    Column("thread_id", String(600), nullable=False),
    Column("status", String(32), nullable=False),
    Column("team", String(64), nullable=False),
    Column("assignee", String(64), nullable=True),
    Column("priority", String(4), nullable=False),
    Column("platform", String(32), nullable=False),
    Column("channel", String(256), nullable=False),
    _ts("post_received_at"),
    _ts("opened_at"),
    _ts("first_assigned_at"),
    _ts("sla_due_at"),
    _ts("sla_breached_at"),
    _ts("resolved_at"),
    Column("resolved_by", String(64), nullable=True),
    Column("reopen_count", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    _ts("updated_at", nullable=False),
    # Time in hands: (version, time) of the case event the figures in case_hands came from.
    Column("hands_version", Integer, nullable=True),
    _ts("hands_at"),
    Column("handoffs", Integer, nullable=True),  # len(handoffs) - 1
    Column("team_handoffs", Integer, nullable=True),  # entries that changed team
    Index("ix_analytics_cases_opened", "opened_at"),
    Index("ix_analytics_cases_status", "status"),
)

# Cumulative seconds a case spent per team, member ("" = the team queue) and state, as of
# the newest case version that carried them (replaced whole per case).
case_hands = Table(
    "analytics_case_hands",
    metadata,
    Column("case_id", String(64), primary_key=True),
    Column("team", String(64), primary_key=True),
    Column("member", String(64), primary_key=True),
    Column("state", String(32), primary_key=True),
    Column("seconds", Float, nullable=False),
)

replies = Table(
    "analytics_replies",
    metadata,
    Column("reply_id", String(64), primary_key=True),
    Column("case_id", String(64), nullable=False, index=True),
    Column("team", String(64), nullable=False),
    Column("platform", String(32), nullable=False),
    Column("channel", String(256), nullable=False),
    Column("author_member_id", String(64), nullable=True),
    Column("status", String(32), nullable=False),
    _ts("status_at", nullable=False),
    _ts("drafted_at"),
    _ts("approval_requested_at"),
    _ts("approved_at"),
    _ts("rejected_at"),
    _ts("sent_at"),
    _ts("failed_at"),
    Column("error_code", String(64), nullable=True),
    Index("ix_analytics_replies_sent", "sent_at"),
)

members = Table(
    "analytics_members",
    metadata,
    Column("member_id", String(64), primary_key=True),
    Column("team", String(64), nullable=False),
    _ts("last_seen_at", nullable=False),
)

alert_state = Table(
    "analytics_alert_state",
    metadata,
    Column("subject", String(300), primary_key=True),
    Column("kind", String(16), nullable=False),  # channel | keyword
    Column("target", String(256), nullable=False),
    Column("state", String(16), nullable=False),  # raised | cleared
    Column("alert_id", String(64), nullable=False),
    Column("rate", Float, nullable=False),
    Column("baseline", Float, nullable=False),
    Column("zscore", Float, nullable=False),
    _ts("changed_at", nullable=False),
)

# Dead letters one by one, without their bytes or error text (those stay on chorus.dlq.v1):
# where they came from, why, and the post and trace they name (`chorus trace`). Pruned after
# DEAD_LETTER_RETENTION_DAYS.
# The brand's own posts and replies on the platforms (brand activity), each once: counted
# apart from the posts of everyone else (volume, sentiment, reach never include them).
brand_posts = Table(
    "analytics_brand_posts",
    metadata,
    Column("post_id", String(600), primary_key=True),
    Column("platform", String(32), nullable=False),
    Column("channel", String(256), nullable=False),
    Column("kind", String(16), nullable=False),
    _ts("created_at", nullable=False),
    Index("ix_analytics_brand_posts_created", "created_at"),
)

dead_letters = Table(
    "analytics_dead_letters",
    metadata,
    Column("event_id", String(36), primary_key=True),
    _ts("at", nullable=False),
    Column("source", String(200), nullable=False),
    Column("code", String(64), nullable=False),
    Column("field", String(200), nullable=True),
    Column("post_id", String(600), nullable=True),
    Column("trace_id", String(64), nullable=True),
    Column("original_topic", String(64), nullable=True),
    Column("original_partition", Integer, nullable=True),
    Column("original_offset", BigInteger, nullable=True),
    Index("ix_analytics_dead_letters_at", "at"),
    Index("ix_analytics_dead_letters_post_id", "post_id"),
    Index("ix_analytics_dead_letters_trace_id", "trace_id"),
)

# ----------------------------------------------------------------------------- buckets

POST_DIMS = ("platform", "channel", "kind", "lang", "sentiment", "team")
POST_MEASURES = ("posts", "likes", "shares", "replies", "views", "sentiment_sum")

post_buckets = Table(
    "analytics_post_buckets",
    metadata,
    Column("grain", String(1), primary_key=True),
    Column("bucket", DateTime(timezone=True), primary_key=True),
    Column("platform", String(32), primary_key=True),
    Column("channel", String(256), primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("lang", String(16), primary_key=True),
    Column("sentiment", String(16), primary_key=True),
    Column("team", String(64), primary_key=True),
    Column("posts", BigInteger, nullable=False),
    Column("likes", BigInteger, nullable=False),
    Column("shares", BigInteger, nullable=False),
    Column("replies", BigInteger, nullable=False),
    Column("views", BigInteger, nullable=False),
    Column("sentiment_sum", Float, nullable=False),
)

EVENT_DIMS = ("type", "team", "platform", "priority", "detail")

event_buckets = Table(
    "analytics_event_buckets",
    metadata,
    Column("grain", String(1), primary_key=True),
    Column("bucket", DateTime(timezone=True), primary_key=True),
    Column("type", String(48), primary_key=True),
    Column("team", String(64), primary_key=True),
    Column("platform", String(32), primary_key=True),
    Column("priority", String(4), primary_key=True),
    Column("detail", String(300), primary_key=True),
    Column("count", BigInteger, nullable=False),
)

TERM_DIMS = ("term", "channel")

term_buckets = Table(
    "analytics_term_buckets",
    metadata,
    Column("grain", String(1), primary_key=True),
    Column("bucket", DateTime(timezone=True), primary_key=True),
    Column("term", String(128), primary_key=True),
    Column("channel", String(256), primary_key=True),
    Column("posts", BigInteger, nullable=False),
    Column("negative", BigInteger, nullable=False),
)
