"""Routing a batch of `post.received` events: one case per conversation, in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from chorus_common.contracts.events import Post, PostReceived
from chorus_common.messaging.envelope import Envelope

from chorus_router.casework import sla
from chorus_router.casework.assignment import Choice, Need
from chorus_router.casework.case import Case
from chorus_router.casework.ids import case_id_for
from chorus_router.casework.lifecycle import next_status
from chorus_router.casework.queued import teams_with_queue
from chorus_router.casework.service import Casework
from chorus_router.casework.store import (
    add_case_teams,
    emit,
    fetch_by_threads,
    insert_case_posts,
    insert_cases,
    known_revisions,
    load_book,
    save_book,
    set_revisions,
    update_cases,
)
from chorus_router.core import Uow
from chorus_router.routing.decision import Classification, classify, record, summary
from chorus_router.routing.decision_log import note
from chorus_router.routing.enrichment import with_signals
from chorus_router.routing.evaluate import PRIORITY_RANK


class BatchRouter:
    """State of one batch: the casework (snapshot, load book) and the teams with a queue."""

    def __init__(self, work: Casework, queued: set[str]) -> None:
        self.work = work
        self.uow = work.uow
        self.snap = work.snap
        self.queued = queued
        self.settings = work.uow.core.settings

    def classify(self, post: Post) -> Classification:
        s = self.settings
        return classify(
            post,
            self.snap.rules,
            weights=s.router_load_weights,
            default_team=s.router_default_team,
            default_sla_minutes=s.router_default_sla_minutes,
            crises=self.snap.crises,
            crisis_team=s.router_crisis_team,
            classifier=self.snap.classifier,
        )

    def open_case(self, post: Post, trace_id: str) -> Case:
        uow = self.uow
        c = self.classify(post)
        if c.team in self.queued and not c.never_alone:
            choice = Choice(None, f"{c.team} has cases waiting; queued behind them (by priority)")
            uow.release_if_room(c.team, self.snap.directory, self.work.book)
        else:
            choice = self.work.choose(c.need())
        case = Case(
            id=case_id_for(post.platform, post.thread_id, post.received_at),
            thread_id=post.thread_id,
            platform=post.platform,
            channel=post.channel,
            status="new",
            team=c.team,
            collaborators=c.collaborators,
            assignee=None,
            previous_assignee=None,
            escalated_to=None,
            priority=c.priority,
            tags=c.tags,
            approvals=c.approvals,
            skills=c.skills,
            language=post.lang,
            weight=c.weight,
            never_alone=c.never_alone,
            crisis=c.crisis,
            sla_minutes=c.sla_minutes,
            sla_due_at=sla.due_at(post.received_at, c.sla_minutes),
            sla_breached_at=None,
            first_response_at=None,
            opened_at=uow.now,
            updated_at=uow.now,
            assigned_at=None,
            resolved_at=None,
            post_received_at=post.received_at,
            latest_post_id=post.id,
            post_ids=[post.id],
            post_count=1,
            decision=record(c, choice, uow.now),
            reason=summary(c, choice),
            version=0,
        )
        if choice.member is None:
            case.status = "queued"
            if not c.never_alone:
                self.queued.add(c.team)
            emit(uow, "case.opened", case, trace_id=trace_id)
            return case
        emit(uow, "case.opened", case, trace_id=trace_id)
        case.status = next_status("new", "assign")
        case.assignee = choice.member
        case.assigned_at = uow.now
        self.work.book.add(choice.member, case.weight, solid=not case.never_alone)
        emit(uow, "case.assigned", case, trace_id=trace_id)
        return case

    def follow_up(self, case: Case, post: Post, is_update: bool) -> Classification:
        """A new post (or an edit) in a known conversation: move the case along; returns
        what the rules said about the post."""
        uow = self.uow
        if not is_update:
            case.add_post(post.id, post.received_at)
        c = self.classify(post)
        escalation = self._merge(case, c)
        status = case.status
        if status == "resolved" and not is_update:
            self._reopen(case, post, c)
            return c
        if status == "replied" and not is_update:
            case.status = next_status(status, "post")
            case.restart_sla(post.received_at)
        elif not is_update:
            case.sla_due_at = sla.next_due(
                case.sla_due_at, False, post.received_at, case.sla_minutes
            )
        owner = case.assignee
        member = self.snap.directory.members.get(owner or "")
        if member is not None and member.effective_availability(uow.now) == "out_of_office":
            self._reassign_away_from(case, c, owner or "")
        if escalation:
            emit(uow, "case.escalated", case, reason=escalation)
        else:
            emit(uow, "case.updated", case, reason="post edited" if is_update else "new post")
        return c

    def _merge(self, case: Case, c: Classification) -> str | None:
        """Raise priority, add teams/tags/approvals the new post calls for; why, if anything."""
        why: list[str] = []
        if PRIORITY_RANK[c.priority] < PRIORITY_RANK[case.priority]:
            why.append(f"priority {case.priority}→{c.priority}")
            case.priority = c.priority
            case.sla_minutes = min(case.sla_minutes, c.sla_minutes)
            new_weight = max(case.weight, c.weight)
            if case.assignee and case.status != "resolved":
                self.work.book.adjust(case.assignee, new_weight - case.weight)
            case.weight = new_weight
        teams = [t for t in [c.team, *c.collaborators] if t != case.team]
        added = [t for t in teams if t not in case.collaborators]
        if added:
            case.collaborators = [*case.collaborators, *added]
            why.append("collaborators +" + ",".join(added))
        case.tags = list(dict.fromkeys([*case.tags, *c.tags]))
        approvals = list(dict.fromkeys([*case.approvals, *c.approvals]))
        if approvals != case.approvals:
            why.append("approvals " + ",".join(approvals))
            case.approvals = approvals
        if c.crisis and not case.crisis:
            case.crisis = c.crisis
            why.append(f"crisis {c.crisis}")
        if why:
            case.decision = {**case.decision, "escalations": [
                *case.decision.get("escalations", []),
                {"at": self.uow.now.isoformat(), "why": why, "matched": c.matched},
            ]}  # fmt: skip
            return "; ".join(why)
        return None

    def _reopen(self, case: Case, post: Post, c: Classification) -> None:
        case.status = next_status("resolved", "post")
        case.resolved_at = None
        case.restart_sla(post.received_at)
        choice = self.work.choose(_need(case, c), prefer=case.assignee)
        self.work.place(case, choice)
        emit(self.uow, "case.reopened", case, reason="new post after resolution; " + choice.reason)

    def _reassign_away_from(self, case: Case, c: Classification, owner: str) -> None:
        self.work.book.remove(owner, case.weight, solid=not case.never_alone)
        choice = self.work.choose(_need(case, c), exclude=(owner,))
        case.previous_assignee = owner
        self.work.place(case, choice)
        emit(self.uow, "case.reassigned", case, reason=f"owner {owner} out of office")


def _need(case: Case, c: Classification) -> Need:
    """The case's team and weight, with what the new post asks (its language, skills)."""
    return replace(case.need(), language=c.language, skills=tuple(c.skills), platform=c.platform)


def _intent(c: Classification) -> dict[str, Any] | None:
    return getattr(c, "intent", None)  # the classifier's verdict, where one was asked


def _parse(events: Sequence[Envelope], enrich: bool) -> list[tuple[Envelope, PostReceived, Post]]:
    out = []
    for e in events:
        pr: PostReceived = e.parsed()
        post = with_signals(pr.post)[0] if enrich else pr.post
        out.append((e, pr, post))
    return out


async def route_posts(events: list[Envelope], *, uow: Uow) -> None:
    """Open, update or reopen cases for a batch of posts; a post id is never in two cases."""
    session, core = uow.session, uow.core
    items = _parse(events, core.settings.router_enrich_missing)
    snap = await core.cache.get(session)
    applied = await known_revisions(session, [p.id for _e, _pr, p in items])
    known = {pid: case_id for pid, (case_id, _rev) in applied.items()}
    newest = {pid: rev for pid, (_case_id, rev) in applied.items()}
    revised: dict[str, int] = {}
    cases = await fetch_by_threads(session, [(p.platform, p.thread_id) for _e, _pr, p in items])
    work = Casework(uow, snap, await load_book(session))
    br = BatchRouter(work, await teams_with_queue(session))
    created: dict[str, Case] = {}
    touched: dict[str, Case] = {}
    post_rows: list[tuple[str, str, datetime, int]] = []
    for env, pr, post in items:
        key = (post.platform, post.thread_id)
        case = cases.get(key)
        if post.id in known:  # stored before, or routed earlier in this batch
            uow.post_cases[post.id] = known[post.id]
            # An edit applies once, and never one older than an edit already applied (a
            # redelivery, or an archive replay republishing every revision).
            if pr.is_update and case is not None and pr.revision > newest.get(post.id, 1):
                newest[post.id] = revised[post.id] = pr.revision
                c = br.follow_up(case, post, is_update=True)
                note(uow.routed, env.trace_id, post.id, case, "edited", c.matched, _intent(c))
                if case.id not in created:
                    touched[case.id] = case
            continue  # redelivery: the post already has its case
        if case is None:
            case = br.open_case(post, env.trace_id)
            cases[key] = created[case.id] = case
            d = case.decision
            note(uow.routed, env.trace_id, post.id, case, "opened", d["matched"], d.get("intent"))
        else:
            reopening = case.status == "resolved"
            c = br.follow_up(case, post, is_update=False)
            action = "reopened" if reopening else "added"
            note(uow.routed, env.trace_id, post.id, case, action, c.matched, _intent(c))
            if case.id not in created:
                touched[case.id] = case
        post_rows.append((post.id, case.id, post.received_at, pr.revision))
        known[post.id] = uow.post_cases[post.id] = case.id
        newest[post.id] = pr.revision
    dialect = core.runtime.dialect
    await insert_cases(session, dialect, list(created.values()))
    await update_cases(session, list(touched.values()))
    await insert_case_posts(session, dialect, post_rows)
    await set_revisions(session, revised)
    await add_case_teams(session, dialect, [*created.values(), *touched.values()])
    await save_book(session, dialect, work.book)
