"""A member's notifications have a read state: the unread count, the unread filter, and
marking read up to an id, which never touches another member's."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from chorus_router import models
from chorus_router.app import create_app
from chorus_router.settings import RouterSettings
from sqlalchemy import insert

from tests.support.fixtures import FAST_KAFKA_ENV, auth, running

pytestmark = pytest.mark.integration

TOM = auth("agent", member_id="tom", teams=("support",))
SAM = auth("lead", member_id="sam", teams=("support",))


async def _notes(app: Any, member: str, n: int) -> None:
    rows = [
        {"member_id": member, "kind": "idle_warning", "case_id": f"c{i}", "message": f"case c{i}",
         "data": {}, "created_at": datetime(2026, 12, 7, 10, i, tzinfo=UTC)}
        for i in range(n)
    ]  # fmt: skip
    async with app.state.core.runtime.sessionmaker() as s, s.begin():
        await s.execute(insert(models.notifications), rows)


async def test_unread_count_filter_and_marking_read_up_to_an_id(db_url, memory_broker) -> None:
    app = create_app(RouterSettings(database_url=db_url, **FAST_KAFKA_ENV), bus=memory_broker)
    async with running(app) as client:
        await _notes(app, "tom", 3)
        await _notes(app, "sam", 2)
        mine = (await client.get("/v1/notifications", headers=TOM)).json()
        assert (len(mine["items"]), mine["unread"]) == (3, 3)
        assert all(n["read_at"] is None for n in mine["items"])
        ids = [n["id"] for n in mine["items"]]  # newest first
        middle = ids[1]

        r = await client.post("/v1/notifications/read", json={"up_to": middle}, headers=TOM)
        assert r.status_code == 200, r.text
        assert r.json() == {"marked": 2, "unread": 1}
        again = await client.post("/v1/notifications/read", json={"up_to": middle}, headers=TOM)
        assert again.json() == {"marked": 0, "unread": 1}, "marking is idempotent"

        unread = await client.get("/v1/notifications", params={"unread": "true"}, headers=TOM)
        assert [n["id"] for n in unread.json()["items"]] == [ids[0]]
        read = [n for n in (await client.get("/v1/notifications", headers=TOM)).json()["items"]]
        assert [n["read_at"] is not None for n in read] == [False, True, True]

        # Sam's ids are all above Tom's: marking everything Tom may see leaves Sam's unread.
        await client.post("/v1/notifications/read", json={"up_to": 2**31 - 1}, headers=TOM)
        sams = (await client.get("/v1/notifications", headers=SAM)).json()
        assert (len(sams["items"]), sams["unread"]) == (2, 2)
        tom_left = (await client.get("/v1/notifications", headers=TOM)).json()["unread"]
        assert tom_left == 0


async def test_marking_read_refuses_bad_bodies_and_tokens_without_a_member(
    sqlite_url, memory_broker
) -> None:
    app = create_app(RouterSettings(database_url=sqlite_url, **FAST_KAFKA_ENV), bus=memory_broker)
    async with running(app) as client:
        path = "/v1/notifications/read"
        zero = await client.post(path, json={"up_to": 0}, headers=TOM)
        text = await client.post(path, json={"up_to": "all"}, headers=TOM)
        extra = await client.post(path, json={"up_to": 1, "everyone": True}, headers=TOM)
        service = await client.post(path, json={"up_to": 1}, headers=auth("admin"))
        anonymous = await client.post(path, json={"up_to": 1})
    for r in (zero, text, extra):
        assert r.status_code == 422, r.text
        assert r.json()["code"] == "validation_error"
        assert r.json()["field"] in ("up_to", "everyone"), r.text
    assert service.status_code == 403 and service.json()["code"] == "member_required"
    assert anonymous.status_code == 401
