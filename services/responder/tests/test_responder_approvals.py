"""Approval policies: legal and PR sign-offs, brand on low ratings, four-eyes, rejection, and
that nothing unapproved can be sent through any endpoint."""

from __future__ import annotations

from typing import Any

import pytest
from chorus_responder import models
from chorus_responder.app import create_app
from chorus_responder.domain.policy import DEFAULT_POLICIES
from sqlalchemy import update

from services.responder.tests.responder_fake_platform import FakePlatform, ServedFake
from services.responder.tests.responder_helpers import (
    StaticDirectory,
    agent,
    lead,
    make_case,
    make_post,
    reply_events,
    seed,
    settings,
)
from tests.support.fixtures import auth, running
from tests.support.wait import wait_for


@pytest.fixture
def fake():
    with ServedFake(FakePlatform()) as served:
        yield served


@pytest.fixture
def app(memory_broker, sqlite_url, fake):
    return create_app(
        settings(sqlite_url, platform_base_url=fake.base_url),
        bus=memory_broker,
        directory=StaticDirectory(),
    )


async def _draft(
    client, case_id: str, headers, text: str = "We are looking into it."
) -> dict[str, Any]:
    r = await client.post(f"/v1/cases/{case_id}/replies", json={"text": text}, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


@pytest.mark.unit
async def test_legal_case_needs_a_legal_members_approval_and_four_eyes(
    app, memory_broker, fake
) -> None:
    async with running(app) as client:
        post = make_post()
        case = await seed(
            memory_broker, app, post, make_case(post, tags=("legal",), team="support")
        )
        author = agent("sam", "support", "legal")
        reply = await _draft(client, case.case_id, author)
        assert reply["status"] == "pending_approval"
        assert [(n["team"], n["role"]) for n in reply["approvals_pending"]] == [("legal", "member")]

        r = await client.post(f"/v1/replies/{reply['reply_id']}/approve", json={}, headers=author)
        assert r.status_code == 403 and r.json()["detail"]["code"] == "four_eyes"
        r = await client.post(
            f"/v1/replies/{reply['reply_id']}/approve", json={}, headers=agent("sue", "support")
        )
        assert r.status_code == 403 and r.json()["detail"]["code"] == "not_an_approver"
        r = await client.post(f"/v1/replies/{reply['reply_id']}/send", headers=author)
        assert r.status_code == 409 and r.json()["detail"]["code"] == "not_approved"

        r = await client.post(
            f"/v1/replies/{reply['reply_id']}/approve",
            json={"comment": "fine legally"},
            headers=agent("lea", "legal"),
        )
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["status"] == "approved"
        assert body["approvals"][0]["by"] == "lea" and body["approvals"][0]["keys"] == [
            "legal:member"
        ]
        steps = [h["step"] for h in body["history"]]
        assert steps == ["drafted", "approval_requested", "approved"]

        r = await client.post(f"/v1/replies/{reply['reply_id']}/send", headers=author)
        assert r.status_code == 202, r.text

        async def sent():
            g = await client.get(f"/v1/replies/{reply['reply_id']}", headers=author)
            return g.json()["status"] == "sent" and g.json()

        done = await wait_for(sent, what="reply sent")
        assert done["platform_reply_id"] and done["platform_url"].startswith("https://x.com/")
        assert len(fake.fake.objects("x")) == 1

        async def published():
            types = reply_events(memory_broker, reply["reply_id"])
            return "reply.sent" in types and types

        types = await wait_for(published, what="reply events on the bus")
        assert types == [
            "reply.drafted",
            "reply.approval_requested",
            "reply.approved",
            "reply.sent",
        ]


@pytest.mark.unit
async def test_p1_case_needs_the_pr_lead_not_just_a_pr_member(app, memory_broker) -> None:
    async with running(app) as client:
        post = make_post()
        case = await seed(memory_broker, app, post, make_case(post, priority="P1"))
        reply = await _draft(client, case.case_id, agent("sam", "support"))
        assert [(n["team"], n["role"]) for n in reply["approvals_pending"]] == [("pr", "lead")]
        rid = reply["reply_id"]
        r = await client.post(f"/v1/replies/{rid}/approve", json={}, headers=agent("pia", "pr"))
        assert r.status_code == 403
        r = await client.post(f"/v1/replies/{rid}/approve", json={}, headers=lead("pat", "support"))
        assert r.status_code == 403, "a lead of another team is not the PR lead"
        r = await client.post(f"/v1/replies/{rid}/approve", json={}, headers=lead("pam", "pr"))
        assert r.status_code == 200 and r.json()["status"] == "approved"


@pytest.mark.unit
async def test_crisis_tag_and_low_rating_review_stack_their_sign_offs(app, memory_broker) -> None:
    async with running(app) as client:
        post = make_post(
            platform="google_business", kind="review", rating=2, channel="accounts/1/locations/2"
        )
        case = await seed(memory_broker, app, post, make_case(post, tags=("crisis",)))
        reply = await _draft(client, case.case_id, agent("sam", "support"))
        rid = reply["reply_id"]
        assert sorted(n["key"] for n in reply["approvals_pending"]) == ["brand:member", "pr:lead"]
        r = await client.post(f"/v1/replies/{rid}/approve", json={}, headers=agent("bo", "brand"))
        assert r.status_code == 200 and r.json()["status"] == "pending_approval"
        r = await client.post(f"/v1/replies/{rid}/send", headers=agent("sam", "support"))
        assert r.status_code == 409
        r = await client.post(f"/v1/replies/{rid}/approve", json={}, headers=lead("pam", "pr"))
        assert r.json()["status"] == "approved"


@pytest.mark.unit
async def test_rejection_needs_a_comment_blocks_sending_and_an_edit_asks_again(
    app, memory_broker
) -> None:
    async with running(app) as client:
        post = make_post()
        case = await seed(memory_broker, app, post, make_case(post, approvals_required=("legal",)))
        author = agent("sam", "support")
        reply = await _draft(client, case.case_id, author)
        rid = reply["reply_id"]
        r = await client.post(f"/v1/replies/{rid}/reject", json={}, headers=agent("lea", "legal"))
        assert r.status_code == 422
        r = await client.post(
            f"/v1/replies/{rid}/reject",
            json={"comment": "do not admit fault"},
            headers=agent("lea", "legal"),
        )
        assert r.status_code == 200 and r.json()["status"] == "rejected"
        assert r.json()["history"][-1]["comment"] == "do not admit fault"
        r = await client.post(f"/v1/replies/{rid}/send", headers=author)
        assert r.status_code == 409
        r = await client.post(f"/v1/replies/{rid}/approve", json={}, headers=agent("lea", "legal"))
        assert r.status_code == 409, "a rejected reply must be edited before it can be approved"
        version = r_version = (await client.get(f"/v1/replies/{rid}", headers=author)).headers[
            "ETag"
        ]
        r = await client.patch(
            f"/v1/replies/{rid}",
            json={"text": "We are sorry for the trouble."},
            headers={**author, "If-Match": r_version},
        )
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "pending_approval" and r.json()["approvals"] == []
        assert version != r.headers["ETag"]
        await wait_for(
            lambda: _async(reply_events(memory_broker, rid).count("reply.approval_requested") == 2),
            what="second approval request",
        )
        assert "reply.rejected" in reply_events(memory_broker, rid)


async def _async(value):
    return value


@pytest.mark.unit
async def test_nothing_unapproved_is_sent_through_any_path(app, memory_broker, fake) -> None:
    async with running(app) as client:
        post = make_post()
        case = await seed(memory_broker, app, post, make_case(post, tags=("legal",)))
        author = agent("sam", "support")
        rid = (await _draft(client, case.case_id, author))["reply_id"]

        # 1. send while pending; 2. status smuggled into create / edit bodies
        assert (await client.post(f"/v1/replies/{rid}/send", headers=author)).status_code == 409
        r = await client.post(
            f"/v1/cases/{case.case_id}/replies",
            json={"text": "x", "status": "approved"},
            headers=author,
        )
        assert r.status_code == 422
        etag = (await client.get(f"/v1/replies/{rid}", headers=author)).headers["ETag"]
        r = await client.patch(
            f"/v1/replies/{rid}",
            json={"text": "y", "status": "approved"},
            headers={**author, "If-Match": etag},
        )
        assert r.status_code == 422

        # 3. approved, then edited: the approval no longer counts
        await client.post(f"/v1/replies/{rid}/approve", json={}, headers=agent("lea", "legal"))
        etag = (await client.get(f"/v1/replies/{rid}", headers=author)).headers["ETag"]
        r = await client.patch(
            f"/v1/replies/{rid}",
            json={"text": "Changed after approval"},
            headers={**author, "If-Match": etag},
        )
        assert r.json()["status"] == "pending_approval"
        assert (await client.post(f"/v1/replies/{rid}/send", headers=author)).status_code == 409

        # 4. a reply drafted with no sign-off needed, then the case is tagged legal
        post2 = make_post()
        case2 = await seed(memory_broker, app, post2, make_case(post2))
        rid2 = (await _draft(client, case2.case_id, author))["reply_id"]
        await seed(
            memory_broker, app, post2, case2.model_copy(update={"tags": ("legal",), "version": 2})
        )
        r = await client.post(f"/v1/replies/{rid2}/send", headers=author)
        assert r.status_code == 409 and r.json()["detail"]["code"] == "approval_required"
        assert (await client.get(f"/v1/replies/{rid2}", headers=author)).json()[
            "status"
        ] == "pending_approval"

        # 5. the queue is forced behind the API's back: the worker re-checks and refuses
        async with app.state.runtime.sessionmaker() as s, s.begin():
            t = models.replies
            await s.execute(
                update(t).where(t.c.reply_id == rid).values(status="sending", next_attempt_at=None)
            )
        app.state.worker.kick()

        async def blocked():
            r = await client.get(f"/v1/replies/{rid}", headers=author)
            return r.json()["status"] == "pending_approval"

        await wait_for(blocked, what="worker to refuse the unapproved reply")
        assert fake.fake.requests == [], "no platform call may happen for an unapproved reply"


@pytest.mark.unit
async def test_policies_are_data_admins_edit_them_and_agents_cannot(app, memory_broker) -> None:
    async with running(app) as client:
        r = await client.get("/v1/policies", headers=agent("sam", "support"))
        assert [p["id"] for p in r.json()["policies"]] == [p.id for p in DEFAULT_POLICIES]
        assert r.json()["policies"][0]["when"] == DEFAULT_POLICIES[0].when.model_dump(mode="json")
        new = {
            "id": "instagram-brand",
            "name": "Instagram answers go through brand",
            "when": {"platforms": ["instagram"]},
            "require": {"team": "brand"},
        }
        r = await client.post("/v1/policies", json=new, headers=agent("sam", "support"))
        assert r.status_code == 403
        r = await client.post("/v1/policies", json=new, headers=auth("admin"))
        assert r.status_code == 201
        r = await client.post(
            "/v1/policies", json={**new, "id": "bad", "when": {}}, headers=auth("admin")
        )
        assert r.status_code == 422
        r = await client.delete("/v1/policies/brand-low-rating", headers=auth("admin"))
        assert r.status_code == 204
        post = make_post(platform="instagram", kind="comment")
        case = await seed(memory_broker, app, post, make_case(post))
        reply = await _draft(client, case.case_id, agent("sam", "support"))
        assert [n["policy_id"] for n in reply["approvals_pending"]] == ["instagram-brand"]
