"""The command line's copy of the demo directory is the router's seed, and `chorus run`'s
sign-in settings and ports."""

from __future__ import annotations

import pytest
from chorus_cli import demo_directory as demo
from chorus_cli.run_settings import DEFAULT_PORTS, run_ports
from chorus_cli.signin import service_env
from chorus_common.settings_errors import ConfigError
from chorus_router.domain.seed import MEMBERS, TEAMS

pytestmark = pytest.mark.unit


def test_the_demo_members_are_the_seeded_directory() -> None:
    seeded = {(m["id"], m["name"], tuple(m["teams"])) for m in MEMBERS}
    assert {(m.id, m.name, (m.team,)) for m in demo.MEMBERS} == seeded
    assert {t["id"]: t["lead"] for t in TEAMS} == demo.LEADS


def test_each_member_signs_in_with_the_demo_address_and_password() -> None:
    users = {u.sub: u for u in demo.idp_users()}
    assert set(users) == {m["id"] for m in MEMBERS}
    assert users["lena"].email == "lena@demo.chorus.example"
    assert {u.password for u in users.values()} == {"demo"}
    assert demo.role_of("lena") == "lead" and demo.role_of("marc") == "agent"
    assert demo.teams_of("marc") == ("legal",) and demo.teams_of("nobody") == ()


def test_services_trust_the_provider_and_answer_the_console() -> None:
    assert service_env("http://127.0.0.1:9400", 8080) == {
        "OIDC_ISSUER": "http://127.0.0.1:9400",
        "OIDC_AUDIENCE": "urn:chorus:api",
        "CORS_ALLOW_ORIGINS": "http://127.0.0.1:8080",
    }
    assert service_env(None, None) == {"OIDC_AUDIENCE": "urn:chorus:api"}


def test_ports_default_and_override() -> None:
    assert DEFAULT_PORTS["idp"] == 9400 and DEFAULT_PORTS["console"] == 8080
    assert run_ports(["console=18080"])["console"] == 18080
    for bad in ("console", "consol=1", "idp=x", "idp=70000"):
        with pytest.raises(ConfigError, match="invalid --port"):
            run_ports([bad])


def test_the_staff_act_as_members_and_never_approve_their_own_reply() -> None:
    assert demo.author_of({"team": "legal", "assignee": "marc"}) == "marc"
    # A lead's case is drafted by a team member, so the lead can sign it off.
    author = demo.author_of({"team": "pr", "assignee": "paul"})
    assert author in demo.members_of("pr") and author != "paul"
    assert demo.approver_for({"team": "pr", "role": "lead"}, author or "") == "paul"
    assert demo.approver_for({"team": "legal", "role": "member"}, "tom") == "marc"
    assert demo.approver_for({"team": "legal", "role": "member"}, "marc") == "nora"
    assert demo.closer_of({"team": "brand", "assignee": "dev"}) == "dev"
    assert demo.closer_of({"team": "brand", "assignee": None}) == "bea"
    for case in ({"team": t, "assignee": m.id} for t in demo.LEADS for m in demo.MEMBERS):
        assert demo.author_of(case) in demo.BY_ID
