"""The front desk's page (/console/onsite): everyone on site at every kiosk of the user's site
(names if the site sends them, else badge codes), searchable, with check-out for the front desk;
below it the deny-list alerts of the day and the guests expected today."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from kiosk.hub.alerts import alerts_on
from kiosk.hub.console import (
    DESK_ROLES,
    PRIVACY_ROLES,
    SECURITY_HEADERS,
    Console,
    forbidden,
    home_for,
    posted,
    to_sign_in,
    words_for,
)
from kiosk.hub.frontdesk import check_out
from kiosk.hub.hub_invitations import HubInvitations
from kiosk.wire import badge_code, from_db


def add_onsite(router: APIRouter, console: Console) -> None:
    @router.post("/onsite/checkout")
    async def checkout(request: Request) -> Response:
        post = await posted(request, await console.session(request))
        if post is None:
            return forbidden()
        session, form = post
        if session.user.role not in DESK_ROLES:
            return forbidden()
        user, service = session.user, console.service
        done = await anyio.to_thread.run_sync(
            check_out, service.engine, service.clock, user.site, form.get("visit", ""), user.login
        )
        target = "/console/onsite?done=1" if done else "/console/onsite?done=0"
        return RedirectResponse(target, 303, headers=SECURITY_HEADERS)

    @router.get("/onsite")
    async def onsite(request: Request, q: str = "") -> Response:
        session = await console.session(request)
        if session is None:
            return to_sign_in()
        if session.user.role in PRIVACY_ROLES:  # their page is the requests, not who is here
            return RedirectResponse(home_for(session.user.role), 303, headers=SECURITY_HEADERS)
        people = await anyio.to_thread.run_sync(_people, console, session.user.site, q)
        expected: list[dict[str, str]] = []
        flagged: list[dict[str, str]] = []
        if session.user.role in DESK_ROLES:
            expected = await anyio.to_thread.run_sync(_expected_today, console, session.user.site)
            flagged = await anyio.to_thread.run_sync(
                _alerts_today, console, session.user.site, words_for(request)
            )
        words = words_for(request)
        user = session.user
        return console.page(
            request,
            "onsite.html",
            session,
            people=[
                {**p, "minutes": words["minutes"].format(minutes=p["minutes"])}
                | ({"name": words["code"].format(code=p["code"])} if not p["name"] else {})
                for p in people
            ],
            query=q,
            can_check_out=user.role in DESK_ROLES,
            expected=expected,
            alerts=flagged,
            notice={"1": words["checked_out"], "0": words["not_checked_out"]}.get(
                request.query_params.get("done", ""), ""
            ),
            count_text=words["onsite_count"].format(count=len(people), site=user.site),
            signed_in=words["signed_in"].format(
                login=user.login, role=words[f"role_{user.role}"], site=user.site
            ),
            title_key="onsite_title",
        )


def _people(console: Console, site: str, query: str) -> list[dict[str, Any]]:
    """Everyone on site at ``site`` (never another site), optionally filtered."""
    now: datetime = console.service.clock()
    hosts = console.service.host_names(site)
    wanted = query.strip().casefold()
    people = []
    for row in console.service.on_site(site):
        since = from_db(str(row["checked_in_at"]))
        code = badge_code(str(row["visit_id"]))
        person = {
            "visit_id": row["visit_id"],
            "name": row["name"] or "",
            "code": code,
            "host": hosts.get(row["host_id"], row["host_id"] or ""),
            "kiosk": row["kiosk_id"],
            "since": since.astimezone(console.zone).strftime("%H:%M"),
            "minutes": max(0, int((now - since).total_seconds() // 60)),
        }
        haystack = f"{person['name']} {person['host']} {code}".casefold()
        if not wanted or wanted in haystack:
            people.append(person)
    return people


def _expected_today(console: Console, site: str) -> list[dict[str, str]]:
    """Guests the site's hosts invited for today, for the front desk to look out for."""
    zone = console.zone
    today = console.service.clock().astimezone(zone).date()
    hosts = console.service.host_names(site)
    found = HubInvitations(console.service.engine, console.service.clock).for_site(
        site, today, zone
    )
    return [
        {
            "window": f"{i.starts_at.astimezone(zone):%H:%M}–{i.ends_at.astimezone(zone):%H:%M}",
            "name": i.name,
            "host": hosts.get(i.host_id, i.host_id),
        }
        for i in found
    ]


def _alerts_today(console: Console, site: str, words: Mapping[str, str]) -> list[dict[str, str]]:
    """What the deny list flagged at the site's kiosks today, in words for the front desk."""
    zone = console.zone
    today = console.service.clock().astimezone(zone).date()
    found = alerts_on(console.service.engine, site, today, zone)
    return [
        {
            "at": f"{from_db(row['at']).astimezone(zone):%H:%M}",
            "kiosk": row["kiosk_id"],
            "what": words["alert_denied"] if row["kind"] == "denied" else words["alert_near"],
            "who": row["name"] or "",
            "reason": row["reason"] or "",
        }
        for row in found
    ]
