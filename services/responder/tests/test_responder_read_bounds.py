"""The worst request each of the responder's read endpoints allows stays within a time and
memory budget: a case's newest 500 replies with at most 100 history entries each, at most
2,500 replies scanned for a listing of 500, template pages of 500, the whole (admin-made)
policy and channel lists; a case that never arrives costs one bounded wait."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest
from chorus_common.contracts.events import utcnow
from chorus_common.messaging.bus.memory import MemoryBroker
from chorus_responder.app import create_app
from chorus_responder.store import HISTORY_MAX

from services.responder.tests.responder_helpers import agent, settings
from services.responder.tests.responder_seed import seed
from tests.support.budget import cost_of
from tests.support.fixtures import auth, running

SECONDS, MIB = 10.0, 64  # per request, SQLite or PostgreSQL
ANN = agent("ann", "support")
LEGAL = agent("lou", "legal")  # an approver: sees the replies awaiting legal's sign-off
ADMIN = auth("admin")
WORST: list[tuple[str, dict[str, Any], dict[str, str]]] = [
    ("/v1/cases/busy/replies", {"limit": 500}, ANN),
    ("/v1/replies/r-busy", {}, ANN),
    ("/v1/replies", {"limit": 500}, ANN),
    ("/v1/replies", {"limit": 500, "awaiting_me": "true"}, LEGAL),
    ("/v1/replies", {"limit": 500, "status": "sent"}, ANN),  # none: scans 2,500 and stops
    ("/v1/templates", {"limit": 500}, ANN),
    ("/v1/templates/t-00001", {}, ANN),
    ("/v1/policies", {}, ANN),
    ("/v1/channels", {}, auth("lead", teams=("support",))),
]


@pytest.mark.integration
async def test_the_worst_allowed_read_requests_stay_within_budget(db_url) -> None:
    app = create_app(
        settings(db_url, sender_enabled=False, consumer_enabled=False),
        bus=MemoryBroker(partitions=4),
    )
    async with running(app) as client:
        async with app.state.runtime.sessionmaker() as session, session.begin():
            await seed(
                session, utcnow(), cases=1_000, replies=10_000, on_one_case=2_000, edits=3_000
            )
        for path, params, headers in WORST:
            r, cost = await cost_of(partial(client.get, path, params=params, headers=headers))
            assert r.status_code == 200, (path, r.text[:300])
            cost.within(SECONDS, MIB, f"GET {path} {params}")
        busy = await client.get("/v1/cases/busy/replies", params={"limit": 500}, headers=ANN)
        body = busy.json()
        assert len(body["replies"]) == 500 and body["older_replies"] is True
        assert body["replies"][-1]["reply_id"] == "r-busy", "the newest last"
        assert len(body["replies"][-1]["history"]) == HISTORY_MAX, "of its 3,000 entries"
        listed = (await client.get("/v1/replies", params={"limit": 500}, headers=ANN)).json()
        assert len(listed["replies"]) == 500
        page = (await client.get("/v1/templates", params={"limit": 500}, headers=ANN)).json()
        assert len(page["templates"]) == 500 and page["next_after"]
        assert {t["team"] for t in page["templates"]} == {"support"}
        r, cost = await cost_of(partial(client.get, "/v1/cases/never/replies", headers=ANN))
        assert r.status_code == 503
        cost.within(SECONDS, MIB, "a case that never arrives")
        for path, params in (("/v1/replies", {"limit": 501}), ("/v1/templates", {"limit": 501})):
            r = await client.get(path, params=params, headers=ANN)
            assert r.status_code == 422, (path, r.text)


@pytest.mark.unit
async def test_template_pages_cover_the_callers_templates_once(sqlite_url) -> None:
    app = create_app(
        settings(sqlite_url, sender_enabled=False, consumer_enabled=False),
        bus=MemoryBroker(partitions=4),
    )
    async with running(app) as client:
        async with app.state.runtime.sessionmaker() as session, session.begin():
            await seed(session, utcnow(), cases=1, replies=1, on_one_case=1, edits=5)
        seen: list[str] = []
        params: dict[str, Any] = {"limit": 77}
        while True:
            page = (await client.get("/v1/templates", params=params, headers=ANN)).json()
            seen += [t["template_id"] for t in page["templates"]]
            if page["next_after"] is None:
                break
            params["after"] = page["next_after"]
        assert len(seen) == len(set(seen)) == 1_000, "support's half of the 2,000"
        r = await client.get("/v1/templates", params={"after": "nope"}, headers=ANN)
        assert r.status_code == 422 and r.json()["field"] == "query.after"
