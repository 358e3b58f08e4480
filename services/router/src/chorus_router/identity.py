"""The directory answering "who is this token's member?" from the router's own tables."""

from __future__ import annotations

from chorus_common.members import DirectoryMember, MemberQuery
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_router import models
from chorus_router.core import RouterCore
from chorus_router.domain.identity import access_of, normal_email, only_match


async def _ids(session: AsyncSession, where: ColumnElement[bool]) -> list[str]:
    t = models.members
    return list((await session.execute(select(t.c.id).where(where).limit(2))).scalars())


async def find_member(session: AsyncSession, query: MemberQuery) -> DirectoryMember | None:
    """By member id; else by OpenID subject, then by verified e-mail (one match only)."""
    t = models.members
    if query.member_id is not None:
        ids = await _ids(session, t.c.id == query.member_id)
    else:
        ids = await _ids(session, t.c.oidc_subject == query.sub) if query.sub else []
        if not ids and query.email and query.email_verified:
            ids = await _ids(session, func.lower(t.c.email) == normal_email(query.email))
    member_id = only_match(ids)
    if member_id is None:
        return None
    row = (
        await session.execute(select(t.c.teams, t.c.admin, t.c.active).where(t.c.id == member_id))
    ).one()
    teams = models.teams
    led = (await session.execute(select(teams.c.id).where(teams.c.lead == member_id))).scalars()
    role, member_teams = access_of(row.teams or (), led, admin=bool(row.admin))
    return DirectoryMember(
        member_id=member_id, role=role, teams=member_teams, active=bool(row.active)
    )


class DirectoryMembers:
    """The router's own directory (no cache: a deactivation takes effect at the next request)."""

    def __init__(self, core: RouterCore) -> None:
        self.core = core

    async def resolve(self, query: MemberQuery) -> DirectoryMember | None:
        async with self.core.runtime.sessionmaker() as session:
            return await find_member(session, query)
