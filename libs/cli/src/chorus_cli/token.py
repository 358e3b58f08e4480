"""`chorus token create`: mint a signed bearer token."""

from __future__ import annotations

import argparse
import os
from typing import Any

from chorus_common.auth import ROLES, create_token
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
    c.set_defaults(func=create)


def create(args: argparse.Namespace) -> int:
    settings = CommonSettings()
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
