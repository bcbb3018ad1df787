"""The privacy officer's page (/console/privacy): a person's export or erase, asked once for
every kiosk of the site (``kiosk.hub.rights_desk``), each request with which kiosks have carried
it out; a finished export is downloaded once and then erased at the hub."""

from __future__ import annotations

import json

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from kiosk.hub.console import (
    PRIVACY_ROLES,
    SECURITY_HEADERS,
    Console,
    download,
    forbidden,
    posted,
    role_session,
    to_sign_in,
    words_for,
)
from kiosk.hub.rights_desk import KINDS, RequestStatus, RightsDesk, UnknownRequestError
from kiosk.hub.sessions import Session
from kiosk.wire import from_db, normalise_email

MAX_EMAIL = 254


def add_privacy(router: APIRouter, console: Console) -> None:
    desk = RightsDesk(console.service)

    @router.get("/privacy")
    async def privacy(request: Request) -> Response:
        session = await role_session(console, request, PRIVACY_ROLES)
        if session is None:
            return to_sign_in()
        words = words_for(request)
        made = request.query_params.get("made", "")
        notice = words["rights_made"].format(receipt=made) if made.isalnum() else ""
        return await _page(request, console, desk, session, {}, "", notice)

    @router.post("/privacy/request")
    async def ask(request: Request) -> Response:
        post = await posted(request, await role_session(console, request, PRIVACY_ROLES))
        if post is None:
            return forbidden()
        session, form = post
        words = words_for(request)
        email, kind = normalise_email(form.get("email", "")), form.get("kind", "")
        if not _looks_like_email(email) or kind not in KINDS:
            return await _page(request, console, desk, session, form, words["rights_bad_email"])
        if kind == "erase" and form.get("confirm") != "yes":
            return await _page(request, console, desk, session, form, words["rights_confirm_first"])
        user = session.user
        receipt = await anyio.to_thread.run_sync(desk.request, user.site, kind, email, user.login)
        return RedirectResponse(f"/console/privacy?made={receipt}", 303, headers=SECURITY_HEADERS)

    @router.post("/privacy/download")
    async def fetch(request: Request) -> Response:
        post = await posted(request, await role_session(console, request, PRIVACY_ROLES))
        if post is None:
            return forbidden()
        session, form = post
        user = session.user
        try:
            exported = await anyio.to_thread.run_sync(
                desk.download, user.site, form.get("receipt", "")[:16], user.login
            )
        except UnknownRequestError:
            return RedirectResponse("/console/privacy", 303, headers=SECURITY_HEADERS)
        body = json.dumps(exported, ensure_ascii=False, indent=2)
        return download(body, "application/json", f"export-{exported['receipt']}.json")


def _looks_like_email(text: str) -> bool:
    """Enough to catch a slip; the address is only ever hashed, never stored or sent on."""
    local, _, domain = text.partition("@")
    return bool(local) and "." in domain and " " not in text and len(text) <= MAX_EMAIL


async def _page(
    request: Request,
    console: Console,
    desk: RightsDesk,
    session: Session,
    form: dict[str, str],
    message: str,
    notice: str = "",
) -> Response:
    words = words_for(request)
    found = await anyio.to_thread.run_sync(desk.requests, session.user.site)
    return console.page(
        request,
        "privacy.html",
        session,
        requests=[_row(console, words, status) for status in found],
        form={"email": form.get("email", ""), "kind": form.get("kind", "export")},
        message=message,
        notice=notice,
        title_key="privacy_title",
    )


def _row(console: Console, words: dict[str, str], status: RequestStatus) -> dict[str, object]:
    at = from_db(status.created_at).astimezone(console.zone)
    kiosks = [
        {
            "kiosk": kiosk,
            "state": words[f"rights_state_{state}"],
            "done": state == "done",
            "visits": status.visits.get(kiosk, 0),
        }
        for kiosk, state in status.kiosks.items()
    ]
    return {
        "receipt": status.receipt,
        "kind": words[f"rights_kind_{status.kind}"],
        "at": f"{at:%Y-%m-%d %H:%M}",
        "by": status.created_by,
        "hub_visits": status.visits.get("hub", 0),
        "kiosks": kiosks,
        "complete": status.complete,
        "can_download": status.kind == "export" and status.complete and not status.downloaded_at,
        "downloaded": bool(status.downloaded_at),
    }
