"""Stream tickets: bound to a principal and a service, single-use per instance, short-lived,
verifiable by every instance that shares the secret, never a bearer token."""

from __future__ import annotations

import time

import pytest
from chorus_common.auth import AuthError, Principal, create_token, verify_token
from chorus_common.tickets import CLOCK_LEEWAY_SECONDS, StreamTickets, TicketError

SECRET = "a-test-secret-of-enough-length-0123456789"
TOM = Principal(
    sub="tom", role="agent", member_id="tom", teams=("support",), scopes=("cases:read",)
)


def _desk(service: str = "router", secret: str = SECRET) -> StreamTickets:
    return StreamTickets(secret, service=service, issuer="chorus")


def _code(desk: StreamTickets, ticket: str) -> str:
    with pytest.raises(TicketError) as err:
        desk.redeem(ticket)
    return err.value.code


@pytest.mark.unit
def test_another_instance_redeems_a_ticket_once_as_the_principal_it_was_issued_to() -> None:
    first, second = _desk(), _desk()
    ticket = first.issue(TOM).ticket
    assert second.redeem(ticket) == TOM
    assert _code(second, ticket) == "ticket_used"


@pytest.mark.unit
def test_a_ticket_lives_thirty_seconds_give_or_take_the_clocks_leeway() -> None:
    desk = _desk()
    issued = desk.issue(TOM, now=time.time() - 30 - CLOCK_LEEWAY_SECONDS - 1)
    assert _code(desk, issued.ticket) == "ticket_expired"
    fresh = desk.issue(TOM)
    assert 29 <= fresh.expires_at.timestamp() - time.time() <= 30
    skewed = desk.issue(TOM, now=time.time() + 3)  # an instance whose clock is ahead
    assert desk.redeem(skewed.ticket) == TOM


@pytest.mark.unit
def test_a_ticket_of_another_service_secret_or_a_tampered_one_is_invalid() -> None:
    ticket = _desk().issue(TOM).ticket
    assert _code(_desk("responder"), ticket) == "ticket_invalid"
    assert _code(_desk(secret=SECRET + "x"), ticket) == "ticket_invalid"
    head, body, sig = ticket.split(".")
    assert _code(_desk(), f"{head}.{body}x.{sig}") == "ticket_invalid"


@pytest.mark.unit
def test_tickets_and_bearer_tokens_do_not_stand_in_for_each_other() -> None:
    bearer = create_token(SECRET, sub="tom", role="agent", member_id="tom")
    assert _code(_desk(), bearer) == "ticket_invalid"
    with pytest.raises(AuthError):
        verify_token(SECRET, _desk().issue(TOM).ticket)
