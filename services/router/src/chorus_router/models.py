"""Tables owned by the router (prefix ``router_``)."""

from __future__ import annotations

from chorus_common.messaging.outbox import outbox_table, processed_table
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
)

from chorus_router.intent.tables import intent_tables

metadata = MetaData()

outbox = outbox_table(metadata, "router_outbox")
processed = processed_table(metadata, "router_processed_events")

# Change counters of what routing caches: directory, rules, crises.
versions = Table(
    "router_versions",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("version", Integer, nullable=False),
)

teams = Table(
    "router_teams",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("lead", String(64), nullable=True),
    Column("description", Text, nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False, default=1),
    # The intent a case landing in this team is an example of (None: the team id when it is
    # one of the intents, else the team's cases teach the classifier nothing).
    Column("intent", String(16), nullable=True),
)

members = Table(
    "router_members",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("email", String(320), nullable=True),
    # Who the member is at the organization's OpenID provider (its `sub`): sign-in maps here.
    Column("oidc_subject", String(255), nullable=True),
    # An administrator of Chorus (every scope, every team) when signed in; NULL: not one.
    Column("admin", Boolean, nullable=True, default=False, server_default=false()),
    Column("teams", JSON, nullable=False),
    Column("languages", JSON, nullable=False),
    Column("skills", JSON, nullable=False),
    Column("platforms", JSON, nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("working_hours", JSON, nullable=False),
    Column("availability", String(20), nullable=False),
    Column("availability_until", DateTime(timezone=True), nullable=True),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False, default=1),
    UniqueConstraint("oidc_subject", name="uq_router_members_oidc_subject"),
)

rule_versions = Table(
    "router_rule_versions",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("rules", JSON, nullable=False),
    Column("change", String(300), nullable=False),
    Column("author", String(256), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# The condition of the SLA checker's partial index; its query repeats it word for word
# (SQLite uses a partial index only when the query's terms imply the index's).
SLA_PENDING = "sla_breached_at IS NULL AND first_response_at IS NULL AND status != 'resolved'"

cases = Table(
    "router_cases",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("thread_id", String(600), nullable=False),
    Column("platform", String(32), nullable=False),
    Column("channel", String(256), nullable=True),
    Column("status", String(20), nullable=False),
    Column("team", String(64), nullable=False),
    Column("collaborators", JSON, nullable=False),
    Column("assignee", String(64), nullable=True),
    Column("previous_assignee", String(64), nullable=True),
    Column("escalated_to", String(64), nullable=True),
    Column("priority", String(2), nullable=False),
    Column("tags", JSON, nullable=False),
    Column("approvals", JSON, nullable=False),
    Column("skills", JSON, nullable=False),
    Column("language", String(16), nullable=True),
    Column("weight", Float, nullable=False),
    Column("never_alone", Boolean, nullable=False),
    Column("crisis", String(256), nullable=True),
    Column("sla_minutes", Integer, nullable=False),
    Column("sla_due_at", DateTime(timezone=True), nullable=False),
    Column("sla_breached_at", DateTime(timezone=True), nullable=True),
    Column("first_response_at", DateTime(timezone=True), nullable=True),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("assigned_at", DateTime(timezone=True), nullable=True),
    Column("resolved_at", DateTime(timezone=True), nullable=True),
    Column("post_received_at", DateTime(timezone=True), nullable=False),
    Column("latest_post_id", String(600), nullable=False),
    Column("post_ids", JSON, nullable=False),
    Column("post_count", Integer, nullable=False),
    Column("decision", JSON, nullable=False),
    Column("reason", Text, nullable=False, default=""),
    Column("version", Integer, nullable=False),
    UniqueConstraint("platform", "thread_id", name="uq_router_cases_thread"),
    Index("ix_router_cases_status_team", "status", "team"),
    Index("ix_router_cases_assignee_status", "assignee", "status"),
    Index("ix_router_cases_opened", "opened_at", "id"),
    Index("ix_router_cases_updated", "updated_at", "id"),
    Index("ix_router_cases_sla", "sla_due_at"),
    # What the SLA checker looks for (due, not breached, not answered, not resolved): the
    # partial index keeps its read proportional to that, not to every case ever due.
    Index(
        "ix_router_cases_sla_pending",
        "sla_due_at",
        sqlite_where=text(SLA_PENDING),
        postgresql_where=text(SLA_PENDING),
    ),
)

# One row per post: a post belongs to exactly one case, so redelivery never doubles a case.
case_posts = Table(
    "router_case_posts",
    metadata,
    Column("post_id", String(600), primary_key=True),
    Column("case_id", String(64), nullable=False, index=True),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("revision", Integer, nullable=False, default=1),
)

# Every team a case involves (owner and collaborators): visibility filtering in SQL.
case_teams = Table(
    "router_case_teams",
    metadata,
    Column("case_id", String(64), primary_key=True),
    Column("team", String(64), primary_key=True),
    Index("ix_router_case_teams_team", "team", "case_id"),
)

loads = Table(
    "router_loads",
    metadata,
    Column("member_id", String(64), primary_key=True),
    Column("open_cases", Integer, nullable=False, default=0),
    Column("weighted", Float, nullable=False, default=0.0),
    Column("solid_cases", Integer, nullable=False, default=0),
    Column("assigned_total", Integer, nullable=False, default=0),
    Column("last_assigned", Float, nullable=False, default=0.0),
)

crises = Table(
    "router_crises",
    metadata,
    Column("subject", String(256), primary_key=True),
    Column("alert_id", String(128), nullable=False),
    Column("keyword", String(256), nullable=True),
    Column("channel", String(256), nullable=True),
    Column("message", Text, nullable=False, default=""),
    Column("active", Boolean, nullable=False),
    Column("raised_at", DateTime(timezone=True), nullable=False),
    Column("cleared_at", DateTime(timezone=True), nullable=True),
)

notifications = Table(
    "router_notifications",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("member_id", String(64), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("case_id", String(64), nullable=True),
    Column("message", Text, nullable=False),
    Column("data", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # When the member read it (the console marks what it listed); NULL: unread.
    Column("read_at", DateTime(timezone=True), nullable=True),
)

audit = Table(
    "router_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(256), nullable=False),
    Column("action", String(64), nullable=False),
    Column("entity", String(32), nullable=False),
    Column("entity_id", String(128), nullable=False),
    Column("before", JSON, nullable=True),
    Column("after", JSON, nullable=True),
    Index("ix_router_audit_entity", "entity", "entity_id"),
)

# --------------------------------------------------------- shared accountability (issue 7)

# One row per case event: who held the case (team, member; None = the team queue), in which
# status, and why. Time in hands, hand-offs, SLA clocks and shift fairness are read from it.
case_log = Table(
    "router_case_log",
    metadata,
    Column("case_id", String(64), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("event", String(32), nullable=False),
    Column("status", String(20), nullable=False),
    Column("team", String(64), nullable=False),
    Column("member", String(64), nullable=True),
    Column("handoff", Boolean, nullable=False),
    Column("weight", Float, nullable=False),
    Column("fairness", String(16), nullable=True),
    Column("reason", Text, nullable=False, default=""),
    Index("ix_router_case_log_team_at", "team", "at"),
)

# Cases whose owner has the ball: since when, and whether the owner was already warned.
case_watch = Table(
    "router_case_watch",
    metadata,
    Column("case_id", String(64), primary_key=True),
    Column("owner", String(64), nullable=False),
    Column("since", DateTime(timezone=True), nullable=False),
    Column("noticed_at", DateTime(timezone=True), nullable=True),
    Index("ix_router_case_watch_since", "since"),
)

# Each member's last observed presence (available, away, off_shift, ...) and since when.
presence = Table(
    "router_presence",
    metadata,
    Column("member_id", String(64), primary_key=True),
    Column("state", String(20), nullable=False),
    Column("since", DateTime(timezone=True), nullable=False),
)

# The canonical posts the router routed (as received, JSON text), kept for what-if replays.
routed_posts = Table(
    "router_routed_posts",
    metadata,
    Column("post_id", String(600), primary_key=True),
    Column("case_id", String(64), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("post", Text, nullable=False),
    Index("ix_router_routed_posts_received", "received_at"),
)

# The brand's own posts and replies on the platforms (brand activity): each once, with the
# case it moved (None: no case of its conversation yet, or a post that answers nobody).
brand_posts = Table(
    "router_brand_posts",
    metadata,
    Column("post_id", String(600), primary_key=True),
    Column("platform", String(32), nullable=False),
    Column("thread_id", String(600), nullable=False),
    Column("in_reply_to", String(600), nullable=True),
    Column("case_id", String(64), nullable=True, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("post", Text, nullable=False),
    # Only posts still waiting for their conversation's case: looked up on every new case.
    Index(
        "ix_router_brand_posts_waiting",
        "platform",
        "thread_id",
        sqlite_where=text("case_id IS NULL"),
        postgresql_where=text("case_id IS NULL"),
    ),
)

intent_examples, intent_models, intent_promotions = intent_tables(metadata)
