"""The hosts' page (/console/visitors): my guests expected, arrived and left today, and a form to
invite one (name, email, day, time window, language). The invitation email goes out from the hub;
the kiosks of the site fetch the invitation on their next sync, so the code works at any of them.
A host can cancel an invitation; the kiosks drop it on their next sync."""

from __future__ import annotations

from datetime import date, time, timedelta, tzinfo
from typing import Any

import anyio.to_thread
import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from kiosk.hub import schema as t
from kiosk.hub.console import SECURITY_HEADERS, Console, forbidden, posted, words_for
from kiosk.hub.hub_invitations import HubInvitation, HubInvitations, InvitationProblem
from kiosk.hub.invitation_mail import send_invitation
from kiosk.hub.sessions import Session
from kiosk.wire import badge_code, day_span, from_db


def add_visitors(router: APIRouter, console: Console) -> None:
    invitations = HubInvitations(console.service.engine, console.service.clock)

    async def host_session(request: Request) -> Session | None:
        session = await console.session(request)
        return session if session is not None and session.user.host_id else None

    @router.get("/visitors")
    async def visitors(request: Request) -> Response:
        session = await host_session(request)
        if session is None:
            return RedirectResponse("/console", 303, headers=SECURITY_HEADERS)
        return await _page(request, console, invitations, session, {}, "")

    @router.post("/visitors/invite")
    async def invite(request: Request) -> Response:
        post = await posted(request, await host_session(request))
        if post is None:
            return forbidden()
        session, form = post
        words, user = words_for(request), session.user
        try:
            window = (
                date.fromisoformat(form.get("day", "")),
                time.fromisoformat(form.get("start", "")),
                time.fromisoformat(form.get("end", "")),
            )
        except ValueError:
            return await _page(
                request, console, invitations, session, form, words["invite_bad_window"]
            )
        try:
            made = await anyio.to_thread.run_sync(
                lambda: invitations.create(
                    user.site,
                    user.host_id,
                    form.get("name", ""),
                    form.get("email", ""),
                    window,
                    form.get("language", ""),
                    user.login,
                    console.zone,
                )
            )
        except InvitationProblem as problem:
            return await _page(request, console, invitations, session, form, words[problem.key])
        names = await anyio.to_thread.run_sync(console.service.host_names, user.site)
        host_name = names.get(user.host_id, user.host_id)
        mail_words = console.words(made.language)
        error = await anyio.to_thread.run_sync(
            lambda: send_invitation(
                console.mail_url,
                made,
                mail_words,
                user.site,
                host_name,
                console.service.clock(),
                console.zone,
            )
        )
        await anyio.to_thread.run_sync(invitations.note_mail, made.code, error)
        return RedirectResponse("/console/visitors?invited=1", 303, headers=SECURITY_HEADERS)

    @router.post("/visitors/cancel")
    async def cancel(request: Request) -> Response:
        post = await posted(request, await host_session(request))
        if post is None:
            return forbidden()
        session, form = post
        user = session.user
        await anyio.to_thread.run_sync(
            invitations.cancel, user.site, user.host_id, form.get("code", ""), user.login
        )
        return RedirectResponse("/console/visitors", 303, headers=SECURITY_HEADERS)


def _visits_today(console: Console, site: str, host_id: str) -> list[dict[str, Any]]:
    now = console.service.clock()
    today = now.astimezone(console.zone).date()
    first, last = day_span(today, console.zone)
    v = t.visits.c
    with console.service.engine.connect() as db:
        rows = db.execute(
            sa.select(v.visit_id, v.name, v.checked_in_at, v.checked_out_at)
            .where(v.site == site, v.host_id == host_id)
            .where(v.checked_in_at >= first, v.checked_in_at < last)
            .order_by(v.checked_in_at)
        ).all()
    return [dict(row._mapping) for row in rows]


async def _page(
    request: Request,
    console: Console,
    invitations: HubInvitations,
    session: Session,
    form: dict[str, str],
    message: str,
) -> Response:
    user, zone, words = session.user, console.zone, words_for(request)
    now = console.service.clock().astimezone(zone)
    expected = await anyio.to_thread.run_sync(
        invitations.for_host, user.site, user.host_id, now.date(), zone
    )
    visits = await anyio.to_thread.run_sync(_visits_today, console, user.site, user.host_id)

    def who(row: dict[str, Any]) -> str:
        return row["name"] or words["code"].format(code=badge_code(row["visit_id"]))

    def hhmm(text: str) -> str:
        return f"{from_db(text).astimezone(zone):%H:%M}"

    start = (now + timedelta(minutes=15)).replace(second=0, microsecond=0)
    defaults = {
        "name": "",
        "email": "",
        "day": now.date().isoformat(),
        "start": f"{start:%H:%M}",
        "end": f"{min(start + timedelta(hours=2), start.replace(hour=23, minute=59)):%H:%M}",
        "language": "zh-TW",
    }
    return console.page(
        request,
        "visitors.html",
        session,
        status=400 if message else 200,
        message=message,
        invited=request.query_params.get("invited") == "1",
        form={**defaults, **{k: v for k, v in form.items() if k in defaults}},
        expected=[_expected(i, zone) for i in expected],
        arrived=[
            {"name": who(r), "at": hhmm(r["checked_in_at"])}
            for r in visits
            if not r["checked_out_at"]
        ],
        left=[
            {"name": who(r), "at": hhmm(r["checked_out_at"])} for r in visits if r["checked_out_at"]
        ],
        title_key="visitors_title",
    )


def _expected(invitation: HubInvitation, zone: tzinfo) -> dict[str, Any]:
    start, end = invitation.starts_at.astimezone(zone), invitation.ends_at.astimezone(zone)
    return {
        "code": invitation.code,
        "name": invitation.name,
        "cancelled": invitation.cancelled,
        "mail_error": invitation.mail_error,
        "window": f"{start:%H:%M}–{end:%H:%M}",
    }
