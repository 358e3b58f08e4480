"""Pure rules: X's weighted count, template parsing, policy matching, back-off and pacing."""

from __future__ import annotations

import pytest
from chorus_platforms.mastodon.length import mastodon_length
from chorus_platforms.x.length import x_weighted_length
from chorus_responder.domain.constraints import ConstraintError, check_text, plan_reply
from chorus_responder.domain.policy import (
    DEFAULT_POLICIES,
    Approver,
    ReplyFacts,
    required_approvals,
    satisfies,
)
from chorus_responder.domain.templates import TemplateError, placeholders, render
from chorus_responder.sending.ledger import backoff
from chorus_responder.sending.ratelimit import PlatformPacer


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "weight"),
    [
        ("hello", 5),
        ("café", 4),  # NFC: one code point for é
        ("cafe\u0301", 4),  # decomposed é normalizes to the same
        ("日本語", 6),  # CJK weighs 2
        ("see https://example.com/a/very/long/path?q=1 now", 4 + 23 + 4),
        ("go to example.com.", 6 + 23 + 1),
        ("👍", 2),
        ("👨‍👩‍👧", 2),  # ZWJ family: one emoji
        ("🇫🇷", 2),  # a flag is a pair of regional indicators
        ("“quoted” — dash", 15),  # general punctuation 2010-201F weighs 1
    ],
)
def test_x_weighted_length_follows_twitter_text(text, weight) -> None:
    assert x_weighted_length(text) == weight


@pytest.mark.unit
def test_limits_per_platform() -> None:
    assert check_text("x", "a" * 280) == 280
    with pytest.raises(ConstraintError):
        check_text("x", "a" * 281)
    assert mastodon_length("x" * 10 + " https://example.com/" + "y" * 100) == 34
    assert mastodon_length("see example.com") == 15, "Mastodon links only http(s) URLs"
    with pytest.raises(ConstraintError):
        check_text("google_business", "é" * 2049)  # 4,098 bytes
    check_text("google_business", "é" * 2048)
    with pytest.raises(ConstraintError):
        check_text("messenger", "a" * 2001)


@pytest.mark.unit
def test_reply_plans_follow_platform_kinds() -> None:
    assert plan_reply("whatsapp", "dm", already_answered=False).visibility == "private"
    assert plan_reply("mastodon", "dm", already_answered=False).visibility == "private"
    assert plan_reply("google_business", "review", already_answered=True).mode == "update"
    with pytest.raises(ConstraintError):
        plan_reply("google_business", "comment", already_answered=False)


@pytest.mark.unit
def test_templates_are_parsed_not_formatted() -> None:
    assert placeholders("Hi {a.b} {c} {a.b} {{x}}") == ("a.b", "c")
    assert render("{{literal}} {x}", {"x": "{y}"}) == "{literal} {y}"
    for bad in ("{x.__class__.__mro__[1]}", "{x!s}", "{}", "{x:{y}}"):
        with pytest.raises(TemplateError):
            placeholders(bad)
    with pytest.raises(TemplateError) as exc:
        render("{a} {b}", {"a": "1", "b": ""})
    assert exc.value.code == "missing_variable" and exc.value.name == "b"


@pytest.mark.unit
def test_default_policies_and_who_satisfies_them() -> None:
    facts = ReplyFacts(
        tags=("Legal",), approvals_required=(), priority="P1", kind="review", rating=1, platform="x"
    )
    needed = required_approvals(DEFAULT_POLICIES, facts)
    assert [n.key for n in needed] == ["legal:member", "pr:lead", "brand:member"]
    quiet = ReplyFacts(
        tags=(), approvals_required=(), priority="P3", kind="comment", rating=None, platform="x"
    )
    assert required_approvals(DEFAULT_POLICIES, quiet) == ()
    assert satisfies(Approver("l", "agent", ("legal",)), "legal", "member")
    assert not satisfies(Approver("p", "agent", ("pr",)), "pr", "lead")
    assert satisfies(Approver("p", "lead", ("pr",)), "pr", "lead")
    assert not satisfies(Approver("a", "admin", ()), "legal", "member")


@pytest.mark.unit
def test_backoff_grows_with_jitter_and_honours_retry_after() -> None:
    lows = [backoff(n, 1.0, 60.0, None, lambda: 0.0) for n in (1, 2, 3, 4, 10)]
    highs = [backoff(n, 1.0, 60.0, None, lambda: 1.0) for n in (1, 2, 3, 4, 10)]
    assert lows == [0.5, 1.0, 2.0, 4.0, 30.0]
    assert highs == [1.0, 2.0, 4.0, 8.0, 60.0]
    assert backoff(1, 1.0, 60.0, 42.0, lambda: 0.5) == 42.0


@pytest.mark.unit
def test_pacer_limits_each_platform_channel_and_obeys_pauses() -> None:
    now = [0.0]
    pacer = PlatformPacer({"x": 60}, clock=lambda: now[0])
    assert all(pacer.wait_time("x", "a") == 0 for _ in range(10))  # burst of 10
    assert pacer.wait_time("x", "a") > 0
    assert pacer.wait_time("x", "b") == 0, "another account has its own budget"
    assert pacer.wait_time("mastodon", "a") == 0, "another platform is not slowed"
    pacer.pause("mastodon", "a", 5)
    assert pacer.wait_time("mastodon", "a") == 5
    now[0] = 6.0
    assert pacer.wait_time("mastodon", "a") == 0
