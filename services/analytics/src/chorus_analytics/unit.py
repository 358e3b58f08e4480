"""One consumer batch's view of the analytics facts: every row the batch needs is read with
one ``SELECT … IN`` per table, handlers change plain dicts in memory, and
:mod:`chorus_analytics.unit_write` writes each table once, in the batch's transaction.

Reads see the batch's own changes (as the per-event statements did inside the
transaction), so applying the events in order gives the same rows and the same bucket
deltas as handling them one by one. A row the prefetch missed is loaded on first use.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from chorus_common.contracts.timebuckets import as_utc
from chorus_common.persistence.db import rows_with
from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_analytics import models
from chorus_analytics.domain.facts import PostFact, add_post, fact_from_row
from chorus_analytics.store import Pending

Row = dict[str, Any]
IN_CHUNK = 2000  # ids per SELECT … IN (well under SQLite's and asyncpg's bind limits)


def _columns(table: Table) -> dict[str, None]:
    return dict.fromkeys(c.name for c in table.columns)


def _normal(out: Row, dates: tuple[str, ...]) -> Row:
    for name in dates:
        if out[name] is not None:
            out[name] = as_utc(out[name])
    return out


def _dates(table: Table) -> tuple[str, ...]:
    return tuple(c.name for c in table.columns if c.type.python_type is datetime)


class Facts:
    """Rows of one fact table keyed by primary key: loaded, or changed by this batch."""

    def __init__(self, session: AsyncSession, dialect: str, table: Table, key: str) -> None:
        self.session = session
        self.dialect = dialect
        self.table = table
        self.key = table.c[key]
        self.rows: dict[str, Row | None] = {}  # None: known absent
        self.dirty: set[str] = set()
        self.blank = _columns(table)
        self.dates = _dates(table)

    async def load(self, ids: Iterable[str]) -> None:
        missing = sorted({i for i in ids if i not in self.rows})
        for i in range(0, len(missing), IN_CHUNK):
            chunk = missing[i : i + IN_CHUNK]
            found = await self.session.execute(rows_with(self.dialect, self.table), {"ids": chunk})
            for r in found.mappings():
                row = _normal(dict(r), self.dates)
                self.rows[row[self.key.name]] = row
            for k in chunk:
                self.rows.setdefault(k, None)

    async def get(self, key: str) -> Row | None:
        if key not in self.rows:
            await self.load([key])
        return self.rows[key]

    def put(self, row: Row) -> None:
        """Insert or replace a whole row (missing columns are NULL). A complete row is kept
        as given, not copied: callers pass a new dict and do not change it afterwards."""
        full = row if len(row) == len(self.blank) else {**self.blank, **row}
        key = full[self.key.name]
        self.rows[key] = full
        self.dirty.add(key)

    def changed(self) -> list[Row]:
        rows = [self.rows[k] for k in sorted(self.dirty)]
        return [r for r in rows if r is not None]


class Unit:
    """The batch's facts, post→case map, term rows and bucket deltas."""

    def __init__(self, session: AsyncSession, dialect: str) -> None:
        self.session = session
        self.dialect = dialect
        self.posts = Facts(session, dialect, models.posts, "post_id")
        self.cases = Facts(session, dialect, models.cases, "case_id")
        self.replies = Facts(session, dialect, models.replies, "reply_id")
        self.members = Facts(session, dialect, models.members, "member_id")
        self.post_case: dict[str, str | None] = {}
        self.new_post_cases: dict[str, str] = {}
        # Posts mapped to a case, for the cases whose every mapping is known in memory.
        self.case_posts: dict[str, set[str]] = {}
        # Term rows rewritten by this batch (post id -> rows); the posts that had rows before.
        self.terms: dict[str, list[Row]] = {}
        self.terms_replaced: set[str] = set()
        # Posts moved to another team by this batch (their stored term rows follow).
        self.reteamed: set[str] = set()
        # Time-in-hands rows of the cases whose figures this batch replaced (case id -> rows).
        self.hands: dict[str, list[Row]] = {}
        # What each post touched by the batch counted for before it (None: not counted).
        self.counted_before: dict[str, PostFact | None] = {}
        self.deltas = Pending()
        self.dead_letters: list[Row] = []  # one row per dead letter (analytics_dead_letters)
        self.brand_posts: dict[str, Row] = {}  # the brand's own posts (analytics_brand_posts)

    # ------------------------------------------------------------------ reads

    async def prefetch(
        self,
        *,
        posts: Iterable[str] = (),
        cases: Iterable[str] = (),
        replies: Iterable[str] = (),
        members: Iterable[str] = (),
    ) -> None:
        """Load every row the batch will read, one query per table (chunked)."""
        post_ids = set(posts)
        await self.posts.load(post_ids)
        await self._load_post_cases(post_ids)
        mapped = {c for p in post_ids if (c := self.post_case.get(p))}
        await self.cases.load({*cases, *mapped})
        await self.replies.load(replies)
        await self.members.load(members)
        for case_id, row in self.cases.rows.items():
            # A case's post mappings are written with the case itself: a case not yet
            # stored has none in the database.
            if row is None:
                self.case_posts.setdefault(case_id, set())

    async def _load_post_cases(self, post_ids: Iterable[str]) -> None:
        pc = models.post_cases
        missing = sorted({p for p in post_ids if p not in self.post_case})
        for i in range(0, len(missing), IN_CHUNK):
            chunk = missing[i : i + IN_CHUNK]
            found = await self.session.execute(
                rows_with(self.dialect, pc, "post_id", "case_id"), {"ids": chunk}
            )
            for post_id, case_id in found:
                self._map(post_id, case_id)
            for p in chunk:
                self.post_case.setdefault(p, None)

    def _map(self, post_id: str, case_id: str) -> None:
        self.post_case[post_id] = case_id
        if case_id in self.case_posts:
            self.case_posts[case_id].add(post_id)

    async def case_of_post(self, post_id: str) -> str | None:
        if post_id not in self.post_case:
            await self._load_post_cases([post_id])
        return self.post_case[post_id]

    async def posts_of_case(self, case_id: str) -> set[str]:
        """Every post mapped to ``case_id`` (stored or mapped by this batch)."""
        if case_id not in self.case_posts:
            pc = models.post_cases
            stored = await self.session.execute(select(pc.c.post_id).where(pc.c.case_id == case_id))
            ids = {p for (p,) in stored}
            ids |= {p for p, c in self.new_post_cases.items() if c == case_id}
            self.case_posts[case_id] = ids
            for p in ids:
                self.post_case[p] = case_id
        return set(self.case_posts[case_id])

    # ------------------------------------------------------------------ changes

    async def map_posts(self, post_ids: Sequence[str], case_id: str) -> None:
        """Map posts to a case; a post already mapped keeps its first case."""
        await self._load_post_cases(post_ids)
        for p in post_ids:
            if self.post_case[p] is None:
                self._map(p, case_id)
                self.new_post_cases[p] = case_id

    def apply_change(self, old: PostFact | None, new: PostFact) -> None:
        """Record that a post's contribution moves from ``old`` to ``new`` (its row already
        holds ``new``); keep its term rows in step."""
        self.counted_before.setdefault(new.post_id, old)
        if old is None or old.terms != new.terms or old.sentiment != new.sentiment:
            if old is not None and new.post_id not in self.terms:
                self.terms_replaced.add(new.post_id)
            self.terms[new.post_id] = [
                {
                    "post_id": new.post_id,
                    "term": term,
                    "channel": new.channel,
                    "team": new.team,
                    "negative": new.negative,
                    "created_at": new.created_at,
                }
                for term in new.terms
            ]

    def reteam(self, post_id: str, row: Row, team: str) -> None:
        """Move a post (its current ``row``) to ``team``: :meth:`apply_change` from its fact
        to the same fact in ``team``, without building either when the post already moved in
        this batch (a team never changes the terms or the sentiment)."""
        if post_id not in self.counted_before:
            self.counted_before[post_id] = fact_from_row(row)
        self.posts.put({**row, "team": team})
        self.reteamed.add(post_id)

    def net_contributions(self) -> Pending:
        """The batch's bucket deltas: for each post, what it counts for now minus what it
        counted for before the batch (the sum of its changes, computed once)."""
        for post_id, before in self.counted_before.items():
            row = self.posts.rows[post_id]
            after = fact_from_row(row) if row is not None else None
            if before == after:
                continue
            if before is not None:
                add_post(self.deltas.posts, self.deltas.terms, before, -1)
            if after is not None:
                add_post(self.deltas.posts, self.deltas.terms, after, 1)
        self.counted_before.clear()
        return self.deltas
