"""`chorus token create`: mint a signed bearer token.

A token naming a member (``--member``) is only useful while that member exists and is active
in the router's directory (the services refuse it otherwise), so the router is asked first.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import Any

from chorus_common.auth import ROLES, create_token
from chorus_common.members import DirectoryUnavailable, MemberQuery, RouterMembers
from chorus_common.settings import CommonSettings


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser("token", help="mint bearer tokens")
    tsub = p.add_subparsers(dest="token_command", required=True)
    c = tsub.add_parser("create", help="create a token (printed on stdout)")
    c.add_argument("--role", choices=ROLES, required=True)
    c.add_argument("--sub", help="subject (defaults to the member id or the role)")
    c.add_argument("--member", help="member id (agents and leads)")
    c.add_argument("--team", action="append", default=[], help="team the member belongs to")
    c.add_argument("--scope", action="append", help="explicit scope (default: the role's)")
    c.add_argument("--ttl", type=int, default=30 * 24 * 3600, help="lifetime in seconds")
    c.add_argument("--out", help="write the token to this file (mode 600) instead of stdout")
    c.add_argument("--router-url", help="the router whose directory --member is checked in "
                   "(default: ROUTER_URL, else http://127.0.0.1:8002)")  # fmt: skip
    c.set_defaults(func=create)


def member_problem(settings: CommonSettings, member: str) -> str | None:
    """Why a token for ``member`` would be refused (None: the directory has them, active)."""
    try:
        found = asyncio.run(RouterMembers(settings).resolve(MemberQuery(member_id=member)))
    except DirectoryUnavailable:
        print(
            f"chorus token: could not check member {member!r}: the router at "
            f"{settings.router_url} did not answer; the token is minted, and the services "
            "will refuse it unless the directory has this member",
            file=sys.stderr,
        )
        return None
    if found is None:
        return (
            f"the directory at {settings.router_url} has no member {member!r}: "
            "create it first (POST /v1/members), or mint a token without --member"
        )
    if not found.active:
        return f"member {member!r} is deactivated in the directory at {settings.router_url}"
    return None


def create(args: argparse.Namespace) -> int:
    settings = CommonSettings()
    if args.router_url:
        settings = settings.model_copy(update={"router_url": args.router_url})
    if args.member and settings.router_url.strip():
        problem = member_problem(settings, args.member)
        if problem is not None:
            print(f"chorus token: {problem}; no token minted", file=sys.stderr)
            return 1
    tok = create_token(
        settings.token_secret.get_secret_value(),
        sub=args.sub or args.member or args.role,
        role=args.role,
        member_id=args.member,
        teams=args.team,
        scopes=args.scope,
        ttl_seconds=args.ttl,
        issuer=settings.token_issuer,
    )
    if args.out:
        fd = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(tok + "\n")
    else:
        print(tok)
    return 0
