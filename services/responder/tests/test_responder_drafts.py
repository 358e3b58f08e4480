"""Drafting: access, templates rendered safely, platform constraints, ETags, collisions and
channel configuration whose secrets never come back."""

from __future__ import annotations

import pytest
from chorus_responder.app import create_app

from services.responder.tests.responder_fake_platform import FakePlatform, ServedFake
from services.responder.tests.responder_helpers import (
    agent,
    lead,
    make_case,
    make_post,
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
        settings(sqlite_url, platform_base_url=fake.base_url, brand="Acme"), bus=memory_broker
    )


@pytest.mark.unit
async def test_draft_needs_a_token_with_the_case_team(app, memory_broker) -> None:
    async with running(app) as client:
        post = make_post()
        case = await seed(
            memory_broker, app, post, make_case(post, team="support", collaborators=("brand",))
        )
        url = f"/v1/cases/{case.case_id}/replies"
        assert (await client.post(url, json={"text": "hi"})).status_code == 401
        assert (
            await client.post(url, json={"text": "hi"}, headers=agent("x", "legal"))
        ).status_code == 404
        svc = auth("service")
        assert (await client.post(url, json={"text": "hi"}, headers=svc)).status_code == 403
        r = await client.post(url, json={"text": "hi"}, headers=agent("b", "brand"))
        assert r.status_code == 201, "a collaborating team may draft"
        assert r.json()["post_id"] == post.id and r.json()["status"] == "draft"
        assert r.headers["ETag"] == '"1"'


@pytest.mark.unit
async def test_template_fills_variables_and_refuses_missing_ones_by_name(
    app, memory_broker
) -> None:
    async with running(app) as client:
        post = make_post(display_name="Ann {brand}", lang="fr")
        case = await seed(memory_broker, app, post, make_case(post))
        support_lead = lead("lou", "support")
        body = {
            "team": "support",
            "lang": "fr",
            "name": "thanks",
            "body": "Bonjour {author.display_name}, merci ! {{L'équipe}} {brand} - dossier {case.id}",
        }
        r = await client.post("/v1/templates", json=body, headers=support_lead)
        assert r.status_code == 201, r.text
        tid = r.json()["template_id"]
        assert r.json()["variables"] == ["author.display_name", "brand", "case.id"]
        assert (
            await client.post("/v1/templates", json=body, headers=support_lead)
        ).status_code == 409
        r = await client.post("/v1/templates", json={**body, "team": "legal"}, headers=support_lead)
        assert r.status_code == 403

        r = await client.post(
            f"/v1/cases/{case.case_id}/replies",
            json={"template_id": tid},
            headers=agent("a", "support"),
        )
        assert r.status_code == 201, r.text
        # The value "{brand}" inside the author's name stays literal: no second rendering.
        assert (
            r.json()["text"]
            == f"Bonjour Ann {{brand}}, merci ! {{L'équipe}} Acme - dossier {case.case_id}"
        )
        assert r.json()["lang"] == "fr"

        for bad in (
            "{0}",
            "{author.display_name!r}",
            "{author[0]}",
            "{a:>10}",
            "oops }",
            "{ unclosed",
        ):
            r = await client.post(
                "/v1/templates", json={**body, "name": bad, "body": bad}, headers=support_lead
            )
            assert r.status_code == 422, bad
            assert r.json()["code"] == "invalid_template"

        sneaky = {**body, "name": "sneaky", "body": "Hi {author.__class__} {order.number}"}
        tid2 = (await client.post("/v1/templates", json=sneaky, headers=support_lead)).json()[
            "template_id"
        ]
        r = await client.post(
            f"/v1/cases/{case.case_id}/replies",
            json={"template_id": tid2},
            headers=agent("a", "support"),
        )
        assert r.status_code == 422
        assert r.json()["code"] == "missing_variable"
        assert r.json()["variable"] == "author.__class__"
        assert "order.number" in r.json()["detail"]
        r = await client.post(
            f"/v1/cases/{case.case_id}/replies",
            json={
                "template_id": tid2,
                "variables": {"order.number": "42", "author.__class__": "x"},
            },
            headers=agent("a", "support"),
        )
        assert r.status_code == 201 and r.json()["text"] == "Hi x 42"


@pytest.mark.unit
async def test_x_length_is_weighted_and_other_platform_rules_apply(app, memory_broker) -> None:
    async with running(app) as client:
        post = make_post(platform="x")
        case = await seed(memory_broker, app, post, make_case(post))
        url = f"/v1/cases/{case.case_id}/replies"
        who = agent("a", "support")
        long_url = "https://example.com/" + "y" * 300  # any URL counts as 23
        r = await client.post(url, json={"text": "a" * 250 + " " + long_url}, headers=who)
        assert r.status_code == 201, r.text
        assert r.json()["length"] == {"value": 274, "maximum": 280, "unit": "weighted characters"}
        r = await client.post(url, json={"text": "漢" * 141}, headers=who)
        assert r.status_code == 422 and r.json()["code"] == "too_long"
        assert "282" in r.json()["detail"]
        assert (await client.post(url, json={"text": "漢" * 140}, headers=who)).status_code == 201
        assert (await client.post(url, json={"text": "   "}, headers=who)).status_code == 422

        dm = make_post(platform="facebook", kind="dm")
        case_dm = await seed(memory_broker, app, dm, make_case(dm))
        r = await client.post(
            f"/v1/cases/{case_dm.case_id}/replies", json={"text": "Hello"}, headers=who
        )
        assert (r.json()["adapter"], r.json()["visibility"]) == ("messenger", "private")

        ig_post = make_post(platform="instagram", kind="post")
        case_ig = await seed(memory_broker, app, ig_post, make_case(ig_post))
        r = await client.post(
            f"/v1/cases/{case_ig.case_id}/replies", json={"text": "Hi"}, headers=who
        )
        assert r.status_code == 422 and r.json()["code"] == "kind_not_supported"

        rss = make_post(platform="rss", kind="post")
        case_rss = await seed(memory_broker, app, rss, make_case(rss))
        r = await client.post(
            f"/v1/cases/{case_rss.case_id}/replies", json={"text": "Hi"}, headers=who
        )
        assert r.status_code == 422 and r.json()["code"] == "platform_not_supported"


@pytest.mark.unit
async def test_google_review_second_reply_updates_the_single_owner_reply(
    app, memory_broker, fake
) -> None:
    async with running(app) as client:
        post = make_post(
            platform="google_business", kind="review", rating=5, channel="accounts/1/locations/2"
        )
        case = await seed(memory_broker, app, post, make_case(post))
        who = agent("a", "support")
        url = f"/v1/cases/{case.case_id}/replies"
        first = (await client.post(url, json={"text": "Thank you!"}, headers=who)).json()
        assert first["mode"] == "create"
        assert (
            await client.post(f"/v1/replies/{first['reply_id']}/send", headers=who)
        ).status_code == 202

        async def sent():
            return (await client.get(f"/v1/replies/{first['reply_id']}", headers=who)).json()[
                "status"
            ] == "sent"

        await wait_for(sent, what="first review reply sent")
        second = (await client.post(url, json={"text": "Thank you again!"}, headers=who)).json()
        assert second["mode"] == "update"
        await client.post(f"/v1/replies/{second['reply_id']}/send", headers=who)

        async def replaced():
            return fake.fake.objects("google_business") == [
                {"review": post.native_id, "comment": "Thank you again!"}
            ]

        await wait_for(replaced, what="the review's single reply replaced")


@pytest.mark.unit
async def test_edit_requires_the_current_etag(app, memory_broker) -> None:
    async with running(app) as client:
        post = make_post()
        case = await seed(memory_broker, app, post, make_case(post))
        who = agent("a", "support")
        r = await client.post(f"/v1/cases/{case.case_id}/replies", json={"text": "v1"}, headers=who)
        rid, etag = r.json()["reply_id"], r.headers["ETag"]
        assert (
            await client.patch(f"/v1/replies/{rid}", json={"text": "v2"}, headers=who)
        ).status_code == 428
        r = await client.patch(
            f"/v1/replies/{rid}", json={"text": "v2"}, headers={**who, "If-Match": etag}
        )
        assert r.status_code == 200 and r.json()["version"] == 2
        r = await client.patch(
            f"/v1/replies/{rid}", json={"text": "v3"}, headers={**who, "If-Match": etag}
        )
        assert r.status_code == 412
        r = await client.get(f"/v1/cases/{case.case_id}/replies", headers=who)
        assert [h["step"] for h in r.json()["replies"][0]["history"]] == ["drafted", "edited"]


@pytest.mark.unit
async def test_collisions_warn_drafters_and_block_a_second_answer(app, memory_broker) -> None:
    async with running(app) as client:
        post = make_post()
        case = await seed(memory_broker, app, post, make_case(post))
        url = f"/v1/cases/{case.case_id}/replies"
        ann, bob = agent("ann", "support"), agent("bob", "support")
        first = (await client.post(url, json={"text": "from Ann"}, headers=ann)).json()
        assert first["collisions"] == []
        second = (await client.post(url, json={"text": "from Bob"}, headers=bob)).json()
        assert [(c["member"], c["activity"]) for c in second["collisions"]] == [("ann", "drafting")]

        await client.post(f"/v1/replies/{first['reply_id']}/send", headers=ann)
        r = await client.post(f"/v1/replies/{second['reply_id']}/send", headers=bob)
        assert r.status_code == 409 and r.json()["code"] == "collision"
        assert r.json()["collisions"][0]["member"] == "ann"
        r = await client.post(url, json={"text": "another"}, headers=bob)
        assert r.status_code == 409 and "ann" in r.json()["detail"]
        r = await client.post(url, json={"text": "another", "force": True}, headers=bob)
        assert r.status_code == 201
        r = await client.post(
            f"/v1/replies/{second['reply_id']}/send", json={"force": True}, headers=bob
        )
        assert r.status_code == 202


@pytest.mark.unit
async def test_channel_credentials_are_write_only(app) -> None:
    async with running(app) as client:
        body = {
            "base_url": "https://graph.facebook.com",
            "options": {"page_id": "42"},
            "credentials": {"access_token": "EAAG-very-secret"},
        }
        r = await client.put("/v1/channels/facebook/42", json=body, headers=auth("admin"))
        assert r.status_code == 200
        assert "EAAG-very-secret" not in r.text and r.json()["credentials"] == ["access_token"]
        r = await client.put(
            "/v1/channels/facebook/42", json={"options": {"page_id": "42"}}, headers=auth("admin")
        )
        assert r.json()["credentials"] == ["access_token"], "omitted credentials are kept"
        r = await client.get("/v1/channels", headers=lead("l", "support"))
        assert "EAAG-very-secret" not in r.text
        assert (
            await client.put("/v1/channels/facebook/42", json=body, headers=lead("l", "support"))
        ).status_code == 403
        assert (
            await client.put("/v1/channels/myspace/1", json=body, headers=auth("admin"))
        ).status_code == 422


@pytest.mark.unit
async def test_text_length_counts_as_the_platform_does_before_any_draft(app) -> None:
    url = "/v1/text-length"
    link = "see https://example.com/a/very/long/path/that/is/not/counted/in/full"
    async with running(app) as client:
        x = await client.post(url, json={"platform": "x", "text": link}, headers=agent("a", "s"))
        dm = await client.post(
            url,
            json={"platform": "facebook", "kind": "dm", "text": "é" * 2001},
            headers=agent("a", "s"),
        )
        review = await client.post(
            url,
            json={"platform": "google_business", "kind": "review", "text": "é"},
            headers=agent("a", "s"),
        )
        unknown = await client.post(
            url, json={"platform": "instagram", "kind": "dm", "text": "hi"}, headers=agent("a", "s")
        )
        anonymous = await client.post(url, json={"platform": "x", "text": "hi"})
    assert x.status_code == 200, x.text
    assert x.json() == {
        "adapter": "x",
        "visibility": "public",
        "value": 4 + 23,
        "maximum": 280,
        "unit": "weighted characters",
        "fits": True,
    }
    assert dm.json()["adapter"] == "messenger" and dm.json()["visibility"] == "private"
    assert (dm.json()["value"], dm.json()["maximum"], dm.json()["fits"]) == (2001, 2000, False)
    assert (review.json()["value"], review.json()["unit"]) == (2, "bytes")
    assert unknown.status_code == 422 and unknown.json()["code"] == "kind_not_supported"
    assert unknown.json()["field"] == "kind" and anonymous.status_code == 401
