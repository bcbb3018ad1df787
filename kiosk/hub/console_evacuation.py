"""The console's evacuation roll call (/console/evacuation): start one (a snapshot of who is on
site at every kiosk of the site), tick people accounted for from several phones at once, close it
with a summary, download it as CSV. Works without JavaScript (each tick is a form); the small
script shipped beside it (``static/rollcall.js``) sends ticks in the background and refreshes the
list every second, so a tick on one phone shows on the others within two seconds."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from kiosk.hub.console import (
    DESK_ROLES,
    SECURITY_HEADERS,
    Console,
    download,
    forbidden,
    posted,
    role_session,
    to_sign_in,
    words_for,
)
from kiosk.hub.rollcall_pdf import roll_call_pdf
from kiosk.hub.rollcalls import RollCall, RollCalls, roll_call_csv
from kiosk.hub.sessions import Session
from kiosk.wire import from_db


def add_evacuation(router: APIRouter, console: Console) -> None:
    roll_calls = RollCalls(console.service, console.service.clock)

    async def allowed(request: Request) -> Session | None:
        """Security and the front desk run the roll call."""
        return await role_session(console, request, DESK_ROLES)

    @router.get("/evacuation")
    async def evacuation(request: Request) -> Response:
        session = await allowed(request)
        if session is None:
            return to_sign_in()
        roll_call = await anyio.to_thread.run_sync(roll_calls.open_one, session.user.site)
        return _page(request, console, session, roll_call)

    @router.post("/evacuation/start")
    async def start(request: Request) -> Response:
        post = await posted(request, await allowed(request))
        if post is None:
            return forbidden()
        session, _form = post
        user = session.user
        await anyio.to_thread.run_sync(roll_calls.start, user.site, user.login)
        return RedirectResponse("/console/evacuation", 303, headers=SECURITY_HEADERS)

    @router.post("/evacuation/tick")
    async def tick(request: Request) -> Response:
        post = await posted(request, await allowed(request))
        if post is None:
            return forbidden()
        session, form = post
        user = session.user
        await anyio.to_thread.run_sync(
            roll_calls.tick,
            user.site,
            form.get("roll_call", ""),
            form.get("visit", ""),
            user.login,
            form.get("accounted") == "1",
        )
        if request.headers.get("accept", "").startswith("application/json"):
            return JSONResponse({"ok": True}, headers=SECURITY_HEADERS)
        return RedirectResponse("/console/evacuation", 303, headers=SECURITY_HEADERS)

    @router.post("/evacuation/close")
    async def close(request: Request) -> Response:
        post = await posted(request, await allowed(request))
        if post is None:
            return forbidden()
        session, form = post
        user = session.user
        closed = await anyio.to_thread.run_sync(
            roll_calls.close, user.site, form.get("roll_call", ""), user.login
        )
        if closed is None:
            return forbidden()
        return _page(request, console, session, None, closed=closed)

    @router.get("/evacuation/{roll_call_id}/state")
    async def state(request: Request, roll_call_id: str) -> Response:
        session = await allowed(request)
        if session is None:
            return JSONResponse({"signed_out": True}, 401, headers=SECURITY_HEADERS)
        roll_call = await anyio.to_thread.run_sync(roll_calls.get, session.user.site, roll_call_id)
        if roll_call is None:
            return JSONResponse({"missing": True}, 404, headers=SECURITY_HEADERS)
        words = words_for(request)
        return JSONResponse(
            {
                "changes": roll_call.changes,
                "closed": roll_call.closed_at is not None,
                "summary": _summary(words, roll_call),
                "ticks": {
                    p.visit_id: _ticked(words, console, p.ticked_at, p.ticked_by)
                    for p in roll_call.people
                },
            },
            headers=SECURITY_HEADERS,
        )

    @router.get("/evacuation/{roll_call_id}.pdf")
    async def printable(request: Request, roll_call_id: str) -> Response:
        session = await allowed(request)
        if session is None:
            return forbidden()
        roll_call = await anyio.to_thread.run_sync(roll_calls.get, session.user.site, roll_call_id)
        if roll_call is None:
            return forbidden()
        titles = sheet_words(words_for(request), roll_call)
        pdf = await anyio.to_thread.run_sync(roll_call_pdf, roll_call, titles, console.zone)
        name = f"roll-call-{roll_call.started_at[:10]}.pdf"
        return download(pdf, "application/pdf", name)

    @router.get("/evacuation/{roll_call_id}.csv")
    async def download_csv(request: Request, roll_call_id: str) -> Response:
        session = await allowed(request)
        if session is None:
            return forbidden()
        roll_call = await anyio.to_thread.run_sync(roll_calls.get, session.user.site, roll_call_id)
        if roll_call is None:
            return forbidden()
        name = f"roll-call-{roll_call.started_at[:10]}.csv"
        return download(roll_call_csv(roll_call), "text/csv; charset=utf-8", name)


def sheet_words(words: dict[str, str], roll_call: RollCall) -> dict[str, str]:
    """The console's words the printed roll call needs (``rollcall_pdf.roll_call_pdf``)."""
    return {
        "title": words["evacuation_title"],
        "summary": _summary(words, roll_call),
        "name": words["person"],
        "host": words["host"],
        "since": words["since_kiosk"],
        "accounted": words["accounted"],
        "page": words["page_of"],
    }


def _summary(words: dict[str, str], roll_call: RollCall) -> str:
    return words["roll_summary"].format(
        on_site=len(roll_call.people), accounted=roll_call.accounted, missing=roll_call.missing
    )


def _ticked(words: dict[str, str], console: Console, at: str | None, by: str | None) -> str:
    if not at:
        return ""
    local: datetime = from_db(at).astimezone(console.zone)
    return words["ticked_by"].format(time=f"{local:%H:%M}", login=by or "")


def _page(
    request: Request,
    console: Console,
    session: Session,
    roll_call: RollCall | None,
    closed: RollCall | None = None,
) -> Response:
    words = words_for(request)
    shown = roll_call or closed
    people: list[dict[str, Any]] = []
    if shown is not None:
        people = [
            {
                "visit_id": p.visit_id,
                "name": p.name,
                "host": p.host,
                "kiosk": p.kiosk_id,
                "since": from_db(p.checked_in_at).astimezone(console.zone).strftime("%H:%M"),
                "ticked": bool(p.ticked_at),
                "ticked_text": _ticked(words, console, p.ticked_at, p.ticked_by),
            }
            for p in shown.people
        ]
    started = ""
    if shown is not None:
        started = from_db(shown.started_at).astimezone(console.zone).strftime("%Y-%m-%d %H:%M")
    return console.page(
        request,
        "evacuation.html",
        session,
        roll_call=roll_call,
        closed=closed,
        people=people,
        started=started,
        summary=_summary(words, shown) if shown else "",
        title_key="evacuation_title",
    )
